//! Instants and calendar months. The core never reads a clock: every function that
//! depends on time takes `now` (a [`Timestamp`]) or `today` (a [`Date`]) from its caller.

use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Month};

/// Seconds east of UTC of China Standard Time (UTC+8, no daylight saving): the civil
/// calendar every certification rule is written in.
pub const CHINA_UTC_OFFSET_SECONDS: i64 = 8 * 3600;

/// One day in seconds.
pub const DAY_SECONDS: i64 = 24 * 3600;

/// An instant: whole seconds since the Unix epoch (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The instant `seconds` after 1970-01-01T00:00:00Z.
    pub const fn from_unix_seconds(seconds: i64) -> Self {
        Self(seconds)
    }

    /// Seconds since the Unix epoch.
    pub const fn unix_seconds(self) -> i64 {
        self.0
    }

    /// This instant moved by `seconds` (saturating at the ends of the range).
    #[must_use]
    pub const fn plus_seconds(self, seconds: i64) -> Self {
        Self(self.0.saturating_add(seconds))
    }

    /// Seconds from `earlier` to `self` (negative when `earlier` is later).
    pub const fn seconds_since(self, earlier: Timestamp) -> i64 {
        self.0.saturating_sub(earlier.0)
    }

    /// The civil date of this instant in China Standard Time.
    pub fn china_date(self) -> Date {
        let days = (self.0 + CHINA_UTC_OFFSET_SECONDS).div_euclid(DAY_SECONDS);
        // 2440588 is the Julian day number of 1970-01-01.
        let julian = i32::try_from(days + 2_440_588).unwrap_or(i32::MAX);
        Date::from_julian_day(julian).unwrap_or(Date::MAX)
    }

    /// Midnight at the start of `date` in China Standard Time.
    pub fn start_of_china_day(date: Date) -> Self {
        let days = i64::from(date.to_julian_day()) - 2_440_588;
        Self(days * DAY_SECONDS - CHINA_UTC_OFFSET_SECONDS)
    }
}

impl fmt::Display for Timestamp {
    /// Beijing time, `2020-06-23 09:03:00 +08:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.china_date();
        let secs = (self.0 + CHINA_UTC_OFFSET_SECONDS).rem_euclid(DAY_SECONDS);
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} +08:00",
            d.year(),
            u8::from(d.month()),
            d.day(),
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

/// A calendar month (year and month), the unit of pension payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: i32,
    month: u8,
}

/// A month outside 1..=12, or text that is not `YYYY-MM`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a calendar month (expected YYYY-MM with month 01..12): {0:?}")]
pub struct InvalidYearMonth(pub String);

impl YearMonth {
    /// The month `month` (1..=12) of `year`.
    pub fn new(year: i32, month: u8) -> Result<Self, InvalidYearMonth> {
        if (1..=12).contains(&month) && (-9999..=9999).contains(&year) {
            Ok(Self { year, month })
        } else {
            Err(InvalidYearMonth(format!("{year}-{month}")))
        }
    }

    /// The month that contains `date`.
    pub fn of(date: Date) -> Self {
        Self {
            year: date.year(),
            month: u8::from(date.month()),
        }
    }

    /// The year.
    pub const fn year(self) -> i32 {
        self.year
    }

    /// The month, 1..=12.
    pub const fn month(self) -> u8 {
        self.month
    }

    fn time_month(self) -> Month {
        Month::try_from(self.month).unwrap_or(Month::January)
    }

    /// The first day of the month.
    pub fn first_day(self) -> Date {
        Date::from_calendar_date(self.year, self.time_month(), 1).unwrap_or(Date::MIN)
    }

    /// The last day of the month.
    pub fn last_day(self) -> Date {
        let days = self.time_month().length(self.year);
        Date::from_calendar_date(self.year, self.time_month(), days).unwrap_or(Date::MAX)
    }

    /// A count of months since year 0, for arithmetic.
    const fn index(self) -> i64 {
        self.year as i64 * 12 + (self.month as i64 - 1)
    }

    const fn from_index(index: i64) -> Self {
        Self {
            year: index.div_euclid(12) as i32,
            month: (index.rem_euclid(12) + 1) as u8,
        }
    }

    /// This month moved by `months` (negative moves back).
    #[must_use]
    pub const fn plus_months(self, months: i64) -> Self {
        Self::from_index(self.index() + months)
    }

    /// The month after this one.
    #[must_use]
    pub const fn next(self) -> Self {
        self.plus_months(1)
    }

    /// Months from `self` to `later` (`later - self`; negative when `later` is earlier).
    pub const fn months_until(self, later: YearMonth) -> i64 {
        later.index() - self.index()
    }

