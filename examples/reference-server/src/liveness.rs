//! Face liveness run by the server (`/api/liveness/*`): the server draws the challenge,
//! times every frame by its own clock on arrival (a client's `elapsed_ms` is never read),
//! keeps only the engine's small best-frame crop per open session, bounds open sessions per
//! account, and records the decision — liveness mode and anti-spoof score included — as
//! the same claims a device would sign.

use crate::AppState;
use crate::certification::{certify_with_claims, face_template};
use crate::contacts::{SubjectArg, acting_for};
use crate::enrollment::load_case;
use crate::error::{ApiError, codes};
use crate::extract::{ApiJson, Holder};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use certify::CertifyStatus;
use certify_core::id::ResidentId;
use certify_core::liveness::{Action, LivenessChallenge, LivenessConfig, LivenessMode, LivenessSession};
use certify_face::FaceEngine;
use certify_face::engine::LivenessRun;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

type ApiResult = Result<Response, ApiError>;

/// The liveness routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/liveness/start", post(start))
        .route("/api/liveness/{id}/frame", post(frame))
        .route("/api/liveness/{id}/finish", post(finish))
}

/// A liveness session in progress (kept in memory; a restart ends open sessions).
pub(crate) struct OpenSession {
    operator: String,
    subject: String,
    /// The server's monotonic clock at the start: frames are timed from here.
    started: Instant,
    run: LivenessRun<Arc<FaceEngine>>,
}

/// Take the open liveness session `id` of `operator` out of the map (it goes back after a
/// frame; another account's session is left where it is and reported as unknown).
fn take_session(state: &AppState, id: &str, operator: &str) -> Result<OpenSession, ApiError> {
    let mut open = state.sessions.lock().unwrap_or_else(|p| p.into_inner());
    match open.remove(id) {
        Some(s) if s.operator == operator => Ok(s),
        other => {
            if let Some(s) = other {
                open.insert(id.to_owned(), s);
            }
            Err(ApiError::new(
                StatusCode::NOT_FOUND,
                codes::CHALLENGE_UNKNOWN,
                "no such session",
            ))
        }
    }
}

/// `POST /api/liveness/start {subject?, mode?}` body.
#[derive(Deserialize)]
pub(crate) struct StartRequest {
    #[serde(flatten)]
    subject: SubjectArg,
    /// "actions" (default) or "silent" (when the configuration allows it).
    #[serde(default)]
    mode: LivenessMode,
}

/// `POST /api/liveness/start`: a challenge for the holder or a contact — 2–3 random actions
/// from the configured set (always a head movement), or silent mode where allowed — with
/// its nonce; frames follow.
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
    let actions: Vec<Value> = challenge
        .actions
        .iter()
        .map(|a| json!({"action": a, "prompt": a.prompt(), "prompt_en": a.prompt_en()}))
        .collect();
    let mode = challenge.mode;
    let id = state.random_hex(16);
    let nonce: String = challenge.nonce.iter().map(|b| format!("{b:02x}")).collect();
    let run = LivenessRun::new(
        Arc::clone(&state.face),
        LivenessSession::new(challenge, LivenessConfig::default()),
    )?;
    let mut open = state.sessions.lock().unwrap_or_else(|p| p.into_inner());
    // One account holds a bounded number of open sessions (memory per account); starting
    // another ends its oldest. The whole map is bounded too.
    let mut mine: Vec<(String, Instant)> = open
        .iter()
        .filter(|(_, s)| s.operator == holder.id)
        .map(|(k, s)| (k.clone(), s.started))
        .collect();
    mine.sort_by_key(|m| m.1);
    while mine.len() >= settings.max_open_sessions_per_account.max(1) {
        let (oldest, _) = mine.remove(0);
        open.remove(&oldest);
    }
    if open.len() >= 1024 {
        let oldest = open.iter().min_by_key(|(_, s)| s.started).map(|(k, _)| k.clone());
        if let Some(v) = oldest {
            open.remove(&v);
        }
    }
    open.insert(
        id.clone(),
        OpenSession {
            operator: holder.id.clone(),
            subject: subject.clone(),
            started: Instant::now(),
            run,
        },
    );
    Ok(
        Json(json!({"session_id": id, "nonce": nonce, "mode": mode, "actions": actions, "subject": subject}))
            .into_response(),
    )
}

/// `POST /api/liveness/{id}/frame` with a JPEG/PNG body: the session's event with its
/// reason (failures) and advice, Chinese first. The frame is timed by the server's clock
/// on arrival, analysed and dropped.
pub(crate) async fn frame(
    State(state): State<AppState>,
    holder: Holder,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let mut taken = take_session(&state, &id, &holder.id)?;
    let elapsed_ms = u32::try_from(taken.started.elapsed().as_millis()).unwrap_or(u32::MAX);
    // Decoding and inference run outside the lock and off the async workers.
    let (taken_back, event) = state
        .blocking(move || {
            let e = certify_face::image_io::decode(&body)
                .map_err(certify_face::FaceError::from)
                .and_then(|img| taken.run.push_image(&img, elapsed_ms));
            (taken, e)
        })
        .await?;
    taken = taken_back;
    state
        .sessions
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id, taken);
    let event = event?;
    Ok(Json(certify::bridge::event_json(&event)).into_response())
}

/// `POST /api/liveness/{id}/finish`: the decision (liveness, one person throughout,
/// anti-spoof when configured, 1:1 match of the best frame against the enrolled template)
/// and, when it passed, the certification record. A refusal carries the reason and advice.
pub(crate) async fn finish(State(state): State<AppState>, holder: Holder, Path(id): Path<String>) -> ApiResult {
    let session = take_session(&state, &id, &holder.id)?;
    let case = load_case(&state, &session.subject, "face").await?;
    let template = face_template(&state, &case.value).await?;
    let nonce = session.run.session().challenge().nonce;
    let (operator, subject) = (session.operator.clone(), session.subject.clone());
    let decision = state.blocking(move || session.run.finish(&template)).await??;
    let now = state.now();
    let claims = decision.claims_for(
        ResidentId::parse(&subject)?,
        ResidentId::parse(&operator)?,
        nonce,
        now,
        60,
    );
    let detail = json!({
        "reason": decision.reason(),
        "advice_zh": decision.advice_zh(),
        "advice_en": decision.advice_en(),
        "liveness_mode": decision.mode,
        "antispoof": decision.antispoof,
        "identity_consistent": decision.identity_consistent,
    });
    Ok(
        certify_with_claims(&state, &operator, &subject, &claims, format!("liveness:{id}"), "face")
            .await
            .map_err(|e| e.with_detail(detail))?
            .into_response(),
    )
}
