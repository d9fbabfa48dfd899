//! A liveness run as plain data, so a host can keep a run outside one process (a database
//! row that any server instance loads, advances by one frame and stores back).

use super::LivenessRun;
use crate::embed::CHIP;
use crate::engine::{FaceEngine, FaceError};
use crate::mesh::Landmarks;
use certify_core::liveness::LivenessSession;
use image::RgbImage;
use serde::{Deserialize, Serialize};

/// The small part of a run's state (a few kilobytes of JSON): the session, the face being
/// tracked and the detector's cadence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    /// The core's session.
    pub session: LivenessSession,
    /// The last frame's landmarks, if the face is being tracked.
    pub track: Option<Landmarks>,
    /// Frames since the detector last ran.
    pub since_detect: u32,
    /// How frontal the kept crop is (smaller is better), if one is kept.
    pub best_score: Option<f32>,
}

/// A run's whole state: [`RunState`] plus the kept crop of the best frame (≤ 512 px) and
/// the identity chips of completed actions (150 × 150 RGB each).
///
/// A host that stores the crop apart may restore a run *without* it (`best: None` while
/// `state.best_score` is set) to push frames — a frame only compares its score with the
/// kept one — and load the crop only for `finish`. After a frame, `best` is then `Some`
/// exactly when that frame replaced the crop.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSnapshot {
    /// The small state.
    pub state: RunState,
    /// The best frame's crop.
    pub best: Option<RgbImage>,
    /// Identity chips, `150 * 150 * 3` bytes each.
    pub samples: Vec<Vec<u8>>,
}

impl<E: std::ops::Deref<Target = FaceEngine>> LivenessRun<E> {
    /// The run as plain data (the run goes on unchanged).
    pub fn snapshot(&self) -> RunSnapshot {
        RunSnapshot {
            state: RunState {
                session: self.session.clone(),
                track: self.track.clone(),
                since_detect: self.since_detect,
                best_score: self.best_score,
            },
            best: self.best_crop.clone(),
            samples: self.samples.clone(),
        }
    }

    /// The run as plain data, consuming it (no copies).
    pub fn into_snapshot(self) -> RunSnapshot {
        RunSnapshot {
            state: RunState {
                session: self.session,
                track: self.track,
                since_detect: self.since_detect,
                best_score: self.best_score,
            },
            best: self.best_crop,
            samples: self.samples,
        }
    }

    /// A run continued from `snapshot` on `engine`. Refused when the snapshot is
    /// inconsistent (a chip of the wrong size, a crop without its score, a crop larger than
    /// a run keeps; a score without its crop is a crop the host keeps apart) or when it is a silent run and the engine has no anti-spoof model.
    pub fn restore(engine: E, snapshot: RunSnapshot) -> Result<Self, FaceError> {
        let RunSnapshot { state, best, samples } = snapshot;
        if samples.iter().any(|s| s.len() != CHIP * CHIP * 3) {
            return Err(FaceError::BadSnapshot("an identity chip has the wrong size"));
        }
        match (state.best_score, &best) {
            (Some(_), Some(crop)) if crop.width() > super::BEST_CROP_MAX || crop.height() > super::BEST_CROP_MAX => {
                return Err(FaceError::BadSnapshot("the kept crop is larger than a run keeps"));
            }
            (None, Some(_)) => return Err(FaceError::BadSnapshot("the kept crop and its score disagree")),
            _ => {}
        }
        let mut run = LivenessRun::new(engine, state.session)?;
        run.best_score = state.best_score;
        run.best_crop = best;
        run.samples = samples;
        run.track = state.track;
        run.since_detect = state.since_detect;
        Ok(run)
    }
}
