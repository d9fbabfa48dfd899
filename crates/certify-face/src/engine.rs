//! The face engine: models loaded once, then frame analysis, templates, 1:1 comparison,
//! enrollment review of identity-card photos, and liveness runs that end in a decision.

use crate::antispoof::{Antispoof, AntispoofKind};
use crate::detect::{BACK_256, Detection, Detector, DetectorKind, SHORT_RANGE, iou};
use crate::embed::{Embedder, FACE_EMBEDDING, FACE_EMBEDDING_INT8, FaceTemplate};
use crate::geometry::{Border, warp_affine};
use crate::image_io::ImageError;
use crate::mesh::{FACE_LANDMARK, FaceMeasures, FaceMesh, Landmarks};
use crate::quality::{QualityConfig, QualityIssue, QualityMeasures, assess, mean_luminance, sharpness};
use crate::runtime::{Model, Runtime, RuntimeError};
use certify_core::biometric::{MatchDecision, ReviewIssue};
use certify_core::liveness::{FaceObservation, MESH_POINTS, POINTS};
use image::RgbImage;

pub use crate::liveness_run::{CertificationDecision, LivenessRun};
use serde::Serialize;
use std::path::PathBuf;

/// Euclidean distance below which two faces are the same person (see README, "Calibration").
pub const DEFAULT_MATCH_THRESHOLD: f32 = 0.5;
/// Passive anti-spoof probability of a real face below which a liveness run fails.
pub const DEFAULT_ANTISPOOF_THRESHOLD: f32 = 0.5;
/// Threshold for a live face against an authoritative reference portrait (the card photo
/// store, the police photo check, the counter photo). The calibration set's closest
/// unrelated pair is 0.550 and its farthest genuine pair 0.444 (README, "Calibration"); the
/// card threshold 0.60 let unrelated people through there and on photographs the project
/// had never seen, so a portrait that decides identity gets the same-person threshold.
pub const DEFAULT_PORTRAIT_MATCH_THRESHOLD: f32 = 0.5;
/// Looser threshold for a live face against an identity-card portrait (printed, small, old).
pub const DEFAULT_CARD_MATCH_THRESHOLD: f32 = 0.6;

pub use crate::antispoof::{MINIFASNET_V1SE, MINIFASNET_V2};

