//! Proxy contacts (联系人): a holder adds a relative on the roster and may then act for
//! them (enrollment, certification, history). [`acting_for`] is the one check every
//! route that takes a `subject` goes through.

use crate::AppState;
use crate::accounts::load_account;
use crate::audit::audit;
use crate::error::ApiError;
use crate::extract::{ApiJson, Holder};
use crate::people::roster_entry;
use crate::store::{self, Versioned};
use axum::Json;
use axum::extract::State;
use certify::CertifyStatus;
use certify_core::certification::ProxyContact;
use certify_core::id::ResidentId;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The contact routes.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(contacts, add_contact))
}

/// A holder's contacts.
#[derive(Serialize, ToSchema)]
pub(crate) struct Contacts {
    /// The relatives this holder may act for.
    #[schema(value_type = Vec<Object>)]
    contacts: Vec<ProxyContact>,
}

/// The contacts of `holder_id`, with their version.
pub(crate) async fn contacts_of(state: &AppState, holder_id: &str) -> Result<Versioned<Vec<ProxyContact>>, ApiError> {
    Ok(store::load(&state.db.pool, store::CONTACTS, &[holder_id])
        .await?
        .unwrap_or_else(|| Versioned::new(Vec::new())))
}

/// The person a request is about (query string or JSON body): a contact's identity
/// number, or absent for the holder.
#[derive(Deserialize, Default, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SubjectArg {
    /// A contact's identity number; absent for the holder.
    #[serde(default)]
    pub(crate) subject: Option<String>,
}

/// The person `holder` acts for: themself (no subject, or their own number) or one of
/// their contacts; anyone else is refused (`425`).
pub(crate) async fn acting_for(state: &AppState, holder: &Holder, subject: Option<&str>) -> Result<String, ApiError> {
    let Some(s) = subject.filter(|s| !s.is_empty()) else {
        return Ok(holder.id.clone());
    };
    let id = ResidentId::parse(s)?.to_string();
    if id == holder.id {
        return Ok(id);
    }
    if contacts_of(state, &holder.id)
        .await?
        .value
        .iter()
        .any(|x| x.id.to_string() == id)
    {
        Ok(id)
    } else {
        Err(ApiError::status(
            CertifyStatus::NotAContact,
            "add this person as a contact first",
        ))
    }
}

/// `GET /api/contacts`.
#[utoipa::path(get, path = "/api/contacts", tag = "identity", security(("bearer" = [])),
    responses((status = 200, body = Contacts), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn contacts(State(state): State<AppState>, holder: Holder) -> Result<Json<Contacts>, ApiError> {
    Ok(Json(Contacts {
        contacts: contacts_of(&state, &holder.id).await?.value,
    }))
}

/// `POST /api/contacts` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct ContactRequest {
    name: String,
    id_number: String,
}

/// `POST /api/contacts`: add a relative (on the roster, name matching) to certify for.
#[utoipa::path(post, path = "/api/contacts", tag = "identity", request_body = ContactRequest, security(("bearer" = [])),
    responses((status = 200, body = Contacts), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn add_contact(
    State(state): State<AppState>,
    holder: Holder,
    ApiJson(req): ApiJson<ContactRequest>,
) -> Result<Json<Contacts>, ApiError> {
    let account = load_account(&state, &holder.id).await?;
    let mut list = contacts_of(&state, &holder.id).await?;
    let normalized = ResidentId::parse(&req.id_number)
        .map(|i| i.to_string())
        .unwrap_or_default();
    let entry = roster_entry(&state, &normalized).await?.map(|(e, _)| e);
    let now = state.now();
    let contact = certify_core::certification::add_contact(
        &account.value,
        &mut list.value,
        &req.name,
        &req.id_number,
        entry.as_ref(),
        now,
    )?;
    let mut tx = state.db.begin_write().await?;
    store::save(&mut tx, store::CONTACTS, &[&holder.id], &list, &[]).await?;
    audit(
        &mut tx,
        now,
        &holder.id,
        "contacts.added",
        &contact.id.to_string(),
        &json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(Contacts { contacts: list.value }))
}
