//! Accounts (seed 003, 注册/登录/常见问题 2, 3, 6): registration with a mainland phone,
//! picture captcha and SMS code; password login with the 3-failure / 24-hour lock;
//! forgot-password; social-security-card login; binding a relative's phone.
//!
//! An [`Account`] is data the host stores. Every call that changes it returns the
//! [`AccountEvent`]s the host must record (its audit trail); none contains a secret.

pub mod password;
pub mod phone;
pub mod sms;

use crate::id::{IdError, ResidentId};
use crate::name::{NameError, PersonName};
use crate::roster::{RosterEntry, RosterError, match_roster};
use crate::time::{DAY_SECONDS, Timestamp};
use password::{PasswordError, PasswordParams, check_new_password, hash_password, verify_password};
pub use phone::{MobileNumber, PhoneError};
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use sms::{SmsChallenge, SmsCode, SmsError, SmsKey, SmsPolicy, SmsPurpose};

/// Wrong passwords in a row that lock an account (seed 003: "密码输错3次，账户会被锁定").
pub const LOCK_AFTER_FAILURES: u8 = 3;
/// How long a lock lasts (seed 003: "24小时后自动解锁").
pub const LOCK_SECONDS: i64 = DAY_SECONDS;

/// Whose phone the account's number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneOwner {
    /// The pensioner's own phone.
    Holder,
    /// A domestic relative's phone, for pensioners living abroad (常见问题 6).
    Relative,
}

/// A pensioner's account, as the host stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The pensioner's identity number (the account's natural key).
    pub holder_id: ResidentId,
    /// The pensioner's name as entered at registration (never rewritten).
    pub holder_name: PersonName,
    /// Phone for login and SMS; `None` for a card-login account with no phone bound yet.
    pub phone: Option<MobileNumber>,
    /// Whose phone that is.
    pub phone_owner: PhoneOwner,
    /// argon2id PHC string; `None` for card-only accounts.
    pub password_hash: Option<String>,
    /// Wrong passwords (or PINs) since the last success.
    pub failed_logins: u8,
    /// Locked until this instant, if locked.
    pub locked_until: Option<Timestamp>,
    /// When the account was created.
    pub created_at: Timestamp,
    /// When real-name verification (实名认证) succeeded; required before any service.
    pub real_name_verified_at: Option<Timestamp>,
    /// Wrong card PINs since the last card login: a lock of their own, so a stranger who
    /// knows only the identity number cannot lock the password login.
    #[serde(default)]
    pub failed_pins: u8,
    /// Card login locked until this instant, if locked (unlocked by time, a password reset,
    /// or staff at the counter).
    #[serde(default)]
    pub pin_locked_until: Option<Timestamp>,
}

/// Something that happened to an account, for the host's audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AccountEvent {
    /// A new account was created.
    Registered {
        /// When.
        at: Timestamp,
    },
    /// A login succeeded.
    LoggedIn {
        /// When.
        at: Timestamp,
        /// Password or card.
        method: LoginMethod,
    },
    /// A wrong password or PIN.
    LoginFailed {
        /// When.
        at: Timestamp,
        /// Failures in a row so far.
        failures: u8,
    },
    /// The account was locked.
    Locked {
        /// When.
        at: Timestamp,
        /// Until when.
        until: Timestamp,
    },
    /// A lock ended: by time, or by a password reset.
    Unlocked {
        /// When.
        at: Timestamp,
        /// Why.
        by: UnlockCause,
    },
    /// The password was replaced through forgot-password.
    PasswordReset {
        /// When.
        at: Timestamp,
    },
    /// A phone was bound to the account.
    PhoneBound {
        /// When.
        at: Timestamp,
        /// Whose phone.
        owner: PhoneOwner,
    },
    /// Real-name verification succeeded.
    RealNameVerified {
        /// When.
        at: Timestamp,
    },
}

