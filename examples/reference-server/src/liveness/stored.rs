//! Open liveness runs in the database (`liveness_sessions`): any server instance loads a
//! run, advances it by one frame and stores it back with compare-and-swap on its version.
//! The small state is JSON; the kept crop is PNG (lossless) and the identity chips raw
//! bytes, each written only when it changes.

use crate::AppState;
use crate::error::{ApiError, codes};
use axum::http::StatusCode;
use certify_face::FaceEngine;
use certify_face::embed::CHIP;
use certify_face::liveness_run::{LivenessRun, RunSnapshot, RunState};
use sqlx::Row;
use std::sync::Arc;

/// Seconds after its start when an open run is deleted (the core ends a run at 45 s).
pub(crate) const SESSION_SECONDS: i64 = 60;

/// A run as loaded: who it belongs to, when it started (server milliseconds), its data and
/// the stored version.
pub(crate) struct StoredRun {
    pub(crate) subject: String,
    pub(crate) started_ms: i64,
    pub(crate) snapshot: RunSnapshot,
    pub(crate) version: i64,
}

fn unknown() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, codes::CHALLENGE_UNKNOWN, "no such session")
}

fn png(img: &image::RgbImage) -> Result<Vec<u8>, ApiError> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Sub,
    )
    .write_image(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::Rgb8)
    .map_err(|_| ApiError::status(certify_bridge::CertifyStatus::Panic, "could not store the run"))?;
    Ok(out)
}

/// Which part of a stored run to load.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Load {
    /// Without the kept crop: enough to push a frame (it compares only the crop's score),
    /// and no PNG to decode on every frame.
    ForFrame,
    /// With the kept crop, for the decision.
    ForDecision,
}

/// Load open run `id` of `operator` (another account's run is reported as unknown).
pub(crate) async fn load(state: &AppState, id: &str, operator: &str, what: Load) -> Result<StoredRun, ApiError> {
    let sql = match what {
        Load::ForFrame => {
            "SELECT subject, started_ms, expires_at, state_json, NULL, samples, version FROM liveness_sessions WHERE session_id = $1 AND operator = $2"
        }
        Load::ForDecision => {
            "SELECT subject, started_ms, expires_at, state_json, best, samples, version FROM liveness_sessions WHERE session_id = $1 AND operator = $2"
        }
    };
    let row = sqlx::query(sql)
        .bind(id.to_owned())
        .bind(operator.to_owned())
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(unknown)?;
    if row.try_get::<i64, _>(2)? < state.now().unix_seconds() {
        return Err(unknown());
    }
    let run_state: RunState = serde_json::from_str(&row.try_get::<String, _>(3)?)?;
    let kept = match what {
        Load::ForFrame => None,
        Load::ForDecision => row.try_get::<Option<Vec<u8>>, _>(4)?,
    };
    let best = match kept {
        Some(bytes) => Some(
            image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
                .map_err(|_| ApiError::status(certify_bridge::CertifyStatus::Panic, "a stored run is unreadable"))?
                .to_rgb8(),
        ),
        None => None,
    };
    let samples = row
        .try_get::<Option<Vec<u8>>, _>(5)?
        .unwrap_or_default()
        .chunks(CHIP * CHIP * 3)
        .map(<[u8]>::to_vec)
        .collect();
    Ok(StoredRun {
        subject: row.try_get(0)?,
        started_ms: row.try_get(1)?,
        snapshot: RunSnapshot {
            state: run_state,
            best,
            samples,
        },
        version: row.try_get(6)?,
    })
}

/// Store a new run for `operator` acting for `subject`; expired runs are deleted, and the
/// account keeps at most `max_open` runs (the oldest go first).
pub(crate) async fn insert(
    state: &AppState,
    id: &str,
    operator: &str,
    subject: &str,
    run: LivenessRun<Arc<FaceEngine>>,
    max_open: usize,
) -> Result<(), ApiError> {
    let now = state.now().unix_seconds();
    let snapshot = run.into_snapshot();
    let mut tx = state.db.begin_write().await?;
    sqlx::query("DELETE FROM liveness_sessions WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let mine = sqlx::query("SELECT session_id FROM liveness_sessions WHERE operator = $1 ORDER BY started_ms DESC")
        .bind(operator.to_owned())
        .fetch_all(&mut *tx)
        .await?;
    for old in mine.iter().skip(max_open.max(1) - 1) {
        sqlx::query("DELETE FROM liveness_sessions WHERE session_id = $1")
            .bind(old.try_get::<String, _>(0)?)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO liveness_sessions (session_id, operator, subject, started_ms, expires_at, state_json, best, samples, version) VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, 0)",
    )
    .bind(id.to_owned())
    .bind(operator.to_owned())
    .bind(subject.to_owned())
    .bind(state.clock.now_millis())
    .bind(now + SESSION_SECONDS)
    .bind(serde_json::to_string(&snapshot.state)?)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Store `after` in place of the run loaded at `version` (`908` if another request
/// advanced it meanwhile). The crop and chips are written only when they changed (a run
/// loaded [`Load::ForFrame`] holds a crop only when this frame replaced it).
pub(crate) async fn save(
    state: &AppState,
    id: &str,
    version: i64,
    before: &RunState,
    before_samples: usize,
    after: &RunSnapshot,
) -> Result<(), ApiError> {
    let best = if after.state.best_score == before.best_score {
        None
    } else {
        after.best.as_ref().map(png).transpose()?
    };
    let samples = (after.samples.len() != before_samples).then(|| after.samples.concat());
    let done = sqlx::query(
        "UPDATE liveness_sessions SET state_json = $1, best = COALESCE($2, best), samples = COALESCE($3, samples), version = version + 1 WHERE session_id = $4 AND version = $5",
    )
    .bind(serde_json::to_string(&after.state)?)
    .bind(best)
    .bind(samples)
    .bind(id.to_owned())
    .bind(version)
    .execute(&state.db.pool)
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(ApiError::conflict())
    }
}

/// Take the run for its decision: deleted at the loaded version, so it decides once.
pub(crate) async fn take(state: &AppState, id: &str, version: i64) -> Result<(), ApiError> {
    let done = sqlx::query("DELETE FROM liveness_sessions WHERE session_id = $1 AND version = $2")
        .bind(id.to_owned())
        .bind(version)
        .execute(&state.db.pool)
        .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(unknown())
    }
}
