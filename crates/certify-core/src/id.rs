//! Resident identity numbers (居民身份证号码, GB 11643-1999) and the residence permits of
//! Hong Kong, Macau and Taiwan residents (港澳台居民居住证), which share the format.
//!
//! An 18-character number is: a 6-digit administrative division code (GB/T 2260), an
//! 8-digit birth date, a 3-digit sequence number whose last digit is odd for men and even
//! for women, and an ISO 7064 MOD 11-2 check character (`0`–`9` or `X`). Legacy 15-digit
//! numbers (two-digit birth year, no check digit) are still held by many elderly people;
//! [`ResidentId::parse`] upgrades them to 18 characters.

use crate::region::{self, Region};
use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Month};

/// Why a text is not a valid identity number. [`IdError::code`] gives a stable
/// snake_case code for machine consumers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Nothing was entered.
    #[error("the identity number is empty")]
    Empty,
    /// Neither 18 nor 15 characters.
    #[error("an identity number has 18 characters (or 15 for legacy numbers), got {0}")]
    BadLength(usize),
    /// A character other than a digit (or a final `X`).
    #[error("character {position} is not a digit{}", if *.position == 18 { " or X" } else { "" })]
    BadCharacter {
        /// 1-based position of the offending character.
        position: usize,
    },
    /// The check character does not match the first 17 digits.
    #[error("the check character should be {expected} but is {found}")]
    BadCheckDigit {
        /// The check character the first 17 digits give.
        expected: char,
        /// The check character entered.
        found: char,
    },
    /// Digits 7–14 are not a calendar date (or a date before 1850).
    #[error("the birth date {0} does not exist")]
    BadBirthDate(String),
    /// The birth date lies after the day given for validation.
    #[error("the birth date {0} is in the future")]
    BirthDateInFuture(Date),
    /// The first six digits are not a GB/T 2260 code, current or retired.
    #[error("{0} is not an administrative division code (GB/T 2260), current or retired")]
    UnknownRegion(String),
}

impl IdError {
    /// A stable snake_case code for this error (used in JSON output and bindings).
    pub const fn code(&self) -> &'static str {
        match self {
            IdError::Empty => "empty",
            IdError::BadLength(_) => "bad_length",
            IdError::BadCharacter { .. } => "bad_character",
            IdError::BadCheckDigit { .. } => "bad_check_digit",
            IdError::BadBirthDate(_) => "bad_birth_date",
            IdError::BirthDateInFuture(_) => "birth_date_in_future",
            IdError::UnknownRegion(_) => "unknown_region",
        }
    }
}

/// Sex as encoded in digit 17 (odd: male, even: female).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Odd sequence digit.
    Male,
    /// Even sequence digit.
    Female,
}

/// Which document the number belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// Mainland resident identity card (居民身份证).
    ResidentCard,
    /// Residence permit for Hong Kong residents (prefix 81).
    HongKongPermit,
    /// Residence permit for Macau residents (prefix 82).
    MacauPermit,
    /// Residence permit for Taiwan residents (prefix 83).
    TaiwanPermit,
}

/// A valid 18-character identity number, upper-case `X`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResidentId([u8; 18]);

/// Weights of ISO 7064 MOD 11-2 for the first 17 digits (2^(17-i) mod 11).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each weighted sum modulo 11.
const CHECK_CHARS: [u8; 11] = *b"10X98765432";

/// The ISO 7064 MOD 11-2 check character of 17 ASCII digits.
pub fn check_character(first17: &[u8; 17]) -> char {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    char::from(CHECK_CHARS[(sum % 11) as usize])
}

