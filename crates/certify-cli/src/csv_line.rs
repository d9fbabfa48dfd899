//! The deadline run's list lines in CSV, written straight from a decision: the same bytes
//! as serialising a [`RunLine`](crate::run::RunLine) with the `csv` crate (a test compares
//! them), without building its strings or going through serde and the formatter — that
//! took a sixth of a 5M-row run, most of whose rows are listed.

use certify_core::deadline::RunDecision;
use certify_core::money::Fen;
use certify_core::time::{YearMonth, date_ascii, format_date};
use std::io::Write;
use time::Date;

/// Append one line: `row,id_number,name,action,from,deadline,resume_from,back_pay_months,
/// back_pay_yuan,back_pay_review_months,back_pay_review_yuan,certified_on,error` and a
/// newline. `error` makes the action `invalid_row`.
pub fn push_line(
    out: &mut Vec<u8>,
    row: Option<u64>,
    id_number: &str,
    name: &str,
    decision: &RunDecision,
    error: Option<&str>,
) {
    if let Some(row) = row {
        push_number(out, row);
    }
    out.push(b',');
    push_text(out, id_number);
    out.push(b',');
    push_text(out, name);
    out.push(b',');
    let action = match (error, decision) {
        (Some(_), _) => "invalid_row",
        (None, RunDecision::Unchanged) => "unchanged",
        (None, RunDecision::Suspend { .. }) => "suspend",
        (None, RunDecision::Resume { .. }) => "resume",
    };
    out.extend_from_slice(action.as_bytes());
    match decision {
        RunDecision::Unchanged => out.extend_from_slice(b",,,,,,,,"),
        RunDecision::Suspend { from, deadline } => {
            out.push(b',');
            push_month(out, *from);
            out.push(b',');
            push_date(out, *deadline);
            out.extend_from_slice(b",,,,,,");
        }
        RunDecision::Resume {
            resume_from,
            back_pay_from,
            back_pay_months,
            back_pay,
            certified_on,
            review_months,
            review_amount,
        } => {
            out.push(b',');
            push_month(out, *back_pay_from);
            out.extend_from_slice(b",,");
            push_month(out, *resume_from);
            out.push(b',');
            push_number(out, u64::from(*back_pay_months));
            out.push(b',');
            push_yuan(out, *back_pay);
            out.push(b',');
            push_number(out, u64::from(*review_months));
            out.push(b',');
            push_yuan(out, *review_amount);
            out.push(b',');
            push_date(out, *certified_on);
        }
    }
    out.push(b',');
    if let Some(error) = error {
        push_text(out, error);
    }
    out.push(b'\n');
}

/// Append one field of text, quoted as the `csv` crate does by default: only when it
/// holds a comma, a quote or a line break, with quotes doubled. (A record of one empty
/// field, which the crate writes as `""`, is the caller's to avoid.)
pub fn push_text(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    if !bytes.iter().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n')) {
        out.extend_from_slice(bytes);
        return;
    }
    out.push(b'"');
    for &b in bytes {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// A number in decimal.
fn push_number(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// `n` with at least `width` digits, zero-padded (as `{:0width$}` does for non-negative
/// numbers).
fn push_padded(out: &mut Vec<u8>, n: u32, width: usize) {
    let digits = n.checked_ilog10().map_or(1, |l| l as usize + 1);
    out.extend(std::iter::repeat_n(b'0', width.saturating_sub(digits)));
    push_number(out, u64::from(n));
}

/// A year as `{:04}` writes it (negative years through the formatter).
fn push_year(out: &mut Vec<u8>, year: i32) {
    match u32::try_from(year) {
        Ok(y) => push_padded(out, y, 4),
        Err(_) => {
            let _ = write!(out, "{year:04}");
        }
    }
}

/// `YYYY-MM`, as [`YearMonth`]'s `Display`.
fn push_month(out: &mut Vec<u8>, m: YearMonth) {
    push_year(out, m.year());
    out.push(b'-');
    push_padded(out, u32::from(m.month()), 2);
}

/// Append a date as `YYYY-MM-DD`, as [`format_date`] writes it (the core's digits).
pub fn push_date(out: &mut Vec<u8>, d: Date) {
    match date_ascii(d) {
        Some(text) => out.extend_from_slice(&text),
        None => out.extend_from_slice(format_date(d).as_bytes()),
    }
}

/// Yuan with two decimals, as [`Fen`]'s `Display`.
fn push_yuan(out: &mut Vec<u8>, amount: Fen) {
    if amount.0 < 0 {
        out.push(b'-');
    }
    let a = amount.0.unsigned_abs();
    push_number(out, a / 100);
    out.push(b'.');
    push_padded(out, (a % 100) as u32, 2);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::RunLine;
    use time::macros::date;

    /// The line as serde and the `csv` crate write it.
    fn by_serde(row: Option<u64>, id: &str, name: &str, decision: &RunDecision, error: Option<&str>) -> Vec<u8> {
        let mut line = RunLine::new(row, id, name, decision);
        if let Some(e) = error {
            line.action = "invalid_row";
            line.error = Some(e.to_owned());
        }
        let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
        w.serialize(&line).unwrap();
        w.into_inner().unwrap()
    }

    fn month(y: i32, m: u8) -> YearMonth {
        YearMonth::new(y, m).unwrap()
    }

    #[test]
    fn lines_are_the_bytes_the_csv_crate_writes() {
        let decisions = [
            RunDecision::Unchanged,
            RunDecision::Suspend {
                from: month(2026, 11),
                deadline: date!(2026 - 10 - 31),
            },
            RunDecision::Suspend {
                from: month(987, 1),
                deadline: date!(0987 - 01 - 05),
            },
            RunDecision::Resume {
                resume_from: month(2026, 12),
                back_pay_from: month(2025, 3),
                back_pay_months: 21,
                back_pay: Fen(12_345_607),
                certified_on: date!(2026 - 09 - 09),
                review_months: 0,
                review_amount: Fen(0),
            },
            RunDecision::Resume {
                resume_from: month(2026, 1),
                back_pay_from: month(2020, 10),
                back_pay_months: 12,
                back_pay: Fen(5),
                certified_on: date!(2025 - 12 - 31),
                review_months: 51,
                review_amount: Fen(-1_000_000_001),
            },
        ];
        let texts = [
            "",
            "610526193501010003",
            "李芳",
            " 王 五 ",
            "a,b",
            "say \"hi\"",
            "two\nlines",
            "cr\rhere",
            "\"",
            "\u{3000}全角",
        ];
        let mut checked = 0;
        for decision in &decisions {
            for row in [None, Some(2), Some(18_446_744_073_709_551_615)] {
                for id in texts {
                    for name in texts {
                        for error in [None, Some("monthly_pension: not an amount: \"x,y\"")] {
                            let mut ours = Vec::new();
                            push_line(&mut ours, row, id, name, decision, error);
                            let theirs = by_serde(row, id, name, decision, error);
                            assert_eq!(
                                String::from_utf8_lossy(&ours),
                                String::from_utf8_lossy(&theirs),
                                "{decision:?} {row:?} {id:?} {name:?} {error:?}"
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 5 * 3 * 10 * 10 * 2);
    }
}
