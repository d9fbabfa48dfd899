//! Face and voice enrollment review (人脸建模 / 语音建模, seed 000 §三.(二)).
//!
//! Uploads are reviewed automatically. After 3 failed automatic reviews no more uploads
//! are taken and the case goes to manual review by staff. A manual case not approved
//! within a week must re-enroll; an approved case may certify. Someone whose face
//! enrollment fails is offered voice enrollment.
//!
//! Identity rules (who may enrol whom): the submitter's account must have passed real-name
//! verification first ([`require_real_name`]); an upload that passes the automatic review
//! still goes to staff when the host has a reason to hold it ([`HoldReason`]: made by a
//! proxy, no authoritative portrait to compare with, the face already enrolled for another
//! person); a proxy's failed uploads never count towards the person's three failures, and
//! the person's own upload replaces a proxy's pending one, so nobody else can lock a
//! person's enrollment. Staff can revoke an approved enrollment ([`EnrollmentCase::revoke`]).

use crate::biometric::{Modality, ReviewIssue};
use crate::id::ResidentId;
use crate::time::{DAY_SECONDS, Timestamp};
use serde::{Deserialize, Serialize};

/// Failed automatic reviews after which uploads stop and staff review the case.
pub const MAX_AUTOMATIC_FAILURES: u8 = 3;
/// How long staff have to approve a manual case ("一周").
pub const MANUAL_REVIEW_SECONDS: i64 = 7 * DAY_SECONDS;

/// Where an enrollment case stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum EnrollmentState {
    /// Taking uploads; `failures` automatic reviews have failed so far.
    Collecting {
        /// Failed automatic reviews in this round.
        failures: u8,
    },
    /// Uploads refused; waiting for staff since `since`.
    ManualReview {
        /// When the case entered manual review.
        since: Timestamp,
        /// Why staff must look (empty: three failed automatic reviews, as before).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        reasons: Vec<HoldReason>,
    },
    /// Enrolled: may certify with this modality.
    Approved {
        /// When.
        at: Timestamp,
        /// Automatically or by staff.
        by: ApprovedBy,
    },
    /// Must enroll again from the start.
    MustReenroll {
        /// Why.
        reason: ReenrollReason,
    },
}

/// Why an upload that passed the automatic review still goes to staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "hold", rename_all = "snake_case")]
pub enum HoldReason {
    /// A relative (proxy) made the upload, not the person.
    EnrolledByProxy {
        /// The proxy's identity number.
        by: ResidentId,
    },
    /// No portrait from an authority (card photo store, police photo check, counter photo)
    /// to compare with: only the client's own card image, which anyone can make.
    NoAuthoritativePortrait,
    /// The face is close to the enrolled face of another person (1:N search).
    DuplicateFace {
        /// The other person.
        other: ResidentId,
        /// Face distance × 1000 (smaller is more alike).
        distance_milli: u32,
    },
}

/// Who made an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Submitter {
    /// The person themself.
    Person,
    /// A relative acting for them.
    Proxy {
        /// The relative's identity number.
        id: ResidentId,
    },
}

/// Who approved an enrollment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum ApprovedBy {
    /// The automatic review.
    Automatic,
    /// A staff member.
    Staff {
        /// Staff identifier.
        staff_id: String,
    },
}

/// Why a person must enroll again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReenrollReason {
    /// Staff rejected the case.
    RejectedByStaff,
    /// Staff did not approve within a week.
    ManualReviewExpired,
    /// Staff revoked an approved enrollment (reported fraud, a face changed by illness).
    RevokedByStaff,
}

/// The result of one automatic review, from the face or voice engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum AutomaticReview {
    /// Passed; the template (stored apart from identity by the host) is referenced.
    Passed {
        /// The host's reference to the stored template.
        template_ref: String,
    },
    /// Failed, with reasons the person can act on.
    Failed {
        /// What to fix.
        issues: Vec<ReviewIssue>,
    },
}

