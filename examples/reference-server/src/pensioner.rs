//! Pensioner-side endpoints (`/api/*`): the app flow of seed 003 and the certification.

use crate::error::{ApiError, codes, domain};
use crate::{AppState, Caller, audit, caller, idempotency_key, idempotent_replay, idempotent_store, open_session};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use certify::CertifyStatus;
use certify_core::account::sms::{SmsChallenge, SmsPolicy, SmsPurpose};
use certify_core::account::{
    Account, CardCheck, CardVerifier, Existing, PhoneOwner, RegistrationForm, first_card_login, register,
    request_registration_code,
};
use certify_core::biometric::{MatchDecision, Modality};
use certify_core::certification::{
    CertificationRecord, PersonFacts, ProxyContact, certify_by_app, history as core_history, last_certified,
};
use certify_core::enrollment::{EnrollmentCase, EnrollmentEvent};
use certify_core::evidence::{Challenge, EvidenceClaims, EvidenceToken, EvidenceVerifier, ReplayGuard};
use certify_core::id::ResidentId;
use certify_core::payment::PaymentStatus;
use certify_core::roster::RosterEntry;
use certify_core::time::Timestamp;
use rand_core::RngCore;
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::Row;

type ApiResult = Result<Response, ApiError>;

fn ok(body: Value) -> ApiResult {
    Ok(Json(body).into_response())
}

/// The pensioner of the token (staff tokens are refused here).
pub(crate) async fn holder(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let c = caller(state, headers).await?;
    if c.kind != "pensioner" {
        return Err(ApiError::forbidden());
    }
    Ok(c)
}

async fn load_account(state: &AppState, holder_id: &str) -> Result<Account, ApiError> {
    state
        .db
        .json("SELECT account_json FROM accounts WHERE holder_id = $1", holder_id)
        .await?
        .ok_or_else(|| ApiError::not_found("account"))
}

/// Store `account` if the stored one is still `before` (compare-and-swap): parallel
/// requests cannot undo each other's counted failures (no lockout bypass by concurrency).
async fn save_account(conn: &mut sqlx::AnyConnection, before: &Account, account: &Account) -> Result<(), ApiError> {
    let done =
        sqlx::query("UPDATE accounts SET account_json = $1, phone = $2 WHERE holder_id = $3 AND account_json = $4")
            .bind(serde_json::to_string(account)?)
            .bind(account.phone.as_ref().map(|p| p.as_str().to_owned()))
            .bind(account.holder_id.to_string())
            .bind(serde_json::to_string(before)?)
            .execute(conn)
            .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(ApiError::conflict())
    }
}

pub(crate) async fn roster_entry(state: &AppState, id: &str) -> Result<Option<(RosterEntry, PaymentStatus)>, ApiError> {
    let row = sqlx::query("SELECT entry_json, payment_json FROM roster WHERE id_number = $1")
        .bind(id.to_owned())
        .fetch_optional(&state.db.pool)
        .await?;
    match row {
        Some(r) => Ok(Some((
            serde_json::from_str(&r.try_get::<String, _>(0)?)?,
            serde_json::from_str(&r.try_get::<String, _>(1)?)?,
        ))),
        None => Ok(None),
    }
}

pub(crate) async fn records_of(state: &AppState, person: &str) -> Result<Vec<CertificationRecord>, ApiError> {
    let rows = sqlx::query("SELECT record_json FROM certifications WHERE person = $1 ORDER BY at")
        .bind(person.to_owned())
        .fetch_all(&state.db.pool)
        .await?;
    rows.iter()
        .map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>(0)?)?))
        .collect()
}

pub(crate) async fn insert_record(
    conn: &mut sqlx::AnyConnection,
    record: &CertificationRecord,
) -> Result<(), ApiError> {
    sqlx::query("INSERT INTO certifications (person, at, record_json) VALUES ($1, $2, $3)")
        .bind(record.person.to_string())
        .bind(record.at.unix_seconds())
        .bind(serde_json::to_string(record)?)
        .execute(conn)
        .await?;
    Ok(())
}

async fn load_sms(state: &AppState, phone: &str, purpose: &str) -> Result<Option<SmsChallenge>, ApiError> {
    let row = sqlx::query("SELECT challenge_json FROM sms_challenges WHERE phone = $1 AND purpose = $2")
        .bind(phone.to_owned())
        .bind(purpose.to_owned())
        .fetch_optional(&state.db.pool)
        .await?;
    match row {
        Some(r) => Ok(Some(serde_json::from_str(&r.try_get::<String, _>(0)?)?)),
        None => Ok(None),
    }
}

