//! Liveness runs over images: each frame analysed into the core's observation and fed to
//! the core's session; identity sampled at every completed action; a small crop of the
//! most frontal frame kept for the final match; passive anti-spoof, when configured,
//! scored on that frame. The decision says what passed and, if not, why.

use crate::embed::FaceTemplate;
use crate::engine::{Comparison, FaceAnalysis, FaceEngine, FaceError};
use certify_core::biometric::MatchDecision;
use certify_core::evidence::{Challenge, EvidenceClaims};
use certify_core::id::ResidentId;
use certify_core::liveness::{Frame, LivenessEvent, LivenessMode, LivenessSession, SessionState};
use certify_core::time::Timestamp;
use image::RgbImage;
use serde::Serialize;

mod snapshot;

pub use snapshot::{RunSnapshot, RunState};

/// Longest side of the kept best-frame crop (the face and its surroundings, ≈ 4 face
/// widths): under 800 KiB whatever the upload's size (a 640×480 frame's crop fits as is).
const BEST_CROP_MAX: u32 = 512;

/// Frames between two runs of the detector while the face is tracked from its landmarks
/// (the detector also looks for other people, so it runs at least this often).
pub const REDETECT_EVERY: u32 = 8;

/// A liveness session fed with images. Frames are analysed and dropped; only a small crop
/// of the most frontal frame and the identity samples (aligned 150 px face chips, embedded
/// together at the end) stay until the end.
pub struct LivenessRun<E: std::ops::Deref<Target = FaceEngine>> {
    engine: E,
    session: LivenessSession,
    /// How frontal the kept crop is (smaller is better).
    best_score: Option<f32>,
    /// The kept crop; absent while `best_score` is set only when a host restored the run
    /// without it (it stores the crop itself and loads it for `finish`).
    best_crop: Option<RgbImage>,
    samples: Vec<Vec<u8>>,
    /// The last frame's landmarks and frames since the detector last ran.
    track: Option<crate::mesh::Landmarks>,
    since_detect: u32,
}

impl FaceEngine {
    /// Start a liveness run for a session drawn by the core (see [`LivenessRun::new`]).
    pub fn liveness(&self, session: LivenessSession) -> Result<LivenessRun<&FaceEngine>, FaceError> {
        LivenessRun::new(self, session)
    }
}

impl<E: std::ops::Deref<Target = FaceEngine>> LivenessRun<E> {
    /// A run over an engine held by any pointer (`&FaceEngine`, `Arc<FaceEngine>` …).
    /// Silent mode needs passive anti-spoof: without a configured model it is refused
    /// ([`FaceError::AntispoofRequired`]).
    pub fn new(engine: E, session: LivenessSession) -> Result<Self, FaceError> {
        if session.challenge().mode == LivenessMode::Silent && !engine.has_antispoof() {
            return Err(FaceError::AntispoofRequired);
        }
        Ok(Self {
            engine,
            session,
            best_score: None,
            best_crop: None,
            samples: Vec::new(),
            track: None,
            since_detect: 0,
        })
    }

    /// The session.
    pub fn session(&self) -> &LivenessSession {
        &self.session
    }

    /// Analyse one frame and feed the session. `elapsed_ms` is the time since the run
    /// started on the verifier's clock (the server's clock on arrival, a binding's
    /// monotonic clock); a client's claim must never be passed here.
    pub fn push_image(&mut self, img: &RgbImage, elapsed_ms: u32) -> Result<LivenessEvent, FaceError> {
        // After the end, frames change nothing: no analysis, no sampling.
        if let Some(end) = self.session.ended() {
            return Ok(end.clone());
        }
        // Track the face from its last landmarks (one crop rule for every frame, so the
        // landmarks are comparable); the detector runs on the first frame, when tracking
        // loses the face, and every few frames to look for other people.
        let tracked = match &self.track {
            Some(prev) => self.engine.analyze_tracked(img, prev)?,
            None => None,
        };
        let analysis = match tracked {
            Some(mut a) => {
                self.since_detect += 1;
                if self.since_detect >= REDETECT_EVERY {
                    self.since_detect = 0;
                    if let Some(main) = a.faces.first().cloned() {
                        let detections = self.engine.detect(img)?;
                        a.faces.extend(self.engine.other_people(img, &detections, &main)?);
                    }
                }
                a
            }
            None => {
                self.since_detect = 0;
                self.engine.analyze(img)?
            }
        };
        let face = analysis.observation();
        self.track = face.and(analysis.primary.as_ref()).map(|p| p.landmarks.clone());
        let event = self.session.push(Frame { elapsed_ms, face });
        if let (Some(p), Some(_)) = (&analysis.primary, face) {
            if self.session.state() != SessionState::Failed {
                self.keep_best(img, p);
                if matches!(event, LivenessEvent::ActionDone { .. } | LivenessEvent::Passed) {
                    // Identity at each completed action: a chip now, embedded at the end.
                    self.samples.push(self.engine.face_chip(img, p));
                }
            }
        }
        Ok(event)
    }

