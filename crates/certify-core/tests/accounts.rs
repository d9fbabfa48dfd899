//! Accounts end to end (seed 003: 注册步骤, 登录步骤, 常见问题 2, 3, 6; DESIGN §1).
#![allow(clippy::unwrap_used)]

mod common;

use certify_core::account::sms::{SmsChallenge, SmsError, SmsPurpose};
use certify_core::account::*;
use certify_core::biometric::MatchDecision;
use certify_core::realname::{RealNameError, verify_real_name};
use certify_core::roster::{RosterError, Scheme};
use common::*;
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;

const PHONE: &str = "13892506598";

fn registered() -> (Account, certify_core::roster::RosterEntry) {
    let id = make_id("610526", "19520304", "123");
    let roster = entry(&id, "刘晓瑜", Scheme::PublicInstitution);
    let mut r = rng();
    let (mut ch, code) = request_registration_code(
        PHONE,
        &Captcha,
        "c1",
        "8xk2",
        false,
        None,
        &sms_key(),
        &sms_policy(),
        T0,
        &mut r,
    )
    .unwrap();
    let form = RegistrationForm {
        phone: PHONE,
        sms_code: code.expose(),
        name: "劉曉瑜", // typed with a traditional input method
        id_number: &id,
        password: "laoli1952",
        password_repeat: "laoli1952",
        phone_owner: PhoneOwner::Holder,
    };
    let (account, events) = register(
        &form,
        &mut ch,
        Existing::default(),
        Some(&roster),
        &sms_key(),
        &sms_policy(),
        &fast(),
        T0,
        &mut r,
    )
    .unwrap();
    assert_eq!(events, vec![AccountEvent::Registered { at: T0 }]);
    assert_eq!(
        account.holder_name.as_str(),
        "劉曉瑜",
        "the typed name is kept as typed"
    );
    (account, roster)
}

// 注册 第二步: the picture captcha gates the SMS code.
#[test]
fn sms_code_needs_the_picture_captcha() {
    let e = request_registration_code(
        PHONE,
        &Captcha,
        "c1",
        "wrong",
        false,
        None,
        &sms_key(),
        &sms_policy(),
        T0,
        &mut rng(),
    );
    assert_eq!(e.unwrap_err(), RegistrationError::CaptchaFailed);
}

// 常见问题 3: "该手机已注册" — one phone number registers one account.
#[test]
fn one_phone_one_account() {
    let e = request_registration_code(
        PHONE,
        &Captcha,
        "c1",
        "8xk2",
        true,
        None,
        &sms_key(),
        &sms_policy(),
        T0,
        &mut rng(),
    );
    assert_eq!(e.unwrap_err(), RegistrationError::PhoneAlreadyRegistered);
}

// 注册 第三步: name and ID must be real and match the roster ("查无此人" otherwise).
/// A code for `PHONE`, issued at `at`.
fn code_at(at: certify_core::time::Timestamp, r: &mut ChaCha20Rng) -> (SmsChallenge, String) {
    let (ch, code) = request_registration_code(
        PHONE,
        &Captcha,
        "c1",
        "8xk2",
        false,
        None,
        &sms_key(),
        &sms_policy(),
        at,
        r,
    )
    .unwrap();
    (ch, code.expose().to_owned())
}

