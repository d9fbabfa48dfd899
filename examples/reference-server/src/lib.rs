//! # certify reference server
//!
//! The whole app flow of remote pension entitlement certification over HTTP: picture
//! captcha and SMS codes, registration, password and card login with the 3-failure / 24 h
//! lock and forgot-password, real-name verification, face enrollment with automatic review
//! and a staff review console, liveness sessions fed frame by frame or client-signed
//! evidence re-checked here, voice enrollment and certification by prompted digits, proxy
//! contacts, history, "may I certify now"; for staff the roster import, unit declarations,
//! the deadline run (preview, then confirm) with its report and data-comparison
//! certification from evidence feeds. SQLite by default, PostgreSQL by URL.
//!
//! Every rule is `certify-core`'s; this crate stores the state (versioned, compare-and-swap),
//! authenticates (extractors), keeps an append-only audit log and makes retried uploads and
//! runs idempotent. One module per area, each with its own `router()`.

mod accounts;
mod audit;
mod certification;
mod config;
mod consent;
mod contacts;
mod db;
mod enrollment;
mod error;
mod evidence;
mod extract;
mod http;
mod idempotency;
mod identity;
mod limits;
mod liveness;
mod openapi;
mod people;
mod realname;
mod staff;
mod state;
mod store;
mod visits;
mod voice;
mod voice_cohort;

pub use accounts::{CaptchaMaker, MadeCaptcha, RasterCaptcha};
pub use config::{Config, ConfigError, IdentitySettings, LimitSettings, LivenessSettings, Office};
pub use db::Db;
pub use error::{ApiError, codes, message_zh};
pub use extract::delete_expired;
pub use http::{openapi_json, router, serve, shutdown_signal};
pub use identity::{DirectoryPortraits, NoPortraits, ReferencePortraits};
pub use limits::{FIRST_CARD_LOGINS_PER_DAY, GUESSES_PER_PHONE_PER_DAY, SMS_PER_PHONE_PER_DAY};
pub use state::{
    AppState, CapturingSmsSender, Clock, DemoSmsSender, ManualClock, OsRngSource, Rng, RngCoreSend, RngSource,
    SeededRngSource, SmsSender, SystemClock,
};

/// Create staff accounts from the configuration (existing ones keep their password) and
/// seed the demo roster when asked and the roster is empty.
pub async fn bootstrap(state: &AppState) -> Result<(), ApiError> {
    for s in &state.config.staff {
        let exists = state
            .db
            .text("SELECT staff_id FROM staff WHERE staff_id = $1", &s.staff_id)
            .await?;
        if exists.is_none() {
            let hash = certify_core::account::password::hash_password(
                &s.password,
                &certify_core::account::password::PasswordParams::default(),
                &mut state.rng(),
            )?;
            sqlx::query("INSERT INTO staff (staff_id, name, role, password_hash) VALUES ($1, $2, $3, $4)")
                .bind(s.staff_id.clone())
                .bind(s.name.clone())
                .bind(s.role.clone())
                .bind(hash)
                .execute(&state.db.pool)
                .await?;
        }
    }
    identity::backfill(state).await?;
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
