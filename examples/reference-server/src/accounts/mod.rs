//! Accounts (`/api/*` before login): picture captcha, SMS codes, registration, password and
//! card login with the 3-failure / 24 h lock, forgot-password. Every rule is the core's
//! (`certify_core::account`); this module stores the state with compare-and-swap.

mod captcha;
mod login;
mod password;
mod phone;
mod register;

pub use captcha::{CaptchaMaker, MadeCaptcha, RasterCaptcha};
pub(crate) use login::dummy_hash;

use crate::AppState;
use crate::error::ApiError;
use crate::store::{self, Versioned};
use certify_core::account::Account;
use certify_core::account::sms::{SmsChallenge, SmsPurpose};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The account routes.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(captcha::captcha))
        .routes(routes!(register::sms_register))
        .routes(routes!(register::register))
        .routes(routes!(login::login))
        .routes(routes!(login::login_card))
        .routes(routes!(password::password_sms))
        .routes(routes!(password::password_reset))
        .routes(routes!(phone::phone_code))
        .routes(routes!(phone::bind_phone))
        .routes(routes!(crate::extract::logout))
}

/// An SMS was sent (or, for forgot-password, the same answer whether or not it was).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct SmsSent {
    /// Always true.
    sent: bool,
    /// Seconds before another code can be asked for.
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    resend_after_seconds: Option<i64>,
}

impl SmsSent {
    /// A code was sent; another may be asked for after `seconds`.
    pub(crate) fn after(seconds: i64) -> Self {
        Self {
            sent: true,
            resend_after_seconds: Some(seconds),
        }
    }
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
        SmsPurpose::ContactConsent => "contact_consent",
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

/// Issue a code for `purpose` to `phone` and store its challenge under `key` (the stored
/// purpose: the purpose's name, or a name bound to whoever asked) with the `extra` columns;
/// returns the code to send. The core refuses a code too soon after the last one.
pub(crate) async fn issue_code(
    state: &AppState,
    phone: &certify_core::account::MobileNumber,
    purpose: SmsPurpose,
    key: &str,
    extra: &[(&'static str, Option<String>)],
) -> Result<certify_core::account::sms::SmsCode, ApiError> {
    let previous: Option<Versioned<SmsChallenge>> =
        store::load(&state.db.pool, store::SMS, &[phone.as_str(), key]).await?;
    let (challenge, code) = SmsChallenge::issue(
        phone.clone(),
        purpose,
        previous.as_ref().map(|p| &p.value),
        &state.sms_key(),
        &certify_core::account::sms::SmsPolicy::default(),
        state.now(),
        &mut state.rng(),
    )?;
    let stored = Versioned {
        value: challenge,
        version: previous.and_then(|p| p.version),
    };
    let mut tx = state.db.begin_write().await?;
    store::save(&mut tx, store::SMS, &[phone.as_str(), key], &stored, extra).await?;
    tx.commit().await?;
    Ok(code)
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
