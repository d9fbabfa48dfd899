//! Home visits (上门认证): staff certify at home a person who can neither certify remotely
//! nor come to the office — the bedridden and the very ill (seed 003 常见问题 5). The
//! person, or a relative who may act for them, asks; staff assign the visit and record
//! what they found: the person alive (a certification by home visit), nobody at home, or
//! the person deceased (payment is suspended from the month after the death).
//!
//! ```
//! use certify_core::id::ResidentId;
//! use certify_core::time::Timestamp;
//! use certify_core::visit::{HomeVisit, VisitOutcome, VisitState};
//! let person = ResidentId::parse("610526194801023310").unwrap();
//! let now = Timestamp::from_unix_seconds(1_593_000_000);
//! let mut v = HomeVisit::request(person, person, "卧床，无法拍照", now).unwrap();
//! v.assign("clerk-7", now).unwrap();
//! v.record("clerk-7", VisitOutcome::Certified, now).unwrap();
//! assert!(matches!(v.state, VisitState::Done { .. }));
//! ```

use crate::id::ResidentId;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// The longest reason a requester may give, in characters.
pub const MAX_REASON_CHARS: usize = 200;

/// What staff found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum VisitOutcome {
    /// The person, alive, seen by staff: a certification by home visit.
    Certified,
    /// Nobody at home: the visit is done; a new request can be made.
    NotAtHome,
    /// The person has died.
    Deceased {
        /// The date of death as staff learned it.
        died_on: ::time::Date,
    },
}

/// Where a visit stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum VisitState {
    /// Asked for, nobody assigned yet.
    Requested,
    /// A staff member will go.
    Assigned {
        /// Who.
        staff_id: String,
        /// When they were assigned.
        at: Timestamp,
    },
    /// Visited.
    Done {
        /// What they found.
        #[serde(flatten)]
        outcome: VisitOutcome,
        /// Who went.
        staff_id: String,
        /// When it was recorded.
        at: Timestamp,
    },
    /// Withdrawn before the visit (by the requester or staff).
    Cancelled {
        /// Who withdrew it.
        by: String,
        /// When.
        at: Timestamp,
    },
}

/// A request for a home visit and its course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeVisit {
    /// The person to visit.
    pub person: ResidentId,
    /// The account that asked (the person, or a relative acting for them).
    pub requested_by: ResidentId,
    /// When.
    pub requested_at: Timestamp,
    /// Why, in the requester's words (at most [`MAX_REASON_CHARS`]).
    pub reason: String,
    /// Where it stands.
    pub state: VisitState,
}

/// Why a visit step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VisitError {
    /// The reason is longer than [`MAX_REASON_CHARS`].
    #[error("the reason is longer than {MAX_REASON_CHARS} characters")]
    ReasonTooLong,
    /// The visit is done or cancelled.
    #[error("the visit is already closed")]
    Closed,
    /// An outcome is recorded only for a visit assigned to the one recording it.
    #[error("the visit is not assigned to this staff member")]
    NotAssigned,
}

impl VisitError {
    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            VisitError::ReasonTooLong => "visit_reason_too_long",
            VisitError::Closed => "visit_closed",
            VisitError::NotAssigned => "visit_not_assigned",
        }
    }
}