/// A staff decision on a manual case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum ManualDecision {
    /// Approve; the template the staff member accepted is referenced.
    Approve {
        /// The host's reference to the stored template.
        template_ref: String,
    },
    /// Reject; the person must re-enroll.
    Reject {
        /// Reason shown to the person.
        reason: String,
    },
}

/// Something that happened to an enrollment case, for the host to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EnrollmentEvent {
    /// A new round of uploads began (first enrollment or re-enrollment).
    RoundStarted {
        /// When.
        at: Timestamp,
    },
    /// An automatic review failed.
    AutomaticReviewFailed {
        /// When.
        at: Timestamp,
        /// Failures in this round so far.
        failures: u8,
        /// What to fix.
        issues: Vec<ReviewIssue>,
    },
    /// The case went to manual review; uploads now refused.
    SentToManualReview {
        /// When.
        at: Timestamp,
        /// Staff must decide by this instant.
        decide_by: Timestamp,
        /// Why (empty: three failed automatic reviews).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        reasons: Vec<HoldReason>,
    },
    /// The person's own upload replaced a proxy's upload that was waiting for staff.
    ProxySubmissionReplaced {
        /// When.
        at: Timestamp,
    },
    /// Staff revoked the enrollment; the template must be deleted and the person may enrol
    /// again.
    Revoked {
        /// When.
        at: Timestamp,
        /// Staff identifier.
        staff_id: String,
        /// Reason.
        reason: String,
        /// The template to delete.
        template_ref: Option<String>,
    },
    /// Enrolled.
    Approved {
        /// When.
        at: Timestamp,
        /// By whom.
        by: ApprovedBy,
        /// The template reference.
        template_ref: String,
    },
    /// Staff rejected the case.
    Rejected {
        /// When.
        at: Timestamp,
        /// Staff identifier.
        staff_id: String,
        /// Reason.
        reason: String,
    },
    /// The week for manual review passed without approval.
    ManualReviewExpired {
        /// When noticed.
        at: Timestamp,
    },
    /// Held uploads for manual review may now be deleted (the case closed).
    DiscardHeldUploads {
        /// When.
        at: Timestamp,
    },
    /// Face enrollment failed: offer voice enrollment instead (seed 000 §一.(二)).
    VoiceEnrollmentOffered {
        /// When.
        at: Timestamp,
    },
}

/// Why an enrollment action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnrollmentError {
    /// 3 automatic reviews failed: no more uploads; staff are reviewing.
    #[error("uploads are closed after 3 failed automatic reviews; staff will review the case within a week")]
    UploadsClosed,
    /// Already enrolled.
    #[error("already enrolled")]
    AlreadyApproved,
    /// The case is not waiting for staff.
    #[error("the case is not in manual review")]
    NotInManualReview,
    /// The week has passed; the person must re-enroll.
    #[error("the manual review week has passed; the person must enroll again")]
    ReviewExpired,
    /// The submitter's account has not passed real-name verification (seed 003: real
    /// name first).
    #[error("complete real-name verification before enrolling")]
    RealNameRequired,
    /// Only an approved enrollment can be revoked.
    #[error("the enrollment is not approved")]
    NotApproved,
}

impl EnrollmentError {
    /// A stable snake_case code for this error.
    pub const fn code(&self) -> &'static str {
        match self {
            EnrollmentError::UploadsClosed => "uploads_closed",
            EnrollmentError::AlreadyApproved => "already_enrolled",
            EnrollmentError::NotInManualReview => "not_in_manual_review",
            EnrollmentError::ReviewExpired => "manual_review_expired",
            EnrollmentError::RealNameRequired => "real_name_required",
            EnrollmentError::NotApproved => "not_approved",
        }
    }
}

/// One person's enrollment for one modality, as the host stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentCase {
    /// Face or voice.
    pub modality: Modality,
    /// Where it stands.
    pub state: EnrollmentState,
    /// The approved template's reference, when approved.
    pub template_ref: Option<String>,
}

