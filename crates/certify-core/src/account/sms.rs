//! One-time SMS codes (短信验证码): six digits drawn from the caller's RNG, stored only as a
//! keyed hash, single use, expiring, attempt-limited, with a resend cooldown.

use super::phone::MobileNumber;
use crate::time::Timestamp;
use hmac::{Hmac, Mac};
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::fmt;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// What a code proves; a code issued for one purpose is refused for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsPurpose {
    /// Registering a new account.
    Register,
    /// Forgot-password: re-proving the phone before setting a new password.
    ResetPassword,
    /// Binding a (possibly a relative's) phone to a card-login account.
    BindPhone,
    /// A relative consenting, by the code sent to their own phone, to another account
    /// acting for them.
    ContactConsent,
}

impl SmsPurpose {
    fn tag(self) -> &'static [u8] {
        match self {
            SmsPurpose::Register => b"register",
            SmsPurpose::ResetPassword => b"reset_password",
            SmsPurpose::BindPhone => b"bind_phone",
            SmsPurpose::ContactConsent => b"contact_consent",
        }
    }
}

/// Limits on SMS codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsPolicy {
    /// Seconds a code stays valid (default 600: 10 minutes).
    pub ttl_seconds: i64,
    /// Wrong entries allowed before the code is void (default 5).
    pub max_attempts: u8,
    /// Seconds before another code may be sent to the same phone (default 60).
    pub resend_cooldown_seconds: i64,
}

impl Default for SmsPolicy {
    fn default() -> Self {
        Self {
            ttl_seconds: 600,
            max_attempts: 5,
            resend_cooldown_seconds: 60,
        }
    }
}

/// The host's secret key for hashing codes (keep it out of the database).
#[derive(Clone)]
pub struct SmsKey([u8; 32]);

impl SmsKey {
    /// Wrap 32 secret bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A fresh key from the caller's RNG.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut b = [0u8; 32];
        rng.fill_bytes(&mut b);
        Self(b)
    }
}

impl Drop for SmsKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for SmsKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmsKey(<redacted>)")
    }
}

/// The plain code, to hand to the SMS sender and then drop. Never logged by `Debug`.
pub struct SmsCode(String);

impl SmsCode {
    /// The six digits, for the SMS text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SmsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmsCode(******)")
    }
}

impl Drop for SmsCode {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Why a code was not sent or not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    /// A code was sent less than the cooldown ago.
    #[error("a code was just sent; wait {wait_seconds} s before asking for another")]
    ResendTooSoon {
        /// Seconds until a new code may be sent.
        wait_seconds: i64,
    },
    /// The code is older than its time to live.
    #[error("the code has expired; ask for a new one")]
    Expired,
    /// The code was already used.
    #[error("the code was already used; ask for a new one")]
    AlreadyUsed,
    /// Too many wrong entries.
    #[error("too many wrong codes; ask for a new one")]
    TooManyAttempts,
    /// Wrong code.
    #[error("wrong code ({remaining} tries left)")]
    Mismatch {
        /// Tries left before the code is void.
        remaining: u8,
    },
    /// The code was issued for another phone or purpose.
    #[error("this code was not sent for this phone and step")]
    WrongContext,
}

impl SmsError {
    /// A stable snake_case code for this error.
    pub const fn code(&self) -> &'static str {
        match self {
            SmsError::ResendTooSoon { .. } => "sms_resend_too_soon",
            SmsError::Expired => "sms_expired",
            SmsError::AlreadyUsed => "sms_already_used",
            SmsError::TooManyAttempts => "sms_too_many_attempts",
            SmsError::Mismatch { .. } => "sms_mismatch",
            SmsError::WrongContext => "sms_wrong_context",
        }
    }
}

/// The stored state of one issued code: the host persists it; it holds no plain code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsChallenge {
    /// The phone the code was sent to.
    pub phone: MobileNumber,
    /// What the code proves.
    pub purpose: SmsPurpose,
    /// When it was sent.
    pub issued_at: Timestamp,
    /// HMAC-SHA256 of the code under the host key, bound to phone, purpose and time.
    pub code_hash: [u8; 32],
    /// Wrong entries so far.
    pub failed_attempts: u8,
    /// Whether the code has been accepted (then it is void).
    pub consumed: bool,
}