/// Store a challenge in place of `before` (compare-and-swap, so parallel guesses each count),
/// or as the first one for this phone and purpose.
async fn save_sms(
    conn: &mut sqlx::AnyConnection,
    purpose: &str,
    before: Option<&SmsChallenge>,
    ch: &SmsChallenge,
) -> Result<(), ApiError> {
    let done = match before {
        Some(b) => sqlx::query(
            "UPDATE sms_challenges SET challenge_json = $1 WHERE phone = $2 AND purpose = $3 AND challenge_json = $4",
        )
        .bind(serde_json::to_string(ch)?)
        .bind(ch.phone.as_str().to_owned())
        .bind(purpose.to_owned())
        .bind(serde_json::to_string(b)?)
        .execute(conn)
        .await,
        None => {
            sqlx::query("INSERT INTO sms_challenges (phone, purpose, challenge_json) VALUES ($1, $2, $3)")
                .bind(ch.phone.as_str().to_owned())
                .bind(purpose.to_owned())
                .bind(serde_json::to_string(ch)?)
                .execute(conn)
                .await
        }
    };
    match done {
        Ok(d) if d.rows_affected() == 1 => Ok(()),
        Ok(_) => Err(ApiError::conflict()),
        // A parallel first challenge for the same phone won the insert.
        Err(sqlx::Error::Database(_)) => Err(ApiError::conflict()),
        Err(e) => Err(e.into()),
    }
}

fn purpose_name(p: SmsPurpose) -> &'static str {
    match p {
        SmsPurpose::Register => "register",
        SmsPurpose::ResetPassword => "reset_password",
        SmsPurpose::BindPhone => "bind_phone",
    }
}

/// `POST /api/captcha` → `{captcha_id, svg}`: a picture captcha (4 digits, 5 minutes).
pub(crate) async fn captcha(State(state): State<AppState>) -> ApiResult {
    let digits: String = state.with_rng(|r| (0..4).map(|_| char::from(b'0' + (r.next_u32() % 10) as u8)).collect());
    let id = state.random_hex(16);
    sqlx::query("INSERT INTO captchas (captcha_id, answer, expires_at) VALUES ($1, $2, $3)")
        .bind(id.clone())
        .bind(digits.clone())
        .bind(state.now().unix_seconds() + 300)
        .execute(&state.db.pool)
        .await?;
    let noise: Vec<u32> = state.with_rng(|r| (0..8).map(|_| r.next_u32() % 120).collect());
    let mut svg = String::from(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#eef"/>"##,
    );
    for (i, ch) in digits.chars().enumerate() {
        svg.push_str(&format!(
            r#"<text x="{}" y="{}" font-size="24" font-family="monospace" transform="rotate({} {} 20)">{ch}</text>"#,
            12 + i * 26,
            26 + noise[i] % 8,
            i32::try_from(noise[i + 4] % 30).unwrap_or(0) - 15,
            20 + i * 26
        ));
    }
    for w in noise.windows(2) {
        svg.push_str(&format!(
            r##"<line x1="0" y1="{}" x2="120" y2="{}" stroke="#99a"/>"##,
            w[0] % 40,
            w[1] % 40
        ));
    }
    svg.push_str("</svg>");
    ok(json!({"captcha_id": id, "svg": svg}))
}

async fn take_captcha(state: &AppState, id: &str, answer: &str) -> Result<bool, ApiError> {
    let row = sqlx::query("SELECT answer, expires_at FROM captchas WHERE captcha_id = $1")
        .bind(id.to_owned())
        .fetch_optional(&state.db.pool)
        .await?;
    sqlx::query("DELETE FROM captchas WHERE captcha_id = $1")
        .bind(id.to_owned())
        .execute(&state.db.pool)
        .await?;
    let Some(row) = row else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            codes::CAPTCHA_EXPIRED,
            "the picture code expired; get a new one",
        ));
    };
    let expected: String = row.try_get(0)?;
    let expires: i64 = row.try_get(1)?;
    if state.now().unix_seconds() > expires {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            codes::CAPTCHA_EXPIRED,
            "the picture code expired; get a new one",
        ));
    }
    Ok(expected == answer)
}

struct Answered(bool);

impl certify_core::account::CaptchaVerifier for Answered {
    fn verify(&self, _: &str, _: &str) -> bool {
        self.0
    }
}

#[derive(Deserialize)]
pub(crate) struct SmsRegisterRequest {
    phone: String,
    captcha_id: String,
    captcha_answer: String,
}

/// `POST /api/sms/register`: picture captcha + phone → an SMS code is sent.
pub(crate) async fn sms_register(State(state): State<AppState>, Json(req): Json<SmsRegisterRequest>) -> ApiResult {
    let solved = take_captcha(&state, &req.captcha_id, &req.captcha_answer).await?;
    let phone_registered = state
        .db
        .text("SELECT holder_id FROM accounts WHERE phone = $1", &req.phone)
        .await?
        .is_some();
    let previous = load_sms(&state, &req.phone, "register").await?;
    let now = state.now();
    let key = state.sms_key();
    let (challenge, code) = state
        .with_rng(|r| {
            request_registration_code(
                &req.phone,
                &Answered(solved),
                &req.captcha_id,
                &req.captcha_answer,
                phone_registered,
                previous.as_ref(),
                &key,
                &SmsPolicy::default(),
                now,
                r,
            )
        })
        .map_err(domain)?;
    let mut tx = state.db.pool.begin().await?;
    save_sms(&mut tx, "register", previous.as_ref(), &challenge).await?;
    tx.commit().await?;
    state.sms.send(challenge.phone.as_str(), "register", code.expose());
    ok(json!({"sent": true, "resend_after_seconds": SmsPolicy::default().resend_cooldown_seconds}))
}

