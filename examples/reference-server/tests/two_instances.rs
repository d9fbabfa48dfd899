//! Two server instances on one database (separate state, separate connection pools, one
//! shared clock as NTP gives a deployment): a whole liveness run alternates between them
//! frame by frame — enrolled on one, started on the other, finished on the first — and
//! certifies. Nothing a request needs lives in one instance's memory. SQLite (a shared
//! file) here; PostgreSQL when `CERTIFY_TEST_POSTGRES_URL` is set, as `.ci/run` does.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{Value, json};
use std::sync::Arc;

const WANG: &str = "610526195503011236";

async fn alternate(url: &str) {
    let clock = Arc::new(certify_server::ManualClock::at(T0));
    let a = server_on(url, clock.clone()).await;
    let b = server_on(url, clock.clone()).await;
    let (st, r) = a
        .call(
            Method::POST,
            "/api/login/card",
            None,
            Some(json!({"id_number": WANG, "pin": "123456"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let token = r["token"].as_str().unwrap().to_owned();
    let t = Some(token.as_str());
    // Enrolled through instance B (automatic review passes a good selfie with the card).
    let portrait = certify_face::testing::face_crop(&face_engine(), &photo("obama3.jpg"))
        .unwrap()
        .unwrap();
    let card_front = certify_face::testing::card_front(&portrait);
    let (st, r) = b
        .call(Method::POST, "/api/realname", t, Some(json!({"name": "王建国", "id_number": WANG, "card_front": b64(&card_front), "selfie": b64(&photo("obama2.jpg"))})))
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let selfie = certify_face::testing::selfie_with_card(&photo("obama2.jpg"), &card_front, 360);
    let upload = json!({"card_front": b64(&card_front), "card_back": b64(&certify_face::testing::card_back()), "selfie": b64(&selfie)});
    let (st, r) = b.call(Method::POST, "/api/enrollment/face", t, Some(upload)).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["state"]["state"], "approved", "{r}");
    // Started on A; frames alternate A, B, A, B …; finished on A.
    let session = live_run(&clock, [&a, &b], t).await;
    let (st, r) = a
        .call(Method::POST, &format!("/api/liveness/{session}/finish"), t, None)
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["record"]["method"], "app_face", "{r}");
    // The run decided once: finishing again on the other instance finds nothing.
    let (st, r) = b
        .call(Method::POST, &format!("/api/liveness/{session}/finish"), t, None)
        .await;
    assert_eq!((st, r["code"].as_u64()), (StatusCode::NOT_FOUND, Some(905)), "{r}");
    // A second live run passes liveness, but the person is already certified this cycle:
    // the refusal says so in Chinese (it said "认证通过" — the liveness advice — before).
    let session = live_run(&clock, [&b, &a], t).await;
    let (st, r) = b
        .call(Method::POST, &format!("/api/liveness/{session}/finish"), t, None)
        .await;
    assert_eq!((st, r["code"].as_u64()), (StatusCode::CONFLICT, Some(421)), "{r}");
    assert_eq!(r["message_zh"], "本周期已认证", "{r}");
}

/// A whole live run (the test photo's head performing the drawn actions at ten frames a
/// second), started on the first instance and alternating frames between both.
async fn live_run(clock: &certify_server::ManualClock, instances: [&Server; 2], t: Option<&str>) -> String {
    let a = instances[0];
    let (st, r) = a.call(Method::POST, "/api/liveness/start", t, Some(json!({}))).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let session = r["session_id"].as_str().unwrap().to_owned();
    let actions: Vec<certify_core::liveness::Action> = r["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| serde_json::from_value(a["action"].clone()).unwrap())
        .collect();
    let head = certify_face::testing::HeadModel::new(&face_engine(), &photo("obama.jpg")).unwrap();
    let mut last = Value::Null;
    for (i, f) in head.perform(&actions).unwrap().iter().enumerate() {
        let f = certify_face::testing::with_sensor_noise(f, i as u32);
        clock.advance_millis(100);
        let (st, ev) = instances[i % 2]
            .raw(
                Method::POST,
                &format!("/api/liveness/{session}/frame"),
                t,
                &[],
                Some((jpeg(&f), "image/jpeg")),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "frame {i} on instance {}: {ev}", i % 2);
        last = ev;
    }
    assert_eq!(last["event"], "passed", "{actions:?}: {last}");
    session
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_liveness_run_alternates_between_two_instances_on_sqlite() {
    let path = root().join("target/server-test-two-instances.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    alternate(&format!("sqlite://{}?mode=rwc", path.display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_liveness_run_alternates_between_two_instances_on_postgres() {
    let Ok(url) = std::env::var("CERTIFY_TEST_POSTGRES_URL") else {
        eprintln!("CERTIFY_TEST_POSTGRES_URL not set: the PostgreSQL run is skipped (.ci/run sets it)");
        return;
    };
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::raw_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    alternate(&url).await;
}
