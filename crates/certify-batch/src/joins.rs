//! Which joins an embedded run plans: hash joins, or sort-merge joins that spill.
//!
//! Hash joins are faster (no sort of the wide roster rows) but hold their build side in
//! memory and cannot spill: over the memory limit they fail. Sort-merge joins spill and
//! finish under any limit. A run plans hash joins when their build sides, estimated from
//! the roster's files before anything is read, take at most two thirds of the memory pool
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

/// Memory the hash joins' build sides take per byte of the roster's data
/// ([`roster_bytes`]): the roster rows decoded to plain strings with their hash table, and
/// the records' per-person aggregates (about one per roster row). Measured at 10M people
/// (a Parquet roster of 276 MB of data, mostly dictionary-encoded): the roster's build side
/// 1.44 GB and the records' 482 MB, 7.0 bytes per byte. Generated rosters carry
/// low-cardinality columns (scheme, unit, status) as real ones do. A CSV file's length
/// counts separators and digits as text, so a CSV roster is estimated high (a run plans
/// sort-merge joins where hash joins might have fitted, never the reverse by this).
pub const BYTES_PER_ROSTER_BYTE: u64 = 7;

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

/// Whether hash joins fit: the build sides' estimated memory ([`BYTES_PER_ROSTER_BYTE`]
/// per roster byte) within two thirds of `memory_bytes`, the rest left to the
/// aggregations (which spill) and the readers.
///
/// Measured at 10M people × 103M events, one thread: `--memory 3G` and `4G` run hash joins
/// (the events aggregation spilling 1,059 MB) in 66 and 67 s, sort-merge joins at 4G in 100 s
/// and at 2G in 95 s, all beside the same CI load; at 2G the hash joins' build sides do
/// not fit (1.79 GB taken when the roster's next 345 MB was asked for).
pub fn hash_joins_fit(inputs: &Inputs, memory_bytes: usize) -> bool {
    roster_bytes(inputs).is_some_and(|bytes| bytes.saturating_mul(BYTES_PER_ROSTER_BYTE) <= memory_bytes as u64 / 3 * 2)
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
        // 7 MB of build sides: two thirds of 11 MiB hold them, of 10 MiB do not.
        assert!(hash_joins_fit(&local, 11 << 20));
        assert!(!hash_joins_fit(&local, 10 << 20));
        // The 10M roster measured above: sort-merge at 2 GiB (its build sides took more),
        // hash joins at 3 GiB (where they ran).
        let ten_million = 276_116_335u64;
        assert!(ten_million * BYTES_PER_ROSTER_BYTE > (2u64 << 30) / 3 * 2);
        assert!(ten_million * BYTES_PER_ROSTER_BYTE <= (3u64 << 30) / 3 * 2);
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
