//! One Parquet file read on several threads, each taking a contiguous run of its row
//! groups, with every row's position in the file: what the invalid-row listing needs to
//! name a row by its number while the file is read in parallel (the engine's own parallel
//! scan does not say which row of the file a row was).

use crate::BatchError;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::parquet::arrow::ProjectionMask;
use datafusion::parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use std::fs::File;
use std::sync::Arc;

fn failed(message: String) -> BatchError {
    BatchError::Engine(datafusion::error::DataFusionError::Execution(message))
}

fn open(path: &str, options: ArrowReaderOptions) -> Result<ParquetRecordBatchReaderBuilder<File>, BatchError> {
    let file = File::open(path).map_err(|e| failed(format!("reading {path}: {e}")))?;
    ParquetRecordBatchReaderBuilder::try_new_with_options(file, options).map_err(|e| BatchError::Engine(e.into()))
}

/// Rows a batch of [`scan`] holds: large batches spread each batch's fixed costs (arrays,
/// a column's dictionary) over many rows; the listing keeps only the refused rows.
const BATCH_ROWS: usize = 65_536;

/// The file's schema with each of `columns` that is text asked for as it is cheapest to
/// read: as a dictionary (`Int32` keys) if it is dictionary-encoded in every row group (its
/// rows then come as keys into the few distinct texts, not as one string per row), else as
/// string views (pointing into the decoded pages instead of copying every text).
fn read_types(builder: &ParquetRecordBatchReaderBuilder<File>, columns: &[&str]) -> SchemaRef {
    let schema = builder.schema();
    let parquet = builder.parquet_schema();
    let encoded = |name: &str| {
        parquet
            .columns()
            .iter()
            .position(|c| c.name() == name)
            .is_some_and(|i| {
                builder
                    .metadata()
                    .row_groups()
                    .iter()
                    .all(|g| g.column(i).dictionary_page_offset().is_some())
            })
    };
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            let text = matches!(f.data_type(), DataType::Utf8 | DataType::LargeUtf8);
            if text && columns.contains(&f.name().as_str()) && encoded(f.name()) {
                let dictionary = DataType::Dictionary(Box::new(DataType::Int32), Box::new(f.data_type().clone()));
                f.as_ref().clone().with_data_type(dictionary)
            } else if text && columns.contains(&f.name().as_str()) {
                f.as_ref().clone().with_data_type(DataType::Utf8View)
            } else {
                f.as_ref().clone()
            }
        })
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// Read `columns` of the Parquet file at `path` on up to `threads` threads, calling
/// `visit(index, batch)` for each batch, where `index` is the file's row number (from 0)
/// of the batch's first row. Each thread's results come back in file order, concatenated.
/// Text columns the file stores dictionary-encoded come as dictionary arrays
/// (`Dictionary(Int32, Utf8)`), other text columns as string views
/// ([`crate::functions::Text`] reads all three).
pub fn scan<T: Send>(
    path: &str,
    columns: &[&str],
    threads: usize,
    visit: impl Fn(u64, &RecordBatch) -> Result<Vec<T>, BatchError> + Sync,
) -> Result<Vec<T>, BatchError> {
    let first = open(path, ArrowReaderOptions::new())?;
    let options = ArrowReaderOptions::new().with_schema(read_types(&first, columns));
    let groups: Vec<u64> = first
        .metadata()
        .row_groups()
        .iter()
        .map(|g| g.num_rows() as u64)
        .collect();
    let runs = groups.len().div_ceil(threads.max(1)).max(1);
    let visit = &visit;
    let parts = std::thread::scope(|s| {
        let handles: Vec<_> = (0..groups.len())
            .step_by(runs)
            .map(|first| {
                let run: Vec<usize> = (first..(first + runs).min(groups.len())).collect();
                let mut index: u64 = groups[..first].iter().sum();
                let options = options.clone();
                s.spawn(move || -> Result<Vec<T>, BatchError> {
                    let builder = open(path, options)?;
                    let mask = ProjectionMask::columns(builder.parquet_schema(), columns.iter().copied());
                    let reader = builder
                        .with_row_groups(run)
                        .with_projection(mask)
                        .with_batch_size(BATCH_ROWS)
                        .build()
                        .map_err(|e| BatchError::Engine(e.into()))?;
                    let mut out = Vec::new();
                    for batch in reader {
                        let batch = batch.map_err(|e| BatchError::Engine(e.into()))?;
                        out.extend(visit(index, &batch)?);
                        index += batch.num_rows() as u64;
                    }
                    Ok(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(failed(format!("reading {path}: a thread stopped"))))
            })
            .collect::<Vec<_>>()
    });
    let mut all = Vec::new();
    for part in parts {
        all.extend(part?);
    }
    Ok(all)
}
