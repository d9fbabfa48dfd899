//! UniFFI bindings of certify for Kotlin, Swift and Python (proc-macros, library mode).
//!
//! Thin: conversion and error mapping only. Errors are one exception type carrying the
//! stable numeric code of the one status table (`certify_bridge::CertifyStatus`, as the C
//! API), a message, and the code's Chinese text for the person.

use certify_bridge::results::Results as _;
use certify_bridge::{CertifyStatus, ToStatus, engines as bridge};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

mod engine_calls;
pub use engine_calls::{EnrollmentReview, PhotoCheck, PhotoIssue};

uniffi::setup_scaffolding!("certify");

/// Every error crossing the boundary: the C API's status code and a message.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum CertifyError {
    /// A certify error.
    #[error("[{code}] {detail}")]
    Failed {
        /// The stable numeric code (same table as the C API).
        code: u32,
        /// What went wrong (`detail`, since `message` is taken by the exception types of
        /// Kotlin and Swift).
        detail: String,
        /// What to show the person, in Chinese: what went wrong and what to do next.
        detail_zh: String,
        /// The stable codes of what exactly went wrong, where known (each problem of an
        /// unusable photo: "too_dark", "eyes_closed" …); empty otherwise.
        reasons: Vec<String>,
    },
}

fn fail(status: CertifyStatus, message: impl std::fmt::Display) -> CertifyError {
    bridged(bridge::Fail::new(status, message.to_string()))
}

fn from<E: ToStatus + std::fmt::Display>(e: E) -> CertifyError {
    bridged(bridge::Fail::of(e))
}

fn bridged(failure: bridge::Fail) -> CertifyError {
    CertifyError::Failed {
        code: failure.status as u32,
        detail: failure.message,
        detail_zh: failure.advice_zh,
        reasons: failure.reasons,
    }
}

/// The English message of a status code (as `certify_status_message` in C).
#[uniffi::export]
pub fn status_message(code: u32) -> String {
    certify_bridge::status::english_of(code).to_owned()
}

/// The Chinese message of a status code (as `certify_status_message_zh` in C): what went
/// wrong and what to do next.
#[uniffi::export]
pub fn status_message_zh(code: u32) -> String {
    certify_bridge::status::chinese_of(code).to_owned()
}

/// Every status code of the table (for the "each language maps each code" check).
#[uniffi::export]
pub fn all_status_codes() -> Vec<u32> {
    CertifyStatus::ALL.iter().map(|s| *s as u32).collect()
}

/// What a valid identity number says.
#[derive(Debug, Clone, uniffi::Record)]
pub struct IdInfo {
    /// 18-character number.
    pub normalized: String,
    /// YYYY-MM-DD.
    pub birth_date: String,
    /// "male" or "female".
    pub sex: String,
    /// Division code.
    pub region_code: String,
    /// Division name, when known.
    pub region_name: Option<String>,
    /// "resident_card", "hong_kong_permit", "macau_permit", "taiwan_permit".
    pub kind: String,
}

/// Validate an identity number (GB 11643-1999).
#[uniffi::export]
pub fn id_check(input: String) -> Result<IdInfo, CertifyError> {
    let id = certify_bridge::checks::id_check(&input).map_err(bridged)?;
    Ok(IdInfo {
        sex: id.sex_name().into(),
        kind: id.kind_name().into(),
        normalized: id.normalized,
        birth_date: id.birth_date,
        region_code: id.region_code,
        region_name: id.region_name,
    })
}

/// Whether two names are the same name written differently.
#[uniffi::export]
pub fn name_matches(a: String, b: String) -> Result<bool, CertifyError> {
    certify_bridge::checks::names_match(&a, &b).map_err(bridged)
}

