//! Enrollment review (seed 000 §三.(二)): 3 failed automatic reviews → manual review, no
#![allow(clippy::unwrap_used)]
//! more uploads; not approved within a week → re-enroll; approved → may certify.

mod common;

use certify_core::biometric::{Modality, ReviewIssue};
use certify_core::enrollment::*;
use common::*;
use proptest::prelude::*;

const DAY: i64 = 24 * HOUR;

fn fail(issue: ReviewIssue) -> AutomaticReview {
    AutomaticReview::Failed { issues: vec![issue] }
}

#[test]
fn pass_on_first_upload_approves() {
    let mut c = EnrollmentCase::new(Modality::Face);
    let ev = c
        .submit(
            AutomaticReview::Passed {
                template_ref: "tpl-1".into(),
            },
            T0,
        )
        .unwrap();
    assert_eq!(ev.len(), 2);
    assert!(matches!(
        ev[1],
        EnrollmentEvent::Approved {
            by: ApprovedBy::Automatic,
            ..
        }
    ));
    assert!(c.may_certify());
    assert_eq!(
        c.submit(fail(ReviewIssue::TooDark), T0).unwrap_err(),
        EnrollmentError::AlreadyApproved
    );
}

// "如3次上传照片不能建模成功，则不能继续上传，需通过后台软件工程师进行审核"
#[test]
fn three_failed_uploads_close_uploads_and_open_manual_review() {
    let mut c = EnrollmentCase::new(Modality::Face);
    c.submit(fail(ReviewIssue::TooDark), T0).unwrap();
    c.submit(fail(ReviewIssue::Blurred), T0.plus_seconds(60)).unwrap();
    assert_eq!(c.state, EnrollmentState::Collecting { failures: 2 });
    let ev = c
        .submit(fail(ReviewIssue::BadProportion), T0.plus_seconds(120))
        .unwrap();
    assert_eq!(
        c.state,
        EnrollmentState::ManualReview {
            since: T0.plus_seconds(120),
            reasons: Vec::new(),
        }
    );
    assert!(ev.contains(&EnrollmentEvent::SentToManualReview {
        at: T0.plus_seconds(120),
        decide_by: T0.plus_seconds(120 + 7 * DAY),
        reasons: Vec::new(),
    }));
    // Face enrollment failing offers voice enrollment (seed 000 §一.(二)).
    assert!(ev.contains(&EnrollmentEvent::VoiceEnrollmentOffered {
        at: T0.plus_seconds(120)
    }));
    assert_eq!(
        c.submit(
            AutomaticReview::Passed {
                template_ref: "t".into()
            },
            T0.plus_seconds(180)
        )
        .unwrap_err(),
        EnrollmentError::UploadsClosed
    );
    assert!(!c.may_certify());
}

// "一周后如审核不通过，需要重新建模；审核通过则可以进行人脸认证"
#[test]
fn staff_approval_within_the_week() {
    let mut c = manual_case(Modality::Face);
    let ev = c
        .decide(
            ManualDecision::Approve {
                template_ref: "tpl-9".into(),
            },
            "staff-7",
            T0.plus_seconds(7 * DAY - 1),
        )
        .unwrap();
    assert!(ev.contains(&EnrollmentEvent::DiscardHeldUploads {
        at: T0.plus_seconds(7 * DAY - 1)
    }));
    assert!(c.may_certify());
    assert_eq!(c.template_ref.as_deref(), Some("tpl-9"));
}

#[test]
fn no_approval_within_the_week_means_reenroll() {
    let mut c = manual_case(Modality::Face);
    assert_eq!(
        c.decide(
            ManualDecision::Approve {
                template_ref: "t".into()
            },
            "staff-7",
            T0.plus_seconds(7 * DAY)
        )
        .unwrap_err(),
        EnrollmentError::ReviewExpired
    );
    assert_eq!(
        c.state,
        EnrollmentState::MustReenroll {
            reason: ReenrollReason::ManualReviewExpired
        }
    );
    // Re-enrollment starts a new round with three fresh attempts.
    let ev = c.submit(fail(ReviewIssue::NoFace), T0.plus_seconds(8 * DAY)).unwrap();
    assert!(matches!(ev[0], EnrollmentEvent::RoundStarted { .. }));
    assert_eq!(c.state, EnrollmentState::Collecting { failures: 1 });
}

