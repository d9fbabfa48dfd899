//! The checks that need no engine — an identity number, two names, a person's cycle status —
//! parsed and answered once here, in one shape, for every binding: the C structs, the Java
//! JSON and the UniFFI records are filled from these results (they used to parse the policy
//! and dates three times, with three output shapes).

use crate::CertifyStatus;
use crate::engines::Fail;
use crate::results::Results;
use certify_core::cycle::{CyclePolicy, CycleStatus};
use certify_core::id::{IdKind, ResidentId, Sex};
use certify_core::name::PersonName;
use certify_core::time::{YearMonth, format_date, parse_date};
use serde::Serialize;

/// What an identity number says (`id_check`).
#[derive(Debug, Clone)]
pub struct IdInfo {
    /// The 18-character form (a 15-digit number upgraded, `x` upper-cased).
    pub normalized: String,
    /// The six-digit division code.
    pub region_code: String,
    /// The division's name, when the code is in the table (retired codes included).
    pub region_name: Option<String>,
    /// The birth date (YYYY-MM-DD).
    pub birth_date: String,
    /// The birth date's year, month (1–12) and day.
    pub birth: (i32, u8, u8),
    /// The sex the number encodes.
    pub sex: Sex,
    /// Resident card or a residence permit (Hong Kong, Macau, Taiwan).
    pub kind: IdKind,
}

impl IdInfo {
    /// "male" or "female".
    pub fn sex_name(&self) -> &'static str {
        match self.sex {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    /// "resident_card", "hong_kong_permit", "macau_permit" or "taiwan_permit".
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            IdKind::ResidentCard => "resident_card",
            IdKind::HongKongPermit => "hong_kong_permit",
            IdKind::MacauPermit => "macau_permit",
            IdKind::TaiwanPermit => "taiwan_permit",
        }
    }
}

/// Check an identity number (18 digits with its check character, or 15 digits).
pub fn id_check(input: &str) -> Result<IdInfo, Fail> {
    let id = ResidentId::parse(input).map_err(Fail::of)?;
    Ok(IdInfo {
        normalized: id.as_str().to_owned(),
        region_code: id.region_code().to_owned(),
        region_name: id.region().map(|r| r.name.to_owned()),
        birth_date: format_date(id.birth_date()),
        birth: {
            let b = id.birth_date();
            (b.year(), u8::from(b.month()), b.day())
        },
        sex: id.sex(),
        kind: id.kind(),
    })
}

/// Whether two names are the same name written differently (traditional and simplified
/// characters, full-width letters, spacing, the middle dot). Refused (210 …) when either is
/// not a name.
pub fn names_match(a: &str, b: &str) -> Result<bool, Fail> {
    Ok(PersonName::new(a)
        .map_err(Fail::of)?
        .matches(&PersonName::new(b).map_err(Fail::of)?))
}

/// Where a person stands in the certification cycle on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CycleState {
    /// Certified for the current cycle.
    Certified = 1,
    /// Not yet certified; the deadline has not passed.
    Due = 2,
    /// The deadline has passed: payment stops from `suspend_from`.
    Overdue = 3,
    /// Payment is suspended.
    Suspended = 4,
}

impl CycleState {
    /// The state's name: "certified", "due", "overdue", "suspended".
    pub fn name(self) -> &'static str {
        match self {
            Self::Certified => "certified",
            Self::Due => "due",
            Self::Overdue => "overdue",
            Self::Suspended => "suspended",
        }
    }
}

/// A person's certification status on a day, in the one shape every binding gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleInfo {
    /// Certified, due, overdue or suspended.
    pub status: CycleState,
    /// Certified: the certification date; due or overdue: the deadline (YYYY-MM-DD); none
    /// when suspended.
    pub date: Option<String>,
    /// Due and within the warning period before the deadline.
    pub warning: bool,
    /// Overdue or suspended: the first unpaid month (YYYY-MM).
    pub suspend_from: Option<String>,
}

impl Results for CycleInfo {}

