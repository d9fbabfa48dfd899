//! Retried requests (`Idempotency-Key`): the first response is stored in the same
//! transaction as its effects, and a retry with the same key gets it back unchanged.

use crate::AppState;
use crate::error::ApiError;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use sqlx::Row;

/// The stored response for `key`, if the request was already done.
pub(crate) async fn replay(state: &AppState, key: Option<&str>) -> Result<Option<Response>, ApiError> {
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
            Some((code, [(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response())
        }
        None => None,
    })
}

/// Record the response of an idempotent request in the same transaction as its effects.
pub(crate) async fn store(conn: &mut sqlx::AnyConnection, key: Option<&str>, body: &Value) -> Result<(), ApiError> {
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