#[test]
fn advance_expires_a_forgotten_case() {
    let mut c = manual_case(Modality::Voice);
    assert!(c.advance(T0.plus_seconds(6 * DAY)).is_empty());
    let ev = c.advance(T0.plus_seconds(7 * DAY));
    assert_eq!(
        ev[0],
        EnrollmentEvent::ManualReviewExpired {
            at: T0.plus_seconds(7 * DAY)
        }
    );
    // Voice cases do not offer voice again.
    assert!(
        !ev.iter()
            .any(|e| matches!(e, EnrollmentEvent::VoiceEnrollmentOffered { .. }))
    );
}

#[test]
fn staff_rejection_means_reenroll_and_no_decision_outside_manual_review() {
    let mut c = manual_case(Modality::Face);
    c.decide(
        ManualDecision::Reject {
            reason: "card photo unreadable".into(),
        },
        "staff-7",
        T0.plus_seconds(DAY),
    )
    .unwrap();
    assert_eq!(
        c.state,
        EnrollmentState::MustReenroll {
            reason: ReenrollReason::RejectedByStaff
        }
    );
    assert_eq!(
        c.decide(
            ManualDecision::Reject { reason: "again".into() },
            "staff-7",
            T0.plus_seconds(DAY)
        )
        .unwrap_err(),
        EnrollmentError::NotInManualReview
    );
}

/// A case in manual review since T0.
fn manual_case(m: Modality) -> EnrollmentCase {
    let mut c = EnrollmentCase::new(m);
    for _ in 0..3 {
        c.submit(fail(ReviewIssue::FaceMismatch), T0).unwrap();
    }
    c
}

proptest! {
    // Over any sequence of reviews and waits: uploads are refused exactly while in manual
    // review; approval only comes from a pass or from staff; never more than 3 failures.
    #[test]
    fn enrollment_invariants(steps in prop::collection::vec((0u8..4, 0i64..(3 * DAY)), 1..30)) {
        let mut c = EnrollmentCase::new(Modality::Face);
        let mut now = T0;
        for (action, wait) in steps {
            now = now.plus_seconds(wait);
            let before = c.clone();
            let result = match action {
                0 => c.submit(fail(ReviewIssue::TooDark), now),
                1 => c.submit(AutomaticReview::Passed { template_ref: "t".into() }, now),
                2 => c.decide(ManualDecision::Approve { template_ref: "s".into() }, "staff", now),
                _ => c.decide(ManualDecision::Reject { reason: "r".into() }, "staff", now),
            };
            if let EnrollmentState::Collecting { failures } = c.state { prop_assert!(failures < 3); }
            match (&before.state, action, &result) {
                (EnrollmentState::ManualReview { since, .. }, 0 | 1, _) if now.seconds_since(*since) < MANUAL_REVIEW_SECONDS => {
                    prop_assert_eq!(result.clone().unwrap_err(), EnrollmentError::UploadsClosed);
                }
                (EnrollmentState::ManualReview { since, .. }, 2, Ok(_)) => {
                    prop_assert!(now.seconds_since(*since) < MANUAL_REVIEW_SECONDS);
                    prop_assert!(c.may_certify());
                }
                _ => {}
            }
            if c.may_certify() && !before.may_certify() {
                prop_assert!(action == 1 || action == 2);
            }
        }
    }
}

fn passed() -> AutomaticReview {
    AutomaticReview::Passed {
        template_ref: "tpl".into(),
    }
}

fn proxy() -> Submitter {
    Submitter::Proxy {
        id: certify_core::id::ResidentId::parse("610526195503011236").unwrap(),
    }
}

// The defect: three junk uploads by someone else locked a person's enrollment for a week.
#[test]
fn a_proxys_failed_uploads_never_lock_the_persons_enrollment() {
    let mut c = EnrollmentCase::new(Modality::Face);
    for _ in 0..10 {
        c.submit_by(proxy(), fail(ReviewIssue::TooDark), Vec::new(), T0)
            .unwrap();
    }
    assert_eq!(c.state, EnrollmentState::Collecting { failures: 0 });
    // The person's own uploads still count as before.
    c.submit(fail(ReviewIssue::TooDark), T0).unwrap();
    assert_eq!(c.state, EnrollmentState::Collecting { failures: 1 });
}

