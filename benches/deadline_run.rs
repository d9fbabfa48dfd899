//! The deadline run over a generated roster, end to end through the same code as
//! `certify cycle run`: wall time and peak memory, at two roster sizes to show memory
//! does not grow with the roster beyond the certification index.
//!
//! `cargo bench -p certify-benches --bench deadline_run` (rows: `CERTIFY_BENCH_ROWS`,
//! default 1,000,000), on one thread and on all cores (`--threads`), one after the other.
#![allow(missing_docs)]

use certify_benches::{peak_rss_kib, reset_peak_rss, write_certifications, write_roster};
use certify_cli::Format;
use certify_cli::run::{RunArgs, run};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` does not: then run a small
    // smoke test of the same path instead of the full measurement.
    let measuring = std::env::args().any(|a| a == "--bench");
    let default_rows = if measuring { 1_000_000 } else { 10_000 };
    let rows: u64 = std::env::var("CERTIFY_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_rows);
    let dir = std::env::temp_dir().join(format!("certify-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let config = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/regions/pucheng-2020.toml");
    for n in [rows / 10, rows] {
        let roster = dir.join(format!("roster-{n}.csv"));
        let certs = dir.join(format!("certs-{n}.csv"));
        write_roster(&roster, n).expect("roster");
        write_certifications(&certs, n).expect("certifications");
        let output = dir.join(format!("changes-{n}.csv"));
        let summary = dir.join(format!("summary-{n}.json"));
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        for threads in [1, cores] {
            let args = RunArgs {
                config: config.clone(),
                roster: roster.clone(),
                certifications: certs.clone(),
                date: "2020-11-01".into(),
                output: output.clone(),
                format: Format::Csv,
                all: false,
                summary: Some(summary.clone()),
                threads: Some(threads),
            };
            let mut best = f64::INFINITY;
            let mut peak = 0;
            for _ in 0..3 {
                let reset = reset_peak_rss();
                let t = Instant::now();
                run(&args).expect("run");
                best = best.min(t.elapsed().as_secs_f64());
                if reset {
                    peak = peak.max(peak_rss_kib().unwrap_or(0));
                }
            }
            let roster_mb = std::fs::metadata(&roster).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
            assert!(std::fs::read_to_string(&summary).is_ok_and(|s| s.contains("\"suspended\":")));
            let out_lines = std::fs::read_to_string(&output)
                .map(|s| s.lines().count().saturating_sub(1))
                .unwrap_or(0);
            println!(
                "deadline_run rows={n} threads={threads} roster={roster_mb:.1}MB best_of_3={best:.3}s rows_per_s={:.0} peak_rss={:.1}MiB changes_listed={out_lines}",
                n as f64 / best,
                peak as f64 / 1024.0
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
