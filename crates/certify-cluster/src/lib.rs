//! # certify-cluster
//!
//! The same comparison job as [`certify_batch`], with its joins and aggregations run
//! across machines by [Apache Ballista](https://datafusion.apache.org/ballista/): a
//! scheduler, any number of executors, and a client that submits the plan and decides
//! each person from the result stream (the core's rule runs in one place, the client; the
//! engine's heavy work — reading billions of event rows, the shuffles, the joins — on the
//! executors).
//!
//! Ballista's own scheduler and executor binaries do not know certify's SQL functions
//! (`certify_person`, `certify_day`, the aggregate `certify_newest_event`); this crate's [`scheduler`] and [`executor`] embed
//! the Ballista libraries with those functions registered, so plans that use them can be
//! decoded and run everywhere.
//!
//! Every machine must see the input files at the same path (a shared filesystem), as with
//! any Ballista job over local files.

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use certify_batch::object_stores;
use certify_batch::{BatchError, CompareJob, Summary, functions};
use datafusion::execution::FunctionRegistry;
use datafusion::execution::runtime_env::RuntimeEnv;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Errors of the cluster processes.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// Ballista refused or failed.
    #[error("ballista: {0}")]
    Ballista(#[from] ballista_core::error::BallistaError),
    /// The query engine failed.
    #[error("query engine: {0}")]
    Engine(#[from] datafusion::error::DataFusionError),
    /// The job failed.
    #[error(transparent)]
    Batch(#[from] BatchError),
}

/// Ballista's built-in functions and certify's.
pub fn function_registry() -> BallistaFunctionRegistry {
    let mut registry = BallistaFunctionRegistry::default();
    for f in functions::all() {
        registry.scalar_functions.insert(f.name().to_owned(), f);
    }
    for f in functions::aggregates() {
        registry.aggregate_functions.insert(f.name().to_owned(), f);
    }
    registry
}

/// A runtime that reads local files and `s3://` inputs ([`object_stores::ObjectStores`]), spilling to
/// `work_dir` (the OS's temporary directory when `None`).
fn object_store_runtime(work_dir: Option<PathBuf>) -> datafusion::error::Result<Arc<RuntimeEnv>> {
    let mut runtime = object_stores::runtime_builder();
    if let Some(dir) = work_dir {
        runtime = runtime.with_temp_file_path(dir);
    }
    runtime.build_arc()
}

/// Run a scheduler on `address` until the process ends.
pub async fn scheduler(address: SocketAddr) -> Result<(), ClusterError> {
    let config = SchedulerConfig {
        bind_host: address.ip().to_string(),
        external_host: address.ip().to_string(),
        bind_port: address.port(),
        ..SchedulerConfig::default()
    };
    let config = config.with_override_session_builder(Arc::new(|session: SessionConfig| {
        let state = ballista_core::utils::default_session_builder(session)?;
        // The scheduler reads files' metadata to plan: s3:// inputs too.
        let mut state = SessionStateBuilder::new_from_existing(state)
            .with_runtime_env(object_store_runtime(None)?)
            .build();
        for f in functions::all() {
            state.register_udf(f)?;
        }
        for f in functions::aggregates() {
            state.register_udaf(f)?;
        }
        Ok(state)
    }));
    let cluster = BallistaCluster::new_from_config(&config).await?;
    ballista_scheduler::scheduler_process::start_server(cluster, address, Arc::new(config)).await?;
    Ok(())
}

/// Where an executor listens and which scheduler it serves.
#[derive(Debug, Clone)]
pub struct ExecutorSettings {
    /// The scheduler's host.
    pub scheduler_host: String,
    /// The scheduler's port.
    pub scheduler_port: u16,
    /// Address to bind.
    pub bind_host: String,
    /// Arrow Flight port (shuffle data).
    pub port: u16,
    /// gRPC port (tasks).
    pub grpc_port: u16,
    /// Tasks run at once.
    pub concurrent_tasks: usize,
    /// Memory for all its tasks, in bytes (split evenly; operators spill beyond it).
    pub memory_bytes: Option<u64>,
    /// Shuffle files.
    pub work_dir: Option<PathBuf>,
}

/// Run an executor until the process ends.
pub async fn executor(s: ExecutorSettings) -> Result<(), ClusterError> {
    let config = ExecutorProcessConfig {
        bind_host: s.bind_host.clone(),
        external_host: Some(s.bind_host),
        port: s.port,
        grpc_port: s.grpc_port,
        scheduler_host: s.scheduler_host,
        scheduler_port: s.scheduler_port,
        vcores: s.concurrent_tasks.max(1),
        work_dir: s.work_dir.as_ref().map(|d| d.display().to_string()),
        memory_pool_size: s.memory_bytes,
        // The base runtime of every task: s3:// inputs (the memory pool is added per task).
        override_runtime_producer: Some({
            let work_dir = s.work_dir.clone();
            Arc::new(move |_: &SessionConfig| object_store_runtime(work_dir.clone()))
        }),
        override_function_registry: Some(Arc::new(function_registry())),
        ..ExecutorProcessConfig::default()
    };
    start_executor_process(Arc::new(config)).await?;
    Ok(())
}

/// A client session on the scheduler at `url` (`df://host:port`), with certify's
/// functions and settings.
pub async fn connect(url: &str, job: &CompareJob) -> Result<SessionContext, ClusterError> {
    let mut config = SessionConfig::new_with_ballista().with_target_partitions(job.limits.threads.max(1));
    certify_batch::job::tune(&mut config, &job.limits);
    let state = SessionStateBuilder::new()
        .with_default_features()
        .with_config(config)
        .with_runtime_env(object_store_runtime(None)?)
        .build();
    // Ballista's upgrade of the state replaces its function list: register after it.
    let ctx = SessionContext::remote_with_state(url, state).await?;
    functions::register(&ctx);
    Ok(ctx)
}

/// Run `job` with its joins and aggregations on the cluster at `url`.
pub async fn run_on_cluster(
    url: &str,
    job: &CompareJob,
    progress: Option<indicatif::ProgressBar>,
) -> Result<Summary, ClusterError> {
    let ctx = connect(url, job).await?;
    Ok(certify_batch::run_on(&ctx, job, progress).await?)
}
