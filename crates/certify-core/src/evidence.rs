//! Signed evidence (GB/T 38671-2020: the server re-checks what the client claims).
//!
//! The server issues a [`Challenge`] (random nonce, expiry) when a face or voice
//! certification starts. The device's engine decides, and its [`EvidenceSigner`] signs the
//! outcome with the nonce into an [`EvidenceToken`]. The server's [`EvidenceVerifier`]
//! accepts a token once: right key, right nonce, not expired, never seen before.
//!
//! Token layout: `b"CRT1"` ‖ payload length (u32, big-endian) ‖ payload (JSON of
//! [`EvidenceClaims`]) ‖ Ed25519 signature (64 bytes) over everything before it.

use crate::biometric::{MatchDecision, Modality};
use crate::id::ResidentId;
use crate::time::Timestamp;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

const MAGIC: &[u8; 4] = b"CRT1";
/// Largest payload accepted (bounds parsing work on hostile input).
pub const MAX_PAYLOAD_BYTES: usize = 4096;

/// A server-issued, single-use challenge for one certification attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// 16 random bytes from the caller's RNG.
    pub nonce: [u8; 16],
    /// Whose certification this is.
    pub subject: ResidentId,
    /// Face or voice.
    pub modality: Modality,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// After this instant no evidence for it is accepted.
    pub expires_at: Timestamp,
}

impl Challenge {
    /// Issue a challenge valid for `ttl_seconds`.
    pub fn issue<R: RngCore + CryptoRng>(
        subject: ResidentId,
        modality: Modality,
        now: Timestamp,
        ttl_seconds: i64,
        rng: &mut R,
    ) -> Self {
        let mut nonce = [0u8; 16];
        rng.fill_bytes(&mut nonce);
        Self {
            nonce,
            subject,
            modality,
            issued_at: now,
            expires_at: now.plus_seconds(ttl_seconds),
        }
    }
}

/// What the device claims about one certification attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceClaims {
    /// The person whose biometrics were checked.
    pub subject: ResidentId,
    /// The account holder who operated the device (the subject, or a relative by proxy).
    pub operator: ResidentId,
    /// Face or voice.
    pub modality: Modality,
    /// Whether liveness (actions or prompted digits) passed.
    pub liveness_passed: bool,
    /// The 1:1 decision against the enrolled template.
    pub decision: MatchDecision,
    /// The engine's similarity score × 1000 (integer, so signing is exact).
    pub score_milli: i32,
    /// The challenge nonce.
    pub nonce: [u8; 16],
    /// When the device produced the evidence.
    pub issued_at: Timestamp,
    /// Not accepted after this instant.
    pub expires_at: Timestamp,
    /// Face liveness: actions or silent (`None` for voice).
    #[serde(default)]
    pub liveness_mode: Option<crate::liveness::LivenessMode>,
    /// Passive anti-spoof probability of a real face × 1000, when an anti-spoof model ran.
    #[serde(default)]
    pub antispoof_milli: Option<i32>,
}

impl EvidenceClaims {
    /// Claims answering `challenge`: its subject, modality and nonce, issued at `now`,
    /// expiring after `ttl_seconds` or with the challenge, whichever comes first.
    pub fn for_challenge(
        challenge: &Challenge,
        operator: ResidentId,
        liveness_passed: bool,
        decision: MatchDecision,
        score_milli: i32,
        now: Timestamp,
        ttl_seconds: i64,
    ) -> Self {
        Self {
            subject: challenge.subject,
            operator,
            modality: challenge.modality,
            liveness_passed,
            decision,
            score_milli,
            nonce: challenge.nonce,
            issued_at: now,
            expires_at: now.plus_seconds(ttl_seconds).min(challenge.expires_at),
            liveness_mode: None,
            antispoof_milli: None,
        }
    }

    /// Whether the claims show a passed certification (liveness and match).
    pub fn passed(&self) -> bool {
        self.liveness_passed && self.decision == MatchDecision::Match
    }
}

/// Encoded, signed evidence.
#[derive(Clone, PartialEq, Eq)]
pub struct EvidenceToken(Vec<u8>);

impl EvidenceToken {
    /// The bytes to transmit.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Wrap received bytes (checked by [`EvidenceVerifier::verify`]).
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// Lower-case hex, for text transports.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parse lower- or upper-case hex.
    pub fn from_hex(text: &str) -> Result<Self, EvidenceError> {
        let t = text.trim().as_bytes();
        if t.len() % 2 != 0 || t.len() > 2 * (MAX_PAYLOAD_BYTES + 72) {
            return Err(EvidenceError::Malformed);
        }
        let nib = |c: u8| {
            (c as char)
                .to_digit(16)
                .map(|d| d as u8)
                .ok_or(EvidenceError::Malformed)
        };
        t.chunks(2)
            .map(|p| Ok(nib(p[0])? << 4 | nib(p[1])?))
            .collect::<Result<Vec<u8>, _>>()
            .map(Self)
    }
}

