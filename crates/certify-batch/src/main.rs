//! `certify-batch`: data comparison and the deadline run over files, and a generator of
//! realistic synthetic inputs.

use certify_batch::generate::{Spec, generate_csv, to_parquet};
use certify_batch::{CompareJob, Inputs, Limits, run_embedded};
use certify_core::time::parse_date;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

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

#[derive(clap::Args)]
struct CompareArgs {
    /// Region and scheme configuration (TOML with a [cycle] table, as for `certify cycle run`).
    #[arg(long)]
    config: PathBuf,
    /// Roster/payroll file(s), CSV or Parquet.
    #[arg(long, required = true)]
    roster: Vec<String>,
    /// Certification record file(s): id_number,date[,outcome].
    #[arg(long, required = true)]
    certifications: Vec<String>,
    /// Life-event feed file(s): id_number,date,kind,source,reference.
    #[arg(long, required = true)]
    events: Vec<String>,
    /// The run date (YYYY-MM-DD).
    #[arg(long)]
    date: String,
    /// Output directory for the lists and summary.json.
    #[arg(long)]
    out: PathBuf,
    /// List people whose deadline is within this many days as due soon.
    #[arg(long, default_value_t = 30)]
    remind_days: i64,
    /// Memory the engine may use (e.g. 512M, 4G); beyond it, it spills to disk.
    #[arg(long, default_value = "2G")]
    memory: String,
    /// Threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Directory for spill files.
    #[arg(long)]
    spill_dir: Option<PathBuf>,
}

#[derive(clap::Args)]
struct GenerateArgs {
    /// People on the roster.
    #[arg(long)]
    people: u64,
    /// Mean life events per person.
    #[arg(long, default_value_t = 20.0)]
    events_per_person: f64,
    /// The run date the data is made around (YYYY-MM-DD).
    #[arg(long)]
    date: String,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
    /// Also write Parquet copies.
    #[arg(long)]
    parquet: bool,
}

/// `512M`, `4G`, `1048576` → bytes.
fn bytes(text: &str) -> Option<usize> {
    let t = text.trim();
    let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => t.split_at(i),
        None => (t, ""),
    };
    let n: usize = digits.parse().ok()?;
    let mul: usize = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(mul)
}

fn date(text: &str) -> Result<time::Date, String> {
    parse_date(text).ok_or_else(|| format!("--date: not a date (YYYY-MM-DD): {text:?}"))
}

async fn compare(a: CompareArgs) -> Result<(), String> {
    let config = certify_cli::run::load_config(&a.config).map_err(|e| e.to_string())?;
    let memory_bytes = bytes(&a.memory).ok_or_else(|| format!("--memory: expected 512M or 4G, got {:?}", a.memory))?;
    let mut limits = Limits {
        memory_bytes,
        spill_dir: a.spill_dir,
        ..Limits::default()
    };
    if let Some(t) = a.threads {
        limits.threads = t;
    }
    let job = CompareJob {
        inputs: Inputs {
            roster: a.roster,
            certifications: a.certifications,
            events: a.events,
        },
        config,
        run_date: date(&a.date)?,
        remind_days: a.remind_days,
        out_dir: a.out,
        limits,
    };
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {human_pos} people decided, {per_sec} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let started = Instant::now();
    let summary = run_embedded(&job, Some(bar.clone())).await.map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    let json = serde_json::to_string(&summary).map_err(|e| e.to_string())?;
    eprintln!("{json}");
    eprintln!(
        "certify-batch: {} roster rows, {} certified by data comparison, {} suspended, {} resumed, {} still to certify ({} due within {} days); {:.1} s; lists in {}",
        summary.roster_rows,
        summary.certified_by_events,
        summary.run.suspended,
        summary.run.resumed,
        summary.uncertified,
        summary.due_soon,
        job.remind_days,
        started.elapsed().as_secs_f64(),
        job.out_dir.display()
    );
    Ok(())
}

async fn generate(a: GenerateArgs) -> Result<(), String> {
    let spec = Spec {
        people: a.people,
        events_per_person: a.events_per_person,
        run_date: date(&a.date)?,
        seed: a.seed,
    };
    let g = generate_csv(&spec, &a.out).map_err(|e| e.to_string())?;
    eprintln!(
        "certify-batch: wrote {} roster, {} certification and {} event rows to {}",
        g.rows[0],
        g.rows[1],
        g.rows[2],
        a.out.display()
    );
    if a.parquet {
        for p in [&g.roster, &g.certifications, &g.events] {
            let out = to_parquet(p).await.map_err(|e| e.to_string())?;
            eprintln!("certify-batch: {}", out.display());
        }
    }
    Ok(())
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
