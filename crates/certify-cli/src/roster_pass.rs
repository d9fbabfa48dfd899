//! The roster's pass of `certify cycle run`: each row read, decided against the
//! certification index and, if it changes (or with `--all`), written in roster order, the
//! decisions on several threads ([`crate::chunks`]).

use crate::run::{BoxError, RegionConfig};
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

/// A record's fields as trimmed text, the record checked as UTF-8 once rather than field
/// by field (a field that is not UTF-8 on its own reads as "").
#[derive(Clone, Copy)]
pub struct Fields<'r> {
    record: &'r csv::ByteRecord,
    /// The whole record's bytes, if they are UTF-8.
    text: Option<&'r str>,
}

impl<'r> Fields<'r> {
    /// The fields of `record`.
    pub fn new(record: &'r csv::ByteRecord) -> Self {
        Fields {
            record,
            text: std::str::from_utf8(record.as_slice()).ok(),
        }
    }

    /// Field `i`, trimmed ("" if absent or not UTF-8).
    pub fn get(&self, i: usize) -> &'r str {
        let raw = match self.text {
            Some(text) => self.record.range(i).and_then(|r| text.get(r)),
            None => self.record.get(i).and_then(|b| std::str::from_utf8(b).ok()),
        };
        raw.map_or("", trim)
    }
}

/// `str::trim`, skipped when the text plainly starts and ends with a visible ASCII
/// character (numbers, dates, codes: nearly every field).
fn trim(text: &str) -> &str {
    match text.as_bytes() {
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        [only] if only.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

/// Parse one roster row into a payroll row (the core's parser, shared with the server's
/// roster import), or say why not.
fn payroll_row(rec: Fields<'_>, c: &Columns) -> Result<PayrollRow, String> {
    let field = |i: usize| rec.get(i);
    let opt = |i: Option<usize>| i.map(field);
    let fields = certify_core::payroll::PayrollFields {
        id_number: field(c.id),
        name: opt(c.name),
        scheme: opt(c.scheme),
        unit: None,
        monthly_pension: field(c.monthly),
        pension_start: field(c.start),
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
        let rows: Vec<(Fields<'_>, Option<Result<PayrollRow, String>>)> = chunk
            .iter()
            .map(|rec| {
                let fields = Fields::new(rec);
                let other = c.scheme.map(|i| fields.get(i)).is_some_and(|s| {
                    !s.is_empty() && certify_core::payroll::parse_scheme(s).ok() != Some(self.config.scheme)
                });
                (fields, (!other).then(|| payroll_row(fields, c)))
            })
            .collect();
        let keys: Vec<u64> = rows
            .iter()
            .filter_map(|(_, row)| row.as_ref()?.as_ref().ok())
            .map(|row| row.id.to_u64())
            .collect();
        let mut last = Vec::with_capacity(keys.len());
        self.index.last_of_keys(&keys, &mut last);
        let mut last = last.into_iter();
        let mut encoder = crate::run::Encoder::new(self.format);
        for (i, (fields, row)) in rows.into_iter().enumerate() {
            let mut write = |decision: &RunDecision, error: Option<&str>| {
                let name = c.name.map(|i| fields.get(i)).unwrap_or("");
                let row = Some(line + i as u64);
                if let Err(e) = encoder.line(row, fields.get(c.id), name, decision, error) {
                    part.error.get_or_insert(e.to_string());
                }
            };
            match row {
                None => part.other_scheme += 1,
                Some(Err(e)) => {
                    part.invalid_rows += 1;
                    write(&RunDecision::Unchanged, Some(&e));
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
        part.lines = encoder.finish();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_as_each_field_checked_alone_would() {
        // "é" is C3 A9: split across two fields, the record is UTF-8 but neither field is.
        let cases: [&[&[u8]]; 4] = [
            &[b"610526193501010003", " 李芳 ".as_bytes(), b"3733.00"],
            &[b"a\xc3", b"\xa9b", b" x "],
            &[b"\xff\xfe", b"2026-01-01", b"\x0bvt\x0b"],
            &[b"", "\u{3000}全角\u{3000}".as_bytes(), b"\t1\t"],
        ];
        for case in cases {
            let record = csv::ByteRecord::from(case.to_vec());
            let fields = Fields::new(&record);
            for i in 0..case.len() + 1 {
                let alone = record
                    .get(i)
                    .and_then(|b| std::str::from_utf8(b).ok())
                    .map_or("", str::trim);
                assert_eq!(fields.get(i), alone, "{case:?} field {i}");
            }
        }
    }

    #[test]
    fn the_quick_trim_trims_what_str_trim_trims() {
        for text in [
            "",
            "a",
            " a",
            "a ",
            "\x0b1\x0b",
            "\u{a0}x",
            "x\u{3000}",
            "é",
            " é ",
            "1 2",
            "\n",
        ] {
            assert_eq!(trim(text), text.trim(), "{text:?}");
        }
    }
}
