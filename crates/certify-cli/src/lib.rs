//! The library behind the `certify` operator command line, so that benchmarks and other
//! tools run exactly the code the command runs.

pub mod chunks;
pub mod csv_line;
pub mod demo;
pub mod idcheck;
pub mod roster_pass;
pub mod run;

/// Output format of the deadline run's list.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header.
    Csv,
    /// One JSON object per line.
    Jsonl,
}
