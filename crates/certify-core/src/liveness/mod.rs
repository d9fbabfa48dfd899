//! Liveness (活体检测): proof that a live person is in front of the camera, judged by the
//! verifier from per-frame face measures of one continuous capture.
//!
//! Two modes:
//! - **Actions** (the default): the verifier draws 2–3 random actions (shake head, open
//!   mouth, blink, nod) with a nonce — always at least one head movement (shake or nod),
//!   whose 3-D parallax tells a head from a flat picture.
//! - **Silent** (seed 003 FAQ 5: people who are deaf or have dementia cannot follow
//!   actions): no actions; the person looks at the phone for a few seconds and passes on
//!   a natural blink within a continuous capture. Its defence against photographs rests on
//!   the engine's passive anti-spoof check, so engines refuse silent runs without one.
//!
//! Every frame is checked against the one before it ([`continuity`]): stills of different
//! moments jump, repeated copies do not change, frames may not stop for long, the run has a
//! deadline and a minimum frame count and rate. Time is the verifier's: `elapsed_ms` comes
//! from the server's clock on arrival or the binding's monotonic clock, never from the
//! client. Matching against the enrolled template comes after liveness has passed
//! (GB/T 38671-2020).

pub mod advice;
pub mod continuity;
pub mod planarity;
mod session;
pub mod simulate;

pub use continuity::Discontinuity;
pub use planarity::{MESH_POINTS, POINTS};
pub use session::{LivenessSession, SessionState};

use crate::time::Timestamp;
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};

/// An action the person is asked to perform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Turn the head left and right (摇头).
    ShakeHead,
    /// Open the mouth (张嘴).
    OpenMouth,
    /// Blink (眨眼).
    Blink,
    /// Nod (点头).
    Nod,
}

impl Action {
    /// All actions.
    pub const ALL: [Action; 4] = [Action::ShakeHead, Action::OpenMouth, Action::Blink, Action::Nod];

    /// The prompt shown to the person (Chinese).
    pub const fn prompt(self) -> &'static str {
        match self {
            Action::ShakeHead => "请慢慢向左、再向右转头",
            Action::OpenMouth => "请张嘴，再合上",
            Action::Blink => "请眨眨眼",
            Action::Nod => "请慢慢点头",
        }
    }

    /// The prompt in English.
    pub const fn prompt_en(self) -> &'static str {
        match self {
            Action::ShakeHead => "slowly turn your head left, then right",
            Action::OpenMouth => "open your mouth, then close it",
            Action::Blink => "blink",
            Action::Nod => "slowly nod",
        }
    }

    /// Whether the action moves the head (and so shows 3-D parallax).
    pub const fn moves_head(self) -> bool {
        matches!(self, Action::ShakeHead | Action::Nod)
    }
}

/// How the person proves liveness.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LivenessMode {
    /// Random actions, at least one head movement.
    #[default]
    Actions,
    /// No actions: look at the phone; natural blinks and passive anti-spoof decide.
    Silent,
}

/// A drawn challenge: the actions in order and the nonce that binds the evidence to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LivenessChallenge {
    /// Actions to perform, in order (2 or 3, no repeats; empty in silent mode).
    pub actions: Vec<Action>,
    /// 16 random bytes.
    pub nonce: [u8; 16],
    /// When it was drawn.
    pub issued_at: Timestamp,
    /// Actions or silent.
    #[serde(default)]
    pub mode: LivenessMode,
}

/// Why a challenge could not be drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChallengeError {
    /// The allowed actions include neither shake head nor nod.
    #[error("the allowed actions must include a head movement (shake_head or nod)")]
    NoHeadMovement,
}

impl LivenessChallenge {
    /// Draw 2–3 distinct actions in random order from the caller's RNG, at least one of
    /// them a head movement.
    pub fn draw<R: RngCore + CryptoRng>(rng: &mut R, now: Timestamp) -> Self {
        let mut nonce = [0u8; 16];
        let actions = draw_actions(rng, &Action::ALL, Action::ShakeHead);
        rng.fill_bytes(&mut nonce);
        Self {
            actions,
            nonce,
            issued_at: now,
            mode: LivenessMode::Actions,
        }
    }

    /// Draw from the actions a host allows (for example without blink for people whose
    /// eyelids do not close); the set must contain a head movement.
    pub fn draw_from<R: RngCore + CryptoRng>(
        rng: &mut R,
        now: Timestamp,
        allowed: &[Action],
    ) -> Result<Self, ChallengeError> {
        let head = allowed
            .iter()
            .copied()
            .find(|a| a.moves_head())
            .ok_or(ChallengeError::NoHeadMovement)?;
        let mut pool: Vec<Action> = Vec::new();
        for a in allowed {
            if !pool.contains(a) {
                pool.push(*a);
            }
        }
        let actions = draw_actions(rng, &pool, head);
        let mut nonce = [0u8; 16];
        rng.fill_bytes(&mut nonce);
        Ok(Self {
            actions,
            nonce,
            issued_at: now,
            mode: LivenessMode::Actions,
        })
    }

