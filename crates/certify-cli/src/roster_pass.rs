//! The roster's pass of `certify cycle run`: each row read, decided against the
//! certification index and, if it changes (or with `--all`), written in roster order, the
//! decisions on several threads ([`crate::chunks`]).

use crate::run::{BoxError, RegionConfig, RunLine};
use certify_core::deadline::{CertificationIndex, PayrollRow, RunDecision, RunSummary, decide_with};
use time::Date;

/// Where the roster's columns are (by header name).
pub struct Columns {
    /// `id_number`.
    pub id: usize,
    /// `name`.
    pub name: Option<usize>,
    /// `scheme`.
    pub scheme: Option<usize>,
    /// `monthly_pension`.
    pub monthly: usize,
    /// `pension_start`.
    pub start: usize,
    /// `status`.
    pub status: Option<usize>,
    /// `suspended_from`.
    pub suspended_from: Option<usize>,
    /// `suspension_reason`.
    pub reason: Option<usize>,
}

/// Field `i` of a record as trimmed text ("" if absent or not UTF-8).
pub fn field(rec: &csv::ByteRecord, i: usize) -> &str {
    std::str::from_utf8(rec.get(i).unwrap_or_default()).unwrap_or("").trim()
}

/// Parse one roster row into a payroll row (the core's parser, shared with the server's
/// roster import), or say why not.
fn payroll_row(rec: &csv::ByteRecord, c: &Columns) -> Result<PayrollRow, String> {
    let opt = |i: Option<usize>| i.map(|i| field(rec, i));
    let fields = certify_core::payroll::PayrollFields {
        id_number: field(rec, c.id),
        name: opt(c.name),
        scheme: opt(c.scheme),
        unit: None,
        monthly_pension: field(rec, c.monthly),
        pension_start: field(rec, c.start),
        status: opt(c.status),
        suspended_from: opt(c.suspended_from),
        suspension_reason: opt(c.reason),
    };
    certify_core::payroll::parse_payroll_row(&fields).map_err(|e| e.to_string())
}

/// What part of the roster came to: its lines of the list, encoded, in order, and its
/// counts.
#[derive(Default)]
pub struct Part {
    lines: Vec<u8>,
    /// The first encoding error, if any (the run stops with it).
    error: Option<String>,
    /// The deadline run's counts and totals.
    pub summary: RunSummary,
    /// Rows the core's parser refused.
    pub invalid_rows: u64,
    /// Rows of another scheme, skipped.
    pub other_scheme: u64,
}

impl Part {
    /// Add a later part's counts (its lines are written, not kept).
    pub fn merge_counts(&mut self, other: &Part) {
        self.summary.merge(&other.summary);
        self.invalid_rows += other.invalid_rows;
        self.other_scheme += other.other_scheme;
    }
}

/// Everything a row's decision needs.
pub struct Decider<'a> {
    /// Region, scheme and rules.
    pub config: &'a RegionConfig,
    /// The run date.
    pub run_date: Date,
    /// Latest passed certification per person.
    pub index: &'a CertificationIndex,
    /// The roster's columns.
    pub columns: &'a Columns,
    /// Also list unchanged rows.
    pub all: bool,
    /// How lines are written.
    pub format: crate::Format,
}

impl Decider<'_> {
    /// Decide the rows of a chunk (`line`: the CSV line of the first) into `part`. The rows
    /// are read first and their certifications looked up together
    /// ([`CertificationIndex::last_of_keys`]), so the index's memory reads overlap.
    fn decide_chunk(&self, line: u64, chunk: &[csv::ByteRecord], part: &mut Part) {
        let c = self.columns;
        let rows: Vec<Option<Result<PayrollRow, String>>> = chunk
            .iter()
            .map(|rec| {
                let other = c.scheme.map(|i| field(rec, i)).is_some_and(|s| {
                    !s.is_empty() && certify_core::payroll::parse_scheme(s).ok() != Some(self.config.scheme)
                });
                (!other).then(|| payroll_row(rec, c))
            })
            .collect();
        let keys: Vec<u64> = rows.iter().flatten().flatten().map(|row| row.id.to_u64()).collect();
        let mut last = Vec::with_capacity(keys.len());
        self.index.last_of_keys(&keys, &mut last);
        let mut last = last.into_iter();
        let mut encoder = crate::run::Encoder::new(self.format);
        for (i, (rec, row)) in chunk.iter().zip(rows).enumerate() {
            let mut write = |decision: &RunDecision, error: Option<String>| {
                let name = c.name.map(|i| field(rec, i)).unwrap_or("");
                let mut out = RunLine::new(Some(line + i as u64), field(rec, c.id), name, decision);
                if error.is_some() {
                    out.action = "invalid_row";
                    out.error = error;
                }
                if let Err(e) = encoder.line(&out) {
                    part.error.get_or_insert(e.to_string());
                }
            };
            match row {
                None => part.other_scheme += 1,
                Some(Err(e)) => {
                    part.invalid_rows += 1;
                    write(&RunDecision::Unchanged, Some(e));
                }
                Some(Ok(row)) => {
                    let last = last.next().flatten();
                    let decision = decide_with(&self.config.cycle, &self.config.run, self.run_date, &row, last);
                    part.summary.record(&row, &decision);
                    if decision != RunDecision::Unchanged || self.all {
                        write(&decision, None);
                    }
                }
            }
        }
        match encoder.finish() {
            Ok(bytes) => part.lines = bytes,
            Err(e) => {
                part.error.get_or_insert(e.to_string());
            }
        }
    }
}

/// Read every roster record from `reader`, decide it with `decider` on `threads` threads,
/// and hand the encoded lines to `write` in roster order; returns the counts.
pub fn decide_roster<R: std::io::Read + Send>(
    reader: &mut csv::Reader<R>,
    decider: &Decider<'_>,
    threads: usize,
    write: &mut dyn FnMut(&[u8]) -> Result<(), BoxError>,
) -> Result<Part, BoxError> {
    let mut total = Part::default();
    let work = |line: u64, chunk: &[csv::ByteRecord]| {
        let mut part = Part::default();
        decider.decide_chunk(line, chunk, &mut part);
        part
    };
    crate::chunks::for_each_chunk(reader, threads, work, &mut |part: Part| {
        if let Some(e) = part.error {
            return Err(e.into());
        }
        write(&part.lines)?;
        total.merge_counts(&part);
        Ok(())
    })?;
    Ok(total)
}
