//! Accounts without oracles or lingering sessions, over HTTP (SQLite): registration
//! checks the SMS code before it reveals the roster; a registered phone gets the same SMS
//! answer; staff logins lock; logout and password reset end sessions; expired rows go.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::json;

const PHONE: &str = "13800138000";
const WANG: &str = "610526195503011236";

async fn sms(s: &Server, phone: &str) -> (StatusCode, serde_json::Value) {
    let (id, answer) = s.captcha().await;
    s.call(
        Method::POST,
        "/api/sms/register",
        None,
        Some(json!({"phone": phone, "captcha_id": id, "captcha_answer": answer})),
    )
    .await
}

fn form(code: &str, name: &str, id: &str) -> serde_json::Value {
    json!({"phone": PHONE, "sms_code": code, "name": name, "id_number": id, "password": "pension2020", "password_repeat": "pension2020"})
}

// Before: "not a pensioner" (230), "wrong name" (231) and "already has an account" (302)
// came before the SMS code was checked — a roster harvest at 500 probes a second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_reveals_nothing_without_the_code_and_one_thing_per_code() {
    let s = fresh("accounts-oracle").await;
    let (st, _) = sms(&s, PHONE).await;
    assert_eq!(st, StatusCode::OK);
    for (name, id) in [("王建国", WANG), ("李四", "11010519491231002X"), ("王建民", WANG)] {
        let (_, e) = s
            .call(Method::POST, "/api/register", None, Some(form("000000", name, id)))
            .await;
        assert_eq!(
            e["code"], 314,
            "a wrong code is the answer, whoever is asked about: {e}"
        );
    }
    let code = s.sms.last(PHONE).unwrap();
    let (_, e) = s
        .call(Method::POST, "/api/register", None, Some(form(&code, "王建民", WANG)))
        .await;
    assert_eq!(e["code"], 231, "{e}");
    let (_, e) = s
        .call(Method::POST, "/api/register", None, Some(form(&code, "王建国", WANG)))
        .await;
    assert_eq!(e["code"], 312, "the code was spent on the probe: {e}");
}

// Before: /api/sms/register answered 301 for a phone with an account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registered_phone_gets_the_same_sms_answer_and_no_code() {
    let s = fresh("accounts-sms-enum").await;
    let (_, fresh_answer) = sms(&s, PHONE).await;
    let code = s.sms.last(PHONE).unwrap();
    let (st, r) = s
        .call(Method::POST, "/api/register", None, Some(form(&code, "王建国", WANG)))
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    s.clock.advance(120);
    let (st, again) = sms(&s, PHONE).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(again, fresh_answer);
    assert_eq!(s.sms.last(PHONE).unwrap(), code, "no new code was sent");
}

// Before: 60 wrong admin passwords at 34/s, then the right one worked; no logout; tokens
// survived a password reset.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_logins_lock_logout_ends_sessions_and_a_reset_ends_the_old_ones() {
    let s = fresh("accounts-staff-lock").await;
    let login = |pw: &'static str| json!({"staff_id": "admin", "password": pw});
    for _ in 0..5 {
        let (_, e) = s.call(Method::POST, "/staff/login", None, Some(login("guess"))).await;
        assert_eq!(e["code"], 331, "{e}");
    }
    let (st, e) = s
        .call(Method::POST, "/staff/login", None, Some(login("admin-demo-1")))
        .await;
    assert_eq!(
        (st, e["code"].as_u64()),
        (StatusCode::LOCKED, Some(330)),
        "locked even with the right password: {e}"
    );
    s.clock.advance(15 * 60 + 1);
    let (st, r) = s
        .call(Method::POST, "/staff/login", None, Some(login("admin-demo-1")))
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let admin = r["token"].as_str().unwrap().to_owned();
    let (st, _) = s.call(Method::POST, "/staff/logout", Some(&admin), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = s.call(Method::GET, "/staff/api/audit", Some(&admin), None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "the token died with the logout");

    // A pensioner's sessions end with a password reset.
    let (_, _) = sms(&s, PHONE).await;
    let code = s.sms.last(PHONE).unwrap();
    s.call(Method::POST, "/api/register", None, Some(form(&code, "王建国", WANG)))
        .await;
    let old = s.login(PHONE, "pension2020").await;
    s.clock.advance(60);
    let (_, asked) = s.ask_reset_code(PHONE, None).await;
    let reset = s.sms.last(PHONE).unwrap();
    let (st, r) = s
        .reset_password(PHONE, asked["reset_ticket"].as_str().unwrap(), &reset, "pension2021")
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let (st, _) = s.call(Method::GET, "/api/history", Some(&old), None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "the old session ended with the reset");
}