#[derive(Deserialize)]
pub(crate) struct RegisterRequest {
    phone: String,
    sms_code: String,
    name: String,
    id_number: String,
    password: String,
    password_repeat: String,
    #[serde(default)]
    phone_owner: Option<PhoneOwner>,
}

/// `POST /api/register`: the registration form (the SMS code is checked; a wrong one counts).
pub(crate) async fn register_handler(state: &AppState, req: RegisterRequest) -> ApiResult {
    let mut challenge = load_sms(state, &req.phone, "register")
        .await?
        .ok_or_else(|| ApiError::status(CertifyStatus::SmsExpired, "ask for an SMS code first"))?;
    let challenge_before = challenge.clone();
    let normalized = ResidentId::parse(&req.id_number)
        .map(|i| i.to_string())
        .unwrap_or_default();
    let entry = roster_entry(state, &normalized).await?.map(|(e, _)| e);
    let existing = Existing {
        phone_registered: state
            .db
            .text("SELECT holder_id FROM accounts WHERE phone = $1", &req.phone)
            .await?
            .is_some(),
        id_registered: state
            .db
            .text("SELECT holder_id FROM accounts WHERE holder_id = $1", &normalized)
            .await?
            .is_some(),
    };
    let form = RegistrationForm {
        phone: &req.phone,
        sms_code: &req.sms_code,
        name: &req.name,
        id_number: &req.id_number,
        password: &req.password,
        password_repeat: &req.password_repeat,
        phone_owner: req.phone_owner.unwrap_or(PhoneOwner::Holder),
    };
    let now = state.now();
    let key = state.sms_key();
    let result = state.with_rng(|r| {
        register(
            &form,
            &mut challenge,
            existing,
            entry.as_ref(),
            &key,
            &SmsPolicy::default(),
            &certify_core::account::password::PasswordParams::default(),
            now,
            r,
        )
    });
    let mut tx = state.db.pool.begin().await?;
    // The challenge changes either way (a wrong code counts): keep it.
    save_sms(&mut tx, "register", Some(&challenge_before), &challenge).await?;
    let (account, events) = match result {
        Ok(v) => v,
        Err(e) => {
            tx.commit().await?;
            return Err(domain(e));
        }
    };
    let holder_id = account.holder_id.to_string();
    sqlx::query("INSERT INTO accounts (holder_id, phone, account_json) VALUES ($1, $2, $3)")
        .bind(holder_id.clone())
        .bind(req.phone.clone())
        .bind(serde_json::to_string(&account)?)
        .execute(&mut *tx)
        .await?;
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
    ok(json!({"holder_id": holder_id}))
}

pub(crate) async fn register_route(State(state): State<AppState>, Json(req): Json<RegisterRequest>) -> ApiResult {
    register_handler(&state, req).await
}

#[derive(Deserialize)]
pub(crate) struct LoginRequest {
    phone: String,
    password: String,
}

/// `POST /api/login`: phone + password → `{token}`; three failures lock for 24 hours.
pub(crate) async fn login(State(state): State<AppState>, Json(req): Json<LoginRequest>) -> ApiResult {
    let Some(holder_id) = state
        .db
        .text("SELECT holder_id FROM accounts WHERE phone = $1", &req.phone)
        .await?
    else {
        // Same answer as a wrong password: no account enumeration.
        return Err(ApiError::status(
            CertifyStatus::LoginWrongCredentials,
            "wrong phone number or password",
        ));
    };
    let mut account = load_account(&state, &holder_id).await?;
    let before = account.clone();
    let now = state.now();
    let result = account.login_with_password(&req.password, now);
    finish_login(&state, &before, account, result, now).await
}

async fn finish_login(
    state: &AppState,
    before: &Account,
    account: Account,
    result: certify_core::account::LoginResult,
    now: Timestamp,
) -> ApiResult {
    let holder_id = account.holder_id.to_string();
    let mut tx = state.db.pool.begin().await?;
    save_account(&mut tx, before, &account).await?;
    for e in &result.events {
        audit(&mut tx, now, &holder_id, "account.event", &holder_id, &json!(e)).await?;
    }
    tx.commit().await?;
    result.outcome.map_err(domain)?;
    let token = open_session(state, "pensioner", &holder_id, 24).await?;
    ok(json!({"token": token, "holder_id": holder_id, "real_name_verified": account.real_name_verified_at.is_some()}))
}

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

