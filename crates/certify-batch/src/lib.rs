//! # certify-batch
//!
//! Data comparison (信息比对 — the main channel of certification by policy, seed 000 citing
//! 人社厅发〔2018〕54号) and the deadline run (到期比对) for a whole province in one job, on
//! [Apache DataFusion](https://datafusion.apache.org): embedded, all the cores of one
//! machine, memory bounded by a configured limit with spilling to disk.
//!
//! The engine does what engines are for — reading CSV or Parquet, the joins of the roster
//! with certifications and life-event feeds, the newest event per person — and the core
//! decides every person ([`certify_core::comparison::decide_person`]): the rule is never
//! re-expressed in SQL. Identity numbers and dates are read by the core's own parsers,
//! registered as SQL functions ([`functions`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), certify_batch::BatchError> {
//! use certify_batch::{CompareJob, Inputs, Limits};
//! let config = certify_cli::run::load_config(std::path::Path::new("region.toml")).map_err(|e| {
//!     certify_batch::BatchError::Config(e.to_string())
//! })?;
//! let job = CompareJob {
//!     inputs: Inputs {
//!         roster: vec!["roster.parquet".into()],
//!         certifications: vec!["certifications.csv".into()],
//!         events: vec!["hospital.parquet".into(), "rail.csv".into()],
//!     },
//!     config,
//!     run_date: time::macros::date!(2026 - 11 - 01),
//!     remind_days: 30,
//!     out_dir: "out".into(),
//!     limits: Limits::default(),
//! };
//! let summary = certify_batch::run_embedded(&job, None).await?;
//! println!("{} people certified by data comparison", summary.certified_by_events);
//! # Ok(()) }
//! ```

pub mod cli;
pub mod decide;
pub mod distinct_texts;
pub mod event_texts;
pub mod functions;
pub mod generate;
pub mod inputs;
pub mod invalid;
pub mod job;
pub mod joins;
pub mod newest;
pub mod object_stores;
pub mod output;
pub mod plan;
pub mod row_groups;

pub use inputs::Inputs;
pub use job::{CompareJob, Joins, Limits, Summary, run_embedded, run_on};

/// Why a batch job could not run. Bad *rows* are not errors: they are counted and listed
/// with file and line ([`invalid`]); these are the failures that stop the job.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// An input file is missing a required column (checked before any row is read).
    #[error("{file}: missing column {column:?} (the {table} needs {required})")]
    MissingColumn {
        /// The table (`roster`, `certifications`, `events`).
        table: &'static str,
        /// The file.
        file: String,
        /// The missing column.
        column: &'static str,
        /// All required columns of the table.
        required: String,
    },
    /// An input path's format cannot be told from its name.
    #[error("{0}: expected a .csv or .parquet file")]
    UnknownFormat(String),
    /// An input is a URL of a kind the engine cannot read (see [`object_stores`]).
    #[error("{0}")]
    UnsupportedInput(String),
    /// A table was given no files.
    #[error("no {0} files given")]
    NoFiles(&'static str),
    /// The region configuration is unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// The query engine failed (unreadable file, a malformed CSV line, memory limit
    /// exceeded where spilling is not possible …).
    #[error("query engine: {0}")]
    Engine(#[from] datafusion::error::DataFusionError),
    /// Writing an output failed.
    #[error("{path}: {source}")]
    Output {
        /// The output file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}