    /// Keep a small crop around the face of the most frontal, eyes-open, usable frame.
    fn keep_best(&mut self, img: &RgbImage, p: &FaceAnalysis) {
        let m = &p.measures;
        let frontal = m.pose.yaw.abs() + m.pose.pitch.abs() + if m.eye_openness < 0.15 { 90.0 } else { 0.0 };
        // A new crop only for a frame at least a degree more frontal (copies cost time).
        if self.best_score.is_some_and(|b| frontal > b - 1.0) || !p.issues.iter().all(|i| i.is_framing()) {
            return;
        }
        let (cx, cy) = p.detection.centre();
        let side = (p.detection.width().max(p.detection.height()) * 4.2)
            .min(img.width() as f32)
            .min(img.height() as f32)
            .max(1.0);
        let x0 = (cx - side / 2.0).clamp(0.0, img.width() as f32 - side) as u32;
        let y0 = (cy - side / 2.0).clamp(0.0, img.height() as f32 - side) as u32;
        let s = side as u32;
        let crop = image::imageops::crop_imm(img, x0, y0, s, s).to_image();
        let crop = if s > BEST_CROP_MAX {
            image::imageops::resize(
                &crop,
                BEST_CROP_MAX,
                BEST_CROP_MAX,
                image::imageops::FilterType::Triangle,
            )
        } else {
            crop
        };
        self.best_score = Some(frontal);
        self.best_crop = Some(crop);
    }

    /// Bytes of image data the run holds (the best-frame crop).
    pub fn held_bytes(&self) -> usize {
        self.best_crop.as_ref().map_or(0, |b| b.as_raw().len())
    }

    /// End the run: if liveness passed, match the best frame against `enrolled`, check that
    /// every sampled frame shows the same person, and score anti-spoof. The crop is dropped.
    pub fn finish(self, enrolled: &FaceTemplate) -> Result<CertificationDecision, FaceError> {
        let e = &*self.engine;
        let liveness_passed = self.session.state() == SessionState::Passed;
        let mut d = CertificationDecision {
            liveness_passed,
            mode: self.session.challenge().mode,
            liveness_failure: self.session.ended().filter(|ev| ev.is_failure()).cloned(),
            frames: self.session.face_frames(),
            parallax: self.session.peak_parallax(),
            identity_consistent: false,
            max_sample_distance: None,
            comparison: None,
            antispoof: None,
            antispoof_threshold: e.config().antispoof_threshold,
        };
        if !liveness_passed {
            return Ok(d);
        }
        let crop = match (&self.best_crop, self.best_score) {
            (Some(crop), _) => crop,
            (None, None) => return Ok(d),
            (None, Some(_)) => return Err(FaceError::BadSnapshot("the kept crop was not restored")),
        };
        let analysis = e.analyze(crop)?;
        let Some(face) = analysis.primary else {
            return Ok(d);
        };
        let probe = e.embed(crop, &face)?;
        let samples = e.embed_chips(&self.samples)?;
        let worst = samples.iter().map(|s| s.distance(&probe)).fold(0.0f32, f32::max);
        d.max_sample_distance = Some(worst);
        d.identity_consistent = worst < e.config().match_threshold;
        d.comparison = Some(e.compare(enrolled, &probe));
        d.antispoof = e.antispoof_score(crop, &face.detection)?;
        Ok(d)
    }
}

