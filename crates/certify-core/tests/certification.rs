//! Certification, proxy, eligibility, history and the deadline run: the seeds' own cases.
#![allow(clippy::unwrap_used)]

mod common;

use certify_core::account::Account;
use certify_core::biometric::{MatchDecision, Modality};
use certify_core::certification::*;
use certify_core::cycle::CyclePolicy;
use certify_core::deadline::{PayrollRow, RunDecision, RunSummary, decide};
use certify_core::enrollment::{AutomaticReview, EnrollmentCase};
use certify_core::evidence::{Challenge, EvidenceClaims, EvidenceSigner, EvidenceVerifier, MemoryReplayGuard};
use certify_core::id::ResidentId;
use certify_core::money::Fen;
use certify_core::payment::{PaymentStatus, Suspension, SuspensionReason};
use certify_core::roster::{RosterEntry, RosterError, Scheme};
use certify_core::time::{Timestamp, YearMonth};
use common::*;
use proptest::prelude::*;
use time::Date;
use time::macros::date;

fn ym(y: i32, m: u8) -> YearMonth {
    YearMonth::new(y, m).unwrap()
}

fn verified_account(e: &RosterEntry) -> Account {
    let mut a = Account::from_card(e, T0);
    a.real_name_verified_at = Some(T0);
    a
}

fn enrolled(m: Modality) -> EnrollmentCase {
    let mut c = EnrollmentCase::new(m);
    c.submit(
        AutomaticReview::Passed {
            template_ref: "t".into(),
        },
        T0,
    )
    .unwrap();
    c
}

/// Evidence as the verifier returns it, produced through a real sign/verify round trip.
fn evidence(subject: ResidentId, operator: ResidentId, decision: MatchDecision, at: Timestamp) -> EvidenceClaims {
    let mut r = rng();
    let signer = EvidenceSigner::generate(&mut r);
    let verifier = EvidenceVerifier::from_public_key(signer.public_key()).unwrap();
    let ch = Challenge::issue(subject, Modality::Face, at, 300, &mut r);
    let claims = EvidenceClaims {
        subject,
        operator,
        modality: Modality::Face,
        liveness_passed: true,
        decision,
        score_milli: 380,
        nonce: ch.nonce,
        issued_at: at,
        expires_at: at.plus_seconds(300),
        liveness_mode: Some(certify_core::liveness::LivenessMode::Actions),
        antispoof_milli: None,
    };
    verifier
        .verify(
            &signer.sign(&claims),
            &ch,
            at.plus_seconds(5),
            &mut MemoryReplayGuard::default(),
        )
        .unwrap()
}

fn facts<'a>(e: &'a RosterEntry, pay: &'a PaymentStatus, last: Option<Date>) -> PersonFacts<'a> {
    PersonFacts {
        person: &e.id,
        roster_entry: Some(e),
        scheme: e.scheme,
        payment: pay,
        last_certified: last,
    }
}

// Seed 003 §四.1: self-service face certification.
#[test]
fn holder_certifies_by_face() {
    let e = entry(
        &make_id("610526", "19520304", "123"),
        "刘晓瑜",
        Scheme::PublicInstitution,
    );
    let a = verified_account(&e);
    let now = T0;
    let ev = evidence(e.id, e.id, MatchDecision::Match, now);
    let rec = certify_by_app(
        &a,
        &[],
        &facts(&e, &PaymentStatus::Active, None),
        &enrolled(Modality::Face),
        &ev,
        Some("ev-1".into()),
        &CyclePolicy::pucheng_2020(),
        now,
    )
    .unwrap();
    assert_eq!(rec.method, Method::AppFace);
    assert_eq!(rec.operator, Operator::Holder);
    assert!(rec.passed());
    // "人脸与对比照片相似度低": a failed match does not certify.
    let bad = evidence(e.id, e.id, MatchDecision::NoMatch, now);
    let err = certify_by_app(
        &a,
        &[],
        &facts(&e, &PaymentStatus::Active, None),
        &enrolled(Modality::Face),
        &bad,
        None,
        &CyclePolicy::pucheng_2020(),
        now,
    );
    assert_eq!(err.unwrap_err(), CannotCertify::EvidenceFailed);
}

