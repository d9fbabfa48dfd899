//! Action-challenge liveness (活体检测): the server draws 2–3 random actions (shake head,
//! open mouth, blink, nod) with a nonce; a session consumes timestamped per-frame face
//! measures from the face engine and says, frame by frame, what happened: face lost, wrong
//! action, action done, passed, timed out.
//!
//! A photo held still completes no action and times out; a video doing the actions in
//! another order completes a wrong action first and fails. Matching against the enrolled
//! template comes after liveness has passed (GB/T 38671-2020).

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

    /// The prompt shown to the person.
    pub const fn prompt(self) -> &'static str {
        match self {
            Action::ShakeHead => "请缓慢左右摇头 (slowly turn your head left and right)",
            Action::OpenMouth => "请张嘴 (open your mouth)",
            Action::Blink => "请眨眼 (blink)",
            Action::Nod => "请点头 (nod)",
        }
    }
}

/// A drawn challenge: the actions in order and the nonce that binds the evidence to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LivenessChallenge {
    /// Actions to perform, in order (2 or 3, no repeats).
    pub actions: Vec<Action>,
    /// 16 random bytes.
    pub nonce: [u8; 16],
    /// When it was drawn.
    pub issued_at: Timestamp,
}

impl LivenessChallenge {
    /// Draw 2–3 distinct actions in random order from the caller's RNG.
    pub fn draw<R: RngCore + CryptoRng>(rng: &mut R, now: Timestamp) -> Self {
        let count = 2 + (rng.next_u32() % 2) as usize;
        let mut pool = Action::ALL.to_vec();
        let mut actions = Vec::with_capacity(count);
        for _ in 0..count {
            let i = (rng.next_u32() as usize) % pool.len();
            actions.push(pool.swap_remove(i));
        }
        let mut nonce = [0u8; 16];
        rng.fill_bytes(&mut nonce);
        Self {
            actions,
            nonce,
            issued_at: now,
        }
    }
}

/// One face as the engine measured it in one frame.
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
}

/// One frame: milliseconds since the session started, and the face if exactly one was
/// found.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    /// Milliseconds since the session started (non-decreasing).
    pub elapsed_ms: u32,
    /// The single face, or `None` when no face (or several) was found.
    pub face: Option<FaceObservation>,
}

/// Thresholds of action detection and timing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
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
            action_timeout_ms: 8000,
            face_lost_ms: 1500,
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
}

/// Per-action progress trackers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct Tracker {
    yaw_min: f32,
    yaw_max: f32,
    pitch_min: f32,
    pitch_max: f32,
    pitch_away: bool,
    last_pitch: f32,
    mouth_was_closed: bool,
    eyes_closed: bool,
    eyes_were_open: bool,
}

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// Collecting frames.
    Running,
    /// All actions done.
    Passed,
    /// Failed (face lost, wrong action, timeout).
    Failed,
}

/// A liveness session over a challenge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LivenessSession {
    challenge: LivenessChallenge,
    config: LivenessConfig,
    state: SessionState,
    current: usize,
    baseline_n: u32,
    baseline_yaw: f32,
    baseline_pitch: f32,
    baseline_eye: f32,
    action_started_ms: u32,
    last_face_ms: u32,
    last_ms: u32,
    tracker: Tracker,
    ended: Option<LivenessEvent>,
}

impl LivenessSession {
    /// Start a session for `challenge`.
    pub fn new(challenge: LivenessChallenge, config: LivenessConfig) -> Self {
        Self {
            challenge,
            config,
            state: SessionState::Running,
            current: 0,
            baseline_n: 0,
            baseline_yaw: 0.0,
            baseline_pitch: 0.0,
            baseline_eye: 0.0,
            action_started_ms: 0,
            last_face_ms: 0,
            last_ms: 0,
            tracker: Tracker::default(),
            ended: None,
        }
    }

    /// The challenge.
    pub fn challenge(&self) -> &LivenessChallenge {
        &self.challenge
    }

    /// Running, passed or failed.
    pub fn state(&self) -> SessionState {
        self.state
    }

    /// The action now asked for (`None` before the baseline is set or after the end).
    pub fn current_action(&self) -> Option<Action> {
        (self.baseline_n >= self.config.baseline_frames && self.state == SessionState::Running)
            .then(|| self.challenge.actions.get(self.current).copied())
            .flatten()
    }

    fn fail(&mut self, event: LivenessEvent) -> LivenessEvent {
        self.state = SessionState::Failed;
        self.ended = Some(event.clone());
        event
    }

    fn pass(&mut self) -> LivenessEvent {
        self.state = SessionState::Passed;
        self.ended = Some(LivenessEvent::Passed);
        LivenessEvent::Passed
    }

    fn reset_tracker(&mut self, f: &FaceObservation) {
        self.tracker = Tracker {
            yaw_min: f.yaw,
            yaw_max: f.yaw,
            pitch_min: f.pitch,
            pitch_max: f.pitch,
            pitch_away: (f.pitch - self.baseline_pitch).abs() >= self.config.nod_pitch_deg,
            last_pitch: f.pitch,
            mouth_was_closed: f.mouth_openness < self.config.mouth_closed,
            eyes_closed: false,
            eyes_were_open: f.eye_openness >= self.baseline_eye * self.config.blink_open_ratio,
        };
    }