// The defect: a stranger added as "contact" enrolled their own face for a pensioner and it
// was approved automatically; the real person then got 411 on their own enrollment.
#[test]
fn a_proxys_passing_upload_waits_for_staff_and_the_persons_own_upload_replaces_it() {
    let mut c = EnrollmentCase::new(Modality::Face);
    let ev = c.submit_by(proxy(), passed(), Vec::new(), T0).unwrap();
    assert!(!c.may_certify());
    assert!(matches!(c.hold_reasons(), [HoldReason::EnrolledByProxy { .. }]));
    assert!(
        ev.iter()
            .any(|e| matches!(e, EnrollmentEvent::SentToManualReview { reasons, .. } if !reasons.is_empty()))
    );
    // The proxy cannot push another upload over it…
    assert_eq!(
        c.submit_by(proxy(), passed(), Vec::new(), T0).unwrap_err(),
        EnrollmentError::UploadsClosed
    );
    // …but the person's own upload replaces it (and is approved on its own merits).
    let ev = c.submit(passed(), T0.plus_seconds(HOUR)).unwrap();
    assert!(
        ev.iter()
            .any(|e| matches!(e, EnrollmentEvent::ProxySubmissionReplaced { .. }))
    );
    assert!(
        ev.iter()
            .any(|e| matches!(e, EnrollmentEvent::DiscardHeldUploads { .. }))
    );
    assert!(c.may_certify());
}

#[test]
fn a_passing_upload_with_a_hold_reason_goes_to_staff_and_staff_decide() {
    for hold in [
        HoldReason::NoAuthoritativePortrait,
        HoldReason::DuplicateFace {
            other: certify_core::id::ResidentId::parse("610526195207152042").unwrap(),
            distance_milli: 310,
        },
    ] {
        let mut c = EnrollmentCase::new(Modality::Face);
        c.submit_by(Submitter::Person, passed(), vec![hold.clone()], T0)
            .unwrap();
        assert_eq!(c.hold_reasons(), [hold]);
        assert_eq!(
            c.submit(passed(), T0).unwrap_err(),
            EnrollmentError::UploadsClosed,
            "the person's own hold is not replaced by uploading again"
        );
        c.decide(
            ManualDecision::Approve {
                template_ref: "staff-tpl".into(),
            },
            "reviewer1",
            T0.plus_seconds(DAY),
        )
        .unwrap();
        assert!(c.may_certify());
    }
}

#[test]
fn staff_revoke_an_enrollment_and_the_person_enrolls_again() {
    let mut c = EnrollmentCase::new(Modality::Face);
    assert_eq!(
        c.revoke("admin", "fraud", T0).unwrap_err(),
        EnrollmentError::NotApproved
    );
    c.submit(passed(), T0).unwrap();
    let ev = c.revoke("admin", "reported fraud", T0.plus_seconds(DAY)).unwrap();
    assert!(matches!(&ev[0], EnrollmentEvent::Revoked { template_ref: Some(t), .. } if t == "tpl"));
    assert!(!c.may_certify());
    assert_eq!(c.template_ref, None);
    c.submit(passed(), T0.plus_seconds(2 * DAY)).unwrap();
    assert!(c.may_certify());
}

#[test]
fn old_stored_manual_cases_still_load() {
    let old = r#"{"modality":"face","state":{"state":"manual_review","since":1591322400},"template_ref":null}"#;
    let c: EnrollmentCase = serde_json::from_str(old).unwrap();
    assert!(c.hold_reasons().is_empty());
}

#[test]
fn enrollment_needs_real_name_first() {
    let mut account = certify_core::account::Account {
        holder_id: certify_core::id::ResidentId::parse("610526195503011236").unwrap(),
        holder_name: certify_core::name::PersonName::new("王建国").unwrap(),
        phone: None,
        phone_owner: certify_core::account::PhoneOwner::Holder,
        password_hash: None,
        failed_logins: 0,
        locked_until: None,
        created_at: T0,
        real_name_verified_at: None,
        failed_pins: 0,
        pin_locked_until: None,
    };
    assert_eq!(require_real_name(&account), Err(EnrollmentError::RealNameRequired));
    account.real_name_verified_at = Some(T0);
    assert_eq!(require_real_name(&account), Ok(()));
}
