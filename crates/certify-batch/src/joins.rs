//! Which joins an embedded run plans: hash joins, or sort-merge joins that spill.
//!
//! Hash joins are faster (no sort of the wide roster rows) but hold their build side in
//! memory and cannot spill: over the memory limit they fail. Sort-merge joins spill and
//! finish under any limit. A run plans hash joins when the roster, estimated from its
//! files before anything is read, takes at most a quarter of the memory pool
//! ([`hash_joins_fit`]); should the estimate be wrong, the run that hits the limit is
//! started again with sort-merge joins ([`is_memory_exhausted`]), so a limit is never
//! a failure the old plan would have avoided.
//!
//! Hash joins pay only when the roster is not repartitioned: on one thread the whole plan is
//! one partition, on more the build side is collected once and shared by the partitions
//! ([`crate::job::session_config`]). Measured in the README ("Data comparison"): 12.4 s
//! against 14.3 s on one thread, 7.6 s against 9.7 s on two, for 1M people × 20.6M events.

use crate::BatchError;
use crate::inputs::{Format, Inputs};
use crate::object_stores::is_url;
use datafusion::error::DataFusionError;
use datafusion::parquet::file::metadata::ParquetMetaDataReader;
use std::fs::File;

/// Memory a roster byte costs during the joins, by estimate: the rows as columns
/// (strings with their offsets) on the build side, the hash table, and the per-person
/// aggregates of records and events joined beside them (about as many people as roster
/// rows).
///
/// The pool counts less than a hash-join run really holds, so this estimate is not
/// loosened to what the pool counts. At 10M people (a Parquet roster of 276 MB of data),
/// the pool counted 1.44 GB for the roster's build side and 482 MB for the records'
/// (README, "Data comparison", operator metrics), and a 2 GiB run with `--joins hash`
/// stopped with 1.79 GB counted when the roster's build side asked for 345 MB more. Two
/// runs of that data on 2026-12-05, 1 thread, beside a CI run:
/// - `--joins hash` under a 3 GiB pool peaked at 4.25 GB resident, in 74 s;
/// - sort-merge joins under 2 GiB peaked at 1.18 GB resident, in 98 s.
///
/// A looser estimate, 7 bytes per byte within two thirds of the pool, would plan that first
/// run; it was tried and reverted. With this one, hash joins are planned from 4.4 GB at
/// 10M. Whether such runs stay under their limit there has not been measured.
pub const BYTES_PER_ROSTER_BYTE: u64 = 4;

/// The roster's size as data (uncompressed), from its files' sizes: a CSV file's length, a
/// Parquet file's uncompressed row groups. `None` when a file is on an object store or
/// cannot be read here (the run then does not guess).
pub fn roster_bytes(inputs: &Inputs) -> Option<u64> {
    let mut total = 0u64;
    for file in &inputs.roster {
        if is_url(file) {
            return None;
        }
        total += match Format::of(file).ok()? {
            Format::Csv => std::fs::metadata(file).ok()?.len(),
            Format::Parquet => {
                let metadata = ParquetMetaDataReader::new()
                    .parse_and_finish(&File::open(file).ok()?)
                    .ok()?;
                metadata
                    .row_groups()
                    .iter()
                    .map(|g| g.total_byte_size().max(0) as u64)
                    .sum()
            }
        };
    }
    Some(total)
}

/// Whether hash joins fit: the roster's estimated join memory
/// ([`BYTES_PER_ROSTER_BYTE`] per byte) within a quarter of `memory_bytes`, the rest left
/// to the aggregations (which spill) and the readers.
pub fn hash_joins_fit(inputs: &Inputs, memory_bytes: usize) -> bool {
    roster_bytes(inputs).is_some_and(|bytes| bytes.saturating_mul(BYTES_PER_ROSTER_BYTE) <= memory_bytes as u64 / 4)
}

/// Whether a run failed because an operator that cannot spill hit the memory limit.
pub fn is_memory_exhausted(error: &BatchError) -> bool {
    match error {
        BatchError::Engine(e) => matches!(e.find_root(), DataFusionError::ResourcesExhausted(_)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roster(files: Vec<String>) -> Inputs {
        Inputs {
            roster: files,
            certifications: vec![],
            events: vec![],
        }
    }

    #[test]
    fn a_small_local_roster_gets_hash_joins_and_a_large_or_remote_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("roster.csv");
        std::fs::write(&csv, "x".repeat(1_000_000)).unwrap();
        let local = roster(vec![csv.display().to_string()]);
        assert_eq!(roster_bytes(&local), Some(1_000_000));
        assert!(hash_joins_fit(&local, 16 << 20));
        assert!(!hash_joins_fit(&local, 15 << 20));
        assert!(!hash_joins_fit(&roster(vec!["s3://b/roster.csv".into()]), usize::MAX));
        let missing = dir.path().join("none.csv").display().to_string();
        assert!(!hash_joins_fit(&roster(vec![missing]), usize::MAX));
    }

    #[test]
    fn only_an_exhausted_pool_is_retried() {
        let exhausted = BatchError::Engine(DataFusionError::Context(
            "join".into(),
            Box::new(DataFusionError::ResourcesExhausted("HashJoinInput".into())),
        ));
        assert!(is_memory_exhausted(&exhausted));
        let other = BatchError::Engine(DataFusionError::Execution("bad".into()));
        assert!(!is_memory_exhausted(&other));
    }
}