// The defect: registration answered "not a pensioner" / "wrong name" / "already has an
// account" before the SMS code was checked, so wrong codes never counted and anyone could
// harvest names and numbers from the roster at hundreds of probes a second.
#[test]
fn registration_checks_the_code_before_it_reveals_anything_about_the_roster() {
    let id = make_id("610526", "19520304", "123");
    let roster = entry(&id, "刘晓瑜", Scheme::PublicInstitution);
    let mut r = rng();
    let (mut ch, code) = code_at(T0, &mut r);
    let mut form = RegistrationForm {
        phone: PHONE,
        sms_code: "000000",
        name: "刘婉芸",
        id_number: &id,
        password: "laoli1952",
        password_repeat: "laoli1952",
        phone_owner: PhoneOwner::Holder,
    };
    let attempt = |form: &RegistrationForm<'_>, ch: &mut SmsChallenge, entry, existing, r: &mut ChaCha20Rng| {
        register(form, ch, existing, entry, &sms_key(), &sms_policy(), &fast(), T0, r)
    };
    // A wrong code: the answer is about the code whatever the roster holds, and it counts.
    for (entry, existing) in [
        (Some(&roster), Existing::default()),
        (None, Existing::default()),
        (
            Some(&roster),
            Existing {
                phone_registered: false,
                id_registered: true,
            },
        ),
    ] {
        let err = attempt(&form, &mut ch, entry, existing, &mut r).unwrap_err();
        assert!(
            matches!(err, RegistrationError::Sms(SmsError::Mismatch { .. })),
            "{err:?}"
        );
    }
    // The right code with a name the roster does not hold: refused, and the code is spent
    // (one probe per code; codes are rate-limited).
    form.sms_code = &code;
    let err = attempt(&form, &mut ch, Some(&roster), Existing::default(), &mut r).unwrap_err();
    assert_eq!(err, RegistrationError::Roster(RosterError::NameMismatch));
    form.name = "刘晓瑜";
    let err = attempt(&form, &mut ch, Some(&roster), Existing::default(), &mut r).unwrap_err();
    assert_eq!(err, RegistrationError::Sms(SmsError::AlreadyUsed));
    // A typo in the password repeat is caught before the code is spent.
    let (mut ch, code) = code_at(T0.plus_seconds(120), &mut r);
    form.sms_code = &code;
    form.password_repeat = "laoli1953";
    assert!(matches!(
        attempt(&form, &mut ch, Some(&roster), Existing::default(), &mut r).unwrap_err(),
        RegistrationError::Password(_)
    ));
    form.password_repeat = "laoli1952";
    assert!(attempt(&form, &mut ch, Some(&roster), Existing::default(), &mut r).is_ok());
}

// 登录步骤 / 常见问题 2: three wrong passwords lock the account; it unlocks after 24 hours.
#[test]
fn three_wrong_passwords_lock_for_24_hours() {
    let (mut a, _) = registered();
    let r1 = a.login_with_password("wrong1", T0);
    assert_eq!(r1.outcome, Err(LoginError::WrongCredentials { remaining: 2 }));
    let r2 = a.login_with_password("wrong2", T0.plus_seconds(10));
    assert_eq!(r2.outcome, Err(LoginError::WrongCredentials { remaining: 1 }));
    let r3 = a.login_with_password("wrong3", T0.plus_seconds(20));
    let until = T0.plus_seconds(20 + 24 * HOUR);
    assert_eq!(r3.outcome, Err(LoginError::Locked { until }));
    assert!(r3.events.contains(&AccountEvent::Locked {
        at: T0.plus_seconds(20),
        until
    }));
    // Even the right password is refused while locked.
    assert_eq!(
        a.login_with_password("laoli1952", T0.plus_seconds(23 * HOUR)).outcome,
        Err(LoginError::Locked { until })
    );
    assert_eq!(a.lock_state(until.plus_seconds(-1)), LockState::Locked(until));
    // Exactly 24 hours later the lock lifts by itself.
    let r = a.login_with_password("laoli1952", until);
    assert_eq!(r.outcome, Ok(()));
    assert_eq!(
        r.events[0],
        AccountEvent::Unlocked {
            at: until,
            by: UnlockCause::Expired
        }
    );
    assert_eq!(a.failed_logins, 0);
}

// 常见问题 2: forgot-password (SMS re-proof + new password) unlocks at once.
#[test]
fn forgot_password_unlocks_at_once() {
    let (mut a, _) = registered();
    for i in 0..3 {
        let _ = a.login_with_password("nope", T0.plus_seconds(i));
    }
    assert!(matches!(a.lock_state(T0.plus_seconds(60)), LockState::Locked(_)));
    let mut r = rng();
    let now = T0.plus_seconds(120);
    let phone = MobileNumber::parse(PHONE).unwrap();
    let (mut ch, code) = SmsChallenge::issue(
        phone,
        SmsPurpose::ResetPassword,
        None,
        &sms_key(),
        &sms_policy(),
        now,
        &mut r,
    )
    .unwrap();
    let events = a
        .reset_password(
            &mut ch,
            code.expose(),
            "xinmima2020",
            "xinmima2020",
            &sms_key(),
            &sms_policy(),
            &fast(),
            now,
            &mut r,
        )
        .unwrap();
    assert!(events.contains(&AccountEvent::Unlocked {
        at: now,
        by: UnlockCause::PasswordReset
    }));
    assert_eq!(
        a.login_with_password("laoli1952", now).outcome,
        Err(LoginError::WrongCredentials { remaining: 2 })
    );
    assert_eq!(a.login_with_password("xinmima2020", now).outcome, Ok(()));
}

