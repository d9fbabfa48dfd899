//! Identity a stranger cannot take over: authoritative reference portraits (the live face
//! is compared with a portrait from an authority, not with a card image the client sends),
//! and one face, one person (a new face template is searched against every enrolled
//! template of other people before it is approved).

use crate::AppState;
use crate::error::ApiError;
use certify_face::index::TemplateIndex;
use sqlx::Row;
use std::path::PathBuf;
use std::sync::Arc;

/// Where authoritative portraits come from: the host's social-security card photo store,
/// the police photo check, photos taken at the counter. A province plugs in its own.
pub trait ReferencePortraits: Send + Sync {
    /// The portrait (JPEG or PNG bytes) of identity number `id`, if the authority has one.
    fn portrait(&self, id: &str) -> Option<Vec<u8>>;
}

/// No authoritative portraits: real name falls back to the client's card image, and every
/// enrollment goes to staff review with that reason.
#[derive(Debug, Default)]
pub struct NoPortraits;

impl ReferencePortraits for NoPortraits {
    fn portrait(&self, _id: &str) -> Option<Vec<u8>> {
        None
    }
}

/// Portraits exported to a directory as `<identity number>.jpg` or `.png` (demo, tests,
/// and hosts that export nightly).
#[derive(Debug)]
pub struct DirectoryPortraits(pub PathBuf);

impl ReferencePortraits for DirectoryPortraits {
    fn portrait(&self, id: &str) -> Option<Vec<u8>> {
        // Only a normalised identity number names a file (no path tricks).
        if id.len() != 18 || !id.bytes().all(|b| b.is_ascii_digit() || b == b'X') {
            return None;
        }
        ["jpg", "png"]
            .iter()
            .find_map(|ext| std::fs::read(self.0.join(format!("{id}.{ext}"))).ok())
    }
}

/// The in-memory 1:N index of enrolled face templates (keys: identity numbers), kept
/// current from `face_index_log`, so every instance sees every approval.
#[derive(Default)]
pub struct FaceRegistry {
    inner: tokio::sync::Mutex<(TemplateIndex, i64)>,
}

/// Log an approved face template (inside the approval's transaction).
pub(crate) async fn log_approval(
    conn: &mut sqlx::AnyConnection,
    holder_id: &str,
    template_ref: Option<&str>,
) -> Result<(), ApiError> {
    sqlx::query("INSERT INTO face_index_log (holder_id, template_ref) VALUES ($1, $2)")
        .bind(holder_id.to_owned())
        .bind(template_ref.map(str::to_owned))
        .execute(conn)
        .await?;
    Ok(())
}

impl FaceRegistry {
    /// People whose enrolled face is within `max_distance` of `probe` (not `exclude`),
    /// nearest first, after reading the approvals and revocations logged since last time.
    pub(crate) async fn search(
        &self,
        state: &AppState,
        probe: &[f32],
        max_distance: f32,
        exclude: &str,
    ) -> Result<Vec<(String, f32)>, ApiError> {
        let mut guard = self.inner.lock().await;
        let (index, seen) = &mut *guard;
        let rows = sqlx::query(
            "SELECT l.seq, l.holder_id, t.template_json FROM face_index_log l LEFT JOIN templates t ON t.template_ref = l.template_ref WHERE l.seq > $1 ORDER BY l.seq",
        )
        .bind(*seen)
        .fetch_all(&state.db.pool)
        .await?;
        for r in rows {
            let holder: String = r.try_get(1)?;
            match r.try_get::<Option<String>, _>(2)? {
                Some(json) => {
                    let t: Vec<f32> = serde_json::from_str(&json)?;
                    if index.insert(&holder, &t).is_err() {
                        tracing::warn!("a stored face template is malformed; not indexed");
                    }
                }
                None => {
                    index.remove(&holder);
                }
            }
            *seen = r.try_get(0)?;
        }
        Ok(index
            .nearest(probe, max_distance, 3, Some(exclude))
            .map_err(|_| ApiError::bad_upload("the face template is malformed"))?
            .into_iter()
            .map(|n| (n.key.to_owned(), n.distance))
            .collect())
    }
}

/// The authoritative portrait source configured for this server.
pub(crate) fn portraits_from(config: &crate::Config) -> Arc<dyn ReferencePortraits> {
    match &config.identity.reference_portraits_dir {
        Some(dir) => Arc::new(DirectoryPortraits(dir.clone())),
        None => Arc::new(NoPortraits),
    }
}

/// Log the approved face enrollments of a database that predates the log (once).
pub(crate) async fn backfill(state: &AppState) -> Result<(), ApiError> {
    let any = sqlx::query("SELECT seq FROM face_index_log LIMIT 1")
        .fetch_optional(&state.db.pool)
        .await?;
    if any.is_some() {
        return Ok(());
    }
    let rows = sqlx::query("SELECT holder_id, case_json FROM enrollments WHERE modality = 'face'")
        .fetch_all(&state.db.pool)
        .await?;
    let mut tx = state.db.begin_write().await?;
    for r in rows {
        let case: certify_core::enrollment::EnrollmentCase = serde_json::from_str(&r.try_get::<String, _>(1)?)?;
        if case.may_certify() {
            log_approval(&mut tx, &r.try_get::<String, _>(0)?, case.template_ref.as_deref()).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
