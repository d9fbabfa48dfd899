//! Request extractors: who is calling ([`Holder`], [`Staff`]), the `Idempotency-Key`, and
//! JSON bodies and queries whose rejections are the server's JSON errors ([`ApiJson`],
//! [`ApiQuery`]). Handlers take these as arguments instead of parsing headers themselves.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use sqlx::Row;
use std::marker::PhantomData;

/// A JSON body; a malformed one is the JSON error `911` rather than axum's plain text.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ApiJson<T>(pub(crate) T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    axum::Json<T>: FromRequest<S, Rejection = axum::extract::rejection::JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(v) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Self(v))
    }
}

/// A query string; a malformed one is the JSON error `911`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ApiQuery<T>(pub(crate) T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(v) = axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Self(v))
    }
}

/// A session as stored: its kind (`pensioner` or `staff:<role>`) and subject.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) kind: String,
    pub(crate) subject: String,
}

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(ApiError::unauthorized)
}

async fn session(parts: &Parts, state: &AppState) -> Result<Session, ApiError> {
    let token = bearer(parts)?;
    let row = sqlx::query("SELECT kind, subject, expires_at FROM sessions WHERE token = $1")
        .bind(token.to_owned())
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let expires: i64 = row.try_get(2)?;
    if state.now().unix_seconds() >= expires {
        return Err(ApiError::unauthorized());
    }
    Ok(Session {
        kind: row.try_get(0)?,
        subject: row.try_get(1)?,
    })
}

/// A pensioner (or relative) with an account, by their `Authorization: Bearer` token.
/// Staff tokens are refused (`901`).
#[derive(Debug, Clone)]
pub(crate) struct Holder {
    /// The account's identity number.
    pub(crate) id: String,
}

impl FromRequestParts<AppState> for Holder {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let s = session(parts, state).await?;
        if s.kind != "pensioner" {
            return Err(ApiError::forbidden());
        }
        Ok(Holder { id: s.subject })
    }
}

/// The staff roles a route admits (`admin` is always admitted).
pub(crate) trait Role: Send + Sync + 'static {
    /// Roles besides `admin`.
    const ROLES: &'static [&'static str];
}

/// Administrators only.
#[derive(Debug)]
pub(crate) struct Admin;
impl Role for Admin {
    const ROLES: &'static [&'static str] = &[];
}

/// Reviewers (and administrators).
#[derive(Debug)]
pub(crate) struct Reviewer;
impl Role for Reviewer {
    const ROLES: &'static [&'static str] = &["reviewer"];
}

/// A staff member whose role `R` admits, by their bearer token.
#[derive(Debug)]
pub(crate) struct Staff<R: Role> {
    /// The staff id.
    pub(crate) id: String,
    role: PhantomData<R>,
}

impl<R: Role> FromRequestParts<AppState> for Staff<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let s = session(parts, state).await?;
        let role = s.kind.strip_prefix("staff:").ok_or_else(ApiError::forbidden)?;
        if role == "admin" || R::ROLES.contains(&role) {
            Ok(Staff {
                id: s.subject,
                role: PhantomData,
            })
        } else {
            Err(ApiError::forbidden())
        }
    }
}

/// The `Idempotency-Key` header (1–128 bytes), if any.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdempotencyKey(Option<String>);

impl IdempotencyKey {
    /// The key scoped to the caller (two callers' equal keys never collide).
    pub(crate) fn scoped(&self, caller: &str) -> Option<String> {
        self.0.as_ref().map(|k| format!("{caller}:{k}"))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(IdempotencyKey(
            parts
                .headers
                .get("idempotency-key")
                .and_then(|v| v.to_str().ok())
                .filter(|k| !k.is_empty() && k.len() <= 128)
                .map(str::to_owned),
        ))
    }
}

/// `POST /api/logout` and `POST /staff/logout`: end the calling session (any kind).
#[utoipa::path(post, path = "/api/logout", tag = "accounts", security(("bearer" = [])),
    responses((status = 204, description = "Logged out"), (status = "4XX", description = "No session", body = crate::openapi::ErrorBody)))]
pub(crate) async fn logout(
    axum::extract::State(state): axum::extract::State<AppState>,
    parts: axum::http::request::Parts,
) -> Result<axum::http::StatusCode, ApiError> {
    let token = bearer(&parts)?;
    let done = sqlx::query("DELETE FROM sessions WHERE token = $1")
        .bind(token.to_owned())
        .execute(&state.db.pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::unauthorized());
    }
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// End every pensioner session of `holder_id` (password reset, lock), inside the
/// change's transaction: a stolen token dies with the password.
pub(crate) async fn end_sessions(conn: &mut sqlx::AnyConnection, holder_id: &str) -> Result<(), ApiError> {
    sqlx::query("DELETE FROM sessions WHERE kind = 'pensioner' AND subject = $1")
        .bind(holder_id.to_owned())
        .execute(conn)
        .await?;
    Ok(())
}

/// Delete what has expired: sessions, captchas, evidence challenges and voice prompts
/// (used or past their expiry), liveness runs. Run periodically by the server.
pub async fn delete_expired(state: &AppState) -> Result<u64, ApiError> {
    let now = state.now().unix_seconds();
    let mut n = 0;
    for sql in [
        "DELETE FROM sessions WHERE expires_at < $1",
        "DELETE FROM captchas WHERE expires_at < $1",
        "DELETE FROM challenges WHERE expires_at < $1",
        "DELETE FROM voice_sessions WHERE expires_at < $1",
        "DELETE FROM liveness_sessions WHERE expires_at < $1",
    ] {
        n += sqlx::query(sql)
            .bind(now)
            .execute(&state.db.pool)
            .await?
            .rows_affected();
    }
    Ok(n)
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
