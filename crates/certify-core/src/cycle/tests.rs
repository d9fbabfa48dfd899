//! Cycle policy tests: the seeds' policies, validation, and agreement between
//! "already certified" and the deadline decision.
use super::*;
use time::macros::date;

fn start() -> YearMonth {
    YearMonth::new(2010, 1).unwrap()
}

#[test]
fn policies_parse_from_toml_shaped_json() {
    let p: CyclePolicy = serde_json::from_str(r#"{"kind":"natural_year","deadline":"10-31"}"#).unwrap();
    assert_eq!(p, CyclePolicy::inner_mongolia());
    let w: CyclePolicy = serde_json::from_str(
        r#"{"kind":"window","opens":"2020-06-03","closes":"2020-07-31","suspend_from":"2020-08"}"#,
    )
    .unwrap();
    assert_eq!(w, CyclePolicy::pucheng_2020());
    assert!(serde_json::from_str::<CyclePolicy>(r#"{"kind":"natural_year","deadline":"02-30"}"#).is_err());
    assert!(serde_json::from_str::<CyclePolicy>(r#"{"kind":"rolling","months":12}"#).is_err());
    assert_eq!(
        serde_json::to_string(&w).unwrap(),
        r#"{"kind":"window","opens":"2020-06-03","closes":"2020-07-31","suspend_from":"2020-08","early":"counts_for_the_year"}"#
    );
}

#[test]
fn validation_catches_inconsistent_policies() {
    assert!(CyclePolicy::pucheng_2020().validate().is_ok());
    let bad = CyclePolicy::Window {
        opens: date!(2020 - 06 - 03),
        closes: date!(2020 - 07 - 31),
        suspend_from: YearMonth::new(2020, 7).unwrap(),
        early: EarlyCertification::CountsForTheYear,
    };
    assert_eq!(bad.validate(), Err(PolicyError::BadWindow));
    assert_eq!(
        CyclePolicy::Rolling {
            months: 12,
            warning_months: 12
        }
        .validate(),
        Err(PolicyError::BadRolling)
    );
    assert!(
        CyclePolicy::Rolling {
            months: 6,
            warning_months: 1
        }
        .validate()
        .is_ok()
    );
}

// Seed 000 §二: natural year, deadline October 31, suspension after.
#[test]
fn inner_mongolia_natural_year() {
    let p = CyclePolicy::inner_mongolia();
    assert_eq!(
        p.status_on(None, start(), date!(2019 - 10 - 31)),
        CycleStatus::Due {
            deadline: date!(2019 - 10 - 31),
            warning: true
        }
    );
    assert_eq!(
        p.status_on(None, start(), date!(2019 - 11 - 01)),
        CycleStatus::Overdue {
            deadline: date!(2019 - 10 - 31),
            suspend_from: YearMonth::new(2019, 11).unwrap()
        }
    );
    // Last year's certification does not cover this year.
    assert!(matches!(
        p.status_on(Some(date!(2018 - 12 - 01)), start(), date!(2019 - 11 - 01)),
        CycleStatus::Overdue { .. }
    ));
    assert_eq!(
        p.status_on(Some(date!(2019 - 03 - 15)), start(), date!(2019 - 11 - 01)),
        CycleStatus::Certified {
            on: date!(2019 - 03 - 15),
            next_deadline: Some(date!(2020 - 10 - 31))
        }
    );
}

// Seed 003 §二, 四.2: window June 3 – July 31 2020, suspension from August 2020.
#[test]
fn pucheng_window() {
    let p = CyclePolicy::pucheng_2020();
    assert!(matches!(
        p.status_on(None, start(), date!(2020 - 07 - 31)),
        CycleStatus::Due { .. }
    ));
    assert_eq!(
        p.status_on(None, start(), date!(2020 - 08 - 01)),
        CycleStatus::Overdue {
            deadline: date!(2020 - 07 - 31),
            suspend_from: YearMonth::new(2020, 8).unwrap()
        }
    );
    // A certification earlier in 2020 counts for the 2020 window (the default rule)...
    assert!(matches!(
        p.status_on(Some(date!(2020 - 05 - 20)), start(), date!(2020 - 08 - 01)),
        CycleStatus::Certified { .. }
    ));
    // ...one from 2019 does not.
    assert!(matches!(
        p.status_on(Some(date!(2019 - 12 - 31)), start(), date!(2020 - 08 - 01)),
        CycleStatus::Overdue { .. }
    ));
    assert!(matches!(
        p.status_on(Some(date!(2020 - 06 - 03)), start(), date!(2020 - 08 - 01)),
        CycleStatus::Certified { .. }
    ));
}

#[test]
fn rolling_twelve_months_from_the_month_after_with_three_months_warning() {
    let p = CyclePolicy::Rolling {
        months: 12,
        warning_months: 3,
    };
    let last = Some(date!(2023 - 05 - 10));
    // Period June 2023 – May 2024; warning from March 2024; suspension from June 2024.
    let c = p.cycle_on(last, start(), date!(2023 - 07 - 01));
    assert_eq!(c.deadline, date!(2024 - 05 - 31));
    assert_eq!(c.warning_from, date!(2024 - 03 - 01));
    assert_eq!(c.suspend_from, YearMonth::new(2024, 6).unwrap());
    assert!(matches!(
        p.status_on(last, start(), date!(2024 - 02 - 29)),
        CycleStatus::Certified { .. }
    ));
    assert_eq!(
        p.status_on(last, start(), date!(2024 - 03 - 01)),
        CycleStatus::Due {
            deadline: date!(2024 - 05 - 31),
            warning: true
        }
    );
    assert!(matches!(
        p.status_on(last, start(), date!(2024 - 06 - 01)),
        CycleStatus::Overdue { .. }
    ));
    // Six-month variant.
    let six = CyclePolicy::Rolling {
        months: 6,
        warning_months: 1,
    };
    assert_eq!(
        six.cycle_on(last, start(), date!(2023 - 07 - 01)).deadline,
        date!(2023 - 11 - 30)
    );
    // Never certified: counted from the first pension month.
    assert_eq!(
        p.cycle_on(None, YearMonth::new(2023, 1).unwrap(), date!(2023 - 07 - 01))
            .deadline,
        date!(2023 - 12 - 31)
    );
}

#[test]
fn suspension_overrides_cycle_status() {
    let p = CyclePolicy::inner_mongolia();
    let from = YearMonth::new(2019, 11).unwrap();
    assert_eq!(
        p.status_with_payment(None, start(), Some(from), date!(2019 - 12 - 01)),
        CycleStatus::Suspended { from }
    );
}

// Seed 003 常见问题 7(2): one certification per natural year is enough.
#[test]
fn once_per_natural_year() {
    let p = CyclePolicy::pucheng_2020();
    assert_eq!(
        p.already_certified(Some(date!(2020 - 06 - 10)), start(), date!(2020 - 12 - 31)),
        Some(date!(2020 - 06 - 10))
    );
    assert_eq!(
        p.already_certified(Some(date!(2019 - 06 - 10)), start(), date!(2020 - 06 - 10)),
        None
    );
    let r = CyclePolicy::Rolling {
        months: 12,
        warning_months: 3,
    };
    assert!(
        r.already_certified(Some(date!(2023 - 05 - 10)), start(), date!(2024 - 02 - 01))
            .is_some()
    );
    assert!(
        r.already_certified(Some(date!(2023 - 05 - 10)), start(), date!(2024 - 03 - 01))
            .is_none()
    );
}

#[test]
fn feb_29_deadline_falls_back_in_common_years() {
    let md = MonthDay::new(2, 29).unwrap();
    assert_eq!(md.in_year(2023), date!(2023 - 02 - 28));
    assert_eq!(md.in_year(2024), date!(2024 - 02 - 29));
    assert!(MonthDay::new(4, 31).is_none());
}

// The defect: certified on 2020-05-20 (before the window opened), refused as "already
// certified" on 2020-06-10, yet overdue on 2020-08-01 and suspended by the run.
#[test]
fn a_certification_before_the_window_is_judged_the_same_by_both_questions() {
    let may = date!(2020 - 05 - 20);
    for early in [EarlyCertification::CountsForTheYear, EarlyCertification::DoesNotCount] {
        for p in [
            CyclePolicy::Window {
                opens: date!(2020 - 06 - 03),
                closes: date!(2020 - 07 - 31),
                suspend_from: YearMonth::new(2020, 8).unwrap(),
                early,
            },
            CyclePolicy::YearlyWindow {
                opens: MonthDay::new(6, 3).unwrap(),
                closes: MonthDay::new(7, 31).unwrap(),
                suspend_from_month: 8,
                early,
            },
        ] {
            let refused_in_window = p.already_certified(Some(may), start(), date!(2020 - 06 - 10)).is_some();
            let overdue_after = matches!(
                p.status_on(Some(may), start(), date!(2020 - 08 - 01)),
                CycleStatus::Overdue { .. }
            );
            assert_eq!(
                refused_in_window,
                early == EarlyCertification::CountsForTheYear,
                "{p:?}"
            );
            assert_eq!(overdue_after, !refused_in_window, "{p:?}");
        }
    }
}

// The defect: a one-year window run in 2026 marked everyone overdue "from 2020-08". A yearly
// window asks for this year's certification and suspends from this year's month.
#[test]
fn a_yearly_window_recurs() {
    let p = CyclePolicy::pucheng_yearly();
    assert!(p.validate().is_ok());
    assert_eq!(
        p.status_on(Some(date!(2025 - 06 - 20)), start(), date!(2026 - 08 - 01)),
        CycleStatus::Overdue {
            deadline: date!(2026 - 07 - 31),
            suspend_from: YearMonth::new(2026, 8).unwrap()
        }
    );
    assert_eq!(
        p.status_on(Some(date!(2026 - 06 - 20)), start(), date!(2026 - 08 - 01)),
        CycleStatus::Certified {
            on: date!(2026 - 06 - 20),
            next_deadline: Some(date!(2027 - 07 - 31))
        }
    );
    assert!(matches!(
        p.status_on(Some(date!(2025 - 06 - 20)), start(), date!(2026 - 05 - 01)),
        CycleStatus::Due { warning: false, .. }
    ));
    let parsed: CyclePolicy =
        serde_json::from_str(r#"{"kind":"yearly_window","opens":"06-03","closes":"07-31","suspend_from_month":8}"#)
            .unwrap();
    assert_eq!(parsed, p);
    let bad = CyclePolicy::YearlyWindow {
        opens: MonthDay::new(6, 3).unwrap(),
        closes: MonthDay::new(7, 31).unwrap(),
        suspend_from_month: 7,
        early: EarlyCertification::CountsForTheYear,
    };
    assert_eq!(bad.validate(), Err(PolicyError::BadWindow));
}

mod agreement {
    use super::*;
    use proptest::prelude::*;

    fn policy() -> impl Strategy<Value = CyclePolicy> {
        let md = (1u8..=12, 1u8..=28).prop_map(|(m, d)| MonthDay::new(m, d).unwrap());
        let early = prop_oneof![
            Just(EarlyCertification::CountsForTheYear),
            Just(EarlyCertification::DoesNotCount)
        ];
        prop_oneof![
            md.clone().prop_map(|deadline| CyclePolicy::NaturalYear {
                deadline,
                warning_from: None
            }),
            (md.clone(), md, 1u8..=12, early.clone()).prop_filter_map("valid", |(a, b, m, early)| {
                let (opens, closes) = if a <= b { (a, b) } else { (b, a) };
                let p = CyclePolicy::YearlyWindow {
                    opens,
                    closes,
                    suspend_from_month: m,
                    early,
                };
                p.validate().is_ok().then_some(p)
            }),
            (0i64..3000, 0i64..200, early).prop_map(|(o, len, early)| {
                let opens = date!(2018 - 01 - 01) + time::Duration::days(o);
                let closes = opens + time::Duration::days(len);
                CyclePolicy::Window {
                    opens,
                    closes,
                    suspend_from: YearMonth::of(closes).next(),
                    early,
                }
            }),
            (1u8..=24, 0u8..24).prop_filter_map("valid", |(months, warning_months)| {
                let p = CyclePolicy::Rolling { months, warning_months };
                p.validate().is_ok().then_some(p)
            }),
        ]
    }

    proptest! {
        // "Already certified" (the app refuses a new certification) and the deadline
        // decision (a run suspends) agree for every policy, date and record.
        #[test]
        fn already_certified_and_the_deadline_decision_agree(
            p in policy(),
            today in 0i64..4000,
            ago in proptest::option::of(0i64..900),
        ) {
            let today = date!(2018 - 01 - 01) + time::Duration::days(today);
            let last = ago.map(|a| today - time::Duration::days(a));
            let covered = p.already_certified(last, start(), today).is_some();
            let status = p.status_on(last, start(), today);
            prop_assert_eq!(covered, matches!(status, CycleStatus::Certified { .. }), "{:?} {:?}", p, status);
            // Covered people are never suspended by a run that day.
            if covered {
                let row = crate::deadline::PayrollRow {
                    id: crate::id::ResidentId::parse("610526195503011236").unwrap(),
                    monthly_pension: crate::money::Fen(100_000),
                    pension_start: start(),
                    status: crate::payment::PaymentStatus::Active,
                };
                prop_assert_eq!(crate::deadline::decide(&p, today, &row, last), crate::deadline::RunDecision::Unchanged);
            }
        }
    }
}
