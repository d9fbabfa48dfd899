//! Passwords: a minimal strength rule and argon2id hashing (memory-hard) with a salt from
//! the caller's RNG. Stored as a PHC string (`$argon2id$v=19$m=...`), which records its
//! own parameters, so hashes made under older parameters keep verifying.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted (bounds hashing work).
pub const MAX_PASSWORD_CHARS: usize = 64;

/// Why a password was refused or could not be processed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Fewer than [`MIN_PASSWORD_CHARS`] or more than [`MAX_PASSWORD_CHARS`] characters.
    #[error("a password has {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters")]
    BadLength,
    /// Needs at least one letter and one digit.
    #[error("a password needs at least one letter and one digit")]
    TooWeak,
    /// The two entries differ.
    #[error("the two passwords are not the same")]
    RepeatMismatch,
    /// The stored hash is not a valid PHC string or the parameters are invalid.
    #[error("the stored password hash is unreadable")]
    CorruptHash,
}

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Default for PasswordParams {
    /// OWASP's argon2id recommendation: 19 MiB, 2 passes, 1 lane.
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

impl PasswordParams {
    /// Cheap parameters for tests and demos only (64 KiB, 1 pass).
    pub const fn insecure_fast_for_tests() -> Self {
        Self {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        }
    }

    fn argon2(&self) -> Result<Argon2<'static>, PasswordError> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|_| PasswordError::CorruptHash)?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// Check a new password and its repetition against the strength rule.
pub fn check_new_password(password: &str, repeat: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n) {
        return Err(PasswordError::BadLength);
    }
    if !password.chars().any(|c| c.is_alphabetic()) || !password.chars().any(|c| c.is_ascii_digit()) {
        return Err(PasswordError::TooWeak);
    }
    if password != repeat {
        return Err(PasswordError::RepeatMismatch);
    }
    Ok(())
}

/// Hash a password with argon2id and a fresh 16-byte salt.
pub fn hash_password<R: RngCore + CryptoRng>(
    password: &str,
    params: &PasswordParams,
    rng: &mut R,
) -> Result<String, PasswordError> {
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|_| PasswordError::CorruptHash)?;
    params
        .argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| PasswordError::CorruptHash)
}

/// Whether `password` matches the stored PHC hash (constant-time comparison inside).
pub fn verify_password(password: &str, stored: &str) -> Result<bool, PasswordError> {
    let parsed = PasswordHash::new(stored).map_err(|_| PasswordError::CorruptHash)?;
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return Ok(false);
    }
    match Argon2::default().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(_) => Err(PasswordError::CorruptHash),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let p = PasswordParams::insecure_fast_for_tests();
        let a = hash_password("laoli1952", &p, &mut rng).unwrap();
        let b = hash_password("laoli1952", &p, &mut rng).unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{a}");
        assert_ne!(a, b, "salts differ");
        assert!(verify_password("laoli1952", &a).unwrap());
        assert!(!verify_password("laoli1953", &a).unwrap());
        assert_eq!(verify_password("x", "not a hash"), Err(PasswordError::CorruptHash));
    }

    #[test]
    fn default_parameters_are_memory_hard() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let h = hash_password("laoli1952", &PasswordParams::default(), &mut rng).unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("laoli1952", &h).unwrap());
    }

    #[test]
    fn strength_rule() {
        assert_eq!(check_new_password("abc123", "abc123"), Err(PasswordError::BadLength));
        assert_eq!(check_new_password("abcdefgh", "abcdefgh"), Err(PasswordError::TooWeak));
        assert_eq!(check_new_password("12345678", "12345678"), Err(PasswordError::TooWeak));
        assert_eq!(
            check_new_password("laoli1952", "laoli1953"),
            Err(PasswordError::RepeatMismatch)
        );
        assert!(check_new_password("老李1952年生", "老李1952年生").is_ok());
    }
}
