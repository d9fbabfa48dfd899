//! What every request shares: storage, configuration, engines, and the three things the
//! server injects so tests can pin them — the clock, the random source and the SMS sender.
//! Randomness is per request (a fresh generator each time, no global lock); CPU-heavy work
//! (password hashing, image decoding, inference) goes through [`AppState::blocking`].

use crate::Db;
use crate::config::Config;
use crate::error::ApiError;
use certify_bridge::CertifyStatus;
use certify_core::time::Timestamp;
use certify_face::FaceEngine;
use rand_core::{CryptoRng, RngCore, SeedableRng};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The time source: the system clock in production, a settable one in tests.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> Timestamp;

    /// Now in Unix milliseconds (liveness frames are timed by it).
    fn now_millis(&self) -> i64 {
        self.now().unix_seconds().saturating_mul(1000)
    }
}

/// The system clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_seconds(self.now_millis().div_euclid(1000))
    }

    fn now_millis(&self) -> i64 {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        i64::try_from(ms).unwrap_or(i64::MAX)
    }
}

/// A clock the caller sets (tests, replays), with millisecond steps.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// At `unix` seconds.
    pub fn at(unix: i64) -> Self {
        Self(AtomicI64::new(unix.saturating_mul(1000)))
    }

    /// Move forward by `seconds`.
    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds.saturating_mul(1000), Ordering::SeqCst);
    }

    /// Move forward by `millis` milliseconds.
    pub fn advance_millis(&self, millis: i64) {
        self.0.fetch_add(millis, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_seconds(self.0.load(Ordering::SeqCst).div_euclid(1000))
    }

    fn now_millis(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Sends SMS codes. The code must reach the phone and nothing else (no logs).
pub trait SmsSender: Send + Sync {
    /// Send `code` to `phone` for `purpose`.
    fn send(&self, phone: &str, purpose: &str, code: &str);
}

/// The demo sender: prints codes to standard output, clearly marked. Never use it in
/// production — a real gateway replaces it.
#[derive(Debug, Default)]
pub struct DemoSmsSender;

impl SmsSender for DemoSmsSender {
    fn send(&self, phone: &str, purpose: &str, code: &str) {
        let masked = if phone.len() == 11 {
            format!("{}****{}", &phone[..3], &phone[7..])
        } else {
            "***".to_owned()
        };
        println!("[DEMO SMS — not sent; demo sender prints codes] {purpose} code for {masked}: {code}");
    }
}

/// A sender that keeps the last code per phone (tests).
#[derive(Debug, Default)]
pub struct CapturingSmsSender(Mutex<HashMap<String, String>>);

impl CapturingSmsSender {
    /// The last code sent to `phone`.
    pub fn last(&self, phone: &str) -> Option<String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).get(phone).cloned()
    }
}

impl SmsSender for CapturingSmsSender {
    fn send(&self, phone: &str, _purpose: &str, code: &str) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(phone.to_owned(), code.to_owned());
    }
}

/// `RngCore + CryptoRng + Send`.
pub trait RngCoreSend: RngCore + CryptoRng + Send {}
impl<T: RngCore + CryptoRng + Send> RngCoreSend for T {}

/// Where a request's random generator comes from. Each request takes its own, so no lock
/// is held across password hashing or anything else.
pub trait RngSource: Send + Sync {
    /// A generator for one request.
    fn fresh(&self) -> Box<dyn RngCoreSend>;
}

/// The operating system's generator (production).
#[derive(Debug, Default)]
pub struct OsRngSource;

impl RngSource for OsRngSource {
    fn fresh(&self) -> Box<dyn RngCoreSend> {
        Box::new(rand_core::OsRng)
    }
}

/// Reproducible generators for tests: ChaCha20 seeded from `seed` and a counter, so each
/// request gets a different, repeatable stream.
#[derive(Debug)]
pub struct SeededRngSource {
    seed: u64,
    next: AtomicU64,
}