/// Why the engine could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaceError {
    /// The image was refused.
    #[error(transparent)]
    Image(#[from] ImageError),
    /// Runtime or model problem.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// The photo is not good enough; the issues say why.
    #[error("the photo is not usable: {}", english_advice(.0))]
    Quality(Vec<QualityIssue>),
    /// Silent liveness needs a passive anti-spoof model, and none is configured.
    #[error("silent liveness needs a passive anti-spoof model; none is configured")]
    AntispoofRequired,
    /// A stored liveness run ([`crate::liveness_run::RunSnapshot`]) is inconsistent.
    #[error("a stored liveness run is unreadable: {0}")]
    BadSnapshot(&'static str),
}

/// Each issue's English advice, joined ("too dark: move to the light; please open your eyes").
fn english_advice(issues: &[QualityIssue]) -> String {
    issues.iter().map(|i| i.advice_en()).collect::<Vec<_>>().join("; ")
}

/// Engine configuration.
#[derive(Debug, Clone)]
pub struct FaceEngineConfig {
    /// Directory holding the models of `models/MANIFEST.md`.
    pub models_dir: PathBuf,
    /// The same models from memory (Android assets, an iOS bundle); takes precedence over
    /// `models_dir`. Checked as files are.
    pub model_bundle: Option<std::sync::Arc<certify_onnx::ModelBundle>>,
    /// ONNX Runtime library (`None`: `ORT_DYLIB_PATH`, then `.deps/onnxruntime`).
    pub runtime_library: Option<PathBuf>,
    /// Directory with the two MiniFASNet files, to use them for passive anti-spoofing
    /// (takes precedence over `antispoof`).
    pub antispoof_dir: Option<PathBuf>,
    /// A shipped passive anti-spoof model to run (`None`: none). Off by default: see the
    /// README's measurements.
    pub antispoof: Option<AntispoofKind>,
    /// Quality thresholds.
    pub quality: QualityConfig,
    /// Same-person distance threshold.
    pub match_threshold: f32,
    /// Same-person threshold against a card portrait photographed by the client (such
    /// an enrollment never passes without staff: see the server's hold reasons).
    pub card_match_threshold: f32,
    /// Same-person threshold against an authoritative reference portrait.
    pub portrait_match_threshold: f32,
    /// Detection score threshold.
    pub detection_threshold: f32,
    /// Passive anti-spoof: a face scoring below this probability of being real fails.
    pub antispoof_threshold: f32,
    /// Use the int8 embedding model (faster, smaller; distances move slightly — see the
    /// README's calibration before switching).
    pub int8_embedding: bool,
}

impl FaceEngineConfig {
    /// Defaults with models from `models_dir`.
    pub fn new(models_dir: impl Into<PathBuf>) -> Self {
        Self {
            models_dir: models_dir.into(),
            model_bundle: None,
            runtime_library: None,
            antispoof_dir: None,
            antispoof: None,
            quality: QualityConfig::default(),
            match_threshold: DEFAULT_MATCH_THRESHOLD,
            card_match_threshold: DEFAULT_CARD_MATCH_THRESHOLD,
            portrait_match_threshold: DEFAULT_PORTRAIT_MATCH_THRESHOLD,
            detection_threshold: 0.5,
            antispoof_threshold: DEFAULT_ANTISPOOF_THRESHOLD,
            int8_embedding: false,
        }
    }

    /// Defaults with models from memory.
    pub fn from_bundle(bundle: certify_onnx::ModelBundle) -> Self {
        let mut config = Self::new("");
        config.model_bundle = Some(std::sync::Arc::new(bundle));
        config
    }

    /// Where the models come from: the bundle if one is set, else `models_dir`.
    pub fn model_source(&self) -> certify_onnx::ModelSource {
        certify_onnx::ModelSource::of(self.model_bundle.as_ref(), &self.models_dir)
    }
}

/// One analysed face.
#[derive(Debug, Clone)]
pub struct FaceAnalysis {
    /// Where.
    pub detection: Detection,
    /// 468 points.
    pub landmarks: Landmarks,
    /// Eyes, mouth, pose.
    pub measures: FaceMeasures,
    /// Light, sharpness, size, position.
    pub quality: QualityMeasures,
    /// What is wrong, if anything.
    pub issues: Vec<QualityIssue>,
}

/// The analysis of a frame: every face found, and the primary (largest) one analysed.
#[derive(Debug, Clone)]
pub struct FrameAnalysis {
    /// The faces found: the largest detection, and every other one the face mesh confirms
    /// as a face of a sensible size beside it (a patterned window is not a person).
    pub faces: Vec<Detection>,
    /// Frame width in pixels (observations are in frame widths).
    pub frame_width: u32,
    /// Mean luminance of the frame around the primary face (of the whole frame without one).
    pub scene_luma: f32,
    /// A hash of sampled pixels: the same frame sent twice hashes the same.
    pub frame_hash: u64,
    /// The largest face, analysed.
    pub primary: Option<FaceAnalysis>,
    /// Frame-level issues (no face, several faces) plus the primary face's issues.
    pub issues: Vec<QualityIssue>,
}

impl FrameAnalysis {
    /// The liveness observation of this frame: the face only if exactly one was found.
    pub fn observation(&self) -> Option<FaceObservation> {
        let p = self.primary.as_ref().filter(|_| self.faces.len() == 1)?;
        if p.landmarks.presence < 0.5 || p.landmarks.points.len() < 468 {
            return None;
        }
        let w = self.frame_width.max(1) as f32;
        // Position and size from the landmarks, the same whether the detector or tracking
        // found the face this frame.
        let [x0, y0, x1, y1] = p.landmarks.bounds();
        let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        let mut points = [[0.0f32; 3]; POINTS];
        for (o, &i) in points.iter_mut().zip(MESH_POINTS.iter()) {
            let q = p.landmarks.points[i];
            *o = [q[0] / w, q[1] / w, q[2] / w];
        }
        Some(FaceObservation {
            yaw: p.measures.pose.yaw,
            pitch: p.measures.pose.pitch,
            eye_openness: p.measures.eye_openness,
            mouth_openness: p.measures.mouth_openness,
            centre: [cx / w, cy / w],
            size: (x1 - x0) / w,
            face_luma: p.quality.luminance,
            scene_luma: self.scene_luma,
            points,
            frame_hash: self.frame_hash,
        })
    }
}

/// The result of a 1:1 comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Comparison {
    /// Euclidean distance between embeddings.
    pub distance: f32,
    /// At the configured threshold.
    pub decision: MatchDecision,
}