    /// Which actions the tracker shows completed (several may complete at once).
    fn completed(&self) -> Vec<Action> {
        let t = &self.tracker;
        let c = &self.config;
        let mut done = Vec::new();
        let shook =
            t.yaw_max - self.baseline_yaw >= c.shake_yaw_deg && self.baseline_yaw - t.yaw_min >= c.shake_yaw_deg;
        if shook {
            done.push(Action::ShakeHead);
        }
        // A nod: the head goes at least `nod_pitch_deg` up or down, then comes back to
        // within half of that, without turning.
        if t.pitch_away
            && (t.last_pitch - self.baseline_pitch).abs() <= c.nod_pitch_deg / 2.0
            && (t.yaw_max - t.yaw_min) < c.shake_yaw_deg
        {
            done.push(Action::Nod);
        }
        done
    }

    /// Feed one frame; returns what it did. Frames after the end change nothing.
    pub fn push(&mut self, frame: Frame) -> LivenessEvent {
        if let Some(end) = &self.ended {
            // The session is over: every later frame repeats how it ended.
            return end.clone();
        }
        let now = frame.elapsed_ms.max(self.last_ms);
        self.last_ms = now;
        let Some(f) = frame.face else {
            if now.saturating_sub(self.last_face_ms) > self.config.face_lost_ms {
                return self.fail(LivenessEvent::FaceLost);
            }
            return LivenessEvent::FaceMissing;
        };
        self.last_face_ms = now;
        let c = self.config;
        // 1. Baseline: the first frames, facing the camera with eyes open.
        if self.baseline_n < c.baseline_frames {
            let n = self.baseline_n as f32;
            self.baseline_yaw = (self.baseline_yaw * n + f.yaw) / (n + 1.0);
            self.baseline_pitch = (self.baseline_pitch * n + f.pitch) / (n + 1.0);
            self.baseline_eye = (self.baseline_eye * n + f.eye_openness) / (n + 1.0);
            self.baseline_n += 1;
            if self.baseline_n == c.baseline_frames {
                self.action_started_ms = now;
                self.reset_tracker(&f);
            }
            return LivenessEvent::InProgress {
                current: self.current_action(),
            };
        }
        let Some(expected) = self.challenge.actions.get(self.current).copied() else {
            return self.pass();
        };
        if now.saturating_sub(self.action_started_ms) > c.action_timeout_ms {
            return self.fail(LivenessEvent::TimedOut { action: expected });
        }
        // 2. Track this frame.
        let t = &mut self.tracker;
        t.yaw_min = t.yaw_min.min(f.yaw);
        t.yaw_max = t.yaw_max.max(f.yaw);
        t.pitch_min = t.pitch_min.min(f.pitch);
        t.pitch_max = t.pitch_max.max(f.pitch);
        t.last_pitch = f.pitch;
        if (f.pitch - self.baseline_pitch).abs() >= c.nod_pitch_deg {
            t.pitch_away = true;
        }
        let mut performed = self.completed();
        let t = &mut self.tracker;
        if f.mouth_openness < c.mouth_closed {
            t.mouth_was_closed = true;
        } else if t.mouth_was_closed && f.mouth_openness >= c.mouth_open {
            performed.push(Action::OpenMouth);
        }
        // Blinks only count facing the camera: eyes look narrower when the head turns.
        if (f.yaw - self.baseline_yaw).abs() < c.shake_yaw_deg * 0.6 {
            if f.eye_openness < self.baseline_eye * c.blink_closed_ratio {
                if t.eyes_were_open {
                    t.eyes_closed = true;
                }
            } else if f.eye_openness >= self.baseline_eye * c.blink_open_ratio {
                if t.eyes_closed {
                    performed.push(Action::Blink);
                }
                t.eyes_were_open = true;
            }
        }
        // 3. Judge.
        if performed.contains(&expected) {
            self.current += 1;
            self.action_started_ms = now;
            self.reset_tracker(&f);
            let next = self.challenge.actions.get(self.current).copied();
            if next.is_none() {
                return self.pass();
            }
            return LivenessEvent::ActionDone { action: expected, next };
        }
        if let Some(&other) = performed.first() {
            return self.fail(LivenessEvent::WrongAction {
                expected,
                performed: other,
            });
        }
        LivenessEvent::InProgress {
            current: Some(expected),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    const REST: FaceObservation = FaceObservation {
        yaw: 0.0,
        pitch: 0.0,
        eye_openness: 0.3,
        mouth_openness: 0.02,
    };

    fn frames_for(action: Action) -> Vec<FaceObservation> {
        let f = |yaw: f32, pitch: f32, eye: f32, mouth: f32| FaceObservation {
            yaw,
            pitch,
            eye_openness: eye,
            mouth_openness: mouth,
        };
        match action {
            Action::ShakeHead => vec![
                f(-10.0, 0.0, 0.3, 0.0),
                f(-20.0, 0.0, 0.28, 0.0),
                f(0.0, 0.0, 0.3, 0.0),
                f(20.0, 0.0, 0.28, 0.0),
                f(0.0, 0.0, 0.3, 0.0),
            ],
            Action::OpenMouth => vec![f(0.0, 0.0, 0.3, 0.2), f(0.0, 0.0, 0.3, 0.45), f(0.0, 0.0, 0.3, 0.02)],
            Action::Blink => vec![f(0.0, 0.0, 0.1, 0.0), f(0.0, 0.0, 0.3, 0.0)],
            Action::Nod => vec![f(0.0, 8.0, 0.3, 0.0), f(0.0, 14.0, 0.3, 0.0), f(0.0, 2.0, 0.3, 0.0)],
        }
    }

    fn run(session: &mut LivenessSession, faces: &[FaceObservation], t: &mut u32) -> Vec<LivenessEvent> {
        faces
            .iter()
            .map(|f| {
                *t += 100;
                session.push(Frame {
                    elapsed_ms: *t,
                    face: Some(*f),
                })
            })
            .collect()
    }

    fn challenge(actions: Vec<Action>) -> LivenessChallenge {
        LivenessChallenge {
            actions,
            nonce: [0; 16],
            issued_at: Timestamp::from_unix_seconds(0),
        }
    }

    #[test]
    fn draws_two_or_three_distinct_actions() {
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let c = LivenessChallenge::draw(&mut rng, Timestamp::from_unix_seconds(0));
            assert!((2..=3).contains(&c.actions.len()));
            let unique: std::collections::HashSet<_> = c.actions.iter().collect();
            assert_eq!(unique.len(), c.actions.len());
            seen.insert(c.actions.clone());
        }
        assert!(seen.len() > 20, "orders vary: {}", seen.len());
    }

    #[test]
    fn every_action_in_order_passes() {
        for order in [
            vec![Action::ShakeHead, Action::OpenMouth, Action::Blink],
            vec![Action::Nod, Action::Blink],
            vec![Action::Blink, Action::Nod, Action::OpenMouth],
        ] {
            let mut s = LivenessSession::new(challenge(order.clone()), LivenessConfig::default());
            let mut t = 0;
            run(&mut s, &[REST; 3], &mut t);
            let mut last = LivenessEvent::FaceMissing;
            for a in &order {
                let ev = run(&mut s, &frames_for(*a), &mut t);
                last = ev.last().cloned().unwrap();
            }
            assert_eq!(last, LivenessEvent::Passed, "{order:?}");
            assert_eq!(s.state(), SessionState::Passed);
        }
    }

    #[test]
    fn a_still_photo_times_out() {
        let mut s = LivenessSession::new(
            challenge(vec![Action::Blink, Action::OpenMouth]),
            LivenessConfig::default(),
        );
        let mut t = 0;
        let ev = run(&mut s, &vec![REST; 100], &mut t);
        assert!(ev.contains(&LivenessEvent::TimedOut { action: Action::Blink }));
        assert_eq!(s.state(), SessionState::Failed);
    }

    #[test]
    fn actions_in_another_order_fail() {
        let mut s = LivenessSession::new(
            challenge(vec![Action::Blink, Action::OpenMouth]),
            LivenessConfig::default(),
        );
        let mut t = 0;
        run(&mut s, &[REST; 3], &mut t);
        let ev = run(&mut s, &frames_for(Action::OpenMouth), &mut t);
        assert!(
            ev.contains(&LivenessEvent::WrongAction {
                expected: Action::Blink,
                performed: Action::OpenMouth
            }),
            "{ev:?}"
        );
        assert_eq!(s.state(), SessionState::Failed);
    }

    #[test]
    fn face_missing_briefly_is_tolerated_but_lost_fails() {
        let mut s = LivenessSession::new(challenge(vec![Action::Blink, Action::Nod]), LivenessConfig::default());
        let mut t = 0;
        run(&mut s, &[REST; 3], &mut t);
        assert_eq!(
            s.push(Frame {
                elapsed_ms: 1000,
                face: None
            }),
            LivenessEvent::FaceMissing
        );
        assert_eq!(
            s.push(Frame {
                elapsed_ms: 1200,
                face: Some(REST)
            }),
            LivenessEvent::InProgress {
                current: Some(Action::Blink)
            }
        );
        assert_eq!(
            s.push(Frame {
                elapsed_ms: 2000,
                face: None
            }),
            LivenessEvent::FaceMissing
        );
        assert_eq!(
            s.push(Frame {
                elapsed_ms: 2800,
                face: None
            }),
            LivenessEvent::FaceLost
        );
        assert_eq!(s.state(), SessionState::Failed);
        // Later frames repeat how it ended.
        assert_eq!(
            s.push(Frame {
                elapsed_ms: 2900,
                face: Some(REST)
            }),
            LivenessEvent::FaceLost
        );
    }
}
