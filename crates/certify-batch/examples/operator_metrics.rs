//! Where a comparison run's time and memory go, operator by operator.
//!
//! Plans the comparison query over Parquet inputs with the limits a run would use, runs it
//! to the end (without the per-person decisions or the lists), and prints the plan tree
//! with each operator's rows, compute time, spills and memory. This is how the numbers in
//! the README's "Data comparison" section were found.
//!
//! ```text
//! cargo run --release -p certify-batch --example operator_metrics -- \
//!     target/compare-data/1000000x20 1 2G sort-merge
//! ```
//!
//! Arguments: a folder holding `roster.parquet`, `certifications.parquet` and
//! `events.parquet` (as `benches/compare/run.sh` generates them), threads, the memory limit
//! (`2G`, `512M`), and `hash` or `sort-merge`.

use certify_batch::inputs::Inputs;
use certify_batch::job::{Joins, Limits};
use datafusion::physical_plan::{ExecutionPlan, collect};
use std::error::Error;

/// The metrics worth a line: rows, time, spills, memory.
const SHOWN: [&str; 8] = [
    "output_rows",
    "elapsed_compute",
    "spill_count",
    "spilled_bytes",
    "peak_mem_used",
    "build_mem_used",
    "build_time",
    "join_time",
];

fn print_tree(plan: &dyn ExecutionPlan, depth: usize) {
    let metrics = plan
        .metrics()
        .map(|m| m.aggregate_by_name().sorted_for_display().timestamps_removed())
        .map(|m| {
            m.iter()
                .filter(|metric| SHOWN.contains(&metric.value().name()))
                .map(|metric| format!("{}={}", metric.value().name(), metric.value()))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    println!("{:indent$}{} {metrics}", "", plan.name(), indent = depth * 2);
    for child in plan.children() {
        print_tree(child.as_ref(), depth + 1);
    }
}

fn memory_bytes(text: &str) -> Result<usize, Box<dyn Error>> {
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let shift = match unit {
        "G" | "g" => 30,
        "M" | "m" => 20,
        _ => return Err(format!("memory limit {text:?}: write it as 2G or 512M").into()),
    };
    Ok(number.parse::<usize>()? << shift)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, threads, memory, joins] = args.as_slice() else {
        return Err("usage: operator_metrics DIR THREADS MEMORY hash|sort-merge".into());
    };
    let joins = match joins.as_str() {
        "hash" => Joins::Hash,
        "sort-merge" => Joins::SortMerge,
        other => return Err(format!("joins {other:?}: hash or sort-merge").into()),
    };
    let limits = Limits {
        memory_bytes: memory_bytes(memory)?,
        threads: threads.parse()?,
        spill_dir: None,
        joins,
    };
    let inputs = Inputs {
        roster: vec![format!("{dir}/roster.parquet")],
        certifications: vec![format!("{dir}/certifications.parquet")],
        events: vec![format!("{dir}/events.parquet")],
    };
    let ctx = certify_batch::job::session(&limits)?;
    certify_batch::inputs::register_all(&ctx, &inputs, true).await?;
    let sql = certify_batch::plan::comparison_sql(time::macros::date!(2026 - 11 - 02));
    let plan = ctx.sql(&sql).await?.create_physical_plan().await?;
    let started = std::time::Instant::now();
    let rows: usize = collect(plan.clone(), ctx.task_ctx())
        .await?
        .iter()
        .map(|b| b.num_rows())
        .sum();
    println!("{rows} joined rows in {:.2} s", started.elapsed().as_secs_f64());
    print_tree(plan.as_ref(), 0);
    Ok(())
}
