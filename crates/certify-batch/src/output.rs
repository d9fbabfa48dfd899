//! The job's lists, as CSV files in the output directory:
//!
//! | file | one line per |
//! |---|---|
//! | `certifications.csv` | new certification record (method `data_comparison`, operator the feed) |
//! | `run.csv` | suspension or resumption with back pay (the columns of `certify cycle run`; `row` empty) |
//! | `uncertified.csv` | person still to certify, by unit |
//! | `due_soon.csv` | person due within the reminder window |
//! | `unknown_people.csv` | person in the feeds or records but not on the roster |
//! | `duplicate_people.csv` | person on the roster more than once (a pension paid twice) |
//! | `invalid_rows.csv` | unreadable input row, with file and line ([`crate::invalid`]) |
//! | `units.csv` | unit with its count of uncertified people |
//! | `summary.json` | the counts |
//!
//! Partitions format lines into their own [`Lines`] buffers and append them whole, so
//! lines never interleave. Line order follows the engine's partitions: sort by
//! `id_number` to compare two runs.

use crate::BatchError;
use certify_cli::csv_line::{push_date, push_text};
use certify_core::time::format_date;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use time::Date;

/// Header of `certifications.csv`.
pub const CERTIFICATIONS_HEADER: &str = "id_number,date,method,source,reference,kind";
/// Header of `run.csv`.
pub const RUN_HEADER: &str = "row,id_number,name,action,from,deadline,resume_from,back_pay_months,back_pay_yuan,back_pay_review_months,back_pay_review_yuan,certified_on,error";
/// Header of `uncertified.csv`.
pub const UNCERTIFIED_HEADER: &str = "unit,id_number,name,standing,deadline";
/// Header of `due_soon.csv`.
pub const DUE_SOON_HEADER: &str = "id_number,name,unit,deadline,days_left";
/// Header of `unknown_people.csv`.
pub const UNKNOWN_HEADER: &str = "id_number,events,certifications";

/// Header of `duplicate_people.csv`.
pub const DUPLICATE_HEADER: &str = "id_number,roster_rows";

/// One line of `run.csv`: the type `certify cycle run` writes, with `row` empty.
pub use certify_cli::run::RunLine;

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new())
}

/// Lines formatted by one partition, not yet written.
pub struct Lines {
    /// Written straight as bytes ([`certify_cli::csv_line`]: the `csv` crate's bytes, one
    /// line per certified person, most of a run's lines).
    certifications: Vec<u8>,
    run: csv::Writer<Vec<u8>>,
    uncertified: csv::Writer<Vec<u8>>,
    due_soon: csv::Writer<Vec<u8>>,
    unknown: csv::Writer<Vec<u8>>,
    duplicate: csv::Writer<Vec<u8>>,
}

impl Default for Lines {
    fn default() -> Self {
        Self {
            certifications: Vec::new(),
            run: writer(),
            uncertified: writer(),
            due_soon: writer(),
            unknown: writer(),
            duplicate: writer(),
        }
    }
}

// Writing to a Vec cannot fail; serialising these plain rows cannot either.
impl Lines {
    /// A new certification record.
    pub fn certification(&mut self, id: &str, date: Date, source: &str, reference: &str, kind: &str) {
        let out = &mut self.certifications;
        push_text(out, id);
        out.push(b',');
        push_date(out, date);
        out.extend_from_slice(b",data_comparison,");
        push_text(out, source);
        out.push(b',');
        push_text(out, reference);
        out.push(b',');
        push_text(out, kind);
        out.push(b'\n');
    }

    /// A suspension or resumption.
    pub fn run(&mut self, line: &RunLine<'_>) {
        let _ = self.run.serialize(line);
    }

    /// A person still to certify.
    pub fn uncertified(&mut self, unit: &str, id: &str, name: &str, standing: &str, deadline: &str) {
        let _ = self.uncertified.write_record([unit, id, name, standing, deadline]);
    }

    /// A person due soon.
    pub fn due_soon(&mut self, id: &str, name: &str, unit: &str, deadline: Date, days_left: i64) {
        let _ = self
            .due_soon
            .write_record([id, name, unit, &format_date(deadline), &days_left.to_string()]);
    }

    /// A person not on the roster.
    pub fn unknown_person(&mut self, id: &str, events: u64, certifications: u64) {
        let _ = self
            .unknown
            .write_record([id, &events.to_string(), &certifications.to_string()]);
    }

    /// A person on the roster more than once.
    pub fn duplicate_person(&mut self, id: &str, roster_rows: u64) {
        let _ = self.duplicate.write_record([id, &roster_rows.to_string()]);
    }

    fn take(w: &mut csv::Writer<Vec<u8>>) -> Vec<u8> {
        std::mem::replace(w, writer()).into_inner().unwrap_or_default()
    }
}

