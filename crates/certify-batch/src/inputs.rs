//! The job's input files and their tables: the roster/payroll, certification records and
//! life-event feeds, each any number of CSV or Parquet files (one file per feed is usual,
//! and feeds need not share a column order). Columns are checked before any row is read.
//!
//! CSV columns are read as text whatever they look like (an identity number is not a
//! number: `11010519491231002X`); the core's parsers read them later. Each file becomes
//! its own table, and a view per kind (`roster`, `certifications`, `events`) unites them
//! by column name.

use crate::BatchError;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::prelude::{CsvReadOptions, ParquetReadOptions, SessionContext};
use std::path::Path;

/// The files of one job.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Roster/payroll files (`id_number,name,scheme,unit,monthly_pension,pension_start,
    /// status,suspended_from,suspension_reason`; the columns of `certify cycle run`).
    pub roster: Vec<String>,
    /// Certification records (`id_number,date[,outcome]`; only `passed` or empty outcomes
    /// count).
    pub certifications: Vec<String>,
    /// Life-event feeds (`id_number,date,kind,source,reference`).
    pub events: Vec<String>,
}

/// The three kinds of table, with their columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// The roster/payroll.
    Roster,
    /// Certification records.
    Certifications,
    /// Life-event feeds.
    Events,
}

impl Table {
    /// The view's name in SQL.
    pub const fn name(self) -> &'static str {
        match self {
            Table::Roster => "roster",
            Table::Certifications => "certifications",
            Table::Events => "events",
        }
    }

    /// Columns every file must have.
    pub const fn required(self) -> &'static [&'static str] {
        match self {
            Table::Roster => &["id_number", "monthly_pension", "pension_start"],
            Table::Certifications => &["id_number", "date"],
            Table::Events => &["id_number", "date", "kind", "source", "reference"],
        }
    }

    /// Columns read when present (NULL otherwise).
    pub const fn optional(self) -> &'static [&'static str] {
        match self {
            Table::Roster => &[
                "name",
                "scheme",
                "unit",
                "status",
                "suspended_from",
                "suspension_reason",
            ],
            Table::Certifications => &["outcome"],
            Table::Events => &[],
        }
    }

    /// Required then optional columns: the view's columns, in this order.
    pub fn columns(self) -> impl Iterator<Item = &'static str> {
        self.required().iter().chain(self.optional()).copied()
    }
}

/// A file's format, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated text with a header line.
    Csv,
    /// Apache Parquet.
    Parquet,
}

impl Format {
    /// The format of `path` by its extension.
    pub fn of(path: &str) -> Result<Format, BatchError> {
        let ext = Path::new(path)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Ok(Format::Csv),
            Some("parquet") => Ok(Format::Parquet),
            _ => Err(BatchError::UnknownFormat(path.to_owned())),
        }
    }
}

/// A file's columns: name and type.
pub type Columns = Vec<(String, DataType)>;

/// Register one file as table `name` (CSV columns as text) and return its columns.
pub async fn register_file(ctx: &SessionContext, name: &str, path: &str) -> Result<Columns, BatchError> {
    crate::object_stores::check_input(path).map_err(BatchError::UnsupportedInput)?;
    match Format::of(path)? {
        Format::Csv => {
            let inferred = ctx
                .read_csv(path, CsvReadOptions::new().has_header(true).schema_infer_max_records(1))
                .await?;
            let text = Schema::new(
                inferred
                    .schema()
                    .fields()
                    .iter()
                    .map(|f| Field::new(f.name(), DataType::Utf8, true))
                    .collect::<Vec<_>>(),
            );
            let columns = text
                .fields()
                .iter()
                .map(|f| (f.name().clone(), DataType::Utf8))
                .collect();
            ctx.register_csv(name, path, CsvReadOptions::new().has_header(true).schema(&text))
                .await?;
            Ok(columns)
        }
        Format::Parquet => {
            ctx.register_parquet(name, path, ParquetReadOptions::default()).await?;
            let table = ctx.table(name).await?;
            Ok(table
                .schema()
                .fields()
                .iter()
                .map(|f| (f.name().clone(), f.data_type().clone()))
                .collect())
        }
    }
}

