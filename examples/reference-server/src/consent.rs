//! Consent by SMS (短信授权): the third way a relative lets an account act for them, beside
//! their own account and the counter. The account holder asks for a code; it goes to the
//! relative's *own* bound phone (never a phone bound by someone else, never the holder's),
//! the relative tells it to the holder, and the holder enters it. The code is stored under
//! the asking holder, so a code sent for one holder's request confirms no other. Sends and
//! guesses count against the relative's phone and the client's address like every code.

use crate::AppState;
use crate::accounts::{SmsSent, issue_code, load_account};
use crate::error::{ApiError, codes};
use crate::extract::{ApiJson, Holder};
use crate::limits::ClientAddress;
use crate::store::{self, Versioned};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use certify_core::account::sms::{SmsChallenge, SmsPolicy, SmsPurpose};
use certify_core::account::{MobileNumber, PhoneOwner};
use certify_core::certification::ConsentBy;
use certify_core::id::ResidentId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The consent-by-SMS routes.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(send_consent_code))
        .routes(routes!(enter_consent_code))
}

/// A code on its way to the relative's phone.
#[derive(Serialize, ToSchema)]
pub(crate) struct ConsentCodeSent {
    /// The usual SMS answer.
    #[serde(flatten)]
    sent: SmsSent,
    /// The phone it went to, masked (`138****0000`), so the holder knows whom to ask.
    phone_masked: String,
}

/// `POST /api/contacts/{relative}/consent` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct ConsentCode {
    /// The six-digit code the relative read from their phone.
    sms_code: String,
}

/// The contact as confirmed.
#[derive(Serialize, ToSchema)]
pub(crate) struct Consented {
    /// Always true.
    confirmed: bool,
}

fn unavailable(message: &str) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, codes::CONSENT_BY_SMS_UNAVAILABLE, message)
}

/// The relative's own phone, if the holder has asked to act for them and they have one.
async fn relatives_phone(
    state: &AppState,
    holder: &Holder,
    relative: &str,
) -> Result<(String, MobileNumber), ApiError> {
    let relative = ResidentId::parse(relative)?.to_string();
    let contacts = crate::contacts::contacts_of(state, &holder.id).await?;
    let contact = contacts.value.iter().find(|c| c.id.to_string() == relative);
    match contact {
        None => {
            return Err(ApiError::status(
                certify_bridge::CertifyStatus::NotAContact,
                "add this person as a contact first",
            ));
        }
        Some(c) if c.confirmed() => return Err(ApiError::conflict()),
        Some(_) => {}
    }
    let account = load_account(state, &relative)
        .await
        .map_err(|_| unavailable("the relative has no account with a phone"))?;
    let own_phone = match (&account.value.phone, account.value.phone_owner) {
        (Some(p), PhoneOwner::Holder) => p.clone(),
        _ => {
            return Err(unavailable(
                "the relative has no phone of their own bound to their account",
            ));
        }
    };
    let holders_phone = load_account(state, &holder.id).await?.value.phone;
    if holders_phone.as_ref() == Some(&own_phone) {
        return Err(unavailable("the relative's phone is the asking account's own phone"));
    }
    Ok((relative, own_phone))
}

/// Where the challenge is stored: per phone and per asking holder.
fn purpose_key(holder: &Holder) -> String {
    format!("contact_consent:{}", holder.id)
}

/// `POST /api/contacts/{relative}/consent-code`: send a consent code to the relative's own
/// bound phone.
#[utoipa::path(post, path = "/api/contacts/{relative}/consent-code", tag = "identity", security(("bearer" = [])),
    params(("relative" = String, Path, description = "The relative's identity number")),
    responses((status = 200, body = ConsentCodeSent), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn send_consent_code(
    State(state): State<AppState>,
    client: ClientAddress,
    holder: Holder,
    Path(relative): Path<String>,
) -> Result<Json<ConsentCodeSent>, ApiError> {
    let (_, phone) = relatives_phone(&state, &holder, &relative).await?;
    state.limits.sms(&client, phone.as_str())?;
    let code = issue_code(&state, &phone, SmsPurpose::ContactConsent, &purpose_key(&holder), &[]).await?;
    // The province's SMS template for this purpose names the asking account and warns
    // the relative not to pass the code to anyone they do not know.
    state.sms.send(phone.as_str(), "contact_consent", code.expose());
    Ok(Json(ConsentCodeSent {
        sent: SmsSent::after(SmsPolicy::default().resend_cooldown_seconds),
        phone_masked: phone.masked(),
    }))
}

/// `POST /api/contacts/{relative}/consent`: the code the relative read out confirms the
/// contact (a wrong code counts towards the code's five tries and the day's guesses).
#[utoipa::path(post, path = "/api/contacts/{relative}/consent", tag = "identity", request_body = ConsentCode, security(("bearer" = [])),
    params(("relative" = String, Path, description = "The relative's identity number")),
    responses((status = 200, body = Consented), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn enter_consent_code(
    State(state): State<AppState>,
    client: ClientAddress,
    holder: Holder,
    Path(relative): Path<String>,
    ApiJson(req): ApiJson<ConsentCode>,
) -> Result<Json<Consented>, ApiError> {
    let (relative, phone) = relatives_phone(&state, &holder, &relative).await?;
    state.limits.guess(&client, phone.as_str())?;
    let key = purpose_key(&holder);
    let mut challenge: Versioned<SmsChallenge> = store::load(&state.db.pool, store::SMS, &[phone.as_str(), &key])
        .await?
        .ok_or_else(|| {
            ApiError::status(
                certify_bridge::CertifyStatus::SmsExpired,
                "ask for a consent code first",
            )
        })?;
    let verified = challenge.value.verify(
        &phone,
        SmsPurpose::ContactConsent,
        &req.sms_code,
        &state.sms_key(),
        &SmsPolicy::default(),
        state.now(),
    );
    let mut tx = state.db.begin_write().await?;
    store::save(&mut tx, store::SMS, &[phone.as_str(), &key], &challenge, &[]).await?;
    tx.commit().await?;
    verified?;
    crate::contacts::confirm(&state, &holder.id, &relative, ConsentBy::RelativesPhone, &holder.id).await?;
    Ok(Json(Consented { confirmed: true }))
}
