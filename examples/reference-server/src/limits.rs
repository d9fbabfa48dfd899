//! Rate limits on what an attacker repeats (`governor`, GCRA): SMS codes sent to one phone
//! and code guesses against one phone, per day. They sit on top of the core's per-code rules
//! (5 guesses per code, a new code every 60 s), so guessing a reset code or flooding a
//! phone with codes stays bounded however many codes are asked for. Time is the server's
//! clock. Limits are per instance: behind N instances a phone gets at most N times them.

use crate::error::{ApiError, codes};
use axum::http::StatusCode;
use governor::clock::Clock as _;
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// SMS codes one phone may be sent per day.
pub const SMS_PER_PHONE_PER_DAY: u32 = 5;
/// Code guesses (registration, password reset) against one phone per day.
pub const GUESSES_PER_PHONE_PER_DAY: u32 = 20;
/// First card logins (no account yet to count wrong PINs on) per identity number per day.
pub const FIRST_CARD_LOGINS_PER_DAY: u32 = 3;

/// The server's clock as governor's (tests move it by hand).
#[derive(Clone)]
pub(crate) struct ServerClock(pub(crate) Arc<dyn crate::Clock>);

impl governor::clock::Clock for ServerClock {
    type Instant = Duration;
    fn now(&self) -> Duration {
        Duration::from_millis(u64::try_from(self.0.now_millis()).unwrap_or(0))
    }
}

type Keyed =
    RateLimiter<String, HashMapStateStore<String>, ServerClock, governor::middleware::NoOpMiddleware<Duration>>;

/// The limiters of one server instance.
pub(crate) struct Limits {
    sms: Keyed,
    guesses: Keyed,
    first_card: Keyed,
    clock: ServerClock,
}

fn per_day(n: u32) -> Quota {
    let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(Duration::from_secs(86_400 / u64::from(n.get())))
        .unwrap_or_else(|| Quota::per_hour(n))
        .allow_burst(n)
}

fn limited(what: &str, wait: Duration) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        codes::RATE_LIMITED,
        format!(
            "too many {what} for this phone today; try again in {} minutes",
            wait.as_secs().div_ceil(60)
        ),
    )
}

impl Limits {
    /// Limiters on `clock`.
    pub(crate) fn new(clock: Arc<dyn crate::Clock>) -> Self {
        let clock = ServerClock(clock);
        Self {
            sms: RateLimiter::hashmap_with_clock(per_day(SMS_PER_PHONE_PER_DAY), clock.clone()),
            guesses: RateLimiter::hashmap_with_clock(per_day(GUESSES_PER_PHONE_PER_DAY), clock.clone()),
            first_card: RateLimiter::hashmap_with_clock(per_day(FIRST_CARD_LOGINS_PER_DAY), clock.clone()),
            clock,
        }
    }

    /// Count one SMS code sent to `phone` (refused past the day's limit).
    pub(crate) fn sms(&self, phone: &str) -> Result<(), ApiError> {
        self.sms
            .check_key(&phone.to_owned())
            .map_err(|not_until| limited("SMS codes for this phone", not_until.wait_time_from(self.clock.now())))
    }

    /// Count one first card login of identity number `id`.
    pub(crate) fn first_card_login(&self, id: &str) -> Result<(), ApiError> {
        self.first_card.check_key(&id.to_owned()).map_err(|not_until| {
            limited(
                "first card logins for this identity number",
                not_until.wait_time_from(self.clock.now()),
            )
        })
    }

    /// Count one code guess against `phone` (refused past the day's limit).
    pub(crate) fn guess(&self, phone: &str) -> Result<(), ApiError> {
        self.guesses.check_key(&phone.to_owned()).map_err(|not_until| {
            limited(
                "code attempts for this phone",
                not_until.wait_time_from(self.clock.now()),
            )
        })
    }
}
