//! Staff login: an 8-hour session separate from pensioners'; the password is verified on
//! the blocking pool, a failure audited.

use crate::AppState;
use crate::audit::audit;
use crate::error::ApiError;
use crate::extract::{ApiJson, open_session};
use axum::Json;
use axum::extract::State;
use certify::CertifyStatus;
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
    let row = sqlx::query("SELECT role, password_hash FROM staff WHERE staff_id = $1")
        .bind(req.staff_id.clone())
        .fetch_optional(&state.db.pool)
        .await?;
    let wrong = || ApiError::status(CertifyStatus::LoginWrongCredentials, "wrong staff id or password");
    let row = row.ok_or_else(wrong)?;
    let (role, hash): (String, String) = (row.try_get(0)?, row.try_get(1)?);
    let password = req.password;
    let ok = state
        .blocking(move || certify_core::account::password::verify_password(&password, &hash))
        .await??;
    if !ok {
        let mut tx = state.db.begin_write().await?;
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
    let token = open_session(&state, &format!("staff:{role}"), &req.staff_id, 8).await?;
    Ok(Json(StaffSession { token, role }))
}