/// The SQL that reads one registered file as the table's columns (text; absent optional
/// columns NULL), after checking the required ones are there.
///
/// Roster columns are plain strings: the Parquet reader's string views are cast on
/// purpose, because views keep whole Parquet pages alive and the sorts of the joins under
/// a memory limit then fail (a 256 MB run that spills fine with plain strings stopped with
/// "Not enough memory to continue external sort"). Certification and event columns stay
/// string views (other types are cast to them): they only feed aggregations, which copy
/// what they keep, and the copy of the events to plain strings cost about 8 % of a 1M ×
/// 20M run.
/// `file_index` and `positions` as for [`position_columns`], which follow the table's.
pub fn select_file(
    table: Table,
    file_table: &str,
    file: &str,
    columns: &Columns,
    file_index: usize,
    positions: bool,
) -> Result<String, BatchError> {
    let mut cols = text_columns(table, file, columns, &table.columns().collect::<Vec<_>>())?;
    cols.push(position_columns(file_index, file, positions)?);
    Ok(format!("SELECT {} FROM \"{file_table}\"", cols.join(", ")))
}

/// The columns a file adds to its table's view after [`Table::columns`]: `file_index` (its
/// place among the table's files, from 0) and `row_index` (a Parquet file's row number from
/// 0, which its reader gives as it reads — when `positions` — else NULL), both BIGINT. The
/// comparison keeps them for its unreadable rows ([`crate::distinct_texts::POSITIONS`],
/// [`crate::plan::col::ROSTER_POSITION`]), so they can be listed without reading the file
/// again. A cluster run does not ask for them: the plans Ballista ships to its
/// executors do not carry the reader's row numbers.
pub fn position_columns(file_index: usize, file: &str, positions: bool) -> Result<String, BatchError> {
    let row = if positions && Format::of(file)? == Format::Parquet {
        "file_row_index()"
    } else {
        "CAST(NULL AS BIGINT)"
    };
    Ok(format!(
        "CAST({file_index} AS BIGINT) AS file_index, {row} AS row_index"
    ))
}

/// [`select_file`] of some of the table's columns (`wanted`, in that order).
pub fn select_columns(
    table: Table,
    file_table: &str,
    file: &str,
    columns: &Columns,
    wanted: &[&str],
) -> Result<String, BatchError> {
    let cols = text_columns(table, file, columns, wanted)?;
    Ok(format!("SELECT {} FROM \"{file_table}\"", cols.join(", ")))
}

/// The expressions of [`select_columns`], after checking the required columns are there.
fn text_columns(table: Table, file: &str, columns: &Columns, wanted: &[&str]) -> Result<Vec<String>, BatchError> {
    if let Some(column) = table.required().iter().find(|c| !columns.iter().any(|(n, _)| n == *c)) {
        return Err(BatchError::MissingColumn {
            table: table.name(),
            file: file.to_owned(),
            column,
            required: table.required().join(","),
        });
    }
    let views = table != Table::Roster;
    let cols = wanted
        .iter()
        .map(|column| match columns.iter().find(|(n, _)| n == column) {
            Some((_, DataType::Utf8View)) if views => format!("\"{column}\" AS {column}"),
            Some(_) if views => format!("arrow_cast(CAST(\"{column}\" AS VARCHAR), 'Utf8View') AS {column}"),
            Some(_) => format!("CAST(\"{column}\" AS VARCHAR) AS {column}"),
            None if views => format!("arrow_cast(CAST(NULL AS VARCHAR), 'Utf8View') AS {column}"),
            None => format!("CAST(NULL AS VARCHAR) AS {column}"),
        })
        .collect();
    Ok(cols)
}

/// Register every file of `table` and the view uniting them, each with its
/// [`position_columns`].
pub async fn register_table(
    ctx: &SessionContext,
    table: Table,
    files: &[String],
    positions: bool,
) -> Result<(), BatchError> {
    if files.is_empty() {
        return Err(BatchError::NoFiles(table.name()));
    }
    let mut selects = Vec::with_capacity(files.len());
    for (i, file) in files.iter().enumerate() {
        let file_table = format!("{}_file_{i}", table.name());
        let columns = register_file(ctx, &file_table, file).await?;
        selects.push(select_file(table, &file_table, file, &columns, i, positions)?);
    }
    let view = ctx.sql(&selects.join(" UNION ALL ")).await?;
    ctx.register_table(table.name(), view.into_view())?;
    Ok(())
}

/// Register all three tables of a job; `positions` as for [`position_columns`].
pub async fn register_all(ctx: &SessionContext, inputs: &Inputs, positions: bool) -> Result<(), BatchError> {
    // Every input's URL is checked before any is read.
    for file in inputs.roster.iter().chain(&inputs.certifications).chain(&inputs.events) {
        crate::object_stores::check_input(file).map_err(BatchError::UnsupportedInput)?;
    }
    register_table(ctx, Table::Roster, &inputs.roster, positions).await?;
    register_table(ctx, Table::Certifications, &inputs.certifications, positions).await?;
    register_table(ctx, Table::Events, &inputs.events, positions).await?;
    Ok(())
}
