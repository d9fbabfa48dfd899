//! The liveness state machine: baseline, actions (or silent watching), continuity and
//! timing, frame by frame.

use super::continuity::{identical, step};
use super::planarity::{POINTS, depth_residual, is_three_dimensional, parallax};
use super::{Action, FaceObservation, Frame, LivenessChallenge, LivenessConfig, LivenessEvent, LivenessMode};
use serde::{Deserialize, Serialize};

/// Per-action progress trackers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct Tracker {
    yaw_min: f32,
    yaw_max: f32,
    pitch_away: bool,
    last_pitch: f32,
    /// Yaw range since the pitch went away from the baseline (a nod does not turn).
    nod_yaw_min: f32,
    nod_yaw_max: f32,
    mouth_was_closed: bool,
    eyes_closed: bool,
    eyes_were_open: bool,
    /// The largest head movement during this action.
    peak: Peak,
}

/// The largest pose change from the baseline seen so far, with the parallax and depth
/// residual measured there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct Peak {
    away: f32,
    parallax: Option<f32>,
    depth: Option<f32>,
}

impl Peak {
    /// Keep this measurement if the head is further from the baseline than before.
    fn offer(&mut self, away: f32, parallax: Option<f32>, depth: Option<f32>) {
        if away > self.away {
            *self = Peak { away, parallax, depth };
        }
    }

