//! Money in integer fen (分, 1/100 yuan). Pension arithmetic never uses floats.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};

/// An amount in fen. Arithmetic saturates rather than wrapping.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    /// Zero.
    pub const ZERO: Fen = Fen(0);

    /// `yuan` yuan and `fen` fen.
    pub const fn yuan(yuan: i64, fen: i64) -> Fen {
        Fen(yuan * 100 + fen)
    }

    /// The amount multiplied by a whole count (e.g. months).
    #[must_use]
    pub const fn times(self, n: i64) -> Fen {
        Fen(self.0.saturating_mul(n))
    }

    /// Parse `1234.56`, `1234.5` or `1234` yuan into fen, exactly (no float parsing).
    pub fn parse_yuan(text: &str) -> Option<Fen> {
        let t = text.trim();
        let (neg, t) = t.strip_prefix('-').map_or((false, t), |r| (true, r));
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        if int.is_empty()
            || frac.len() > 2
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let yuan: i64 = int.parse().ok()?;
        // "5" is 50 fen, "05" 5, "" 0 (the digits were checked above): no string for it.
        let fen = frac
            .bytes()
            .chain(std::iter::repeat(b'0'))
            .take(2)
            .fold(0i64, |acc, b| acc * 10 + i64::from(b - b'0'));
        let v = yuan.checked_mul(100)?.checked_add(fen)?;
        Some(Fen(if neg { -v } else { v }))
    }
}

impl Add for Fen {
    type Output = Fen;
    fn add(self, o: Fen) -> Fen {
        Fen(self.0.saturating_add(o.0))
    }
}

impl Sub for Fen {
    type Output = Fen;
    fn sub(self, o: Fen) -> Fen {
        Fen(self.0.saturating_sub(o.0))
    }
}

impl Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        iter.fold(Fen::ZERO, Add::add)
    }
}

impl fmt::Display for Fen {
    /// `1234.56` (yuan with two decimals).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", a / 100, a % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_yuan_exactly() {
        assert_eq!(Fen::parse_yuan("3210.05"), Some(Fen(321_005)));
        assert_eq!(Fen::parse_yuan("3210.5"), Some(Fen(321_050)));
        assert_eq!(Fen::parse_yuan("3210"), Some(Fen(321_000)));
        assert_eq!(Fen::parse_yuan("0.1"), Some(Fen(10)));
        assert_eq!(Fen::parse_yuan("1.234"), None);
        assert_eq!(Fen::parse_yuan("1e3"), None);
        assert_eq!(Fen::parse_yuan(".5"), None);
        assert_eq!(Fen(321_005).to_string(), "3210.05");
        assert_eq!(Fen(-5).to_string(), "-0.05");
        assert_eq!(Fen::yuan(10, 1).times(3), Fen(3003));
    }

    #[test]
    fn yuan_parse_as_the_padded_text_did() {
        // The former parse: the fraction padded to two digits with a string.
        let padded = |text: &str| -> Option<Fen> {
            let t = text.trim();
            let (neg, t) = t.strip_prefix('-').map_or((false, t), |r| (true, r));
            let (int, frac) = t.split_once('.').unwrap_or((t, ""));
            let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
            if int.is_empty() || frac.len() > 2 || !digits(int) || !digits(frac) {
                return None;
            }
            let v = int
                .parse::<i64>()
                .ok()?
                .checked_mul(100)?
                .checked_add(format!("{frac:0<2}").parse().ok()?)?;
            Some(Fen(if neg { -v } else { v }))
        };
        let texts = [
            "0",
            "0.",
            "0.0",
            "0.00",
            "0.09",
            "0.9",
            "12.",
            "12.3",
            "12.34",
            " 7.5 ",
            "-0.05",
            "-3",
            "--3",
            "1.2.3",
            "+1",
            "1,5",
            "",
            " ",
            "-",
            ".",
            "1.-5",
            "92233720368547758.07",
            "92233720368547758.08",
            "9223372036854775807",
            "１２",
            "3210.05",
        ];
        for text in texts {
            assert_eq!(Fen::parse_yuan(text), padded(text), "{text:?}");
        }
    }
}
