//! Real-name verification (实名认证, seed 003): before any service, the account holder
//! types name and identity number, captures the identity card front, and shows a live
//! face that the face engine matches against the card portrait.

use crate::account::{Account, AccountEvent};
use crate::biometric::MatchDecision;
use crate::id::{IdError, ResidentId};
use crate::name::{NameError, PersonName};
use crate::roster::{RosterEntry, RosterError, match_roster};
use crate::time::Timestamp;

/// Why real-name verification failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RealNameError {
    /// Bad identity number.
    #[error(transparent)]
    Id(#[from] IdError),
    /// Bad name.
    #[error(transparent)]
    Name(#[from] NameError),
    /// The typed number is not the account holder's.
    #[error("the identity number is not the account holder's")]
    NotAccountHolder,
    /// "查无此人".
    #[error(transparent)]
    Roster(#[from] RosterError),
    /// The live face does not match the card portrait.
    #[error(
        "人脸与对比照片相似度低，请确认是本人后重新操作 (the face does not match the identity card photo; make sure it is you and try again)"
    )]
    FaceMismatch,
}

impl RealNameError {
    /// A stable snake_case code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            RealNameError::Id(e) => e.code(),
            RealNameError::Name(e) => e.code(),
            RealNameError::NotAccountHolder => "not_account_holder",
            RealNameError::Roster(e) => e.code(),
            RealNameError::FaceMismatch => "face_mismatch",
        }
    }
}

/// Verify the holder's real name: typed details against the account and the roster, and
/// the face engine's decision on live face vs card portrait. Marks the account verified.
pub fn verify_real_name(
    account: &mut Account,
    typed_name: &str,
    typed_id: &str,
    roster_entry: Option<&RosterEntry>,
    portrait_match: MatchDecision,
    now: Timestamp,
) -> Result<Vec<AccountEvent>, RealNameError> {
    let id = ResidentId::parse(typed_id)?;
    let name = PersonName::new(typed_name)?;
    if id != account.holder_id {
        return Err(RealNameError::NotAccountHolder);
    }
    match_roster(&name, &id, roster_entry)?;
    if portrait_match != MatchDecision::Match {
        return Err(RealNameError::FaceMismatch);
    }
    account.real_name_verified_at = Some(now);
    Ok(vec![AccountEvent::RealNameVerified { at: now }])
}