/// The outcome of a liveness run and 1:1 match.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertificationDecision {
    /// Whether the run passed (actions in order, or silent signs of life, continuously).
    pub liveness_passed: bool,
    /// Actions or silent.
    pub mode: LivenessMode,
    /// How the run failed, when it did (`None`: passed, or not finished).
    pub liveness_failure: Option<LivenessEvent>,
    /// Frames with a face.
    pub frames: u32,
    /// 3-D parallax at the largest head movement.
    pub parallax: Option<f32>,
    /// Every sampled frame (each completed action) is the same person as the best frame.
    pub identity_consistent: bool,
    /// Largest distance between the best frame and a sampled frame.
    pub max_sample_distance: Option<f32>,
    /// Comparison of the best frontal frame with the enrolled template.
    pub comparison: Option<Comparison>,
    /// Passive anti-spoof probability of a real face on the best frame, when a model is
    /// configured.
    pub antispoof: Option<f32>,
    /// The threshold it was judged against.
    pub antispoof_threshold: f32,
}

impl CertificationDecision {
    /// Liveness passed, one person throughout, the face matched, and anti-spoof (when
    /// measured) at or above its threshold.
    pub fn passed(&self) -> bool {
        self.reason().is_none()
    }

    /// Why it did not pass, as a stable code (`None`: passed).
    pub fn reason(&self) -> Option<&'static str> {
        if !self.liveness_passed {
            return Some(
                self.liveness_failure
                    .as_ref()
                    .and_then(|e| e.reason())
                    .unwrap_or("unfinished"),
            );
        }
        if self.comparison.is_none() {
            return Some("no_face");
        }
        if !self.identity_consistent {
            return Some("identity_changed");
        }
        if self.antispoof.is_some_and(|s| s < self.antispoof_threshold) {
            return Some("spoof_suspected");
        }
        if self.comparison.is_some_and(|c| c.decision != MatchDecision::Match) {
            return Some("face_mismatch");
        }
        None
    }

    /// What to tell the person, Chinese first.
    pub fn advice_zh(&self) -> String {
        match &self.liveness_failure {
            Some(ev) => ev.advice_zh(),
            None => decision_text(self.reason()).0.to_owned(),
        }
    }

    /// The same in English.
    pub fn advice_en(&self) -> String {
        match &self.liveness_failure {
            Some(ev) => ev.advice_en(),
            None => decision_text(self.reason()).1.to_owned(),
        }
    }

    /// The claims to sign or record as evidence, answering `challenge`.
    pub fn claims(
        &self,
        challenge: &Challenge,
        operator: ResidentId,
        now: Timestamp,
        ttl_seconds: i64,
    ) -> EvidenceClaims {
        let mut c = EvidenceClaims::for_challenge(
            challenge,
            operator,
            self.liveness_passed,
            self.match_decision(),
            self.score_milli(),
            now,
            ttl_seconds,
        );
        c.liveness_mode = Some(self.mode);
        c.antispoof_milli = self.antispoof.map(|s| (s * 1000.0).round() as i32);
        c
    }

    /// The claims of a run the verifier itself observed (server-side liveness): the
    /// session's nonce stands for the challenge.
    pub fn claims_for(
        &self,
        subject: ResidentId,
        operator: ResidentId,
        nonce: [u8; 16],
        now: Timestamp,
        ttl_seconds: i64,
    ) -> EvidenceClaims {
        let challenge = Challenge {
            nonce,
            subject,
            modality: certify_core::biometric::Modality::Face,
            issued_at: now,
            expires_at: now.plus_seconds(ttl_seconds),
        };
        self.claims(&challenge, operator, now, ttl_seconds)
    }

    fn match_decision(&self) -> MatchDecision {
        if self.passed() {
            MatchDecision::Match
        } else {
            MatchDecision::NoMatch
        }
    }

    fn score_milli(&self) -> i32 {
        self.comparison.map_or(-1, |c| (c.distance * 1000.0).round() as i32)
    }
}

/// What to tell the person (Chinese, English) for a decision the liveness run itself did
/// not fail: passed, or why the checks after it refused.
fn decision_text(reason: Option<&str>) -> (&'static str, &'static str) {
    match reason {
        None => ("认证通过", "certified"),
        Some("identity_changed") => (
            "认证过程中换了人，请本人从头完成认证",
            "another person appeared during the run",
        ),
        Some("spoof_suspected") => (
            "检测到照片或屏幕翻拍，请本人面对摄像头现场认证",
            "a photo or screen is suspected",
        ),
        Some("face_mismatch") => (
            "人脸与对比照片相似度低，请确认是本人后重新操作",
            "the face does not match the enrolled one",
        ),
        Some("no_face") => (
            "没有拍到清楚的正脸，请到光线好的地方重新认证",
            "no clear frontal face was captured",
        ),
        Some(_) => ("认证未完成，请按提示完成动作", "the run did not finish"),
    }
}
