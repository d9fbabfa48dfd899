//! Face liveness run by the server (`/api/liveness/*`): the server draws the challenge,
//! times every frame by its own clock on arrival (a client's `elapsed_ms` is never read),
//! keeps only the engine's small best-frame crop per open session, bounds open sessions per
//! account, and records the decision — liveness mode and anti-spoof score included — as
//! the same claims a device would sign. Open runs are stored in the database
//! ([`stored`]), so any instance behind a load balancer serves any frame.

mod stored;

use crate::AppState;
use crate::certification::{certify_with_claims, face_template};
use crate::contacts::{SubjectArg, acting_for};
use crate::enrollment::load_case;
use crate::error::{ApiError, codes};
use crate::extract::{ApiJson, Holder};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use certify_bridge::CertifyStatus;
use certify_core::id::ResidentId;
use certify_core::liveness::{Action, LivenessChallenge, LivenessConfig, LivenessMode, LivenessSession};
use certify_face::engine::LivenessRun;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type ApiResult = Result<Response, ApiError>;

/// The liveness routes.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start))
        .routes(routes!(frame))
        .routes(routes!(finish))
}

/// One action to perform, with what to show the person.
#[derive(Serialize, ToSchema)]
pub(crate) struct PromptedAction {
    /// `blink`, `open_mouth`, `shake_head` or `nod`.
    #[schema(value_type = String)]
    action: Action,
    /// The prompt in Chinese (show this).
    prompt: &'static str,
    /// The prompt in English.
    prompt_en: &'static str,
}

/// A liveness run started.
#[derive(Serialize, ToSchema)]
pub(crate) struct Started {
    /// Send frames to `/api/liveness/{session_id}/frame`.
    session_id: String,
    /// The challenge nonce (hex).
    nonce: String,
    /// `actions` or `silent`.
    #[schema(value_type = String)]
    mode: LivenessMode,
    /// The actions in order (empty in silent mode).
    actions: Vec<PromptedAction>,
    /// Whose certification this is.
    subject: String,
}

/// What a frame did to the run: `event` (`started`, `action_done`, `passed`, a failure …),
/// with `reason`, `advice_zh` and `advice_en` on failures.
#[derive(Serialize, ToSchema)]
#[schema(value_type = Object)]
pub(crate) struct FrameEvent(Value);

/// `POST /api/liveness/start {subject?, mode?}` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct StartRequest {
    #[serde(flatten)]
    subject: SubjectArg,
    /// "actions" (default) or "silent" (when the configuration allows it).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    mode: LivenessMode,
}

/// `POST /api/liveness/start`: a challenge for the holder or a contact — 2–3 random actions
/// from the configured set (always a head movement), or silent mode where allowed — with
/// its nonce; frames follow.
#[utoipa::path(post, path = "/api/liveness/start", operation_id = "liveness_start", tag = "certification", request_body = StartRequest, security(("bearer" = [])),
    responses((status = 200, body = Started), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn start(
    State(state): State<AppState>,
    holder: Holder,
    ApiJson(req): ApiJson<StartRequest>,
) -> ApiResult {
    let subject = acting_for(&state, &holder, req.subject.subject.as_deref()).await?;
    if !load_case(&state, &subject, "face").await?.value.may_certify() {
        return Err(ApiError::status(
            CertifyStatus::NotEnrolled,
            "the face enrollment is not approved",
        ));
    }
    let settings = &state.config.liveness;
    let now = state.now();
    let challenge = match req.mode {
        LivenessMode::Silent if !settings.allow_silent => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                codes::SILENT_NOT_ALLOWED,
                "silent liveness is not allowed here",
            ));
        }
        LivenessMode::Silent => LivenessChallenge::silent(&mut state.rng(), now),
        LivenessMode::Actions => {
            let allowed: &[Action] = if settings.actions.is_empty() {
                &Action::ALL
            } else {
                &settings.actions
            };
            LivenessChallenge::draw_from(&mut state.rng(), now, allowed)
                .map_err(|e| ApiError::status(CertifyStatus::InvalidArgument, e.to_string()))?
        }
    };
    let actions: Vec<PromptedAction> = challenge
        .actions
        .iter()
        .map(|a| PromptedAction {
            action: *a,
            prompt: a.prompt(),
            prompt_en: a.prompt_en(),
        })
        .collect();
    let mode = challenge.mode;
    let id = state.random_hex(16);
    let nonce: String = challenge.nonce.iter().map(|b| format!("{b:02x}")).collect();
    let run = LivenessRun::new(
        Arc::clone(&state.face),
        LivenessSession::new(challenge, LivenessConfig::default()),
    )?;
    stored::insert(
        &state,
        &id,
        &holder.id,
        &subject,
        run,
        settings.max_open_sessions_per_account,
    )
    .await?;
    Ok(Json(Started {
        session_id: id,
        nonce,
        mode,
        actions,
        subject,
    })
    .into_response())
}