/// How someone logged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginMethod {
    /// Phone number and password.
    Password,
    /// Identity number and social-security-card PIN.
    Card,
}

/// What ended a lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnlockCause {
    /// 24 hours passed.
    Expired,
    /// Forgot-password: SMS re-proof and a new password.
    PasswordReset,
    /// Staff at the counter, the person present.
    Staff,
}

/// Whether an account can log in at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockState {
    /// Open.
    Open,
    /// Locked until the instant given.
    Locked(Timestamp),
}

/// The host's picture-captcha check (图形验证码), asked before an SMS code is sent so that
/// codes cannot be sprayed at numbers by a script.
pub trait CaptchaVerifier {
    /// Whether `answer` solves the captcha the host showed as `captcha_id`.
    fn verify(&self, captcha_id: &str, answer: &str) -> bool;
}

/// What the social-security card system says of an identity number and PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardCheck {
    /// An activated card and the right PIN.
    Valid,
    /// An activated card and a wrong PIN.
    WrongPin,
    /// The card exists but its social-security function is not activated.
    NotActivated,
    /// No card for this number.
    NoCard,
}

/// The host's link to the social-security card system (社保卡).
pub trait CardVerifier {
    /// Check the card PIN (the one used at pharmacies) of the card of `id`.
    fn check(&self, id: &ResidentId, pin: &str) -> CardCheck;
}

