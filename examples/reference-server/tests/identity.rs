//! Identity a stranger cannot take over, over HTTP (SQLite): each attack failed before —
//! a hand-made card with a stranger's photo, a stranger's proxy chain, the same face
//! enrolled for several people — and staff revocation undoes an enrollment.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use image::RgbImage;
use serde_json::{Value, json};

const WANG: &str = "610526195503011236";
const ZHAO: &str = "610526195207152042";
const LIU: &str = "610526194801023310";

fn card_of(face: &RgbImage) -> RgbImage {
    certify_face::testing::card_front(&certify_face::testing::face_crop(&face_engine(), face).unwrap().unwrap())
}

async fn realname(
    s: &Server,
    token: &str,
    name: &str,
    id: &str,
    card: &RgbImage,
    selfie: &RgbImage,
) -> (StatusCode, Value) {
    s.call(
        Method::POST,
        "/api/realname",
        Some(token),
        Some(json!({"name": name, "id_number": id, "card_front": b64(card), "selfie": b64(selfie)})),
    )
    .await
}

async fn enroll(s: &Server, token: &str, subject: Option<&str>, face: &RgbImage) -> (StatusCode, Value) {
    let card = card_of(face);
    let selfie = certify_face::testing::selfie_with_card(face, &card, 360);
    let mut body = json!({"card_front": b64(&card), "card_back": b64(&certify_face::testing::card_back()), "selfie": b64(&selfie)});
    if let Some(sub) = subject {
        body["subject"] = json!(sub);
    }
    s.call(Method::POST, "/api/enrollment/face", Some(token), Some(body))
        .await
}

