//! Face enrollment (人脸采集): automatic review of the identity card and a selfie with it;
//! three failures go to staff review with the images held until the case closes. The case
//! is the core's `EnrollmentCase`, stored with compare-and-swap.

use crate::AppState;
use crate::audit::audit;
use crate::contacts::{ActingFor, SubjectArg, acting_for};
use crate::error::ApiError;
use crate::extract::{ApiJson, Holder, IdempotencyKey};
use crate::idempotency;
use crate::store::{self, Versioned};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use certify_core::biometric::Modality;
use certify_core::enrollment::{
    AutomaticReview, EnrollmentCase, EnrollmentEvent, EnrollmentState, HoldReason, Submitter, require_real_name,
};
use certify_core::id::ResidentId;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The enrollment routes.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(enroll_face))
        .routes(routes!(enrollment_status))
}

/// The case after an upload.
#[derive(Serialize, ToSchema)]
pub(crate) struct Submitted {
    /// The case's state (`collecting`, `approved`, `manual_review` …).
    #[schema(value_type = Object)]
    state: certify_core::enrollment::EnrollmentState,
    /// Quality issues of this upload.
    issues: Vec<String>,
    /// What changed.
    #[schema(value_type = Vec<Object>)]
    events: Vec<EnrollmentEvent>,
}

/// A face enrollment case.
#[derive(Serialize, ToSchema)]
pub(crate) struct CaseStatus {
    /// The case.
    #[schema(value_type = Object)]
    face: EnrollmentCase,
}

/// Decode a base64 upload.
pub(crate) fn decode_base64(b64: &str, what: &str) -> Result<Vec<u8>, ApiError> {
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| ApiError::bad_upload(format!("{what} is not valid base64")))
}

/// Decode a base64 JPEG/PNG upload.
pub(crate) fn image_of(b64: &str) -> Result<image::RgbImage, ApiError> {
    Ok(certify_face::image_io::decode(&decode_base64(b64, "an image")?)?)
}

/// The enrollment case of `holder_id` for `modality` (a new one when none is stored).
pub(crate) async fn load_case(
    state: &AppState,
    holder_id: &str,
    modality: &str,
) -> Result<Versioned<EnrollmentCase>, ApiError> {
    Ok(store::load(&state.db.pool, store::ENROLLMENTS, &[holder_id, modality])
        .await?
        .unwrap_or_else(|| {
            Versioned::new(EnrollmentCase::new(if modality == "voice" {
                Modality::Voice
            } else {
                Modality::Face
            }))
        }))
}

/// Store a case (compare-and-swap: a parallel upload or decision makes this one `908`).
pub(crate) async fn save_case(
    conn: &mut sqlx::AnyConnection,
    holder_id: &str,
    modality: &str,
    case: &Versioned<EnrollmentCase>,
) -> Result<(), ApiError> {
    // Set exactly while the case waits for staff (the review queue's index).
    let review_since = match &case.value.state {
        EnrollmentState::ManualReview { since, .. } => Some(review_key(*since)),
        _ => None,
    };
    store::save(
        conn,
        store::ENROLLMENTS,
        &[holder_id, modality],
        case,
        &[("review_since", review_since)],
    )
    .await
    .map(|_| ())
}

/// The review queue's sort key of a case in review since `since`.
pub(crate) fn review_key(since: certify_core::time::Timestamp) -> String {
    format!("{:012}", since.unix_seconds().max(0))
}

/// Held uploads are deleted when the case closes (approved, rejected, expired).
pub(crate) async fn discard_held(
    conn: &mut sqlx::AnyConnection,
    holder_id: &str,
    modality: &str,
) -> Result<(), ApiError> {
    sqlx::query("DELETE FROM held_uploads WHERE holder_id = $1 AND modality = $2")
        .bind(holder_id.to_owned())
        .bind(modality.to_owned())
        .execute(conn)
        .await?;
    Ok(())
}

/// Store a template apart from identity, under a random reference.
pub(crate) async fn insert_template(
    conn: &mut sqlx::AnyConnection,
    template_ref: &str,
    modality: &str,
    embedding: &[f32],
) -> Result<(), ApiError> {
    sqlx::query("INSERT INTO templates (template_ref, modality, template_json) VALUES ($1, $2, $3)")
        .bind(template_ref.to_owned())
        .bind(modality.to_owned())
        .bind(serde_json::to_string(embedding)?)
        .execute(conn)
        .await?;
    Ok(())
}

/// `POST /api/enrollment/face` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct FaceEnrollRequest {
    /// Whose enrollment (a contact's number; absent: the holder).
    #[serde(default)]
    subject: Option<String>,
    card_front: String,
    card_back: String,
    /// A selfie holding the identity card.
    selfie: String,
}