impl EnrollmentCase {
    /// A new case, ready for uploads.
    pub fn new(modality: Modality) -> Self {
        Self {
            modality,
            state: EnrollmentState::Collecting { failures: 0 },
            template_ref: None,
        }
    }

    /// Whether the person may certify with this modality.
    pub fn may_certify(&self) -> bool {
        matches!(self.state, EnrollmentState::Approved { .. })
    }

    /// Apply the passage of time: a manual case older than a week expires. Call before
    /// showing or changing a case; returns the events (empty when nothing changed).
    pub fn advance(&mut self, now: Timestamp) -> Vec<EnrollmentEvent> {
        match self.state {
            EnrollmentState::ManualReview { since, .. } if now.seconds_since(since) >= MANUAL_REVIEW_SECONDS => {
                self.state = EnrollmentState::MustReenroll {
                    reason: ReenrollReason::ManualReviewExpired,
                };
                let mut events = vec![
                    EnrollmentEvent::ManualReviewExpired { at: now },
                    EnrollmentEvent::DiscardHeldUploads { at: now },
                ];
                if self.modality == Modality::Face {
                    events.push(EnrollmentEvent::VoiceEnrollmentOffered { at: now });
                }
                events
            }
            _ => Vec::new(),
        }
    }

    /// Record the automatic review of the person's own upload, with no reason to hold it.
    pub fn submit(&mut self, review: AutomaticReview, now: Timestamp) -> Result<Vec<EnrollmentEvent>, EnrollmentError> {
        self.submit_by(Submitter::Person, review, Vec::new(), now)
    }

    /// Record the automatic review of one upload by `submitter`, with the host's reasons to
    /// hold a passing upload for staff (`holds`). A proxy adds
    /// [`HoldReason::EnrolledByProxy`] itself. A proxy's failed upload is reported but does
    /// not count; the person's own upload replaces a proxy's upload waiting for staff.
    pub fn submit_by(
        &mut self,
        submitter: Submitter,
        review: AutomaticReview,
        mut holds: Vec<HoldReason>,
        now: Timestamp,
    ) -> Result<Vec<EnrollmentEvent>, EnrollmentError> {
        let mut events = self.advance(now);
        if let (Submitter::Person, EnrollmentState::ManualReview { reasons, .. }) = (submitter, &self.state) {
            if reasons.iter().any(|r| matches!(r, HoldReason::EnrolledByProxy { .. })) {
                self.state = EnrollmentState::Collecting { failures: 0 };
                events.push(EnrollmentEvent::ProxySubmissionReplaced { at: now });
                events.push(EnrollmentEvent::DiscardHeldUploads { at: now });
            }
        }
        let failures = match self.state {
            EnrollmentState::Collecting { failures } => failures,
            EnrollmentState::MustReenroll { .. } => 0,
            EnrollmentState::ManualReview { .. } => return Err(EnrollmentError::UploadsClosed),
            EnrollmentState::Approved { .. } => return Err(EnrollmentError::AlreadyApproved),
        };
        if let Submitter::Proxy { id } = submitter {
            holds.insert(0, HoldReason::EnrolledByProxy { by: id });
        }
        if failures == 0 {
            events.push(EnrollmentEvent::RoundStarted { at: now });
        }
        match review {
            AutomaticReview::Passed { .. } if !holds.is_empty() => {
                // The template is not approved: staff decide with the held uploads.
                self.state = EnrollmentState::ManualReview {
                    since: now,
                    reasons: holds.clone(),
                };
                events.push(EnrollmentEvent::SentToManualReview {
                    at: now,
                    decide_by: now.plus_seconds(MANUAL_REVIEW_SECONDS),
                    reasons: holds,
                });
            }
            AutomaticReview::Failed { issues } if matches!(submitter, Submitter::Proxy { .. }) => {
                // Reported to the proxy; the person's count is untouched.
                events.push(EnrollmentEvent::AutomaticReviewFailed {
                    at: now,
                    failures,
                    issues,
                });
            }
            AutomaticReview::Passed { template_ref } => {
                self.state = EnrollmentState::Approved {
                    at: now,
                    by: ApprovedBy::Automatic,
                };
                self.template_ref = Some(template_ref.clone());
                events.push(EnrollmentEvent::Approved {
                    at: now,
                    by: ApprovedBy::Automatic,
                    template_ref,
                });
            }
            AutomaticReview::Failed { issues } => {
                let failures = failures + 1;
                events.push(EnrollmentEvent::AutomaticReviewFailed {
                    at: now,
                    failures,
                    issues,
                });
                if failures >= MAX_AUTOMATIC_FAILURES {
                    self.state = EnrollmentState::ManualReview {
                        since: now,
                        reasons: Vec::new(),
                    };
                    events.push(EnrollmentEvent::SentToManualReview {
                        at: now,
                        decide_by: now.plus_seconds(MANUAL_REVIEW_SECONDS),
                        reasons: Vec::new(),
                    });
                    if self.modality == Modality::Face {
                        events.push(EnrollmentEvent::VoiceEnrollmentOffered { at: now });
                    }
                } else {
                    self.state = EnrollmentState::Collecting { failures };
                }
            }
        }
        Ok(events)
    }

