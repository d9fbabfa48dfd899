//! Payment status: suspension (暂停发放), resumption with back pay (补发), and the
//! overpayment (多领) a unit must recover after an event it declared late.
//!
//! Rules (seed 000 §二; seed 003 §四.2, 四.3; 人社厅发〔2018〕107号 第十九条):
//! - Not certified by the deadline: suspended; once certified, resumed and the suspended
//!   months paid back ("从停发之月起续发").
//! - Death, discipline review (纪律审查), supervision investigation (监察调查), criminal
//!   detention (刑事拘留) declared by the unit suspend payment; certification does not
//!   lift them. Entitlement runs through the month of the event; payments for later
//!   months are an overpayment that the unit recovers, and advances itself if it has not
//!   recovered it by the deadline ("由所在单位全额垫付").
//! - Back pay depends on why payment resumes: a certification lapse or an investigation
//!   closed without a prison sentence pays every suspended month; a prison sentence
//!   served, or a person declared missing or dead who reappears, pays none.

use crate::money::Fen;
use crate::time::YearMonth;
use serde::{Deserialize, Serialize};
use time::Date;

/// Why payment is suspended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuspensionReason {
    /// Not certified within the cycle.
    CertificationLapse,
    /// Death (declared by the unit); ends payment for good.
    Death,
    /// Under discipline review (纪律审查).
    DisciplineReview,
    /// Under supervision investigation (监察调查).
    SupervisionInvestigation,
    /// In criminal detention (刑事拘留).
    CriminalDetention,
    /// Serving a prison sentence.
    PrisonSentence,
    /// Declared missing or dead by a court.
    DeclaredMissingOrDead,
}

impl SuspensionReason {
    /// Whether a new certification lifts this suspension.
    pub const fn lifted_by_certification(self) -> bool {
        matches!(self, SuspensionReason::CertificationLapse)
    }

    /// Whether this reason is declared by the person's unit (and so can create an
    /// overpayment the unit must recover).
    pub const fn declared_by_unit(self) -> bool {
        matches!(
            self,
            SuspensionReason::Death
                | SuspensionReason::DisciplineReview
                | SuspensionReason::SupervisionInvestigation
                | SuspensionReason::CriminalDetention
        )
    }

    /// A stable snake_case code.
    pub const fn code(self) -> &'static str {
        match self {
            SuspensionReason::CertificationLapse => "certification_lapse",
            SuspensionReason::Death => "death",
            SuspensionReason::DisciplineReview => "discipline_review",
            SuspensionReason::SupervisionInvestigation => "supervision_investigation",
            SuspensionReason::CriminalDetention => "criminal_detention",
            SuspensionReason::PrisonSentence => "prison_sentence",
            SuspensionReason::DeclaredMissingOrDead => "declared_missing_or_dead",
        }
    }

    /// Parse [`SuspensionReason::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        [
            SuspensionReason::CertificationLapse,
            SuspensionReason::Death,
            SuspensionReason::DisciplineReview,
            SuspensionReason::SupervisionInvestigation,
            SuspensionReason::CriminalDetention,
            SuspensionReason::PrisonSentence,
            SuspensionReason::DeclaredMissingOrDead,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }
}

/// A suspension in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    /// Why.
    pub reason: SuspensionReason,
    /// First month not paid.
    pub from: YearMonth,
}

/// Whether a person is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Paid every month.
    Active,
    /// Not paid from a month, for a reason.
    Suspended(Suspension),
}

impl PaymentStatus {
    /// The suspension, if any.
    pub fn suspension(&self) -> Option<&Suspension> {
        match self {
            PaymentStatus::Active => None,
            PaymentStatus::Suspended(s) => Some(s),
        }
    }
}

/// Monthly pension amounts over time (pensions are adjusted, usually once a year).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PensionSchedule {
    /// `(first month, monthly amount)` in increasing month order.
    changes: Vec<(YearMonth, Fen)>,
}

impl PensionSchedule {
    /// The same amount every month.
    pub fn flat(monthly: Fen) -> Self {
        Self {
            changes: vec![(YearMonth::of(Date::MIN), monthly)],
        }
    }