impl ResidentId {
    /// Parse and fully validate an identity number: length, characters, check digit,
    /// birth date and administrative division. Full-width digits, a lower-case `x` and
    /// surrounding whitespace are accepted; 15-digit legacy numbers are upgraded.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let id = Self::parse_structure(input)?;
        id.check_region()?;
        Ok(id)
    }

    /// Like [`ResidentId::parse`], and also refuse a birth date after `today`.
    pub fn parse_on(input: &str, today: Date) -> Result<Self, IdError> {
        let id = Self::parse(input)?;
        let birth = id.birth_date();
        if birth > today {
            return Err(IdError::BirthDateInFuture(birth));
        }
        Ok(id)
    }

    /// Everything but the division-code lookup: for hosts that hold numbers issued under
    /// codes missing from the table and check them another way.
    pub fn parse_structure(input: &str) -> Result<Self, IdError> {
        // The common case first: exactly 18 ASCII digits, the last one perhaps X or x.
        if let Ok(bytes) = <[u8; 18]>::try_from(input.as_bytes()) {
            if bytes[..17].iter().all(u8::is_ascii_digit) {
                let mut buf = bytes;
                match buf[17] {
                    b'0'..=b'9' | b'X' => return Self::from_18(buf),
                    b'x' => {
                        buf[17] = b'X';
                        return Self::from_18(buf);
                    }
                    _ => {}
                }
            }
        }
        let mut buf = [0u8; 18];
        let mut len = 0usize;
        for ch in input.trim().chars() {
            let ascii = match ch {
                '0'..='9' | 'X' => ch as u8,
                'x' => b'X',
                // Full-width digits and letter X, as typed with a Chinese input method.
                '０'..='９' => b'0' + (ch as u32 - '０' as u32) as u8,
                'Ｘ' | 'ｘ' => b'X',
                _ => {
                    return Err(IdError::BadCharacter { position: len + 1 });
                }
            };
            if len == 18 {
                return Err(IdError::BadLength(input.trim().chars().count()));
            }
            buf[len] = ascii;
            len += 1;
        }
        match len {
            0 => Err(IdError::Empty),
            18 => Self::from_18(buf),
            15 => Self::from_15(&buf[..15]),
            n => Err(IdError::BadLength(n)),
        }
    }

    fn from_18(buf: [u8; 18]) -> Result<Self, IdError> {
        if let Some(i) = buf[..17].iter().position(|b| !b.is_ascii_digit()) {
            return Err(IdError::BadCharacter { position: i + 1 });
        }
        let first17: &[u8; 17] = buf[..17].try_into().map_err(|_| IdError::Empty)?;
        let expected = check_character(first17);
        let found = char::from(buf[17]);
        if expected != found {
            return Err(IdError::BadCheckDigit { expected, found });
        }
        let id = Self(buf);
        birth_date_of(&buf[6..14])?;
        Ok(id)
    }

    fn from_15(digits: &[u8]) -> Result<Self, IdError> {
        if let Some(i) = digits.iter().position(|b| !b.is_ascii_digit()) {
            return Err(IdError::BadCharacter { position: i + 1 });
        }
        // Legacy numbers: region(6) YYMMDD(6) sequence(3); every holder was born in 19YY.
        let mut first17 = [0u8; 17];
        first17[..6].copy_from_slice(&digits[..6]);
        first17[6..8].copy_from_slice(b"19");
        first17[8..17].copy_from_slice(&digits[6..15]);
        let mut buf = [0u8; 18];
        buf[..17].copy_from_slice(&first17);
        buf[17] = check_character(&first17) as u8;
        birth_date_of(&buf[6..14])?;
        Ok(Self(buf))
    }

    fn check_region(&self) -> Result<(), IdError> {
        let code = self.region_code();
        let number = self.0[..6].iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        if self.kind() != IdKind::ResidentCard || region::is_known(number) {
            Ok(())
        } else {
            Err(IdError::UnknownRegion(code.to_owned()))
        }
    }

    /// The 18-character number.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and 'X' are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The six-digit administrative division code.
    pub fn region_code(&self) -> &str {
        &self.as_str()[..6]
    }

    /// The division the number was issued in, if the table knows it (permits: none).
    pub fn region(&self) -> Option<&'static Region> {
        region::lookup(self.region_code())
    }

    /// The document this number belongs to.
    pub fn kind(&self) -> IdKind {
        match &self.0[..6] {
            b"810000" => IdKind::HongKongPermit,
            b"820000" => IdKind::MacauPermit,
            b"830000" => IdKind::TaiwanPermit,
            _ => IdKind::ResidentCard,
        }
    }

    /// The date of birth.
    pub fn birth_date(&self) -> Date {
        // Validated at construction.
        birth_date_of(&self.0[6..14]).unwrap_or(Date::MIN)
    }

    /// Sex from digit 17.
    pub fn sex(&self) -> Sex {
        if (self.0[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Age in whole years on `today`.
    pub fn age_on(&self, today: Date) -> i32 {
        let birth = self.birth_date();
        let mut age = today.year() - birth.year();
        if (today.month() as u8, today.day()) < (birth.month() as u8, birth.day()) {
            age -= 1;
        }
        age
    }

    /// A dense numeric key (17 digits × 11 + check value): unique per number, for
    /// compact indexes over millions of people.
    pub fn to_u64(&self) -> u64 {
        let body = self.0[..17].iter().fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0'));
        let check = if self.0[17] == b'X' {
            10
        } else {
            u64::from(self.0[17] - b'0')
        };
        body * 11 + check
    }

    /// The number behind a [`ResidentId::to_u64`] key, fully validated again (`None` for a
    /// key no valid number has): batch engines join on the key and print the number.
    pub fn from_u64(key: u64) -> Option<Self> {
        let id = Self::from_18(key_text(key)?).ok()?;
        id.check_region().ok()?;
        Some(id)
    }

    /// The number with all but the region, birth year and check character hidden
    /// (`110101********123X` style), for logs and screens.
    pub fn masked(&self) -> String {
        let s = self.as_str();
        format!("{}********{}", &s[..6], &s[14..])
    }
}

/// Largest key of 18 characters: 17 nines, times 11, plus 10 (`X`).
const MAX_KEY: u64 = 99_999_999_999_999_999 * 11 + 10;

/// The 17 digits and check character whose [`ResidentId::to_u64`]-style key is `key`,
/// valid or not (`None` above [`MAX_KEY`]).
fn key_text(key: u64) -> Option<[u8; 18]> {
    if key > MAX_KEY {
        return None;
    }
    let (mut body, check) = (key / 11, key % 11);
    let mut text = [0u8; 18];
    text[17] = if check == 10 { b'X' } else { b'0' + check as u8 };
    for slot in text[..17].iter_mut().rev() {
        *slot = b'0' + (body % 10) as u8;
        body /= 10;
    }
    Some(text)
}

fn birth_date_of(digits: &[u8]) -> Result<Date, IdError> {
    // The text is only made for the error: a valid number costs no allocation.
    let bad = || IdError::BadBirthDate(String::from_utf8_lossy(digits).into_owned());
    let num =
        |r: std::ops::Range<usize>| -> u32 { digits[r].iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')) };
    let year = num(0..4) as i32;
    let month = Month::try_from(num(4..6) as u8).map_err(|_| bad())?;
    if year < 1850 {
        return Err(bad());
    }
    Date::from_calendar_date(year, month, num(6..8) as u8).map_err(|_| bad())
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ResidentId {
    /// Debug output is masked: identity numbers are personal data and must not leak
    /// into logs through `{:?}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResidentId({})", self.masked())
    }
}

impl std::str::FromStr for ResidentId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for ResidentId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ResidentId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    /// Build a valid number from region, birth date and sequence (test helper).
    fn make(region: &str, birth: &str, seq: &str) -> String {
        let first17: [u8; 17] = format!("{region}{birth}{seq}").as_bytes().try_into().unwrap();
        format!("{region}{birth}{seq}{}", check_character(&first17))
    }

    // GB 11643-1999 appendix example: 11010519491231002X.
    #[test]
    fn the_numeric_key_turns_back_into_the_number() {
        for text in ["11010519491231002X", "610526195503011236"] {
            let id = ResidentId::parse(text).unwrap();
            assert_eq!(ResidentId::from_u64(id.to_u64()), Some(id));
        }
        // A key whose check value does not fit its digits, and one beyond 17 digits.
        let good = ResidentId::parse("610526195503011236").unwrap().to_u64();
        assert_eq!(ResidentId::from_u64(good + 1), None);
        assert_eq!(ResidentId::from_u64(u64::MAX), None);
        assert_eq!(key_text(MAX_KEY + 1), None);
        assert_eq!(key_text(MAX_KEY), Some(*b"99999999999999999X"));
    }

    #[test]
    fn accepts_the_standard_example_with_check_x() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date(), date!(1949 - 12 - 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.region_code(), "110105");
        assert_eq!(id.region().unwrap().name, "朝阳区");
        assert_eq!(id.kind(), IdKind::ResidentCard);
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(format!("{id:?}"), "ResidentId(110105********002X)");
    }

    #[test]
    fn lower_case_x_full_width_digits_and_spaces_are_normalised() {
        let id = ResidentId::parse(" １１０１０５１９４９１２３１００２x ").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn rejects_wrong_check_digit_with_the_expected_one() {
        assert_eq!(
            ResidentId::parse("110105194912310021"),
            Err(IdError::BadCheckDigit {
                expected: 'X',
                found: '1'
            })
        );
    }

    #[test]
    fn rejects_bad_lengths_characters_and_dates() {
        assert_eq!(ResidentId::parse(""), Err(IdError::Empty));
        assert_eq!(ResidentId::parse("1101051949"), Err(IdError::BadLength(10)));
        assert_eq!(ResidentId::parse("1101051949123100211"), Err(IdError::BadLength(19)));
        assert_eq!(
            ResidentId::parse("11010519491231X02X"),
            Err(IdError::BadCharacter { position: 15 })
        );
        assert_eq!(
            ResidentId::parse("11010519490231002X").unwrap_err().code(),
            "bad_check_digit"
        );
        let feb30 = make("110105", "19490230", "002");
        assert_eq!(ResidentId::parse(&feb30), Err(IdError::BadBirthDate("19490230".into())));
    }

    #[test]
    fn retired_division_codes_are_still_valid() {
        // 110103 崇文区 was merged into 东城区 in 2010; people born there keep their number.
        let id = ResidentId::parse(&make("110103", "19500101", "001")).unwrap();
        let region = id.region().unwrap();
        assert_eq!(region.name, "崇文区");
        assert_eq!(region.last_year, Some(2009));
        assert_eq!(id.sex(), Sex::Male);
    }

    #[test]
    fn unknown_division_code_is_refused_but_structure_only_parse_accepts_it() {
        let text = make("990101", "19500101", "001");
        assert_eq!(ResidentId::parse(&text), Err(IdError::UnknownRegion("990101".into())));
        assert!(ResidentId::parse_structure(&text).is_ok());
    }

    #[test]
    fn legacy_15_digit_numbers_upgrade_to_18() {
        // 15-digit form of the standard example: 110105491231002.
        let id = ResidentId::parse("110105491231002").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), date!(1949 - 12 - 31));
    }

    #[test]
    fn residence_permits_for_hong_kong_macau_taiwan() {
        for (prefix, kind) in [
            ("810000", IdKind::HongKongPermit),
            ("820000", IdKind::MacauPermit),
            ("830000", IdKind::TaiwanPermit),
        ] {
            let id = ResidentId::parse(&make(prefix, "19551120", "004")).unwrap();
            assert_eq!(id.kind(), kind);
            assert_eq!(id.sex(), Sex::Female);
        }
    }

    #[test]
    fn birth_in_the_future_is_refused_on_a_given_day() {
        let text = make("110105", "20301231", "001");
        assert!(ResidentId::parse(&text).is_ok());
        assert_eq!(
            ResidentId::parse_on(&text, date!(2026 - 11 - 23)),
            Err(IdError::BirthDateInFuture(date!(2030 - 12 - 31)))
        );
    }

    #[test]
    fn age_counts_whole_years() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.age_on(date!(2020 - 12 - 30)), 70);
        assert_eq!(id.age_on(date!(2020 - 12 - 31)), 71);
    }

    fn valid_id() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec!["110105", "150102", "610526", "110103", "810000"]),
            1900i32..2020,
            1u8..=12,
            1u8..=28,
            0u16..1000,
        )
            .prop_map(|(r, y, m, d, s)| make(r, &format!("{y:04}{m:02}{d:02}"), &format!("{s:03}")))
    }

    proptest! {
        // GB 11643-1999: every well-formed number round-trips and its fields are read back.
        #[test]
        fn valid_numbers_round_trip(text in valid_id()) {
            let id = ResidentId::parse(&text).unwrap();
            prop_assert_eq!(id.as_str(), text.as_str());
            prop_assert_eq!(ResidentId::parse(id.as_str()).unwrap(), id);
            let seq_digit = text.as_bytes()[16] - b'0';
            prop_assert_eq!(id.sex() == Sex::Male, seq_digit % 2 == 1);
        }

        // MOD 11-2 detects every single-digit substitution.
        #[test]
        fn any_single_digit_change_is_caught(text in valid_id(), pos in 0usize..17, delta in 1u8..10) {
            let mut bytes = text.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(ResidentId::parse_structure(&changed).is_err());
        }

        // MOD 11-2 detects every transposition of two adjacent different digits.
        #[test]
        fn adjacent_transpositions_are_caught(text in valid_id(), pos in 0usize..16) {
            let mut bytes = text.into_bytes();
            prop_assume!(bytes[pos] != bytes[pos + 1]);
            bytes.swap(pos, pos + 1);
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(ResidentId::parse_structure(&changed).is_err());
        }

        // The numeric key is injective on valid numbers.
        #[test]
        fn numeric_key_is_unique(a in valid_id(), b in valid_id()) {
            let (a, b) = (ResidentId::parse(&a).unwrap(), ResidentId::parse(&b).unwrap());
            prop_assert_eq!(a == b, a.to_u64() == b.to_u64());
        }

        // Arbitrary input never panics.
        #[test]
        fn arbitrary_text_never_panics(text in ".{0,40}") {
            let _ = ResidentId::parse(&text);
        }

        // The key of any 17 digits and check character, valid or not, gives the text back,
        // and validating it decides exactly as parsing the text does.
        #[test]
        fn keys_turn_back_into_their_text_and_validate_as_it_parses(
            text in prop_oneof![valid_id(), "[0-9]{17}[0-9X]"],
        ) {
            let b = text.as_bytes();
            let check = if b[17] == b'X' { 10 } else { u64::from(b[17] - b'0') };
            let key = b[..17].iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')) * 11 + check;
            prop_assert_eq!(key_text(key).map(|t| t.to_vec()), Some(b.to_vec()));
            let parsed = ResidentId::parse(&text).ok();
            prop_assert_eq!(ResidentId::from_u64(key), parsed);
            if let Some(id) = parsed {
                prop_assert_eq!(id.to_u64(), key);
            }
        }
    }
}
