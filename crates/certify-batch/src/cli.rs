//! The command line's arguments and commands, shared by `certify-batch` and
//! `certify-cluster` (which adds `--cluster`).

use crate::generate::{Spec, generate_csv, to_parquet};
use crate::{CompareJob, Inputs, Joins, Limits, Summary, run_embedded};
use certify_core::time::parse_date;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Region and scheme configuration (TOML with a `[cycle]` table, as for `certify cycle run`).
    #[arg(long)]
    pub config: PathBuf,
    /// Roster/payroll file(s), CSV or Parquet.
    #[arg(long, required = true)]
    pub roster: Vec<String>,
    /// Certification record file(s): `id_number,date[,outcome]`.
    #[arg(long, required = true)]
    pub certifications: Vec<String>,
    /// Life-event feed file(s): id_number,date,kind,source,reference.
    #[arg(long, required = true)]
    pub events: Vec<String>,
    /// The run date (YYYY-MM-DD).
    #[arg(long)]
    pub date: String,
    /// Output directory for the lists and summary.json.
    #[arg(long)]
    pub out: PathBuf,
    /// List people whose deadline is within this many days as due soon.
    #[arg(long, default_value_t = 30)]
    pub remind_days: i64,
    /// Memory the engine may use (e.g. 512M, 4G); beyond it, it spills to disk.
    #[arg(long, default_value = "2G")]
    pub memory: String,
    /// Threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Directory for spill files.
    #[arg(long)]
    pub spill_dir: Option<PathBuf>,
    /// Joins: auto (hash joins when the roster fits a quarter of --memory, else sort-merge
    /// joins, which spill), hash, or sort-merge.
    #[arg(long, value_enum, default_value_t = Joins::Auto)]
    pub joins: Joins,
}

/// Arguments of `generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// People on the roster.
    #[arg(long)]
    pub people: u64,
    /// Mean life events per person.
    #[arg(long, default_value_t = 20.0)]
    pub events_per_person: f64,
    /// The run date the data is made around (YYYY-MM-DD).
    #[arg(long)]
    pub date: String,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output directory.
    #[arg(long)]
    pub out: PathBuf,
    /// Also write Parquet copies.
    #[arg(long)]
    pub parquet: bool,
}

/// `512M`, `4G`, `1048576` → bytes.
pub fn bytes(text: &str) -> Option<usize> {
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

impl CompareArgs {
    /// The job these arguments describe.
    pub fn job(self) -> Result<CompareJob, String> {
        let a = self;
        let config = certify_cli::run::load_config(&a.config).map_err(|e| e.to_string())?;
        let memory_bytes =
            bytes(&a.memory).ok_or_else(|| format!("--memory: expected 512M or 4G, got {:?}", a.memory))?;
        let mut limits = Limits {
            memory_bytes,
            spill_dir: a.spill_dir,
            joins: a.joins,
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
        Ok(job)
    }
}

/// A progress line on stderr counting people decided.
pub fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {human_pos} people decided, {per_sec} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar
}

/// Print the summary (JSON, then one line for people) to stderr.
pub fn report(job: &CompareJob, summary: &Summary, seconds: f64) -> Result<(), String> {
    let json = serde_json::to_string(summary).map_err(|e| e.to_string())?;
    eprintln!("{json}");
    eprintln!(
        "certify-batch: {} roster rows, {} certified by data comparison, {} suspended, {} resumed, {} still to certify ({} due within {} days); {seconds:.1} s; lists in {}",
        summary.roster_rows,
        summary.certified_by_events,
        summary.run.suspended,
        summary.run.resumed,
        summary.uncertified,
        summary.due_soon,
        job.remind_days,
        job.out_dir.display()
    );
    Ok(())
}

/// `certify-batch compare`.
pub async fn compare(args: CompareArgs) -> Result<(), String> {
    let job = args.job()?;
    let bar = progress_bar();
    let started = Instant::now();
    let summary = run_embedded(&job, Some(bar.clone())).await.map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    report(&job, &summary, started.elapsed().as_secs_f64())
}

/// `certify-batch generate`.
pub async fn generate(a: GenerateArgs) -> Result<(), String> {
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
