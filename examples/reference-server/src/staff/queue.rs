//! The review queue: cases in manual review a page at a time from the `review_since`
//! index (search by identity-number prefix or roster text), each with the hold reasons, the
//! latest automatic review and links to its images — the held uploads and the authority's
//! portrait — fetched one by one. Cases past the review week expire first.

use crate::AppState;
use crate::audit::audit;
use crate::enrollment::{discard_held, save_case};
use crate::error::ApiError;
use crate::extract::{Reviewer, Staff};
use crate::people::roster_entry;
use crate::store::Versioned;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use certify_core::enrollment::{EnrollmentCase, EnrollmentState};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A case in manual review.
#[derive(Serialize, ToSchema)]
pub(crate) struct ReviewCase {
    /// Whose enrollment.
    holder_id: String,
    /// The roster name (bidirectional controls removed for display).
    name: String,
    /// `face` or `voice`.
    modality: String,
    /// When it entered review.
    #[schema(value_type = i64)]
    since: certify_core::time::Timestamp,
    /// Seconds left of the review week.
    expires_in_seconds: i64,
    /// Links to the held images, by name (`card_front`, `card_back`, `selfie`, and
    /// `reference` — the authority's portrait — when there is one): fetch each with the
    /// bearer token.
    images: BTreeMap<String, String>,
    /// Why the case is held (empty: three failed automatic reviews): uploaded by a proxy,
    /// no authoritative portrait, the face already enrolled for another person.
    #[schema(value_type = Vec<Object>)]
    reasons: Vec<certify_core::enrollment::HoldReason>,
    /// The latest automatic review of an upload (`{at, by, issues, portrait_distance,
    /// has_portrait}`): what failed, and how far the live face was from the authority's
    /// portrait (below 0.50 is the same person).
    #[schema(value_type = Option<Object>)]
    last_review: Option<serde_json::Value>,
}

/// A page of the review queue, oldest first.
#[derive(Serialize, ToSchema)]
pub(crate) struct ReviewQueue {
    /// Cases.
    cases: Vec<ReviewCase>,
    /// Cases waiting that match the search, in all.
    total: i64,
}

/// `GET /staff/api/review` query.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct QueueQuery {
    /// An identity-number prefix, or any text of the person's roster entry (name, unit).
    #[serde(default)]
    q: Option<String>,
    /// At most this many cases (default 20, at most 100).
    #[serde(default)]
    limit: Option<i64>,
    /// Skip this many.
    #[serde(default)]
    offset: Option<i64>,
}

