//! Staff login: an 8-hour session separate from pensioners'; the password is verified on
//! the blocking pool, a failure audited and counted: five in a row lock the staff account
//! for 15 minutes (checked before the password, counted in one statement, so parallel
//! guesses all count). Logout ends the session.

use crate::AppState;
use crate::audit::audit;
use crate::error::ApiError;
use crate::extract::{ApiJson, open_session};
use axum::Json;
use axum::extract::State;
use certify_bridge::CertifyStatus;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// A staff session.
#[derive(Serialize, ToSchema)]
pub(crate) struct StaffSession {
    /// Bearer token (8 hours).
    token: String,
    /// `admin` or `reviewer`.
    role: String,
}
use sqlx::Row;

/// Wrong passwords in a row that lock a staff account.
pub(crate) const STAFF_MAX_FAILURES: u8 = 5;
/// How long a staff lock lasts.
pub(crate) const STAFF_LOCK_SECONDS: i64 = 15 * 60;

/// `POST /staff/login` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct LoginRequest {
    staff_id: String,
    password: String,
}

/// `POST /staff/login` → `{token, role}`.
#[utoipa::path(post, path = "/staff/login", operation_id = "staff_login", tag = "staff", request_body = LoginRequest,
    responses((status = 200, body = StaffSession), (status = "4XX", description = "Refused: the code says why", body = crate::openapi::ErrorBody)))]
pub(crate) async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<StaffSession>, ApiError> {
    let row = sqlx::query("SELECT role, password_hash, locked_until FROM staff WHERE staff_id = $1")
        .bind(req.staff_id.clone())
        .fetch_optional(&state.db.pool)
        .await?;
    let wrong = || ApiError::status(CertifyStatus::LoginWrongCredentials, "wrong staff id or password");
    let now = state.now().unix_seconds();
    let Some(row) = row else {
        // The same work and answer as a wrong password.
        let password = req.password;
        state
            .blocking(move || {
                let _ = certify_core::account::password::verify_password(&password, crate::accounts::dummy_hash());
            })
            .await?;
        return Err(wrong());
    };
    let (role, hash, locked_until): (String, String, i64) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
    if locked_until > now {
        return Err(ApiError::status(
            CertifyStatus::LoginLocked,
            format!(
                "locked after {STAFF_MAX_FAILURES} wrong passwords; try again in {} minutes or ask an administrator",
                (locked_until - now + 59) / 60
            ),
        ));
    }
    let password = req.password;
    let ok = state
        .blocking(move || certify_core::account::password::verify_password(&password, &hash))
        .await??;
    let mut tx = state.db.begin_write().await?;
    if !ok {
        sqlx::query(
            "UPDATE staff SET failed_logins = failed_logins + 1, locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END WHERE staff_id = $3",
        )
        .bind(i64::from(STAFF_MAX_FAILURES))
        .bind(now + STAFF_LOCK_SECONDS)
        .bind(req.staff_id.clone())
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            state.now(),
            &req.staff_id,
            "staff.login_failed",
            &req.staff_id,
            &json!({}),
        )
        .await?;
        tx.commit().await?;
        return Err(wrong());
    }
    sqlx::query("UPDATE staff SET failed_logins = 0, locked_until = 0 WHERE staff_id = $1")
        .bind(req.staff_id.clone())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let token = open_session(&state, &format!("staff:{role}"), &req.staff_id, 8).await?;
    Ok(Json(StaffSession { token, role }))
}
