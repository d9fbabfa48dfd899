//! The staff review console in headless Chromium: a reviewer logs in, sees the two cases
//! in manual review with their held images and the 7-day expiry, approves one and rejects
//! the other; the server records both, stores the approved template and deletes the held
//! images. Needs `scripts/setup.sh` (Debian chromium, npm puppeteer-core, models).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use certify_core::enrollment::{EnrollmentCase, EnrollmentState};
use certify_server::{AppState, CapturingSmsSender, Config, Db, ManualClock};
use sqlx::Row;
use std::sync::Arc;

const WANG: &str = "610526195503011236";
const ZHAO: &str = "610526195207152042";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviewer_approves_and_rejects_in_chromium() {
    let Some(chromium) = common::chromium() else {
        return;
    };
    let path = common::root().join("target/server-test-review.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let mut config = Config::load(&common::root().join("examples/reference-server/config/demo.toml")).unwrap();
    config.database_url = url.clone();
    let db = Db::connect(&url).await.unwrap();
    let face = Arc::new(
        certify_face::FaceEngine::load(certify_face::FaceEngineConfig::new(common::root().join("models"))).unwrap(),
    );
    let clock = Arc::new(ManualClock::at(1_591_322_400));
    let state = AppState::new(
        db.clone(),
        config,
        (
            face,
            Arc::new(
                certify_voice::VoiceEngine::load(certify_voice::VoiceEngineConfig::new(common::root().join("models")))
                    .unwrap(),
            ),
        ),
        clock.clone(),
        Arc::new(certify_server::SeededRngSource::new(3)),
        Arc::new(CapturingSmsSender::default()),
    );
    certify_server::bootstrap(&state).await.unwrap();

    // Two cases in manual review, two days old, with their held uploads.
    let since = certify_core::time::Timestamp::from_unix_seconds(1_591_322_400 - 2 * 86_400);
    let photos = common::root().join(".deps/testdata/face");
    for (holder, selfie) in [(WANG, "obama2.jpg"), (ZHAO, "biden.jpg")] {
        common::queue_for_review(&mut db.pool.acquire().await.unwrap(), holder, since.unix_seconds()).await;
        for (name, file) in [
            ("card_front", "obama3.jpg"),
            ("card_back", "astronaut.png"),
            ("selfie", selfie),
        ] {
            sqlx::query("INSERT INTO held_uploads (holder_id, modality, name, data) VALUES ($1, 'face', $2, $3)")
                .bind(holder)
                .bind(name)
                .bind(std::fs::read(photos.join(file)).unwrap())
                .execute(&db.pool)
                .await
                .unwrap();
        }
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, certify_server::router(state)).await.unwrap() });

    let page = common::run_browser_script(
        chromium,
        "review_page.mjs",
        vec![format!("http://{addr}"), WANG.to_owned(), ZHAO.to_owned()],
    )
    .await;
    // Oldest first; the same day by identity number.
    assert_eq!(page["before"], serde_json::json!([ZHAO, WANG]), "{page}");
    assert_eq!(page["images"].as_array().unwrap().len(), 6, "{page}");
    assert!(
        page["images"].as_array().unwrap().iter().all(|i| i == true),
        "every held image renders: {page}"
    );
    assert!(page["expiry"].as_str().unwrap().contains("剩余 5 天"), "{page}");
    // Chinese renders (a CJK font is installed and used), and the page was photographed.
    assert_eq!(
        page["cjkFont"], true,
        "install fonts-noto-cjk (scripts/setup.sh): {page}"
    );
    assert!(page["status"].as_str().unwrap().contains("已驳回"), "{page}");
    assert!(common::root().join("target/screenshots/review-queue.png").exists());
    assert_eq!(page["afterApprove"], 1, "{page}");

    let case = |holder: &'static str| {
        let db = db.clone();
        async move {
            let text: String = sqlx::query("SELECT case_json FROM enrollments WHERE holder_id = $1")
                .bind(holder)
                .fetch_one(&db.pool)
                .await
                .unwrap()
                .try_get(0)
                .unwrap();
            serde_json::from_str::<EnrollmentCase>(&text).unwrap()
        }
    };
    let approved = case(WANG).await;
    assert!(
        approved.may_certify() && approved.template_ref.is_some(),
        "{approved:?}"
    );
    let rejected = case(ZHAO).await;
    assert!(
        matches!(rejected.state, EnrollmentState::MustReenroll { .. }),
        "{rejected:?}"
    );
    let held: i64 = sqlx::query("SELECT COUNT(*) FROM held_uploads")
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(held, 0, "held images are deleted when the cases close");
    let audit: Vec<String> = sqlx::query("SELECT action FROM audit_log WHERE actor = 'reviewer1' ORDER BY id")
        .fetch_all(&db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get(0).unwrap())
        .collect();
    assert_eq!(audit, ["enrollment.approve", "enrollment.reject"]);
}
