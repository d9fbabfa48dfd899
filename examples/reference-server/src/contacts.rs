//! Proxy contacts (联系人): a holder asks to act for a relative on the roster; the relative
//! consents — in their own account, or in person before staff — and only then may the
//! holder act for them (enrollment, certification, history). [`acting_for`] is the one
//! check every route that takes a `subject` goes through. Every action taken for a person
//! by someone else is listed to that person (`GET /api/proxy-actions`).

use crate::AppState;
use crate::accounts::load_account;
use crate::audit::audit;
use crate::error::ApiError;
use crate::extract::{ApiJson, Holder};
use crate::people::roster_entry;
use crate::store::{self, Versioned};
use axum::Json;
use axum::extract::State;
use certify_bridge::CertifyStatus;
use certify_core::certification::ProxyContact;
use certify_core::id::ResidentId;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The contact routes.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(contacts, add_contact))
        .routes(routes!(contact_requests))
        .routes(routes!(accept_request))
        .routes(routes!(proxy_actions))
}

/// Requests to act for the caller.
#[derive(Serialize, ToSchema)]
pub(crate) struct Requests {
    /// Identity numbers of the accounts asking, with when they asked.
    #[schema(value_type = Vec<Object>)]
    requests: Vec<serde_json::Value>,
}

/// What others did for the caller.
#[derive(Serialize, ToSchema)]
pub(crate) struct ProxyActions {
    /// Newest first: `{at, actor, action}`.
    #[schema(value_type = Vec<Object>)]
    actions: Vec<serde_json::Value>,
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
    match contacts_of(state, &holder.id)
        .await?
        .value
        .iter()
        .find(|x| x.id.to_string() == id)
    {
        Some(c) if c.confirmed() => Ok(id),
        Some(_) => Err(ApiError::status(
            CertifyStatus::NotAContact,
            "your relative has not confirmed yet: they confirm in their own account, or at the social-security counter",
        )),
        None => Err(ApiError::status(
            CertifyStatus::NotAContact,
            "add this person as a contact first",
        )),
    }
}

/// The holder of the token and the person a `GET` is about (`?subject=`: the holder, or a
/// contact who consented) — [`acting_for`] as an extractor.
pub(crate) struct ActingFor {
    /// The person the request is about.
    pub(crate) subject: String,
}

impl axum::extract::FromRequestParts<AppState> for ActingFor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &AppState) -> Result<Self, ApiError> {
        let holder = Holder::from_request_parts(parts, state).await?;
        let crate::extract::ApiQuery(q) =
            crate::extract::ApiQuery::<SubjectArg>::from_request_parts(parts, state).await?;
        Ok(ActingFor {
            subject: acting_for(state, &holder, q.subject.as_deref()).await?,
        })
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
    sqlx::query("INSERT INTO contact_requests (holder_id, relative_id, requested_at) VALUES ($1, $2, $3)")
        .bind(holder.id.clone())
        .bind(contact.id.to_string())
        .bind(now.unix_seconds())
        .execute(&mut *tx)
        .await?;
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

/// `GET /api/contact-requests`: who has asked to act for the caller.
#[utoipa::path(get, path = "/api/contact-requests", tag = "identity", security(("bearer" = [])),
    responses((status = 200, body = Requests), (status = "4XX", description = "Refused", body = crate::openapi::ErrorBody)))]
pub(crate) async fn contact_requests(
    State(state): State<AppState>,
    holder: Holder,
) -> Result<Json<Requests>, ApiError> {
    let rows = sqlx::query(
        "SELECT holder_id, requested_at FROM contact_requests WHERE relative_id = $1 ORDER BY requested_at",
    )
    .bind(holder.id.clone())
    .fetch_all(&state.db.pool)
    .await?;
    let requests = rows
        .iter()
        .map(|r| {
            Ok(json!({
                "holder_id": sqlx::Row::try_get::<String, _>(r, 0)?,
                "requested_at": sqlx::Row::try_get::<i64, _>(r, 1)?,
            }))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Json(Requests { requests }))
}

/// Record `relative`'s consent to `holder_id`'s request (by the relative or by staff).
pub(crate) async fn confirm(
    state: &AppState,
    holder_id: &str,
    relative: &str,
    by: certify_core::certification::ConsentBy,
    actor: &str,
) -> Result<(), ApiError> {
    let mut list = contacts_of(state, holder_id).await?;
    let now = state.now();
    certify_core::certification::confirm_contact(&mut list.value, &ResidentId::parse(relative)?, by, now)?;
    let mut tx = state.db.begin_write().await?;
    store::save(&mut tx, store::CONTACTS, &[holder_id], &list, &[]).await?;
    sqlx::query("DELETE FROM contact_requests WHERE holder_id = $1 AND relative_id = $2")
        .bind(holder_id.to_owned())
        .bind(relative.to_owned())
        .execute(&mut *tx)
        .await?;
    audit(
        &mut tx,
        now,
        actor,
        "contacts.confirmed",
        relative,
        &json!({"holder": holder_id}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /api/contact-requests/{holder}/accept`: the relative, in their own account (real
/// name verified), lets `holder` act for them.
#[utoipa::path(post, path = "/api/contact-requests/{holder}/accept", tag = "identity", security(("bearer" = [])),
    params(("holder" = String, Path, description = "The account asking")),
    responses((status = 200, body = Requests), (status = "4XX", description = "Refused", body = crate::openapi::ErrorBody)))]
pub(crate) async fn accept_request(
    State(state): State<AppState>,
    relative: Holder,
    axum::extract::Path(holder_id): axum::extract::Path<String>,
) -> Result<Json<Requests>, ApiError> {
    certify_core::enrollment::require_real_name(&load_account(&state, &relative.id).await?.value)?;
    let holder_id = ResidentId::parse(&holder_id)?.to_string();
    confirm(
        &state,
        &holder_id,
        &relative.id,
        certify_core::certification::ConsentBy::RelativesAccount,
        &relative.id,
    )
    .await?;
    contact_requests(State(state), relative).await
}

/// `GET /api/proxy-actions`: what others did for the caller (contacts added, enrollments
/// and certifications made for them), newest first.
#[utoipa::path(get, path = "/api/proxy-actions", tag = "identity", security(("bearer" = [])),
    responses((status = 200, body = ProxyActions), (status = "4XX", description = "Refused", body = crate::openapi::ErrorBody)))]
pub(crate) async fn proxy_actions(
    State(state): State<AppState>,
    holder: Holder,
) -> Result<Json<ProxyActions>, ApiError> {
    let rows = sqlx::query(
        "SELECT at, actor, action FROM audit_log WHERE subject = $1 AND actor <> $1 AND actor NOT IN ('system', 'demo-seed') ORDER BY id DESC LIMIT 200",
    )
    .bind(holder.id.clone())
    .fetch_all(&state.db.pool)
    .await?;
    let actions = rows
        .iter()
        .map(|r| {
            Ok(json!({
                "at": sqlx::Row::try_get::<i64, _>(r, 0)?,
                "actor": sqlx::Row::try_get::<String, _>(r, 1)?,
                "action": sqlx::Row::try_get::<String, _>(r, 2)?,
            }))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Json(ProxyActions { actions }))
}