#[derive(Deserialize)]
pub(crate) struct CardLoginRequest {
    id_number: String,
    pin: String,
}

/// `POST /api/login/card`: social security card number + PIN (the demo card system
/// accepts `demo_card_pin`); creates the account on first use.
pub(crate) async fn login_card(State(state): State<AppState>, Json(req): Json<CardLoginRequest>) -> ApiResult {
    let cards = DemoCards(state.config.demo_card_pin.clone());
    let now = state.now();
    let normalized = ResidentId::parse(&req.id_number).map_err(domain)?.to_string();
    if let Ok(mut account) = load_account(&state, &normalized).await {
        let before = account.clone();
        let result = account.login_with_card(&req.pin, &cards, now);
        return finish_login(&state, &before, account, result, now).await;
    }
    let entry = roster_entry(&state, &normalized).await?.map(|(e, _)| e);
    let (account, events) = first_card_login(&req.id_number, &req.pin, &cards, entry.as_ref(), now).map_err(domain)?;
    let mut tx = state.db.pool.begin().await?;
    sqlx::query("INSERT INTO accounts (holder_id, phone, account_json) VALUES ($1, NULL, $2)")
        .bind(normalized.clone())
        .bind(serde_json::to_string(&account)?)
        .execute(&mut *tx)
        .await?;
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
    ok(json!({"token": token, "holder_id": normalized, "real_name_verified": false}))
}

#[derive(Deserialize)]
pub(crate) struct PasswordSmsRequest {
    phone: String,
}

/// `POST /api/password/sms`: forgot-password, step 1 (a code to the account's phone).
pub(crate) async fn password_sms(State(state): State<AppState>, Json(req): Json<PasswordSmsRequest>) -> ApiResult {
    let phone = certify_core::account::MobileNumber::parse(&req.phone).map_err(domain)?;
    if state
        .db
        .text("SELECT holder_id FROM accounts WHERE phone = $1", phone.as_str())
        .await?
        .is_some()
    {
        let previous = load_sms(&state, phone.as_str(), "reset_password").await?;
        let now = state.now();
        let key = state.sms_key();
        let (challenge, code) = state
            .with_rng(|r| {
                SmsChallenge::issue(
                    phone.clone(),
                    SmsPurpose::ResetPassword,
                    previous.as_ref(),
                    &key,
                    &SmsPolicy::default(),
                    now,
                    r,
                )
            })
            .map_err(domain)?;
        let mut tx = state.db.pool.begin().await?;
        save_sms(
            &mut tx,
            purpose_name(SmsPurpose::ResetPassword),
            previous.as_ref(),
            &challenge,
        )
        .await?;
        tx.commit().await?;
        state.sms.send(phone.as_str(), "reset_password", code.expose());
    }
    // The same answer whether or not the phone has an account.
    ok(json!({"sent": true}))
}

#[derive(Deserialize)]
pub(crate) struct PasswordResetRequest {
    phone: String,
    sms_code: String,
    new_password: String,
    password_repeat: String,
}

/// `POST /api/password/reset`: forgot-password, step 2; also lifts a lock.
pub(crate) async fn password_reset(State(state): State<AppState>, Json(req): Json<PasswordResetRequest>) -> ApiResult {
    let holder_id = state
        .db
        .text("SELECT holder_id FROM accounts WHERE phone = $1", &req.phone)
        .await?
        .ok_or_else(|| ApiError::status(CertifyStatus::SmsExpired, "ask for an SMS code first"))?;
    let mut challenge = load_sms(&state, &req.phone, "reset_password")
        .await?
        .ok_or_else(|| ApiError::status(CertifyStatus::SmsExpired, "ask for an SMS code first"))?;
    let mut account = load_account(&state, &holder_id).await?;
    let (account_before, challenge_before) = (account.clone(), challenge.clone());
    let now = state.now();
    let key = state.sms_key();
    let result = state.with_rng(|r| {
        account.reset_password(
            &mut challenge,
            &req.sms_code,
            &req.new_password,
            &req.password_repeat,
            &key,
            &SmsPolicy::default(),
            &certify_core::account::password::PasswordParams::default(),
            now,
            r,
        )
    });
    let mut tx = state.db.pool.begin().await?;
    save_sms(&mut tx, "reset_password", Some(&challenge_before), &challenge).await?;
    match result {
        Ok(events) => {
            save_account(&mut tx, &account_before, &account).await?;
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
            ok(json!({"reset": true}))
        }
        Err(e) => {
            tx.commit().await?;
            Err(domain(e))
        }
    }
}

/// Decode a base64 JPEG/PNG upload.
fn image_of(b64: &str) -> Result<image::RgbImage, ApiError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| ApiError::bad_upload("an image is not valid base64"))?;
    certify_face::image_io::decode(&bytes).map_err(domain)
}

