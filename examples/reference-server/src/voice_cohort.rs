//! The voiceprint cohort: a sample of the voice templates enrolled with this server, against
//! which every voice certification's speaker score is normalised
//! (`certify_voice::cohort`): the province's own phones, rooms and dialects, so fewer real
//! people are refused at the same rate of impostors passed. Only the templates' speaker
//! embeddings are read; with fewer than `certify_voice::cohort::MIN_COHORT` voiceprints
//! enrolled the raw cosine decides.

use crate::{ApiError, AppState};
use certify_voice::cohort::SpeakerCohort;
use certify_voice::enhance::SpeakerInput;
use certify_voice::speaker::SpeakerEmbedding;
use sqlx::Row;
use std::sync::Arc;

/// Voiceprints sampled into the cohort. `template_ref`s are random, so the first ones in
/// their order are a random sample.
pub(crate) const COHORT_SAMPLE: i64 = 300;

/// The cohort in memory, with the number of voice templates it was built from.
#[derive(Default)]
pub struct VoiceCohort {
    inner: tokio::sync::Mutex<(Option<Arc<SpeakerCohort>>, i64)>,
}

/// The part of a stored template the cohort needs (the rest is skipped unread).
#[derive(serde::Deserialize)]
struct SpeakerPart {
    speaker: SpeakerEmbedding,
    #[serde(default)]
    speaker_narrowband: Option<SpeakerEmbedding>,
    /// Templates enrolled before CAM++ embedded the recording as heard are of another kind
    /// and are left out (see `VoiceTemplate::speaker_input`).
    #[serde(default = "SpeakerInput::before_words_only")]
    speaker_input: SpeakerInput,
}

impl VoiceCohort {
    /// The cohort to verify with now: rebuilt when it is not yet full and voice templates
    /// were enrolled (by any instance) since it was built.
    pub(crate) async fn current(&self, state: &AppState) -> Result<Option<Arc<SpeakerCohort>>, ApiError> {
        let mut guard = self.inner.lock().await;
        let (cohort, built_from) = &mut *guard;
        // A full cohort stays: a sample of 300 does not need the 301st voiceprint, and a
        // province's count would cost a scan per certification.
        if let Some(c) = cohort.as_ref().filter(|c| c.len().0 as i64 >= COHORT_SAMPLE) {
            return Ok(Some(Arc::clone(c)));
        }
        let enrolled: i64 = sqlx::query("SELECT COUNT(*) FROM templates WHERE modality = 'voice'")
            .fetch_one(&state.db.pool)
            .await?
            .try_get(0)?;
        if enrolled != *built_from {
            let rows = sqlx::query(
                "SELECT template_json FROM templates WHERE modality = 'voice' ORDER BY template_ref LIMIT $1",
            )
            .bind(COHORT_SAMPLE)
            .fetch_all(&state.db.pool)
            .await?;
            let stored: Vec<String> = rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
            let (wide, narrow) = members(stored.iter().map(String::as_str));
            *cohort = SpeakerCohort::from_embeddings(wide, narrow).ok().map(Arc::new);
            *built_from = enrolled;
        }
        Ok(cohort.clone())
    }
}

/// The speaker embeddings (wideband, narrowband) of stored voice templates that belong in
/// the cohort: those of the current input. Malformed ones are logged (without content) and
/// left out.
fn members<'a>(stored: impl Iterator<Item = &'a str>) -> (Vec<SpeakerEmbedding>, Vec<SpeakerEmbedding>) {
    let (mut wide, mut narrow) = (Vec::new(), Vec::new());
    for json in stored {
        match serde_json::from_str::<SpeakerPart>(json) {
            Ok(p) if p.speaker_input != SpeakerInput::AsHeard => {}
            Ok(p) => {
                wide.push(p.speaker);
                narrow.extend(p.speaker_narrowband);
            }
            Err(_) => tracing::warn!("a stored voice template is malformed; not in the cohort"),
        }
    }
    (wide, narrow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_templates_of_the_current_input_join_the_cohort() {
        let e = |v: f32| serde_json::json!(vec![v; 4]);
        let now = serde_json::json!({"speaker": e(0.5), "speaker_narrowband": e(0.4), "speaker_input": "as_heard"});
        let words_only = serde_json::json!({"speaker": e(0.6), "speaker_input": "words_only"});
        let before = serde_json::json!({"speaker": e(0.3), "speaker_narrowband": e(0.2)});
        let stored = [
            now.to_string(),
            words_only.to_string(),
            before.to_string(),
            "{not json".to_owned(),
        ];
        let (wide, narrow) = members(stored.iter().map(String::as_str));
        assert_eq!(wide, vec![SpeakerEmbedding(vec![0.5; 4])]);
        assert_eq!(narrow, vec![SpeakerEmbedding(vec![0.4; 4])]);
    }
}
