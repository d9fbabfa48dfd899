//! The manual review decision (approve takes the template from the held selfie; the
//! images are deleted either way), revocation of an approved enrollment, and the console
//! page. The queue itself is `queue`.

use crate::AppState;
use crate::audit::audit;
use crate::enrollment::{discard_held, insert_template, save_case};
use crate::error::ApiError;
use crate::extract::{ApiJson, Reviewer, Staff};
use crate::store::Versioned;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Html;
use certify_bridge::CertifyStatus;
use certify_core::enrollment::{EnrollmentCase, EnrollmentState, ManualDecision};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;
use utoipa::ToSchema;

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

/// `GET /staff` and `GET /staff/review`: the staff console (one page in Chinese that logs
/// in and calls the API: review, person lookup, home visits, roster import, declarations,
/// the deadline run, data comparison, the audit log).
pub(crate) async fn review_page() -> Html<&'static str> {
    Html(include_str!("../console.html"))
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
