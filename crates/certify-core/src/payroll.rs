//! One roster/payroll row from its text fields — the columns of the roster CSV
//! (`id_number,name,scheme,unit,monthly_pension,pension_start,status,suspended_from,
//! suspension_reason`). One parser for every reader (the CLI's deadline run, the server's
//! roster import): no column is dropped and amounts are checked the same way everywhere.

use crate::deadline::PayrollRow;
use crate::id::{IdError, ResidentId};
use crate::money::Fen;
use crate::name::{NameError, PersonName};
use crate::payment::{PaymentStatus, Suspension, SuspensionReason};
use crate::roster::{RosterEntry, Scheme};
use crate::time::YearMonth;

/// The largest monthly pension accepted (1,000,000.00 yuan): far above any real one, far
/// below where arithmetic on months of back pay could overflow.
pub const MAX_MONTHLY_PENSION: Fen = Fen(100_000_000);

/// The text fields of one row; absent optional columns are `None`.
#[derive(Debug, Clone, Copy, Default)]
pub struct PayrollFields<'a> {
    /// `id_number`.
    pub id_number: &'a str,
    /// `name` (required for a roster entry, optional for the deadline run).
    pub name: Option<&'a str>,
    /// `scheme`: `enterprise`, `public_institution` or `urban_rural_resident`.
    pub scheme: Option<&'a str>,
    /// `unit`: the employer that declares deaths and detentions.
    pub unit: Option<&'a str>,
    /// `monthly_pension` in yuan (`3000.00`).
    pub monthly_pension: &'a str,
    /// `pension_start` (`YYYY-MM`).
    pub pension_start: &'a str,
    /// `status`: `active` (or empty) or `suspended`.
    pub status: Option<&'a str>,
    /// `suspended_from` (`YYYY-MM`), required when suspended.
    pub suspended_from: Option<&'a str>,
    /// `suspension_reason` (a [`SuspensionReason`] code; empty: certification lapse).
    pub suspension_reason: Option<&'a str>,
}

/// Characters of a refused value a [`PayrollRowError`] keeps: a longer one (a shifted
/// column, or a file made to flood the lists and logs its errors go to) is cut, marked
/// with "…".
pub const QUOTED_CHARS: usize = 40;