/// The automatic review of an enrollment upload.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrollmentReview {
    /// Why it fails (empty: passed).
    pub issues: Vec<ReviewIssue>,
    /// The template to store apart from identity, when passed.
    pub template: Option<FaceTemplate>,
    /// Live face vs card portrait distance, when both were found.
    pub portrait_distance: Option<f32>,
}

impl EnrollmentReview {
    /// The core's review value, with the host's reference to the stored template.
    pub fn to_core(&self, template_ref: impl Into<String>) -> certify_core::enrollment::AutomaticReview {
        if self.issues.is_empty() && self.template.is_some() {
            certify_core::enrollment::AutomaticReview::Passed {
                template_ref: template_ref.into(),
            }
        } else {
            certify_core::enrollment::AutomaticReview::Failed {
                issues: self.issues.clone(),
            }
        }
    }
}

/// The face engine. `Send + Sync`: sessions are guarded; one engine serves many threads
/// (calls on one model are serialised).
#[derive(Debug)]
pub struct FaceEngine {
    short: Detector,
    back: Detector,
    mesh: FaceMesh,
    embedder: Embedder,
    antispoof: Option<Antispoof>,
    config: FaceEngineConfig,
}

fn quality_to_review(i: QualityIssue) -> ReviewIssue {
    match i {
        QualityIssue::NoFace => ReviewIssue::NoFace,
        QualityIssue::SeveralFaces => ReviewIssue::SeveralFaces,
        QualityIssue::TooDark => ReviewIssue::TooDark,
        QualityIssue::TooBright => ReviewIssue::TooBright,
        QualityIssue::Blurred => ReviewIssue::Blurred,
        other => ReviewIssue::Other(other.advice().to_owned()),
    }
}

/// A hash of every 61st byte of the frame and its size (about 15,000 samples of a 640×480
/// frame): any camera noise changes it; the same frame sent again does not. Never 0.
fn frame_hash(img: &RgbImage) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ (u64::from(img.width()) << 32 | u64::from(img.height()));
    for &b in img.as_raw().iter().step_by(61) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h.max(1)
}

/// Mean luminance of the frame around `face` (of the whole frame without one).
fn scene_luminance(img: &RgbImage, face: Option<&FaceAnalysis>) -> f32 {
    let whole = [0.0, 0.0, img.width() as f32, img.height() as f32];
    let frame_luma = mean_luminance(img, &whole);
    match face {
        Some(p) => {
            let area = (img.width() as f32 * img.height() as f32).max(1.0);
            let [x0, y0, x1, y1] = p.detection.bbox;
            let face_area = ((x1.min(whole[2]) - x0.max(0.0)).max(0.0) * (y1.min(whole[3]) - y0.max(0.0)).max(0.0))
                .min(area * 0.95);
            (frame_luma * area - p.quality.luminance * face_area) / (area - face_area)
        }
        None => frame_luma,
    }
}