#[test]
fn a_registration_code_does_not_reset_a_password() {
    let (mut a, _) = registered();
    let mut r = rng();
    let phone = MobileNumber::parse(PHONE).unwrap();
    let (mut ch, code) =
        SmsChallenge::issue(phone, SmsPurpose::Register, None, &sms_key(), &sms_policy(), T0, &mut r).unwrap();
    let e = a.reset_password(
        &mut ch,
        code.expose(),
        "xinmima2020",
        "xinmima2020",
        &sms_key(),
        &sms_policy(),
        &fast(),
        T0,
        &mut r,
    );
    assert_eq!(e.unwrap_err(), RecoveryError::Sms(SmsError::WrongContext));
}

// 登录步骤 2 and 常见问题 1: card login needs an activated card.
#[test]
fn card_login_needs_an_activated_card_and_the_pin() {
    let id = make_id("610526", "19500101", "011");
    let roster = entry(&id, "王建国", Scheme::PublicInstitution);
    let inactive = Cards {
        pin: "123456",
        state: CardCheck::NotActivated,
    };
    assert_eq!(
        first_card_login(&id, "123456", &inactive, Some(&roster), T0).unwrap_err(),
        FirstCardLoginError::Login(LoginError::CardNotActivated)
    );
    let cards = Cards {
        pin: "123456",
        state: CardCheck::Valid,
    };
    assert!(first_card_login(&id, "000000", &cards, Some(&roster), T0).is_err());
    assert_eq!(
        first_card_login(&id, "123456", &cards, None, T0).unwrap_err(),
        FirstCardLoginError::Roster(RosterError::NotFound)
    );
    let (mut a, _) = first_card_login(&id, "123456", &cards, Some(&roster), T0).unwrap();
    assert_eq!(a.phone, None);
    assert_eq!(
        a.login_with_password("anything1", T0).outcome,
        Err(LoginError::NoPassword)
    );
    // Wrong PINs lock card login (its own lock), saying the true number of tries left.
    let tries: Vec<_> = (0..3)
        .map(|_| a.login_with_card("999999", &cards, T0).outcome)
        .collect();
    assert_eq!(tries[0], Err(LoginError::WrongCredentials { remaining: 2 }));
    assert_eq!(tries[1], Err(LoginError::WrongCredentials { remaining: 1 }));
    assert!(matches!(tries[2], Err(LoginError::CardLocked { .. })));
    assert!(matches!(
        a.login_with_card("123456", &cards, T0).outcome,
        Err(LoginError::CardLocked { .. })
    ));
    // Staff at the counter unlock it (the person present); it opens at once.
    let ev = a.unlock_by_staff(T0.plus_seconds(60));
    assert!(matches!(
        ev[..],
        [AccountEvent::Unlocked {
            by: UnlockCause::Staff,
            ..
        }]
    ));
    assert_eq!(a.login_with_card("123456", &cards, T0.plus_seconds(61)).outcome, Ok(()));
}

// The defect: a stranger who knew only the identity number locked the password login of
// an elderly person every day with wrong card PINs.
#[test]
fn wrong_card_pins_do_not_lock_the_password_login() {
    let id = make_id("610526", "19500101", "011");
    let roster = entry(&id, "王建国", Scheme::PublicInstitution);
    let cards = Cards {
        pin: "123456",
        state: CardCheck::Valid,
    };
    let (mut a, _) = first_card_login(&id, "123456", &cards, Some(&roster), T0).unwrap();
    a.password_hash = Some(certify_core::account::password::hash_password("laowang1950", &fast(), &mut rng()).unwrap());
    for _ in 0..5 {
        let _ = a.login_with_card("999999", &cards, T0);
    }
    assert_eq!(a.login_with_password("laowang1950", T0).outcome, Ok(()));
    assert!(matches!(a.lock_state(T0), LockState::Open));
}