// Seed 003 §四.2 替亲友办理: a relative is added as a contact and certified on the operator's
// account; the face must be the relative's own; the record names the operator.
#[test]
fn proxy_certification_for_a_relative() {
    let child = entry(&make_id("610526", "19780512", "031"), "刘强", Scheme::PublicInstitution);
    let parent = entry(
        &make_id("610526", "19450101", "042"),
        "刘桂兰",
        Scheme::PublicInstitution,
    );
    let a = verified_account(&child);
    let mut contacts = Vec::new();
    assert_eq!(
        add_contact(&a, &mut contacts, "刘强", child.id.as_str(), Some(&child), T0).unwrap_err(),
        ContactError::IsHolder
    );
    assert_eq!(
        add_contact(&a, &mut contacts, "刘桂芳", parent.id.as_str(), Some(&parent), T0).unwrap_err(),
        ContactError::Roster(RosterError::NameMismatch)
    );
    add_contact(&a, &mut contacts, "劉桂蘭", parent.id.as_str(), Some(&parent), T0).unwrap();
    assert_eq!(
        add_contact(&a, &mut contacts, "刘桂兰", parent.id.as_str(), Some(&parent), T0).unwrap_err(),
        ContactError::Duplicate
    );
    let policy = CyclePolicy::pucheng_2020();
    let pay = PaymentStatus::Active;
    // Before the parent consents, the child may not certify for them (the defect: a
    // stranger who knew a name and number added a pensioner and certified them).
    let parents_face = evidence(parent.id, child.id, MatchDecision::Match, T0);
    assert_eq!(
        certify_by_app(
            &a,
            &contacts,
            &facts(&parent, &pay, None),
            &enrolled(Modality::Face),
            &parents_face,
            None,
            &policy,
            T0
        )
        .unwrap_err(),
        CannotCertify::NotAContact
    );
    assert_eq!(
        confirm_contact(&mut contacts, &child.id, ConsentBy::RelativesAccount, T0),
        Err(ContactError::NoSuchRequest)
    );
    confirm_contact(&mut contacts, &parent.id, ConsentBy::RelativesAccount, T0).unwrap();
    assert!(contacts[0].confirmed());
    // The child's own face for the parent's certification is refused.
    let own_face = evidence(child.id, child.id, MatchDecision::Match, T0);
    assert_eq!(
        certify_by_app(
            &a,
            &contacts,
            &facts(&parent, &pay, None),
            &enrolled(Modality::Face),
            &own_face,
            None,
            &policy,
            T0
        )
        .unwrap_err(),
        CannotCertify::BiometricsNotSubjects
    );
    let parents_face = evidence(parent.id, child.id, MatchDecision::Match, T0);
    let rec = certify_by_app(
        &a,
        &contacts,
        &facts(&parent, &pay, None),
        &enrolled(Modality::Face),
        &parents_face,
        None,
        &policy,
        T0,
    )
    .unwrap();
    assert_eq!(rec.person, parent.id);
    assert_eq!(
        rec.operator,
        Operator::Proxy {
            account_holder: child.id
        }
    );
    // A stranger who is not a contact cannot be certified from this account.
    let stranger = entry(&make_id("610526", "19460101", "053"), "赵四", Scheme::PublicInstitution);
    let ev = evidence(stranger.id, child.id, MatchDecision::Match, T0);
    assert_eq!(
        certify_by_app(
            &a,
            &contacts,
            &facts(&stranger, &pay, None),
            &enrolled(Modality::Face),
            &ev,
            None,
            &policy,
            T0
        )
        .unwrap_err(),
        CannotCertify::NotAContact
    );
}

