//! A comparison job, embedded: one DataFusion session with a bounded memory pool and a
//! spill directory, the comparison query executed partition by partition in parallel, each
//! partition deciding its rows and appending its lines, then the invalid-row listing and
//! the summary.

use crate::decide::{Repeats, Rules, Tally, decide_batch};
use crate::inputs::{Inputs, Table, register_all};
use crate::output::{Lines, Outputs};
use crate::{BatchError, functions, invalid, joins, object_stores, plan};
use certify_cli::run::RegionConfig;
use certify_core::roster::Scheme;
use certify_core::time::format_date;
use datafusion::execution::memory_pool::{FairSpillPool, GreedyMemoryPool, MemoryPool};
use datafusion::physical_plan::{ExecutionPlan, SendableRecordBatchStream, execute_stream_partitioned};
use datafusion::prelude::{SessionConfig, SessionContext};
use futures::StreamExt;
use indicatif::ProgressBar;
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use time::Date;

/// What a job may use.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The engine's memory pool in bytes: operators that would exceed it spill to disk
    /// (sorts, aggregations, sort-merge joins) or fail with a clear error.
    pub memory_bytes: usize,
    /// Threads: partitions run in parallel (at least two are planned, see
    /// [`session_config`]; the `certify-batch` command runs them on a runtime of this many
    /// threads).
    pub threads: usize,
    /// Where spill files go (the system's temporary directory if `None`).
    pub spill_dir: Option<PathBuf>,
    /// The joins' kind ([`crate::joins`]).
    pub joins: Joins,
}

/// The kind of join a run plans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Joins {
    /// Embedded: hash joins when the roster fits well within the memory limit
    /// ([`joins::hash_joins_fit`]), else sort-merge; on a cluster: sort-merge.
    #[default]
    Auto,
    /// Hash joins: faster, but they hold a side in memory and fail over the limit.
    Hash,
    /// Sort-merge joins: they spill to disk and finish under any limit.
    SortMerge,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_bytes: 2 << 30,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            spill_dir: None,
            joins: Joins::Auto,
        }
    }
}

/// One data-comparison and deadline-run job.
#[derive(Debug)]
pub struct CompareJob {
    /// Input files.
    pub inputs: Inputs,
    /// Region, scheme, cycle policy and run rules (`region.toml`, as for `certify cycle run`).
    pub config: RegionConfig,
    /// The run date: events and certifications after it are not counted.
    pub run_date: Date,
    /// Reminders: people whose deadline is within this many days are listed as due soon.
    pub remind_days: i64,
    /// Where the lists go.
    pub out_dir: PathBuf,
    /// Memory and threads.
    pub limits: Limits,
}

/// The job's summary (`summary.json`).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Region name.
    pub region: String,
    /// GB/T 2260 code.
    pub region_code: String,
    /// Scheme covered.
    pub scheme: Scheme,
    /// Run date.
    pub run_date: String,
    /// Counts.
    #[serde(flatten)]
    pub tally: Tally,
    /// Back pay paid by the run, in yuan.
    pub back_pay_total_yuan: String,
    /// Monthly payroll stopped by this run's suspensions, in yuan.
    pub monthly_amount_suspended_yuan: String,
    /// Rows listed in `invalid_rows.csv`.
    pub invalid_rows_listed: u64,
    /// Bytes the engine spilled to disk to stay within the memory limit.
    pub spilled_bytes: u64,
    /// The joins the run used: `hash` or `sort-merge`.
    pub joins: Joins,
}

impl std::ops::Deref for Summary {
    type Target = Tally;
    fn deref(&self) -> &Tally {
        &self.tally
    }
}