    /// Amounts from given months on; sorted here.
    pub fn from_changes(mut changes: Vec<(YearMonth, Fen)>) -> Self {
        changes.sort_by_key(|c| c.0);
        Self { changes }
    }

    /// The amount for `month` (zero before the first change).
    pub fn amount_for(&self, month: YearMonth) -> Fen {
        match self.changes.partition_point(|c| c.0 <= month) {
            0 => Fen::ZERO,
            i => self.changes[i - 1].1,
        }
    }

    /// Total for the months `from` (inclusive) to `until` (exclusive).
    pub fn total(&self, from: YearMonth, until: YearMonth) -> Fen {
        from.until(until).map(|m| self.amount_for(m)).sum()
    }
}

/// On what grounds payment resumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResumptionGround {
    /// The person certified (lifts a certification lapse).
    Certified,
    /// The review, investigation or detention ended without a prison sentence.
    ClearedWithoutSentence,
    /// A prison sentence was served.
    SentenceServed,
    /// A person declared missing or dead reappeared.
    Reappeared,
}

/// Why payment cannot resume on the grounds given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// Payment is not suspended.
    #[error("payment is not suspended")]
    NotSuspended,
    /// Death ends payment for good.
    #[error("payment ended with the recipient's death")]
    Ended,
    /// These grounds do not lift this suspension (e.g. certifying during a detention).
    #[error("{ground:?} does not lift a suspension for {reason:?}")]
    GroundDoesNotLift {
        /// The suspension's reason.
        reason: SuspensionReason,
        /// The grounds offered.
        ground: ResumptionGround,
    },
    /// Resumption month before the suspension started.
    #[error("payment cannot resume before the month it was suspended from")]
    ResumeBeforeSuspension,
}

/// A resumption: regular payment from `resume_from`, and the back pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resumption {
    /// First month paid by the regular payroll again.
    pub resume_from: YearMonth,
    /// Months paid back (from the suspension month), possibly none.
    pub back_pay_months: u32,
    /// Their total.
    pub back_pay: Fen,
}

/// Resume a suspended payment from `resume_from` on `ground`, computing the back pay
/// from the suspension month with the amounts of `schedule`.
pub fn resume(
    status: &PaymentStatus,
    ground: ResumptionGround,
    resume_from: YearMonth,
    schedule: &PensionSchedule,
) -> Result<Resumption, PaymentError> {
    use ResumptionGround as G;
    use SuspensionReason as R;
    let s = status.suspension().ok_or(PaymentError::NotSuspended)?;
    if resume_from < s.from {
        return Err(PaymentError::ResumeBeforeSuspension);
    }
    let full_back_pay = match (s.reason, ground) {
        (R::Death, _) => return Err(PaymentError::Ended),
        (R::CertificationLapse, G::Certified) => true,
        (R::DisciplineReview | R::SupervisionInvestigation | R::CriminalDetention, G::ClearedWithoutSentence) => true,
        (R::PrisonSentence, G::SentenceServed) => false,
        (R::DeclaredMissingOrDead, G::Reappeared) => false,
        (reason, ground) => return Err(PaymentError::GroundDoesNotLift { reason, ground }),
    };
    let (back_pay_months, back_pay) = if full_back_pay {
        let months = u32::try_from(s.from.months_until(resume_from)).unwrap_or(0);
        (months, schedule.total(s.from, resume_from))
    } else {
        (0, Fen::ZERO)
    };
    Ok(Resumption {
        resume_from,
        back_pay_months,
        back_pay,
    })
}

/// An event a unit declares (seed 003 §四.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitDeclaration {
    /// Death, discipline review, supervision investigation or criminal detention.
    pub reason: SuspensionReason,
    /// When the event happened.
    pub event_date: Date,
    /// When the unit declared it.
    pub declared_on: Date,
}

/// Why a declaration is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeclarationError {
    /// Not a reason a unit declares.
    #[error("{0:?} is not declared by the unit")]
    NotUnitDeclared(SuspensionReason),
    /// Declared before it happened.
    #[error("the declaration predates the event")]
    DeclaredBeforeEvent,
}