impl HomeVisit {
    /// A new request for `person` by `requested_by` (the host has checked that
    /// `requested_by` may act for `person`). Control characters in `reason` are dropped.
    pub fn request(
        person: ResidentId,
        requested_by: ResidentId,
        reason: &str,
        now: Timestamp,
    ) -> Result<Self, VisitError> {
        let reason: String = reason.trim().chars().filter(|c| !c.is_control()).collect();
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(VisitError::ReasonTooLong);
        }
        Ok(Self {
            person,
            requested_by,
            requested_at: now,
            reason,
            state: VisitState::Requested,
        })
    }

    /// Whether the visit is still to be made.
    pub fn is_open(&self) -> bool {
        matches!(self.state, VisitState::Requested | VisitState::Assigned { .. })
    }

    /// Assign (or reassign) the visit to `staff_id`.
    pub fn assign(&mut self, staff_id: &str, now: Timestamp) -> Result<(), VisitError> {
        if !self.is_open() {
            return Err(VisitError::Closed);
        }
        self.state = VisitState::Assigned {
            staff_id: staff_id.to_owned(),
            at: now,
        };
        Ok(())
    }

    /// Record what `staff_id`, to whom the visit is assigned, found.
    pub fn record(&mut self, staff_id: &str, outcome: VisitOutcome, now: Timestamp) -> Result<(), VisitError> {
        match &self.state {
            VisitState::Assigned { staff_id: assigned, .. } if assigned == staff_id => {
                self.state = VisitState::Done {
                    outcome,
                    staff_id: staff_id.to_owned(),
                    at: now,
                };
                Ok(())
            }
            VisitState::Requested | VisitState::Assigned { .. } => Err(VisitError::NotAssigned),
            _ => Err(VisitError::Closed),
        }
    }

    /// Withdraw the visit before it is made.
    pub fn cancel(&mut self, by: &str, now: Timestamp) -> Result<(), VisitError> {
        if !self.is_open() {
            return Err(VisitError::Closed);
        }
        self.state = VisitState::Cancelled {
            by: by.to_owned(),
            at: now,
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit() -> HomeVisit {
        let p = ResidentId::parse("610526194801023310").unwrap();
        HomeVisit::request(p, p, "卧床\u{0007}不起", Timestamp::from_unix_seconds(100)).unwrap()
    }

    #[test]
    fn a_visit_goes_requested_assigned_done_and_then_stays_closed() {
        let mut v = visit();
        assert_eq!(v.reason, "卧床不起");
        assert_eq!(
            v.record("clerk-1", VisitOutcome::Certified, Timestamp::from_unix_seconds(150)),
            Err(VisitError::NotAssigned)
        );
        v.assign("clerk-1", Timestamp::from_unix_seconds(200)).unwrap();
        v.assign("clerk-2", Timestamp::from_unix_seconds(250)).unwrap();
        assert_eq!(
            v.record("clerk-1", VisitOutcome::NotAtHome, Timestamp::from_unix_seconds(300)),
            Err(VisitError::NotAssigned),
            "only the assigned clerk records"
        );
        v.record("clerk-2", VisitOutcome::NotAtHome, Timestamp::from_unix_seconds(300))
            .unwrap();
        assert!(!v.is_open());
        assert_eq!(
            v.assign("clerk-1", Timestamp::from_unix_seconds(400)),
            Err(VisitError::Closed)
        );
        assert_eq!(
            v.cancel("x", Timestamp::from_unix_seconds(400)),
            Err(VisitError::Closed)
        );
        assert_eq!(
            v.record("clerk-2", VisitOutcome::Certified, Timestamp::from_unix_seconds(400)),
            Err(VisitError::Closed)
        );
    }

    #[test]
    fn long_reasons_are_refused_and_outcomes_round_trip() {
        let p = ResidentId::parse("610526194801023310").unwrap();
        let long = "病".repeat(MAX_REASON_CHARS + 1);
        assert_eq!(
            HomeVisit::request(p, p, &long, Timestamp::from_unix_seconds(1)),
            Err(VisitError::ReasonTooLong)
        );
        let mut v = visit();
        v.assign("c", Timestamp::from_unix_seconds(2)).unwrap();
        let died_on = ::time::macros::date!(2020 - 06 - 01);
        v.record("c", VisitOutcome::Deceased { died_on }, Timestamp::from_unix_seconds(3))
            .unwrap();
        let json = serde_json::to_string(&v).unwrap();
        assert!(
            json.contains(r#""outcome":"deceased","died_on":"2020-06-01""#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<HomeVisit>(&json).unwrap(), v);
    }
}
