//! The staff channels the seeds name: home visits for the bedridden (request, worklist,
//! assignment, outcome — certified or deceased), on-site and overseas certification by
//! staff, and looking a person up with their whole history.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{Value, json};

const WANG: &str = "610526195503011236";
const ZHAO: &str = "610526195207152042";
const LIU: &str = "610526194801023310";

async fn ask_visit(s: &Server, token: &str, subject: Option<&str>, reason: &str) -> (StatusCode, Value) {
    s.call(
        Method::POST,
        "/api/home-visits",
        Some(token),
        Some(json!({"subject": subject, "reason": reason})),
    )
    .await
}

// Before: no route for a home visit (上门认证, seed 003 常见问题 5): a bedridden pensioner whose
// face fails had no channel but the counter they cannot reach.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bedridden_pensioner_asks_for_a_visit_and_staff_certify_at_home() {
    let s = fresh("channels-visit").await;
    let liu = s.card_login(LIU).await;
    let (st, v) = ask_visit(&s, &liu, None, "卧床三年，拍不了照").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["state"]["state"], "requested", "{v}");
    let id = v["visit_id"].as_str().unwrap().to_owned();
    // Asking again answers the open request: one visit per person.
    let (_, again) = ask_visit(&s, &liu, None, "再问一次").await;
    assert_eq!(again["visit_id"], id.as_str(), "{again}");
    // A stranger cannot ask for someone else; a reason is at most 200 characters.
    let wang = s.card_login(WANG).await;
    let (_, e) = ask_visit(&s, &wang, Some(LIU), "").await;
    assert_eq!(e["code"], 425, "{e}");
    let (_, e) = ask_visit(&s, &wang, None, &"病".repeat(201)).await;
    assert_eq!(e["code"], 450, "{e}");

    let reviewer = s.staff_token("reviewer1").await;
    let admin = s.staff_token("admin").await;
    let (st, list) = s
        .call(Method::GET, "/staff/api/home-visits", Some(&reviewer), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["visit_id"], id.as_str(), "{list}");
    assert_eq!(list["items"][0]["name"], "刘德明", "{list}");
    assert!(
        list["items"][0]["unit"].as_str().is_some_and(|u| !u.is_empty()),
        "{list}"
    );
    let (_, e) = s.call(Method::GET, "/api/home-visits", Some(&reviewer), None).await;
    assert_eq!(e["code"], 901, "staff tokens are not pensioner sessions: {e}");

    let outcome = |token: &str, body: Value| {
        let path = format!("/staff/api/home-visits/{id}/outcome");
        let token = token.to_owned();
        let s = &s;
        async move { s.call(Method::POST, &path, Some(&token), Some(body)).await }
    };
    let (_, e) = outcome(&reviewer, json!({"outcome": "certified"})).await;
    assert_eq!(e["code"], 452, "not assigned yet: {e}");
    let (st, r) = s
        .call(
            Method::POST,
            &format!("/staff/api/home-visits/{id}/assign"),
            Some(&reviewer),
            Some(json!({})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["state"]["staff_id"], "reviewer1", "{r}");
    let (_, e) = outcome(&admin, json!({"outcome": "certified"})).await;
    assert_eq!(e["code"], 452, "only the one who went records: {e}");
    let (st, done) = outcome(&reviewer, json!({"outcome": "certified"})).await;
    assert_eq!(st, StatusCode::OK, "{done}");
    assert_eq!(done["record"]["method"], "home_visit", "{done}");
    assert_eq!(done["record"]["operator"]["staff_id"], "reviewer1", "{done}");
    assert_eq!(done["visit"]["state"]["outcome"], "certified", "{done}");
    let (_, e) = outcome(&reviewer, json!({"outcome": "not_at_home"})).await;
    assert_eq!(e["code"], 451, "{e}");

    // Liu sees the visit closed and the certification in his history.
    let (_, mine) = s.call(Method::GET, "/api/home-visits", Some(&liu), None).await;
    assert_eq!(mine["visits"][0]["state"]["state"], "done", "{mine}");
    let (_, h) = s.call(Method::GET, "/api/history", Some(&liu), None).await;
    assert_eq!(h["records"][0]["method"], "home_visit", "{h}");
    // Staff look him up: roster, payment, cycle status, history and the visit's course.
    let (st, p) = s
        .call(Method::GET, &format!("/staff/api/people/{LIU}"), Some(&reviewer), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["roster"]["name"], "刘德明", "{p}");
    assert_eq!(p["certifications"][0]["method"], "home_visit", "{p}");
    let actions: Vec<&str> = p["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["visit.done", "visit.assigned", "visit.requested"], "{p}");
    assert_eq!(p["visits"][0]["visit_id"], id.as_str(), "{p}");
}

// A visit that finds the person dead stops the pension (冒领 is what the project exists to
// stop): suspended from the month after the death, the months paid since reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visit_that_finds_the_person_dead_suspends_payment() {
    let s = fresh("channels-deceased").await;
    let zhao = s.card_login(ZHAO).await;
    let (_, v) = ask_visit(&s, &zhao, None, "").await;
    let id = v["visit_id"].as_str().unwrap().to_owned();
    let reviewer = s.staff_token("reviewer1").await;
    s.call(
        Method::POST,
        &format!("/staff/api/home-visits/{id}/assign"),
        Some(&reviewer),
        Some(json!({"staff_id": "reviewer1"})),
    )
    .await;
    let (st, done) = s
        .call(
            Method::POST,
            &format!("/staff/api/home-visits/{id}/outcome"),
            Some(&reviewer),
            Some(json!({"outcome": "deceased", "died_on": "2020-03-15"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{done}");
    assert_eq!(done["record"], Value::Null, "{done}");
    assert_eq!(done["suspension"]["suspension"]["from"], "2020-04", "{done}");
    assert!(
        done["suspension"]["overpayment"]["total"].as_i64().unwrap() > 0,
        "{done}"
    );
    let (_, p) = s
        .call(Method::GET, &format!("/staff/api/people/{ZHAO}"), Some(&reviewer), None)
        .await;
    assert_eq!(
        (&p["payment"]["status"], &p["payment"]["reason"]),
        (&json!("suspended"), &json!("death")),
        "{p}"
    );
    // Nobody certifies her afterwards, by any channel.
    let (_, e) = s
        .call(
            Method::POST,
            &format!("/staff/api/people/{ZHAO}/certify"),
            Some(&reviewer),
            Some(json!({"method": "on_site"})),
        )
        .await;
    assert_eq!(e["code"], 422, "{e}");
}

// Before: no route for staff certification on site or for people abroad.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_certify_on_site_and_abroad_with_their_proof() {
    let s = fresh("channels-staff").await;
    let reviewer = s.staff_token("reviewer1").await;
    let certify = |id: &'static str, body: Value| {
        let token = reviewer.clone();
        let s = &s;
        async move {
            s.call(
                Method::POST,
                &format!("/staff/api/people/{id}/certify"),
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let (_, e) = certify(LIU, json!({"method": "overseas"})).await;
    assert_eq!(e["code"], 102, "abroad needs the consular proof's reference: {e}");
    let (_, e) = certify(LIU, json!({"method": "app_face"})).await;
    assert_eq!(e["code"], 102, "staff do not record app certifications: {e}");
    let (st, r) = certify(
        LIU,
        json!({"method": "overseas", "evidence_ref": "驻温哥华总领馆 2020-118"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["record"]["method"], "overseas", "{r}");
    let (_, e) = certify(LIU, json!({"method": "on_site"})).await;
    assert_eq!(e["code"], 421, "once a cycle: {e}");
    let (st, r) = certify(WANG, json!({"method": "on_site"})).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["record"]["operator"]["staff_id"], "reviewer1", "{r}");
    // Only staff.
    let w = s.card_login(WANG).await;
    let (st, _) = s
        .call(
            Method::POST,
            &format!("/staff/api/people/{ZHAO}/certify"),
            Some(&w),
            Some(json!({"method": "on_site"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

// Parallel requests for one person open one visit, however they interleave.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_requests_open_one_visit() {
    let s = fresh("channels-parallel").await;
    let liu = s.card_login(LIU).await;
    let answers = join4([0, 1, 2, 3].map(|_| ask_visit(&s, &liu, None, "卧床"))).await;
    for (st, r) in &answers {
        assert!(*st == StatusCode::OK || r["code"] == 908, "{st} {r}");
    }
    let count: i64 = sqlx::Row::try_get(
        &sqlx::query("SELECT COUNT(*) FROM home_visits WHERE person = $1")
            .bind(LIU)
            .fetch_one(&s.db.pool)
            .await
            .unwrap(),
        0,
    )
    .unwrap();
    assert_eq!(count, 1);
}

// Before: no route bound a phone to a card-login account (seed 003 常见问题 6: a relative's
// domestic phone for a pensioner abroad).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_account_binds_a_relatives_phone_by_its_code() {
    let s = fresh("channels-phone").await;
    let liu = s.card_login(LIU).await;
    let phone = "13700137000";
    let (id, answer) = s.captcha().await;
    let (st, r) = s
        .call(
            Method::POST,
            "/api/phone/code",
            Some(&liu),
            Some(json!({"phone": phone, "captcha_id": id, "captcha_answer": answer})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let code = s.sms.last(phone).unwrap();
    let bind = |token: &str, code: &str| {
        let body = json!({"phone": phone, "sms_code": code, "owner": "relative"});
        let token = token.to_owned();
        let s = &s;
        async move { s.call(Method::POST, "/api/phone/bind", Some(&token), Some(body)).await }
    };
    // Another account cannot use Liu's code.
    let wang = s.card_login(WANG).await;
    let (_, e) = bind(&wang, &code).await;
    assert_eq!(e["code"], 311, "{e}");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (_, e) = bind(&liu, wrong).await;
    assert_eq!(e["code"], 314, "{e}");
    let (st, r) = bind(&liu, &code).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(
        (&r["phone_masked"], &r["owner"]),
        (&json!("137****7000"), &json!("relative")),
        "{r}"
    );
    // A relative's phone receives no consent codes: consent stays with Liu or the counter.
    let zhao = s.card_login(ZHAO).await;
    s.add_contact(&zhao, "刘德明", LIU).await;
    // Staff see who asked to act for Liu, and that he has not agreed.
    let reviewer = s.staff_token("reviewer1").await;
    let (_, p) = s
        .call(Method::GET, &format!("/staff/api/people/{LIU}"), Some(&reviewer), None)
        .await;
    assert_eq!(p["pending_contact_requests"], json!([ZHAO]), "{p}");
    assert_eq!(
        p["proxies"],
        json!([{"holder_id": ZHAO, "consent": {"consent": "pending"}}]),
        "{p}"
    );
    s.clock.advance(61);
    let (_, e) = s
        .call(
            Method::POST,
            &format!("/api/contacts/{LIU}/consent-code"),
            Some(&zhao),
            None,
        )
        .await;
    assert_eq!(e["code"], 915, "{e}");
}