#[test]
fn app_certification_needs_real_name_and_enrollment() {
    let e = entry(
        &make_id("610526", "19520304", "123"),
        "刘晓瑜",
        Scheme::PublicInstitution,
    );
    let mut a = verified_account(&e);
    let ev = evidence(e.id, e.id, MatchDecision::Match, T0);
    let pay = PaymentStatus::Active;
    let p = CyclePolicy::pucheng_2020();
    let not_enrolled = EnrollmentCase::new(Modality::Face);
    assert_eq!(
        certify_by_app(&a, &[], &facts(&e, &pay, None), &not_enrolled, &ev, None, &p, T0).unwrap_err(),
        CannotCertify::NotEnrolled(Modality::Face)
    );
    assert_eq!(
        certify_by_app(
            &a,
            &[],
            &facts(&e, &pay, None),
            &enrolled(Modality::Voice),
            &ev,
            None,
            &p,
            T0
        )
        .unwrap_err(),
        CannotCertify::NotEnrolled(Modality::Face)
    );
    a.real_name_verified_at = None;
    assert_eq!(
        certify_by_app(
            &a,
            &[],
            &facts(&e, &pay, None),
            &enrolled(Modality::Face),
            &ev,
            None,
            &p,
            T0
        )
        .unwrap_err(),
        CannotCertify::RealNameRequired
    );
}

// Seed 003 常见问题 7: the button is grey when (1) not a recipient of this scheme,
// (2) already certified this year by any method, (3) roster details differ.
#[test]
fn may_certify_reasons() {
    let e = entry(
        &make_id("610526", "19520304", "123"),
        "刘晓瑜",
        Scheme::PublicInstitution,
    );
    let p = CyclePolicy::pucheng_2020();
    let today = date!(2020 - 07 - 01);
    let active = PaymentStatus::Active;
    assert!(may_certify(&facts(&e, &active, None), &p, today).is_ok());
    let other_scheme = PersonFacts {
        scheme: Scheme::Enterprise,
        ..facts(&e, &active, None)
    };
    assert_eq!(
        may_certify(&other_scheme, &p, today).unwrap_err(),
        CannotCertify::NotThisScheme
    );
    let nobody = PersonFacts {
        roster_entry: None,
        ..facts(&e, &active, None)
    };
    assert_eq!(
        may_certify(&nobody, &p, today).unwrap_err(),
        CannotCertify::Roster(RosterError::NotFound)
    );
    assert_eq!(
        may_certify(&facts(&e, &active, Some(date!(2020 - 06 - 05))), &p, today).unwrap_err(),
        CannotCertify::AlreadyCertified {
            on: date!(2020 - 06 - 05)
        }
    );
    let detained = PaymentStatus::Suspended(Suspension {
        reason: SuspensionReason::CriminalDetention,
        from: ym(2020, 5),
    });
    assert_eq!(
        may_certify(&facts(&e, &detained, None), &p, today).unwrap_err(),
        CannotCertify::SuspendedForOtherReason(SuspensionReason::CriminalDetention)
    );
    let lapsed = PaymentStatus::Suspended(Suspension {
        reason: SuspensionReason::CertificationLapse,
        from: ym(2020, 8),
    });
    assert!(
        may_certify(
            &facts(&e, &lapsed, Some(date!(2019 - 06 - 05))),
            &p,
            date!(2020 - 09 - 01)
        )
        .is_ok()
    );
}