/// A payment made for a month after entitlement ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overpayment {
    /// First month without entitlement (the month after the event).
    pub first_unentitled: YearMonth,
    /// The months paid without entitlement and their amounts.
    pub months: Vec<(YearMonth, Fen)>,
    /// Their total: what the unit must recover.
    pub total: Fen,
}

impl UnitDeclaration {
    /// Check and return the suspension it causes: from the month after the event.
    pub fn suspension(&self) -> Result<Suspension, DeclarationError> {
        if !self.reason.declared_by_unit() {
            return Err(DeclarationError::NotUnitDeclared(self.reason));
        }
        if self.declared_on < self.event_date {
            return Err(DeclarationError::DeclaredBeforeEvent);
        }
        Ok(Suspension {
            reason: self.reason,
            from: YearMonth::of(self.event_date).next(),
        })
    }

    /// The overpayment among `payments` (month paid for, amount): every payment for a
    /// month from the suspension month on.
    pub fn overpayment(&self, payments: &[(YearMonth, Fen)]) -> Result<Overpayment, DeclarationError> {
        let first_unentitled = self.suspension()?.from;
        let mut months: Vec<(YearMonth, Fen)> = payments
            .iter()
            .copied()
            .filter(|(m, _)| *m >= first_unentitled)
            .collect();
        months.sort_by_key(|p| p.0);
        let total = months.iter().map(|p| p.1).sum();
        Ok(Overpayment {
            first_unentitled,
            months,
            total,
        })
    }
}

/// Recovery of an overpayment: the unit recovers it from the family or estate, and
/// advances what is still missing after `deadline`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recovery {
    /// Amount to recover.
    pub due: Fen,
    /// Amount recovered so far.
    pub recovered: Fen,
    /// Last day to recover before the unit must advance the rest.
    pub deadline: Date,
}

impl Recovery {
    /// Still to recover.
    pub fn outstanding(&self) -> Fen {
        if self.recovered >= self.due {
            Fen::ZERO
        } else {
            self.due - self.recovered
        }
    }

