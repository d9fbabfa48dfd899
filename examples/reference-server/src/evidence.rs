//! Client-signed evidence (端侧认证): a device that runs the engines itself asks for a
//! challenge and returns evidence signed by a trusted device key; the server re-checks the
//! signature, the challenge, its expiry and single use before the certification rules run
//! (GB/T 38671).

use crate::AppState;
use crate::certification::certify_claiming;
use crate::contacts::{SubjectArg, acting_for};
use crate::enrollment::decode_base64;
use crate::error::{ApiError, codes};
use crate::extract::{ApiJson, Holder};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use certify_bridge::CertifyStatus;
use certify_core::biometric::Modality;
use certify_core::evidence::{Challenge, EvidenceError, EvidenceToken, EvidenceVerifier, ReplayGuard};
use certify_core::id::ResidentId;
use certify_core::time::Timestamp;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The evidence routes.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(evidence_challenge))
        .routes(routes!(evidence_submit))
}

/// A challenge for the device.
#[derive(Serialize, ToSchema)]
pub(crate) struct IssuedChallenge {
    /// Pass it back with the evidence.
    challenge_id: String,
    /// What the device signs over (nonce, subject, expiry).
    #[schema(value_type = Object)]
    challenge: Challenge,
}

/// `POST /api/evidence/challenge {subject?}`: a challenge (5 minutes, single use).
#[utoipa::path(post, path = "/api/evidence/challenge", tag = "certification", request_body = SubjectArg, security(("bearer" = [])),
    responses((status = 200, body = IssuedChallenge), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn evidence_challenge(
    State(state): State<AppState>,
    holder: Holder,
    ApiJson(req): ApiJson<SubjectArg>,
) -> Result<Json<IssuedChallenge>, ApiError> {
    let subject = acting_for(&state, &holder, req.subject.as_deref()).await?;
    let now = state.now();
    let id = ResidentId::parse(&subject)?;
    let mut rng = state.rng();
    let ch = Challenge::issue(id, Modality::Face, now, 300, &mut rng);
    let challenge_id = rng.hex(16);
    sqlx::query(
        "INSERT INTO challenges (challenge_id, operator, subject, challenge_json, used, expires_at) VALUES ($1, $2, $3, $4, 0, $5)",
    )
    .bind(challenge_id.clone())
    .bind(holder.id.clone())
    .bind(subject)
    .bind(serde_json::to_string(&ch)?)
    .bind(ch.expires_at.unix_seconds() + 3600)
    .execute(&state.db.pool)
    .await?;
    Ok(Json(IssuedChallenge {
        challenge_id,
        challenge: ch,
    }))
}

/// `POST /api/evidence` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct EvidenceRequest {
    challenge_id: String,
    /// The device's signed evidence (base64), signed by one of the configured trusted keys.
    token: String,
}

/// The challenge was claimed in the database (single use across processes and restarts).
struct DbGuard(bool);

impl ReplayGuard for DbGuard {
    fn first_use(&mut self, _nonce: [u8; 16], _expires_at: Timestamp) -> bool {
        self.0
    }
}

fn unknown_challenge() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, codes::CHALLENGE_UNKNOWN, "no such challenge")
}

/// `POST /api/evidence`: verify the evidence and certify.
#[utoipa::path(post, path = "/api/evidence", tag = "certification", request_body = EvidenceRequest, security(("bearer" = [])),
    responses((status = 200, body = crate::certification::Certified), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn evidence_submit(
    State(state): State<AppState>,
    holder: Holder,
    ApiJson(req): ApiJson<EvidenceRequest>,
) -> Result<Json<crate::certification::Certified>, ApiError> {
    let row = sqlx::query(
        "SELECT operator, subject, challenge_json, CAST(used AS BIGINT) FROM challenges WHERE challenge_id = $1",
    )
    .bind(req.challenge_id.clone())
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or_else(unknown_challenge)?;
    let (operator, subject): (String, String) = (row.try_get(0)?, row.try_get(1)?);
    if operator != holder.id {
        return Err(unknown_challenge());
    }
    let ch: Challenge = serde_json::from_str(&row.try_get::<String, _>(2)?)?;
    let used = row.try_get::<i64, _>(3)? != 0;
    let keys = state
        .config
        .trusted_device_keys()
        .map_err(|e| ApiError::status(CertifyStatus::InvalidArgument, e))?;
    if keys.is_empty() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            codes::UNTRUSTED_DEVICE,
            "client-signed evidence is not accepted here (no trusted device keys configured)",
        ));
    }
    let token = decode_base64(&req.token, "the token")
        .map_err(|_| ApiError::status(CertifyStatus::EvidenceMalformed, "the token is not base64"))?;
    // A used challenge is refused before the signature is checked; the claim itself is in
    // the certification's transaction (only one request flips used 0 → 1).
    if used {
        return Err(ApiError::status(
            CertifyStatus::EvidenceReplayed,
            "this evidence challenge was already used",
        ));
    }
    // The first trusted key whose signature matches decides; others are skipped.
    let token = EvidenceToken::from_bytes(token);
    let mut outcome = Err(EvidenceError::BadSignature);
    for key in keys {
        let verifier = EvidenceVerifier::from_public_key(key)?;
        outcome = verifier.verify(&token, &ch, state.now(), &mut DbGuard(true));
        if !matches!(outcome, Err(EvidenceError::BadSignature)) {
            break;
        }
    }
    let claims = outcome?;
    certify_claiming(
        &state,
        &operator,
        &subject,
        &claims,
        format!("evidence:{}", req.challenge_id),
        "face",
        Some(&req.challenge_id),
    )
    .await
}