// Before: captchas and evidence challenges were never deleted (4,203 rows from one
// account in 30 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_rows_are_deleted() {
    let s = fresh("accounts-cleanup").await;
    for _ in 0..20 {
        s.captcha().await;
    }
    let count = |table: &'static str| {
        let pool = s.db.pool.clone();
        async move {
            let n: i64 = sqlx::Row::try_get(
                &sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
                    .fetch_one(&pool)
                    .await
                    .unwrap(),
                0,
            )
            .unwrap();
            n
        }
    };
    assert_eq!(count("captchas").await, 20);
    s.clock.advance(301);
    assert!(certify_server::delete_expired(&s.state).await.unwrap() >= 20);
    assert_eq!(count("captchas").await, 0);
}

// Before: the captcha was an SVG holding its digits as plain <text> — a script read them
// off the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_captcha_is_a_picture_and_its_answer_is_nowhere_in_the_answer() {
    use base64::Engine as _;
    let s = fresh("accounts-captcha").await;
    let (_, c) = s.call(Method::POST, "/api/captcha", None, None).await;
    let id = c["captcha_id"].as_str().unwrap();
    let png = base64::engine::general_purpose::STANDARD
        .decode(c["png_base64"].as_str().unwrap())
        .unwrap();
    let picture = image::load_from_memory_with_format(&png, image::ImageFormat::Png).unwrap();
    assert_eq!((picture.width(), picture.height()), (220, 90));
    std::fs::write(root().join("target/captcha-example.png"), &png).unwrap();
    let answer =
        s.db.text("SELECT answer FROM captchas WHERE captcha_id = $1", id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(answer.len(), 4);
    let text = c.to_string();
    assert!(!text.contains(&answer) && !text.contains("<text"), "{text}");
    // Ink differs between pictures (not a fixed image), and a lower-case answer counts.
    let (_, d) = s.call(Method::POST, "/api/captcha", None, None).await;
    assert_ne!(c["png_base64"], d["png_base64"]);
    let (st, r) = s
        .call(
            Method::POST,
            "/api/sms/register",
            None,
            Some(json!({"phone": PHONE, "captcha_id": id, "captcha_answer": answer.to_lowercase()})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert!(s.sms.last(PHONE).is_some());
}

// Before: adding a relative needed only a name and number and gave full proxy powers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relative_consents_in_their_own_account() {
    let s = fresh("accounts-consent").await;
    const ZHAO: &str = "610526195207152042";
    let w = s.card_login(WANG).await;
    let r = s.add_contact(&w, "赵秀英", ZHAO).await;
    assert_eq!(r["contacts"][0]["consent"]["consent"], "pending", "{r}");
    let (_, e) = s
        .call(Method::GET, &format!("/api/may-certify?subject={ZHAO}"), Some(&w), None)
        .await;
    assert_eq!(e["code"], 425, "{e}");
    let z = s.card_login(ZHAO).await;
    let (_, req) = s.call(Method::GET, "/api/contact-requests", Some(&z), None).await;
    assert_eq!(req["requests"][0]["holder_id"], WANG, "{req}");
    // Consent needs her real name verified first.
    let (_, e) = s
        .call(
            Method::POST,
            &format!("/api/contact-requests/{WANG}/accept"),
            Some(&z),
            None,
        )
        .await;
    assert_eq!(e["code"], 424, "{e}");
    sqlx::query("UPDATE accounts SET account_json = REPLACE(account_json, '\"real_name_verified_at\":null', '\"real_name_verified_at\":1591322400') WHERE holder_id = $1")
        .bind(ZHAO)
        .execute(&s.db.pool)
        .await
        .unwrap();
    let (st, r) = s
        .call(
            Method::POST,
            &format!("/api/contact-requests/{WANG}/accept"),
            Some(&z),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["requests"], json!([]), "{r}");
    let (st, may) = s
        .call(Method::GET, &format!("/api/may-certify?subject={ZHAO}"), Some(&w), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{may}");
}

// Before: consent needed the relative's own account or a trip to the counter; now a code to
// the relative's own phone also does — for the account that asked, and no other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relative_consents_by_the_code_sent_to_their_own_phone() {
    let s = fresh("accounts-consent-sms").await;
    const ZHAO: &str = "610526195207152042";
    const LIU: &str = "610526194801023310";
    // Zhao registered with her own phone.
    let (st, _) = sms(&s, PHONE).await;
    assert_eq!(st, StatusCode::OK);
    let code = s.sms.last(PHONE).unwrap();
    let form = json!({"phone": PHONE, "sms_code": code, "name": "赵秀英", "id_number": ZHAO, "password": "pension2020", "password_repeat": "pension2020"});
    let (st, r) = s.call(Method::POST, "/api/register", None, Some(form)).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let mut tokens = Vec::new();
    for id in [WANG, LIU] {
        let t = s.card_login(id).await;
        s.add_contact(&t, "赵秀英", ZHAO).await;
        tokens.push(t);
    }
    let (w, l) = (&tokens[0], &tokens[1]);
    // One code per phone per minute: Zhao's registration code was just sent.
    s.clock.advance(61);
    async fn consent(s: &Server, t: &str, code: &str) -> (StatusCode, serde_json::Value) {
        s.call(
            Method::POST,
            "/api/contacts/610526195207152042/consent",
            Some(t),
            Some(json!({"sms_code": code})),
        )
        .await
    }
    async fn may(s: &Server, t: &str) -> (StatusCode, serde_json::Value) {
        s.call(
            Method::GET,
            "/api/may-certify?subject=610526195207152042",
            Some(t),
            None,
        )
        .await
    }
    let (st, r) = s
        .call(
            Method::POST,
            &format!("/api/contacts/{ZHAO}/consent-code"),
            Some(w),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["phone_masked"], "138****8000", "{r}");
    let code = s.sms.last(PHONE).unwrap();
    // Liu overhears the code: it was sent for Wang's request and confirms nothing for Liu.
    let (_, e) = consent(&s, l, &code).await;
    assert_eq!(e["code"], 311, "{e}");
    // A wrong code counts; the right one confirms Wang's request only.
    let (_, e) = consent(&s, w, if code == "000000" { "111111" } else { "000000" }).await;
    assert_eq!(e["code"], 314, "{e}");
    let (st, r) = consent(&s, w, &code).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(may(&s, w).await.0, StatusCode::OK);
    assert_eq!(may(&s, l).await.1["code"], 425);
    let (_, e) = consent(&s, w, &code).await;
    assert_eq!(e["code"], 908, "already confirmed: {e}");
    // Zhao sees who consented on her behalf and how.
    let z = s.login(PHONE, "pension2020").await;
    let (_, acts) = s.call(Method::GET, "/api/proxy-actions", Some(&z), None).await;
    assert!(
        acts["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["actor"] == WANG && a["action"] == "contacts.confirmed"),
        "{acts}"
    );
    // A relative without a phone of their own (a card account) cannot consent by SMS.
    s.add_contact(&z, "刘德明", LIU).await;
    let (st, e) = s
        .call(
            Method::POST,
            &format!("/api/contacts/{LIU}/consent-code"),
            Some(&z),
            None,
        )
        .await;
    assert_eq!((st, e["code"].as_u64()), (StatusCode::CONFLICT, Some(915)), "{e}");
    assert!(e["message_zh"].as_str().unwrap().contains("社保经办窗口"), "{e}");
}

/// Register `PHONE` for 王建国 (password `pension2020`).
async fn register_wang(s: &Server) {
    let (st, _) = sms(s, PHONE).await;
    assert_eq!(st, StatusCode::OK);
    let code = s.sms.last(PHONE).unwrap();
    let (st, r) = s
        .call(Method::POST, "/api/register", None, Some(form(&code, "王建国", WANG)))
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
}

// Before: 5 guesses per code and a new code every 60 s, with no daily cap — about 7,200
// guesses a day against one phone's reset code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_codes_and_guesses_per_phone_are_capped_per_day() {
    let s = fresh("accounts-limits").await;
    let other = "13900139000";
    for i in 0..certify_server::SMS_PER_PHONE_PER_DAY {
        let (st, r) = s.ask_reset_code(other, None).await;
        assert_eq!(st, StatusCode::OK, "send {i}: {r}");
        s.clock.advance(61);
    }
    let (st, e) = s.ask_reset_code(other, None).await;
    assert_eq!(
        (st, e["code"].as_u64()),
        (StatusCode::TOO_MANY_REQUESTS, Some(913)),
        "{e}"
    );
    assert!(e["message_zh"].as_str().unwrap().contains("社保经办窗口"), "{e}");
    // Before: "go to the counter" without saying which or how to reach it.
    assert!(
        e["message_zh"]
            .as_str()
            .unwrap()
            .ends_with("（蒲城县社会保险经办中心，电话 0913-7209995）"),
        "{e}"
    );
    assert_eq!(e["office"]["phone"], "0913-7209995", "{e}");
    // Another phone is not affected; the next day the phone may ask again.
    let (st, _) = s.ask_reset_code("13700137000", None).await;
    assert_eq!(st, StatusCode::OK);
    s.clock.advance(86_400);
    let (st, _) = s.ask_reset_code(other, None).await;
    assert_eq!(st, StatusCode::OK);
    // Guesses by the one who asked: whatever the codes, 20 a day per phone (five codes of
    // five tries would be 25).
    register_wang(&s).await;
    s.clock.advance(86_400);
    let mut answers = Vec::new();
    for _ in 0..certify_server::SMS_PER_PHONE_PER_DAY {
        s.clock.advance(61);
        let (_, asked) = s.ask_reset_code(PHONE, None).await;
        let ticket = asked["reset_ticket"].as_str().unwrap().to_owned();
        for _ in 0..5 {
            answers.push(s.reset_password(PHONE, &ticket, "000000", "pension2021").await.1["code"].clone());
        }
    }
    let limited = certify_server::GUESSES_PER_PHONE_PER_DAY as usize;
    assert!(answers[..limited].iter().all(|c| *c == 314 || *c == 313), "{answers:?}");
    assert!(answers[limited..].iter().all(|c| *c == 913), "{answers:?}");
}

// Before: anyone who knew the phone number could void each new reset code with five wrong
// guesses before the owner typed it; and a quick second request answered 310 only for
// phones without an account (registration) or only with one (forgot-password).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_cannot_burn_the_owners_reset_code_or_tell_phones_apart() {
    let s = fresh("accounts-reset-burn").await;
    register_wang(&s).await;
    s.clock.advance(61);
    let (st, asked) = s.ask_reset_code(PHONE, None).await;
    assert_eq!(st, StatusCode::OK, "{asked}");
    let ticket = asked["reset_ticket"].as_str().unwrap().to_owned();
    let code = s.sms.last(PHONE).unwrap();
    // The stranger guesses without the ticket (or with one of their own making): never
    // reaches the code, never counts against the phone.
    for guess in [
        "000000",
        "111111",
        "222222",
        "333333",
        "444444",
        "555555",
        code.as_str(),
    ] {
        let (_, e) = s
            .reset_password(PHONE, "f00dfeedf00dfeedf00dfeedf00dfeed", guess, "stolen-2021a")
            .await;
        assert_eq!(e["code"], 311, "{e}");
    }
    // A quick second request is answered alike for a phone with and without an account.
    let (_, known) = s.ask_reset_code(PHONE, Some("203.0.113.9")).await;
    let (_, unknown) = s.ask_reset_code("13900139000", Some("203.0.113.9")).await;
    let (_, unknown_again) = s.ask_reset_code("13900139000", Some("203.0.113.9")).await;
    assert_eq!(known["code"], 310, "{known}");
    assert_eq!(unknown["code"], serde_json::Value::Null, "{unknown}");
    assert_eq!(unknown_again["code"], 310, "{unknown_again}");
    // The owner's code still works with the owner's ticket.
    let (st, r) = s.reset_password(PHONE, &ticket, &code, "pension2021").await;
    assert_eq!(st, StatusCode::OK, "{r}");
}

