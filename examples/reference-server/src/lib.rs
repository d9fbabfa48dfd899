//! # certify reference server
//!
//! The whole app flow of remote pension entitlement certification over HTTP: picture
//! captcha and SMS codes, registration, password and card login with the 3-failure / 24 h
//! lock and forgot-password, real-name verification, face enrollment with automatic review
//! and a staff review console, liveness sessions fed frame by frame or client-signed
//! evidence re-checked here, voice enrollment and certification by prompted digits, proxy contacts, history, "may I certify now"; for staff the
//! roster import, unit declarations, the deadline run with its report and data-comparison
//! certification from evidence feeds. SQLite by default, PostgreSQL by URL.
//!
//! Every rule is `certify-core`'s; this crate stores the state, authenticates, keeps an
//! append-only audit log and makes retried uploads and runs idempotent.

mod config;
mod db;
mod error;
mod liveness;
mod pensioner;
mod staff;
mod voice;

pub use config::{Config, ConfigError, LivenessSettings};
pub use db::Db;
pub use error::{ApiError, codes, message_zh};

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use certify_core::time::Timestamp;
use certify_face::FaceEngine;
use rand_core::{CryptoRng, RngCore};
use sqlx::Row;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

/// The time source: the system clock in production, a settable one in tests.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> Timestamp;
}

/// The system clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Timestamp::from_unix_seconds(i64::try_from(secs).unwrap_or(i64::MAX))
    }
}

/// A clock the caller sets (tests, replays).
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// At `unix` seconds.
    pub fn at(unix: i64) -> Self {
        Self(AtomicI64::new(unix))
    }

    /// Move forward by `seconds`.
    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_seconds(self.0.load(Ordering::SeqCst))
    }
}

/// Sends SMS codes. The code must reach the phone and nothing else (no logs).
pub trait SmsSender: Send + Sync {
    /// Send `code` to `phone` for `purpose`.
    fn send(&self, phone: &str, purpose: &str, code: &str);
}

/// The demo sender: prints codes to the server log, clearly marked. Never use it in
/// production — a real gateway replaces it.
#[derive(Debug, Default)]
pub struct DemoSmsSender;

impl SmsSender for DemoSmsSender {
    fn send(&self, phone: &str, purpose: &str, code: &str) {
        let masked = if phone.len() == 11 {
            format!("{}****{}", &phone[..3], &phone[7..])
        } else {
            "***".to_owned()
        };
        println!("[DEMO SMS — not sent; demo sender prints codes] {purpose} code for {masked}: {code}");
    }
}

/// A sender that keeps the last code per phone (tests).
#[derive(Debug, Default)]
pub struct CapturingSmsSender(Mutex<HashMap<String, String>>);

impl CapturingSmsSender {
    /// The last code sent to `phone`.
    pub fn last(&self, phone: &str) -> Option<String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).get(phone).cloned()
    }
}

impl SmsSender for CapturingSmsSender {
    fn send(&self, phone: &str, _purpose: &str, code: &str) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(phone.to_owned(), code.to_owned());
    }
}

/// A random generator for the server (OS generator in production, seeded in tests).
pub type SharedRng = Mutex<Box<dyn RngCoreSend>>;

/// `RngCore + CryptoRng + Send`.
pub trait RngCoreSend: RngCore + CryptoRng + Send {}
impl<T: RngCore + CryptoRng + Send> RngCoreSend for T {}

/// A sized handle on the shared generator, for the core's `R: RngCore + CryptoRng` calls.
pub struct RngRef<'a>(&'a mut dyn RngCoreSend);

impl RngCore for RngRef<'_> {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.0.try_fill_bytes(dest)
    }
}

impl CryptoRng for RngRef<'_> {}

/// Everything a request needs.
#[derive(Clone)]
pub struct AppState {
    /// Storage.
    pub db: Db,
    /// Configuration.
    pub config: Arc<Config>,
    /// The face engine.
    pub face: Arc<FaceEngine>,
    /// The voice engine.
    pub voice: Arc<certify_voice::VoiceEngine>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness.
    pub rng: Arc<SharedRng>,
    /// SMS.
    pub sms: Arc<dyn SmsSender>,
    pub(crate) sessions: Arc<Mutex<HashMap<String, liveness::OpenSession>>>,
}

impl AppState {
    /// A state from its parts.
    pub fn new(
        db: Db,
        config: Config,
        engines: (Arc<FaceEngine>, Arc<certify_voice::VoiceEngine>),
        clock: Arc<dyn Clock>,
        rng: Box<dyn RngCoreSend>,
        sms: Arc<dyn SmsSender>,
    ) -> Self {
        Self {
            db,
            config: Arc::new(config),
            face: engines.0,
            voice: engines.1,
            clock,
            rng: Arc::new(Mutex::new(rng)),
            sms,
            sessions: Arc::default(),
        }
    }

    /// Now.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Run `f` with the generator.
    pub fn with_rng<T>(&self, f: impl FnOnce(&mut RngRef<'_>) -> T) -> T {
        let mut g = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut RngRef(&mut **g))
    }

