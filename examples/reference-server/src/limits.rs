//! Rate limits on what an attacker repeats (`governor`, GCRA): SMS codes sent, code guesses
//! and first card logins, per day, counted both per target (a phone, an identity number)
//! and per client address. They sit on top of the core's per-code rules (5 guesses per
//! code, a new code every 60 s), so guessing a reset code or flooding a phone with codes
//! stays bounded however many codes are asked for, and one address cannot walk through many
//! phones. Time is the server's clock. Limits are per instance: behind N instances a key
//! gets at most N times them.

use crate::config::LimitSettings;
use crate::error::{ApiError, codes};
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use governor::clock::Clock as _;
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// SMS codes one phone may be sent per day.
pub const SMS_PER_PHONE_PER_DAY: u32 = 5;
/// Code guesses (registration, password reset) against one phone per day.
pub const GUESSES_PER_PHONE_PER_DAY: u32 = 20;
/// First card logins (no account yet to count wrong PINs on) per identity number per day.
pub const FIRST_CARD_LOGINS_PER_DAY: u32 = 3;

/// What is counted: each kind has its own limiter and daily quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Limit {
    /// SMS codes sent to one phone.
    SmsPerPhone,
    /// SMS codes asked for from one client address.
    SmsPerAddress,
    /// Code guesses against one phone.
    GuessesPerPhone,
    /// Code guesses from one client address.
    GuessesPerAddress,
    /// First card logins of one identity number.
    FirstCardPerId,
    /// First card logins from one client address.
    FirstCardPerAddress,
    /// One SMS code per phone per minute, known phone or not (so the cooldown answer does
    /// not tell which phones have accounts).
    ResendPerPhone,
}

impl Limit {
    const ALL: [Limit; 7] = [
        Limit::SmsPerPhone,
        Limit::SmsPerAddress,
        Limit::GuessesPerPhone,
        Limit::GuessesPerAddress,
        Limit::FirstCardPerId,
        Limit::FirstCardPerAddress,
        Limit::ResendPerPhone,
    ];

    fn quota(self, settings: &LimitSettings) -> Quota {
        let n = match self {
            Limit::SmsPerPhone => SMS_PER_PHONE_PER_DAY,
            Limit::SmsPerAddress => settings.sms_per_address_per_day,
            Limit::GuessesPerPhone => GUESSES_PER_PHONE_PER_DAY,
            Limit::GuessesPerAddress => settings.guesses_per_address_per_day,
            Limit::FirstCardPerId => FIRST_CARD_LOGINS_PER_DAY,
            Limit::FirstCardPerAddress => settings.first_card_logins_per_address_per_day,
            Limit::ResendPerPhone => {
                let cooldown = certify_core::account::sms::SmsPolicy::default().resend_cooldown_seconds;
                return Quota::with_period(Duration::from_secs(u64::try_from(cooldown).unwrap_or(60)))
                    .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN));
            }
        };
        per_day(n)
    }

    fn what(self) -> &'static str {
        match self {
            Limit::SmsPerPhone => "SMS codes for this phone",
            Limit::SmsPerAddress => "SMS codes from this network address",
            Limit::GuessesPerPhone => "code attempts for this phone",
            Limit::GuessesPerAddress => "code attempts from this network address",
            Limit::FirstCardPerId => "first card logins for this identity number",
            Limit::FirstCardPerAddress => "first card logins from this network address",
            Limit::ResendPerPhone => "SMS codes for this phone this minute",
        }
    }
}

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

/// The limiters of one server instance, one per [`Limit`].
pub(crate) struct Limits {
    limiters: Vec<Keyed>,
    clock: ServerClock,
}

fn per_day(n: u32) -> Quota {
    let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(Duration::from_secs(86_400 / u64::from(n.get())))
        .unwrap_or_else(|| Quota::per_hour(n))
        .allow_burst(n)
}

