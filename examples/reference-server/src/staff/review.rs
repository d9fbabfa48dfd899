//! The manual review console: the queue of enrollment cases in staff review with their
//! held images, and the decision (approve takes the template from the held selfie; the
//! images are deleted either way). Cases past the week expire here.

use crate::AppState;
use crate::audit::audit;
use crate::enrollment::{discard_held, insert_template, save_case};
use crate::error::ApiError;
use crate::extract::{ApiJson, Reviewer, Staff};
use crate::people::roster_entry;
use crate::store::Versioned;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse};
use certify::CertifyStatus;
use certify_core::enrollment::{EnrollmentCase, EnrollmentState, ManualDecision};
use serde::{Deserialize, Serialize};
use serde_json::json;
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
}

/// A page of the review queue, oldest first.
#[derive(Serialize, ToSchema)]
pub(crate) struct ReviewQueue {
    /// Cases.
    cases: Vec<ReviewCase>,
    /// Cases waiting that match the search, in all.
    total: i64,
}

/// `POST /staff/api/enrollment/{holder}/face/revoke` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct RevokeRequest {
    /// Why (reported fraud, a face changed by illness …); shown in the history and audit.
    reason: String,
}

/// `POST /staff/api/enrollment/{holder}/face/revoke`: revoke an approved face enrollment
/// (the template is deleted and leaves the 1:N index); the person may then enroll again.
#[utoipa::path(post, path = "/staff/api/enrollment/{holder}/face/revoke", tag = "staff", request_body = RevokeRequest,
    security(("bearer" = [])),
    params(("holder" = String, Path, description = "Identity number")),
    responses((status = 200, body = Decided), (status = "4XX", description = "Refused", body = crate::openapi::ErrorBody)))]
