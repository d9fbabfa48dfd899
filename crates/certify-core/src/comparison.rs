//! One person in a batch of data comparison (信息比对) followed by the deadline run
//! (到期比对): the decision a batch engine calls once per roster row after it has joined
//! the row with the person's latest certification and newest life event.
//!
//! Engines do the joins and aggregation; this module decides. The newest life event not
//! after the run date is all an engine needs to pass: the data-comparison window of
//! [`life_event_certifies`] ends at the run date and only opens earlier, so if the newest
//! event falls outside it, every older one does too; and a later certification date never
//! shortens a cycle.

use crate::certification::{CannotCertify, life_event_certifies};
use crate::cycle::{CyclePolicy, CycleStatus};
use crate::deadline::{PayrollRow, RunDecision, RunRules, decide_with};
use crate::payment::PaymentStatus;
use time::Date;

/// Where a person stands after the batch, for the lists units and reminders work from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "standing", rename_all = "snake_case")]
pub enum Standing {
    /// Certified for the current cycle (by this batch or before).
    Certified {
        /// The certification that counts.
        on: Date,
    },
    /// Not yet certified; the deadline has not passed (units chase these, seed 003 §四.1).
    Due {
        /// Last day to certify.
        deadline: Date,
        /// Whether the warning period has begun.
        warning: bool,
    },
    /// Suspended by this run for a certification lapse.
    SuspendedNow,
    /// Already suspended for a lapse and still not certified.
    StillSuspended,
    /// Suspended for another reason (death, detention …): not chased for certification.
    OtherSuspension,
}

impl Standing {
    /// Whether the person still has to certify (due, newly or still suspended for a lapse).
    pub fn uncertified(&self) -> bool {
        matches!(
            self,
            Standing::Due { .. } | Standing::SuspendedNow | Standing::StillSuspended
        )
    }

    /// Days from `run_date` to the deadline when due within `days` (reminders).
    pub fn due_within(&self, run_date: Date, days: i64) -> Option<i64> {
        match self {
            Standing::Due { deadline, .. } => {
                let left = (*deadline - run_date).whole_days();
                (left <= days).then_some(left)
            }
            _ => None,
        }
    }

    /// A stable snake_case code.
    pub const fn code(&self) -> &'static str {
        match self {
            Standing::Certified { .. } => "certified",
            Standing::Due { .. } => "due",
            Standing::SuspendedNow => "suspended_now",
            Standing::StillSuspended => "still_suspended",
            Standing::OtherSuspension => "other_suspension",
        }
    }
}

/// What the batch does for one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonOutcome {
    /// The life event's date when it certifies the person now (a new record, method
    /// data comparison).
    pub certified_by_event: Option<Date>,
    /// Why the newest life event did not certify, when there was one.
    pub event_refused: Option<CannotCertify>,
    /// The deadline run's decision, made with the new certification counted.
    pub run: RunDecision,
    /// Where the person stands afterwards.
    pub standing: Standing,
}

