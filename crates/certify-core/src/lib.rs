//! # certify-core
//!
//! The domain of remote pension entitlement certification (养老保险待遇领取资格认证) as pure
//! functions and state machines: identity numbers and names, accounts with SMS codes and
//! lockout, real-name verification, enrollment review, certification with proxy and
//! history, cycle policy, suspension and back pay, the deadline run, and signed evidence.
//!
//! The core reads no clock and no global RNG: callers pass `now` ([`time::Timestamp`]) or
//! `today` ([`::time::Date`]) and an RNG (`rand_core::RngCore + CryptoRng`), so every rule
//! is a deterministic, testable function. It does no I/O: host state (accounts,
//! enrollment cases, records) is data the host stores; the core decides and returns the
//! events the host must record.
//!
//! ```
//! use certify_core::id::ResidentId;
//! let id = ResidentId::parse("110105491231002").unwrap(); // legacy 15-digit number
//! assert_eq!(id.as_str(), "11010519491231002X");
//! ```

pub mod account;
pub mod biometric;
pub mod certification;
pub mod comparison;
pub mod cycle;
pub mod deadline;
pub mod enrollment;
pub mod evidence;
pub mod id;
pub mod life_event;
pub mod liveness;
pub mod money;
pub mod name;
pub mod payment;
pub mod payroll;
pub mod realname;
pub mod region;
pub mod roster;
pub mod time;
pub mod visit;
pub mod voice;

pub use ::time as time_crate;
pub use rand_core;