#[derive(Deserialize)]
pub(crate) struct RealNameRequest {
    name: String,
    id_number: String,
    /// Identity card front (base64 JPEG/PNG).
    card_front: String,
    /// A live photo of the holder (base64).
    selfie: String,
}

/// `POST /api/realname`: typed name and number against the account and the roster, and
/// the live face against the card portrait (实名认证). Images are not kept.
pub(crate) async fn realname(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<RealNameRequest>,
) -> ApiResult {
    let c = holder(&state, &headers).await?;
    let mut account = load_account(&state, &c.subject).await?;
    let before = account.clone();
    let card = image_of(&req.card_front)?;
    let selfie = image_of(&req.selfie)?;
    let portrait = state.face.card_portrait_template(&card).map_err(domain)?;
    let live = state.face.template(&selfie).map_err(domain)?;
    let decision = match portrait {
        Some(p) if state.face.compare(&p, &live).distance < state.face.config().card_match_threshold => {
            MatchDecision::Match
        }
        _ => MatchDecision::NoMatch,
    };
    let normalized = ResidentId::parse(&req.id_number)
        .map(|i| i.to_string())
        .unwrap_or_default();
    let entry = roster_entry(&state, &normalized).await?.map(|(e, _)| e);
    let now = state.now();
    let events = certify_core::realname::verify_real_name(
        &mut account,
        &req.name,
        &req.id_number,
        entry.as_ref(),
        decision,
        now,
    )
    .map_err(domain)?;
    let mut tx = state.db.pool.begin().await?;
    save_account(&mut tx, &before, &account).await?;
    audit(
        &mut tx,
        now,
        &c.subject,
        "account.real_name_verified",
        &c.subject,
        &json!({"events": events}),
    )
    .await?;
    tx.commit().await?;
    ok(json!({"real_name_verified": true}))
}

async fn contacts_of(state: &AppState, holder_id: &str) -> Result<Vec<ProxyContact>, ApiError> {
    Ok(state
        .db
        .json("SELECT contacts_json FROM contacts WHERE holder_id = $1", holder_id)
        .await?
        .unwrap_or_default())
}

/// The person a request is about: the holder, or one of their contacts.
pub(crate) async fn subject_of(state: &AppState, c: &Caller, subject: Option<&str>) -> Result<String, ApiError> {
    let Some(s) = subject.filter(|s| !s.is_empty()) else {
        return Ok(c.subject.clone());
    };
    let id = ResidentId::parse(s).map_err(domain)?.to_string();
    if id == c.subject {
        return Ok(id);
    }
    if contacts_of(state, &c.subject)
        .await?
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

pub(crate) async fn load_case(state: &AppState, holder_id: &str, modality: &str) -> Result<EnrollmentCase, ApiError> {
    let row = sqlx::query("SELECT case_json FROM enrollments WHERE holder_id = $1 AND modality = $2")
        .bind(holder_id.to_owned())
        .bind(modality.to_owned())
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(match row {
        Some(r) => serde_json::from_str(&r.try_get::<String, _>(0)?)?,
        None => EnrollmentCase::new(if modality == "voice" {
            Modality::Voice
        } else {
            Modality::Face
        }),
    })
}

pub(crate) async fn save_case(
    conn: &mut sqlx::AnyConnection,
    holder_id: &str,
    modality: &str,
    before: &EnrollmentCase,
    case: &EnrollmentCase,
) -> Result<(), ApiError> {
    // Compare-and-swap: a parallel upload or decision on the same case makes this one fail
    // with 908 instead of overwriting it.
    let updated =
        sqlx::query("UPDATE enrollments SET case_json = $1 WHERE holder_id = $2 AND modality = $3 AND case_json = $4")
            .bind(serde_json::to_string(case)?)
            .bind(holder_id.to_owned())
            .bind(modality.to_owned())
            .bind(serde_json::to_string(before)?)
            .execute(&mut *conn)
            .await?;
    if updated.rows_affected() == 1 {
        return Ok(());
    }
    // No row yet (a first upload), or someone changed it: the insert tells them apart.
    match sqlx::query("INSERT INTO enrollments (holder_id, modality, case_json) VALUES ($1, $2, $3)")
        .bind(holder_id.to_owned())
        .bind(modality.to_owned())
        .bind(serde_json::to_string(case)?)
        .execute(conn)
        .await
    {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(_)) => Err(ApiError::conflict()),
        Err(e) => Err(e.into()),
    }
}

/// Held uploads are deleted when the case closes (approved, rejected, expired).
pub(crate) async fn discard_held(
    conn: &mut sqlx::AnyConnection,
    holder_id: &str,
    modality: &str,
) -> Result<(), ApiError> {
    sqlx::query("DELETE FROM held_uploads WHERE holder_id = $1 AND modality = $2")
        .bind(holder_id.to_owned())
        .bind(modality.to_owned())
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Deserialize)]
pub(crate) struct FaceEnrollRequest {
    /// Whose enrollment (a contact's number; absent: the holder).
    #[serde(default)]
    subject: Option<String>,
    card_front: String,
    card_back: String,
    /// A selfie holding the identity card.
    selfie: String,
}