    /// What the unit must advance on `today`: the outstanding amount once the deadline
    /// has passed, otherwise nothing.
    pub fn unit_advance_due(&self, today: Date) -> Fen {
        if today > self.deadline {
            self.outstanding()
        } else {
            Fen::ZERO
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn ym(y: i32, m: u8) -> YearMonth {
        YearMonth::new(y, m).unwrap()
    }

    // Seed 003 §四.2: suspended from August 2020, certified later, paid back from August.
    #[test]
    fn lapse_is_paid_back_from_the_suspension_month() {
        let status = PaymentStatus::Suspended(Suspension {
            reason: SuspensionReason::CertificationLapse,
            from: ym(2020, 8),
        });
        let r = resume(
            &status,
            ResumptionGround::Certified,
            ym(2020, 11),
            &PensionSchedule::flat(Fen::yuan(3210, 50)),
        )
        .unwrap();
        assert_eq!(r.back_pay_months, 3);
        assert_eq!(r.back_pay, Fen::yuan(9631, 50));
    }

    #[test]
    fn back_pay_uses_the_amount_in_force_each_month() {
        let status = PaymentStatus::Suspended(Suspension {
            reason: SuspensionReason::CertificationLapse,
            from: ym(2019, 11),
        });
        let schedule = PensionSchedule::from_changes(vec![(ym(2020, 1), Fen(310_000)), (ym(2015, 1), Fen(300_000))]);
        let r = resume(&status, ResumptionGround::Certified, ym(2020, 3), &schedule).unwrap();
        assert_eq!(r.back_pay_months, 4);
        assert_eq!(r.back_pay, Fen(300_000 * 2 + 310_000 * 2));
        assert_eq!(schedule.amount_for(ym(2014, 12)), Fen::ZERO);
    }

    #[test]
    fn prison_and_declared_dead_get_no_back_pay() {
        for (reason, ground) in [
            (SuspensionReason::PrisonSentence, ResumptionGround::SentenceServed),
            (SuspensionReason::DeclaredMissingOrDead, ResumptionGround::Reappeared),
        ] {
            let status = PaymentStatus::Suspended(Suspension {
                reason,
                from: ym(2018, 1),
            });
            let r = resume(&status, ground, ym(2020, 1), &PensionSchedule::flat(Fen(100_000))).unwrap();
            assert_eq!((r.back_pay_months, r.back_pay), (0, Fen::ZERO));
            assert_eq!(r.resume_from, ym(2020, 1));
        }
        let detained = PaymentStatus::Suspended(Suspension {
            reason: SuspensionReason::CriminalDetention,
            from: ym(2020, 1),
        });
        let cleared = resume(
            &detained,
            ResumptionGround::ClearedWithoutSentence,
            ym(2020, 4),
            &PensionSchedule::flat(Fen(100_000)),
        )
        .unwrap();
        assert_eq!(cleared.back_pay, Fen(300_000));
    }

    #[test]
    fn certification_does_not_lift_unit_declared_suspensions() {
        let detained = PaymentStatus::Suspended(Suspension {
            reason: SuspensionReason::CriminalDetention,
            from: ym(2020, 1),
        });
        assert_eq!(
            resume(
                &detained,
                ResumptionGround::Certified,
                ym(2020, 4),
                &PensionSchedule::flat(Fen(1))
            ),
            Err(PaymentError::GroundDoesNotLift {
                reason: SuspensionReason::CriminalDetention,
                ground: ResumptionGround::Certified
            })
        );
        let dead = PaymentStatus::Suspended(Suspension {
            reason: SuspensionReason::Death,
            from: ym(2020, 1),
        });
        assert_eq!(
            resume(
                &dead,
                ResumptionGround::Certified,
                ym(2020, 4),
                &PensionSchedule::flat(Fen(1))
            ),
            Err(PaymentError::Ended)
        );
        assert_eq!(
            resume(
                &PaymentStatus::Active,
                ResumptionGround::Certified,
                ym(2020, 4),
                &PensionSchedule::flat(Fen(1))
            ),
            Err(PaymentError::NotSuspended)
        );
        let lapse = PaymentStatus::Suspended(Suspension {
            reason: SuspensionReason::CertificationLapse,
            from: ym(2020, 8),
        });
        assert_eq!(
            resume(
                &lapse,
                ResumptionGround::Certified,
                ym(2020, 7),
                &PensionSchedule::flat(Fen(1))
            ),
            Err(PaymentError::ResumeBeforeSuspension)
        );
    }

    // Seed 003 §四.3: a death declared late; payments after the death month are recovered.
    #[test]
    fn overpayment_after_a_late_death_declaration() {
        let decl = UnitDeclaration {
            reason: SuspensionReason::Death,
            event_date: date!(2020 - 03 - 15),
            declared_on: date!(2020 - 06 - 20),
        };
        let paid: Vec<_> = (1..=6).map(|m| (ym(2020, m), Fen(320_000))).collect();
        let o = decl.overpayment(&paid).unwrap();
        assert_eq!(o.first_unentitled, ym(2020, 4));
        assert_eq!(o.months.len(), 3);
        assert_eq!(o.total, Fen(960_000));
        let rec = Recovery {
            due: o.total,
            recovered: Fen(200_000),
            deadline: date!(2020 - 09 - 30),
        };
        assert_eq!(rec.unit_advance_due(date!(2020 - 09 - 30)), Fen::ZERO);
        assert_eq!(rec.unit_advance_due(date!(2020 - 10 - 01)), Fen(760_000));
        let bad = UnitDeclaration {
            reason: SuspensionReason::CertificationLapse,
            ..decl.clone()
        };
        assert!(bad.suspension().is_err());
        let early = UnitDeclaration {
            declared_on: date!(2020 - 03 - 14),
            ..decl
        };
        assert_eq!(early.suspension(), Err(DeclarationError::DeclaredBeforeEvent));
    }

    #[test]
    fn reason_codes_round_trip() {
        for code in [
            "certification_lapse",
            "death",
            "discipline_review",
            "supervision_investigation",
            "criminal_detention",
            "prison_sentence",
            "declared_missing_or_dead",
        ] {
            assert_eq!(SuspensionReason::from_code(code).unwrap().code(), code);
        }
        assert!(SuspensionReason::from_code("holiday").is_none());
    }
}
