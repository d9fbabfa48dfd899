//! The test server shared by the HTTP tests: the demo configuration on a given database,
//! a manual clock, captured SMS codes, seeded randomness, and request helpers.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use base64::Engine as _;
use certify_server::{AppState, CapturingSmsSender, Config, Db, ManualClock};
use image::RgbImage;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;

/// 2020-06-05 10:00 in China.
pub const T0: i64 = 1_591_322_400;
/// A day in seconds.
pub const DAY: i64 = 86_400;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn photo(name: &str) -> RgbImage {
    certify_face::image_io::decode(
        &std::fs::read(root().join(".deps/testdata/face").join(name)).expect("run scripts/setup.sh"),
    )
    .unwrap()
}

pub fn face_engine() -> certify_face::FaceEngine {
    let mut config = certify_face::FaceEngineConfig::new(root().join("models"));
    config.runtime_library = Some(root().join(".deps/onnxruntime/libonnxruntime.so"));
    certify_face::FaceEngine::load(config).unwrap()
}

pub fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92)
        .encode_image(img)
        .unwrap();
    out
}

pub fn b64(img: &RgbImage) -> String {
    base64::engine::general_purpose::STANDARD.encode(jpeg(img))
}

pub struct Server {
    pub app: Router,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub sms: Arc<CapturingSmsSender>,
    pub db: Db,
}