// 常见问题 6: a pensioner abroad binds a domestic relative's phone to the card account.
#[test]
fn binding_a_relatives_phone_for_a_pensioner_abroad() {
    let id = make_id("610526", "19480808", "022");
    let roster = entry(&id, "李秀英", Scheme::PublicInstitution);
    let cards = Cards {
        pin: "654321",
        state: CardCheck::Valid,
    };
    let (mut a, _) = first_card_login(&id, "654321", &cards, Some(&roster), T0).unwrap();
    let mut r = rng();
    let relative = MobileNumber::parse("18792387883").unwrap();
    let (mut ch, code) = SmsChallenge::issue(
        relative,
        SmsPurpose::BindPhone,
        None,
        &sms_key(),
        &sms_policy(),
        T0,
        &mut r,
    )
    .unwrap();
    assert_eq!(
        a.bind_phone(
            "+1 212 555 0100",
            PhoneOwner::Relative,
            false,
            &mut ch,
            code.expose(),
            &sms_key(),
            &sms_policy(),
            T0
        )
        .unwrap_err(),
        RecoveryError::Phone(PhoneError::NotMainland)
    );
    assert_eq!(
        a.bind_phone(
            "18792387883",
            PhoneOwner::Relative,
            true,
            &mut ch,
            code.expose(),
            &sms_key(),
            &sms_policy(),
            T0
        )
        .unwrap_err(),
        RecoveryError::PhoneAlreadyRegistered
    );
    let ev = a
        .bind_phone(
            "18792387883",
            PhoneOwner::Relative,
            false,
            &mut ch,
            code.expose(),
            &sms_key(),
            &sms_policy(),
            T0,
        )
        .unwrap();
    assert_eq!(
        ev,
        vec![AccountEvent::PhoneBound {
            at: T0,
            owner: PhoneOwner::Relative
        }]
    );
    assert_eq!(a.phone_owner, PhoneOwner::Relative);
}

// 实名认证: typed details, roster, and the live face against the card portrait.
#[test]
fn real_name_verification() {
    let (mut a, roster) = registered();
    let id = roster.id.to_string();
    let other = make_id("610526", "19520304", "135");
    assert_eq!(
        verify_real_name(&mut a, "刘晓瑜", &other, Some(&roster), MatchDecision::Match, T0).unwrap_err(),
        RealNameError::NotAccountHolder
    );
    assert_eq!(
        verify_real_name(&mut a, "刘晓瑜", &id, Some(&roster), MatchDecision::NoMatch, T0).unwrap_err(),
        RealNameError::FaceMismatch
    );
    assert!(a.real_name_verified_at.is_none());
    verify_real_name(&mut a, "劉曉瑜", &id, Some(&roster), MatchDecision::Match, T0).unwrap();
    assert_eq!(a.real_name_verified_at, Some(T0));
}

#[test]
fn stored_account_holds_no_secret_in_clear() {
    let (a, _) = registered();
    let json = serde_json::to_string(&a).unwrap();
    assert!(!json.contains("laoli1952"));
    assert!(json.contains("$argon2id$"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    // Lockout rule as a property: over any sequence of attempts and waits, the account is
    // locked exactly when the last 3 attempts since the last success/unlock failed and
    // fewer than 24 hours have passed since the third.
    #[test]
    fn lockout_model(steps in prop::collection::vec((any::<bool>(), 0i64..(30 * HOUR)), 1..20)) {
        let (mut a, _) = registered();
        let mut now = T0;
        let mut fails = 0u8;
        let mut locked_until: Option<certify_core::time::Timestamp> = None;
        for (right, wait) in steps {
            now = now.plus_seconds(wait);
            if let Some(u) = locked_until { if now >= u { locked_until = None; fails = 0; } }
            let r = a.login_with_password(if right { "laoli1952" } else { "wrong" }, now);
            match locked_until {
                Some(u) => prop_assert_eq!(r.outcome, Err(LoginError::Locked { until: u })),
                None if right => { prop_assert_eq!(r.outcome, Ok(())); fails = 0; }
                None => {
                    fails += 1;
                    if fails == 3 {
                        let u = now.plus_seconds(24 * HOUR);
                        locked_until = Some(u);
                        prop_assert_eq!(r.outcome, Err(LoginError::Locked { until: u }));
                    } else {
                        prop_assert_eq!(r.outcome, Err(LoginError::WrongCredentials { remaining: 3 - fails }));
                    }
                }
            }
        }
    }
}