impl FaceEngine {
    /// Load ONNX Runtime and every model (verified), once.
    pub fn load(config: FaceEngineConfig) -> Result<Self, FaceError> {
        let rt = Runtime::load(config.runtime_library.as_deref())?;
        let dir = &config.model_source();
        let kind = match (&config.antispoof_dir, &config.antispoof) {
            (Some(d), _) => Some(AntispoofKind::MiniFasNet(d.clone())),
            (None, k) => k.clone(),
        };
        let antispoof = match kind {
            Some(k) => Some(Antispoof::load(&rt, dir, k)?),
            None => None,
        };
        Ok(Self {
            short: Detector::new(Model::load_from(&rt, dir, SHORT_RANGE)?, DetectorKind::ShortRange),
            back: Detector::new(Model::load_from(&rt, dir, BACK_256)?, DetectorKind::Back256),
            mesh: FaceMesh::new(Model::load_from(&rt, dir, FACE_LANDMARK)?),
            embedder: Embedder::new(Model::load_from(
                &rt,
                dir,
                if config.int8_embedding {
                    FACE_EMBEDDING_INT8
                } else {
                    FACE_EMBEDDING
                },
            )?),
            antispoof,
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &FaceEngineConfig {
        &self.config
    }

    /// Detect faces: the short-range model, and the 256 px model when it finds none.
    pub fn detect(&self, img: &RgbImage) -> Result<Vec<Detection>, FaceError> {
        let t = self.config.detection_threshold;
        let found = self.short.detect(img, t, 0.3)?;
        if !found.is_empty() {
            return Ok(found);
        }
        Ok(self.back.detect(img, t, 0.3)?)
    }

    /// Detect small faces too: the 256 px model over the whole image and over overlapping
    /// tiles (for the portrait on a card held in a selfie). Merged by NMS, strongest first,
    /// and confirmed by the face mesh's presence score.
    pub fn detect_small(&self, img: &RgbImage) -> Result<Vec<Detection>, FaceError> {
        self.detect_small_until(img, usize::MAX)
    }

    /// [`FaceEngine::detect_small`], skipping the tiles when the whole-image passes already
    /// found (and the mesh confirmed) `enough` faces.
    pub fn detect_small_until(&self, img: &RgbImage, enough: usize) -> Result<Vec<Detection>, FaceError> {
        let t = self.config.detection_threshold;
        let mut whole = self.short.detect(img, t, 0.3)?;
        whole.extend(self.back.detect(img, t, 0.3)?);
        // The mesh's verdict per box, so that a box kept in both merges is checked once.
        let mut checked = Vec::new();
        let found = self.merge_confirmed(img, whole.clone(), &mut checked)?;
        if found.len() >= enough {
            return Ok(found);
        }
        let mut all = whole;
        let (w, h) = img.dimensions();
        let tile = (w.min(h) / 2).max(64);
        let step = (tile / 2).max(1);
        let mut y = 0;
        while y + tile <= h {
            let mut x = 0;
            while x + tile <= w {
                let sub = image::imageops::crop_imm(img, x, y, tile, tile).to_image();
                for mut d in self.back.detect(&sub, t, 0.3)? {
                    for v in [0, 2] {
                        d.bbox[v] += x as f32;
                        d.bbox[v + 1] += y as f32;
                    }
                    for k in &mut d.keypoints {
                        k[0] += x as f32;
                        k[1] += y as f32;
                    }
                    all.push(d);
                }
                x += step;
            }
            y += step;
        }
        self.merge_confirmed(img, all, &mut checked)
    }

    /// Merge detections by NMS (strongest first; boxes mostly inside a kept box dropped) and
    /// keep those the face mesh confirms as faces (`checked` remembers the mesh's verdict per
    /// box across calls).
    fn merge_confirmed(
        &self,
        img: &RgbImage,
        mut all: Vec<Detection>,
        checked: &mut Vec<([f32; 4], bool)>,
    ) -> Result<Vec<Detection>, FaceError> {
        all.sort_by(|a, b| b.score.total_cmp(&a.score));
        let mut kept: Vec<Detection> = Vec::new();
        for d in all {
            // Drop duplicates, and boxes mostly inside a kept box (a tile's partial view).
            let contained = |k: &Detection| {
                let ix = (k.bbox[2].min(d.bbox[2]) - k.bbox[0].max(d.bbox[0])).max(0.0);
                let iy = (k.bbox[3].min(d.bbox[3]) - k.bbox[1].max(d.bbox[1])).max(0.0);
                ix * iy > 0.6 * d.area().min(k.area())
            };
            if kept.iter().all(|k| iou(&k.bbox, &d.bbox) < 0.3 && !contained(k)) {
                kept.push(d);
            }
        }
        // Tiles see many small patches: keep only what the face mesh confirms as a face.
        let mut faces = Vec::with_capacity(kept.len());
        for d in kept {
            let face = match checked.iter().find(|c| c.0 == d.bbox) {
                Some(c) => c.1,
                None => {
                    let face = self.mesh.landmarks(img, &d)?.presence >= 0.5;
                    checked.push((d.bbox, face));
                    face
                }
            };
            if face {
                faces.push(d);
            }
        }
        Ok(faces)
    }

    fn analyse_face(&self, img: &RgbImage, det: &Detection) -> Result<FaceAnalysis, FaceError> {
        let landmarks = self.mesh.landmarks(img, det)?;
        let measures = landmarks.measures();
        let (quality, issues) = assess(img, det, Some(&measures), &self.config.quality);
        Ok(FaceAnalysis {
            detection: det.clone(),
            landmarks,
            measures,
            quality,
            issues,
        })
    }

    /// Analyse a frame: detections, and the largest face measured and judged.
    pub fn analyze(&self, img: &RgbImage) -> Result<FrameAnalysis, FaceError> {
        let detections = self.detect(img)?;
        let primary_det = detections.iter().max_by(|a, b| a.area().total_cmp(&b.area())).cloned();
        let primary = match &primary_det {
            Some(d) => Some(self.analyse_face(img, d)?),
            None => None,
        };
        let mut faces = Vec::with_capacity(detections.len());
        if let Some(main) = &primary_det {
            faces.push(main.clone());
            faces.extend(self.other_people(img, &detections, main)?);
        }
        let scene_luma = scene_luminance(img, primary.as_ref());
        let mut issues = Vec::new();
        match faces.len() {
            0 => issues.push(QualityIssue::NoFace),
            1 => {}
            _ => issues.push(QualityIssue::SeveralFaces),
        }
        if let Some(p) = &primary {
            if p.landmarks.presence < 0.5 {
                issues.push(QualityIssue::NoFace);
            }
            issues.extend(p.issues.iter().copied());
        }
        Ok(FrameAnalysis {
            faces,
            frame_width: img.width(),
            scene_luma,
            frame_hash: frame_hash(img),
            primary,
            issues,
        })
    }

    /// Detections other than `main` that count as people: the mesh sees a face there, it is
    /// not tiny beside the main face, and it is not the main face itself.
    pub fn other_people(
        &self,
        img: &RgbImage,
        detections: &[Detection],
        main: &Detection,
    ) -> Result<Vec<Detection>, FaceError> {
        let mut others = Vec::new();
        for d in detections {
            if iou(&d.bbox, &main.bbox) > 0.3 || d.width() < 0.25 * main.width() {
                continue;
            }
            if self.mesh.landmarks(img, d)?.presence >= 0.5 {
                others.push(d.clone());
            }
        }
        Ok(others)
    }

    /// Analyse a frame by tracking: the face mesh on the region of the previous frame's
    /// landmarks, without the detector (`None` when the mesh no longer sees a face there;
    /// run [`FaceEngine::analyze`] then). Other people are not looked for: callers detect
    /// every few frames.
    pub fn analyze_tracked(&self, img: &RgbImage, previous: &Landmarks) -> Result<Option<FrameAnalysis>, FaceError> {
        let Some(det) = previous.to_detection() else {
            return Ok(None);
        };
        let face = self.analyse_face(img, &det)?;
        if face.landmarks.presence < 0.5 {
            return Ok(None);
        }
        let issues = face.issues.clone();
        let scene_luma = scene_luminance(img, Some(&face));
        Ok(Some(FrameAnalysis {
            faces: vec![det],
            frame_width: img.width(),
            scene_luma,
            frame_hash: frame_hash(img),
            primary: Some(face),
            issues,
        }))
    }

    /// The template of the single, good-quality face in `img` (framing is not judged: see
    /// [`QualityIssue::is_framing`]).
    pub fn template(&self, img: &RgbImage) -> Result<FaceTemplate, FaceError> {
        let a = self.analyze(img)?;
        let blocking: Vec<QualityIssue> = a.issues.iter().copied().filter(|i| !i.is_framing()).collect();
        match a.primary {
            Some(p) if blocking.is_empty() => Ok(self.embedder.embed(img, &p.landmarks)?),
            _ => Err(FaceError::Quality(blocking)),
        }
    }

    /// Landmarks of a detected face.
    pub fn landmarks(&self, img: &RgbImage, det: &Detection) -> Result<Landmarks, FaceError> {
        Ok(self.mesh.landmarks(img, det)?)
    }

    /// The template of a face from its landmarks (no quality gate).
    pub fn embed_landmarks(&self, img: &RgbImage, lm: &Landmarks) -> Result<FaceTemplate, FaceError> {
        Ok(self.embedder.embed(img, lm)?)
    }

    /// The aligned face chip of an analysed face as bytes (67 KiB), to embed later with
    /// [`FaceEngine::embed_chips`].
    pub fn face_chip(&self, img: &RgbImage, face: &FaceAnalysis) -> Vec<u8> {
        crate::embed::Embedder::chip(img, &face.landmarks)
            .into_iter()
            .map(|v| v.round().clamp(0.0, 255.0) as u8)
            .collect()
    }

    /// The templates of chips from [`FaceEngine::face_chip`], in one batched run.
    pub fn embed_chips(&self, chips: &[Vec<u8>]) -> Result<Vec<FaceTemplate>, FaceError> {
        Ok(self.embedder.embed_chips(chips)?)
    }

    /// The template of an analysed face (no quality gate).
    pub fn embed(&self, img: &RgbImage, face: &FaceAnalysis) -> Result<FaceTemplate, FaceError> {
        Ok(self.embedder.embed(img, &face.landmarks)?)
    }

    /// Compare two templates at the configured threshold.
    pub fn compare(&self, enrolled: &FaceTemplate, probe: &FaceTemplate) -> Comparison {
        let distance = enrolled.distance(probe);
        Comparison {
            distance,
            decision: if distance < self.config.match_threshold {
                MatchDecision::Match
            } else {
                MatchDecision::NoMatch
            },
        }
    }

    /// Compare a live face's template with an authoritative reference portrait (the card
    /// photo store, the police photo check, the counter photo) at the portrait threshold.
    /// The portrait must hold one usable face.
    pub fn compare_with_portrait(&self, live: &FaceTemplate, portrait: &RgbImage) -> Result<Comparison, FaceError> {
        let reference = self.template(portrait)?;
        let distance = reference.distance(live);
        Ok(Comparison {
            distance,
            decision: if distance < self.config.portrait_match_threshold {
                MatchDecision::Match
            } else {
                MatchDecision::NoMatch
            },
        })
    }

    /// Whether a passive anti-spoof model is loaded.
    pub fn has_antispoof(&self) -> bool {
        self.antispoof.is_some()
    }

    /// Passive anti-spoof probability that the face is real (0..1), when a model is
    /// configured.
    pub fn antispoof_score(&self, img: &RgbImage, det: &Detection) -> Result<Option<f32>, FaceError> {
        match &self.antispoof {
            Some(a) => Ok(Some(a.score(img, det)?)),
            None => Ok(None),
        }
    }

    /// Automatic enrollment review (seed 000 §三.(二)): identity card front (portrait found
    /// and upscaled), card back present, and a selfie holding the card — one live face
    /// and the card portrait in sane proportion, light and sharpness good, the live face
    /// matching the card portrait. Images are not kept.
    pub fn review_enrollment(
        &self,
        card_front: &RgbImage,
        card_back: &RgbImage,
        selfie: &RgbImage,
    ) -> Result<EnrollmentReview, FaceError> {
        let mut issues: Vec<ReviewIssue> = Vec::new();
        let push = |issues: &mut Vec<ReviewIssue>, i: ReviewIssue| {
            if !issues.contains(&i) {
                issues.push(i);
            }
        };
        // Card front: exactly one portrait, upscaled, measured, embedded.
        let card_template = match self.card_portrait_template(card_front)? {
            Some(t) => Some(t),
            None => {
                push(&mut issues, ReviewIssue::CardUnreadable);
                None
            }
        };
        // Card back: a readable picture with no face on it.
        let whole = [0.0, 0.0, card_back.width() as f32, card_back.height() as f32];
        let lum = mean_luminance(card_back, &whole);
        if lum < self.config.quality.min_luminance
            || lum > self.config.quality.max_luminance
            || sharpness(card_back, &whole) < self.config.quality.min_sharpness / 4.0
            || !self.detect(card_back)?.is_empty()
        {
            push(&mut issues, ReviewIssue::CardUnreadable);
        }
        // Selfie with card: the largest face is the live one; the card portrait is another,
        // smaller face; nothing else.
        // The live face and the card portrait: tiles only when the whole image shows fewer.
        let faces = self.detect_small_until(selfie, 2)?;
        let mut by_size = faces.clone();
        by_size.sort_by(|a, b| b.area().total_cmp(&a.area()));
        let mut template = None;
        let mut portrait_distance = None;
        match by_size.as_slice() {
            [] => push(&mut issues, ReviewIssue::NoFace),
            [_] => push(&mut issues, ReviewIssue::CardUnreadable),
            [live, portrait, rest @ ..] => {
                if !rest.is_empty() {
                    push(&mut issues, ReviewIssue::SeveralFaces);
                }
                let ratio = portrait.height() / live.height().max(1.0);
                if !(0.08..=0.7).contains(&ratio) {
                    push(&mut issues, ReviewIssue::BadProportion);
                }
                let live_a = self.analyse_face(selfie, live)?;
                // Size and position are judged by the proportion rule for this photo.
                for q in live_a.issues.iter().filter(|q| !q.is_framing()) {
                    push(&mut issues, quality_to_review(*q));
                }
                let live_t = self.embed(selfie, &live_a)?;
                if let Some(card_t) = &card_template {
                    let d = live_t.distance(card_t);
                    portrait_distance = Some(d);
                    if d >= self.config.card_match_threshold {
                        push(&mut issues, ReviewIssue::FaceMismatch);
                    }
                }
                template = Some(live_t);
            }
        }
        Ok(EnrollmentReview {
            template: if issues.is_empty() { template } else { None },
            issues,
            portrait_distance,
        })
    }

    /// Find the single portrait on a card image, upscale it, and embed it.
    pub fn card_portrait_template(&self, card: &RgbImage) -> Result<Option<FaceTemplate>, FaceError> {
        let faces = self.detect_small_until(card, 1)?;
        let [face] = faces.as_slice() else { return Ok(None) };
        // Upscale a square region of twice the face box to 384 px, then analyse there.
        let (cx, cy) = face.centre();
        let side = f64::from(face.width().max(face.height()) * 2.2);
        let s = 384.0 / side;
        let m = [
            [s, 0.0, -(f64::from(cx) - side / 2.0) * s],
            [0.0, s, -(f64::from(cy) - side / 2.0) * s],
        ];
        let raw = warp_affine(card, &m, 384, 384, Border::Replicate);
        let up = RgbImage::from_raw(
            384,
            384,
            raw.iter().map(|v| v.round().clamp(0.0, 255.0) as u8).collect(),
        )
        .unwrap_or_default();
        let dets = self.short.detect(&up, self.config.detection_threshold, 0.3)?;
        let Some(d) = dets.first() else { return Ok(None) };
        let lm = self.mesh.landmarks(&up, d)?;
        if lm.presence < 0.5 {
            return Ok(None);
        }
        Ok(Some(self.embedder.embed(&up, &lm)?))
    }
}