// Before: nothing counted per client address, so one address could ask codes for (and
// guess against) every phone in turn, each staying under its own per-phone cap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_walk_through_many_phones() {
    let s = fresh("accounts-address-limits").await;
    let quota = s.state.config.limits.sms_per_address_per_day;
    for i in 0..quota {
        let (st, r) = s
            .ask_reset_code(&format!("1390000{i:04}"), Some("198.51.100.7, 10.0.0.1"))
            .await;
        assert_eq!(st, StatusCode::OK, "phone {i}: {r}");
    }
    let (st, e) = s.ask_reset_code("13800000001", Some("198.51.100.7")).await;
    assert_eq!(
        (st, e["code"].as_u64()),
        (StatusCode::TOO_MANY_REQUESTS, Some(913)),
        "{e}"
    );
    assert!(e["message"].as_str().unwrap().contains("network address"), "{e}");
    // Another address is not affected.
    let (st, r) = s.ask_reset_code("13800000001", Some("198.51.100.8")).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    // Guesses: the per-address cap is reached across different phones.
    let guesses = s.state.config.limits.guesses_per_address_per_day;
    let mut last = serde_json::Value::Null;
    for i in 0..=guesses {
        let body = json!({"phone": format!("1370000{:04}", i % 50), "reset_ticket": "00", "sms_code": "000000", "new_password": "pension2021", "password_repeat": "pension2021"});
        last = s
            .raw(
                Method::POST,
                "/api/password/reset",
                None,
                &[("x-forwarded-for", "203.0.113.5")],
                Some((body.to_string().into_bytes(), "application/json")),
            )
            .await
            .1;
    }
    assert_eq!(last["code"], 913, "{last}");
}