// DESIGN §1: data comparison (信息比对) certifies from dated evidence of life in the cycle.
#[test]
fn data_comparison_from_a_hospital_stay() {
    let e = entry(&make_id("150102", "19490701", "015"), "巴特尔", Scheme::Enterprise);
    let p = CyclePolicy::inner_mongolia();
    let pay = PaymentStatus::Active;
    let ev = |d: Date| LifeEvidence::new(e.id, d, "hospital_stay", "呼和浩特市第一医院", "adm-778").unwrap();
    let rec = certify_by_data_comparison(
        &facts(&e, &pay, None),
        &ev(date!(2019 - 04 - 02)),
        &p,
        date!(2019 - 05 - 01),
    )
    .unwrap();
    assert_eq!(rec.method, Method::DataComparison);
    assert_eq!(rec.at.china_date(), date!(2019 - 04 - 02));
    assert_eq!(
        rec.operator,
        Operator::DataFeed {
            source: "呼和浩特市第一医院".into()
        }
    );
    // Last year's stay, or a future date, does not certify this year.
    assert_eq!(
        certify_by_data_comparison(
            &facts(&e, &pay, None),
            &ev(date!(2018 - 12 - 30)),
            &p,
            date!(2019 - 05 - 01)
        )
        .unwrap_err(),
        CannotCertify::EvidenceOutOfCycle
    );
    assert_eq!(
        certify_by_data_comparison(
            &facts(&e, &pay, None),
            &ev(date!(2019 - 05 - 02)),
            &p,
            date!(2019 - 05 - 01)
        )
        .unwrap_err(),
        CannotCertify::EvidenceOutOfCycle
    );
}

// Seed 003 五 认证信息查询: every certification with date, method, operator, outcome.
#[test]
fn history_is_newest_first_and_per_person() {
    let e = entry(
        &make_id("610526", "19520304", "123"),
        "刘晓瑜",
        Scheme::PublicInstitution,
    );
    let other = entry(&make_id("610526", "19520304", "135"), "王五", Scheme::PublicInstitution);
    let rec = |p: &RosterEntry, t: i64, m: Method, ok: bool| CertificationRecord {
        person: p.id,
        at: T0.plus_seconds(t),
        method: m,
        operator: Operator::Staff { staff_id: "s1".into() },
        evidence_ref: None,
        outcome: if ok {
            Outcome::Passed
        } else {
            Outcome::Failed {
                reason: "too dark".into(),
            }
        },
    };
    let records = vec![
        rec(&e, 10, Method::OnSite, true),
        rec(&other, 20, Method::HomeVisit, true),
        rec(&e, 30, Method::AppFace, false),
    ];
    let h = history(&records, &e.id);
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].method, Method::AppFace);
    assert_eq!(last_certified(&records, &e.id), Some(T0.plus_seconds(10).china_date()));
    let staff = certify_by_staff(
        &facts(&e, &PaymentStatus::Active, None),
        Method::HomeVisit,
        "s9",
        Some("visit-1".into()),
        &CyclePolicy::pucheng_2020(),
        T0,
    )
    .unwrap();
    assert_eq!(staff.operator, Operator::Staff { staff_id: "s9".into() });
}

fn row(e: &RosterEntry, status: PaymentStatus) -> PayrollRow {
    PayrollRow {
        id: e.id,
        monthly_pension: e.monthly_pension,
        pension_start: e.pension_start,
        status,
    }
}

// Seed 003 §四.2: Pucheng — not certified by July 31 → suspended from August 2020; once
// certified, paid again "从停发之月起".
#[test]
fn pucheng_deadline_run_suspends_from_august_and_resumes_with_back_pay() {
    let e = entry(
        &make_id("610526", "19520304", "123"),
        "刘晓瑜",
        Scheme::PublicInstitution,
    );
    let p = CyclePolicy::pucheng_2020();
    let active = row(&e, PaymentStatus::Active);
    // Running on July 31 suspends nobody: the deadline day is still open.
    assert_eq!(decide(&p, date!(2020 - 07 - 31), &active, None), RunDecision::Unchanged);
    assert_eq!(
        decide(&p, date!(2020 - 08 - 01), &active, None),
        RunDecision::Suspend {
            from: ym(2020, 8),
            deadline: date!(2020 - 07 - 31)
        }
    );
    assert_eq!(
        decide(&p, date!(2020 - 08 - 01), &active, Some(date!(2020 - 07 - 31))),
        RunDecision::Unchanged
    );
    // Certified on October 12; the November run resumes from November with Aug–Oct paid back.
    let suspended = row(
        &e,
        PaymentStatus::Suspended(Suspension {
            reason: SuspensionReason::CertificationLapse,
            from: ym(2020, 8),
        }),
    );
    assert_eq!(
        decide(&p, date!(2020 - 10 - 01), &suspended, None),
        RunDecision::Unchanged
    );
    assert_eq!(
        decide(&p, date!(2020 - 11 - 01), &suspended, Some(date!(2020 - 10 - 12))),
        RunDecision::Resume {
            resume_from: ym(2020, 11),
            back_pay_from: ym(2020, 8),
            back_pay_months: 3,
            back_pay: Fen::yuan(3210, 0).times(3),
            certified_on: date!(2020 - 10 - 12),
            review_months: 0,
            review_amount: Fen::ZERO,
        }
    );
}

