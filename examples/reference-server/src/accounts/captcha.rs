//! The picture captcha before an SMS is sent: issued with an expiry, spent in one atomic
//! statement (a captcha answers one request, however many arrive at once).

use crate::AppState;
use crate::error::{ApiError, codes};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rand_core::RngCore;
use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

/// A picture captcha.
#[derive(Serialize, ToSchema)]
pub(crate) struct Captcha {
    /// Pass it back with the answer.
    captcha_id: String,
    /// The picture (SVG).
    svg: String,
}

/// `POST /api/captcha` → `{captcha_id, svg}`: a picture captcha (4 digits, 5 minutes).
#[utoipa::path(post, path = "/api/captcha", tag = "accounts", responses((status = 200, body = Captcha)))]
pub(crate) async fn captcha(State(state): State<AppState>) -> Result<Json<Captcha>, ApiError> {
    let mut rng = state.rng();
    let digits: String = (0..4)
        .map(|_| char::from(b'0' + u8::try_from(rng.next_u32() % 10).unwrap_or(0)))
        .collect();
    let id = rng.hex(16);
    sqlx::query("INSERT INTO captchas (captcha_id, answer, expires_at) VALUES ($1, $2, $3)")
        .bind(id.clone())
        .bind(digits.clone())
        .bind(state.now().unix_seconds() + 300)
        .execute(&state.db.pool)
        .await?;
    let noise: Vec<u32> = (0..8).map(|_| rng.next_u32() % 120).collect();
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
    Ok(Json(Captcha { captcha_id: id, svg }))
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
    Ok(expected == answer)
}
