//! `certify-cluster`: a Ballista scheduler or executor that knows certify's functions, and
//! the comparison job run against them.

use certify_batch::cli::{CompareArgs, progress_bar, report};
use certify_cluster::{ExecutorSettings, executor, run_on_cluster, scheduler};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "certify-cluster",
    about = "certify's data comparison across machines (Apache Ballista)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scheduler.
    Scheduler {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:50050")]
        bind: SocketAddr,
    },
    /// Run an executor serving a scheduler.
    Executor {
        /// The scheduler (host:port).
        #[arg(long, default_value = "127.0.0.1:50050")]
        scheduler: String,
        /// Address to bind and advertise.
        #[arg(long, default_value = "127.0.0.1")]
        bind_host: String,
        /// Arrow Flight port (shuffle data).
        #[arg(long, default_value_t = 50051)]
        port: u16,
        /// gRPC port (tasks).
        #[arg(long, default_value_t = 50052)]
        grpc_port: u16,
        /// Tasks at once (default: all cores).
        #[arg(long)]
        concurrent_tasks: Option<usize>,
        /// Memory for all tasks, e.g. 4G (default: Ballista's share of the machine).
        #[arg(long)]
        memory: Option<String>,
        /// Directory for shuffle files.
        #[arg(long)]
        work_dir: Option<PathBuf>,
    },
    /// The comparison job with its joins on the cluster (same arguments as `certify-batch compare`).
    Compare {
        /// The scheduler, `df://host:port`.
        #[arg(long)]
        cluster: String,
        #[command(flatten)]
        args: CompareArgs,
    },
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Scheduler { bind } => scheduler(bind).await.map_err(|e| e.to_string()),
        Command::Executor {
            scheduler,
            bind_host,
            port,
            grpc_port,
            concurrent_tasks,
            memory,
            work_dir,
        } => {
            let (host, sport) = scheduler
                .rsplit_once(':')
                .and_then(|(h, p)| Some((h.to_owned(), p.parse::<u16>().ok()?)))
                .ok_or_else(|| format!("--scheduler: expected host:port, got {scheduler:?}"))?;
            let memory_bytes = match memory {
                None => None,
                Some(m) => Some(
                    certify_batch::cli::bytes(&m).ok_or_else(|| format!("--memory: expected 512M or 4G, got {m:?}"))?
                        as u64,
                ),
            };
            executor(ExecutorSettings {
                scheduler_host: host,
                scheduler_port: sport,
                bind_host,
                port,
                grpc_port,
                concurrent_tasks: concurrent_tasks
                    .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
                memory_bytes,
                work_dir,
            })
            .await
            .map_err(|e| e.to_string())
        }
        Command::Compare { cluster, args } => {
            let job = args.job()?;
            let bar = progress_bar();
            let started = Instant::now();
            let summary = run_on_cluster(&cluster, &job, Some(bar.clone()))
                .await
                .map_err(|e| e.to_string())?;
            bar.finish_and_clear();
            report(&job, &summary, started.elapsed().as_secs_f64())
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(16 << 20)
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("certify-cluster: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("certify-cluster: {e}");
            ExitCode::FAILURE
        }
    }
}