/// `POST /api/enrollment/face` (`Idempotency-Key` recommended): automatic review of the
/// card front, back and a selfie with the card. Passed: the template is stored (apart from
/// identity) and the images dropped. The third failure sends the case to manual review and
/// holds these images for staff until the case closes.
pub(crate) async fn enroll_face(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<FaceEnrollRequest>,
) -> ApiResult {
    let c = holder(&state, &headers).await?;
    let key = idempotency_key(&headers, &c.subject);
    if let Some(r) = idempotent_replay(&state, key.as_deref()).await? {
        return Ok(r);
    }
    let subject = subject_of(&state, &c, req.subject.as_deref()).await?;
    let (front, back, selfie) = (
        image_of(&req.card_front)?,
        image_of(&req.card_back)?,
        image_of(&req.selfie)?,
    );
    let review = state.face.review_enrollment(&front, &back, &selfie).map_err(domain)?;
    let now = state.now();
    let mut case = load_case(&state, &subject, "face").await?;
    let case_before = case.clone();
    let template_ref = review.template.as_ref().map(|_| state.random_hex(16));
    let events = case
        .submit(review.to_core(template_ref.clone().unwrap_or_default()), now)
        .map_err(domain)?;
    let mut tx = state.db.pool.begin().await?;
    if let (Some(t), Some(r)) = (&review.template, &template_ref) {
        if case.may_certify() {
            // Only the embedding is stored, keyed by a random reference (no identity here).
            sqlx::query("INSERT INTO templates (template_ref, modality, template_json) VALUES ($1, 'face', $2)")
                .bind(r.clone())
                .bind(serde_json::to_string(&t.embedding)?)
                .execute(&mut *tx)
                .await?;
        }
    }
    if events
        .iter()
        .any(|e| matches!(e, EnrollmentEvent::SentToManualReview { .. }))
    {
        for (name, b64) in [
            ("card_front", &req.card_front),
            ("card_back", &req.card_back),
            ("selfie", &req.selfie),
        ] {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|_| ApiError::bad_upload("an image is not valid base64"))?;
            sqlx::query("INSERT INTO held_uploads (holder_id, modality, name, data) VALUES ($1, 'face', $2, $3)")
                .bind(subject.clone())
                .bind(name)
                .bind(bytes)
                .execute(&mut *tx)
                .await?;
        }
    }
    save_case(&mut tx, &subject, "face", &case_before, &case).await?;
    let issues: Vec<String> = review.issues.iter().map(certify::bridge::variant_name).collect();
    audit(
        &mut tx,
        now,
        &c.subject,
        "enrollment.face_submitted",
        &subject,
        &json!({"events": events, "issues": issues}),
    )
    .await?;
    let body = json!({"state": case.state, "issues": issues, "events": events});
    idempotent_store(&mut tx, key.as_deref(), &body).await?;
    tx.commit().await?;
    ok(body)
}

/// The person a request is about (query string or JSON body): a contact's identity
/// number, or absent for the holder.
#[derive(Deserialize)]
pub(crate) struct SubjectArg {
    #[serde(default)]
    pub(crate) subject: Option<String>,
}

/// The holder of the token and the person the request is about (the holder or a contact).
pub(crate) async fn holder_and_subject(
    state: &AppState,
    headers: &HeaderMap,
    arg: &SubjectArg,
) -> Result<(Caller, String), ApiError> {
    let c = holder(state, headers).await?;
    let subject = subject_of(state, &c, arg.subject.as_deref()).await?;
    Ok((c, subject))
}

/// `GET /api/enrollment?subject=`: the face enrollment case (7-day expiry applied).
pub(crate) async fn enrollment_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SubjectArg>,
) -> ApiResult {
    let (_, subject) = holder_and_subject(&state, &headers, &q).await?;
    let mut case = load_case(&state, &subject, "face").await?;
    let case_before = case.clone();
    let events = case.advance(state.now());
    if !events.is_empty() {
        let mut tx = state.db.pool.begin().await?;
        save_case(&mut tx, &subject, "face", &case_before, &case).await?;
        discard_held(&mut tx, &subject, "face").await?;
        audit(
            &mut tx,
            state.now(),
            "system",
            "enrollment.expired",
            &subject,
            &json!({"events": events}),
        )
        .await?;
        tx.commit().await?;
    }
    ok(json!({"face": case}))
}

/// `GET /api/contacts`.
pub(crate) async fn contacts(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let c = holder(&state, &headers).await?;
    ok(json!({"contacts": contacts_of(&state, &c.subject).await?}))
}