    /// A staff decision on a case in manual review, within the week.
    pub fn decide(
        &mut self,
        decision: ManualDecision,
        staff_id: &str,
        now: Timestamp,
    ) -> Result<Vec<EnrollmentEvent>, EnrollmentError> {
        let expired = self.advance(now);
        if !expired.is_empty() {
            // The week is over: the decision comes too late; the case already expired.
            return Err(EnrollmentError::ReviewExpired);
        }
        if !matches!(self.state, EnrollmentState::ManualReview { .. }) {
            return Err(EnrollmentError::NotInManualReview);
        }
        let by = ApprovedBy::Staff {
            staff_id: staff_id.to_owned(),
        };
        let event = match decision {
            ManualDecision::Approve { template_ref } => {
                self.state = EnrollmentState::Approved {
                    at: now,
                    by: by.clone(),
                };
                self.template_ref = Some(template_ref.clone());
                EnrollmentEvent::Approved {
                    at: now,
                    by,
                    template_ref,
                }
            }
            ManualDecision::Reject { reason } => {
                self.state = EnrollmentState::MustReenroll {
                    reason: ReenrollReason::RejectedByStaff,
                };
                EnrollmentEvent::Rejected {
                    at: now,
                    staff_id: staff_id.to_owned(),
                    reason,
                }
            }
        };
        Ok(vec![event, EnrollmentEvent::DiscardHeldUploads { at: now }])
    }

    /// Staff revoke an approved enrollment (reported fraud; a face changed by illness, seed
    /// 003 常见问题 5): the template is to be deleted and the person may enrol again.
    pub fn revoke(
        &mut self,
        staff_id: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<Vec<EnrollmentEvent>, EnrollmentError> {
        if !self.may_certify() {
            return Err(EnrollmentError::NotApproved);
        }
        let template_ref = self.template_ref.take();
        self.state = EnrollmentState::MustReenroll {
            reason: ReenrollReason::RevokedByStaff,
        };
        Ok(vec![EnrollmentEvent::Revoked {
            at: now,
            staff_id: staff_id.to_owned(),
            reason: reason.to_owned(),
            template_ref,
        }])
    }

    /// Why staff are asked to look at this case (empty unless it is held for a reason).
    pub fn hold_reasons(&self) -> &[HoldReason] {
        match &self.state {
            EnrollmentState::ManualReview { reasons, .. } => reasons,
            _ => &[],
        }
    }
}

/// Enrolment needs the submitter's real name verified first (seed 003: 实名认证 before
/// 人脸采集): a stranger who only knows a name and number cannot start one.
pub fn require_real_name(submitter: &crate::account::Account) -> Result<(), EnrollmentError> {
    if submitter.real_name_verified_at.is_some() {
        Ok(())
    } else {
        Err(EnrollmentError::RealNameRequired)
    }
}
