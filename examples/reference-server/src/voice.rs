//! Voiceprint endpoints: enrollment from five prompted recordings, and certification by a
//! fresh prompt (声纹认证), for people whose face enrollment failed or who prefer voice.

use crate::AppState;
use crate::audit::audit;
use crate::certification::certify_with_claims;
use crate::contacts::{SubjectArg, acting_for};
use crate::enrollment::{decode_base64, load_case, save_case};
use crate::error::{ApiError, codes};
use crate::extract::{ApiJson, Holder, IdempotencyKey};
use crate::idempotency;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use certify_bridge::CertifyStatus;
use certify_core::biometric::Modality;
use certify_core::evidence::Challenge;
use certify_core::id::ResidentId;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type ApiResult = Result<Response, ApiError>;

/// The voice routes.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(prompts))
        .routes(routes!(enroll))
        .routes(routes!(start))
        .routes(routes!(finish))
}

/// Five enrollment prompts.
#[derive(Serialize, ToSchema)]
pub(crate) struct Prompts {
    /// Eight digits each, read one recording per prompt.
    prompts: Vec<String>,
}

/// The voice case after the recordings.
#[derive(Serialize, ToSchema)]
pub(crate) struct VoiceSubmitted {
    /// The case's state.
    #[schema(value_type = Object)]
    state: certify_core::enrollment::EnrollmentState,
    /// Quality issues per recording.
    issues: Vec<Vec<String>>,
}

/// A voice certification prompt.
#[derive(Serialize, ToSchema)]
pub(crate) struct VoiceStarted {
    /// Finish at `/api/voice/{session_id}/finish`.
    session_id: String,
    /// The digits to read.
    prompt: String,
    /// When the prompt expires.
    #[schema(value_type = Object)]
    expires_at: certify_core::time::Timestamp,
}

/// `POST /api/voice/prompts {subject?}`: five enrollment prompts (8 digits each, every digit
/// at least three times), remembered for the enrollment upload.
#[utoipa::path(post, path = "/api/voice/prompts", tag = "identity", request_body = SubjectArg, security(("bearer" = [])),
    responses((status = 200, body = Prompts), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn prompts(
    State(state): State<AppState>,
    holder: Holder,
    ApiJson(req): ApiJson<SubjectArg>,
) -> ApiResult {
    let subject = voice_enrollee(&state, &holder, req.subject.as_deref()).await?;
    let prompts = certify_core::voice::enrollment_prompts(&mut state.rng());
    let mut tx = state.db.begin_write().await?;
    sqlx::query("DELETE FROM voice_prompts WHERE holder_id = $1")
        .bind(subject.clone())
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO voice_prompts (holder_id, prompts_json) VALUES ($1, $2)")
        .bind(subject)
        .bind(serde_json::to_string(&prompts)?)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Json(Prompts { prompts }).into_response())
}

/// Whose voice may be enrolled: the holder's own only. A relative who reads the prompts for
/// someone else would enroll their own voice and could then certify that person after
/// death, and staff cannot judge a voice without the recordings (which are not kept); so a
/// proxy is refused outright, where a proxy's face upload is held for staff beside the
/// reference portrait. A proxy may still certify a relative by voice once they enrolled.
async fn voice_enrollee(state: &AppState, holder: &Holder, subject: Option<&str>) -> Result<String, ApiError> {
    let subject = acting_for(state, holder, subject).await?;
    if subject != holder.id {
        return Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            crate::error::codes::VOICE_BY_PERSON_ONLY,
            "a voiceprint is enrolled by the person, in their own account or at the counter",
        ));
    }
    Ok(subject)
}