#[derive(Deserialize)]
pub(crate) struct ContactRequest {
    name: String,
    id_number: String,
}

/// `POST /api/contacts`: add a relative (on the roster, name matching) to certify for.
pub(crate) async fn add_contact(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<ContactRequest>,
) -> ApiResult {
    let c = holder(&state, &headers).await?;
    let account = load_account(&state, &c.subject).await?;
    let mut list = contacts_of(&state, &c.subject).await?;
    let normalized = ResidentId::parse(&req.id_number)
        .map(|i| i.to_string())
        .unwrap_or_default();
    let entry = roster_entry(&state, &normalized).await?.map(|(e, _)| e);
    let now = state.now();
    let contact =
        certify_core::certification::add_contact(&account, &mut list, &req.name, &req.id_number, entry.as_ref(), now)
            .map_err(domain)?;
    let mut tx = state.db.pool.begin().await?;
    sqlx::query("DELETE FROM contacts WHERE holder_id = $1")
        .bind(c.subject.clone())
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO contacts (holder_id, contacts_json) VALUES ($1, $2)")
        .bind(c.subject.clone())
        .bind(serde_json::to_string(&list)?)
        .execute(&mut *tx)
        .await?;
    audit(
        &mut tx,
        now,
        &c.subject,
        "contacts.added",
        &contact.id.to_string(),
        &json!({}),
    )
    .await?;
    tx.commit().await?;
    ok(json!({"contacts": list}))
}

/// What is known about a person, for the certification rules.
pub(crate) struct Known {
    pub(crate) person: ResidentId,
    pub(crate) entry: Option<RosterEntry>,
    pub(crate) payment: PaymentStatus,
    pub(crate) last: Option<time::Date>,
}

impl Known {
    pub(crate) fn facts(&self, state: &AppState) -> PersonFacts<'_> {
        PersonFacts {
            person: &self.person,
            roster_entry: self.entry.as_ref(),
            scheme: state.config.region.scheme,
            payment: &self.payment,
            last_certified: self.last,
        }
    }
}

pub(crate) async fn known(state: &AppState, person: &str) -> Result<Known, ApiError> {
    let id = ResidentId::parse(person).map_err(domain)?;
    let (entry, payment) = match roster_entry(state, &id.to_string()).await? {
        Some((e, p)) => (Some(e), p),
        None => (None, PaymentStatus::Active),
    };
    let records = records_of(state, &id.to_string()).await?;
    Ok(Known {
        person: id,
        entry,
        payment,
        last: last_certified(&records, &id),
    })
}

/// `GET /api/may-certify?subject=`: whether the person may certify now, and why not.
pub(crate) async fn may_certify(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SubjectArg>,
) -> ApiResult {
    let (_, subject) = holder_and_subject(&state, &headers, &q).await?;
    let k = known(&state, &subject).await?;
    let now = state.now();
    let enrolled = load_case(&state, &subject, "face").await?.may_certify();
    let answer =
        certify_core::certification::may_certify(&k.facts(&state), &state.config.region.cycle, now.china_date());
    let status = k.entry.as_ref().map(|e| {
        state
            .config
            .region
            .cycle
            .status_on(k.last, e.pension_start, now.china_date())
    });
    ok(json!({
        "may_certify": answer.is_ok() && enrolled,
        "enrolled": enrolled,
        "refused": answer.err().map(|e| { let a = domain(e); json!({"code": a.code, "message": a.message, "message_zh": crate::message_zh(a.code)}) }),
        "cycle_status": status,
    }))
}

pub(crate) async fn face_template(
    state: &AppState,
    case: &EnrollmentCase,
) -> Result<certify_face::embed::FaceTemplate, ApiError> {
    let r = case
        .template_ref
        .clone()
        .ok_or_else(|| ApiError::status(CertifyStatus::NotEnrolled, "no approved face template"))?;
    let embedding: Vec<f32> = state
        .db
        .json("SELECT template_json FROM templates WHERE template_ref = $1", &r)
        .await?
        .ok_or_else(|| ApiError::not_found("template"))?;
    Ok(certify_face::embed::FaceTemplate { embedding })
}

/// Record an app certification from claims (server-side liveness or voice, or verified
/// device evidence) against the subject's `modality` enrollment.
pub(crate) async fn certify_with_claims(
    state: &AppState,
    operator: &str,
    subject: &str,
    claims: &EvidenceClaims,
    evidence_ref: String,
    modality: &str,
) -> ApiResult {
    let account = load_account(state, operator).await?;
    let contacts = contacts_of(state, operator).await?;
    let k = known(state, subject).await?;
    let case = load_case(state, subject, modality).await?;
    let now = state.now();
    let result = certify_by_app(
        &account,
        &contacts,
        &k.facts(state),
        &case,
        claims,
        Some(evidence_ref),
        &state.config.region.cycle,
        now,
    );
    let mut tx = state.db.pool.begin().await?;
    match result {
        Ok(record) => {
            insert_record(&mut tx, &record).await?;
            audit(
                &mut tx,
                now,
                operator,
                "certification.app",
                subject,
                &json!({"method": record.method, "operator": record.operator}),
            )
            .await?;
            tx.commit().await?;
            ok(json!({"certified": true, "record": record}))
        }
        Err(e) => {
            let e = domain(e);
            audit(
                &mut tx,
                now,
                operator,
                "certification.refused",
                subject,
                &json!({"code": e.code}),
            )
            .await?;
            tx.commit().await?;
            Err(e)
        }
    }
}

