//! The append-only audit log: written inside each change's transaction (the log and the
//! change commit together), read by staff. Details hold no secrets or biometric data.

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Admin, ApiQuery, Staff};
use axum::Json;
use axum::extract::State;
use certify_core::time::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::Row;

/// Append to the audit log inside the caller's transaction.
pub(crate) async fn audit(
    conn: &mut sqlx::AnyConnection,
    at: Timestamp,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &Value,
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

/// `GET /staff/api/audit` query.
#[derive(Deserialize)]
pub(crate) struct AuditQuery {
    #[serde(default)]
    limit: Option<i64>,
}

/// `GET /staff/api/audit?limit=`: the newest audit entries.
pub(crate) async fn audit_log(
    State(state): State<AppState>,
    _staff: Staff<Admin>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    let rows =
        sqlx::query("SELECT id, at, actor, action, subject, detail_json FROM audit_log ORDER BY id DESC LIMIT $1")
            .bind(q.limit.unwrap_or(100).clamp(1, 1000))
            .fetch_all(&state.db.pool)
            .await?;
    let entries = rows
        .iter()
        .map(|r| {
            Ok(json!({
                "id": r.try_get::<i64, _>(0)?,
                "at": r.try_get::<i64, _>(1)?,
                "actor": r.try_get::<String, _>(2)?,
                "action": r.try_get::<String, _>(3)?,
                "subject": r.try_get::<String, _>(4)?,
                "detail": serde_json::from_str::<Value>(&r.try_get::<String, _>(5)?)?,
            }))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Json(json!({"entries": entries})))
}
