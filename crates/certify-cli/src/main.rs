//! `certify`: the operator command line of certify (JSON lines, scriptable).
//!
//! - `certify id check` — one identity number per line on stdin, one JSON object per line out.
//! - `certify cycle run` — the deadline run over roster and certification files.
//! - `certify demo` — a scripted walk through the certification rules, end to end.

use certify_cli::{demo, idcheck, run};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "certify",
    version,
    about = "Pension entitlement certification (养老保险待遇领取资格认证) for operators"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Identity number tools.
    Id {
        #[command(subcommand)]
        command: IdCommand,
    },
    /// Certification cycle tools.
    Cycle {
        #[command(subcommand)]
        command: CycleCommand,
    },
    /// Walk through the whole certification story, printing each step.
    Demo {
        /// The models folder.
        #[arg(long, default_value = "models")]
        models: PathBuf,
        /// Photographs fetched by scripts/setup.sh.
        #[arg(long, default_value = ".deps/testdata/face")]
        photos: PathBuf,
    },
}

#[derive(Subcommand)]
enum IdCommand {
    /// Read one identity number per line on stdin; write one JSON object per line:
    /// {"input","valid","normalized","error","birth_date","sex","region_code",...}.
    Check,
}

#[derive(Subcommand)]
enum CycleCommand {
    /// The deadline run: compare certifications with the roster; list suspensions and
    /// resumptions with back pay; print a summary.
    Run(run::RunArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Id {
            command: IdCommand::Check,
        } => idcheck::run(std::io::stdin().lock(), std::io::stdout().lock()),
        Command::Cycle {
            command: CycleCommand::Run(args),
        } => run::run(&args),
        Command::Demo { models, photos } => demo::run(
            &mut std::io::stdout().lock(),
            &demo::DemoOptions {
                models_dir: models,
                photos_dir: photos,
                runtime_library: None,
            },
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("certify: {e}");
            ExitCode::FAILURE
        }
    }
}
