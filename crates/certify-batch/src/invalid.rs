//! Unreadable rows, with file and line: never dropped silently.
//!
//! The comparison pass counts them (an unreadable number joins nobody; the core's parser
//! refuses a roster row). When a table has any, this second pass reads that table's files
//! again, one at a time and in file order (one partition, no repartitioning; a Parquet file
//! of records or feeds by runs of row groups on the job's threads, [`crate::row_groups`]),
//! and lists each refused row in `invalid_rows.csv`: `table,file,line,id_number,reason`.
//! Only the columns the check reads are read. For certification records and event feeds
//! the comparison pass also hands over the unreadable numbers as written
//! ([`UnreadableIds`]), so this pass checks a row's number against that set instead of
//! parsing every number again. For Parquet files, local or on an object store, the
//! comparison pass also keeps where each unreadable row is (the reader numbers the rows it
//! reads: [`RowPositions`]); when it has found all of a table's, this pass reads none of
//! its files again. `line` is
//! the CSV line (the header is line 1; fields with line breaks inside quotes would shift
//! it) or, for Parquet, the row number from 1. Clean inputs cost nothing here.

use crate::BatchError;
use crate::functions::{Text, days_of};
use crate::inputs::{Format, Table, register_file, select_columns};
use crate::object_stores::{is_url, runtime_builder};
use certify_core::id::ResidentId;
use certify_core::payroll::{PayrollFields, parse_payroll_row, parse_scheme};
use certify_core::roster::Scheme;
use certify_core::time::parse_date;
use datafusion::arrow::array::Array;
use datafusion::common::HashSet;
use datafusion::prelude::{SessionConfig, SessionContext};
use futures::StreamExt;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// Most rows listed per job; the counts in the summary stay exact beyond it.
pub const MAX_LISTED: u64 = 1_000_000;

/// The identity numbers, as written, of record or event rows whose number is unreadable:
/// found by the comparison pass, used by this one. Beyond [`MAX_LISTED`] distinct numbers it stops
/// collecting, and every row's number is checked again.
#[derive(Debug, Clone)]
pub struct UnreadableIds {
    ids: HashSet<Box<str>>,
    complete: bool,
}

impl Default for UnreadableIds {
    fn default() -> Self {
        Self {
            ids: HashSet::new(),
            complete: true,
        }
    }
}

impl UnreadableIds {
    /// Note a number the comparison found unreadable (`None`: a missing number, which
    /// every check treats as unreadable anyway).
    pub fn add(&mut self, id: Option<&str>) {
        let Some(id) = id else { return };
        if self.complete && self.ids.len() as u64 >= MAX_LISTED {
            self.complete = false;
            self.ids = HashSet::new();
        }
        if self.complete {
            self.ids.insert(id.into());
        }
    }

    /// Add another partition's numbers.
    pub fn merge(&mut self, other: UnreadableIds) {
        if !other.complete {
            self.complete = false;
            self.ids = HashSet::new();
        }
        for id in other.ids {
            self.add(Some(&id));
        }
    }

    /// Whether a row with this number may have an unreadable number (a missing one may;
    /// any may once the set is incomplete).
    pub fn may_be_unreadable(&self, id: Option<&str>) -> bool {
        !self.complete || id.is_none_or(|id| self.ids.contains(id))
    }
}

/// Bits of a roster row's position ([`crate::plan::col::ROSTER_POSITION`]) that hold its
/// row index; the file index sits above them.
pub const ROW_BITS: u32 = 40;

/// One unreadable row found by the comparison: its index in its file (from 0), its number
/// as written, and why it was refused where the comparison knew (roster rows; events whose
/// texts the core refuses).
type Position = (u64, Box<str>, Option<Box<str>>);

/// Where the unreadable rows of a table are, as the comparison pass found them: for
/// certification and event rows from [`crate::distinct_texts::POSITIONS`], for roster rows
/// as they were refused. By file index, each row's index in its file (from 0), its number
/// as written and, for the roster, the reason. Complete for a table when it holds as many
/// rows as the comparison counted unreadable; the listing then reads no file of that
/// table again. Holds at most [`MAX_LISTED`] rows (a table with more is read again).
#[derive(Debug, Clone, Default)]
pub struct RowPositions {
    by_file: BTreeMap<usize, Vec<Position>>,
    count: u64,
}

