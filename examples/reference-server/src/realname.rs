//! Real-name verification (实名认证): the typed name and number against the account and the
//! roster, and the live face against the authoritative reference portrait (the host's card
//! photo store, police photo check or counter photo). Only where the authority has no
//! portrait is the card image the client sends used — and then every enrollment still
//! goes to staff. Images are not kept.

use crate::AppState;
use crate::accounts::{load_account, save_account};
use crate::audit::audit;
use crate::enrollment::image_of;
use crate::error::ApiError;
use crate::extract::{ApiJson, Holder};
use crate::people::roster_entry;
use axum::Json;
use axum::extract::State;
use certify_core::biometric::MatchDecision;
use certify_core::id::ResidentId;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The real-name route.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(realname))
}

/// Real name verified.
#[derive(Serialize, ToSchema)]
pub(crate) struct RealNameDone {
    /// Always true.
    real_name_verified: bool,
}

/// `POST /api/realname` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct RealNameRequest {
    name: String,
    id_number: String,
    /// Identity card front (base64 JPEG/PNG); used only where no authoritative portrait
    /// exists.
    #[serde(default)]
    card_front: Option<String>,
    /// A live photo of the holder (base64).
    selfie: String,
}

/// `POST /api/realname`: real-name verification of the logged-in holder.
#[utoipa::path(post, path = "/api/realname", tag = "identity", request_body = RealNameRequest, security(("bearer" = [])),
    responses((status = 200, body = RealNameDone), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn realname(
    State(state): State<AppState>,
    holder: Holder,
    ApiJson(req): ApiJson<RealNameRequest>,
) -> Result<Json<RealNameDone>, ApiError> {
    let mut account = load_account(&state, &holder.id).await?;
    let authoritative = state.portraits.portrait(&holder.id);
    if authoritative.is_none() && req.card_front.is_none() {
        return Err(ApiError::bad_upload(
            "card_front is needed: no reference portrait is on file",
        ));
    }
    let (card, selfie) = (req.card_front, req.selfie);
    let face = state.face.clone();
    let decision = state
        .blocking(move || -> Result<MatchDecision, ApiError> {
            let selfie = image_of(&selfie)?;
            // An authoritative portrait decides at the portrait threshold; a client's card
            // image only at the card threshold (printed, small, old).
            let (portrait, threshold) = match (authoritative, card) {
                (Some(bytes), _) => (
                    Some(face.template(&certify_face::image_io::decode(&bytes)?)?),
                    face.config().portrait_match_threshold,
                ),
                (None, Some(card)) => (
                    face.card_portrait_template(&image_of(&card)?)?,
                    face.config().card_match_threshold,
                ),
                (None, None) => (None, 0.0),
            };
            let live = face.template(&selfie)?;
            Ok(match portrait {
                Some(p) if face.compare(&p, &live).distance < threshold => MatchDecision::Match,
                _ => MatchDecision::NoMatch,
            })
        })
        .await??;
    let normalized = ResidentId::parse(&req.id_number)
        .map(|i| i.to_string())
        .unwrap_or_default();
    let entry = roster_entry(&state, &normalized).await?.map(|(e, _)| e);
    let now = state.now();
    let events = certify_core::realname::verify_real_name(
        &mut account.value,
        &req.name,
        &req.id_number,
        entry.as_ref(),
        decision,
        now,
    )?;
    let mut tx = state.db.begin_write().await?;
    save_account(&mut tx, &account).await?;
    audit(
        &mut tx,
        now,
        &holder.id,
        "account.real_name_verified",
        &holder.id,
        &json!({"events": events}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(RealNameDone {
        real_name_verified: true,
    }))
}
