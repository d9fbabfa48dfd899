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
            since: T0.plus_seconds(120)
        }
    );
    assert!(ev.contains(&EnrollmentEvent::SentToManualReview {
        at: T0.plus_seconds(120),
        decide_by: T0.plus_seconds(120 + 7 * DAY)
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
                (EnrollmentState::ManualReview { since }, 0 | 1, _) if now.seconds_since(*since) < MANUAL_REVIEW_SECONDS => {
                    prop_assert_eq!(result.clone().unwrap_err(), EnrollmentError::UploadsClosed);
                }
                (EnrollmentState::ManualReview { since }, 2, Ok(_)) => {
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