    /// Whether the motion at the peak is a 3-D head's.
    fn three_d(&self, c: &LivenessConfig) -> bool {
        is_three_dimensional(self.parallax, self.depth, c.min_parallax, c.min_depth_ratio)
    }
}

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// Collecting frames.
    Running,
    /// All actions done.
    Passed,
    /// Failed.
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
    baseline_points: [[f32; 3]; POINTS],
    baseline_end_ms: u32,
    action_started_ms: u32,
    last_face_ms: u32,
    last_ms: u32,
    first_frame_ms: Option<u32>,
    face_frames: u32,
    previous: Option<FaceObservation>,
    identical_run: u32,
    breaks: u32,
    /// All actions done; waiting for enough frames.
    finishing: bool,
    /// Silent mode: a blink was seen.
    blinked: bool,
    /// Largest pose change from the baseline over the run and the parallax there.
    run_peak: Peak,
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
            baseline_points: [[0.0; 3]; POINTS],
            baseline_end_ms: 0,
            action_started_ms: 0,
            last_face_ms: 0,
            last_ms: 0,
            first_frame_ms: None,
            face_frames: 0,
            previous: None,
            identical_run: 0,
            breaks: 0,
            finishing: false,
            blinked: false,
            run_peak: Peak::default(),
            tracker: Tracker::default(),
            ended: None,
        }
    }

    /// The challenge.
    pub fn challenge(&self) -> &LivenessChallenge {
        &self.challenge
    }

    /// The configuration.
    pub fn config(&self) -> &LivenessConfig {
        &self.config
    }

    /// Running, passed or failed.
    pub fn state(&self) -> SessionState {
        self.state
    }

    /// How the run ended (`None` while running).
    pub fn ended(&self) -> Option<&LivenessEvent> {
        self.ended.as_ref()
    }

    /// Frames with a face so far.
    pub fn face_frames(&self) -> u32 {
        self.face_frames
    }

    /// The 3-D parallax measured at the run's largest head movement (`None` when the head
    /// never moved far enough to measure it).
    pub fn peak_parallax(&self) -> Option<f32> {
        self.run_peak.parallax
    }

    /// The action now asked for (`None` before the baseline is set, in silent mode, or
    /// after the end).
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

    fn reset_tracker(&mut self, f: &FaceObservation) {
        self.tracker = Tracker {
            yaw_min: f.yaw,
            yaw_max: f.yaw,
            pitch_away: (f.pitch - self.baseline_pitch).abs() >= self.config.nod_pitch_deg,
            last_pitch: f.pitch,
            nod_yaw_min: f.yaw,
            nod_yaw_max: f.yaw,
            mouth_was_closed: f.mouth_openness < self.config.mouth_closed,
            eyes_closed: false,
            eyes_were_open: f.eye_openness >= self.baseline_eye * self.config.blink_open_ratio,
            peak: Peak::default(),
        };
    }

    /// Pass if enough frames came at a sufficient rate; otherwise wait for more frames (or
    /// fail when the rate is too low).
    fn try_pass(&mut self, now: u32) -> LivenessEvent {
        let c = self.config;
        // A run whose head moved far enough must show parallax there.
        if self.run_peak.away >= c.parallax_pose_deg && !self.run_peak.three_d(&c) {
            return self.fail(LivenessEvent::FlatFace);
        }
        if self.face_frames < c.min_frames {
            self.finishing = true;
            return LivenessEvent::InProgress { current: None };
        }
        let first = self.first_frame_ms.unwrap_or(now);
        let span = now.saturating_sub(first).max(1);
        let fps = (self.face_frames.saturating_sub(1)) as f32 * 1000.0 / span as f32;
        if fps < c.min_fps {
            return self.fail(LivenessEvent::TooFewFrames {
                frames: self.face_frames,
                fps_tenths: (fps * 10.0) as u32,
            });
        }
        self.state = SessionState::Passed;
        self.ended = Some(LivenessEvent::Passed);
        LivenessEvent::Passed
    }

    /// Which head actions the tracker shows completed.
    fn completed(&self) -> Vec<Action> {
        let t = &self.tracker;
        let c = &self.config;
        let mut done = Vec::new();
        if t.yaw_max - self.baseline_yaw >= c.shake_yaw_deg && self.baseline_yaw - t.yaw_min >= c.shake_yaw_deg {
            done.push(Action::ShakeHead);
        }
        // A nod: the head goes at least `nod_pitch_deg` up or down, then comes back to
        // within half of that, without turning.
        if t.pitch_away
            && (t.last_pitch - self.baseline_pitch).abs() <= c.nod_pitch_deg / 2.0
            && (t.nod_yaw_max - t.nod_yaw_min) < c.shake_yaw_deg
        {
            done.push(Action::Nod);
        }
        done
    }

    /// Timing and continuity of a frame; `Some` when it ends the run.
    fn check_frame(&mut self, frame: &Frame) -> Option<LivenessEvent> {
        let c = self.config;
        let now = frame.elapsed_ms.max(self.last_ms);
        if self.first_frame_ms.is_some() {
            let gap = now - self.last_ms;
            if gap > c.max_gap_ms {
                return Some(self.fail(LivenessEvent::FrameGap { gap_ms: gap }));
            }
        } else {
            self.first_frame_ms = Some(now);
        }
        self.last_ms = now;
        if now > c.run_deadline_ms {
            return Some(self.fail(LivenessEvent::RunExpired));
        }
        let f = frame.face?;
        if let Some(p) = self.previous {
            if identical(&p, &f) {
                self.identical_run += 1;
                if self.identical_run > c.max_identical_frames {
                    return Some(self.fail(LivenessEvent::Frozen));
                }
            } else {
                self.identical_run = 0;
            }
            if let Some(what) = step(&p, &f, &c) {
                self.breaks += 1;
                if self.breaks > c.max_breaks {
                    return Some(self.fail(LivenessEvent::Discontinuous { what }));
                }
            }
        }
        self.previous = Some(f);
        None
    }

    /// Feed one frame; returns what it did. Frames after the end change nothing.
    pub fn push(&mut self, mut frame: Frame) -> LivenessEvent {
        if let Some(end) = &self.ended {
            // The session is over: every later frame repeats how it ended.
            return end.clone();
        }
        if frame.face.is_some_and(|f| !f.is_finite()) {
            frame.face = None;
        }
        if let Some(end) = self.check_frame(&frame) {
            return end;
        }
        let now = self.last_ms;
        let Some(f) = frame.face else {
            if now.saturating_sub(self.last_face_ms) > self.config.face_lost_ms {
                return self.fail(LivenessEvent::FaceLost);
            }
            return LivenessEvent::FaceMissing;
        };
        self.last_face_ms = now;
        self.face_frames += 1;
        let c = self.config;
        // 1. Baseline: the first frames, facing the camera with eyes open.
        if self.baseline_n < c.baseline_frames {
            let n = self.baseline_n as f32;
            self.baseline_yaw = (self.baseline_yaw * n + f.yaw) / (n + 1.0);
            self.baseline_pitch = (self.baseline_pitch * n + f.pitch) / (n + 1.0);
            self.baseline_eye = (self.baseline_eye * n + f.eye_openness) / (n + 1.0);
            self.baseline_points = f.points;
            self.baseline_n += 1;
            if self.baseline_n == c.baseline_frames {
                self.action_started_ms = now;
                self.baseline_end_ms = now;
                self.reset_tracker(&f);
            }
            return LivenessEvent::InProgress {
                current: self.current_action(),
            };
        }
        // 2. Parallax where the head has moved away from the baseline pose.
        let away = (f.yaw - self.baseline_yaw)
            .abs()
            .max((f.pitch - self.baseline_pitch).abs());
        if away >= c.parallax_pose_deg {
            let p = parallax(&self.baseline_points, &f.points);
            let d = depth_residual(&self.baseline_points, &f.points);
            self.tracker.peak.offer(away, p, d);
            self.run_peak.offer(away, p, d);
        }
        if self.finishing {
            return self.try_pass(now);
        }
        // 3. Track this frame.
        let t = &mut self.tracker;
        t.yaw_min = t.yaw_min.min(f.yaw);
        t.yaw_max = t.yaw_max.max(f.yaw);
        t.last_pitch = f.pitch;
        if (f.pitch - self.baseline_pitch).abs() >= c.nod_pitch_deg && !t.pitch_away {
            t.pitch_away = true;
            t.nod_yaw_min = f.yaw;
            t.nod_yaw_max = f.yaw;
        }
        t.nod_yaw_min = t.nod_yaw_min.min(f.yaw);
        t.nod_yaw_max = t.nod_yaw_max.max(f.yaw);
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
                    t.eyes_closed = false;
                }
                t.eyes_were_open = true;
            }
        }
        if self.challenge.mode == LivenessMode::Silent {
            return self.judge_silent(now, &performed);
        }
        self.judge_action(now, &f, &performed)
    }

    fn judge_silent(&mut self, now: u32, performed: &[Action]) -> LivenessEvent {
        let c = self.config;
        if performed.contains(&Action::Blink) {
            self.blinked = true;
        }
        if self.blinked && now.saturating_sub(self.baseline_end_ms) >= c.silent_min_ms {
            return self.try_pass(now);
        }
        if now > c.silent_max_ms {
            return self.fail(LivenessEvent::NoSignOfLife);
        }
        LivenessEvent::InProgress { current: None }
    }

    fn judge_action(&mut self, now: u32, f: &FaceObservation, performed: &[Action]) -> LivenessEvent {
        let c = self.config;
        let Some(expected) = self.challenge.actions.get(self.current).copied() else {
            return self.try_pass(now);
        };
        if performed.contains(&expected) {
            if expected.moves_head() && !self.tracker.peak.three_d(&c) {
                return self.fail(LivenessEvent::FlatFace);
            }
            self.current += 1;
            self.action_started_ms = now;
            self.reset_tracker(f);
            let next = self.challenge.actions.get(self.current).copied();
            if next.is_none() {
                return self.try_pass(now);
            }
            return LivenessEvent::ActionDone { action: expected, next };
        }
        if now.saturating_sub(self.action_started_ms) > c.action_timeout_ms {
            return self.fail(LivenessEvent::TimedOut { action: expected });
        }
        // A blink is often involuntary: it never counts as a wrong action (people blink
        // every few seconds, and an 80-year-old must not fail for it).
        if let Some(&other) = performed.iter().find(|a| **a != Action::Blink) {
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
