//! The picture captcha before an SMS is sent: a raster image (not text a script can read
//! off the page), issued with an expiry, spent in one atomic statement (a captcha answers
//! one request, however many arrive at once).
//!
//! Pictures come from a [`CaptchaMaker`]: by default [`RasterCaptcha`] (the `captcha`
//! crate: glyphs from its own font, waves and noise, PNG); a province plugs in its own
//! platform's (a slider, an audio captcha for the blind) by setting `AppState::captcha`.

use crate::AppState;
use crate::error::{ApiError, codes};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine as _;
use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

/// A picture and its answer.
pub struct MadeCaptcha {
    /// What the person must type.
    pub answer: String,
    /// The picture, PNG.
    pub png: Vec<u8>,
}

/// Makes captcha pictures (the hook a province replaces).
pub trait CaptchaMaker: Send + Sync {
    /// A new picture from `rng`; `None` if none could be made.
    fn make(&self, rng: &mut dyn rand_core::RngCore) -> Option<MadeCaptcha>;
}

/// The default maker: four characters without look-alikes (digits 2–9 and capitals
/// without I, L, O), waved and noised, 220×90 PNG — large enough for old eyes.
pub struct RasterCaptcha;

impl CaptchaMaker for RasterCaptcha {
    fn make(&self, rng: &mut dyn rand_core::RngCore) -> Option<MadeCaptcha> {
        use captcha::filters::{Noise, Wave};
        use rand::SeedableRng;
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        let mut c = captcha::RngCaptcha::from_rng(rand::rngs::StdRng::from_seed(seed));
        let chars: Vec<char> = "23456789ABCDEFGHJKMNPQRSTUVWXYZ".chars().collect();
        c.set_chars(&chars)
            .add_chars(4)
            .apply_filter(Noise::new(0.15))
            .apply_filter(Wave::new(2.0, 12.0).horizontal())
            .apply_filter(Wave::new(2.0, 8.0).vertical())
            .view(220, 90);
        Some(MadeCaptcha {
            answer: c.chars_as_string(),
            png: c.as_png()?,
        })
    }
}

/// A picture captcha.
#[derive(Serialize, ToSchema)]
pub(crate) struct Captcha {
    /// Pass it back with the answer.
    captcha_id: String,
    /// The picture, base64 PNG (`data:image/png;base64,` + this).
    png_base64: String,
}

/// `POST /api/captcha` → `{captcha_id, png_base64}`: a picture captcha (5 minutes; the
/// answer is not case-sensitive).
#[utoipa::path(post, path = "/api/captcha", tag = "accounts", responses((status = 200, body = Captcha)))]
pub(crate) async fn captcha(State(state): State<AppState>) -> Result<Json<Captcha>, ApiError> {
    let maker = std::sync::Arc::clone(&state.captcha);
    let mut rng = state.rng();
    let id = rng.hex(16);
    let made = state
        .blocking(move || maker.make(&mut rng))
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, codes::STORAGE, "no captcha picture"))?;
    sqlx::query("INSERT INTO captchas (captcha_id, answer, expires_at) VALUES ($1, $2, $3)")
        .bind(id.clone())
        .bind(made.answer.to_ascii_uppercase())
        .bind(state.now().unix_seconds() + 300)
        .execute(&state.db.pool)
        .await?;
    Ok(Json(Captcha {
        captcha_id: id,
        png_base64: base64::engine::general_purpose::STANDARD.encode(made.png),
    }))
}

/// Spend captcha `id`: whether `answer` was right. One statement deletes and returns it, so
/// of parallel requests with the same captcha exactly one sees it.
pub(crate) async fn spend(state: &AppState, id: &str, answer: &str) -> Result<bool, ApiError> {
    let expired = || {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            codes::CAPTCHA_EXPIRED,
            "the picture code expired; get a new one",
        )
    };
    let row = sqlx::query("DELETE FROM captchas WHERE captcha_id = $1 RETURNING answer, expires_at")
        .bind(id.to_owned())
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(expired)?;
    let expected: String = row.try_get(0)?;
    let expires: i64 = row.try_get(1)?;
    if state.now().unix_seconds() > expires {
        return Err(expired());
    }
    Ok(expected.eq_ignore_ascii_case(answer.trim()))
}

/// Before an SMS code to `phone`: captcha `id` answered right (spent either way), then the
/// phone's and the address's limits. Returns the parsed phone.
pub(crate) async fn solved_for_sms(
    state: &AppState,
    client: &crate::limits::ClientAddress,
    phone: &str,
    id: &str,
    answer: &str,
) -> Result<certify_core::account::MobileNumber, ApiError> {
    let phone = certify_core::account::MobileNumber::parse(phone)?;
    if !spend(state, id, answer).await? {
        return Err(ApiError::status(
            certify_bridge::CertifyStatus::CaptchaFailed,
            "the picture code is wrong",
        ));
    }
    state.limits.sms(client, phone.as_str())?;
    Ok(phone)
}