/// Certification status on a day (the bridge's one shape: `certify_bridge::checks::CycleInfo`).
#[derive(Debug, Clone, uniffi::Record)]
pub struct CycleStatusInfo {
    /// "certified", "due", "overdue" or "suspended".
    pub status: String,
    /// Certified: the certification date; due or overdue: the deadline (YYYY-MM-DD); none
    /// when suspended.
    pub date: Option<String>,
    /// Due and in the warning period.
    pub warning: bool,
    /// Overdue or suspended: the first unpaid month (YYYY-MM).
    pub suspend_from: Option<String>,
}

/// Status under a cycle policy given as JSON, on `today` (YYYY-MM-DD), from the last
/// certification date (None: never) and the pension start (YYYY-MM).
#[uniffi::export]
pub fn cycle_status(
    policy_json: String,
    last_certified: Option<String>,
    pension_start: String,
    today: String,
) -> Result<CycleStatusInfo, CertifyError> {
    let c = certify_bridge::checks::cycle_status(&policy_json, last_certified.as_deref(), &pension_start, &today)
        .map_err(bridged)?;
    Ok(CycleStatusInfo {
        status: c.status.name().into(),
        date: c.date,
        warning: c.warning,
        suspend_from: c.suspend_from,
    })
}

/// A 1:1 comparison: of two templates at the engine's match threshold, or of a live
/// template with a reference portrait at the portrait threshold.
#[derive(Debug, Clone, uniffi::Record)]
pub struct FaceComparison {
    /// Euclidean distance (never negative).
    pub distance: f32,
    /// The threshold the decision used.
    pub threshold: f32,
    /// The distance is below the threshold: the same person.
    pub same_person: bool,
}

/// The face engine (thread-safe).
#[derive(uniffi::Object)]
pub struct FaceEngine(Arc<certify_face::FaceEngine>);

#[uniffi::export]
impl FaceEngine {
    /// Load models from `models_dir`; ONNX Runtime from `runtime_library` (None: the
    /// `ORT_DYLIB_PATH` setting, then `.deps/onnxruntime`).
    #[uniffi::constructor]
    pub fn new(models_dir: String, runtime_library: Option<String>) -> Result<Self, CertifyError> {
        Self::with_options(models_dir, runtime_library, None)
    }

    /// Load with options JSON (every member optional): `{"antispoof": "human_antispoof" |
    /// "human_liveness", "antispoof_dir": "<MiniFASNet folder>", "antispoof_threshold": 0.5,
    /// "match_threshold": 0.5}`.
    #[uniffi::constructor]
    pub fn with_options(
        models_dir: String,
        runtime_library: Option<String>,
        options_json: Option<String>,
    ) -> Result<Self, CertifyError> {
        let config =
            bridge::face_config(&models_dir, runtime_library.as_deref(), options_json.as_deref()).map_err(bridged)?;
        Ok(Self(Arc::new(certify_face::FaceEngine::load(config).map_err(from)?)))
    }

    /// Load with typed options (every field optional; see [`FaceEngineOptions`]).
    #[uniffi::constructor]
    pub fn with_settings(
        models_dir: String,
        runtime_library: Option<String>,
        options: FaceEngineOptions,
    ) -> Result<Self, CertifyError> {
        let config =
            bridge::face_config_with(&models_dir, runtime_library.as_deref(), options.into()).map_err(bridged)?;
        Ok(Self(Arc::new(certify_face::FaceEngine::load(config).map_err(from)?)))
    }

    /// Load the models from memory: file name → bytes (Android assets, an iOS bundle; the
    /// shipped `SHA256SUMS` among them is checked too), with typed options.
    #[uniffi::constructor]
    pub fn from_model_files(
        files: HashMap<String, Vec<u8>>,
        runtime_library: Option<String>,
        options: FaceEngineOptions,
    ) -> Result<Self, CertifyError> {
        let bundle = certify_face::runtime::ModelBundle::from_files(files).map_err(from)?;
        let mut config = bridge::face_config_with("", runtime_library.as_deref(), options.into()).map_err(bridged)?;
        config.model_bundle = Some(Arc::new(bundle));
        Ok(Self(Arc::new(certify_face::FaceEngine::load(config).map_err(from)?)))
    }

