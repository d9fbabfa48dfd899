//! Unreadable rows, with file and line: never dropped silently.
//!
//! The comparison pass counts them (an unreadable number joins nobody; the core's parser
//! refuses a roster row). When a table has any, this second pass reads that table's files
//! again, one at a time and in file order (one partition, no repartitioning), and lists
//! each refused row in `invalid_rows.csv`: `table,file,line,id_number,reason`. `line` is
//! the CSV line (the header is line 1; fields with line breaks inside quotes would shift
//! it) or, for Parquet, the row number from 1. Clean inputs cost nothing here.

use crate::BatchError;
use crate::inputs::{Format, Table, register_file, select_file};
use certify_core::id::ResidentId;
use certify_core::payroll::{PayrollFields, parse_payroll_row, parse_scheme};
use certify_core::roster::Scheme;
use certify_core::time::parse_date;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::prelude::{SessionConfig, SessionContext};
use futures::StreamExt;
use std::io::Write;
use std::path::Path;

/// Most rows listed per job; the counts in the summary stay exact beyond it.
pub const MAX_LISTED: u64 = 1_000_000;

/// Why a row of `table` is unreadable, from its fields in [`Table::columns`] order; `None`
/// when it reads. Roster rows of another scheme than the run's are skipped by the run,
/// not refused.
pub fn refusal(table: Table, f: &[Option<&str>], scheme: Scheme) -> Option<String> {
    let get = |i: usize| f.get(i).copied().flatten().map(str::trim);
    match table {
        Table::Roster => {
            let other = get(4).filter(|s| !s.is_empty());
            if other.is_some_and(|s| parse_scheme(s).ok() != Some(scheme)) {
                return None;
            }
            let fields = PayrollFields {
                id_number: get(0).unwrap_or(""),
                monthly_pension: get(1).unwrap_or(""),
                pension_start: get(2).unwrap_or(""),
                name: get(3),
                scheme: get(4),
                unit: get(5),
                status: get(6),
                suspended_from: get(7),
                suspension_reason: get(8),
            };
            parse_payroll_row(&fields).err().map(|e| e.to_string())
        }
        Table::Certifications | Table::Events => {
            if let Err(e) = ResidentId::parse(get(0).unwrap_or("")) {
                return Some(format!("id_number: {e}"));
            }
            parse_date(get(1).unwrap_or(""))
                .is_none()
                .then(|| "date: expected YYYY-MM-DD".to_owned())
        }
    }
}

/// List the unreadable rows of `files` into `out`; returns how many were listed.
pub async fn list(
    table: Table,
    files: &[String],
    scheme: Scheme,
    out: &mut impl Write,
    budget: u64,
) -> Result<u64, BatchError> {
    let mut listed = 0u64;
    for file in files {
        let config = SessionConfig::new()
            .with_target_partitions(1)
            .with_repartition_file_scans(false);
        let ctx = SessionContext::new_with_config(config);
        let names = register_file(&ctx, "t", file).await?;
        let csv_lines = Format::of(file)? == Format::Csv;
        let mut stream = ctx
            .sql(&select_file(table, "t", file, &names)?)
            .await?
            .execute_stream()
            .await?;
        let mut index = 0u64;
        let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(&mut *out);
        while let Some(batch) = stream.next().await {
            let batch = batch?;
            let columns = batch
                .columns()
                .iter()
                .map(|c| cast(c, &DataType::Utf8))
                .collect::<Result<Vec<_>, _>>()
                .map_err(datafusion::error::DataFusionError::from)?;
            let strings: Vec<_> = columns.iter().map(|c| c.as_string::<i32>()).collect();
            for i in 0..batch.num_rows() {
                index += 1;
                let fields: Vec<Option<&str>> = strings.iter().map(|s| s.is_valid(i).then(|| s.value(i))).collect();
                if let Some(reason) = refusal(table, &fields, scheme) {
                    if listed < budget {
                        let line = if csv_lines { index + 1 } else { index };
                        let id = fields.first().copied().flatten().unwrap_or("");
                        w.write_record([table.name(), file.as_str(), &line.to_string(), id, &reason])
                            .map_err(|e| BatchError::Output {
                                path: "invalid_rows.csv".into(),
                                source: e.into(),
                            })?;
                    }
                    listed += 1;
                }
            }
        }
        w.flush().map_err(|e| BatchError::Output {
            path: "invalid_rows.csv".into(),
            source: e,
        })?;
    }
    Ok(listed.min(budget))
}

/// Write `invalid_rows.csv` for the tables that have unreadable rows.
pub async fn write_report(dir: &Path, tables: &[(Table, &[String])], scheme: Scheme) -> Result<u64, BatchError> {
    let path = dir.join("invalid_rows.csv");
    let io = |e| BatchError::Output {
        path: path.display().to_string(),
        source: e,
    };
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).map_err(io)?);
    writeln!(out, "table,file,line,id_number,reason").map_err(io)?;
    let mut listed = 0;
    for (table, files) in tables {
        listed += list(*table, files, scheme, &mut out, MAX_LISTED - listed).await?;
    }
    out.flush().map_err(io)?;
    Ok(listed)
}