impl fmt::Debug for EvidenceToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EvidenceToken({} bytes)", self.0.len())
    }
}

/// Why evidence was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    /// Not a token (bad magic, length, encoding or payload).
    #[error("the evidence is malformed")]
    Malformed,
    /// The signature does not verify under the configured key.
    #[error("the evidence signature is invalid")]
    BadSignature,
    /// For another challenge, person or modality.
    #[error("the evidence is for another challenge")]
    ChallengeMismatch,
    /// Past its expiry or its challenge's.
    #[error("the evidence has expired; start again")]
    Expired,
    /// Issued before the challenge (clock skew or forgery).
    #[error("the evidence predates its challenge")]
    NotYetValid,
    /// Already accepted once.
    #[error("the evidence was already used")]
    Replayed,
}

impl EvidenceError {
    /// A stable snake_case code for this error.
    pub const fn code(&self) -> &'static str {
        match self {
            EvidenceError::Malformed => "evidence_malformed",
            EvidenceError::BadSignature => "evidence_bad_signature",
            EvidenceError::ChallengeMismatch => "evidence_challenge_mismatch",
            EvidenceError::Expired => "evidence_expired",
            EvidenceError::NotYetValid => "evidence_not_yet_valid",
            EvidenceError::Replayed => "evidence_replayed",
        }
    }
}

/// Signs evidence on the device (or in the server when it ran the engine itself).
pub struct EvidenceSigner {
    key: SigningKey,
}

impl EvidenceSigner {
    /// From a 32-byte Ed25519 secret seed.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self {
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// A new key from the caller's RNG.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        let signer = Self::from_seed(seed);
        zeroize::Zeroize::zeroize(&mut seed);
        signer
    }

    /// The public key to give the verifier.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// Sign claims.
    pub fn sign(&self, claims: &EvidenceClaims) -> EvidenceToken {
        // Serialising plain data with derived impls cannot fail.
        let payload = serde_json::to_vec(claims).unwrap_or_default();
        let mut out = Vec::with_capacity(8 + payload.len() + 64);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        out.extend_from_slice(&payload);
        let sig = self.key.sign(&out);
        out.extend_from_slice(&sig.to_bytes());
        EvidenceToken(out)
    }
}

impl fmt::Debug for EvidenceSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EvidenceSigner(<secret>)")
    }
}

/// Remembers accepted nonces until they expire, so each is accepted once. Hosts with
/// several servers implement it over their shared store.
pub trait ReplayGuard {
    /// Record `nonce` (valid until `expires_at`); `false` if it was already recorded.
    fn first_use(&mut self, nonce: [u8; 16], expires_at: Timestamp) -> bool;
}

/// An in-memory [`ReplayGuard`] for a single process.
#[derive(Debug, Default)]
pub struct MemoryReplayGuard {
    seen: HashMap<[u8; 16], Timestamp>,
}

impl MemoryReplayGuard {
    /// Forget nonces that expired before `now` (they are refused as expired anyway).
    pub fn prune(&mut self, now: Timestamp) {
        self.seen.retain(|_, exp| *exp >= now);
    }

    /// Nonces remembered.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether none are remembered.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

impl ReplayGuard for MemoryReplayGuard {
    fn first_use(&mut self, nonce: [u8; 16], expires_at: Timestamp) -> bool {
        if self.seen.contains_key(&nonce) {
            return false;
        }
        self.seen.insert(nonce, expires_at);
        true
    }
}

/// Checks evidence on the server.
#[derive(Debug, Clone)]
pub struct EvidenceVerifier {
    key: VerifyingKey,
}

impl EvidenceVerifier {
    /// From the signer's 32-byte public key.
    pub fn from_public_key(bytes: [u8; 32]) -> Result<Self, EvidenceError> {
        VerifyingKey::from_bytes(&bytes)
            .map(|key| Self { key })
            .map_err(|_| EvidenceError::Malformed)
    }

    /// Decode and check the signature only (no challenge, expiry or replay checks).
    pub fn open(&self, token: &EvidenceToken) -> Result<EvidenceClaims, EvidenceError> {
        let b = token.as_bytes();
        if b.len() < 8 + 64 || &b[..4] != MAGIC {
            return Err(EvidenceError::Malformed);
        }
        let len = u32::from_be_bytes([b[4], b[5], b[6], b[7]]) as usize;
        if len > MAX_PAYLOAD_BYTES || b.len() != 8 + len + 64 {
            return Err(EvidenceError::Malformed);
        }
        let (signed, sig) = b.split_at(8 + len);
        let sig: [u8; 64] = sig.try_into().map_err(|_| EvidenceError::Malformed)?;
        self.key
            .verify(signed, &Signature::from_bytes(&sig))
            .map_err(|_| EvidenceError::BadSignature)?;
        serde_json::from_slice(&signed[8..]).map_err(|_| EvidenceError::Malformed)
    }