    /// Whether a passive anti-spoof model is loaded.
    pub fn has_antispoof(&self) -> bool {
        self.0.has_antispoof()
    }

    /// The thresholds in force: same person, authority portrait, card portrait, anti-spoof.
    pub fn thresholds(&self) -> FaceThresholds {
        let c = self.0.config();
        FaceThresholds {
            match_threshold: c.match_threshold,
            portrait_match_threshold: c.portrait_match_threshold,
            card_match_threshold: c.card_match_threshold,
            antispoof_threshold: c.antispoof_threshold,
        }
    }

    /// Start a liveness session: 2–3 random actions drawn with the OS random generator, at
    /// `now_unix` (None: the system clock).
    #[uniffi::method(default(now_unix = None))]
    pub fn start_liveness(&self, now_unix: Option<i64>) -> Result<Arc<LivenessRun>, CertifyError> {
        self.liveness_with(None, now_unix)
    }

    /// Start a liveness session for given actions ("shake_head", "open_mouth", "blink",
    /// "nod"), e.g. when the server drew the challenge; an empty list asks for silent mode
    /// (needs an anti-spoof model: error 621 otherwise).
    #[uniffi::method(default(now_unix = None))]
    pub fn start_liveness_with_actions(
        &self,
        actions: Vec<String>,
        now_unix: Option<i64>,
    ) -> Result<Arc<LivenessRun>, CertifyError> {
        let actions = bridge::parse_actions(&actions).map_err(bridged)?;
        self.liveness_with(Some(actions), now_unix)
    }
}

/// A passive anti-spoof model shipped in `models/` (MANIFEST.md says where each comes from).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum AntispoofModel {
    /// `human_antispoof_128.onnx`.
    HumanAntispoof,
    /// `human_liveness_32.onnx`.
    HumanLiveness,
}

impl AntispoofModel {
    fn name(self) -> &'static str {
        match self {
            AntispoofModel::HumanAntispoof => "human_antispoof",
            AntispoofModel::HumanLiveness => "human_liveness",
        }
    }
}

/// Face engine options; `None` keeps the engine's default.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct FaceEngineOptions {
    /// A shipped anti-spoof model (off by default; silent liveness needs one).
    #[uniffi(default = None)]
    pub antispoof: Option<AntispoofModel>,
    /// A folder with user-supplied MiniFASNet models (takes precedence).
    #[uniffi(default = None)]
    pub antispoof_dir: Option<String>,
    /// Probability of a real face below which a run fails (0..1).
    #[uniffi(default = None)]
    pub antispoof_threshold: Option<f32>,
    /// Same-person distance threshold.
    #[uniffi(default = None)]
    pub match_threshold: Option<f32>,
    /// Distance threshold against an authority's portrait.
    #[uniffi(default = None)]
    pub portrait_match_threshold: Option<f32>,
    /// Distance threshold against the card portrait in a selfie.
    #[uniffi(default = None)]
    pub card_match_threshold: Option<f32>,
    /// The int8 embedding model (its templates are not comparable with float32 ones).
    #[uniffi(default = None)]
    pub int8_embedding: Option<bool>,
}

impl From<FaceEngineOptions> for bridge::FaceOptions {
    fn from(o: FaceEngineOptions) -> Self {
        bridge::FaceOptions {
            antispoof: o.antispoof.map(|m| m.name().to_owned()),
            antispoof_dir: o.antispoof_dir,
            antispoof_threshold: o.antispoof_threshold,
            match_threshold: o.match_threshold,
            portrait_match_threshold: o.portrait_match_threshold,
            card_match_threshold: o.card_match_threshold,
            int8_embedding: o.int8_embedding,
        }
    }
}