impl Limits {
    /// Limiters on `clock` with the per-address quotas of `settings`.
    pub(crate) fn new(clock: Arc<dyn crate::Clock>, settings: &LimitSettings) -> Self {
        let clock = ServerClock(clock);
        let limiters = Limit::ALL
            .iter()
            .map(|l| RateLimiter::hashmap_with_clock(l.quota(settings), clock.clone()))
            .collect();
        Self { limiters, clock }
    }

    /// Count one `limit` event for `key`; refused (913) past the day's quota.
    pub(crate) fn check(&self, limit: Limit, key: &str) -> Result<(), ApiError> {
        let index = Limit::ALL.iter().position(|l| *l == limit).unwrap_or(0);
        self.limiters[index].check_key(&key.to_owned()).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                codes::RATE_LIMITED,
                format!(
                    "too many {} today; try again in {} minutes",
                    limit.what(),
                    wait.as_secs().div_ceil(60)
                ),
            )
        })
    }

    /// Count one SMS code for `phone` asked for from `client`: the address's day, the
    /// phone's minute (answered `310` like the core's own cooldown, for every phone alike),
    /// then the phone's day.
    pub(crate) fn sms(&self, client: &ClientAddress, phone: &str) -> Result<(), ApiError> {
        self.check(Limit::SmsPerAddress, &client.0)?;
        let index = Limit::ALL.iter().position(|l| *l == Limit::ResendPerPhone).unwrap_or(0);
        if let Err(not_until) = self.limiters[index].check_key(&phone.to_owned()) {
            let wait = not_until.wait_time_from(self.clock.now()).as_secs().max(1);
            return Err(ApiError::status(
                certify_bridge::CertifyStatus::SmsResendTooSoon,
                format!("wait {wait} s before asking for another code"),
            ));
        }
        self.check(Limit::SmsPerPhone, phone)
    }

    /// Count one code guess from `client` that reaches no code (no valid reset ticket):
    /// counted per address only, so nobody can spend a phone's guesses for its owner.
    pub(crate) fn stray_guess(&self, client: &ClientAddress) -> Result<(), ApiError> {
        self.check(Limit::GuessesPerAddress, &client.0)
    }

    /// Count one code guess against `phone` from `client`.
    pub(crate) fn guess(&self, client: &ClientAddress, phone: &str) -> Result<(), ApiError> {
        self.check(Limit::GuessesPerAddress, &client.0)?;
        self.check(Limit::GuessesPerPhone, phone)
    }

    /// Count one first card login of identity number `id` from `client`.
    pub(crate) fn first_card_login(&self, client: &ClientAddress, id: &str) -> Result<(), ApiError> {
        self.check(Limit::FirstCardPerAddress, &client.0)?;
        self.check(Limit::FirstCardPerId, id)
    }
}

/// The client's network address as a limiter key: the peer address, or — behind a reverse
/// proxy named in `[limits] client_address_header` — the first address of that header. An
/// IPv6 address counts by its /64 network (one subscriber's whole allocation), so rotating
/// addresses within it does not reset the count. In-process tests without a socket share
/// the key `local`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientAddress(pub(crate) String);

impl ClientAddress {
    fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => Self(v4.to_string()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self(v4.to_string()),
                None => {
                    let s = v6.segments();
                    Self(format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3]))
                }
            },
        }
    }
}

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(header) = &state.config.limits.client_address_header {
            let forwarded = parts
                .headers
                .get(header.as_str())
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|v| v.trim().parse::<IpAddr>().ok());
            if let Some(ip) = forwarded {
                return Ok(Self::of(ip));
            }
        }
        Ok(match parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(peer)) => Self::of(peer.ip()),
            None => Self("local".to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_counts_by_its_64_network_and_mapped_ipv4_as_ipv4() {
        let a = ClientAddress::of("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = ClientAddress::of("2001:db8:1:2:bbbb::9".parse().unwrap());
        let c = ClientAddress::of("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            ClientAddress::of("::ffff:10.0.0.7".parse().unwrap()),
            ClientAddress::of("10.0.0.7".parse().unwrap())
        );
    }
}
