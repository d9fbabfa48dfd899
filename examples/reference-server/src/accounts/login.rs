//! Login (登录): phone and password, or social-security card and PIN; three failures lock
//! the account for 24 hours (the core's rule). Passwords are verified on the blocking pool.

use super::{holder_of_phone, load_account, save_account};
use crate::AppState;
use crate::audit::audit;
use crate::error::ApiError;
use crate::extract::{ApiJson, open_session};
use crate::people::roster_entry;
use crate::store::Versioned;
use axum::Json;
use axum::extract::State;
use certify_bridge::CertifyStatus;
use certify_core::account::{Account, CardCheck, CardVerifier, LoginResult, first_card_login};
use certify_core::id::ResidentId;
use certify_core::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// A session.
#[derive(Serialize, ToSchema)]
pub(crate) struct LoggedIn {
    /// Bearer token (24 hours).
    token: String,
    /// The holder's identity number.
    holder_id: String,
    /// Whether real-name verification is done.
    real_name_verified: bool,
}

/// `POST /api/login` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct LoginRequest {
    phone: String,
    password: String,
}

/// `POST /api/login`: phone + password → `{token}`; three failures lock for 24 hours.
#[utoipa::path(post, path = "/api/login", tag = "accounts", request_body = LoginRequest,
    responses((status = 200, body = LoggedIn), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<LoggedIn>, ApiError> {
    let Some(holder_id) = holder_of_phone(&state, &req.phone).await? else {
        // Same answer as a wrong password, after the same work (one argon2id verification
        // against a fixed hash): neither the text nor the time tells whether the phone has
        // an account.
        let password = req.password;
        state
            .blocking(move || {
                let _ = certify_core::account::password::verify_password(&password, dummy_hash());
            })
            .await?;
        return Err(ApiError::status(
            CertifyStatus::LoginWrongCredentials,
            "wrong phone number or password",
        ));
    };
    let mut account = load_account(&state, &holder_id).await?;
    let now = state.now();
    let (account, result) = state
        .blocking(move || {
            let r = account.value.login_with_password(&req.password, now);
            (account, r)
        })
        .await?;
    finish_login(&state, account, result, now).await
}

/// An argon2id hash of a random password with the default parameters, made once.
pub(crate) fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        certify_core::account::password::hash_password(
            "not a password anyone has",
            &certify_core::account::password::PasswordParams::default(),
            &mut rand_core::OsRng,
        )
        .unwrap_or_default()
    })
}

/// Store the account after a login attempt (failures count even when the login fails) and
/// open a session when it passed.
async fn finish_login(
    state: &AppState,
    account: Versioned<Account>,
    result: LoginResult,
    now: Timestamp,
) -> Result<Json<LoggedIn>, ApiError> {
    let holder_id = account.value.holder_id.to_string();
    let mut tx = state.db.begin_write().await?;
    save_account(&mut tx, &account).await?;
    for e in &result.events {
        audit(&mut tx, now, &holder_id, "account.event", &holder_id, &json!(e)).await?;
        if matches!(e, certify_core::account::AccountEvent::Locked { .. }) {
            crate::extract::end_sessions(&mut tx, &holder_id).await?;
        }
    }
    tx.commit().await?;
    if let Err(e @ certify_core::account::LoginError::CardLocked { .. }) = result.outcome {
        return Err(ApiError::from(e).with_detail(serde_json::json!({
            "advice_zh": "社保卡密码连续错误3次，卡登录已锁定24小时；请带身份证到社保经办窗口解锁，或用忘记密码（已绑定手机时）解锁",
        })));
    }
    result.outcome?;
    let token = open_session(state, "pensioner", &holder_id, 24).await?;
    Ok(Json(LoggedIn {
        token,
        holder_id,
        real_name_verified: account.value.real_name_verified_at.is_some(),
    }))
}

/// The demo card system: every card accepts the configured PIN.
struct DemoCards(String);

impl CardVerifier for DemoCards {
    fn check(&self, _id: &ResidentId, pin: &str) -> CardCheck {
        if self.0.is_empty() {
            CardCheck::NoCard
        } else if pin == self.0 {
            CardCheck::Valid
        } else {
            CardCheck::WrongPin
        }
    }
}

/// `POST /api/login/card` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct CardLoginRequest {
    id_number: String,
    pin: String,
}

/// `POST /api/login/card`: social security card number + PIN (the demo card system
/// accepts `demo_card_pin`); creates the account on first use.
#[utoipa::path(post, path = "/api/login/card", tag = "accounts", request_body = CardLoginRequest,
    responses((status = 200, body = LoggedIn), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn login_card(
    State(state): State<AppState>,
    client: crate::limits::ClientAddress,
    ApiJson(req): ApiJson<CardLoginRequest>,
) -> Result<Json<LoggedIn>, ApiError> {
    let cards = DemoCards(state.config.demo_card_pin.clone());
    let now = state.now();
    let normalized = ResidentId::parse(&req.id_number)?.to_string();
    if let Ok(mut account) = load_account(&state, &normalized).await {
        let result = account.value.login_with_card(&req.pin, &cards, now);
        return finish_login(&state, account, result, now).await;
    }
    let entry = roster_entry(&state, &normalized).await?.map(|(e, _)| e);
    // No account yet to count wrong PINs on: the first card login of a number is limited
    // per day instead.
    state.limits.first_card_login(&client, &normalized)?;
    let (account, events) = first_card_login(&req.id_number, &req.pin, &cards, entry.as_ref(), now)?;
    let mut tx = state.db.begin_write().await?;
    save_account(&mut tx, &Versioned::new(account)).await?;
    audit(
        &mut tx,
        now,
        &normalized,
        "account.registered_by_card",
        &normalized,
        &json!({"events": events}),
    )
    .await?;
    tx.commit().await?;
    let token = open_session(&state, "pensioner", &normalized, 24).await?;
    Ok(Json(LoggedIn {
        token,
        holder_id: normalized,
        real_name_verified: false,
    }))
}
