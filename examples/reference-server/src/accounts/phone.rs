//! Binding a phone to an account (绑定手机): a card-login account gets a phone — the
//! pensioner's own, or, for pensioners living abroad, a domestic relative's (seed 003
//! 常见问题 6) — proved by an SMS code to that phone. The code is stored per account, so one
//! account's request is never confirmed by another's code.

use super::{SmsSent, holder_of_phone, issue_code, load_account, save_account};
use crate::AppState;
use crate::audit::audit;
use crate::error::ApiError;
use crate::extract::{ApiJson, Holder};
use crate::limits::ClientAddress;
use crate::store::{self, Versioned};
use axum::Json;
use axum::extract::State;
use certify_bridge::CertifyStatus;
use certify_core::account::PhoneOwner;
use certify_core::account::sms::{SmsChallenge, SmsPolicy, SmsPurpose};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// `POST /api/phone/code` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct PhoneCodeRequest {
    phone: String,
    captcha_id: String,
    captcha_answer: String,
}

/// `POST /api/phone/bind` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct BindRequest {
    phone: String,
    sms_code: String,
    /// `holder` (the pensioner's own phone) or `relative` (a domestic relative's, for a
    /// pensioner abroad). Only the pensioner's own phone can receive consent codes.
    #[schema(value_type = String)]
    owner: PhoneOwner,
}

/// The phone bound.
#[derive(Serialize, ToSchema)]
pub(crate) struct Bound {
    /// The phone, masked.
    phone_masked: String,
    /// Whose it is.
    #[schema(value_type = String)]
    owner: PhoneOwner,
}

fn key(holder: &Holder) -> String {
    format!("bind_phone:{}", holder.id)
}

/// `POST /api/phone/code`: picture captcha + phone → a code to that phone for binding it.
#[utoipa::path(post, path = "/api/phone/code", tag = "accounts", request_body = PhoneCodeRequest, security(("bearer" = [])),
    responses((status = 200, body = SmsSent), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn phone_code(
    State(state): State<AppState>,
    client: ClientAddress,
    holder: Holder,
    ApiJson(req): ApiJson<PhoneCodeRequest>,
) -> Result<Json<SmsSent>, ApiError> {
    let phone =
        super::captcha::solved_for_sms(&state, &client, &req.phone, &req.captcha_id, &req.captcha_answer).await?;
    let code = issue_code(&state, &phone, SmsPurpose::BindPhone, &key(&holder), &[]).await?;
    state.sms.send(phone.as_str(), "bind_phone", code.expose());
    Ok(Json(SmsSent::after(SmsPolicy::default().resend_cooldown_seconds)))
}

/// `POST /api/phone/bind`: the code proves the phone; it is bound to the account.
#[utoipa::path(post, path = "/api/phone/bind", tag = "accounts", request_body = BindRequest, security(("bearer" = [])),
    responses((status = 200, body = Bound), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn bind_phone(
    State(state): State<AppState>,
    client: ClientAddress,
    holder: Holder,
    ApiJson(req): ApiJson<BindRequest>,
) -> Result<Json<Bound>, ApiError> {
    let phone = certify_core::account::MobileNumber::parse(&req.phone)?;
    state.limits.guess(&client, phone.as_str())?;
    let mut challenge: Versioned<SmsChallenge> =
        store::load(&state.db.pool, store::SMS, &[phone.as_str(), &key(&holder)])
            .await?
            .ok_or_else(|| ApiError::status(CertifyStatus::SmsExpired, "ask for a code first"))?;
    let mut account = load_account(&state, &holder.id).await?;
    let registered = holder_of_phone(&state, phone.as_str())
        .await?
        .is_some_and(|other| other != holder.id);
    let now = state.now();
    let result = account.value.bind_phone(
        phone.as_str(),
        req.owner,
        registered,
        &mut challenge.value,
        &req.sms_code,
        &state.sms_key(),
        &SmsPolicy::default(),
        now,
    );
    let mut tx = state.db.begin_write().await?;
    store::save(&mut tx, store::SMS, &[phone.as_str(), &key(&holder)], &challenge, &[]).await?;
    let events = match result {
        Ok(events) => events,
        Err(e) => {
            tx.commit().await?;
            return Err(e.into());
        }
    };
    save_account(&mut tx, &account).await?;
    audit(
        &mut tx,
        now,
        &holder.id,
        "account.phone_bound",
        &holder.id,
        &json!({"events": events}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(Bound {
        phone_masked: phone.masked(),
        owner: req.owner,
    }))
}