/// `POST /api/enrollment/face` (`Idempotency-Key` recommended): automatic review of the
/// card front, back and a selfie with the card, and of the live face against the
/// authoritative portrait. Passed with no reason to hold it: the template is stored (apart
/// from identity) and the images dropped. Held for staff with the images (until the case
/// closes): an upload by a relative, one with no authoritative portrait to compare with, a
/// face already enrolled for someone else, and the third failure. The submitter must have
/// passed real-name verification.
#[utoipa::path(post, path = "/api/enrollment/face", tag = "identity", request_body = FaceEnrollRequest, security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer")),
    responses((status = 200, body = Submitted), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn enroll_face(
    State(state): State<AppState>,
    holder: Holder,
    idem: IdempotencyKey,
    ApiJson(req): ApiJson<FaceEnrollRequest>,
) -> Result<Response, ApiError> {
    let key = idem.scoped(&holder.id);
    if let Some(r) = idempotency::replay(&state, key.as_deref()).await? {
        return Ok(r);
    }
    let subject = acting_for(&state, &holder, req.subject.as_deref()).await?;
    require_real_name(&crate::accounts::load_account(&state, &holder.id).await?.value)?;
    let submitter = if subject == holder.id {
        Submitter::Person
    } else {
        Submitter::Proxy {
            id: ResidentId::parse(&holder.id)?,
        }
    };
    let portrait = state.portraits.portrait(&subject);
    let uploads = [
        ("card_front", decode_base64(&req.card_front, "card_front")?),
        ("card_back", decode_base64(&req.card_back, "card_back")?),
        ("selfie", decode_base64(&req.selfie, "selfie")?),
    ];
    let face = state.face.clone();
    // The uploads move into the blocking task and come back with the review (they are
    // kept only if the case goes to staff): no copy of up to 24 MiB.
    let (uploads, checked) = state
        .blocking(move || -> Result<_, ApiError> {
            let decode = |i: usize| certify_face::image_io::decode(&uploads[i].1);
            let (front, back, selfie) = (decode(0)?, decode(1)?, decode(2)?);
            // An authority portrait that cannot be decoded counts as none: held for staff.
            let reference = portrait.and_then(|p| certify_face::image_io::decode(&p).ok());
            // The live face against the authority's portrait, not only the client's card.
            let checked = face.review_enrollment_with_reference(&front, &back, &selfie, reference.as_ref())?;
            Ok((uploads, checked))
        })
        .await??;
    let (review, portrait_distance, has_portrait) = (checked.review, checked.reference_distance, checked.had_reference);
    let core_review = review.to_core(String::new());
    let mut holds = Vec::new();
    if !has_portrait {
        holds.push(HoldReason::NoAuthoritativePortrait);
    }
    if let (AutomaticReview::Passed { .. }, Some(t)) = (&core_review, &review.template) {
        // One face, one person: the same face enrolled for someone else goes to staff.
        let max = state.face.config().match_threshold;
        for (other, distance) in state.faces.search(&state, &t.embedding, max, &subject).await? {
            holds.push(HoldReason::DuplicateFace {
                other: ResidentId::parse(&other)?,
                distance_milli: (distance * 1000.0).round() as u32,
            });
        }
    }
    let now = state.now();
    let mut case = load_case(&state, &subject, "face").await?;
    let template_ref = review.template.as_ref().map(|_| state.random_hex(16));
    let core_review = match core_review {
        AutomaticReview::Passed { .. } => AutomaticReview::Passed {
            template_ref: template_ref.clone().unwrap_or_default(),
        },
        failed => failed,
    };
    let events = case.value.submit_by(submitter, core_review, holds, now)?;
    let mut tx = state.db.begin_write().await?;
    if let (Some(t), Some(r)) = (&review.template, &template_ref) {
        if case.value.may_certify() {
            insert_template(&mut tx, r, "face", &t.embedding).await?;
            crate::identity::log_approval(&mut tx, &subject, Some(r)).await?;
        }
    }
    if events
        .iter()
        .any(|e| matches!(e, EnrollmentEvent::DiscardHeldUploads { .. }))
    {
        discard_held(&mut tx, &subject, "face").await?;
    }
    if events
        .iter()
        .any(|e| matches!(e, EnrollmentEvent::SentToManualReview { .. }))
    {
        for (name, data) in uploads {
            sqlx::query("INSERT INTO held_uploads (holder_id, modality, name, data) VALUES ($1, 'face', $2, $3)")
                .bind(subject.clone())
                .bind(name)
                .bind(data)
                .execute(&mut *tx)
                .await?;
        }
    }
    save_case(&mut tx, &subject, "face", &case).await?;
    let issues: Vec<String> = review
        .issues
        .iter()
        .map(certify_bridge::engines::variant_name)
        .collect();
    audit(
        &mut tx,
        now,
        &holder.id,
        "enrollment.face_submitted",
        &subject,
        &json!({"events": events, "issues": issues, "portrait_distance": portrait_distance, "has_portrait": has_portrait}),
    )
    .await?;
    let body = serde_json::to_value(Submitted {
        state: case.value.state.clone(),
        issues,
        events,
    })?;
    idempotency::store(&mut tx, key.as_deref(), &body).await?;
    tx.commit().await?;
    Ok(Json(body).into_response())
}

/// `GET /api/enrollment?subject=`: the face enrollment case (7-day expiry applied).
#[utoipa::path(get, path = "/api/enrollment", tag = "identity", params(SubjectArg), security(("bearer" = [])),
    responses((status = 200, body = CaseStatus), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn enrollment_status(
    State(state): State<AppState>,
    ActingFor { subject }: ActingFor,
) -> Result<Json<CaseStatus>, ApiError> {
    let mut case = load_case(&state, &subject, "face").await?;
    let events = case.value.advance(state.now());
    if !events.is_empty() {
        let mut tx = state.db.begin_write().await?;
        save_case(&mut tx, &subject, "face", &case).await?;
        discard_held(&mut tx, &subject, "face").await?;
        audit(
            &mut tx,
            state.now(),
            "system",
            "enrollment.expired",
            &subject,
            &json!({"events": events}),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(Json(CaseStatus { face: case.value }))
}