/// The thresholds an engine decides at.
#[derive(Debug, Clone, uniffi::Record)]
pub struct FaceThresholds {
    /// Same person below this distance.
    pub match_threshold: f32,
    /// Authority portrait: same person below this distance.
    pub portrait_match_threshold: f32,
    /// Card portrait in a selfie: same person below this distance.
    pub card_match_threshold: f32,
    /// A real face at or above this anti-spoof probability.
    pub antispoof_threshold: f32,
}

impl FaceEngine {
    fn liveness_with(
        &self,
        actions: Option<Vec<certify_core::liveness::Action>>,
        now_unix: Option<i64>,
    ) -> Result<Arc<LivenessRun>, CertifyError> {
        let run =
            bridge::start_liveness(Arc::clone(&self.0), actions, bridge::now_or_system(now_unix)).map_err(bridged)?;
        let run = Some(run);
        Ok(Arc::new(LivenessRun {
            actions: bridge::liveness_actions(&run).map_err(bridged)?,
            run: Mutex::new(run),
        }))
    }
}

/// A liveness session fed frame by frame (JPEG/PNG bytes with milliseconds since start).
#[derive(uniffi::Object)]
pub struct LivenessRun {
    actions: Vec<String>,
    run: Mutex<bridge::LivenessSlot<Arc<certify_face::FaceEngine>>>,
}

/// Layout of a raw camera frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FrameFormat {
    /// Android's camera default: the Y plane, then interleaved V/U at half resolution.
    Nv21,
    /// 4 bytes per pixel, R G B A.
    Rgba,
}

/// A raw camera frame.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CameraFrame {
    /// The pixels.
    pub data: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes per row (of the Y plane for NV21).
    pub stride: u32,
    /// The layout.
    pub format: FrameFormat,
    /// Clockwise degrees that make the frame upright: 0, 90, 180 or 270.
    pub rotation_degrees: u32,
}

impl CameraFrame {
    fn view(&self) -> bridge::CameraFrame<'_> {
        bridge::CameraFrame {
            data: &self.data,
            width: self.width,
            height: self.height,
            stride: self.stride,
            format: match self.format {
                FrameFormat::Nv21 => "nv21",
                FrameFormat::Rgba => "rgba",
            },
            rotation_degrees: self.rotation_degrees,
        }
    }
}

/// What one frame did to a liveness session.
#[derive(Debug, Clone, uniffi::Record)]
pub struct LivenessStep {
    /// "in_progress", "face_missing", "action_done", "passed", or a failure ("face_lost",
    /// "wrong_action", "timed_out", "discontinuous", "frame_gap", "frozen", "flat_face",
    /// "too_few_frames", "run_expired", "no_sign_of_life").
    pub event: String,
    /// The action asked for now ("shake_head", "open_mouth", "blink", "nod"), if any.
    pub action: Option<String>,
    /// The failure's reason code (`None` while running or passed).
    pub reason: Option<String>,
    /// What to tell the person, Chinese (the next step, or what to do after a failure).
    pub advice_zh: String,
    /// The same in English.
    pub advice_en: String,
}

impl From<bridge::LivenessStep> for LivenessStep {
    fn from(s: bridge::LivenessStep) -> Self {
        Self {
            event: s.event.name().to_owned(),
            action: s.event.next_action().map(|a| bridge::variant_name(&a)),
            reason: s.reason,
            advice_zh: s.advice_zh,
            advice_en: s.advice_en,
        }
    }
}