pub(crate) async fn revoke(
    State(state): State<AppState>,
    c: Staff<Reviewer>,
    Path(holder): Path<String>,
    ApiJson(req): ApiJson<RevokeRequest>,
) -> Result<Json<Decided>, ApiError> {
    if req.reason.trim().is_empty() {
        return Err(ApiError::status(CertifyStatus::InvalidArgument, "give the reason"));
    }
    let mut case: Versioned<EnrollmentCase> =
        crate::store::load(&state.db.pool, crate::store::ENROLLMENTS, &[&holder, "face"])
            .await?
            .ok_or_else(|| ApiError::not_found("enrollment case"))?;
    let now = state.now();
    let events = case.value.revoke(&c.id, req.reason.trim(), now)?;
    let mut tx = state.db.begin_write().await?;
    save_case(&mut tx, &holder, "face", &case).await?;
    for e in &events {
        if let certify_core::enrollment::EnrollmentEvent::Revoked {
            template_ref: Some(t), ..
        } = e
        {
            sqlx::query("DELETE FROM templates WHERE template_ref = $1")
                .bind(t.clone())
                .execute(&mut *tx)
                .await?;
        }
    }
    crate::identity::log_approval(&mut tx, &holder, None).await?;
    audit(
        &mut tx,
        now,
        &c.id,
        "enrollment.revoked",
        &holder,
        &json!({"events": events}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(Decided {
        state: case.value.state,
    }))
}

/// A case after the decision.
#[derive(Serialize, ToSchema)]
pub(crate) struct Decided {
    /// The case's state.
    #[schema(value_type = Object)]
    state: EnrollmentState,
}
use sqlx::Row;

/// `GET /staff` and `GET /staff/review`: the staff console (one page in Chinese that logs
/// in and calls the API: review, person lookup, home visits, roster import, declarations,
/// the deadline run, data comparison, the audit log).
pub(crate) async fn review_page() -> Html<&'static str> {
    Html(include_str!("../console.html"))
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
        cases.push(ReviewCase {
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

#[derive(Deserialize, ToSchema)]
pub(crate) struct DecideRequest {
    /// `approve` or `reject`.
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /staff/api/review/{holder}/{modality}`: approve (the template is taken from the
/// held selfie) or reject; the held images are deleted either way.
#[utoipa::path(post, path = "/staff/api/review/{holder}/{modality}", tag = "staff", request_body = DecideRequest, security(("bearer" = [])),
    params(("holder" = String, Path, description = "Identity number"), ("modality" = String, Path, description = "face or voice")),
    responses((status = 200, body = Decided), (status = "4XX", description = "Refused: the code says why", body = crate::openapi::ErrorBody)))]
pub(crate) async fn review_decide(
    State(state): State<AppState>,
    c: Staff<Reviewer>,
    Path((holder, modality)): Path<(String, String)>,
    ApiJson(req): ApiJson<DecideRequest>,
) -> Result<Json<Decided>, ApiError> {
    let mut case: Versioned<EnrollmentCase> =
        crate::store::load(&state.db.pool, crate::store::ENROLLMENTS, &[&holder, &modality])
            .await?
            .ok_or_else(|| ApiError::not_found("enrollment case"))?;
    let now = state.now();
    let mut template = None;
    let decision = match req.decision.as_str() {
        "approve" if modality != "face" => {
            // Recordings are not held: a voice case is re-recorded, not approved by hand.
            return Err(ApiError::status(
                CertifyStatus::InvalidArgument,
                "voice cases cannot be approved by hand; reject so the person records again",
            ));
        }
        "approve" => {
            let selfie: Vec<u8> =
                sqlx::query("SELECT data FROM held_uploads WHERE holder_id = $1 AND modality = $2 AND name = 'selfie'")
                    .bind(holder.clone())
                    .bind(modality.clone())
                    .fetch_optional(&state.db.pool)
                    .await?
                    .ok_or_else(|| ApiError::not_found("held selfie"))?
                    .try_get(0)?;
            let engine = state.face.clone();
            // Staff accepted the photos: the live (largest) face is embedded even when the
            // automatic quality gate refused it (too dark, blurred …).
            let t = state
                .blocking(move || -> Result<_, ApiError> {
                    let img = certify_face::image_io::decode(&selfie)?;
                    let analysis = engine.analyze(&img)?;
                    let face = analysis.primary.ok_or_else(|| {
                        ApiError::status(CertifyStatus::FaceQuality, "no face in the held selfie; reject instead")
                    })?;
                    Ok(engine.embed(&img, &face)?)
                })
                .await??;
            let r = state.random_hex(16);
            template = Some((r.clone(), t));
            ManualDecision::Approve { template_ref: r }
        }
        "reject" => ManualDecision::Reject {
            reason: if req.reason.is_empty() {
                "rejected by staff".into()
            } else {
                req.reason.clone()
            },
        },
        _ => {
            return Err(ApiError::status(
                CertifyStatus::InvalidArgument,
                "decision is approve or reject",
            ));
        }
    };
    let result = case.value.decide(decision, &c.id, now);
    let mut tx = state.db.begin_write().await?;
    let events = match result {
        Ok(e) => e,
        Err(e) => {
            // An expired case is closed too: save it and drop its images.
            save_case(&mut tx, &holder, &modality, &case).await?;
            if !matches!(case.value.state, EnrollmentState::ManualReview { .. }) {
                discard_held(&mut tx, &holder, &modality).await?;
            }
            tx.commit().await?;
            return Err(e.into());
        }
    };
    if let Some((r, t)) = template {
        insert_template(&mut tx, &r, &modality, &t.embedding).await?;
        if modality == "face" {
            crate::identity::log_approval(&mut tx, &holder, Some(&r)).await?;
        }
    }
    save_case(&mut tx, &holder, &modality, &case).await?;
    discard_held(&mut tx, &holder, &modality).await?;
    audit(
        &mut tx,
        now,
        &c.id,
        &format!("enrollment.{}", req.decision),
        &holder,
        &json!({"events": events}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(Decided {
        state: case.value.state,
    }))
}
