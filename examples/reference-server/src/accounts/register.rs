//! Registration (注册): picture captcha and phone → SMS code → the form, checked against the
//! roster by the core. The SMS challenge changes on every attempt (a wrong code counts).

use super::{holder_of_phone, load_sms, save_sms};
use crate::AppState;
use crate::audit::audit;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::people::roster_entry;
use crate::store::Versioned;
use axum::Json;
use axum::extract::State;
use certify_bridge::CertifyStatus;
use certify_core::account::sms::{SmsPolicy, SmsPurpose};
use certify_core::account::{
    Existing, PhoneOwner, RegistrationForm, register as core_register, request_registration_code,
};
use certify_core::id::ResidentId;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

struct Answered(bool);

impl certify_core::account::CaptchaVerifier for Answered {
    fn verify(&self, _: &str, _: &str) -> bool {
        self.0
    }
}

/// `POST /api/sms/register` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct SmsRegisterRequest {
    phone: String,
    captcha_id: String,
    captcha_answer: String,
}

/// `POST /api/sms/register`: picture captcha + phone → an SMS code is sent.
#[utoipa::path(post, path = "/api/sms/register", tag = "accounts", request_body = SmsRegisterRequest,
    responses((status = 200, body = super::SmsSent), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn sms_register(
    State(state): State<AppState>,
    client: crate::limits::ClientAddress,
    ApiJson(req): ApiJson<SmsRegisterRequest>,
) -> Result<Json<super::SmsSent>, ApiError> {
    let solved = super::captcha::spend(&state, &req.captcha_id, &req.captcha_answer).await?;
    if solved {
        state.limits.sms(&client, &req.phone)?;
    }
    let phone_registered = holder_of_phone(&state, &req.phone).await?.is_some();
    let previous = load_sms(&state, &req.phone, SmsPurpose::Register).await?;
    let now = state.now();
    let sent = || {
        Json(super::SmsSent {
            sent: true,
            resend_after_seconds: Some(SmsPolicy::default().resend_cooldown_seconds),
        })
    };
    let (challenge, code) = match request_registration_code(
        &req.phone,
        &Answered(solved),
        &req.captcha_id,
        &req.captcha_answer,
        phone_registered,
        previous.as_ref().map(|p| &p.value),
        &state.sms_key(),
        &SmsPolicy::default(),
        now,
        &mut state.rng(),
    ) {
        Ok(v) => v,
        // A phone that already has an account gets the same answer as any other and no
        // code: the answer does not tell who is registered (the owner uses forgot-password).
        Err(certify_core::account::RegistrationError::PhoneAlreadyRegistered) => return Ok(sent()),
        Err(e) => return Err(e.into()),
    };
    let stored = Versioned {
        value: challenge,
        version: previous.and_then(|p| p.version),
    };
    let mut tx = state.db.begin_write().await?;
    save_sms(&mut tx, SmsPurpose::Register, &stored).await?;
    tx.commit().await?;
    state.sms.send(stored.value.phone.as_str(), "register", code.expose());
    Ok(sent())
}

/// `POST /api/register` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct RegisterRequest {
    phone: String,
    sms_code: String,
    name: String,
    id_number: String,
    password: String,
    password_repeat: String,
    /// `holder` (default) or `relative`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    phone_owner: Option<PhoneOwner>,
}

/// A new account.
#[derive(Serialize, ToSchema)]
pub(crate) struct Registered {
    /// The holder's identity number (normalised).
    holder_id: String,
}

/// `POST /api/register`: the registration form (the SMS code is checked; a wrong one counts).
#[utoipa::path(post, path = "/api/register", tag = "accounts", request_body = RegisterRequest,
    responses((status = 200, body = Registered), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn register(
    State(state): State<AppState>,
    client: crate::limits::ClientAddress,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> Result<Json<Registered>, ApiError> {
    state.limits.guess(&client, &req.phone)?;
    let mut challenge = load_sms(&state, &req.phone, SmsPurpose::Register)
        .await?
        .ok_or_else(|| ApiError::status(CertifyStatus::SmsExpired, "ask for an SMS code first"))?;
    let normalized = ResidentId::parse(&req.id_number)
        .map(|i| i.to_string())
        .unwrap_or_default();
    let entry = roster_entry(&state, &normalized).await?.map(|(e, _)| e);
    let existing = Existing {
        phone_registered: holder_of_phone(&state, &req.phone).await?.is_some(),
        id_registered: state
            .db
            .text("SELECT holder_id FROM accounts WHERE holder_id = $1", &normalized)
            .await?
            .is_some(),
    };
    let now = state.now();
    let key = state.sms_key();
    let mut rng = state.rng();
    // Password hashing (argon2id) runs on the blocking pool.
    let (challenge, result) = state
        .blocking(move || {
            let form = RegistrationForm {
                phone: &req.phone,
                sms_code: &req.sms_code,
                name: &req.name,
                id_number: &req.id_number,
                password: &req.password,
                password_repeat: &req.password_repeat,
                phone_owner: req.phone_owner.unwrap_or(PhoneOwner::Holder),
            };
            let result = core_register(
                &form,
                &mut challenge.value,
                existing,
                entry.as_ref(),
                &key,
                &SmsPolicy::default(),
                &certify_core::account::password::PasswordParams::default(),
                now,
                &mut rng,
            );
            (challenge, result)
        })
        .await?;
    let mut tx = state.db.begin_write().await?;
    // The challenge changes either way (a wrong code counts): keep it.
    save_sms(&mut tx, SmsPurpose::Register, &challenge).await?;
    let (account, events) = match result {
        Ok(v) => v,
        Err(e) => {
            tx.commit().await?;
            return Err(e.into());
        }
    };
    let holder_id = account.holder_id.to_string();
    super::save_account(&mut tx, &Versioned::new(account)).await?;
    audit(
        &mut tx,
        now,
        &holder_id,
        "account.registered",
        &holder_id,
        &json!({"events": events}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(Registered { holder_id }))
}
