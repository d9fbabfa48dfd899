//! What staff do at the counter for a person standing before them: confirm that a
//! relative may act for them (proxy consent in person).

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