/// `POST /api/liveness/{id}/frame` with a JPEG/PNG body: the session's event with its
/// reason (failures) and advice, Chinese first. The frame is timed by the server's clock
/// on arrival, analysed and dropped.
#[utoipa::path(post, path = "/api/liveness/{id}/frame", operation_id = "liveness_frame", tag = "certification", security(("bearer" = [])),
    params(("id" = String, Path, description = "The session")),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "One camera frame (JPEG or PNG)"),
    responses((status = 200, body = FrameEvent), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn frame(
    State(state): State<AppState>,
    holder: Holder,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let arrived_ms = state.clock.now_millis();
    let loaded = stored::load(&state, &id, &holder.id, stored::Load::ForFrame).await?;
    let elapsed_ms = u32::try_from((arrived_ms - loaded.started_ms).max(0)).unwrap_or(u32::MAX);
    let before = loaded.snapshot.state.clone();
    let before_samples = loaded.snapshot.samples.len();
    let engine = Arc::clone(&state.face);
    // Decoding and inference run on the blocking pool.
    let (after, event) = state
        .blocking(move || -> Result<_, certify_face::FaceError> {
            let mut run = LivenessRun::restore(engine, loaded.snapshot)?;
            let event = certify_face::image_io::decode(&body)
                .map_err(certify_face::FaceError::from)
                .and_then(|img| run.push_image(&img, elapsed_ms));
            Ok((run.into_snapshot(), event))
        })
        .await??;
    stored::save(&state, &id, loaded.version, &before, before_samples, &after).await?;
    let event = event?;
    Ok(Json(FrameEvent(certify_bridge::engines::event_json(&event))).into_response())
}

/// `POST /api/liveness/{id}/finish`: the decision (liveness, one person throughout,
/// anti-spoof when configured, 1:1 match of the best frame against the enrolled template)
/// and, when it passed, the certification record. A refusal carries the reason and advice.
#[utoipa::path(post, path = "/api/liveness/{id}/finish", operation_id = "liveness_finish", tag = "certification", security(("bearer" = [])),
    params(("id" = String, Path, description = "The session")),
    responses((status = 200, body = crate::certification::Certified), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn finish(State(state): State<AppState>, holder: Holder, Path(id): Path<String>) -> ApiResult {
    let loaded = stored::load(&state, &id, &holder.id, stored::Load::ForDecision).await?;
    stored::take(&state, &id, loaded.version).await?;
    let (operator, subject) = (holder.id.clone(), loaded.subject.clone());
    let case = load_case(&state, &subject, "face").await?;
    let template = face_template(&state, &case.value).await?;
    let nonce = loaded.snapshot.state.session.challenge().nonce;
    let engine = Arc::clone(&state.face);
    let decision = state
        .blocking(move || LivenessRun::restore(engine, loaded.snapshot)?.finish(&template))
        .await??;
    let now = state.now();
    let claims = decision.claims_for(
        ResidentId::parse(&subject)?,
        ResidentId::parse(&operator)?,
        nonce,
        now,
        60,
    );
    let mut detail = json!({
        "reason": decision.reason(),
        "liveness_mode": decision.mode,
        "antispoof": decision.antispoof,
        "identity_consistent": decision.identity_consistent,
    });
    // The liveness advice explains a refusal only when liveness or the match failed; when
    // they passed and the rules refuse (e.g. no real name yet), the refusal's own Chinese
    // message stands — never "认证通过" on a refusal.
    if decision.reason().is_some() {
        detail["advice_zh"] = json!(decision.advice_zh());
        detail["advice_en"] = json!(decision.advice_en());
    }
    Ok(
        certify_with_claims(&state, &operator, &subject, &claims, format!("liveness:{id}"), "face")
            .await
            .map_err(|e| e.with_detail(detail))?
            .into_response(),
    )
}
