//! What staff do at the counter for a person standing before them: confirm that a
//! relative may act for them (proxy consent in person), and unlock their account (a lock
//! by wrong passwords or card PINs — the unlock path of card-only accounts, which have no
//! phone for forgot-password).

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Reviewer, Staff};
use axum::Json;
use axum::extract::{Path, State};
use certify_core::id::ResidentId;
use serde::Serialize;
use utoipa::ToSchema;

/// The consent was recorded.
#[derive(Serialize, ToSchema)]
pub(crate) struct Confirmed {
    /// Always true.
    confirmed: bool,
}

/// `POST /staff/api/contacts/{holder}/{relative}/confirm`: the relative, identified at the
/// counter, agrees that `holder` may act for them.
#[utoipa::path(post, path = "/staff/api/contacts/{holder}/{relative}/confirm", tag = "staff", security(("bearer" = [])),
    params(("holder" = String, Path, description = "The account asking"), ("relative" = String, Path, description = "The relative, present at the counter")),
    responses((status = 200, body = Confirmed), (status = "4XX", description = "Refused", body = crate::openapi::ErrorBody)))]
pub(crate) async fn confirm_contact(
    State(state): State<AppState>,
    c: Staff<Reviewer>,
    Path((holder, relative)): Path<(String, String)>,
) -> Result<Json<Confirmed>, ApiError> {
    let holder = ResidentId::parse(&holder)?.to_string();
    let relative = ResidentId::parse(&relative)?.to_string();
    crate::contacts::confirm(
        &state,
        &holder,
        &relative,
        certify_core::certification::ConsentBy::Staff { staff_id: c.id.clone() },
        &c.id,
    )
    .await?;
    Ok(Json(Confirmed { confirmed: true }))
}

/// `POST /staff/api/accounts/{holder}/unlock`: the person, identified at the counter, gets
/// their password and card logins unlocked at once.
#[utoipa::path(post, path = "/staff/api/accounts/{holder}/unlock", tag = "staff", security(("bearer" = [])),
    params(("holder" = String, Path, description = "Identity number")),
    responses((status = 200, body = Confirmed), (status = "4XX", description = "Refused", body = crate::openapi::ErrorBody)))]
pub(crate) async fn unlock_account(
    State(state): State<AppState>,
    c: Staff<Reviewer>,
    Path(holder): Path<String>,
) -> Result<Json<Confirmed>, ApiError> {
    let holder = ResidentId::parse(&holder)?.to_string();
    let mut account = crate::accounts::load_account(&state, &holder).await?;
    let now = state.now();
    let events = account.value.unlock_by_staff(now);
    let mut tx = state.db.begin_write().await?;
    crate::accounts::save_account(&mut tx, &account).await?;
    crate::audit::audit(
        &mut tx,
        now,
        &c.id,
        "account.unlocked_by_staff",
        &holder,
        &serde_json::json!({"events": events}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(Confirmed { confirmed: true }))
}
