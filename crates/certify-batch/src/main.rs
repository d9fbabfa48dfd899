//! `certify-batch`: data comparison and the deadline run over files, and a generator of
//! realistic synthetic inputs.

use certify_batch::cli::{CompareArgs, GenerateArgs, compare, generate};
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "certify-batch",
    about = "Data comparison (信息比对) and the deadline run at province scale"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compare the roster with certifications and life-event feeds; write the lists.
    Compare(CompareArgs),
    /// Write realistic synthetic roster, certification and event files.
    Generate(GenerateArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("certify-batch: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Compare(a) => compare(a).await,
            Command::Generate(a) => generate(a).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("certify-batch: {e}");
            ExitCode::FAILURE
        }
    }
}