fn hash_code(key: &SmsKey, phone: &MobileNumber, purpose: SmsPurpose, at: Timestamp, code: &str) -> [u8; 32] {
    // new_from_slice accepts any key length for HMAC.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key.0).unwrap_or_else(|_| unreachable!());
    mac.update(purpose.tag());
    mac.update(b"\0");
    mac.update(phone.as_str().as_bytes());
    mac.update(b"\0");
    mac.update(&at.unix_seconds().to_be_bytes());
    mac.update(code.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Draw a uniform six-digit code (rejection sampling, no modulo bias).
fn draw_code<R: RngCore + CryptoRng>(rng: &mut R) -> String {
    const LIMIT: u32 = u32::MAX - (u32::MAX % 1_000_000);
    loop {
        let v = rng.next_u32();
        if v < LIMIT {
            return format!("{:06}", v % 1_000_000);
        }
    }
}

impl SmsChallenge {
    /// Issue a new code for `phone`. `previous` is the last challenge sent to this phone
    /// (any purpose), for the resend cooldown. Returns the state to store and the plain
    /// code to send.
    pub fn issue<R: RngCore + CryptoRng>(
        phone: MobileNumber,
        purpose: SmsPurpose,
        previous: Option<&SmsChallenge>,
        key: &SmsKey,
        policy: &SmsPolicy,
        now: Timestamp,
        rng: &mut R,
    ) -> Result<(SmsChallenge, SmsCode), SmsError> {
        if let Some(prev) = previous.filter(|p| p.phone == phone) {
            let elapsed = now.seconds_since(prev.issued_at);
            if elapsed < policy.resend_cooldown_seconds {
                return Err(SmsError::ResendTooSoon {
                    wait_seconds: policy.resend_cooldown_seconds - elapsed,
                });
            }
        }
        let code = draw_code(rng);
        let code_hash = hash_code(key, &phone, purpose, now, &code);
        Ok((
            SmsChallenge {
                phone,
                purpose,
                issued_at: now,
                code_hash,
                failed_attempts: 0,
                consumed: false,
            },
            SmsCode(code),
        ))
    }

    /// Check an entered code for `phone` and `purpose`. On success the challenge is
    /// consumed; on a wrong code the attempt is counted. Persist the challenge either way.
    pub fn verify(
        &mut self,
        phone: &MobileNumber,
        purpose: SmsPurpose,
        entered: &str,
        key: &SmsKey,
        policy: &SmsPolicy,
        now: Timestamp,
    ) -> Result<(), SmsError> {
        if &self.phone != phone || self.purpose != purpose {
            return Err(SmsError::WrongContext);
        }
        if self.consumed {
            return Err(SmsError::AlreadyUsed);
        }
        if now.seconds_since(self.issued_at) >= policy.ttl_seconds {
            return Err(SmsError::Expired);
        }
        if self.failed_attempts >= policy.max_attempts {
            return Err(SmsError::TooManyAttempts);
        }
        let entered = entered.trim();
        let candidate = hash_code(key, phone, purpose, self.issued_at, entered);
        let ok = entered.len() == 6 && bool::from(candidate.ct_eq(&self.code_hash));
        if ok {
            self.consumed = true;
            Ok(())
        } else {
            self.failed_attempts += 1;
            Err(SmsError::Mismatch {
                remaining: policy.max_attempts.saturating_sub(self.failed_attempts),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn setup() -> (MobileNumber, SmsKey, SmsPolicy, ChaCha20Rng) {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let key = SmsKey::generate(&mut rng);
        (
            MobileNumber::parse("13892506598").unwrap(),
            key,
            SmsPolicy::default(),
            rng,
        )
    }

    const T0: Timestamp = Timestamp::from_unix_seconds(1_600_000_000);

    #[test]
    fn a_code_is_six_digits_single_use_and_not_stored_in_clear() {
        let (phone, key, policy, mut rng) = setup();
        let (mut ch, code) =
            SmsChallenge::issue(phone.clone(), SmsPurpose::Register, None, &key, &policy, T0, &mut rng).unwrap();
        assert_eq!(code.expose().len(), 6);
        assert!(code.expose().bytes().all(|b| b.is_ascii_digit()));
        let stored = serde_json::to_string(&ch).unwrap();
        assert!(!stored.contains(code.expose()));
        assert_eq!(format!("{code:?}"), "SmsCode(******)");
        ch.verify(
            &phone,
            SmsPurpose::Register,
            code.expose(),
            &key,
            &policy,
            T0.plus_seconds(30),
        )
        .unwrap();
        assert_eq!(
            ch.verify(
                &phone,
                SmsPurpose::Register,
                code.expose(),
                &key,
                &policy,
                T0.plus_seconds(31)
            ),
            Err(SmsError::AlreadyUsed)
        );
    }

    #[test]
    fn a_code_expires_after_ten_minutes() {
        let (phone, key, policy, mut rng) = setup();
        let (mut ch, code) =
            SmsChallenge::issue(phone.clone(), SmsPurpose::Register, None, &key, &policy, T0, &mut rng).unwrap();
        assert_eq!(
            ch.verify(
                &phone,
                SmsPurpose::Register,
                code.expose(),
                &key,
                &policy,
                T0.plus_seconds(600)
            ),
            Err(SmsError::Expired)
        );
        let (mut ch, code) =
            SmsChallenge::issue(phone.clone(), SmsPurpose::Register, None, &key, &policy, T0, &mut rng).unwrap();
        assert!(
            ch.verify(
                &phone,
                SmsPurpose::Register,
                code.expose(),
                &key,
                &policy,
                T0.plus_seconds(599)
            )
            .is_ok()
        );
    }

    #[test]
    fn wrong_codes_are_counted_and_then_the_code_is_void() {
        let (phone, key, policy, mut rng) = setup();
        let (mut ch, code) =
            SmsChallenge::issue(phone.clone(), SmsPurpose::Register, None, &key, &policy, T0, &mut rng).unwrap();
        let wrong = if code.expose() == "000000" { "111111" } else { "000000" };
        for remaining in (0..5).rev() {
            assert_eq!(
                ch.verify(&phone, SmsPurpose::Register, wrong, &key, &policy, T0),
                Err(SmsError::Mismatch { remaining })
            );
        }
        assert_eq!(
            ch.verify(&phone, SmsPurpose::Register, code.expose(), &key, &policy, T0),
            Err(SmsError::TooManyAttempts)
        );
    }

    #[test]
    fn resend_waits_for_the_cooldown() {
        let (phone, key, policy, mut rng) = setup();
        let (first, _) =
            SmsChallenge::issue(phone.clone(), SmsPurpose::Register, None, &key, &policy, T0, &mut rng).unwrap();
        assert_eq!(
            SmsChallenge::issue(
                phone.clone(),
                SmsPurpose::Register,
                Some(&first),
                &key,
                &policy,
                T0.plus_seconds(45),
                &mut rng
            )
            .unwrap_err(),
            SmsError::ResendTooSoon { wait_seconds: 15 }
        );
        let (second, code2) = SmsChallenge::issue(
            phone.clone(),
            SmsPurpose::Register,
            Some(&first),
            &key,
            &policy,
            T0.plus_seconds(60),
            &mut rng,
        )
        .unwrap();
        // The old code does not open the new challenge.
        let mut second = second;
        assert!(
            second
                .verify(
                    &phone,
                    SmsPurpose::Register,
                    code2.expose(),
                    &key,
                    &policy,
                    T0.plus_seconds(61)
                )
                .is_ok()
        );
    }

    #[test]
    fn a_code_for_one_purpose_or_phone_does_not_serve_another() {
        let (phone, key, policy, mut rng) = setup();
        let (mut ch, code) =
            SmsChallenge::issue(phone.clone(), SmsPurpose::Register, None, &key, &policy, T0, &mut rng).unwrap();
        assert_eq!(
            ch.verify(&phone, SmsPurpose::ResetPassword, code.expose(), &key, &policy, T0),
            Err(SmsError::WrongContext)
        );
        let other = MobileNumber::parse("18792387883").unwrap();
        assert_eq!(
            ch.verify(&other, SmsPurpose::Register, code.expose(), &key, &policy, T0),
            Err(SmsError::WrongContext)
        );
    }

    #[test]
    fn codes_are_uniform_over_digits() {
        // 10 000 codes: every digit position sees each digit 1000 ± 150 times.
        let (_, _, _, mut rng) = setup();
        let mut counts = [[0u32; 10]; 6];
        for _ in 0..10_000 {
            for (pos, b) in draw_code(&mut rng).bytes().enumerate() {
                counts[pos][usize::from(b - b'0')] += 1;
            }
        }
        for c in counts.iter().flatten() {
            assert!((850..=1150).contains(c), "{counts:?}");
        }
    }
}
