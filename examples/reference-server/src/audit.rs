//! The append-only audit log: written inside each change's transaction (the log and the
//! change commit together), read by staff. Details hold no secrets or biometric data.

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Admin, ApiQuery, Staff};
use axum::Json;
use axum::extract::State;
use certify_core::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

/// One audit entry.
#[derive(Serialize, ToSchema)]
pub(crate) struct AuditEntry {
    /// Sequence number.
    id: i64,
    /// Unix seconds.
    at: i64,
    /// Who (holder id, staff id or `system`).
    actor: String,
    /// What (`account.registered`, `deadline.run` …).
    action: String,
    /// About whom.
    subject: String,
    /// Detail (no secrets, no biometric data).
    #[schema(value_type = Object)]
    detail: Value,
}

/// The newest entries first.
#[derive(Serialize, ToSchema)]
pub(crate) struct AuditLog {
    /// Entries.
    entries: Vec<AuditEntry>,
}
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
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AuditQuery {
    /// How many (1–1000, default 100).
    #[serde(default)]
    limit: Option<i64>,
    /// Only this actor (an identity number or a staff id).
    #[serde(default)]
    actor: Option<String>,
    /// Only actions starting with this (`certification.`, `visit.done`, …).
    #[serde(default)]
    action: Option<String>,
    /// Only about this person (identity number).
    #[serde(default)]
    subject: Option<String>,
    /// Only entries older than this id (the next page).
    #[serde(default)]
    before: Option<i64>,
}

/// `GET /staff/api/audit?limit=&actor=&action=&subject=&before=`: the newest audit entries,
/// filtered.
#[utoipa::path(get, path = "/staff/api/audit", tag = "staff", params(AuditQuery), security(("bearer" = [])),
    responses((status = 200, body = AuditLog), (status = "4XX", description = "Refused", body = crate::openapi::ErrorBody)))]
pub(crate) async fn audit_log(
    State(state): State<AppState>,
    _staff: Staff<Admin>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<AuditLog>, ApiError> {
    let text = |v: Option<String>| v.map(|s| s.trim().to_owned()).unwrap_or_default();
    let action: String = text(q.action)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_')
        .collect();
    let rows = sqlx::query(
        "SELECT id, at, actor, action, subject, detail_json FROM audit_log \
         WHERE ($2 = '' OR actor = $2) AND ($3 = '' OR action LIKE $3 || '%') AND ($4 = '' OR subject = $4) AND id < $5 \
         ORDER BY id DESC LIMIT $1",
    )
    .bind(q.limit.unwrap_or(100).clamp(1, 1000))
    .bind(text(q.actor))
    .bind(action)
    .bind(text(q.subject))
    .bind(q.before.unwrap_or(i64::MAX))
    .fetch_all(&state.db.pool)
    .await?;
    let entries = rows
        .iter()
        .map(|r| {
            Ok(AuditEntry {
                id: r.try_get(0)?,
                at: r.try_get(1)?,
                actor: r.try_get(2)?,
                action: r.try_get(3)?,
                subject: r.try_get(4)?,
                detail: serde_json::from_str(&r.try_get::<String, _>(5)?)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Json(AuditLog { entries }))
}