/// `POST /api/evidence/challenge {subject?}`: a challenge for a device that runs the
/// engines itself and returns signed evidence.
pub(crate) async fn evidence_challenge(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<SubjectArg>,
) -> ApiResult {
    let (c, subject) = holder_and_subject(&state, &headers, &req).await?;
    let now = state.now();
    let id = ResidentId::parse(&subject).map_err(domain)?;
    let ch = state.with_rng(|r| Challenge::issue(id, Modality::Face, now, 300, r));
    let challenge_id = state.random_hex(16);
    sqlx::query(
        "INSERT INTO challenges (challenge_id, operator, subject, challenge_json, used) VALUES ($1, $2, $3, $4, 0)",
    )
    .bind(challenge_id.clone())
    .bind(c.subject.clone())
    .bind(subject)
    .bind(serde_json::to_string(&ch)?)
    .execute(&state.db.pool)
    .await?;
    ok(json!({"challenge_id": challenge_id, "challenge": ch}))
}

#[derive(Deserialize)]
pub(crate) struct EvidenceRequest {
    challenge_id: String,
    /// The device's signed evidence (base64), signed by one of the configured trusted keys.
    token: String,
}

/// Marks a challenge used in the database: single use across processes and restarts.
struct DbGuard(bool);

impl ReplayGuard for DbGuard {
    fn first_use(&mut self, _nonce: [u8; 16], _expires_at: Timestamp) -> bool {
        self.0
    }
}

/// `POST /api/evidence`: client-signed evidence, re-checked here (signature, challenge,
/// expiry, single use) before the certification rules run (GB/T 38671).
pub(crate) async fn evidence_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<EvidenceRequest>,
) -> ApiResult {
    let c = holder(&state, &headers).await?;
    let row = sqlx::query("SELECT operator, subject, challenge_json FROM challenges WHERE challenge_id = $1")
        .bind(req.challenge_id.clone())
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, codes::CHALLENGE_UNKNOWN, "no such challenge"))?;
    let (operator, subject): (String, String) = (row.try_get(0)?, row.try_get(1)?);
    if operator != c.subject {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            codes::CHALLENGE_UNKNOWN,
            "no such challenge",
        ));
    }
    let ch: Challenge = serde_json::from_str(&row.try_get::<String, _>(2)?)?;
    let keys = state
        .config
        .trusted_device_keys()
        .map_err(|e| ApiError::status(CertifyStatus::InvalidArgument, e))?;
    if keys.is_empty() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            codes::UNTRUSTED_DEVICE,
            "client-signed evidence is not accepted here (no trusted device keys configured)",
        ));
    }
    let token = base64::engine::general_purpose::STANDARD
        .decode(req.token.trim())
        .map_err(|_| ApiError::status(CertifyStatus::EvidenceMalformed, "the token is not base64"))?;
    // Claim the challenge atomically: only one request can flip used 0 → 1.
    let claimed = sqlx::query("UPDATE challenges SET used = 1 WHERE challenge_id = $1 AND used = 0")
        .bind(req.challenge_id.clone())
        .execute(&state.db.pool)
        .await?
        .rows_affected()
        == 1;
    // The first trusted key whose signature matches decides; others are skipped.
    let token = EvidenceToken::from_bytes(token);
    let mut outcome = Err(certify_core::evidence::EvidenceError::BadSignature);
    for key in keys {
        let verifier = EvidenceVerifier::from_public_key(key).map_err(domain)?;
        outcome = verifier.verify(&token, &ch, state.now(), &mut DbGuard(claimed));
        if !matches!(outcome, Err(certify_core::evidence::EvidenceError::BadSignature)) {
            break;
        }
    }
    let claims = outcome.map_err(domain)?;
    certify_with_claims(
        &state,
        &operator,
        &subject,
        &claims,
        format!("evidence:{}", req.challenge_id),
        "face",
    )
    .await
}

/// `GET /api/history?subject=`: the person's certifications, newest last.
pub(crate) async fn history(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SubjectArg>,
) -> ApiResult {
    let (_, subject) = holder_and_subject(&state, &headers, &q).await?;
    let records = records_of(&state, &subject).await?;
    let id = ResidentId::parse(&subject).map_err(domain)?;
    ok(json!({"records": core_history(&records, &id), "last_certified": last_certified(&records, &id)}))
}
