//! Forgot-password (忘记密码): an SMS code to the account's phone, then a new password; a
//! reset also lifts a lock.

use super::{holder_of_phone, load_account, load_sms, save_account, save_sms};
use crate::AppState;
use crate::audit::audit;
use crate::error::ApiError;
use crate::extract::ApiJson;
use axum::Json;
use axum::extract::State;
use certify_bridge::CertifyStatus;
use certify_core::account::sms::{SmsPolicy, SmsPurpose};
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
    captcha_id: String,
    captcha_answer: String,
}

/// A reset code on its way (or, for a phone without an account, the same answer).
#[derive(Serialize, ToSchema)]
pub(crate) struct ResetCodeSent {
    /// The usual SMS answer.
    #[serde(flatten)]
    sent: super::SmsSent,
    /// Pass it back with the code: the code can only be tried by whoever asked for it,
    /// so a stranger who knows the phone number cannot burn the owner's code with wrong
    /// guesses.
    reset_ticket: String,
}

/// How a reset ticket is stored (its SHA-256, hex): the ticket itself is only with the
/// client that asked.
fn ticket_hash(ticket: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(ticket.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The requester stored with `phone`'s reset challenge.
async fn requester(state: &AppState, phone: &str) -> Result<Option<String>, ApiError> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT requester FROM sms_challenges WHERE phone = $1 AND purpose = 'reset_password'")
            .bind(phone.to_owned())
            .fetch_optional(&state.db.pool)
            .await?;
    Ok(row.and_then(|r| r.0))
}

/// `POST /api/password/sms`: forgot-password, step 1 (picture captcha + phone → a code to
/// the account's phone and a reset ticket to the client that asked).
#[utoipa::path(post, path = "/api/password/sms", tag = "accounts", request_body = PasswordSmsRequest,
    responses((status = 200, body = ResetCodeSent), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn password_sms(
    State(state): State<AppState>,
    client: crate::limits::ClientAddress,
    ApiJson(req): ApiJson<PasswordSmsRequest>,
) -> Result<Json<ResetCodeSent>, ApiError> {
    // Counted (and the minute's cooldown applied) whether or not the phone has an
    // account: the same answers either way.
    let phone =
        super::captcha::solved_for_sms(&state, &client, &req.phone, &req.captcha_id, &req.captcha_answer).await?;
    let ticket = state.random_hex(16);
    if holder_of_phone(&state, phone.as_str()).await?.is_some() {
        let code = super::issue_code(
            &state,
            &phone,
            SmsPurpose::ResetPassword,
            super::purpose_name(SmsPurpose::ResetPassword),
            &[("requester", Some(ticket_hash(&ticket)))],
        )
        .await?;
        state.sms.send(phone.as_str(), "reset_password", code.expose());
    }
    Ok(Json(ResetCodeSent {
        sent: super::SmsSent::after(SmsPolicy::default().resend_cooldown_seconds),
        reset_ticket: ticket,
    }))
}

/// `POST /api/password/reset` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct PasswordResetRequest {
    phone: String,
    /// The ticket `POST /api/password/sms` answered.
    reset_ticket: String,
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
    // A guess without the ticket of the code's request never reaches the code: it is
    // counted against the address only, and answered as if there were no code.
    let asked_here = requester(&state, &req.phone)
        .await?
        .is_some_and(|h| h == ticket_hash(&req.reset_ticket));
    if !asked_here {
        state.limits.stray_guess(&client)?;
        return Err(no_code());
    }
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