// Seed 000 §二: Inner Mongolia compares on October 31; a December certification lifts the
// November suspension even when the run happens in January.
#[test]
fn inner_mongolia_run_and_late_certification_across_the_new_year() {
    let e = entry(&make_id("150102", "19490701", "015"), "巴特尔", Scheme::Enterprise);
    let p = CyclePolicy::inner_mongolia();
    assert_eq!(
        decide(
            &p,
            date!(2019 - 11 - 01),
            &row(&e, PaymentStatus::Active),
            Some(date!(2018 - 09 - 09))
        ),
        RunDecision::Suspend {
            from: ym(2019, 11),
            deadline: date!(2019 - 10 - 31)
        }
    );
    let s = row(
        &e,
        PaymentStatus::Suspended(Suspension {
            reason: SuspensionReason::CertificationLapse,
            from: ym(2019, 11),
        }),
    );
    match decide(&p, date!(2020 - 01 - 05), &s, Some(date!(2019 - 12 - 20))) {
        RunDecision::Resume {
            back_pay_months,
            resume_from,
            ..
        } => {
            assert_eq!(back_pay_months, 2);
            assert_eq!(resume_from, ym(2020, 1));
        }
        other => panic!("expected resume, got {other:?}"),
    }
    // Suspensions for other reasons are not the run's business.
    let d = row(
        &e,
        PaymentStatus::Suspended(Suspension {
            reason: SuspensionReason::Death,
            from: ym(2019, 5),
        }),
    );
    assert_eq!(
        decide(&p, date!(2019 - 11 - 01), &d, Some(date!(2019 - 03 - 01))),
        RunDecision::Unchanged
    );
}

proptest! {
    // The run never suspends someone certified in the cycle, always suspends an active
    // person with no certification after the deadline, and back pay is months × pension.
    #[test]
    fn run_invariants(cert_day in proptest::option::of(0i64..800), run_day in 0i64..800, suspended in any::<bool>()) {
        let base = date!(2019 - 01 - 01);
        let e = entry(&make_id("150102", "19490701", "015"), "巴特尔", Scheme::Enterprise);
        let p = CyclePolicy::inner_mongolia();
        let run = base + time::Duration::days(run_day);
        let last = cert_day.map(|d| base + time::Duration::days(d)).filter(|d| *d <= run);
        let status = if suspended {
            PaymentStatus::Suspended(Suspension { reason: SuspensionReason::CertificationLapse, from: ym(2019, 11) })
        } else { PaymentStatus::Active };
        let mut summary = RunSummary::default();
        let r = row(&e, status);
        let d = decide(&p, run, &r, last);
        summary.record(&r, &d);
        prop_assert_eq!(summary.rows, 1);
        match d {
            RunDecision::Suspend { from, deadline } => {
                prop_assert!(!suspended);
                prop_assert!(run > deadline);
                prop_assert!(last.is_none_or(|l| l.year() != run.year()));
                prop_assert_eq!(from, YearMonth::of(deadline).next());
            }
            RunDecision::Resume { back_pay_months, back_pay, resume_from, back_pay_from, .. } => {
                prop_assert!(suspended && last.is_some());
                prop_assert_eq!(back_pay, e.monthly_pension.times(i64::from(back_pay_months)));
                prop_assert_eq!(i64::from(back_pay_months), back_pay_from.months_until(resume_from));
            }
            RunDecision::Unchanged => {
                if !suspended && last.is_none() && run > date!(2019 - 10 - 31) && run.year() == 2019 {
                    prop_assert!(false, "an uncertified person past the deadline must be suspended");
                }
            }
        }
    }
}

