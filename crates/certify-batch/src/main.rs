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
    // `--threads N` uses N cores: the engine plans at least two partitions (so joins can
    // spill), and the runtime's threads are what run them.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = match &cli.command {
        Command::Compare(a) => a.threads.unwrap_or(cores),
        Command::Generate(_) => cores,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers.max(1))
        .enable_all()
        .build()
    {
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
