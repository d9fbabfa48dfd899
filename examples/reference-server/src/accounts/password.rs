//! Forgot-password (忘记密码): an SMS code to the account's phone, then a new password; a
//! reset also lifts a lock.

use super::{holder_of_phone, load_account, load_sms, save_account, save_sms};
use crate::AppState;
use crate::audit::audit;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::store::Versioned;
use axum::Json;
use axum::extract::State;
use certify::CertifyStatus;
use certify_core::account::sms::{SmsChallenge, SmsPolicy, SmsPurpose};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// The password was reset.
#[derive(Serialize, ToSchema)]
pub(crate) struct ResetDone {
    /// Always true.
    reset: bool,
}

/// `POST /api/password/sms` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct PasswordSmsRequest {
    phone: String,
}

/// `POST /api/password/sms`: forgot-password, step 1 (a code to the account's phone).
#[utoipa::path(post, path = "/api/password/sms", tag = "accounts", request_body = PasswordSmsRequest,
    responses((status = 200, body = super::SmsSent), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn password_sms(
    State(state): State<AppState>,
    client: crate::limits::ClientAddress,
    ApiJson(req): ApiJson<PasswordSmsRequest>,
) -> Result<Json<super::SmsSent>, ApiError> {
    let phone = certify_core::account::MobileNumber::parse(&req.phone)?;
    // Counted whether or not the phone has an account (the same answer either way).
    state.limits.sms(&client, phone.as_str())?;
    if holder_of_phone(&state, phone.as_str()).await?.is_some() {
        let previous = load_sms(&state, phone.as_str(), SmsPurpose::ResetPassword).await?;
        let (challenge, code) = SmsChallenge::issue(
            phone.clone(),
            SmsPurpose::ResetPassword,
            previous.as_ref().map(|p| &p.value),
            &state.sms_key(),
            &SmsPolicy::default(),
            state.now(),
            &mut state.rng(),
        )?;
        let stored = Versioned {
            value: challenge,
            version: previous.and_then(|p| p.version),
        };
        let mut tx = state.db.begin_write().await?;
        save_sms(&mut tx, SmsPurpose::ResetPassword, &stored).await?;
        tx.commit().await?;
        state.sms.send(phone.as_str(), "reset_password", code.expose());
    }
    // The same answer whether or not the phone has an account.
    Ok(Json(super::SmsSent {
        sent: true,
        resend_after_seconds: None,
    }))
}

/// `POST /api/password/reset` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct PasswordResetRequest {
    phone: String,
    sms_code: String,
    new_password: String,
    password_repeat: String,
}

/// `POST /api/password/reset`: forgot-password, step 2; also lifts a lock.
#[utoipa::path(post, path = "/api/password/reset", tag = "accounts", request_body = PasswordResetRequest,
    responses((status = 200, body = ResetDone), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn password_reset(
    State(state): State<AppState>,
    client: crate::limits::ClientAddress,
    ApiJson(req): ApiJson<PasswordResetRequest>,
) -> Result<Json<ResetDone>, ApiError> {
    let no_code = || ApiError::status(CertifyStatus::SmsExpired, "ask for an SMS code first");
    state.limits.guess(&client, &req.phone)?;
    let holder_id = holder_of_phone(&state, &req.phone).await?.ok_or_else(no_code)?;
    let mut challenge = load_sms(&state, &req.phone, SmsPurpose::ResetPassword)
        .await?
        .ok_or_else(no_code)?;
    let mut account = load_account(&state, &holder_id).await?;
    let now = state.now();
    let key = state.sms_key();
    let mut rng = state.rng();
    let (account, challenge, result) = state
        .blocking(move || {
            let r = account.value.reset_password(
                &mut challenge.value,
                &req.sms_code,
                &req.new_password,
                &req.password_repeat,
                &key,
                &SmsPolicy::default(),
                &certify_core::account::password::PasswordParams::default(),
                now,
                &mut rng,
            );
            (account, challenge, r)
        })
        .await?;
    let mut tx = state.db.begin_write().await?;
    save_sms(&mut tx, SmsPurpose::ResetPassword, &challenge).await?;
    match result {
        Ok(events) => {
            save_account(&mut tx, &account).await?;
            crate::extract::end_sessions(&mut tx, &holder_id).await?;
            audit(
                &mut tx,
                now,
                &holder_id,
                "account.password_reset",
                &holder_id,
                &json!({"events": events}),
            )
            .await?;
            tx.commit().await?;
            Ok(Json(ResetDone { reset: true }))
        }
        Err(e) => {
            tx.commit().await?;
            Err(e.into())
        }
    }
}