    /// `n` random bytes as hex.
    pub fn random_hex(&self, n: usize) -> String {
        let mut b = vec![0u8; n];
        self.with_rng(|r| r.fill_bytes(&mut b));
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    /// The SMS key.
    pub(crate) fn sms_key(&self) -> certify_core::account::sms::SmsKey {
        certify_core::account::sms::SmsKey::from_bytes(self.config.sms_key().unwrap_or([0; 32]))
    }
}

/// The router: `/api/*` for pensioners and their relatives, `/staff/*` for staff,
/// `/openapi.json`, `/health`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/openapi.json", get(openapi))
        .route("/api/captcha", post(pensioner::captcha))
        .route("/api/sms/register", post(pensioner::sms_register))
        .route("/api/register", post(pensioner::register_route))
        .route("/api/login", post(pensioner::login))
        .route("/api/login/card", post(pensioner::login_card))
        .route("/api/password/sms", post(pensioner::password_sms))
        .route("/api/password/reset", post(pensioner::password_reset))
        .route("/api/realname", post(pensioner::realname))
        .route("/api/enrollment/face", post(pensioner::enroll_face))
        .route("/api/enrollment", get(pensioner::enrollment_status))
        .route("/api/contacts", get(pensioner::contacts).post(pensioner::add_contact))
        .route("/api/may-certify", get(pensioner::may_certify))
        .route("/api/liveness/start", post(liveness::start))
        .route("/api/liveness/{id}/frame", post(liveness::frame))
        .route("/api/liveness/{id}/finish", post(liveness::finish))
        .route("/api/evidence/challenge", post(pensioner::evidence_challenge))
        .route("/api/evidence", post(pensioner::evidence_submit))
        .route("/api/history", get(pensioner::history))
        .route("/api/voice/prompts", post(voice::prompts))
        .route("/api/enrollment/voice", post(voice::enroll))
        .route("/api/voice/start", post(voice::start))
        .route("/api/voice/{id}/finish", post(voice::finish))
        .route("/staff/login", post(staff::login))
        .route("/staff/review", get(staff::review_page))
        .route("/staff/api/review", get(staff::review_queue))
        .route("/staff/api/review/{holder}/{modality}", post(staff::review_decide))
        .route("/staff/api/roster", post(staff::roster_import))
        .route("/staff/api/declarations", post(staff::declare))
        .route("/staff/api/deadline-run", post(staff::deadline_run))
        .route("/staff/api/deadline-run/{id}/report.csv", get(staff::deadline_report))
        .route("/staff/api/evidence-feed", post(staff::evidence_feed))
        .route("/staff/api/audit", get(staff::audit_log))
        .layer(axum::extract::DefaultBodyLimit::max(24 * 1024 * 1024))
        .with_state(state)
}

async fn openapi() -> axum::response::Response {
    axum::response::IntoResponse::into_response((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    ))
}

/// Who is calling.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// `pensioner` or `staff:<role>`.
    kind: String,
    /// The holder's identity number or the staff id.
    subject: String,
}

/// The session of the `Authorization: Bearer` token.
pub(crate) async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(ApiError::unauthorized)?;
    let row = sqlx::query("SELECT kind, subject, expires_at FROM sessions WHERE token = $1")
        .bind(token.to_owned())
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let expires: i64 = row.try_get(2)?;
    if state.now().unix_seconds() >= expires {
        return Err(ApiError::unauthorized());
    }
    Ok(Caller {
        kind: row.try_get(0)?,
        subject: row.try_get(1)?,
    })
}

