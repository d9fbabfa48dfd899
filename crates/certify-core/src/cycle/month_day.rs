//! A day of the year (`MM-DD`) for yearly deadlines and windows.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use time::{Date, Month};

/// A day of the year (`MM-DD`), for yearly deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MonthDay {
    pub(super) month: u8,
    pub(super) day: u8,
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