/// The status under a cycle policy (its JSON, e.g. `{"kind":"natural_year","deadline":"10-31"}`)
/// on `today` (YYYY-MM-DD), from the last certification date (none: never) and the pension
/// start (YYYY-MM). 400 for a policy that is not one, 401 for a malformed date or month.
pub fn cycle_status(
    policy_json: &str,
    last_certified: Option<&str>,
    pension_start: &str,
    today: &str,
) -> Result<CycleInfo, Fail> {
    let policy: CyclePolicy =
        serde_json::from_str(policy_json).map_err(|e| Fail::new(CertifyStatus::PolicyInvalid, e.to_string()))?;
    policy
        .validate()
        .map_err(|e| Fail::new(CertifyStatus::PolicyInvalid, e.to_string()))?;
    let date = |name: &str, text: &str| {
        parse_date(text).ok_or_else(|| Fail::new(CertifyStatus::DateInvalid, format!("{name} is not YYYY-MM-DD")))
    };
    let last = last_certified.map(|t| date("the last certification", t)).transpose()?;
    let start: YearMonth = pension_start
        .parse()
        .map_err(|_| Fail::new(CertifyStatus::DateInvalid, "the pension start is not YYYY-MM"))?;
    let today = date("today", today)?;
    let (status, date, warning, suspend_from) = match policy.status_on(last, start, today) {
        CycleStatus::Certified { on, .. } => (CycleState::Certified, Some(on), false, None),
        CycleStatus::Due { deadline, warning } => (CycleState::Due, Some(deadline), warning, None),
        CycleStatus::Overdue { deadline, suspend_from } => {
            (CycleState::Overdue, Some(deadline), false, Some(suspend_from))
        }
        CycleStatus::Suspended { from } => (CycleState::Suspended, None, false, Some(from)),
    };
    Ok(CycleInfo {
        status,
        date: date.map(format_date),
        warning,
        suspend_from: suspend_from.map(|m| m.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUCHENG: &str = r#"{"kind":"window","opens":"2020-06-03","closes":"2020-07-31","suspend_from":"2020-08"}"#;

    #[test]
    fn the_cycle_status_has_one_shape() {
        let overdue = cycle_status(PUCHENG, None, "2012-03", "2020-08-01").unwrap();
        assert_eq!(
            overdue.to_json(),
            r#"{"status":"overdue","date":"2020-07-31","warning":false,"suspend_from":"2020-08"}"#
        );
        let certified = cycle_status(PUCHENG, Some("2020-06-10"), "2012-03", "2020-08-01").unwrap();
        assert_eq!(
            (certified.status, certified.date.as_deref()),
            (CycleState::Certified, Some("2020-06-10"))
        );
        assert_eq!(CycleState::Suspended.name(), "suspended");
    }

    #[test]
    fn bad_inputs_have_their_codes() {
        let code = |r: Result<CycleInfo, Fail>| r.unwrap_err().status;
        assert_eq!(
            code(cycle_status("{}", None, "2012-03", "2020-08-01")),
            CertifyStatus::PolicyInvalid
        );
        assert_eq!(
            code(cycle_status(PUCHENG, None, "2012-3", "2020-08-01")),
            CertifyStatus::DateInvalid
        );
        assert_eq!(
            code(cycle_status(PUCHENG, Some("2020-6-1"), "2012-03", "2020-08-01")),
            CertifyStatus::DateInvalid
        );
        assert_eq!(
            id_check("110105194912310021").unwrap_err().status,
            CertifyStatus::IdBadCheckDigit
        );
        assert_eq!(names_match(" ", "刘").unwrap_err().status as u32, 210);
    }

    #[test]
    fn an_identity_number_is_read_once() {
        let info = id_check("110105491231002").unwrap();
        assert_eq!(info.normalized, "11010519491231002X");
        assert_eq!((info.sex_name(), info.kind_name()), ("female", "resident_card"));
        assert_eq!((info.birth_date.as_str(), info.birth), ("1949-12-31", (1949, 12, 31)));
        assert!(names_match("劉曉瑜", "刘晓瑜").unwrap());
    }
}