impl Server {
    /// A staff token (`admin` / `reviewer1` with the demo passwords).
    pub async fn staff_token(&self, staff_id: &str) -> String {
        let password = if staff_id == "admin" {
            "admin-demo-1"
        } else {
            "review-demo-1"
        };
        let (st, r) = self
            .call(
                Method::POST,
                "/staff/login",
                None,
                Some(json!({"staff_id": staff_id, "password": password})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{r}");
        r["token"].as_str().unwrap().to_owned()
    }

    /// The deadline run as staff do it: preview on `date`, then confirm with `key`.
    pub async fn deadline_run(&self, admin: &str, date: &str, key: &str) -> (StatusCode, Value) {
        let (st, preview) = self
            .call(
                Method::POST,
                "/staff/api/deadline-run/preview",
                Some(admin),
                Some(json!({"run_date": date})),
            )
            .await;
        if st != StatusCode::OK {
            return (st, preview);
        }
        let body = json!({"preview_id": preview["preview_id"]}).to_string().into_bytes();
        self.raw(
            Method::POST,
            "/staff/api/deadline-run",
            Some(admin),
            &[("idempotency-key", key)],
            Some((body, "application/json")),
        )
        .await
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.raw(
            method,
            path,
            token,
            &[],
            body.map(|b| (b.to_string().into_bytes(), "application/json")),
        )
        .await
    }

    /// POST a life-event feed (CSV) to the staff API.
    pub async fn evidence_feed(&self, token: &str, csv: String) -> (StatusCode, Value) {
        self.raw(
            Method::POST,
            "/staff/api/evidence-feed",
            Some(token),
            &[],
            Some((csv.into_bytes(), "text/csv")),
        )
        .await
    }

    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<(Vec<u8>, &str)>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some((bytes, ct)) => req.header("content-type", ct).body(Body::from(bytes)).unwrap(),
            None => req.body(Body::empty()).unwrap(),
        };
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 64 << 20).await.unwrap();
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }

    /// Forgot-password, step 1, with a solved captcha, from client `address` (none: the
    /// in-process default): the answer, whose `reset_ticket` goes with the code.
    pub async fn ask_reset_code(&self, phone: &str, address: Option<&str>) -> (StatusCode, Value) {
        let (id, answer) = self.captcha().await;
        let body = serde_json::json!({"phone": phone, "captcha_id": id, "captcha_answer": answer});
        let headers: Vec<(&str, &str)> = address.map(|a| ("x-forwarded-for", a)).into_iter().collect();
        self.raw(
            Method::POST,
            "/api/password/sms",
            None,
            &headers,
            Some((body.to_string().into_bytes(), "application/json")),
        )
        .await
    }

    /// Forgot-password, step 2.
    pub async fn reset_password(
        &self,
        phone: &str,
        ticket: &str,
        code: &str,
        new_password: &str,
    ) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            "/api/password/reset",
            None,
            Some(
                serde_json::json!({"phone": phone, "reset_ticket": ticket, "sms_code": code,
                "new_password": new_password, "password_repeat": new_password}),
            ),
        )
        .await
    }

    /// Add a contact (asserted to succeed): the holder's contacts.
    /// A session token from a password login (asserted to succeed).
    pub async fn login(&self, phone: &str, password: &str) -> String {
        let (st, r) = self
            .call(
                Method::POST,
                "/api/login",
                None,
                Some(serde_json::json!({"phone": phone, "password": password})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{r}");
        r["token"].as_str().unwrap().to_owned()
    }

    pub async fn add_contact(&self, token: &str, name: &str, id: &str) -> Value {
        let (st, r) = self
            .call(
                Method::POST,
                "/api/contacts",
                Some(token),
                Some(serde_json::json!({"name": name, "id_number": id})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{r}");
        r
    }

    /// A session token from a card login with the demo PIN (asserted to succeed).
    pub async fn card_login(&self, id: &str) -> String {
        let (st, r) = self
            .call(
                Method::POST,
                "/api/login/card",
                None,
                Some(serde_json::json!({"id_number": id, "pin": "123456"})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{r}");
        r["token"].as_str().unwrap().to_owned()
    }

    pub async fn captcha(&self) -> (String, String) {
        let (_, c) = self.call(Method::POST, "/api/captcha", None, None).await;
        let id = c["captcha_id"].as_str().unwrap().to_owned();
        assert!(!c["png_base64"].as_str().unwrap().is_empty(), "{c}");
        let answer = self
            .db
            .text("SELECT answer FROM captchas WHERE captcha_id = $1", &id)
            .await
            .unwrap()
            .unwrap();
        (id, answer)
    }
}

/// A server on a fresh SQLite file `target/test-<name>.db`.
pub async fn fresh(name: &str) -> Server {
    let path = root().join(format!("target/test-{name}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    server(&format!("sqlite://{}?mode=rwc", path.display())).await
}

pub async fn server(url: &str) -> Server {
    server_on(url, Arc::new(ManualClock::at(T0))).await
}

/// A server instance on database `url` whose clock is `clock` (instances of one
/// deployment share a time source).
pub async fn server_on(url: &str, clock: Arc<ManualClock>) -> Server {
    let mut config = Config::load(&root().join("examples/reference-server/config/demo.toml")).unwrap();
    config.database_url = url.to_owned();
    config.engines.models_dir = root().join("models");
    // The authority's portrait of 王建国 (610526195503011236): another photo of the same
    // man as the test's live face. Nobody else has one.
    let portraits = root().join("target/test-portraits");
    std::fs::create_dir_all(&portraits).unwrap();
    std::fs::copy(
        root().join(".deps/testdata/face/obama3.jpg"),
        portraits.join("610526195503011236.jpg"),
    )
    .expect("run scripts/setup.sh");
    config.identity.reference_portraits_dir = Some(portraits);
    // As behind a reverse proxy: tests name the client's address in a header.
    config.limits.client_address_header = Some("x-forwarded-for".to_owned());
    // The "provincial app" key whose signed evidence the server trusts.
    // Head movements only: the test's live person is a photograph rendered in 3-D.
    config.liveness.actions = vec![
        certify_core::liveness::Action::ShakeHead,
        certify_core::liveness::Action::Nod,
    ];
    let device = certify_core::evidence::EvidenceSigner::from_seed([9; 32]);
    config.keys.trusted_device_keys_hex = vec![device.public_key().iter().map(|b| format!("{b:02x}")).collect()];
    let db = Db::connect(url).await.unwrap();
    let mut engine_config = certify_face::FaceEngineConfig::new(root().join("models"));
    engine_config.runtime_library = None;
    let face = Arc::new(certify_face::FaceEngine::load(engine_config).expect("face engine (run scripts/setup.sh)"));
    let sms = Arc::new(CapturingSmsSender::default());
    let state = AppState::new(
        db.clone(),
        config,
        (
            face,
            Arc::new(
                certify_voice::VoiceEngine::load(certify_voice::VoiceEngineConfig::new(root().join("models"))).unwrap(),
            ),
        ),
        clock.clone(),
        Arc::new(certify_server::SeededRngSource::new(7)),
        sms.clone(),
    );
    certify_server::bootstrap(&state).await.unwrap();
    Server {
        app: certify_server::router(state.clone()),
        state,
        clock,
        sms,
        db,
    }
}

/// The Chromium a browser test drives, or `None` (the test is skipped) when Chromium or
/// puppeteer-core is missing outside CI; in CI (`CI` set) a missing browser fails.
pub fn chromium() -> Option<String> {
    let puppeteer = root().join(".deps/node/node_modules/puppeteer-core");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if puppeteer.exists() && PathBuf::from(&chromium).exists() {
        return Some(chromium);
    }
    assert!(
        std::env::var("CI").is_err(),
        "CI needs chromium and puppeteer-core (scripts/setup.sh)"
    );
    eprintln!("chromium or puppeteer-core missing: run scripts/setup.sh; test skipped");
    None
}

/// Run browser script `script` (in `tests/`) with `args` on `chromium`, screenshots going to
/// `target/screenshots`: the JSON summary it prints last.
pub async fn run_browser_script(chromium: String, script: &str, args: Vec<String>) -> Value {
    let shots = root().join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let script = root().join("examples/reference-server/tests").join(script);
    let node_dir = root().join(".deps/node");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .arg(&script)
            .args(&args)
            .env("CHROMIUM", &chromium)
            .env("SCREENSHOTS", &shots)
            .current_dir(node_dir)
            .output()
    })
    .await
    .unwrap()
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "node: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim().lines().last().unwrap()).unwrap()
}

/// Put `holder`'s face case in manual review since `since` (Unix seconds), as the server
/// stores it (the case and the review queue's key), inside `conn`.
pub async fn queue_for_review(conn: &mut sqlx::AnyConnection, holder: &str, since: i64) {
    let case = certify_core::enrollment::EnrollmentCase {
        modality: certify_core::biometric::Modality::Face,
        state: certify_core::enrollment::EnrollmentState::ManualReview {
            since: certify_core::time::Timestamp::from_unix_seconds(since),
            reasons: Vec::new(),
        },
        template_ref: None,
    };
    sqlx::query("INSERT INTO enrollments (holder_id, modality, case_json, review_since) VALUES ($1, 'face', $2, $3)")
        .bind(holder.to_owned())
        .bind(serde_json::to_string(&case).unwrap())
        .bind(format!("{since:012}"))
        .execute(conn)
        .await
        .unwrap();
}

/// Four requests at once on the test's runtime (they interleave at every await).
pub async fn join4<F: std::future::Future>(futures: [F; 4]) -> Vec<F::Output> {
    let [a, b, c, d] = futures;
    let (a, b, c, d) = tokio::join!(a, b, c, d);
    vec![a, b, c, d]
}

pub fn code(v: &Value) -> u64 {
    v["code"].as_u64().unwrap_or_else(|| panic!("no code in {v}"))
}