    /// A silent challenge: no actions, a fresh nonce.
    pub fn silent<R: RngCore + CryptoRng>(rng: &mut R, now: Timestamp) -> Self {
        let mut nonce = [0u8; 16];
        rng.fill_bytes(&mut nonce);
        Self {
            actions: Vec::new(),
            nonce,
            issued_at: now,
            mode: LivenessMode::Silent,
        }
    }
}

/// 2–3 distinct actions from `pool` (or fewer if the pool is smaller), in random order,
/// including one head movement (`fallback_head` when the random pick has none).
fn draw_actions<R: RngCore>(rng: &mut R, pool: &[Action], fallback_head: Action) -> Vec<Action> {
    let heads: Vec<Action> = pool.iter().copied().filter(|a| a.moves_head()).collect();
    let head = if heads.is_empty() {
        fallback_head
    } else {
        heads[(rng.next_u32() as usize) % heads.len()]
    };
    let count = (2 + (rng.next_u32() % 2) as usize).min(pool.len().max(1));
    let mut rest: Vec<Action> = pool.iter().copied().filter(|a| *a != head).collect();
    let mut actions = vec![head];
    while actions.len() < count && !rest.is_empty() {
        let i = (rng.next_u32() as usize) % rest.len();
        actions.push(rest.swap_remove(i));
    }
    // Fisher–Yates: the head movement may come at any place.
    for i in (1..actions.len()).rev() {
        let j = (rng.next_u32() as usize) % (i + 1);
        actions.swap(i, j);
    }
    actions
}

/// One face as the engine measured it in one frame. Positions are in frame widths (pixel
/// coordinates divided by the frame's width), so that aspect is kept.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FaceObservation {
    /// Head turn in degrees (sign: toward the image's right is positive).
    pub yaw: f32,
    /// Head nod in degrees.
    pub pitch: f32,
    /// Eye aspect ratio (open ≈ 0.25–0.35).
    pub eye_openness: f32,
    /// Mouth aspect ratio (closed ≈ 0).
    pub mouth_openness: f32,
    /// Face box centre.
    pub centre: [f32; 2],
    /// Face box width.
    pub size: f32,
    /// Mean luminance (0–255) inside the face box.
    pub face_luma: f32,
    /// Mean luminance (0–255) of the frame around the face.
    pub scene_luma: f32,
    /// The landmarks of [`MESH_POINTS`]: x, y in image coordinates and the mesh's depth z
    /// (same scale, toward the camera negative).
    pub points: [[f32; 3]; POINTS],
    /// A hash of the frame's pixels (0: not computed): equal hashes mean the same frame
    /// was sent again, which a live camera's noise never does.
    #[serde(default)]
    pub frame_hash: u64,
}

impl FaceObservation {
    /// Whether every measure is a finite number (anything else is treated as no face).
    pub fn is_finite(&self) -> bool {
        [
            self.yaw,
            self.pitch,
            self.eye_openness,
            self.mouth_openness,
            self.centre[0],
            self.centre[1],
            self.size,
            self.face_luma,
            self.scene_luma,
        ]
        .iter()
        .chain(self.points.iter().flatten())
        .all(|v| v.is_finite())
    }
}

/// One frame: milliseconds since the session started on the verifier's clock, and the face
/// if exactly one was found.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    /// Milliseconds since the session started, measured by the verifier (the server's
    /// clock on arrival, or the binding's monotonic clock) — never a client's claim.
    pub elapsed_ms: u32,
    /// The single face, or `None` when no face (or several people) was found.
    pub face: Option<FaceObservation>,
}

/// Thresholds of action detection, continuity and timing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LivenessConfig {
    /// Yaw each way (degrees from the baseline) that counts as a head shake.
    pub shake_yaw_deg: f32,
    /// Pitch excursion (degrees) that counts as a nod.
    pub nod_pitch_deg: f32,
    /// Mouth openness that counts as open.
    pub mouth_open: f32,
    /// Mouth openness that counts as closed.
    pub mouth_closed: f32,
    /// Eyes closed when openness falls below this fraction of the baseline.
    pub blink_closed_ratio: f32,
    /// Eyes open again above this fraction of the baseline.
    pub blink_open_ratio: f32,
    /// Frames needed to set the baseline before the first action.
    pub baseline_frames: u32,
    /// Time allowed per action.
    pub action_timeout_ms: u32,
    /// How long the face may be missing before the session fails.
    pub face_lost_ms: u32,
    /// Longest time between two frames.
    pub max_gap_ms: u32,
    /// The whole run must end within this time from the start.
    pub run_deadline_ms: u32,
    /// Fewest frames with a face in a passing run.
    pub min_frames: u32,
    /// Lowest average frame rate of a passing run, in frames per second.
    pub min_fps: f32,
    /// Largest move of the face centre between two frames, in face widths.
    pub max_step_position: f32,
    /// Largest relative change of the face size between two frames.
    pub max_step_scale: f32,
    /// Largest change of yaw or pitch between two frames, in degrees: an action passes
    /// through intermediate poses.
    pub max_step_pose_deg: f32,
    /// Largest change of the face's mean luminance between two frames.
    pub max_step_face_luma: f32,
    /// Largest change of the surroundings' mean luminance between two frames.
    pub max_step_scene_luma: f32,
    /// Continuity breaks tolerated in one run (0: none).
    pub max_breaks: u32,
    /// Repeats of one frame tolerated in a row (an app may grab one camera frame twice;
    /// more is not a live camera).
    pub max_identical_frames: u32,
    /// Pose change from the baseline (degrees) from which 3-D parallax is measured.
    pub parallax_pose_deg: f32,
    /// Least parallax (homography residual ÷ eye distance) at the head movement's peak:
    /// below it the face moved like a flat picture.
    pub min_parallax: f32,
    /// Least ratio of that parallax to what the mesh's depth leaves unexplained (a rigid
    /// 3-D turn explains a head's motion; it does not explain a flat picture's).
    pub min_depth_ratio: f32,
    /// Silent mode: least time looking at the phone before passing.
    pub silent_min_ms: u32,
    /// Silent mode: the run fails when no blink was seen by then.
    pub silent_max_ms: u32,
}