// Before: wrong card PINs (anyone who knows the number) locked the 3-failure password
// lock, and card-only accounts had no way to unlock; a first card login said "3 tries
// left" forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_card_pins_lock_card_login_only_and_staff_unlock_it() {
    let s = fresh("accounts-pin-lock").await;
    let card = |pin: &'static str| json!({"id_number": WANG, "pin": pin});
    for _ in 0..certify_server::FIRST_CARD_LOGINS_PER_DAY {
        let (_, e) = s
            .call(Method::POST, "/api/login/card", None, Some(card("999999")))
            .await;
        assert_ne!(e["code"], 913, "{e}");
    }
    let (st, e) = s
        .call(Method::POST, "/api/login/card", None, Some(card("123456")))
        .await;
    assert_eq!(
        (st, e["code"].as_u64()),
        (StatusCode::TOO_MANY_REQUESTS, Some(913)),
        "first logins are capped: {e}"
    );
    s.clock.advance(86_400);
    let (st, r) = s
        .call(Method::POST, "/api/login/card", None, Some(card("123456")))
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let (_, e) = s
            .call(Method::POST, "/api/login/card", None, Some(card("999999")))
            .await;
        remaining.push(e["message"].as_str().unwrap().to_owned());
    }
    assert!(
        remaining[0].contains("2 tries left") && remaining[1].contains("1 tries left"),
        "{remaining:?}"
    );
    let (st, e) = s
        .call(Method::POST, "/api/login/card", None, Some(card("123456")))
        .await;
    assert_eq!((st, e["code"].as_u64()), (StatusCode::LOCKED, Some(330)), "{e}");
    assert!(e["message_zh"].as_str().unwrap().contains("社保经办窗口"), "{e}");
    let reviewer = s.staff_token("reviewer1").await;
    let (st, r) = s
        .call(
            Method::POST,
            &format!("/staff/api/accounts/{WANG}/unlock"),
            Some(&reviewer),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let (st, r) = s
        .call(Method::POST, "/api/login/card", None, Some(card("123456")))
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
}