/// The engine settings every certify session uses, embedded or on a cluster.
///
/// At least two partitions: for one, DataFusion plans hash joins whatever
/// `prefer_hash_join` says, and a hash join cannot spill (a one-thread run over 10M people
/// stopped at 1 GB with "Resources exhausted … HashJoinInput"). Two partitions on a
/// one-thread runtime still use one core. Hash joins only for [`Joins::Hash`] (`Auto` is
/// resolved by [`run_embedded`] before it makes a session).
pub fn session_config(limits: &Limits) -> SessionConfig {
    // Hash joins on one thread: one partition, nothing repartitioned (the build side is
    // collected once).
    let partitions = if limits.joins == Joins::Hash && limits.threads <= 1 {
        1
    } else {
        limits.threads.max(2)
    };
    let mut config = SessionConfig::new()
        .with_target_partitions(partitions)
        .with_batch_size(8192);
    tune(&mut config, limits);
    if partitions > 1 && limits.threads <= 1 {
        // One core, two partitions only so the joins can be sort-merge joins: each table
        // is read and aggregated whole in one pass, then split for the joins. Split scans
        // would aggregate every table twice (a partial pass per half, then a final pass
        // merging a state per person, as many as the partial passes made for a feed
        // exported person by person).
        let options = config.options_mut();
        options.optimizer.repartition_file_scans = false;
        options.optimizer.repartition_aggregations = false;
        options.optimizer.enable_round_robin_repartition = false;
    }
    config
}

/// Apply certify's settings to an existing configuration (a cluster client's).
pub fn tune(config: &mut SessionConfig, limits: &Limits) {
    let options = config.options_mut();
    // Sort-merge joins spill under memory pressure; hash joins cannot.
    options.optimizer.prefer_hash_join = limits.joins == Joins::Hash;
    if limits.joins == Joins::Hash {
        // The build side collected once and shared by the partitions (where its size is
        // known), not both sides repartitioned.
        options.optimizer.hash_join_single_partition_threshold = usize::MAX;
        options.optimizer.hash_join_single_partition_threshold_rows = usize::MAX;
    }
    // Plain strings: string views pin whole decoded buffers, which a memory pool counts
    // (and a sort must hold) in full.
    options.sql_parser.map_string_types_to_utf8view = false;
    // Each sort reserves room to merge its spills; keep that a small share of a small pool.
    options.execution.sort_spill_reservation_bytes = (limits.memory_bytes / 4 / limits.threads.max(2)).min(10 << 20);
}

/// The memory pool of a run with `limits`.
///
/// Sort-merge plans: a fair pool (each spilling operator gets an even share), so every
/// sort keeps room to spill and merge. Hash-join plans: first come, first served. Their
/// joins' build sides (which cannot spill) are collected before the events aggregation
/// runs, and that aggregation — holding a group per person — is the one operator that
/// needs the memory; a fair pool split it with operators that were still idle and made it
/// spill every group. Measured on 10M people x 103M events, 1 thread, `--memory 6G --joins
/// hash`: 73.9 s with the fair pool (10.57M groups spilled), 52.9 s without a spill.
pub fn memory_pool(limits: &Limits) -> Arc<dyn MemoryPool> {
    if limits.joins == Joins::Hash {
        Arc::new(GreedyMemoryPool::new(limits.memory_bytes))
    } else {
        Arc::new(FairSpillPool::new(limits.memory_bytes))
    }
}

/// A session bounded by `limits`, with certify's functions registered.
pub fn session(limits: &Limits) -> Result<SessionContext, BatchError> {
    let mut runtime = object_stores::runtime_builder().with_memory_pool(memory_pool(limits));
    if let Some(dir) = &limits.spill_dir {
        runtime = runtime.with_temp_file_path(dir);
    }
    let ctx = SessionContext::new_with_config_rt(session_config(limits), runtime.build_arc()?);
    functions::register(&ctx);
    Ok(ctx)
}

async fn decide_partition(
    mut stream: SendableRecordBatchStream,
    rules: Arc<Rules>,
    outputs: Arc<Outputs>,
    progress: Option<ProgressBar>,
) -> Result<Tally, BatchError> {
    let mut tally = Tally::default();
    let mut lines = Lines::default();
    let mut repeats = Repeats::default();
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        decide_batch(&rules, &batch, &mut lines, &mut tally, &mut repeats)?;
        outputs.append(&mut lines)?;
        if let Some(bar) = &progress {
            bar.inc(batch.num_rows() as u64);
        }
    }
    Ok(tally)
}