/// The result of a liveness session and the 1:1 match.
#[derive(Debug, Clone, uniffi::Record)]
pub struct FaceDecision {
    /// Everything passed.
    pub passed: bool,
    /// Why not ("discontinuous", "flat_face", "identity_changed", "spoof_suspected",
    /// "face_mismatch", …), `None` when passed.
    pub reason: Option<String>,
    /// What to tell the person, Chinese first.
    pub advice_zh: String,
    /// The same in English.
    pub advice_en: String,
    /// The liveness run passed (actions, or silent signs of life, continuously).
    pub liveness_passed: bool,
    /// "actions" or "silent".
    pub mode: String,
    /// Frames with a face.
    pub frames: u32,
    /// 3-D parallax at the largest head movement.
    pub parallax: Option<f32>,
    /// Every sampled frame showed the same person.
    pub identity_consistent: bool,
    /// Distance of the best frame to the template, when matched.
    pub distance: Option<f32>,
    /// The best frame matched the template, when matched.
    pub same_person: Option<bool>,
    /// Passive anti-spoof probability of a real face, when a model is configured.
    pub antispoof: Option<f32>,
    /// The anti-spoof threshold.
    pub antispoof_threshold: f32,
}

impl From<bridge::LivenessResult> for FaceDecision {
    fn from(d: bridge::LivenessResult) -> Self {
        Self {
            passed: d.passed,
            reason: d.reason,
            advice_zh: d.advice_zh,
            advice_en: d.advice_en,
            liveness_passed: d.liveness_passed,
            mode: d.mode,
            frames: d.frames,
            parallax: d.parallax,
            identity_consistent: d.identity_consistent,
            distance: d.distance,
            same_person: d.same_person,
            antispoof: d.antispoof,
            antispoof_threshold: d.antispoof_threshold,
        }
    }
}

#[uniffi::export]
impl LivenessRun {
    /// The actions asked for, in order.
    pub fn actions(&self) -> Vec<String> {
        self.actions.clone()
    }
}

/// Five enrollment prompts of 8 digits, every digit at least 3 times (OS random generator).
#[uniffi::export]
pub fn voice_enrollment_prompts() -> Vec<String> {
    bridge::voice_prompts(None)
}

/// A certification prompt that is none of the enrollment prompts.
#[uniffi::export]
pub fn voice_verification_prompt(enrollment_prompts: Vec<String>) -> String {
    bridge::voice_prompts(Some(&enrollment_prompts)).remove(0)
}

/// One enrollment recording.
#[derive(Debug, Clone, uniffi::Record)]
pub struct VoiceRecording {
    /// WAV bytes.
    pub wav: Vec<u8>,
    /// The prompt that was read.
    pub prompt: String,
}

/// The result of a voice enrollment.
#[derive(Debug, Clone, uniffi::Record)]
pub struct VoiceEnrollmentResult {
    /// The template (JSON) to store apart from identity, when every recording was usable.
    pub template_json: Option<String>,
    /// Per recording, its problems ("too_quiet", "wrong_digits" …): re-prompt those.
    pub issues: Vec<Vec<String>>,
    /// Per recording, what to tell the person about each problem, in Chinese.
    pub advice_zh: Vec<Vec<String>>,
}

/// A voice certification decision.
#[derive(Debug, Clone, uniffi::Record)]
pub struct VoiceDecisionInfo {
    /// Speaker and digits passed.
    pub passed: bool,
    /// Same speaker at the threshold.
    pub same_speaker: bool,
    /// Cosine similarity to the template.
    pub speaker_score: f32,
    /// The score normalised against a cohort (`verify_with_cohort`), which then decided
    /// `same_speaker`; absent without one.
    pub speaker_normalized: Option<f32>,
    /// Digits heard.
    pub digits_heard: String,
    /// Recording problems.
    pub issues: Vec<String>,
    /// What to tell the person about each problem, in Chinese ("周围太吵，请到安静处").
    pub advice_zh: Vec<String>,
}

/// The voice engine (thread-safe).
#[derive(uniffi::Object)]
pub struct VoiceEngine(certify_voice::VoiceEngine);

#[uniffi::export]
impl VoiceEngine {
    /// Load models from `models_dir`; ONNX Runtime from `runtime_library` (None: default search).
    #[uniffi::constructor]
    pub fn new(models_dir: String, runtime_library: Option<String>) -> Result<Self, CertifyError> {
        let mut config = certify_voice::VoiceEngineConfig::new(models_dir);
        config.runtime_library = runtime_library.map(PathBuf::from);
        certify_voice::VoiceEngine::load(config).map(Self).map_err(from)
    }

