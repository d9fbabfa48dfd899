//! Certification cycles (认证周期) as configuration per region and scheme.
//!
//! Every recipient certifies at least once per cycle (seed 000 §二: "每年至少进行一次"; seed
//! 003 §二). Provinces define the cycle differently:
//! - a natural year with a deadline (Inner Mongolia: October 31, suspension from November);
//! - a window every year (Pucheng: June 3 – July 31, suspension from August), or one dated
//!   window for a single campaign;
//! - a rolling period of 12 (or 6) months from the month after the last certification,
//!   with a warning some months before it ends.

mod month_day;
#[cfg(test)]
mod tests;

pub use month_day::MonthDay;

use crate::time::{YearMonth, format_date, parse_date};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month};

impl EarlyCertification {
    /// The first day that counts for a window opening on `opens`.
    fn counts_from(self, opens: Date) -> Date {
        match self {
            EarlyCertification::CountsForTheYear => {
                Date::from_calendar_date(opens.year(), Month::January, 1).unwrap_or(opens)
            }
            EarlyCertification::DoesNotCount => opens,
        }
    }
}

fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    let s = String::deserialize(d)?;
    parse_date(&s).ok_or_else(|| serde::de::Error::custom(format!("not a date (YYYY-MM-DD): {s:?}")))
}

fn ser_date<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_date(*date))
}

/// Whether a certification made in the window's year before the window opens counts for
/// that year's cycle.
///
/// Default: it counts. Seed 003 常见问题 7(2): "一个自然年度仅需要认证一次" — one
/// certification per natural year is enough, so a person certified in May is not asked
/// again in June (and is not suspended in August for it). A province that wants every
/// certification inside the window says `does_not_count`; then a May certification is
/// not "already certified" either, and the person may certify again in the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EarlyCertification {
    /// Counts for that year's cycle (the default).
    #[default]
    CountsForTheYear,
    /// Only certifications from the opening day count.
    DoesNotCount,
}

/// How often people must certify, and when those who did not are suspended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CyclePolicy {
    /// Once per natural year, by `deadline`; suspension from the month after.
    NaturalYear {
        /// Last day to certify each year (Inner Mongolia: `10-31`).
        deadline: MonthDay,
        /// First day of the warning period, if reminders start before the deadline.
        #[serde(default)]
        warning_from: Option<MonthDay>,
    },
    /// A window every year (Pucheng: `06-03` to `07-31`, suspension from month 8): those
    /// with no certification for the year by `closes` are suspended from `suspend_from_month`
    /// of that year.
    YearlyWindow {
        /// First day of the window each year.
        opens: MonthDay,
        /// Last day of the window each year.
        closes: MonthDay,
        /// First month (1–12, after the closing month) not paid to those uncertified.
        suspend_from_month: u8,
        /// Whether a certification earlier in the year counts.
        #[serde(default)]
        early: EarlyCertification,
    },
    /// One dated window for a single campaign (Pucheng 2020): those with no certification
    /// by `closes` are suspended from `suspend_from`. It does not recur: after it, use a
    /// yearly policy.
    Window {
        /// First day of the window.
        #[serde(deserialize_with = "de_date", serialize_with = "ser_date")]
        opens: Date,
        /// Last day of the window.
        #[serde(deserialize_with = "de_date", serialize_with = "ser_date")]
        closes: Date,
        /// First month not paid to those uncertified.
        suspend_from: YearMonth,
        /// Whether a certification earlier in the window's year counts.
        #[serde(default)]
        early: EarlyCertification,
    },
    /// Every `months` months counted from the month after the last certification (or
    /// from the first pension month for someone who never certified), with a warning
    /// `warning_months` before the period ends.
    Rolling {
        /// Length of the period (12 or 6).
        months: u8,
        /// Months of warning before the end.
        warning_months: u8,
    },
}

/// Why a policy is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A window that closes before it opens, or suspends before it closes.
    #[error("the window must open before it closes, and suspension must start after it closes")]
    BadWindow,
    /// A rolling period of 0 months, or a warning not shorter than the period.
    #[error("a rolling period needs 1..=24 months and a warning shorter than the period")]
    BadRolling,
}