struct Files {
    certifications: BufWriter<File>,
    run: BufWriter<File>,
    uncertified: BufWriter<File>,
    due_soon: BufWriter<File>,
    unknown: BufWriter<File>,
    duplicate: BufWriter<File>,
}

/// The list files of a job, shared by its partitions.
pub struct Outputs {
    dir: PathBuf,
    files: Mutex<Files>,
}

fn io(path: &Path, source: std::io::Error) -> BatchError {
    BatchError::Output {
        path: path.display().to_string(),
        source,
    }
}

fn create(dir: &Path, name: &str, header: &str) -> Result<BufWriter<File>, BatchError> {
    let path = dir.join(name);
    let mut w = BufWriter::with_capacity(1 << 20, File::create(&path).map_err(|e| io(&path, e))?);
    writeln!(w, "{header}").map_err(|e| io(&path, e))?;
    Ok(w)
}

impl Outputs {
    /// Create the directory and the list files with their headers.
    pub fn create(dir: &Path) -> Result<Self, BatchError> {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        Ok(Self {
            dir: dir.to_owned(),
            files: Mutex::new(Files {
                certifications: create(dir, "certifications.csv", CERTIFICATIONS_HEADER)?,
                run: create(dir, "run.csv", RUN_HEADER)?,
                uncertified: create(dir, "uncertified.csv", UNCERTIFIED_HEADER)?,
                due_soon: create(dir, "due_soon.csv", DUE_SOON_HEADER)?,
                unknown: create(dir, "unknown_people.csv", UNKNOWN_HEADER)?,
                duplicate: create(dir, "duplicate_people.csv", DUPLICATE_HEADER)?,
            }),
        })
    }

    /// The output directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Append a partition's lines.
    pub fn append(&self, lines: &mut Lines) -> Result<(), BatchError> {
        let mut f = self.files.lock().unwrap_or_else(|p| p.into_inner());
        let dir = self.dir.clone();
        let write = |w: &mut BufWriter<File>, bytes: Vec<u8>, name: &str| {
            w.write_all(&bytes).map_err(|e| io(&dir.join(name), e))
        };
        write(
            &mut f.certifications,
            std::mem::take(&mut lines.certifications),
            "certifications.csv",
        )?;
        write(&mut f.run, Lines::take(&mut lines.run), "run.csv")?;
        write(
            &mut f.uncertified,
            Lines::take(&mut lines.uncertified),
            "uncertified.csv",
        )?;
        write(&mut f.due_soon, Lines::take(&mut lines.due_soon), "due_soon.csv")?;
        write(&mut f.unknown, Lines::take(&mut lines.unknown), "unknown_people.csv")?;
        write(
            &mut f.duplicate,
            Lines::take(&mut lines.duplicate),
            "duplicate_people.csv",
        )?;
        Ok(())
    }

    /// Flush every file.
    pub fn finish(self) -> Result<(), BatchError> {
        let mut f = self.files.into_inner().unwrap_or_else(|p| p.into_inner());
        for (w, name) in [
            (&mut f.certifications, "certifications.csv"),
            (&mut f.run, "run.csv"),
            (&mut f.uncertified, "uncertified.csv"),
            (&mut f.due_soon, "due_soon.csv"),
            (&mut f.unknown, "unknown_people.csv"),
            (&mut f.duplicate, "duplicate_people.csv"),
        ] {
            w.flush().map_err(|e| io(&self.dir.join(name), e))?;
        }
        Ok(())
    }

    /// Write `units.csv` (unit, uncertified) in unit order.
    pub fn write_units(&self, units: &std::collections::BTreeMap<String, u64>) -> Result<(), BatchError> {
        let mut w = create(&self.dir, "units.csv", "unit,uncertified")?;
        let path = self.dir.join("units.csv");
        let mut c = csv::WriterBuilder::new().has_headers(false).from_writer(&mut w);
        for (unit, n) in units {
            c.write_record([unit.as_str(), &n.to_string()])
                .map_err(|e| io(&path, e.into()))?;
        }
        c.flush().map_err(|e| io(&path, e))?;
        drop(c);
        w.flush().map_err(|e| io(&path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn certification_lines_are_the_bytes_the_csv_crate_writes() {
        let texts = [
            "",
            "610526193501010003",
            "医保,结算",
            "say \"hi\"",
            "two\nlines",
            "cr\rhere",
            " 空 格 ",
            "\u{3000}全角",
        ];
        for date in [date!(2026 - 11 - 02), date!(0987 - 01 - 05)] {
            for id in texts {
                for other in texts {
                    let mut lines = Lines::default();
                    lines.certification(id, date, other, other, other);
                    let mut theirs = writer();
                    theirs
                        .write_record([id, &format_date(date), "data_comparison", other, other, other])
                        .unwrap();
                    assert_eq!(
                        String::from_utf8_lossy(&lines.certifications),
                        String::from_utf8_lossy(&theirs.into_inner().unwrap()),
                        "{id:?} {other:?}"
                    );
                }
            }
        }
    }
}