impl SeededRngSource {
    /// A source starting at `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            next: AtomicU64::new(0),
        }
    }
}

impl RngSource for SeededRngSource {
    fn fresh(&self) -> Box<dyn RngCoreSend> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(
            self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ n,
        ))
    }
}

/// A sized handle on a request's generator, for the core's `R: RngCore + CryptoRng` calls.
pub struct Rng(Box<dyn RngCoreSend>);

impl RngCore for Rng {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.0.try_fill_bytes(dest)
    }
}

impl CryptoRng for Rng {}

impl Rng {
    /// `n` random bytes as lowercase hex.
    pub fn hex(&mut self, n: usize) -> String {
        let mut b = vec![0u8; n];
        self.fill_bytes(&mut b);
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}

/// Everything a request needs.
#[derive(Clone)]
pub struct AppState {
    /// Storage.
    pub db: Db,
    /// Configuration.
    pub config: Arc<Config>,
    /// The face engine.
    pub face: Arc<FaceEngine>,
    /// The voice engine.
    pub voice: Arc<certify_voice::VoiceEngine>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness.
    pub rng_source: Arc<dyn RngSource>,
    /// SMS.
    pub sms: Arc<dyn SmsSender>,
    /// Bounds CPU-heavy work to the cores the machine has, so a burst of uploads queues
    /// instead of starving everything else.
    pub(crate) cpu: Arc<tokio::sync::Semaphore>,
    /// Authoritative reference portraits (from `[identity]`; replace to plug in another).
    pub portraits: Arc<dyn crate::identity::ReferencePortraits>,
    /// The 1:N index of enrolled faces.
    pub(crate) faces: Arc<crate::identity::FaceRegistry>,
    /// Other people's voiceprints, against which voice scores are normalised.
    pub(crate) voice_cohort: Arc<crate::voice_cohort::VoiceCohort>,
    /// Makes the picture captchas (replace it to use the province's own).
    pub captcha: Arc<dyn crate::accounts::CaptchaMaker>,
    /// Per-phone limits on SMS codes and guesses.
    pub(crate) limits: Arc<crate::limits::Limits>,
}

impl AppState {
    /// A state from its parts.
    pub fn new(
        db: Db,
        config: Config,
        engines: (Arc<FaceEngine>, Arc<certify_voice::VoiceEngine>),
        clock: Arc<dyn Clock>,
        rng_source: Arc<dyn RngSource>,
        sms: Arc<dyn SmsSender>,
    ) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Self {
            portraits: crate::identity::portraits_from(&config),
            faces: Arc::default(),
            voice_cohort: Arc::default(),
            captcha: Arc::new(crate::accounts::RasterCaptcha),
            limits: Arc::new(crate::limits::Limits::new(Arc::clone(&clock), &config.limits)),
            db,
            config: Arc::new(config),
            face: engines.0,
            voice: engines.1,
            clock,
            rng_source,
            sms,
            cpu: Arc::new(tokio::sync::Semaphore::new(cores * 2)),
        }
    }

    /// Now.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// A generator for this request.
    pub fn rng(&self) -> Rng {
        Rng(self.rng_source.fresh())
    }

    /// `n` random bytes as hex.
    pub fn random_hex(&self, n: usize) -> String {
        self.rng().hex(n)
    }

    /// Run CPU-heavy `work` on the blocking pool, at most a bounded number at once, off the
    /// async workers (a hash or an inference never delays other requests' I/O).
    pub async fn blocking<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
        let _permit = self
            .cpu
            .acquire()
            .await
            .map_err(|_| ApiError::status(CertifyStatus::Panic, "the server is shutting down"))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|_| ApiError::status(CertifyStatus::Panic, "a background computation failed"))
    }

    /// The SMS key.
    pub(crate) fn sms_key(&self) -> certify_core::account::sms::SmsKey {
        certify_core::account::sms::SmsKey::from_bytes(self.config.sms_key().unwrap_or([0; 32]))
    }
}