/// Run `job` on this machine. `progress`, if given, counts joined rows as they are
/// decided.
///
/// With [`Joins::Auto`], hash joins when the roster fits ([`joins::hash_joins_fit`]); a
/// run whose hash join hits the memory limit anyway is started again with sort-merge joins
/// (its lists are written again from the start).
pub async fn run_embedded(job: &CompareJob, progress: Option<ProgressBar>) -> Result<Summary, BatchError> {
    let mut limits = job.limits.clone();
    if limits.joins == Joins::Auto {
        limits.joins = if joins::hash_joins_fit(&job.inputs, limits.memory_bytes) {
            Joins::Hash
        } else {
            Joins::SortMerge
        };
    }
    match run_session(&session(&limits)?, job, progress.clone(), true).await {
        Err(e) if job.limits.joins == Joins::Auto && limits.joins == Joins::Hash && joins::is_memory_exhausted(&e) => {
            limits.joins = Joins::SortMerge;
            if let Some(bar) = &progress {
                bar.set_position(0);
            }
            run_session(&session(&limits)?, job, progress, true).await
        }
        result => result,
    }
}

/// Run `job` on a session that has certify's functions registered: an embedded one
/// ([`session`]) or a cluster client's. The joins and aggregation run where the session
/// runs them; the per-person decisions here, partition by partition.
pub async fn run_on(
    ctx: &SessionContext,
    job: &CompareJob,
    progress: Option<ProgressBar>,
) -> Result<Summary, BatchError> {
    run_session(ctx, job, progress, false).await
}

/// [`run_on`], the unreadable rows' positions kept by the comparison when `positions`
/// ([`crate::inputs::position_columns`]: embedded runs only).
async fn run_session(
    ctx: &SessionContext,
    job: &CompareJob,
    progress: Option<ProgressBar>,
    positions: bool,
) -> Result<Summary, BatchError> {
    register_all(ctx, &job.inputs, positions).await?;
    let repeated = repeated_people(ctx).await?;
    let rules = Arc::new(Rules {
        policy: job.config.cycle.clone(),
        run: job.config.run,
        scheme: job.config.scheme,
        run_date: job.run_date,
        remind_days: job.remind_days,
        repeated,
    });
    let outputs = Arc::new(Outputs::create(&job.out_dir)?);
    let frame = ctx.sql(&plan::comparison_sql(job.run_date)).await?;
    let physical = frame.create_physical_plan().await?;
    let streams = execute_stream_partitioned(physical.clone(), ctx.task_ctx())?;
    let tasks: Vec<_> = streams
        .into_iter()
        .map(|s| tokio::spawn(decide_partition(s, rules.clone(), outputs.clone(), progress.clone())))
        .collect();
    let mut tally = Tally::default();
    for task in tasks {
        let part = task
            .await
            .map_err(|e| BatchError::Engine(datafusion::error::DataFusionError::External(Box::new(e))))??;
        tally.merge(part);
    }
    let outputs = Arc::into_inner(outputs).ok_or_else(|| BatchError::Config("output still shared".into()))?;
    outputs.write_units(&tally.uncertified_by_unit)?;
    let dir = outputs.dir().to_owned();
    outputs.finish()?;
    let joins = if ctx.state().config_options().optimizer.prefer_hash_join {
        Joins::Hash
    } else {
        Joins::SortMerge
    };
    finish(job, tally, spilled_bytes(physical.as_ref()), joins, &dir).await
}

/// People on the roster more than once ([`plan::REPEATED_PEOPLE_SQL`]), with their rows.
async fn repeated_people(ctx: &SessionContext) -> Result<HashMap<u64, u64>, BatchError> {
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::{Int64Type, UInt64Type};
    let mut repeated = HashMap::new();
    for batch in ctx.sql(plan::REPEATED_PEOPLE_SQL).await?.collect().await? {
        let (person, rows) = (
            batch.column(0).as_primitive::<UInt64Type>(),
            batch.column(1).as_primitive::<Int64Type>(),
        );
        for i in 0..batch.num_rows() {
            repeated.insert(person.value(i), rows.value(i) as u64);
        }
    }
    Ok(repeated)
}