impl RowPositions {
    /// Note one `file_index:row_index:reason␟id_number` text
    /// ([`crate::distinct_texts::POSITIONS`]); false if it is not one.
    pub fn add(&mut self, text: &str) -> bool {
        let Some((file, row, reason, id)) = crate::distinct_texts::split_position(text) else {
            return false;
        };
        self.push(file, (row, id.into(), reason.map(Into::into)));
        true
    }

    /// Note a refused roster row at `position` (file index above [`ROW_BITS`], row index
    /// below), with its number as written and the reason.
    pub fn add_refused(&mut self, position: u64, id: &str, reason: String) {
        let file = (position >> ROW_BITS) as usize;
        let row = position & ((1 << ROW_BITS) - 1);
        self.push(file, (row, id.into(), Some(reason.into())));
    }

    fn push(&mut self, file: usize, position: Position) {
        if self.count < MAX_LISTED {
            self.by_file.entry(file).or_default().push(position);
            self.count += 1;
        }
    }

    /// Add another partition's positions.
    pub fn merge(&mut self, other: RowPositions) {
        for (file, rows) in other.by_file {
            for row in rows {
                self.push(file, row);
            }
        }
    }

    /// Rows held.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The rows of file `file_index`, in file order.
    fn rows_of(&self, file_index: usize) -> Vec<&Position> {
        let mut rows: Vec<_> = self.by_file.get(&file_index).into_iter().flatten().collect();
        rows.sort_unstable_by_key(|(row, _, _)| *row);
        rows
    }
}

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
            if parse_date(get(1).unwrap_or("")).is_none() {
                return Some("date: expected YYYY-MM-DD".to_owned());
            }
            // An event's kind, source and reference as written (the comparison's check).
            let raw = |i: usize| f.get(i).copied().flatten();
            (table == Table::Events)
                .then(|| crate::event_texts::refusal(raw(2), raw(3), raw(4)))
                .flatten()
        }
    }
}

/// Whether a row may be unreadable, before [`refusal`] decides, given `ids`, the numbers
/// as written of the table's rows the comparison refused (`None`: every row may be): a
/// roster row whose number is among them; a certification or event row whose number is
/// among them, or whose other fields are refused (`rest_refused`: the date does not read,
/// an event's texts are refused; asked only then).
fn may_refuse(
    table: Table,
    ids: Option<&UnreadableIds>,
    id: Option<&str>,
    rest_refused: impl FnOnce() -> bool,
) -> bool {
    match (table, ids) {
        (_, None) => true,
        (Table::Roster, Some(ids)) => ids.may_be_unreadable(id),
        (Table::Events | Table::Certifications, Some(ids)) => ids.may_be_unreadable(id) || rest_refused(),
    }
}

/// Whether row `i` of an event table's kind, source and reference is refused (always
/// false for other tables, whose texts are not checked).
fn texts_refused(table: Table, texts: &[Option<Text>], i: usize) -> bool {
    let get = |c: usize| texts.get(c).and_then(Option::as_ref).and_then(|t| t.get(i));
    table == Table::Events && crate::event_texts::refusal(get(0), get(1), get(2)).is_some()
}

/// The columns [`refusal`] reads of a record or event table.
fn checked_columns(table: Table) -> &'static [&'static str] {
    match table {
        Table::Events => &["id_number", "date", "kind", "source", "reference"],
        _ => &["id_number", "date"],
    }
}

fn output_error(e: impl Into<std::io::Error>) -> BatchError {
    BatchError::Output {
        path: "invalid_rows.csv".into(),
        source: e.into(),
    }
}