    /// Load the models from memory: file name → bytes (Android assets, an iOS bundle; the
    /// shipped `SHA256SUMS` among them is checked too).
    #[uniffi::constructor]
    pub fn from_model_files(
        files: HashMap<String, Vec<u8>>,
        runtime_library: Option<String>,
    ) -> Result<Self, CertifyError> {
        let bundle = certify_face::runtime::ModelBundle::from_files(files).map_err(from)?;
        let mut config = certify_voice::VoiceEngineConfig::from_bundle(bundle);
        config.runtime_library = runtime_library.map(PathBuf::from);
        certify_voice::VoiceEngine::load(config).map(Self).map_err(from)
    }
}

/// Issue a single-use challenge for a face or voice certification of `subject_id`
/// (`modality`: "face" or "voice"), valid for `ttl_seconds` from `now_unix` (None: the
/// clock); returned as JSON for the host to keep until the evidence arrives.
#[uniffi::export(default(now_unix = None))]
pub fn issue_challenge(
    subject_id: String,
    modality: String,
    ttl_seconds: i64,
    now_unix: Option<i64>,
) -> Result<String, CertifyError> {
    bridge::issue_challenge(&subject_id, &modality, ttl_seconds, bridge::now_or_system(now_unix))
        .map(|ch| ch.to_json())
        .map_err(bridged)
}

/// Signs certification outcomes on the device (Ed25519).
#[derive(uniffi::Object)]
pub struct EvidenceSigner(certify_core::evidence::EvidenceSigner);

#[uniffi::export]
impl EvidenceSigner {
    /// A new key from the OS random generator.
    #[uniffi::constructor]
    pub fn generate() -> Self {
        Self(certify_core::evidence::EvidenceSigner::generate(&mut bridge::os_rng()))
    }
}

/// What verified evidence says.
#[derive(Debug, Clone, uniffi::Record)]
pub struct EvidenceInfo {
    /// Whose biometrics.
    pub subject_id: String,
    /// Who operated the device.
    pub operator_id: String,
    /// Liveness and match passed.
    pub passed: bool,
    /// The engine's score × 1000.
    pub score_milli: i32,
    /// The verified claims as JSON: the `evidence` of the `certification.by_app` operation.
    pub claims_json: String,
}

/// Verifies evidence on the server; each token is accepted once per verifier.
#[derive(uniffi::Object)]
pub struct EvidenceVerifier(bridge::OnceVerifier);

#[uniffi::export]
impl EvidenceVerifier {
    /// From the signer's 32-byte public key.
    #[uniffi::constructor]
    pub fn new(public_key: Vec<u8>) -> Result<Self, CertifyError> {
        bridge::OnceVerifier::from_key(&public_key).map(Self).map_err(bridged)
    }
}

/// Run a whole-flow operation on the host's stored state (see `certify_bridge::ops`): `op` such
/// as "account.register", `request_json` its JSON object, `now_unix` the time (None: the
/// system clock). Returns the response JSON; a refusal by the rules is its `"refused"`
/// member, with the new state to store. Throws `CertifyError` (104, 105) when the request
/// cannot be processed.
#[uniffi::export(default(now_unix = None))]
pub fn call(op: String, request_json: String, now_unix: Option<i64>) -> Result<String, CertifyError> {
    certify_bridge::ops::call(
        &op,
        &request_json,
        bridge::now_or_system(now_unix),
        &mut bridge::os_rng(),
    )
    .map_err(|f| fail(f.status, f.detail))
}

/// Every operation `call` knows.
#[uniffi::export]
pub fn operations() -> Vec<String> {
    certify_bridge::ops::OPERATIONS
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
}