fn wav(b64: &str) -> Result<certify_voice::Audio, ApiError> {
    Ok(certify_voice::Audio::from_wav(&decode_base64(b64, "a recording")?)?)
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct EnrollRequest {
    #[serde(default)]
    subject: Option<String>,
    /// Five WAV recordings (base64), in the order of the prompts.
    recordings: Vec<String>,
}

/// `POST /api/enrollment/voice` (`Idempotency-Key` recommended): automatic review of the
/// five recordings; passed: the voice template is stored apart from identity and the audio
/// dropped.
#[utoipa::path(post, path = "/api/enrollment/voice", operation_id = "enroll_voice", tag = "identity", request_body = EnrollRequest, security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer")),
    responses((status = 200, body = VoiceSubmitted), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn enroll(
    State(state): State<AppState>,
    holder: Holder,
    idem: IdempotencyKey,
    ApiJson(req): ApiJson<EnrollRequest>,
) -> ApiResult {
    let key = idem.scoped(&holder.id);
    if let Some(r) = idempotency::replay(&state, key.as_deref()).await? {
        return Ok(r);
    }
    let subject = voice_enrollee(&state, &holder, req.subject.as_deref()).await?;
    let prompts: Vec<String> = state
        .db
        .json("SELECT prompts_json FROM voice_prompts WHERE holder_id = $1", &subject)
        .await?
        .ok_or_else(|| ApiError::status(CertifyStatus::InvalidArgument, "ask for the prompts first"))?;
    if req.recordings.len() != prompts.len() {
        return Err(ApiError::status(
            CertifyStatus::InvalidArgument,
            "one recording per prompt",
        ));
    }
    let voice = std::sync::Arc::clone(&state.voice);
    let mut rng = state.rng();
    let enrollment = state
        .blocking(move || -> Result<_, ApiError> {
            let recs = req
                .recordings
                .iter()
                .zip(&prompts)
                .map(|(w, p)| Ok((wav(w)?, p.clone())))
                .collect::<Result<Vec<_>, ApiError>>()?;
            Ok(voice.enroll(&recs, &mut rng)?)
        })
        .await??;
    let now = state.now();
    let mut case = load_case(&state, &subject, "voice").await?;
    let template_ref = state.random_hex(16);
    let events = case.value.submit(enrollment.to_core(template_ref.clone()), now)?;
    let mut tx = state.db.begin_write().await?;
    if let Some(t) = &enrollment.template {
        if case.value.may_certify() {
            sqlx::query("INSERT INTO templates (template_ref, modality, template_json) VALUES ($1, 'voice', $2)")
                .bind(template_ref)
                .bind(serde_json::to_string(t)?)
                .execute(&mut *tx)
                .await?;
        }
    }
    save_case(&mut tx, &subject, "voice", &case).await?;
    let issues: Vec<Vec<String>> = enrollment
        .reports
        .iter()
        .map(|r| r.issues.iter().map(|i| i.code().to_owned()).collect())
        .collect();
    audit(
        &mut tx,
        now,
        &holder.id,
        "enrollment.voice_submitted",
        &subject,
        &json!({"events": events, "issues": issues}),
    )
    .await?;
    let body = serde_json::to_value(VoiceSubmitted {
        state: case.value.state.clone(),
        issues,
    })?;
    idempotency::store(&mut tx, key.as_deref(), &body).await?;
    tx.commit().await?;
    Ok(Json(body).into_response())
}

/// `POST /api/voice/start {subject?}`: a certification prompt (never an enrollment prompt)
/// and its challenge.
#[utoipa::path(post, path = "/api/voice/start", operation_id = "voice_start", tag = "certification", request_body = SubjectArg, security(("bearer" = [])),
    responses((status = 200, body = VoiceStarted), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn start(
    State(state): State<AppState>,
    holder: Holder,
    ApiJson(req): ApiJson<SubjectArg>,
) -> ApiResult {
    let subject = acting_for(&state, &holder, req.subject.as_deref()).await?;
    if !load_case(&state, &subject, "voice").await?.value.may_certify() {
        return Err(ApiError::status(
            CertifyStatus::NotEnrolled,
            "the voice enrollment is not approved",
        ));
    }
    let enrolled: Vec<String> = state
        .db
        .json("SELECT prompts_json FROM voice_prompts WHERE holder_id = $1", &subject)
        .await?
        .unwrap_or_default();
    let now = state.now();
    let id = ResidentId::parse(&subject)?;
    let mut rng = state.rng();
    let prompt = certify_core::voice::verification_prompt(&mut rng, &enrolled);
    let ch = Challenge::issue(id, Modality::Voice, now, 300, &mut rng);
    let challenge_id = rng.hex(16);
    sqlx::query("INSERT INTO voice_sessions (challenge_id, operator, subject, challenge_json, prompt, used, expires_at) VALUES ($1, $2, $3, $4, $5, 0, $6)")
        .bind(challenge_id.clone())
        .bind(holder.id.clone())
        .bind(subject)
        .bind(serde_json::to_string(&ch)?)
        .bind(prompt.clone())
        .bind(ch.expires_at.unix_seconds() + 3600)
        .execute(&state.db.pool)
        .await?;
    Ok(Json(VoiceStarted {
        session_id: challenge_id,
        prompt,
        expires_at: ch.expires_at,
    })
    .into_response())
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct FinishRequest {
    /// The recording of the prompt (WAV, base64).
    recording: String,
}

/// `POST /api/voice/{id}/finish`: same speaker and the prompted digits, once per session;
/// passed: the certification record.
#[utoipa::path(post, path = "/api/voice/{id}/finish", operation_id = "voice_finish", tag = "certification", request_body = FinishRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "The voice session")),
    responses((status = 200, body = crate::certification::Certified), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn finish(
    State(state): State<AppState>,
    holder: Holder,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<FinishRequest>,
) -> ApiResult {
    let unknown = || ApiError::new(StatusCode::NOT_FOUND, codes::CHALLENGE_UNKNOWN, "no such voice session");
    let row =
        sqlx::query("SELECT operator, subject, challenge_json, prompt FROM voice_sessions WHERE challenge_id = $1")
            .bind(id.clone())
            .fetch_optional(&state.db.pool)
            .await?
            .ok_or_else(unknown)?;
    let (operator, subject, ch_json, prompt): (String, String, String, String) =
        (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?);
    if operator != holder.id {
        return Err(unknown());
    }
    let claimed = sqlx::query("UPDATE voice_sessions SET used = 1 WHERE challenge_id = $1 AND used = 0")
        .bind(id.clone())
        .execute(&state.db.pool)
        .await?
        .rows_affected()
        == 1;
    if !claimed {
        return Err(ApiError::status(
            CertifyStatus::EvidenceReplayed,
            "this voice session was already used",
        ));
    }
    let ch: Challenge = serde_json::from_str(&ch_json)?;
    let case = load_case(&state, &subject, "voice").await?;
    let template_ref = case
        .value
        .template_ref
        .clone()
        .ok_or_else(|| ApiError::status(CertifyStatus::NotEnrolled, "no approved voice template"))?;
    let template: certify_voice::VoiceTemplate = state
        .db
        .json(
            "SELECT template_json FROM templates WHERE template_ref = $1",
            &template_ref,
        )
        .await?
        .ok_or_else(|| ApiError::not_found("template"))?;
    let voice = std::sync::Arc::clone(&state.voice);
    let cohort = state.voice_cohort.current(&state).await?;
    let decision = state
        .blocking(move || -> Result<_, ApiError> {
            Ok(voice.verify_with_cohort(&template, &wav(&req.recording)?, &prompt, cohort.as_deref())?)
        })
        .await??;
    let now = state.now();
    let claims = decision.claims(&ch, ResidentId::parse(&operator)?, now, 60);
    match certify_with_claims(&state, &operator, &subject, &claims, format!("voice:{id}"), "voice").await {
        Ok(certified) => Ok(certified.into_response()),
        // The refusal says why in the engine's words: how noisy, which digits, read live.
        Err(e) if !decision.passed() => Err(e.with_detail(json!({
            "reasons": decision.refusals().iter().map(|r| r.code()).collect::<Vec<_>>(),
            "advice_zh": decision.advice_zh().join("；"),
        }))),
        Err(e) => Err(e),
    }
}