/// Why a registration step failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    /// The picture captcha was not solved.
    #[error("the picture code is wrong")]
    CaptchaFailed,
    /// Bad phone number.
    #[error(transparent)]
    Phone(#[from] PhoneError),
    /// "该手机已注册": one phone registers one account; use forgot-password.
    #[error("this phone number is already registered (use forgot-password if it is yours)")]
    PhoneAlreadyRegistered,
    /// The identity number already has an account.
    #[error("this identity number already has an account")]
    IdAlreadyRegistered,
    /// SMS code problem.
    #[error(transparent)]
    Sms(#[from] SmsError),
    /// Password problem.
    #[error(transparent)]
    Password(#[from] PasswordError),
    /// Bad identity number.
    #[error(transparent)]
    Id(#[from] IdError),
    /// Bad name.
    #[error(transparent)]
    Name(#[from] NameError),
    /// Not on the pension roster, or under another name ("查无此人").
    #[error(transparent)]
    Roster(#[from] RosterError),
}

/// The registration form (seed 003, 注册步骤 第三步).
#[derive(Debug, Clone)]
pub struct RegistrationForm<'a> {
    /// Mobile number (as typed).
    pub phone: &'a str,
    /// The six-digit SMS code.
    pub sms_code: &'a str,
    /// Name, as on the identity card.
    pub name: &'a str,
    /// Identity number.
    pub id_number: &'a str,
    /// Password.
    pub password: &'a str,
    /// Password again.
    pub password_repeat: &'a str,
    /// Whose phone it is (a relative registers for a pensioner abroad).
    pub phone_owner: PhoneOwner,
}

/// What the host knows about existing accounts, for the uniqueness rules.
#[derive(Debug, Clone, Copy, Default)]
pub struct Existing {
    /// An account already uses this phone.
    pub phone_registered: bool,
    /// An account already exists for this identity number.
    pub id_registered: bool,
}

/// Step 1–2 of registration: check the picture captcha and the phone, then issue the SMS
/// code. `previous` is the last challenge sent to this phone (for the cooldown).
pub fn request_registration_code<R: RngCore + CryptoRng>(
    phone: &str,
    captcha: &dyn CaptchaVerifier,
    captcha_id: &str,
    captcha_answer: &str,
    phone_registered: bool,
    previous: Option<&SmsChallenge>,
    key: &SmsKey,
    policy: &SmsPolicy,
    now: Timestamp,
    rng: &mut R,
) -> Result<(SmsChallenge, SmsCode), RegistrationError> {
    if !captcha.verify(captcha_id, captcha_answer) {
        return Err(RegistrationError::CaptchaFailed);
    }
    let phone = MobileNumber::parse(phone)?;
    if phone_registered {
        return Err(RegistrationError::PhoneAlreadyRegistered);
    }
    Ok(SmsChallenge::issue(
        phone,
        SmsPurpose::Register,
        previous,
        key,
        policy,
        now,
        rng,
    )?)
}

/// Step 3 of registration: the form's own format (phone, password twice, number, name),
/// then the SMS code (a wrong one counts; the right one is spent), and only then the
/// roster entry the host found for the number and the existing accounts — so without the
/// code nobody learns who is on the roster or has an account. Creates the account.
pub fn register<R: RngCore + CryptoRng>(
    form: &RegistrationForm<'_>,
    challenge: &mut SmsChallenge,
    existing: Existing,
    roster_entry: Option<&RosterEntry>,
    key: &SmsKey,
    sms_policy: &SmsPolicy,
    params: &PasswordParams,
    now: Timestamp,
    rng: &mut R,
) -> Result<(Account, Vec<AccountEvent>), RegistrationError> {
    let phone = MobileNumber::parse(form.phone)?;
    // Validate the fields' own format first (it reveals nothing about anyone)...
    check_new_password(form.password, form.password_repeat)?;
    let id = ResidentId::parse_on(form.id_number, now.china_date())?;
    let name = PersonName::new(form.name)?;
    // ...then the SMS code, before anything that depends on who is on the roster or who
    // has an account: without the code nobody learns whether a name and number match (a
    // wrong code counts towards the challenge's limit, so guessing is bounded).
    challenge.verify(&phone, SmsPurpose::Register, form.sms_code, key, sms_policy, now)?;
    if existing.phone_registered {
        return Err(RegistrationError::PhoneAlreadyRegistered);
    }
    match_roster(&name, &id, roster_entry)?;
    if existing.id_registered {
        return Err(RegistrationError::IdAlreadyRegistered);
    }
    let password_hash = hash_password(form.password, params, rng)?;
    let account = Account {
        holder_id: id,
        holder_name: name,
        phone: Some(phone),
        phone_owner: form.phone_owner,
        password_hash: Some(password_hash),
        failed_logins: 0,
        locked_until: None,
        created_at: now,
        real_name_verified_at: None,
        failed_pins: 0,
        pin_locked_until: None,
    };
    Ok((account, vec![AccountEvent::Registered { at: now }]))
}

/// Why a login failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    /// The account is locked; it opens by itself at `until`, or through forgot-password.
    #[error(
        "the account is locked until {until}; it unlocks by itself after 24 hours, or at once through forgot-password"
    )]
    Locked {
        /// When the lock lifts by itself.
        until: Timestamp,
    },
    /// Card login is locked after wrong PINs; it opens by itself at `until`, through
    /// forgot-password, or by staff at the counter.
    #[error(
        "card login is locked until {until} after 3 wrong PINs; it unlocks by itself after 24 hours, through forgot-password, or at the social-security counter"
    )]
    CardLocked {
        /// When the lock lifts by itself.
        until: Timestamp,
    },
    /// Wrong phone/password (or PIN); `remaining` tries before the lock.
    #[error("wrong password ({remaining} tries left before the account is locked for 24 hours)")]
    WrongCredentials {
        /// Tries left.
        remaining: u8,
    },
    /// The account has no password (card-login account): log in with the card.
    #[error("this account logs in with the social-security card")]
    NoPassword,
    /// The card's social-security function is not activated; register with a phone.
    #[error("the social-security card is not activated; activate it, or register with a phone number")]
    CardNotActivated,
    /// No social-security card for this number.
    #[error("no social-security card was found for this identity number")]
    NoCard,
    /// The stored password hash is damaged.
    #[error(transparent)]
    Password(#[from] PasswordError),
}