/// Decide one payroll row on `run_date`: first whether the newest life event (if any)
/// certifies the person ([`life_event_certifies`], the rule the server's feed applies),
/// then the deadline run ([`decide_with`]) with that certification counted.
pub fn decide_person(
    policy: &CyclePolicy,
    rules: &RunRules,
    run_date: Date,
    row: &PayrollRow,
    last_certified: Option<Date>,
    newest_event: Option<Date>,
) -> PersonOutcome {
    let (certified_by_event, event_refused) = match newest_event {
        None => (None, None),
        Some(date) => {
            match life_event_certifies(&row.status, last_certified, row.pension_start, policy, date, run_date) {
                Ok(()) => (Some(date), None),
                Err(e) => (None, Some(e)),
            }
        }
    };
    let last = match (last_certified, certified_by_event) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let run = decide_with(policy, rules, run_date, row, last);
    let standing = match (&run, &row.status) {
        (RunDecision::Suspend { .. }, _) => Standing::SuspendedNow,
        (RunDecision::Resume { certified_on, .. }, _) => Standing::Certified { on: *certified_on },
        (RunDecision::Unchanged, PaymentStatus::Suspended(s)) if s.reason.lifted_by_certification() => {
            Standing::StillSuspended
        }
        (RunDecision::Unchanged, PaymentStatus::Suspended(_)) => Standing::OtherSuspension,
        (RunDecision::Unchanged, PaymentStatus::Active) => {
            match policy.status_on(last, row.pension_start, run_date) {
                CycleStatus::Certified { on, .. } => Standing::Certified { on },
                CycleStatus::Due { deadline, warning } => Standing::Due { deadline, warning },
                // Overdue rows are suspended by the run; kept total for safety.
                CycleStatus::Overdue { .. } => Standing::SuspendedNow,
                CycleStatus::Suspended { .. } => Standing::StillSuspended,
            }
        }
    };
    PersonOutcome {
        certified_by_event,
        event_refused,
        run,
        standing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::ResidentId;
    use crate::money::Fen;
    use crate::payment::{Suspension, SuspensionReason};
    use crate::time::YearMonth;
    use time::macros::date;

    fn row(status: PaymentStatus) -> PayrollRow {
        PayrollRow {
            id: ResidentId::parse("610526195503011236").unwrap(),
            monthly_pension: Fen(300_000),
            pension_start: YearMonth::new(2015, 3).unwrap(),
            status,
        }
    }

    fn lapsed(from: YearMonth) -> PaymentStatus {
        PaymentStatus::Suspended(Suspension {
            reason: SuspensionReason::CertificationLapse,
            from,
        })
    }

    #[test]
    fn an_event_in_the_cycle_certifies_and_spares_the_person_from_suspension() {
        let policy = CyclePolicy::inner_mongolia();
        let run_date = date!(2026 - 11 - 01);
        let r = row(PaymentStatus::Active);
        let without = decide_person(
            &policy,
            &RunRules::default(),
            run_date,
            &r,
            Some(date!(2025 - 05 - 01)),
            None,
        );
        assert!(matches!(without.run, RunDecision::Suspend { .. }));
        assert_eq!(without.standing, Standing::SuspendedNow);
        let with = decide_person(
            &policy,
            &RunRules::default(),
            run_date,
            &r,
            Some(date!(2025 - 05 - 01)),
            Some(date!(2026 - 03 - 10)),
        );
        assert_eq!(with.certified_by_event, Some(date!(2026 - 03 - 10)));
        assert_eq!(with.run, RunDecision::Unchanged);
        assert_eq!(
            with.standing,
            Standing::Certified {
                on: date!(2026 - 03 - 10)
            }
        );
    }

    #[test]
    fn an_event_before_the_cycle_or_after_the_run_date_does_not_certify() {
        let policy = CyclePolicy::inner_mongolia();
        let run_date = date!(2026 - 06 - 01);
        let r = row(PaymentStatus::Active);
        for event in [date!(2025 - 12 - 31), date!(2026 - 06 - 02)] {
            let o = decide_person(&policy, &RunRules::default(), run_date, &r, None, Some(event));
            assert_eq!(o.certified_by_event, None, "{event}");
            assert_eq!(o.event_refused, Some(CannotCertify::EvidenceOutOfCycle));
            assert!(o.standing.uncertified());
            assert_eq!(o.standing.due_within(run_date, 152), Some(152));
            assert_eq!(o.standing.due_within(run_date, 151), None);
        }
    }

    #[test]
    fn a_lapsed_person_seen_alive_since_the_suspension_is_resumed_with_back_pay() {
        let policy = CyclePolicy::inner_mongolia();
        let run_date = date!(2026 - 02 - 01);
        let r = row(lapsed(YearMonth::new(2025, 11).unwrap()));
        let o = decide_person(
            &policy,
            &RunRules::default(),
            run_date,
            &r,
            None,
            Some(date!(2025 - 12 - 20)),
        );
        assert_eq!(o.certified_by_event, Some(date!(2025 - 12 - 20)));
        let RunDecision::Resume { back_pay_months, .. } = o.run else {
            panic!("not resumed: {:?}", o.run)
        };
        assert_eq!(back_pay_months, 3);
        assert_eq!(
            o.standing,
            Standing::Certified {
                on: date!(2025 - 12 - 20)
            }
        );
    }

    #[test]
    fn events_never_lift_a_suspension_for_death() {
        let policy = CyclePolicy::inner_mongolia();
        let r = row(PaymentStatus::Suspended(Suspension {
            reason: SuspensionReason::Death,
            from: YearMonth::new(2026, 1).unwrap(),
        }));
        let o = decide_person(
            &policy,
            &RunRules::default(),
            date!(2026 - 03 - 01),
            &r,
            None,
            Some(date!(2026 - 02 - 01)),
        );
        assert_eq!(o.certified_by_event, None);
        assert!(matches!(
            o.event_refused,
            Some(CannotCertify::SuspendedForOtherReason(_))
        ));
        assert_eq!(o.run, RunDecision::Unchanged);
        assert_eq!(o.standing, Standing::OtherSuspension);
        assert!(!o.standing.uncertified());
    }
}
