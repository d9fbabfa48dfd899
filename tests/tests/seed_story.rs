//! Inner Mongolia's story (seed 000) through the public API only, with every piece of host
//! state written to JSON and read back between steps, as a host that persists it would:
//! nothing the rules need may be lost in storage.
#![allow(clippy::unwrap_used, missing_docs)]

use certify_core::biometric::{Modality, ReviewIssue};
use certify_core::certification::{
    CertificationRecord, LifeEvidence, PersonFacts, certify_by_data_comparison, last_certified,
};
use certify_core::cycle::CyclePolicy;
use certify_core::deadline::{PayrollRow, RunDecision, decide};
use certify_core::enrollment::{AutomaticReview, EnrollmentCase, EnrollmentEvent, ManualDecision};
use certify_core::id::ResidentId;
use certify_core::money::Fen;
use certify_core::name::PersonName;
use certify_core::payment::{PaymentStatus, Suspension, SuspensionReason};
use certify_core::roster::{RosterEntry, Scheme};
use certify_core::time::{Timestamp, YearMonth};
use serde::{Serialize, de::DeserializeOwned};
use time::macros::date;

/// Store and reload, as a database would.
fn persist<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: T) -> T {
    let json = serde_json::to_string(&value).unwrap();
    let back: T = serde_json::from_str(&json).unwrap();
    assert_eq!(back, value, "lost in storage: {json}");
    back
}

#[test]
fn inner_mongolia_face_fails_voice_enrolls_data_comparison_lifts_suspension() {
    let policy = persist(CyclePolicy::inner_mongolia());
    let person = persist(RosterEntry {
        id: ResidentId::parse("150102194907010151").unwrap(),
        name: PersonName::new("巴特尔").unwrap(),
        scheme: Scheme::Enterprise,
        unit: "内蒙古某企业".into(),
        monthly_pension: Fen::yuan(2980, 30),
        pension_start: YearMonth::new(2009, 7).unwrap(),
    });
    let t0 = Timestamp::start_of_china_day(date!(2019 - 08 - 05));

    // Face enrollment fails three times ("光线不能太暗、太强。不能抖动") → manual review.
    let mut face = EnrollmentCase::new(Modality::Face);
    let mut offered_voice = false;
    for (i, issue) in [ReviewIssue::TooDark, ReviewIssue::TooBright, ReviewIssue::Blurred]
        .into_iter()
        .enumerate()
    {
        let events = face
            .submit(
                AutomaticReview::Failed { issues: vec![issue] },
                t0.plus_seconds(i as i64 * 600),
            )
            .unwrap();
        offered_voice |= events
            .iter()
            .any(|e| matches!(e, EnrollmentEvent::VoiceEnrollmentOffered { .. }));
        face = persist(face);
    }
    assert!(offered_voice, "face failure offers voice enrollment");
    // Staff reject within the week; he enrolls his voice instead (five prompts, automatic review).
    face.decide(
        ManualDecision::Reject {
            reason: "card unreadable".into(),
        },
        "staff-3",
        t0.plus_seconds(86_400),
    )
    .unwrap();
    let mut voice = persist(EnrollmentCase::new(Modality::Voice));
    voice
        .submit(
            AutomaticReview::Passed {
                template_ref: "voice-tpl-1".into(),
            },
            t0.plus_seconds(90_000),
        )
        .unwrap();
    let voice = persist(voice);
    assert!(voice.may_certify() && !face.may_certify());

    // He does not certify by October 31: the November 1 run suspends him from November.
    let mut records: Vec<CertificationRecord> = Vec::new();
    let row = |status| PayrollRow {
        id: person.id,
        monthly_pension: person.monthly_pension,
        pension_start: person.pension_start,
        status,
    };
    let decision = decide(
        &policy,
        date!(2019 - 11 - 01),
        &row(PaymentStatus::Active),
        last_certified(&records, &person.id),
    );
    let RunDecision::Suspend { from, .. } = decision else {
        panic!("expected suspension, got {decision:?}")
    };
    assert_eq!(from, YearMonth::new(2019, 11).unwrap());
    let status = persist(PaymentStatus::Suspended(Suspension {
        reason: SuspensionReason::CertificationLapse,
        from,
    }));

    // A hospital stay in December certifies him by data comparison (信息比对).
    let facts = PersonFacts {
        person: &person.id,
        roster_entry: Some(&person),
        scheme: Scheme::Enterprise,
        payment: &status,
        last_certified: last_certified(&records, &person.id),
    };
    let stay = LifeEvidence::new(
        person.id,
        date!(2019 - 12 - 03),
        "hospital_stay",
        "医保结算",
        "mi-2019-88",
    )
    .unwrap();
    records.push(certify_by_data_comparison(&facts, &stay, &policy, date!(2019 - 12 - 10)).unwrap());
    let records: Vec<CertificationRecord> = persist(records);

    // The January run resumes him and pays November and December back.
    let decision = decide(
        &policy,
        date!(2020 - 01 - 02),
        &row(status),
        last_certified(&records, &person.id),
    );
    assert_eq!(
        decision,
        RunDecision::Resume {
            resume_from: YearMonth::new(2020, 1).unwrap(),
            back_pay_from: YearMonth::new(2019, 11).unwrap(),
            back_pay_months: 2,
            back_pay: Fen::yuan(2980, 30).times(2),
            certified_on: date!(2019 - 12 - 03),
            review_months: 0,
            review_amount: Fen::ZERO,
        }
    );
}