/// `text` as an error quotes it: at most [`QUOTED_CHARS`] characters, then "…".
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(QUOTED_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// Why a row is refused; the message names the column. Values are quoted as
/// [`excerpt`]s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayrollRowError {
    /// `id_number` is not a valid identity number.
    #[error("id_number: {0}")]
    Id(#[from] IdError),
    /// `name` is missing or not a valid name.
    #[error("name: {0}")]
    Name(#[from] NameError),
    /// `name` is missing.
    #[error("name: missing")]
    NameMissing,
    /// `scheme` is missing or unknown.
    #[error("scheme: expected enterprise, public_institution or urban_rural_resident, got {0:?}")]
    Scheme(String),
    /// `monthly_pension` is not a positive amount in yuan with at most two decimals, or is
    /// above [`MAX_MONTHLY_PENSION`].
    #[error("monthly_pension: expected a positive amount in yuan such as 3000.00, got {0:?}")]
    Amount(String),
    /// `pension_start` or `suspended_from` is not `YYYY-MM`.
    #[error("{0}: expected YYYY-MM")]
    Month(&'static str),
    /// `status` is neither `active` nor `suspended`.
    #[error("status: expected active or suspended, got {0:?}")]
    Status(String),
    /// `suspension_reason` is not a known reason code.
    #[error("suspension_reason: unknown {0:?}")]
    Reason(String),
}

impl PayrollRowError {
    /// A stable snake_case code for this error.
    pub const fn code(&self) -> &'static str {
        match self {
            PayrollRowError::Id(_) => "payroll_id",
            PayrollRowError::Name(_) | PayrollRowError::NameMissing => "payroll_name",
            PayrollRowError::Scheme(_) => "payroll_scheme",
            PayrollRowError::Amount(_) => "payroll_amount",
            PayrollRowError::Month(_) => "payroll_month",
            PayrollRowError::Status(_) => "payroll_status",
            PayrollRowError::Reason(_) => "payroll_reason",
        }
    }
}

/// A monthly pension: a positive amount in yuan, at most two decimals, at most
/// [`MAX_MONTHLY_PENSION`].
pub fn parse_pension_amount(text: &str) -> Result<Fen, PayrollRowError> {
    match Fen::parse_yuan(text) {
        Some(f) if f > Fen::ZERO && f <= MAX_MONTHLY_PENSION && !text.trim().starts_with('-') => Ok(f),
        _ => Err(PayrollRowError::Amount(excerpt(text))),
    }
}

/// A scheme by its code.
pub fn parse_scheme(text: &str) -> Result<Scheme, PayrollRowError> {
    match text.trim() {
        "enterprise" => Ok(Scheme::Enterprise),
        "public_institution" => Ok(Scheme::PublicInstitution),
        "urban_rural_resident" => Ok(Scheme::UrbanRuralResident),
        other => Err(PayrollRowError::Scheme(excerpt(other))),
    }
}

fn month(text: &str, column: &'static str) -> Result<YearMonth, PayrollRowError> {
    text.trim().parse().map_err(|_| PayrollRowError::Month(column))
}

/// The payment status of a row (`status`, `suspended_from`, `suspension_reason`).
pub fn parse_status(f: &PayrollFields<'_>) -> Result<PaymentStatus, PayrollRowError> {
    match f.status.map(str::trim).unwrap_or("") {
        "" | "active" => Ok(PaymentStatus::Active),
        "suspended" => {
            let from = month(f.suspended_from.unwrap_or(""), "suspended_from")?;
            let code = match f.suspension_reason.map(str::trim).unwrap_or("") {
                "" => "certification_lapse",
                c => c,
            };
            let reason = SuspensionReason::from_code(code).ok_or_else(|| PayrollRowError::Reason(excerpt(code)))?;
            Ok(PaymentStatus::Suspended(Suspension { reason, from }))
        }
        other => Err(PayrollRowError::Status(excerpt(other))),
    }
}

/// The row as the deadline run needs it (name, scheme and unit not required).
pub fn parse_payroll_row(f: &PayrollFields<'_>) -> Result<PayrollRow, PayrollRowError> {
    Ok(PayrollRow {
        id: ResidentId::parse(f.id_number.trim())?,
        monthly_pension: parse_pension_amount(f.monthly_pension)?,
        pension_start: month(f.pension_start, "pension_start")?,
        status: parse_status(f)?,
    })
}

/// The roster entry and payment status of a row (name and scheme required).
pub fn parse_roster_row(f: &PayrollFields<'_>) -> Result<(RosterEntry, PaymentStatus), PayrollRowError> {
    let row = parse_payroll_row(f)?;
    let name = PersonName::new(
        f.name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .ok_or(PayrollRowError::NameMissing)?,
    )?;
    let scheme = parse_scheme(f.scheme.unwrap_or(""))?;
    Ok((
        RosterEntry {
            id: row.id,
            name,
            scheme,
            unit: f.unit.unwrap_or("").trim().to_owned(),
            monthly_pension: row.monthly_pension,
            pension_start: row.pension_start,
        },
        row.status,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(amount: &'a str) -> PayrollFields<'a> {
        PayrollFields {
            id_number: "610526195503011236",
            name: Some("王建国"),
            scheme: Some("public_institution"),
            unit: Some("蒲城县教育局"),
            monthly_pension: amount,
            pension_start: "2012-03",
            ..PayrollFields::default()
        }
    }

    #[test]
    fn amounts_are_positive_exact_and_bounded() {
        assert_eq!(parse_pension_amount("3000.00"), Ok(Fen(300_000)));
        assert_eq!(parse_pension_amount(" 2999.5 "), Ok(Fen(299_950)));
        for bad in [
            "-3000.00",
            "-0.50",
            "3000.-5",
            "92233720368547759.00",
            "0",
            "0.00",
            "1000000.01",
            "3,000",
            "1e3",
            "",
        ] {
            assert!(parse_pension_amount(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn a_huge_refused_value_is_quoted_short() {
        let huge = format!("三千{}", "9".repeat(1 << 20));
        let message = parse_payroll_row(&fields(&huge)).unwrap_err().to_string();
        assert!(message.len() < 200, "{} bytes", message.len());
        assert!(
            message.contains(&format!("\"三千{}…\"", "9".repeat(QUOTED_CHARS - 2))),
            "{message}"
        );
        let long = "x".repeat(100_000);
        let mut f = fields("3000.00");
        f.status = Some(&long);
        let status = parse_payroll_row(&f).unwrap_err().to_string();
        f.status = Some("suspended");
        f.suspended_from = Some("2020-08");
        f.suspension_reason = Some(&long);
        let reason = parse_payroll_row(&f).unwrap_err().to_string();
        let scheme = parse_scheme(&long).unwrap_err().to_string();
        for (column, message) in [("status", status), ("suspension_reason", reason), ("scheme", scheme)] {
            assert!(message.starts_with(column) && message.len() < 200, "{message}");
        }
        // A short value is quoted whole.
        assert_eq!(excerpt("三千"), "三千");
        assert_eq!(excerpt(&"a".repeat(QUOTED_CHARS)), "a".repeat(QUOTED_CHARS));
    }

    #[test]
    fn suspension_columns_are_kept() {
        let mut f = fields("3000.00");
        f.status = Some("suspended");
        f.suspended_from = Some("2020-08");
        f.suspension_reason = Some("death");
        let (_, status) = parse_roster_row(&f).unwrap();
        assert_eq!(
            status,
            PaymentStatus::Suspended(Suspension {
                reason: SuspensionReason::Death,
                from: YearMonth::new(2020, 8).unwrap()
            })
        );
        f.suspension_reason = Some("");
        assert!(matches!(
            parse_roster_row(&f).unwrap().1,
            PaymentStatus::Suspended(Suspension {
                reason: SuspensionReason::CertificationLapse,
                ..
            })
        ));
        f.suspended_from = None;
        assert_eq!(
            parse_roster_row(&f).unwrap_err(),
            PayrollRowError::Month("suspended_from")
        );
        f.status = Some("paused");
        assert!(matches!(parse_roster_row(&f), Err(PayrollRowError::Status(_))));
    }

    #[test]
    fn a_roster_entry_needs_name_and_scheme() {
        let mut f = fields("3000.00");
        f.name = None;
        assert_eq!(parse_roster_row(&f).unwrap_err(), PayrollRowError::NameMissing);
        assert!(parse_payroll_row(&f).is_ok());
        let mut f = fields("3000.00");
        f.scheme = Some("army");
        assert!(matches!(parse_roster_row(&f), Err(PayrollRowError::Scheme(_))));
    }
}