/// The cycle a person is in on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CycleView {
    /// First day on which a certification counts for this cycle.
    pub counts_from: Date,
    /// First day of the warning period.
    pub warning_from: Date,
    /// Last day to certify.
    pub deadline: Date,
    /// First month not paid if the person has not certified by the deadline.
    pub suspend_from: YearMonth,
    /// The certification that satisfies this cycle, if any.
    pub certified_on: Option<Date>,
}

/// A person's certification status on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CycleStatus {
    /// Certified for the current cycle.
    Certified {
        /// On which day.
        on: Date,
        /// When the next certification falls due, if the policy knows.
        next_deadline: Option<Date>,
    },
    /// Must certify by `deadline`; `warning` once in the warning period.
    Due {
        /// Last day.
        deadline: Date,
        /// Whether the warning period has begun (send reminders).
        warning: bool,
    },
    /// The deadline passed without certification: payment stops from `suspend_from`
    /// at the next deadline run.
    Overdue {
        /// The missed deadline.
        deadline: Date,
        /// First month not paid.
        suspend_from: YearMonth,
    },
    /// Payment is suspended (from the payment record).
    Suspended {
        /// First month not paid.
        from: YearMonth,
    },
}

impl CyclePolicy {
    /// Inner Mongolia's policy (seed 000 §二): natural year, deadline October 31.
    pub fn inner_mongolia() -> Self {
        CyclePolicy::NaturalYear {
            deadline: MonthDay { month: 10, day: 31 },
            warning_from: None,
        }
    }

    /// Pucheng county 2020 (seed 003 §二, 四.2): June 3 – July 31, suspension from August.
    pub fn pucheng_2020() -> Self {
        CyclePolicy::Window {
            opens: Date::from_calendar_date(2020, Month::June, 3).unwrap_or(Date::MIN),
            closes: Date::from_calendar_date(2020, Month::July, 31).unwrap_or(Date::MIN),
            suspend_from: YearMonth::new(2020, 8).unwrap_or_else(|_| YearMonth::of(Date::MIN)),
            early: EarlyCertification::CountsForTheYear,
        }
    }

    /// Pucheng's window as a yearly policy: June 3 – July 31 every year, suspension from
    /// August.
    pub fn pucheng_yearly() -> Self {
        CyclePolicy::YearlyWindow {
            opens: MonthDay { month: 6, day: 3 },
            closes: MonthDay { month: 7, day: 31 },
            suspend_from_month: 8,
            early: EarlyCertification::CountsForTheYear,
        }
    }

    /// Check the policy's own consistency.
    pub fn validate(&self) -> Result<(), PolicyError> {
        match *self {
            CyclePolicy::NaturalYear { .. } => Ok(()),
            CyclePolicy::YearlyWindow {
                opens,
                closes,
                suspend_from_month,
                ..
            } => {
                if opens <= closes && suspend_from_month > closes.month && suspend_from_month <= 12 {
                    Ok(())
                } else {
                    Err(PolicyError::BadWindow)
                }
            }
            CyclePolicy::Window {
                opens,
                closes,
                suspend_from,
                ..
            } => {
                if opens <= closes && suspend_from > YearMonth::of(closes) {
                    Ok(())
                } else {
                    Err(PolicyError::BadWindow)
                }
            }
            CyclePolicy::Rolling { months, warning_months } => {
                if (1..=24).contains(&months) && warning_months < months {
                    Ok(())
                } else {
                    Err(PolicyError::BadRolling)
                }
            }
        }
    }