    /// Accept evidence for `challenge` at `now`, once.
    pub fn verify(
        &self,
        token: &EvidenceToken,
        challenge: &Challenge,
        now: Timestamp,
        guard: &mut dyn ReplayGuard,
    ) -> Result<EvidenceClaims, EvidenceError> {
        let claims = self.open(token)?;
        if claims.nonce != challenge.nonce
            || claims.subject != challenge.subject
            || claims.modality != challenge.modality
        {
            return Err(EvidenceError::ChallengeMismatch);
        }
        if now > claims.expires_at || now > challenge.expires_at {
            return Err(EvidenceError::Expired);
        }
        if claims.issued_at < challenge.issued_at {
            return Err(EvidenceError::NotYetValid);
        }
        if !guard.first_use(claims.nonce, challenge.expires_at) {
            return Err(EvidenceError::Replayed);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    const T0: Timestamp = Timestamp::from_unix_seconds(1_600_000_000);

    fn setup() -> (EvidenceSigner, EvidenceVerifier, Challenge, EvidenceClaims) {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let signer = EvidenceSigner::generate(&mut rng);
        let verifier = EvidenceVerifier::from_public_key(signer.public_key()).unwrap();
        let subject = ResidentId::parse("11010519491231002X").unwrap();
        let ch = Challenge::issue(subject, Modality::Face, T0, 300, &mut rng);
        let claims = EvidenceClaims {
            subject,
            operator: subject,
            modality: Modality::Face,
            liveness_passed: true,
            decision: MatchDecision::Match,
            score_milli: 412,
            nonce: ch.nonce,
            issued_at: T0.plus_seconds(20),
            expires_at: T0.plus_seconds(300),
            liveness_mode: Some(crate::liveness::LivenessMode::Actions),
            antispoof_milli: None,
        };
        (signer, verifier, ch, claims)
    }

    #[test]
    fn valid_evidence_is_accepted_once() {
        let (signer, verifier, ch, claims) = setup();
        let token = signer.sign(&claims);
        let mut guard = MemoryReplayGuard::default();
        assert_eq!(
            verifier.verify(&token, &ch, T0.plus_seconds(30), &mut guard).unwrap(),
            claims
        );
        assert_eq!(
            verifier.verify(&token, &ch, T0.plus_seconds(31), &mut guard),
            Err(EvidenceError::Replayed)
        );
        let hex = token.to_hex();
        assert_eq!(EvidenceToken::from_hex(&hex).unwrap(), token);
    }

    #[test]
    fn tampered_expired_foreign_and_other_challenge_evidence_is_refused() {
        let (signer, verifier, ch, claims) = setup();
        let mut guard = MemoryReplayGuard::default();
        let token = signer.sign(&claims);
        // Flip the score in the payload: the signature breaks.
        let mut bytes = token.as_bytes().to_vec();
        let text = String::from_utf8_lossy(&bytes[8..bytes.len() - 64]).into_owned();
        let pos = 8 + text.find("412").unwrap();
        bytes[pos] = b'9';
        assert_eq!(
            verifier.verify(&EvidenceToken::from_bytes(bytes), &ch, T0.plus_seconds(30), &mut guard),
            Err(EvidenceError::BadSignature)
        );
        assert_eq!(
            verifier.verify(&token, &ch, T0.plus_seconds(301), &mut guard),
            Err(EvidenceError::Expired)
        );
        let other = EvidenceSigner::from_seed([9; 32]);
        assert_eq!(
            verifier.verify(&other.sign(&claims), &ch, T0.plus_seconds(30), &mut guard),
            Err(EvidenceError::BadSignature)
        );
        let mut ch2 = ch.clone();
        ch2.nonce[0] ^= 1;
        assert_eq!(
            verifier.verify(&token, &ch2, T0.plus_seconds(30), &mut guard),
            Err(EvidenceError::ChallengeMismatch)
        );
        let early = EvidenceClaims {
            issued_at: T0.plus_seconds(-1),
            ..claims
        };
        assert_eq!(
            verifier.verify(&signer.sign(&early), &ch, T0.plus_seconds(30), &mut guard),
            Err(EvidenceError::NotYetValid)
        );
        // None of the refusals consumed the nonce.
        assert!(verifier.verify(&token, &ch, T0.plus_seconds(30), &mut guard).is_ok());
    }

    #[test]
    fn pruning_forgets_only_expired_nonces() {
        let mut g = MemoryReplayGuard::default();
        assert!(g.first_use([1; 16], T0));
        assert!(g.first_use([2; 16], T0.plus_seconds(100)));
        g.prune(T0.plus_seconds(1));
        assert_eq!(g.len(), 1);
        assert!(!g.first_use([2; 16], T0.plus_seconds(100)));
    }

    proptest! {
        // Arbitrary bytes are refused without panicking.
        #[test]
        fn garbage_is_refused(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let (_, verifier, ch, _) = setup();
            let mut g = MemoryReplayGuard::default();
            prop_assert!(verifier.verify(&EvidenceToken::from_bytes(bytes), &ch, T0, &mut g).is_err());
        }
    }
}