/// Write one line of `invalid_rows.csv` while fewer than `budget` are listed; count it
/// either way. The number is written as the core quotes a refused value
/// ([`certify_core::payroll::excerpt`]): a field of megabytes is not copied into the list
/// (its reason gives its length).
fn list_row<W: Write>(
    w: &mut csv::Writer<W>,
    [table, file, line, id, reason]: [&str; 5],
    listed: &mut u64,
    budget: u64,
) -> Result<(), BatchError> {
    if *listed < budget {
        let id = certify_core::payroll::excerpt(id);
        w.write_record([table, file, line, &id, reason]).map_err(output_error)?;
    }
    *listed += 1;
    Ok(())
}

/// The unreadable rows of one Parquet file of records or feeds, `(line, id_number,
/// reason)` in file order, read on `threads` threads away from the async runtime's.
async fn refused_parquet_rows(
    table: Table,
    file: &str,
    scheme: Scheme,
    ids: Option<&UnreadableIds>,
    threads: usize,
) -> Result<Vec<(u64, String, String)>, BatchError> {
    let (file, ids) = (file.to_owned(), ids.cloned());
    let scan = move || {
        let columns = checked_columns(table);
        crate::row_groups::scan(&file, columns, threads, |first, batch| {
            let texts = columns
                .iter()
                .map(|c| batch.column_by_name(c).map(Text::of).transpose())
                .collect::<Result<Vec<_>, _>>()?;
            // Dates as `certify_day` reads them: a dictionary's distinct texts once each.
            let days = batch.column_by_name("date").map(days_of).transpose()?;
            let mut refused = Vec::new();
            for i in 0..batch.num_rows() {
                let field = |c: usize| texts[c].as_ref().and_then(|t| t.get(i));
                let id = field(0);
                let rest_refused =
                    || !days.as_ref().is_some_and(|d| d.is_valid(i)) || texts_refused(table, &texts[2..], i);
                if may_refuse(table, ids.as_ref(), id, rest_refused) {
                    let fields: Vec<Option<&str>> = (0..texts.len()).map(field).collect();
                    if let Some(reason) = refusal(table, &fields, scheme) {
                        refused.push((first + i as u64 + 1, id.unwrap_or("").to_owned(), reason));
                    }
                }
            }
            Ok(refused)
        })
    };
    tokio::task::spawn_blocking(scan)
        .await
        .map_err(|e| BatchError::Engine(datafusion::error::DataFusionError::External(Box::new(e))))?
}

/// The unreadable rows of a table whose positions the comparison found (all of them):
/// listed from those, no file read again. A Parquet row is named by its row number from 1
/// (only Parquet rows have positions).
fn list_positions(
    table: Table,
    files: &[String],
    scheme: Scheme,
    out: &mut impl Write,
    budget: u64,
    positions: &RowPositions,
) -> Result<u64, BatchError> {
    let mut listed = 0u64;
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(&mut *out);
    for (index, file) in files.iter().enumerate() {
        for (row, id, known) in positions.rows_of(index) {
            // Without a reason, a record or event is held because its number or its date
            // does not read: the number is checked first, as for any row; a number that
            // reads leaves the date.
            let reason = match known {
                Some(reason) => reason.to_string(),
                None => refusal(table, &[Some(id), None], scheme).unwrap_or_default(),
            };
            let line = (row + 1).to_string();
            list_row(&mut w, [table.name(), file, &line, id, &reason], &mut listed, budget)?;
        }
    }
    w.flush().map_err(output_error)?;
    Ok(listed.min(budget))
}