impl LoginError {
    /// A stable snake_case code for this error.
    pub const fn code(&self) -> &'static str {
        match self {
            LoginError::Locked { .. } => "account_locked",
            LoginError::CardLocked { .. } => "card_login_locked",
            LoginError::WrongCredentials { .. } => "wrong_credentials",
            LoginError::NoPassword => "no_password",
            LoginError::CardNotActivated => "card_not_activated",
            LoginError::NoCard => "no_card",
            LoginError::Password(_) => "corrupt_password_hash",
        }
    }
}

/// Why forgot-password or phone binding failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecoveryError {
    /// The account has no phone to re-prove.
    #[error("the account has no phone bound")]
    NoPhone,
    /// The phone is already bound to another account.
    #[error("this phone number is already registered")]
    PhoneAlreadyRegistered,
    /// Bad phone number.
    #[error(transparent)]
    Phone(#[from] PhoneError),
    /// SMS code problem.
    #[error(transparent)]
    Sms(#[from] SmsError),
    /// Password problem.
    #[error(transparent)]
    Password(#[from] PasswordError),
}

impl Account {
    /// A card-login account, created at the first successful card login, with the name
    /// from the roster and no phone yet.
    pub fn from_card(entry: &RosterEntry, now: Timestamp) -> Account {
        Account {
            holder_id: entry.id,
            holder_name: entry.name.clone(),
            phone: None,
            phone_owner: PhoneOwner::Holder,
            password_hash: None,
            failed_logins: 0,
            locked_until: None,
            created_at: now,
            real_name_verified_at: None,
            failed_pins: 0,
            pin_locked_until: None,
        }
    }

    /// Whether the account is locked at `now`.
    pub fn lock_state(&self, now: Timestamp) -> LockState {
        match self.locked_until {
            Some(until) if now < until => LockState::Locked(until),
            _ => LockState::Open,
        }
    }

    /// Lift a lock whose 24 hours are over; returns the event if one was lifted.
    fn expire_lock(&mut self, now: Timestamp, events: &mut Vec<AccountEvent>) -> Result<(), LoginError> {
        match self.locked_until {
            Some(until) if now < until => Err(LoginError::Locked { until }),
            Some(_) => {
                self.locked_until = None;
                self.failed_logins = 0;
                events.push(AccountEvent::Unlocked {
                    at: now,
                    by: UnlockCause::Expired,
                });
                Ok(())
            }
            None => Ok(()),
        }
    }

    fn record_attempt(
        &mut self,
        ok: bool,
        method: LoginMethod,
        now: Timestamp,
        mut events: Vec<AccountEvent>,
    ) -> Result<Vec<AccountEvent>, (LoginError, Vec<AccountEvent>)> {
        if ok {
            self.failed_logins = 0;
            events.push(AccountEvent::LoggedIn { at: now, method });
            return Ok(events);
        }
        self.failed_logins = self.failed_logins.saturating_add(1);
        events.push(AccountEvent::LoginFailed {
            at: now,
            failures: self.failed_logins,
        });
        if self.failed_logins >= LOCK_AFTER_FAILURES {
            let until = now.plus_seconds(LOCK_SECONDS);
            self.locked_until = Some(until);
            events.push(AccountEvent::Locked { at: now, until });
            Err((LoginError::Locked { until }, events))
        } else {
            Err((
                LoginError::WrongCredentials {
                    remaining: LOCK_AFTER_FAILURES - self.failed_logins,
                },
                events,
            ))
        }
    }

    /// Log in with the account's password. The account changes on every call (failure
    /// count, lock): persist it and the events whatever the result.
    pub fn login_with_password(&mut self, password: &str, now: Timestamp) -> LoginResult {
        let mut events = Vec::new();
        if let Err(e) = self.expire_lock(now, &mut events) {
            return LoginResult {
                outcome: Err(e),
                events,
            };
        }
        let Some(stored) = self.password_hash.as_deref() else {
            return LoginResult {
                outcome: Err(LoginError::NoPassword),
                events,
            };
        };
        let ok = match verify_password(password, stored) {
            Ok(ok) => ok,
            Err(e) => {
                return LoginResult {
                    outcome: Err(e.into()),
                    events,
                };
            }
        };
        LoginResult::from(self.record_attempt(ok, LoginMethod::Password, now, events))
    }

    /// Log in with the social-security card PIN through the host's card system. Wrong PINs
    /// count toward the same lock as wrong passwords.
    pub fn login_with_card(&mut self, pin: &str, cards: &dyn CardVerifier, now: Timestamp) -> LoginResult {
        let mut events = Vec::new();
        if let Err(e) = self.expire_lock(now, &mut events) {
            return LoginResult {
                outcome: Err(e),
                events,
            };
        }
        match self.pin_locked_until {
            Some(until) if now < until => {
                return LoginResult {
                    outcome: Err(LoginError::CardLocked { until }),
                    events,
                };
            }
            Some(_) => {
                self.pin_locked_until = None;
                self.failed_pins = 0;
                events.push(AccountEvent::Unlocked {
                    at: now,
                    by: UnlockCause::Expired,
                });
            }
            None => {}
        }
        let ok = match cards.check(&self.holder_id, pin) {
            CardCheck::Valid => true,
            CardCheck::WrongPin => false,
            CardCheck::NotActivated => {
                return LoginResult {
                    outcome: Err(LoginError::CardNotActivated),
                    events,
                };
            }
            CardCheck::NoCard => {
                return LoginResult {
                    outcome: Err(LoginError::NoCard),
                    events,
                };
            }
        };
        if ok {
            self.failed_pins = 0;
            events.push(AccountEvent::LoggedIn {
                at: now,
                method: LoginMethod::Card,
            });
            return LoginResult {
                outcome: Ok(()),
                events,
            };
        }
        self.failed_pins = self.failed_pins.saturating_add(1);
        events.push(AccountEvent::LoginFailed {
            at: now,
            failures: self.failed_pins,
        });
        let outcome = if self.failed_pins >= LOCK_AFTER_FAILURES {
            let until = now.plus_seconds(LOCK_SECONDS);
            self.pin_locked_until = Some(until);
            events.push(AccountEvent::Locked { at: now, until });
            Err(LoginError::CardLocked { until })
        } else {
            Err(LoginError::WrongCredentials {
                remaining: LOCK_AFTER_FAILURES - self.failed_pins,
            })
        };
        LoginResult { outcome, events }
    }

    /// Staff at the counter, the person present and identified, lift both locks.
    pub fn unlock_by_staff(&mut self, now: Timestamp) -> Vec<AccountEvent> {
        if self.locked_until.is_none() && self.pin_locked_until.is_none() {
            return Vec::new();
        }
        self.locked_until = None;
        self.failed_logins = 0;
        self.pin_locked_until = None;
        self.failed_pins = 0;
        vec![AccountEvent::Unlocked {
            at: now,
            by: UnlockCause::Staff,
        }]
    }

    /// Forgot-password: the account's phone re-proved by an SMS code issued for
    /// [`SmsPurpose::ResetPassword`], then a new password. Lifts any lock at once.
    pub fn reset_password<R: RngCore + CryptoRng>(
        &mut self,
        challenge: &mut SmsChallenge,
        sms_code: &str,
        new_password: &str,
        repeat: &str,
        key: &SmsKey,
        sms_policy: &SmsPolicy,
        params: &PasswordParams,
        now: Timestamp,
        rng: &mut R,
    ) -> Result<Vec<AccountEvent>, RecoveryError> {
        let phone = self.phone.clone().ok_or(RecoveryError::NoPhone)?;
        check_new_password(new_password, repeat)?;
        challenge.verify(&phone, SmsPurpose::ResetPassword, sms_code, key, sms_policy, now)?;
        self.password_hash = Some(hash_password(new_password, params, rng)?);
        let mut events = vec![AccountEvent::PasswordReset { at: now }];
        if self.locked_until.is_some() || self.pin_locked_until.is_some() {
            events.push(AccountEvent::Unlocked {
                at: now,
                by: UnlockCause::PasswordReset,
            });
        }
        self.locked_until = None;
        self.failed_logins = 0;
        self.pin_locked_until = None;
        self.failed_pins = 0;
        Ok(events)
    }

    /// Bind a phone (the holder's or a domestic relative's) proved by an SMS code issued
    /// for [`SmsPurpose::BindPhone`] to that phone. `phone_registered`: another account
    /// already uses it.
    pub fn bind_phone(
        &mut self,
        phone: &str,
        owner: PhoneOwner,
        phone_registered: bool,
        challenge: &mut SmsChallenge,
        sms_code: &str,
        key: &SmsKey,
        sms_policy: &SmsPolicy,
        now: Timestamp,
    ) -> Result<Vec<AccountEvent>, RecoveryError> {
        let phone = MobileNumber::parse(phone)?;
        if phone_registered && self.phone.as_ref() != Some(&phone) {
            return Err(RecoveryError::PhoneAlreadyRegistered);
        }
        challenge.verify(&phone, SmsPurpose::BindPhone, sms_code, key, sms_policy, now)?;
        self.phone = Some(phone);
        self.phone_owner = owner;
        Ok(vec![AccountEvent::PhoneBound { at: now, owner }])
    }
}

/// The result of a login attempt: the outcome, and the events to record either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginResult {
    /// Success, or why not.
    pub outcome: Result<(), LoginError>,
    /// Events to record (failures, locks and unlocks included).
    pub events: Vec<AccountEvent>,
}

impl From<Result<Vec<AccountEvent>, (LoginError, Vec<AccountEvent>)>> for LoginResult {
    fn from(r: Result<Vec<AccountEvent>, (LoginError, Vec<AccountEvent>)>) -> Self {
        match r {
            Ok(events) => LoginResult {
                outcome: Ok(()),
                events,
            },
            Err((e, events)) => LoginResult {
                outcome: Err(e),
                events,
            },
        }
    }
}

/// Log in with a social-security card when no account exists yet: checks the card, and
/// on success creates the card account (the holder must be on the roster).
pub fn first_card_login(
    id_number: &str,
    pin: &str,
    cards: &dyn CardVerifier,
    roster_entry: Option<&RosterEntry>,
    now: Timestamp,
) -> Result<(Account, Vec<AccountEvent>), FirstCardLoginError> {
    let id = ResidentId::parse(id_number)?;
    match cards.check(&id, pin) {
        CardCheck::Valid => {}
        CardCheck::WrongPin => {
            return Err(FirstCardLoginError::Login(LoginError::WrongCredentials {
                remaining: LOCK_AFTER_FAILURES,
            }));
        }
        CardCheck::NotActivated => return Err(FirstCardLoginError::Login(LoginError::CardNotActivated)),
        CardCheck::NoCard => return Err(FirstCardLoginError::Login(LoginError::NoCard)),
    }
    let entry = roster_entry.filter(|e| e.id == id).ok_or(RosterError::NotFound)?;
    let account = Account::from_card(entry, now);
    Ok((
        account,
        vec![
            AccountEvent::Registered { at: now },
            AccountEvent::LoggedIn {
                at: now,
                method: LoginMethod::Card,
            },
        ],
    ))
}

/// Why a first card login failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FirstCardLoginError {
    /// Bad identity number.
    #[error(transparent)]
    Id(#[from] IdError),
    /// The card system refused.
    #[error(transparent)]
    Login(#[from] LoginError),
    /// The card holder is not a pension recipient ("查无此人").
    #[error(transparent)]
    Roster(#[from] RosterError),
}