/// Bytes the plan's operators spilled to disk, over the whole tree.
pub fn spilled_bytes(plan: &dyn ExecutionPlan) -> u64 {
    let own = plan.metrics().and_then(|m| m.spilled_bytes()).unwrap_or(0) as u64;
    own + plan
        .children()
        .into_iter()
        .map(|c| spilled_bytes(c.as_ref()))
        .sum::<u64>()
}

/// The positions the comparison kept, if they are all of the `counted` unreadable rows of
/// their table (a CSV file's rows have none; one accumulator keeps at most
/// [`invalid::MAX_LISTED`]).
fn all_positions(positions: &invalid::RowPositions, counted: u64) -> Option<&invalid::RowPositions> {
    (positions.count() == counted).then_some(positions)
}

/// The invalid-row listing and the summary file, after the comparison.
pub async fn finish(
    job: &CompareJob,
    tally: Tally,
    spilled_bytes: u64,
    joins: Joins,
    dir: &std::path::Path,
) -> Result<Summary, BatchError> {
    let mut bad: Vec<invalid::TableReport> = Vec::new();
    if tally.roster_invalid > 0 {
        let positions = all_positions(&tally.refused_roster_rows, tally.roster_invalid);
        bad.push((
            Table::Roster,
            &job.inputs.roster,
            Some(&tally.refused_roster_ids),
            positions,
        ));
    }
    let counted = tally.certifications_invalid;
    if counted > 0 {
        let ids = Some(&tally.unreadable_certification_ids);
        let positions = all_positions(&tally.unreadable_certification_rows, counted);
        bad.push((Table::Certifications, &job.inputs.certifications, ids, positions));
    }
    let counted = tally.events_invalid_id + tally.events_invalid_date + tally.events_invalid_text;
    if counted > 0 {
        let positions = all_positions(&tally.unreadable_event_rows, counted);
        bad.push((
            Table::Events,
            &job.inputs.events,
            Some(&tally.unreadable_event_ids),
            positions,
        ));
    }
    let invalid_rows_listed = invalid::write_report(dir, &bad, job.config.scheme, job.limits.threads).await?;
    let summary = Summary {
        region: job.config.name.clone(),
        region_code: job.config.region_code.clone(),
        scheme: job.config.scheme,
        run_date: format_date(job.run_date),
        back_pay_total_yuan: tally.run.back_pay_total.to_string(),
        monthly_amount_suspended_yuan: tally.run.monthly_amount_suspended.to_string(),
        tally,
        invalid_rows_listed,
        spilled_bytes,
        joins,
    };
    let path = dir.join("summary.json");
    let json = serde_json::to_string_pretty(&summary).map_err(|e| BatchError::Output {
        path: path.display().to_string(),
        source: e.into(),
    })?;
    std::fs::write(&path, json + "\n").map_err(|e| BatchError::Output {
        path: path.display().to_string(),
        source: e,
    })?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_join_plans_take_memory_as_it_comes_and_sort_merge_plans_share_it() {
        let limits = |joins| Limits {
            joins,
            memory_bytes: 64 << 20,
            ..Limits::default()
        };
        let hash = memory_pool(&limits(Joins::Hash));
        let sort_merge = memory_pool(&limits(Joins::SortMerge));
        assert!(format!("{hash:?}").contains("Greedy"), "{hash:?}");
        assert!(format!("{sort_merge:?}").contains("FairSpill"), "{sort_merge:?}");
        // Either way the limit is the job's.
        for pool in [hash, sort_merge] {
            assert!(matches!(
                pool.memory_limit(),
                datafusion::execution::memory_pool::MemoryLimit::Finite(64_000_000..=67_108_864)
            ));
        }
    }
}