/// List the unreadable rows of `files` into `out`; returns how many were listed. `ids`:
/// the numbers of `table` the comparison pass found unreadable, used for records and
/// feeds (`None`: parse every number). `positions`: where the comparison pass found all of
/// the table's unreadable rows, if it did (then no file is read). Parquet records and feeds
/// are read on `threads` threads.
#[allow(
    clippy::too_many_arguments,
    reason = "one call site, each argument a different input"
)]
pub async fn list(
    table: Table,
    files: &[String],
    scheme: Scheme,
    out: &mut impl Write,
    budget: u64,
    ids: Option<&UnreadableIds>,
    positions: Option<&RowPositions>,
    threads: usize,
) -> Result<u64, BatchError> {
    if let Some(positions) = positions {
        return list_positions(table, files, scheme, out, budget, positions);
    }
    // What `refusal` reads: the roster's columns, the records' and feeds' number and date,
    // the feeds' texts.
    let columns_read: Vec<&str> = match table {
        Table::Roster => table.columns().collect(),
        Table::Certifications | Table::Events => checked_columns(table).to_vec(),
    };
    let mut listed = 0u64;
    for file in files {
        // Local Parquet files are read by row groups in parallel; an object-store file
        // through the engine in one ordered stream, like CSV.
        if table != Table::Roster && Format::of(file)? == Format::Parquet && !is_url(file) {
            // Number and date only, row groups in parallel ([`crate::row_groups`]).
            let rows = refused_parquet_rows(table, file, scheme, ids, threads).await?;
            let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(&mut *out);
            for (line, id, reason) in rows {
                list_row(
                    &mut w,
                    [table.name(), file, &line.to_string(), &id, &reason],
                    &mut listed,
                    budget,
                )?;
            }
            w.flush().map_err(output_error)?;
            continue;
        }
        let config = SessionConfig::new()
            .with_target_partitions(1)
            .with_repartition_file_scans(false);
        let ctx = SessionContext::new_with_config_rt(config, runtime_builder().build_arc()?);
        let columns = register_file(&ctx, "t", file).await?;
        let csv_lines = Format::of(file)? == Format::Csv;
        let mut stream = ctx
            .sql(&select_columns(table, "t", file, &columns, &columns_read)?)
            .await?
            .execute_stream()
            .await?;
        let mut index = 0u64;
        let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(&mut *out);
        while let Some(batch) = stream.next().await {
            let batch = batch?;
            let strings = batch.columns().iter().map(Text::of).collect::<Result<Vec<_>, _>>()?;
            let field = |c: usize, i: usize| strings[c].get(i);
            for i in 0..batch.num_rows() {
                index += 1;
                let rest_refused = || {
                    field(1, i).and_then(parse_date).is_none()
                        || (table == Table::Events
                            && crate::event_texts::refusal(field(2, i), field(3, i), field(4, i)).is_some())
                };
                if !may_refuse(table, ids, field(0, i), rest_refused) {
                    continue;
                }
                let fields: Vec<Option<&str>> = (0..strings.len()).map(|c| field(c, i)).collect();
                if let Some(reason) = refusal(table, &fields, scheme) {
                    let line = if csv_lines { index + 1 } else { index };
                    let id = fields.first().copied().flatten().unwrap_or("");
                    list_row(
                        &mut w,
                        [table.name(), file, &line.to_string(), id, &reason],
                        &mut listed,
                        budget,
                    )?;
                }
            }
        }
        w.flush().map_err(output_error)?;
    }
    Ok(listed.min(budget))
}

/// One table for [`write_report`]: its files, the numbers the comparison found unreadable
/// and the positions of its unreadable rows, as for [`list`].
pub type TableReport<'a> = (Table, &'a [String], Option<&'a UnreadableIds>, Option<&'a RowPositions>);

/// Write `invalid_rows.csv` for the tables that have unreadable rows; each table's
/// unreadable numbers (`None`: parse every number), positions and `threads` as for [`list`].
pub async fn write_report(
    dir: &Path,
    tables: &[TableReport<'_>],
    scheme: Scheme,
    threads: usize,
) -> Result<u64, BatchError> {
    let path = dir.join("invalid_rows.csv");
    let io = |e| BatchError::Output {
        path: path.display().to_string(),
        source: e,
    };
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).map_err(io)?);
    writeln!(out, "table,file,line,id_number,reason").map_err(io)?;
    let mut listed = 0;
    for &(table, files, ids, positions) in tables {
        let budget = MAX_LISTED - listed;
        listed += list(table, files, scheme, &mut out, budget, ids, positions, threads).await?;
    }
    out.flush().map_err(io)?;
    Ok(listed)
}

#[cfg(test)]
mod tests;