/// `q` for a `LIKE` pattern: `%`, `_` and the escape character are literal.
fn like_escaped(q: &str) -> String {
    q.chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

/// Expire the cases whose review week ended (they go back to the person).
async fn expire_overdue(state: &AppState, staff_id: &str) -> Result<(), ApiError> {
    let now = state.now();
    let cutoff = crate::enrollment::review_key(certify_core::time::Timestamp::from_unix_seconds(
        now.unix_seconds() - certify_core::enrollment::MANUAL_REVIEW_SECONDS,
    ));
    let rows = sqlx::query(
        "SELECT holder_id, modality, case_json, version FROM enrollments WHERE review_since IS NOT NULL AND review_since <= $1",
    )
    .bind(cutoff)
    .fetch_all(&state.db.pool)
    .await?;
    for r in rows {
        let (holder, modality, text): (String, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        let mut case = Versioned {
            value: serde_json::from_str::<EnrollmentCase>(&text)?,
            version: Some(r.try_get(3)?),
        };
        let events = case.value.advance(now);
        if events.is_empty() {
            continue;
        }
        let mut tx = state.db.begin_write().await?;
        save_case(&mut tx, &holder, &modality, &case).await?;
        discard_held(&mut tx, &holder, &modality).await?;
        audit(
            &mut tx,
            now,
            staff_id,
            "enrollment.expired",
            &holder,
            &json!({"events": events}),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// `GET /staff/api/review?q=&limit=&offset=`: cases in manual review, oldest first, a page
/// at a time, with links to their held images (fetched one by one) and the time left of
/// the week; cases past the week expire first.
#[utoipa::path(get, path = "/staff/api/review", tag = "staff", params(QueueQuery), security(("bearer" = [])),
    responses((status = 200, body = ReviewQueue), (status = "4XX", description = "Refused: the code says why", body = crate::openapi::ErrorBody)))]
pub(crate) async fn review_queue(
    State(state): State<AppState>,
    c: Staff<Reviewer>,
    crate::extract::ApiQuery(query): crate::extract::ApiQuery<QueueQuery>,
) -> Result<Json<ReviewQueue>, ApiError> {
    expire_overdue(&state, &c.id).await?;
    let now = state.now();
    let limit = query.limit.unwrap_or(20).clamp(1, 100);
    let offset = query.offset.unwrap_or(0).max(0);
    let q = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(like_escaped);
    let filter = "FROM enrollments e LEFT JOIN roster r ON r.id_number = e.holder_id WHERE e.review_since IS NOT NULL \
                  AND ($1 = '' OR e.holder_id LIKE $1 || '%' ESCAPE '\\' OR r.entry_json LIKE '%' || $1 || '%' ESCAPE '\\')";
    let q = q.unwrap_or_default();
    let total: i64 = sqlx::query(&format!("SELECT COUNT(*) {filter}"))
        .bind(q.clone())
        .fetch_one(&state.db.pool)
        .await?
        .try_get(0)?;
    let rows = sqlx::query(&format!(
        "SELECT e.holder_id, e.modality, e.case_json {filter} ORDER BY e.review_since, e.holder_id LIMIT $2 OFFSET $3"
    ))
    .bind(q)
    .bind(limit)
    .bind(offset)
    .fetch_all(&state.db.pool)
    .await?;
    let mut cases = Vec::with_capacity(rows.len());
    for r in rows {
        let (holder, modality, text): (String, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        let case = serde_json::from_str::<EnrollmentCase>(&text)?;
        let EnrollmentState::ManualReview { since, .. } = case.state else {
            continue;
        };
        let name = roster_entry(&state, &holder)
            .await?
            .map(|(e, _)| e.name.for_display())
            .unwrap_or_default();
        let held = sqlx::query("SELECT name FROM held_uploads WHERE holder_id = $1 AND modality = $2 ORDER BY name")
            .bind(holder.clone())
            .bind(modality.clone())
            .fetch_all(&state.db.pool)
            .await?;
        let mut images = BTreeMap::new();
        // The authority's portrait beside the uploads, when there is one.
        if state.portraits.portrait(&holder).is_some() {
            images.insert(
                "reference".to_owned(),
                format!("/staff/api/review/{holder}/{modality}/images/reference"),
            );
        }
        for h in held {
            let n: String = h.try_get(0)?;
            let url = format!("/staff/api/review/{holder}/{modality}/images/{n}");
            images.insert(n, url);
        }
        let last_review = sqlx::query(
            "SELECT at, actor, detail_json FROM audit_log WHERE subject = $1 AND action = 'enrollment.face_submitted' ORDER BY id DESC LIMIT 1",
        )
        .bind(holder.clone())
        .fetch_optional(&state.db.pool)
        .await?
        .map(|r| -> Result<serde_json::Value, ApiError> {
            let detail: serde_json::Value = serde_json::from_str(&r.try_get::<String, _>(2)?)?;
            Ok(json!({
                "at": r.try_get::<i64, _>(0)?,
                "by": r.try_get::<String, _>(1)?,
                "issues": detail["issues"],
                "portrait_distance": detail["portrait_distance"],
                "has_portrait": detail["has_portrait"],
            }))
        })
        .transpose()?;
        cases.push(ReviewCase {
            last_review,
            expires_in_seconds: (since.unix_seconds() + certify_core::enrollment::MANUAL_REVIEW_SECONDS)
                - now.unix_seconds(),
            reasons: case.hold_reasons().to_vec(),
            holder_id: holder,
            name,
            modality,
            since,
            images,
        });
    }
    Ok(Json(ReviewQueue { cases, total }))
}

/// `GET /staff/api/review/{holder}/{modality}/images/{name}`: one held image of a case in
/// review (`card_front`, `card_back`, `selfie`), as uploaded.
#[utoipa::path(get, path = "/staff/api/review/{holder}/{modality}/images/{name}", tag = "staff", security(("bearer" = [])),
    params(("holder" = String, Path, description = "Identity number"), ("modality" = String, Path, description = "face"),
           ("name" = String, Path, description = "card_front, card_back, selfie, or reference (the authority's portrait)")),
    responses((status = 200, description = "The image (JPEG or PNG)", content_type = "image/jpeg", body = Vec<u8>),
              (status = "4XX", description = "Refused: the code says why", body = crate::openapi::ErrorBody)))]
pub(crate) async fn held_image(
    State(state): State<AppState>,
    _c: Staff<Reviewer>,
    Path((holder, modality, name)): Path<(String, String, String)>,
) -> Result<axum::response::Response, ApiError> {
    let data: Vec<u8> = if name == "reference" {
        state
            .portraits
            .portrait(&holder)
            .ok_or_else(|| ApiError::not_found("reference portrait"))?
    } else {
        sqlx::query("SELECT data FROM held_uploads WHERE holder_id = $1 AND modality = $2 AND name = $3")
            .bind(holder)
            .bind(modality)
            .bind(name)
            .fetch_optional(&state.db.pool)
            .await?
            .ok_or_else(|| ApiError::not_found("image"))?
            .try_get(0)?
    };
    let mime = if data.starts_with(&[0x89, b'P']) {
        "image/png"
    } else {
        "image/jpeg"
    };
    Ok(([(axum::http::header::CONTENT_TYPE, mime)], data).into_response())
}