// The defect: a 2020 window run years later, then a hospital record, paid 75 months of
// back pay in one run. The run pays the newest 12 months by itself and lists the older
// months for staff (seed 000 §二 owes them; nobody should pay them blindly).
#[test]
fn back_pay_beyond_a_year_goes_to_staff() {
    let e = entry(
        &make_id("610526", "19550301", "123"),
        "王建国",
        Scheme::PublicInstitution,
    );
    let suspended = row(
        &e,
        PaymentStatus::Suspended(Suspension {
            reason: SuspensionReason::CertificationLapse,
            from: ym(2020, 8),
        }),
    );
    let p = CyclePolicy::pucheng_yearly();
    match decide(&p, date!(2026 - 08 - 01), &suspended, Some(date!(2026 - 06 - 10))) {
        RunDecision::Resume {
            resume_from,
            back_pay_from,
            back_pay_months,
            back_pay,
            review_months,
            review_amount,
            ..
        } => {
            assert_eq!(resume_from, ym(2026, 8));
            assert_eq!((back_pay_from, back_pay_months), (ym(2025, 8), 12));
            assert_eq!(back_pay, e.monthly_pension.times(12));
            assert_eq!(review_months, 72 - 12);
            assert_eq!(review_amount, e.monthly_pension.times(60));
        }
        other => panic!("expected resume, got {other:?}"),
    }
    let generous = certify_core::deadline::RunRules {
        max_automatic_back_pay_months: 120,
    };
    match certify_core::deadline::decide_with(
        &p,
        &generous,
        date!(2026 - 08 - 01),
        &suspended,
        Some(date!(2026 - 06 - 10)),
    ) {
        RunDecision::Resume {
            back_pay_months,
            review_months,
            ..
        } => assert_eq!((back_pay_months, review_months), (72, 0)),
        other => panic!("expected resume, got {other:?}"),
    }
}

proptest! {
    // A run split into parts (as `certify cycle run` splits the roster over threads) adds
    // up to the same summary as the run in one piece.
    #[test]
    fn summaries_of_parts_merge_to_the_whole(
        people in proptest::collection::vec((proptest::option::of(0i64..800), any::<bool>(), 1i64..9000), 0..40),
        split in 0usize..40,
    ) {
        let base = date!(2019 - 01 - 01);
        let p = CyclePolicy::inner_mongolia();
        let run = date!(2020 - 12 - 01);
        let mut whole = RunSummary::default();
        let (mut first, mut second) = (RunSummary::default(), RunSummary::default());
        for (i, &(cert_day, suspended, yuan)) in people.iter().enumerate() {
            let mut e = entry(&make_id("150102", "19490701", "015"), "巴特尔", Scheme::Enterprise);
            e.monthly_pension = Fen(yuan * 100);
            let status = if suspended {
                PaymentStatus::Suspended(Suspension { reason: SuspensionReason::CertificationLapse, from: ym(2019, 11) })
            } else { PaymentStatus::Active };
            let r = row(&e, status);
            let d = decide(&p, run, &r, cert_day.map(|d| base + time::Duration::days(d)));
            whole.record(&r, &d);
            if i < split { first.record(&r, &d) } else { second.record(&r, &d) }
        }
        first.merge(&second);
        prop_assert_eq!(first, whole);
    }
}
