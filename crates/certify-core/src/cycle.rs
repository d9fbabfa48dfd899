//! Certification cycles (认证周期) as configuration per region and scheme.
//!
//! Every recipient certifies at least once per cycle (seed 000 §二: "每年至少进行一次"; seed
//! 003 §二). Provinces define the cycle differently:
//! - a natural year with a deadline (Inner Mongolia: October 31, suspension from November);
//! - a dated window (Pucheng 2020: June 3 – July 31, suspension from August);
//! - a rolling period of 12 (or 6) months from the month after the last certification,
//!   with a warning some months before it ends.

use crate::time::{YearMonth, format_date, parse_date};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use time::{Date, Month};

/// A day of the year (`MM-DD`), for yearly deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MonthDay {
    month: u8,
    day: u8,
}

impl MonthDay {
    /// `month`/`day`; refused when no year has that day.
    pub fn new(month: u8, day: u8) -> Option<Self> {
        let m = Month::try_from(month).ok()?;
        // 2000 is a leap year: allows Feb 29, which falls back to Feb 28 in other years.
        (day >= 1 && day <= m.length(2000)).then_some(Self { month, day })
    }

    /// This day in `year` (Feb 29 becomes Feb 28 in common years).
    pub fn in_year(self, year: i32) -> Date {
        let m = Month::try_from(self.month).unwrap_or(Month::January);
        let day = self.day.min(m.length(year));
        Date::from_calendar_date(year, m, day).unwrap_or(Date::MIN)
    }
}

impl fmt::Display for MonthDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

impl Serialize for MonthDay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MonthDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let bad = || serde::de::Error::custom(format!("not a day of the year (MM-DD): {s:?}"));
        let (m, dd) = s.split_once('-').ok_or_else(bad)?;
        Self::new(m.parse().map_err(|_| bad())?, dd.parse().map_err(|_| bad())?).ok_or_else(bad)
    }
}

fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    let s = String::deserialize(d)?;
    parse_date(&s).ok_or_else(|| serde::de::Error::custom(format!("not a date (YYYY-MM-DD): {s:?}")))
}

fn ser_date<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_date(*date))
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
    /// One dated window (Pucheng 2020): certifications from `opens` count; those who
    /// have none by `closes` are suspended from `suspend_from`.
    Window {
        /// First day of the window.
        #[serde(deserialize_with = "de_date", serialize_with = "ser_date")]
        opens: Date,
        /// Last day of the window.
        #[serde(deserialize_with = "de_date", serialize_with = "ser_date")]
        closes: Date,
        /// First month not paid to those uncertified.
        suspend_from: YearMonth,
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
        }
    }

    /// Check the policy's own consistency.
    pub fn validate(&self) -> Result<(), PolicyError> {
        match *self {
            CyclePolicy::NaturalYear { .. } => Ok(()),
            CyclePolicy::Window {
                opens,
                closes,
                suspend_from,
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
            CyclePolicy::Window {
                opens,
                closes,
                suspend_from,
            } => CycleView {
                counts_from: opens,
                warning_from: opens,
                deadline: closes,
                suspend_from,
                certified_on: last.filter(|d| *d >= opens),
            },
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
    /// date of the certification that already covers the cycle. Under a natural year or
    /// window, one certification per natural year is enough (seed 003 常见问题 7(2):
    /// "一个自然年度仅需要认证一次"); under a rolling period, a certification is taken
    /// again from the warning period on.
    pub fn already_certified(&self, last: Option<Date>, pension_start: YearMonth, today: Date) -> Option<Date> {
        let last = last?;
        match self {
            CyclePolicy::NaturalYear { .. } | CyclePolicy::Window { .. } => {
                (last.year() == today.year()).then_some(last)
            }
            CyclePolicy::Rolling { .. } => {
                let cycle = self.cycle_on(Some(last), pension_start, today);
                (today < cycle.warning_from).then_some(last)
            }
        }
    }
}

#[cfg(test)]
mod tests {
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
            r#"{"kind":"window","opens":"2020-06-03","closes":"2020-07-31","suspend_from":"2020-08"}"#
        );
    }

    #[test]
    fn validation_catches_inconsistent_policies() {
        assert!(CyclePolicy::pucheng_2020().validate().is_ok());
        let bad = CyclePolicy::Window {
            opens: date!(2020 - 06 - 03),
            closes: date!(2020 - 07 - 31),
            suspend_from: YearMonth::new(2020, 7).unwrap(),
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
        // A certification before the window opened does not count for it.
        assert!(matches!(
            p.status_on(Some(date!(2020 - 06 - 02)), start(), date!(2020 - 08 - 01)),
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
}