    /// The cycle on `today` for someone whose latest certification was `last` and whose
    /// pension started in `pension_start`.
    pub fn cycle_on(&self, last: Option<Date>, pension_start: YearMonth, today: Date) -> CycleView {
        match *self {
            CyclePolicy::NaturalYear { deadline, warning_from } => {
                let year = today.year();
                let counts_from = YearMonth::new(year, 1).map(YearMonth::first_day).unwrap_or(Date::MIN);
                let deadline = deadline.in_year(year);
                CycleView {
                    counts_from,
                    warning_from: warning_from.map_or(counts_from, |w| w.in_year(year)),
                    deadline,
                    suspend_from: YearMonth::of(deadline).next(),
                    certified_on: last.filter(|d| d.year() == year),
                }
            }
            CyclePolicy::YearlyWindow {
                opens,
                closes,
                suspend_from_month,
                early,
            } => {
                let year = today.year();
                let opens = opens.in_year(year);
                let counts_from = early.counts_from(opens);
                CycleView {
                    counts_from,
                    warning_from: opens,
                    deadline: closes.in_year(year),
                    suspend_from: YearMonth::new(year, suspend_from_month)
                        .unwrap_or_else(|_| YearMonth::of(closes.in_year(year)).next()),
                    certified_on: last.filter(|d| *d >= counts_from),
                }
            }
            CyclePolicy::Window {
                opens,
                closes,
                suspend_from,
                early,
            } => {
                let counts_from = early.counts_from(opens);
                CycleView {
                    counts_from,
                    warning_from: opens,
                    deadline: closes,
                    suspend_from,
                    certified_on: last.filter(|d| *d >= counts_from),
                }
            }
            CyclePolicy::Rolling { months, warning_months } => {
                let base = last.map_or(pension_start, |d| YearMonth::of(d).next());
                let end = base.plus_months(i64::from(months) - 1);
                CycleView {
                    counts_from: base.first_day(),
                    warning_from: end.plus_months(1 - i64::from(warning_months)).first_day(),
                    deadline: end.last_day(),
                    suspend_from: end.next(),
                    // A certification starts a new period; it "satisfies" the period it opens.
                    certified_on: last,
                }
            }
        }
    }

    /// Certification status on `today` (ignoring payment: see [`CyclePolicy::status_with_payment`]).
    pub fn status_on(&self, last: Option<Date>, pension_start: YearMonth, today: Date) -> CycleStatus {
        let cycle = self.cycle_on(last, pension_start, today);
        match (self, cycle.certified_on) {
            (CyclePolicy::Rolling { .. }, Some(on)) if today < cycle.warning_from => CycleStatus::Certified {
                on,
                next_deadline: Some(cycle.deadline),
            },
            (CyclePolicy::Rolling { .. }, _) => Self::pending(&cycle, today),
            (CyclePolicy::NaturalYear { deadline, .. }, Some(on)) => CycleStatus::Certified {
                on,
                next_deadline: Some(deadline.in_year(today.year() + 1)),
            },
            (CyclePolicy::YearlyWindow { closes, .. }, Some(on)) => CycleStatus::Certified {
                on,
                next_deadline: Some(closes.in_year(today.year() + 1)),
            },
            (CyclePolicy::Window { .. }, Some(on)) => CycleStatus::Certified {
                on,
                next_deadline: None,
            },
            (_, None) => Self::pending(&cycle, today),
        }
    }

    fn pending(cycle: &CycleView, today: Date) -> CycleStatus {
        if today > cycle.deadline {
            CycleStatus::Overdue {
                deadline: cycle.deadline,
                suspend_from: cycle.suspend_from,
            }
        } else {
            CycleStatus::Due {
                deadline: cycle.deadline,
                warning: today >= cycle.warning_from,
            }
        }
    }

    /// Status including the payment record: a suspension shows as [`CycleStatus::Suspended`].
    pub fn status_with_payment(
        &self,
        last: Option<Date>,
        pension_start: YearMonth,
        suspended_from: Option<YearMonth>,
        today: Date,
    ) -> CycleStatus {
        match suspended_from {
            Some(from) => CycleStatus::Suspended { from },
            None => self.status_on(last, pension_start, today),
        }
    }

    /// Whether a new certification is useful on `today`: `None` if so, otherwise the
    /// date of the certification that already covers the cycle. It is exactly the cycle's
    /// own answer, so "already certified" and the deadline decision never disagree: under a
    /// natural year or a window, one certification per cycle (seed 003 常见问题 7(2):
    /// "一个自然年度仅需要认证一次", with [`EarlyCertification`] deciding about certifications
    /// before a window opens); under a rolling period, a certification is taken again from
    /// the warning period on.
    pub fn already_certified(&self, last: Option<Date>, pension_start: YearMonth, today: Date) -> Option<Date> {
        match self.status_on(last, pension_start, today) {
            CycleStatus::Certified { on, .. } => Some(on),
            _ => None,
        }
    }
}