impl Default for LivenessConfig {
    fn default() -> Self {
        Self {
            shake_yaw_deg: 12.0,
            nod_pitch_deg: 10.0,
            mouth_open: 0.35,
            mouth_closed: 0.15,
            blink_closed_ratio: 0.55,
            blink_open_ratio: 0.8,
            baseline_frames: 3,
            action_timeout_ms: 10_000,
            face_lost_ms: 1500,
            max_gap_ms: 1000,
            run_deadline_ms: 45_000,
            min_frames: 10,
            min_fps: 3.0,
            max_step_position: 0.25,
            max_step_scale: 0.2,
            max_step_pose_deg: 10.0,
            max_step_face_luma: 30.0,
            max_step_scene_luma: 25.0,
            max_breaks: 0,
            max_identical_frames: 1,
            parallax_pose_deg: 8.0,
            min_parallax: 0.02,
            min_depth_ratio: 2.0,
            silent_min_ms: 3000,
            silent_max_ms: 12_000,
        }
    }
}

/// What a frame did to the session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LivenessEvent {
    /// Still collecting the frontal baseline, or the current action is in progress.
    InProgress {
        /// The action now asked for, if the baseline is set.
        current: Option<Action>,
    },
    /// No face in this frame (the session fails if this lasts).
    FaceMissing,
    /// The face was missing too long: failed.
    FaceLost,
    /// An action other than the one asked for was performed: failed.
    WrongAction {
        /// Asked for.
        expected: Action,
        /// Performed.
        performed: Action,
    },
    /// The current action was completed; the next one is asked for.
    ActionDone {
        /// Completed.
        action: Action,
        /// Next, if any.
        next: Option<Action>,
    },
    /// All actions done in order: liveness passed.
    Passed,
    /// The current action was not completed in time: failed.
    TimedOut {
        /// The action not completed.
        action: Action,
    },
    /// Two consecutive frames differ more than one moving head can: failed.
    Discontinuous {
        /// What jumped.
        what: Discontinuity,
    },
    /// Too long without a frame: failed.
    FrameGap {
        /// The gap, on the verifier's clock.
        gap_ms: u32,
    },
    /// The same frame was sent again: failed.
    Frozen,
    /// The head movement showed no 3-D parallax (a photo or a screen): failed.
    FlatFace,
    /// The run ended with too few frames or too low a frame rate: failed.
    TooFewFrames {
        /// Frames with a face.
        frames: u32,
        /// Average frame rate × 10.
        fps_tenths: u32,
    },
    /// The run's deadline passed: failed.
    RunExpired,
    /// Silent mode: no natural blink within the time allowed: failed.
    NoSignOfLife,
}

impl LivenessEvent {
    /// Whether this event ends the run as failed.
    pub fn is_failure(&self) -> bool {
        advice::reason(self).is_some()
    }

    /// The event's snake_case name, as serialised in its `event` member ("in_progress",
    /// "action_done", "passed", or the failure's [`reason`](LivenessEvent::reason)).
    pub fn name(&self) -> &'static str {
        advice::name(self)
    }

    /// The action the person is asked for after this event, if any.
    pub fn next_action(&self) -> Option<Action> {
        match self {
            LivenessEvent::InProgress { current } => *current,
            LivenessEvent::ActionDone { next, .. } => *next,
            _ => None,
        }
    }

    /// A stable snake_case reason code for a failure (`None` otherwise).
    pub fn reason(&self) -> Option<&'static str> {
        advice::reason(self)
    }

    /// What to tell the person, in Chinese: the next step, or why it failed and what to do.
    pub fn advice_zh(&self) -> String {
        advice::advice_zh(self)
    }

    /// The same in English.
    pub fn advice_en(&self) -> String {
        advice::advice_en(self)
    }
}