    /// The months from `self` (inclusive) to `end` (exclusive), in order.
    pub fn until(self, end: YearMonth) -> impl Iterator<Item = YearMonth> {
        (self.index()..end.index()).map(Self::from_index)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl std::str::FromStr for YearMonth {
    type Err = InvalidYearMonth;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || InvalidYearMonth(s.to_owned());
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        Self::new(year, month).map_err(|_| bad())
    }
}

impl Serialize for YearMonth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Format a date as `YYYY-MM-DD` (the inverse of [`parse_date`]).
pub fn format_date(d: Date) -> String {
    let mut out = String::with_capacity(10);
    // Writing into a String cannot fail.
    let _ = write_date(&mut out, d);
    out
}

/// Write a date as `YYYY-MM-DD` ([`format_date`]) into `out`, without a string of its own.
///
/// Years 0–9999 are written from [`date_ascii`], without the formatting machinery (a batch
/// run writes millions of dates); other years as `{:04}` writes them.
pub fn write_date(out: &mut impl std::fmt::Write, d: Date) -> std::fmt::Result {
    match date_ascii(d) {
        Some(text) => out.write_str(std::str::from_utf8(&text).map_err(|_| std::fmt::Error)?),
        None => write!(out, "{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
    }
}

/// The ten ASCII bytes of `YYYY-MM-DD` for a date in the years 0–9999, digit by digit;
/// `None` for other years, which [`format_date`] writes with a sign or more digits. For
/// writers of bytes (CSV lines) and of text alike.
pub fn date_ascii(d: Date) -> Option<[u8; 10]> {
    let Ok(year @ 0..=9999) = u16::try_from(d.year()) else {
        return None;
    };
    // The last decimal digit of `n` as an ASCII byte.
    let digit = |n: u16| b'0' + (n % 10) as u8;
    let (month, day) = (u16::from(u8::from(d.month())), u16::from(d.day()));
    Some([
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        b'-',
        digit(month / 10),
        digit(month),
        b'-',
        digit(day / 10),
        digit(day),
    ])
}

/// Parse `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<Date> {
    // Most texts are exactly the date: skip the Unicode trim when both ends are ASCII
    // non-space (a full-width space U+3000 still goes through it).
    let raw = text.as_bytes();
    let bare = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii() && !char::from(b).is_whitespace());
    let t = if bare(raw.first()) && bare(raw.last()) {
        raw
    } else {
        text.trim().as_bytes()
    };
    if t.len() != 10 || t[4] != b'-' || t[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        t[r].iter().try_fold(0u32, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
        })
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(num(5..7)?).ok()?).ok()?;
    let day = u8::try_from(num(8..10)?).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dates_are_written_as_the_formatting_machinery_writes_them() {
        let days = [
            Date::MIN,
            Date::from_calendar_date(-1, Month::December, 31).unwrap(),
            Date::from_calendar_date(0, Month::January, 1).unwrap(),
            Date::from_calendar_date(7, Month::July, 9).unwrap(),
            Date::from_calendar_date(999, Month::October, 10).unwrap(),
            Date::from_calendar_date(2026, Month::November, 2).unwrap(),
            Date::from_calendar_date(9999, Month::December, 31).unwrap(),
            Date::MAX,
        ];
        let slow = |d: Date| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
        for d in days {
            assert_eq!(format_date(d), slow(d));
        }
        let mut d = Date::from_calendar_date(1899, Month::January, 1).unwrap();
        while d.year() < 2101 {
            let text = format_date(d);
            assert_eq!(text, slow(d));
            assert_eq!(parse_date(&text), Some(d), "{text}");
            d = d.next_day().unwrap();
        }
    }

    #[test]
    fn china_date_rolls_over_at_midnight_beijing_time() {
        // 2020-07-31T15:59:59Z is 23:59:59 in Beijing; one second later is August 1st.
        let before = Timestamp::from_unix_seconds(1_596_211_199);
        assert_eq!(before.china_date(), date!(2020 - 07 - 31));
        assert_eq!(before.to_string(), "2020-07-31 23:59:59 +08:00");
        assert_eq!(before.plus_seconds(1).china_date(), date!(2020 - 08 - 01));
        assert_eq!(
            Timestamp::start_of_china_day(date!(2020 - 08 - 01)),
            before.plus_seconds(1)
        );
    }

    #[test]
    fn month_arithmetic_crosses_years() {
        let m = YearMonth::new(2019, 11).unwrap();
        assert_eq!(m.plus_months(3).to_string(), "2020-02");
        assert_eq!(m.plus_months(-11).to_string(), "2018-12");
        assert_eq!(m.months_until(YearMonth::new(2020, 8).unwrap()), 9);
        assert_eq!(m.until(m.plus_months(3)).count(), 3);
        assert_eq!(YearMonth::new(2020, 2).unwrap().last_day(), date!(2020 - 02 - 29));
        assert!(YearMonth::new(2020, 13).is_err());
        assert!("2020-8".parse::<YearMonth>().is_err());
        assert_eq!("2020-08".parse::<YearMonth>().unwrap().month(), 8);
    }

    #[test]
    fn parses_iso_dates_only() {
        assert_eq!(parse_date("2020-06-03"), Some(date!(2020 - 06 - 03)));
        assert_eq!(parse_date("2020-02-30"), None);
        // Space around the date, ASCII or not, is trimmed as before.
        for padded in [
            " 2020-06-03",
            "2020-06-03\t",
            "\u{b}2020-06-03\u{b}",
            "\u{3000}2020-06-03",
            "2020-06-03\u{3000}",
        ] {
            assert_eq!(parse_date(padded), Some(date!(2020 - 06 - 03)), "{padded:?}");
        }
        assert_eq!(parse_date("2020/06/03"), None);
        assert_eq!(parse_date("20-06-03"), None);
        assert_eq!(format_date(date!(2020 - 06 - 03)), "2020-06-03");
        assert_eq!(
            parse_date(&format_date(date!(1949 - 12 - 31))),
            Some(date!(1949 - 12 - 31))
        );
    }
}
