//! Mainland China mobile numbers: the only numbers that receive SMS codes (seed 003,
//! 常见问题 6: numbers abroad cannot, so people abroad bind a relative's).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a text is not a mainland mobile number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Not 11 digits after removing `+86`, spaces and dashes.
    #[error("a mainland mobile number has 11 digits")]
    BadFormat,
    /// 11 digits, but not a mobile prefix (1[3-9]).
    #[error("not a mainland mobile number (it must start with 13–19)")]
    NotMobile,
    /// A country code other than +86.
    #[error("only mainland (+86) numbers can receive SMS codes")]
    NotMainland,
}

/// A validated 11-digit mainland mobile number.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MobileNumber(String);

impl MobileNumber {
    /// Parse `13812345678`, `+86 138-1234-5678`, `0086 13812345678` and full-width digits.
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let mut digits = String::with_capacity(16);
        let trimmed = input.trim();
        let (had_plus, rest) = match trimmed.strip_prefix('+').or_else(|| trimmed.strip_prefix('＋')) {
            Some(r) => (true, r),
            None => (false, trimmed),
        };
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                '０'..='９' => digits.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
                ' ' | '-' | '(' | ')' | '　' => {}
                _ => return Err(PhoneError::BadFormat),
            }
        }
        let national = if let Some(n) = digits.strip_prefix("0086") {
            n
        } else if had_plus {
            digits.strip_prefix("86").ok_or(PhoneError::NotMainland)?
        } else if digits.len() == 13 {
            digits.strip_prefix("86").ok_or(PhoneError::BadFormat)?
        } else {
            &digits
        };
        if national.len() != 11 {
            return Err(PhoneError::BadFormat);
        }
        let b = national.as_bytes();
        if b[0] != b'1' || !(b'3'..=b'9').contains(&b[1]) {
            return Err(PhoneError::NotMobile);
        }
        Ok(Self(national.to_owned()))
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`, for screens and logs.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl TryFrom<String> for MobileNumber {
    type Error = PhoneError;
    fn try_from(s: String) -> Result<Self, PhoneError> {
        Self::parse(&s)
    }
}

impl From<MobileNumber> for String {
    fn from(m: MobileNumber) -> String {
        m.0
    }
}

impl fmt::Display for MobileNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for MobileNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MobileNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_spellings() {
        for s in [
            "13892506598",
            "+86 138-9250-6598",
            "0086 13892506598",
            "8613892506598",
            "１３８９２５０６５９８",
        ] {
            assert_eq!(MobileNumber::parse(s).unwrap().as_str(), "13892506598", "{s}");
        }
        assert_eq!(MobileNumber::parse("13892506598").unwrap().masked(), "138****6598");
    }

    #[test]
    fn refuses_foreign_landline_and_malformed_numbers() {
        assert_eq!(MobileNumber::parse("+1 415 555 0100"), Err(PhoneError::NotMainland));
        assert_eq!(MobileNumber::parse("12892506598"), Err(PhoneError::NotMobile));
        assert_eq!(MobileNumber::parse("0913-7209995"), Err(PhoneError::NotMobile)); // a landline
        assert_eq!(MobileNumber::parse("1389250659"), Err(PhoneError::BadFormat));
        assert_eq!(MobileNumber::parse("138925065a8"), Err(PhoneError::BadFormat));
    }
}
