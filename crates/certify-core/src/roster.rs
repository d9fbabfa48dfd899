//! The pension roster (待遇领取人员名册): who receives a pension under which scheme, as the
//! host's payroll system holds it. The core only compares against it.

use crate::id::ResidentId;
use crate::money::Fen;
use crate::name::PersonName;
use crate::time::YearMonth;
use serde::{Deserialize, Serialize};

/// The pension scheme a person draws from; cycle policy is configured per region and
/// scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// Basic pension insurance for enterprise employees (企业职工基本养老保险).
    Enterprise,
    /// Pension insurance of government agencies and public institutions (机关事业单位).
    PublicInstitution,
    /// Urban and rural residents' basic pension (城乡居民基本养老保险).
    UrbanRuralResident,
}

/// One person on the roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterEntry {
    /// Identity number as the payroll holds it.
    pub id: ResidentId,
    /// Name as the payroll holds it.
    pub name: PersonName,
    /// Scheme paid from.
    pub scheme: Scheme,
    /// Employer or last employer (参保单位), who must declare deaths and detentions.
    pub unit: String,
    /// Current monthly pension.
    pub monthly_pension: Fen,
    /// First month of entitlement.
    pub pension_start: YearMonth,
}

/// "查无此人" (no such person): why typed details do not find a roster entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RosterError {
    /// The identity number is not on the roster (or not in this scheme).
    #[error("查无此人: no pension recipient with this identity number")]
    NotFound,
    /// The number is on the roster under a different name: the card and the payroll
    /// disagree, and the person must have the office correct it.
    #[error(
        "查无此人: the name does not match the pension records; ask your former employer's pension office to correct them"
    )]
    NameMismatch,
}

impl RosterError {
    /// A stable snake_case code for this error.
    pub const fn code(&self) -> &'static str {
        match self {
            RosterError::NotFound => "not_in_roster",
            RosterError::NameMismatch => "roster_name_mismatch",
        }
    }
}

/// Check typed name and number against the entry the host found for the number.
/// Names compare on their folded key, so traditional characters still match.
pub fn match_roster<'a>(
    name: &PersonName,
    id: &ResidentId,
    entry: Option<&'a RosterEntry>,
) -> Result<&'a RosterEntry, RosterError> {
    let entry = entry.filter(|e| &e.id == id).ok_or(RosterError::NotFound)?;
    if entry.name.matches(name) {
        Ok(entry)
    } else {
        Err(RosterError::NameMismatch)
    }
}
