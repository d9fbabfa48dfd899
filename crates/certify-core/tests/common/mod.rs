//! Fixtures shared by the integration tests.
#![allow(dead_code, missing_docs, clippy::unwrap_used)]

use certify_core::account::password::PasswordParams;
use certify_core::account::sms::{SmsKey, SmsPolicy};
use certify_core::account::{CaptchaVerifier, CardCheck, CardVerifier};
use certify_core::id::{ResidentId, check_character};
use certify_core::money::Fen;
use certify_core::name::PersonName;
use certify_core::roster::{RosterEntry, Scheme};
use certify_core::time::{Timestamp, YearMonth};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

/// 2020-06-22 10:00 Beijing time (the Pucheng notice's date).
pub const T0: Timestamp = Timestamp::from_unix_seconds(1_592_791_200);
pub const HOUR: i64 = 3600;

pub fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(2020)
}

pub fn make_id(region: &str, birth: &str, seq: &str) -> String {
    let first17: [u8; 17] = format!("{region}{birth}{seq}").as_bytes().try_into().unwrap();
    format!("{region}{birth}{seq}{}", check_character(&first17))
}

pub fn entry(id: &str, name: &str, scheme: Scheme) -> RosterEntry {
    RosterEntry {
        id: ResidentId::parse(id).unwrap(),
        name: PersonName::new(name).unwrap(),
        scheme,
        unit: "蒲城县教育局".into(),
        monthly_pension: Fen::yuan(3210, 0),
        pension_start: YearMonth::new(2012, 3).unwrap(),
    }
}

pub fn fast() -> PasswordParams {
    PasswordParams::insecure_fast_for_tests()
}

pub fn sms_key() -> SmsKey {
    SmsKey::from_bytes([7; 32])
}

pub fn sms_policy() -> SmsPolicy {
    SmsPolicy::default()
}

pub struct Captcha;
impl CaptchaVerifier for Captcha {
    fn verify(&self, id: &str, answer: &str) -> bool {
        id == "c1" && answer == "8xk2"
    }
}

pub struct Cards {
    pub pin: &'static str,
    pub state: CardCheck,
}
impl CardVerifier for Cards {
    fn check(&self, _id: &ResidentId, pin: &str) -> CardCheck {
        match self.state {
            CardCheck::Valid if pin != self.pin => CardCheck::WrongPin,
            s => s,
        }
    }
}