fn holds(r: &Value) -> Vec<String> {
    r["state"]["reasons"]
        .as_array()
        .map(|a| a.iter().map(|x| x["hold"].as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

// Before: real name compared the selfie with a card image the client made; a card carrying
// a stranger's photo passed as the pensioner.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_made_card_does_not_pass_where_the_authority_has_a_portrait() {
    let s = fresh("identity-forged-card").await;
    let t = s.card_login(WANG).await;
    let stranger = photo("biden.jpg");
    let (st, r) = realname(&s, &t, "王建国", WANG, &card_of(&stranger), &stranger).await;
    assert_ne!(st, StatusCode::OK);
    assert_eq!(r["code"], 341, "{r}");
    // The real Wang passes against the authority's portrait, with or without a card.
    let (st, r) = s
        .call(
            Method::POST,
            "/api/realname",
            Some(&t),
            Some(json!({"name": "王建国", "id_number": WANG, "selfie": b64(&photo("obama2.jpg"))})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    // The forged card again at enrollment: the live face is checked against the authority.
    let (st, r) = enroll(&s, &t, None, &stranger).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_ne!(r["state"]["state"], "approved", "{r}");
    assert!(
        r["issues"].as_array().unwrap().iter().any(|i| i == "face_mismatch"),
        "{r}"
    );
}

// Before: enrollment was accepted before real name; a stranger who added a pensioner as a
// "contact" enrolled their own face for them, was approved automatically, certified them,
// and the real pensioner got 411 on their own enrollment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strangers_proxy_chain_ends_at_staff_and_the_person_takes_it_back() {
    let s = fresh("identity-proxy-chain").await;
    let stranger_face = photo("biden.jpg");
    let t = s.card_login(LIU).await;
    let (st, r) = enroll(&s, &t, None, &stranger_face).await;
    assert_ne!(st, StatusCode::OK);
    assert_eq!(r["code"], 424, "real name first: {r}");
    let (st, r) = realname(&s, &t, "刘德明", LIU, &card_of(&stranger_face), &stranger_face).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    for (name, id) in [("王建国", WANG), ("赵秀英", ZHAO)] {
        s.add_contact(&t, name, id).await;
    }
    // Knowing a name and number is not enough: without the relative's consent nothing can
    // be done for them.
    let (_, e) = enroll(&s, &t, Some(WANG), &stranger_face).await;
    assert_eq!(e["code"], 425, "{e}");
    let (_, e) = s
        .call(
            Method::POST,
            "/api/liveness/start",
            Some(&t),
            Some(json!({"subject": WANG})),
        )
        .await;
    assert_eq!(e["code"], 425, "{e}");
    // Suppose both were fooled into consenting (at the counter): the uploads still cannot
    // take over.
    let reviewer = s.staff_token("reviewer1").await;
    for id in [WANG, ZHAO] {
        let (st, r) = s
            .call(
                Method::POST,
                &format!("/staff/api/contacts/{LIU}/{id}/confirm"),
                Some(&reviewer),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{r}");
    }
    // A voiceprint is the person's own: a proxy cannot even ask for enrollment prompts, and
    // an upload naming the relative is refused before any audio is read.
    for (path, body) in [
        ("/api/voice/prompts", json!({"subject": WANG})),
        ("/api/enrollment/voice", json!({"subject": WANG, "recordings": []})),
    ] {
        let (st, e) = s.call(Method::POST, path, Some(&t), Some(body)).await;
        assert_eq!(
            (st, e["code"].as_u64()),
            (StatusCode::FORBIDDEN, Some(914)),
            "{path}: {e}"
        );
        assert!(e["message_zh"].as_str().unwrap().contains("本人"), "{e}");
    }
    // Wang has an authoritative portrait: the stranger's face does not match it, and the
    // failure does not count towards Wang's three (nothing is locked).
    for _ in 0..4 {
        let (st, r) = enroll(&s, &t, Some(WANG), &stranger_face).await;
        assert_eq!(st, StatusCode::OK, "{r}");
        assert_eq!(r["state"], json!({"state": "collecting", "failures": 0}), "{r}");
        assert!(
            r["issues"].as_array().unwrap().iter().any(|i| i == "face_mismatch"),
            "{r}"
        );
    }
    // Zhao has none: the stranger's upload waits for staff, never approved by itself.
    let (st, r) = enroll(&s, &t, Some(ZHAO), &stranger_face).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["state"]["state"], "manual_review", "{r}");
    assert_eq!(holds(&r), ["enrolled_by_proxy", "no_authoritative_portrait"], "{r}");
    let (_, e) = s
        .call(
            Method::POST,
            "/api/liveness/start",
            Some(&t),
            Some(json!({"subject": ZHAO})),
        )
        .await;
    assert_eq!(e["code"], 423, "no certification on a held enrollment: {e}");
    // Zhao's own upload replaces the stranger's (whose held photos are deleted); hers waits
    // for staff too, for her own reason only.
    let z = s.card_login(ZHAO).await;
    let zhao_face = photo("obama2.jpg");
    let (st, r) = realname(&s, &z, "赵秀英", ZHAO, &card_of(&zhao_face), &zhao_face).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let (st, r) = enroll(&s, &z, None, &zhao_face).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert!(
        r["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["event"] == "proxy_submission_replaced"),
        "{r}"
    );
    assert_eq!(holds(&r), ["no_authoritative_portrait"], "{r}");
    // Zhao sees what the other account did for her.
    let (_, acts) = s.call(Method::GET, "/api/proxy-actions", Some(&z), None).await;
    let acts: Vec<(String, String)> = acts["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["actor"].as_str().unwrap().to_owned(),
                a["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        acts.contains(&(LIU.to_owned(), "enrollment.face_submitted".to_owned())),
        "{acts:?}"
    );
    assert!(
        acts.contains(&(LIU.to_owned(), "contacts.added".to_owned())),
        "{acts:?}"
    );
    // Wang enrolls himself, approved against the authority's portrait.
    let w = s.card_login(WANG).await;
    let (st, r) = s
        .call(
            Method::POST,
            "/api/realname",
            Some(&w),
            Some(json!({"name": "王建国", "id_number": WANG, "selfie": b64(&photo("obama2.jpg"))})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let (st, r) = enroll(&s, &w, None, &photo("obama2.jpg")).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["state"]["state"], "approved", "{r}");
}

// Before: the same face was enrolled for 20 roster people without a flag.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_face_for_another_person_goes_to_staff_and_revocation_undoes_an_enrollment() {
    let s = fresh("identity-same-face").await;
    let face = photo("obama2.jpg");
    let w = s.card_login(WANG).await;
    let (st, r) = s
        .call(
            Method::POST,
            "/api/realname",
            Some(&w),
            Some(json!({"name": "王建国", "id_number": WANG, "selfie": b64(&face)})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let (_, r) = enroll(&s, &w, None, &face).await;
    assert_eq!(r["state"]["state"], "approved", "{r}");
    for (id, name) in [(ZHAO, "赵秀英"), (LIU, "刘德明")] {
        let t = s.card_login(id).await;
        let (st, r) = realname(&s, &t, name, id, &card_of(&face), &face).await;
        assert_eq!(st, StatusCode::OK, "{r}");
        let (_, r) = enroll(&s, &t, None, &face).await;
        assert_eq!(r["state"]["state"], "manual_review", "{r}");
        let dup = r["state"]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["hold"] == "duplicate_face")
            .unwrap_or_else(|| panic!("no duplicate_face hold: {r}"));
        assert_eq!(dup["other"], WANG, "{r}");
    }
    // Staff see both held cases with the hit, the latest automatic review (no authoritative
    // portrait for them) and, for Wang's record, who may act for whom.
    let reviewer = s.staff_token("reviewer1").await;
    let (_, q) = s.call(Method::GET, "/staff/api/review", Some(&reviewer), None).await;
    assert_eq!(q["total"], 2, "{q}");
    let last = &q["cases"][0]["last_review"];
    assert_eq!(
        (&last["issues"], &last["has_portrait"]),
        (&json!([]), &json!(false)),
        "{q}"
    );
    // Staff revoke Wang's enrollment (reported fraud): he may no longer certify, and his
    // face leaves the 1:N index.
    let (st, r) = s
        .call(
            Method::POST,
            &format!("/staff/api/enrollment/{WANG}/face/revoke"),
            Some(&reviewer),
            Some(json!({"reason": "reported fraud"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["state"]["state"], "must_reenroll", "{r}");
    let (_, may) = s.call(Method::GET, "/api/may-certify", Some(&w), None).await;
    assert_eq!(may["enrolled"], false, "{may}");
    // He enrolls again; nobody else holds his face now, so it is approved.
    let (_, r) = enroll(&s, &w, None, &face).await;
    assert_eq!(r["state"]["state"], "approved", "{r}");
}
