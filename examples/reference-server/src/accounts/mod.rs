//! Accounts (`/api/*` before login): picture captcha, SMS codes, registration, password and
//! card login with the 3-failure / 24 h lock, forgot-password. Every rule is the core's
//! (`certify_core::account`); this module stores the state with compare-and-swap.

mod captcha;
mod login;
mod password;
mod register;

use crate::AppState;
use crate::error::ApiError;
use crate::store::{self, Versioned};
use axum::Router;
use axum::routing::post;
use certify_core::account::Account;
use certify_core::account::sms::{SmsChallenge, SmsPurpose};

/// The account routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/captcha", post(captcha::captcha))
        .route("/api/sms/register", post(register::sms_register))
        .route("/api/register", post(register::register))
        .route("/api/login", post(login::login))
        .route("/api/login/card", post(login::login_card))
        .route("/api/password/sms", post(password::password_sms))
        .route("/api/password/reset", post(password::password_reset))
}

/// The account of `holder_id`, with its version.
pub(crate) async fn load_account(state: &AppState, holder_id: &str) -> Result<Versioned<Account>, ApiError> {
    store::load(&state.db.pool, store::ACCOUNTS, &[holder_id])
        .await?
        .ok_or_else(|| ApiError::not_found("account"))
}

/// Store an account (compare-and-swap on its version; the phone column follows it).
pub(crate) async fn save_account(conn: &mut sqlx::AnyConnection, account: &Versioned<Account>) -> Result<(), ApiError> {
    let phone = account.value.phone.as_ref().map(|p| p.as_str().to_owned());
    store::save(
        conn,
        store::ACCOUNTS,
        &[&account.value.holder_id.to_string()],
        account,
        &[("phone", phone)],
    )
    .await
    .map(|_| ())
}

/// The holder of the account using `phone`, if any.
pub(crate) async fn holder_of_phone(state: &AppState, phone: &str) -> Result<Option<String>, ApiError> {
    Ok(state
        .db
        .text("SELECT holder_id FROM accounts WHERE phone = $1", phone)
        .await?)
}

/// The stored name of an SMS purpose.
pub(crate) fn purpose_name(p: SmsPurpose) -> &'static str {
    match p {
        SmsPurpose::Register => "register",
        SmsPurpose::ResetPassword => "reset_password",
        SmsPurpose::BindPhone => "bind_phone",
    }
}

/// The last SMS challenge sent to `phone` for `purpose`.
pub(crate) async fn load_sms(
    state: &AppState,
    phone: &str,
    purpose: SmsPurpose,
) -> Result<Option<Versioned<SmsChallenge>>, ApiError> {
    store::load(&state.db.pool, store::SMS, &[phone, purpose_name(purpose)]).await
}

/// Store a challenge (compare-and-swap, so parallel guesses each count).
pub(crate) async fn save_sms(
    conn: &mut sqlx::AnyConnection,
    purpose: SmsPurpose,
    ch: &Versioned<SmsChallenge>,
) -> Result<(), ApiError> {
    store::save(
        conn,
        store::SMS,
        &[ch.value.phone.as_str(), purpose_name(purpose)],
        ch,
        &[],
    )
    .await
    .map(|_| ())
}