/// A new session token for `kind`/`subject`, valid `hours`.
pub(crate) async fn open_session(state: &AppState, kind: &str, subject: &str, hours: i64) -> Result<String, ApiError> {
    let token = state.random_hex(32);
    sqlx::query("INSERT INTO sessions (token, kind, subject, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token.clone())
        .bind(kind.to_owned())
        .bind(subject.to_owned())
        .bind(state.now().unix_seconds() + hours * 3600)
        .execute(&state.db.pool)
        .await?;
    Ok(token)
}

/// Append to the audit log (inside the caller's transaction, so the log and the change
/// commit together). `detail` holds no secrets or biometric data.
pub(crate) async fn audit(
    conn: &mut sqlx::AnyConnection,
    at: Timestamp,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &serde_json::Value,
) -> Result<(), ApiError> {
    sqlx::query("INSERT INTO audit_log (at, actor, action, subject, detail_json) VALUES ($1, $2, $3, $4, $5)")
        .bind(at.unix_seconds())
        .bind(actor.to_owned())
        .bind(action.to_owned())
        .bind(subject.to_owned())
        .bind(detail.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// A stored response for an idempotency key, if the request was already done.
pub(crate) async fn idempotent_replay(
    state: &AppState,
    key: Option<&str>,
) -> Result<Option<axum::response::Response>, ApiError> {
    let Some(key) = key else { return Ok(None) };
    let row = sqlx::query("SELECT status, body FROM idempotency WHERE idem_key = $1")
        .bind(key.to_owned())
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(match row {
        Some(r) => {
            let status: i32 = r.try_get(0)?;
            let body: String = r.try_get(1)?;
            let code = axum::http::StatusCode::from_u16(u16::try_from(status).unwrap_or(200))
                .unwrap_or(axum::http::StatusCode::OK);
            Some(axum::response::IntoResponse::into_response((
                code,
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                body,
            )))
        }
        None => None,
    })
}

/// Record the response of an idempotent request in the same transaction as its effects.
pub(crate) async fn idempotent_store(
    conn: &mut sqlx::AnyConnection,
    key: Option<&str>,
    body: &serde_json::Value,
) -> Result<(), ApiError> {
    if let Some(key) = key {
        sqlx::query("INSERT INTO idempotency (idem_key, status, body) VALUES ($1, $2, $3)")
            .bind(key.to_owned())
            .bind(200_i32)
            .bind(body.to_string())
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The `Idempotency-Key` header, scoped to the caller.
pub(crate) fn idempotency_key(headers: &HeaderMap, caller: &str) -> Option<String> {
    headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty() && k.len() <= 128)
        .map(|k| format!("{caller}:{k}"))
}

/// Create staff accounts from the configuration (existing ones keep their password) and
/// seed the demo roster when asked and the roster is empty.
pub async fn bootstrap(state: &AppState) -> Result<(), ApiError> {
    for s in &state.config.staff {
        let exists = state
            .db
            .text("SELECT staff_id FROM staff WHERE staff_id = $1", &s.staff_id)
            .await?;
        if exists.is_none() {
            let hash = state
                .with_rng(|r| {
                    certify_core::account::password::hash_password(
                        &s.password,
                        &certify_core::account::password::PasswordParams::default(),
                        r,
                    )
                })
                .map_err(error::domain)?;
            sqlx::query("INSERT INTO staff (staff_id, name, role, password_hash) VALUES ($1, $2, $3, $4)")
                .bind(s.staff_id.clone())
                .bind(s.name.clone())
                .bind(s.role.clone())
                .bind(hash)
                .execute(&state.db.pool)
                .await?;
        }
    }
    if state.config.seed_demo_roster {
        let any: Option<sqlx::any::AnyRow> = sqlx::query("SELECT id_number FROM roster LIMIT 1")
            .fetch_optional(&state.db.pool)
            .await?;
        if any.is_none() {
            staff::import_roster_csv(state, "demo-seed", DEMO_ROSTER).await?;
        }
    }
    Ok(())
}

/// Import roster rows (CSV `id_number,name,scheme,unit,monthly_pension,pension_start`,
/// pension in yuan) as `actor`: (imported, rejected rows with reasons).
pub async fn import_roster(
    state: &AppState,
    actor: &str,
    csv: &str,
) -> Result<(usize, Vec<serde_json::Value>), ApiError> {
    staff::import_roster_csv(state, actor, csv).await
}

/// The demo roster: three pensioners of the configured region.
pub const DEMO_ROSTER: &str = "id_number,name,scheme,unit,monthly_pension,pension_start\n\
610526195503011236,王建国,public_institution,蒲城县教育局,3000.00,2012-03\n\
610526195207152042,赵秀英,public_institution,蒲城县卫生局,2800.00,2012-03\n\
610526194801023310,刘德明,public_institution,蒲城县水务局,2500.00,2008-01\n";

/// Connect, migrate, load the engine, bootstrap, and serve until Ctrl-C / SIGTERM.
pub async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let db = Db::connect(&config.database_url).await?;
    let mut engine_config = certify_face::FaceEngineConfig::new(&config.engines.models_dir);
    engine_config.runtime_library = config.engines.runtime_library.clone();
    if let Some(t) = config.engines.face_match_threshold {
        engine_config.match_threshold = t;
    }
    engine_config.antispoof = config.liveness.antispoof_kind()?;
    if let Some(t) = config.liveness.antispoof_threshold {
        engine_config.antispoof_threshold = t;
    }
    let face = Arc::new(FaceEngine::load(engine_config)?);
    let mut voice_config = certify_voice::VoiceEngineConfig::new(&config.engines.models_dir);
    voice_config.runtime_library = config.engines.runtime_library.clone();
    let voice = Arc::new(certify_voice::VoiceEngine::load(voice_config)?);
    let listen = config.listen.clone();
    let state = AppState::new(
        db,
        config,
        (face, voice),
        Arc::new(SystemClock),
        Box::new(rand_core::OsRng),
        Arc::new(DemoSmsSender),
    );
    bootstrap(&state)
        .await
        .map_err(|e| format!("bootstrap: [{}] {}", e.code, e.message))?;
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!(
        "certify-server listening on http://{} (database: {}; staff console: http://{}/staff/review; API: http://{}/openapi.json)",
        listener.local_addr()?,
        if state.db.postgres { "PostgreSQL" } else { "SQLite" },
        listener.local_addr()?,
        listener.local_addr()?
    );
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
