//! Conversions shared by the C, UniFFI and JNI bindings: the system clock, and the engines'
//! calls with their results as JSON values. No rules live here; each function calls one
//! engine or core function and converts its input and output.

use crate::{CertifyStatus, ToStatus};
use certify_core::biometric::{MatchDecision, Modality};
use certify_core::evidence::{
    Challenge, EvidenceClaims, EvidenceSigner, EvidenceToken, EvidenceVerifier, MemoryReplayGuard,
};
use certify_core::id::ResidentId;
use certify_core::liveness::{Action, LivenessChallenge, LivenessConfig, LivenessEvent, LivenessMode, LivenessSession};
use certify_core::time::Timestamp;
use certify_face::FaceEngine;
use certify_face::embed::FaceTemplate;
use certify_face::engine::LivenessRun;
use certify_voice::cohort::{CohortMembers, SpeakerCohort};
use certify_voice::{Audio, VoiceEngine, VoiceTemplate};

pub use crate::results::{
    EnrollmentReviewResult, FaceComparison, LivenessResult, LivenessStep, PhotoCheck, Results, VoiceEnrollmentResult,
    VoiceResult,
};
use rand_core::{CryptoRng, OsRng, RngCore};
use serde_json::Value;
use std::ops::Deref;

/// A failure: its status, a message for the host's logs (English), and what to tell the
/// person (Chinese).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fail {
    /// The status code.
    pub status: CertifyStatus,
    /// What went wrong, for the host (English; no personal data).
    pub message: String,
    /// What to tell the person, in Chinese: what went wrong and what to do next.
    pub advice_zh: String,
    /// The stable codes of what exactly went wrong, where known (`too_dark`): see
    /// [`ToStatus::reasons`].
    pub reasons: Vec<String>,
}

impl Fail {
    /// A failure with the status's own Chinese text.
    pub fn new(status: CertifyStatus, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            advice_zh: status.chinese().to_owned(),
            reasons: Vec::new(),
        }
    }

    /// The failure of any error of the status table: every binding's one conversion.
    pub fn of<E: ToStatus + std::fmt::Display>(e: E) -> Self {
        Self {
            status: e.status(),
            message: e.to_string(),
            advice_zh: e.advice_zh(),
            reasons: e.reasons().into_iter().map(str::to_owned).collect(),
        }
    }
}

fn fail<E: ToStatus + std::fmt::Display>(e: E) -> Fail {
    Fail::of(e)
}

fn invalid(message: impl Into<String>) -> Fail {
    Fail::new(CertifyStatus::InvalidArgument, message)
}

/// The wall clock, for bindings called without an explicit `now`.
pub fn system_now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Timestamp::from_unix_seconds(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// An explicit `now` (Unix seconds) or the wall clock.
pub fn now_or_system(now_unix: Option<i64>) -> Timestamp {
    now_unix.map_or_else(system_now, Timestamp::from_unix_seconds)
}

/// The OS random generator every binding uses.
pub fn os_rng() -> impl RngCore + CryptoRng {
    OsRng
}

/// The snake_case name of a serde unit variant (e.g. an action or an issue).
pub fn variant_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Parse action names ("shake_head", "open_mouth", "blink", "nod").
pub fn parse_actions<S: AsRef<str>>(names: &[S]) -> Result<Vec<Action>, Fail> {
    names
        .iter()
        .map(|a| {
            serde_json::from_value::<Action>(Value::String(a.as_ref().to_owned()))
                .map_err(|_| invalid(format!("unknown action {:?}", a.as_ref())))
        })
        .collect()
}

/// Face engine options every binding accepts as JSON (all optional):
/// `{"antispoof": "human_antispoof" | "human_liveness", "antispoof_dir": "<MiniFASNet folder>",
/// "antispoof_threshold": 0.5, "match_threshold": 0.5, "portrait_match_threshold": 0.5,
/// "card_match_threshold": 0.6, "int8_embedding": false}`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaceOptions {
    /// A shipped anti-spoof model (off by default; see the README's measurements).
    pub antispoof: Option<String>,
    /// A folder with the user-supplied MiniFASNet models (takes precedence).
    pub antispoof_dir: Option<String>,
    /// Probability of a real face below which a run fails.
    pub antispoof_threshold: Option<f32>,
    /// Same-person distance threshold.
    pub match_threshold: Option<f32>,
    /// Threshold against an authoritative reference portrait.
    pub portrait_match_threshold: Option<f32>,
    /// Threshold against a card portrait photographed by the client.
    pub card_match_threshold: Option<f32>,
    /// The int8 embedding model (its templates are not comparable with float32 ones).
    pub int8_embedding: Option<bool>,
}

/// The engine configuration for `models_dir`, a runtime library and options JSON (`None`
/// or empty: defaults).
pub fn face_config(
    models_dir: &str,
    runtime_library: Option<&str>,
    options_json: Option<&str>,
) -> Result<certify_face::FaceEngineConfig, Fail> {
    let options: FaceOptions = match options_json.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => serde_json::from_str(text).map_err(|e| Fail::new(CertifyStatus::JsonInvalid, e.to_string()))?,
        None => FaceOptions::default(),
    };
    face_config_with(models_dir, runtime_library, options)
}

/// The engine configuration for `models_dir`, a runtime library and typed options.
pub fn face_config_with(
    models_dir: &str,
    runtime_library: Option<&str>,
    options: FaceOptions,
) -> Result<certify_face::FaceEngineConfig, Fail> {
    let mut config = certify_face::FaceEngineConfig::new(models_dir);
    config.runtime_library = runtime_library.map(std::path::PathBuf::from);
    config.antispoof = match options.antispoof.as_deref() {
        None => None,
        Some(name) => Some(
            certify_face::antispoof::AntispoofKind::shipped(name)
                .ok_or_else(|| invalid(format!("unknown anti-spoof model {name:?}")))?,
        ),
    };
    config.antispoof_dir = options.antispoof_dir.map(std::path::PathBuf::from);
    config.int8_embedding = options.int8_embedding.unwrap_or(false);
    for (value, slot) in [
        (options.antispoof_threshold, &mut config.antispoof_threshold),
        (options.match_threshold, &mut config.match_threshold),
        (options.portrait_match_threshold, &mut config.portrait_match_threshold),
        (options.card_match_threshold, &mut config.card_match_threshold),
    ] {
        if let Some(v) = value {
            if !(0.0..=2.0).contains(&v) {
                return Err(invalid("thresholds are between 0 and 2"));
            }
            *slot = v;
        }
    }
    Ok(config)
}

/// A liveness run as the bindings hold it: the engine's run and the monotonic instant it
/// started, so that frames are timed by the library, not by the caller's word.
pub struct BoundRun<E: Deref<Target = FaceEngine>> {
    run: LivenessRun<E>,
    started: std::time::Instant,
}

/// A liveness run over a shared engine: random actions (`None`), the given ones (the server
/// drew the challenge), or silent mode (an empty list: no actions, natural blinks and the
/// anti-spoof model decide — refused with 621 when no anti-spoof model is configured).
pub fn start_liveness<E: Deref<Target = FaceEngine>>(
    engine: E,
    actions: Option<Vec<Action>>,
    now: Timestamp,
) -> Result<BoundRun<E>, Fail> {
    let mut rng = OsRng;
    let challenge = match actions {
        None => LivenessChallenge::draw(&mut rng, now),
        Some(actions) if actions.is_empty() => LivenessChallenge::silent(&mut rng, now),
        Some(actions) => {
            let mut nonce = [0u8; 16];
            rng.fill_bytes(&mut nonce);
            LivenessChallenge {
                actions,
                nonce,
                issued_at: now,
                mode: LivenessMode::Actions,
            }
        }
    };
    let run = LivenessRun::new(engine, LivenessSession::new(challenge, LivenessConfig::default())).map_err(fail)?;
    Ok(BoundRun {
        run,
        started: std::time::Instant::now(),
    })
}

/// The action names of a run, in order (empty in silent mode).
pub fn liveness_actions<E: Deref<Target = FaceEngine>>(slot: &LivenessSlot<E>) -> Result<Vec<String>, Fail> {
    let run = slot.as_ref().ok_or_else(session_finished)?;
    Ok(run.run.session().challenge().actions.iter().map(variant_name).collect())
}

/// An event as JSON ([`LivenessStep`]'s shape), for hosts that hand it on as JSON.
pub fn event_json(event: &LivenessEvent) -> Value {
    serde_json::to_value(LivenessStep::from(event)).unwrap_or(Value::Null)
}

/// A liveness session as every binding holds it: the run, until [`finish_liveness`] takes
/// it (later calls answer 106, `session_finished`).
pub type LivenessSlot<E> = Option<BoundRun<E>>;

/// What every call on a finished session answers (106).
fn session_finished() -> Fail {
    Fail::new(CertifyStatus::SessionFinished, "the session has finished")
}

fn open_run<E: Deref<Target = FaceEngine>>(slot: &mut LivenessSlot<E>) -> Result<&mut BoundRun<E>, Fail> {
    slot.as_mut().ok_or_else(session_finished)
}

/// Feed one encoded (JPEG/PNG) frame; what it did to the run.
/// `elapsed_ms`: `None` times the frame by the library's monotonic clock since the start
/// (what apps use); `Some` is an explicit time, for tests only.
pub fn push_encoded_frame<E: Deref<Target = FaceEngine>>(
    slot: &mut LivenessSlot<E>,
    image: &[u8],
    elapsed_ms: Option<u32>,
) -> Result<LivenessStep, Fail> {
    let run = open_run(slot)?;
    let img = certify_face::image_io::decode(image).map_err(fail)?;
    push_picture(run, &img, elapsed_ms)
}

fn push_picture<E: Deref<Target = FaceEngine>>(
    run: &mut BoundRun<E>,
    img: &certify_face::image_io::RgbImage,
    elapsed_ms: Option<u32>,
) -> Result<LivenessStep, Fail> {
    let elapsed = elapsed_ms.unwrap_or_else(|| u32::try_from(run.started.elapsed().as_millis()).unwrap_or(u32::MAX));
    let event = run.run.push_image(img, elapsed).map_err(fail)?;
    Ok(LivenessStep::from(&event))
}

/// A raw camera frame as an app's camera gives it (Android: NV21 from `ImageFormat.NV21`,
/// or RGBA), with the row stride in bytes and the clockwise rotation that makes it upright.
#[derive(Debug, Clone, Copy)]
pub struct CameraFrame<'a> {
    /// The pixels.
    pub data: &'a [u8],
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes per row (of the Y plane for NV21); at least the width (×4 for RGBA).
    pub stride: u32,
    /// `"nv21"` or `"rgba"`.
    pub format: &'a str,
    /// Clockwise degrees to make the frame upright: 0, 90, 180 or 270.
    pub rotation_degrees: u32,
}

impl CameraFrame<'_> {
    /// The upright RGB picture, or why the frame is not one.
    pub fn to_rgb(&self) -> Result<certify_face::image_io::RgbImage, Fail> {
        use certify_face::image_io::{FrameFormat, Rotation};
        let format = match self.format {
            "nv21" => FrameFormat::Nv21,
            "rgba" => FrameFormat::Rgba8,
            other => return Err(invalid(format!("unknown frame format {other:?} (nv21 or rgba)"))),
        };
        let rotation = match self.rotation_degrees {
            0 => Rotation::R0,
            90 => Rotation::R90,
            180 => Rotation::R180,
            270 => Rotation::R270,
            other => return Err(invalid(format!("rotation {other} is not 0, 90, 180 or 270"))),
        };
        certify_face::image_io::from_raw(self.data, self.width, self.height, self.stride, format, rotation)
            .map_err(fail)
    }
}

/// The face template (128 floats) of the single good face in a JPEG/PNG image.
pub fn face_template(engine: &FaceEngine, image: &[u8]) -> Result<Vec<f32>, Fail> {
    let img = certify_face::image_io::decode(image).map_err(fail)?;
    Ok(engine.template(&img).map_err(fail)?.embedding)
}

/// A face template (128 floats) from a raw camera frame.
pub fn template_from_frame(engine: &FaceEngine, frame: &CameraFrame<'_>) -> Result<Vec<f32>, Fail> {
    let img = frame.to_rgb()?;
    Ok(engine.template(&img).map_err(fail)?.embedding)
}

/// A template handed over by a host: exactly 128 floats.
fn template_of(values: &[f32]) -> Result<FaceTemplate, Fail> {
    if values.len() != crate::FACE_TEMPLATE_LEN {
        return Err(invalid(format!(
            "templates have {} values, not {}",
            crate::FACE_TEMPLATE_LEN,
            values.len()
        )));
    }
    Ok(FaceTemplate {
        embedding: values.to_vec(),
    })
}

/// Compare two face templates (128 floats each) at the engine's match threshold.
pub fn compare_templates(engine: &FaceEngine, a: &[f32], b: &[f32]) -> Result<FaceComparison, Fail> {
    let c = engine.compare(&template_of(a)?, &template_of(b)?);
    Ok(FaceComparison::new(
        c.distance,
        engine.config().match_threshold,
        c.decision,
    ))
}

/// Compare a live face's template (128 floats) with an authoritative reference portrait
/// (JPEG/PNG) at the engine's portrait threshold: what real-name verification and
/// enrollment decide on. The portrait is not kept.
pub fn compare_portrait(engine: &FaceEngine, live: &[f32], portrait: &[u8]) -> Result<FaceComparison, Fail> {
    let live = template_of(live)?;
    let img = certify_face::image_io::decode(portrait).map_err(fail)?;
    let c = engine.compare_with_portrait(&live, &img).map_err(fail)?;
    Ok(FaceComparison::new(
        c.distance,
        engine.config().portrait_match_threshold,
        c.decision,
    ))
}

/// The automatic enrollment review of three JPEG/PNG uploads (card front, card back, a
/// selfie holding the card), with the live face compared with the authority's `reference`
/// portrait when the host has one. Nothing is kept; an undecodable reference counts as
/// none (hold the upload for staff).
pub fn review_enrollment(
    engine: &FaceEngine,
    card_front: &[u8],
    card_back: &[u8],
    selfie: &[u8],
    reference: Option<&[u8]>,
) -> Result<EnrollmentReviewResult, Fail> {
    let decode = |b: &[u8]| certify_face::image_io::decode(b).map_err(fail);
    let (front, back, selfie) = (decode(card_front)?, decode(card_back)?, decode(selfie)?);
    let reference = reference.and_then(|b| certify_face::image_io::decode(b).ok());
    let r = engine
        .review_enrollment_with_reference(&front, &back, &selfie, reference.as_ref())
        .map_err(fail)?;
    Ok(EnrollmentReviewResult::from(&r))
}

/// The quality check of a JPEG/PNG photo: usable for a template or not, and each problem
/// with its advice in Chinese and English. The image is not kept.
pub fn check_photo(engine: &FaceEngine, image: &[u8]) -> Result<PhotoCheck, Fail> {
    let img = certify_face::image_io::decode(image).map_err(fail)?;
    let analysis = engine.analyze(&img).map_err(fail)?;
    Ok(PhotoCheck::from_issues(&analysis.issues))
}

/// The template (128 floats) of the portrait printed on an identity card's front (JPEG or
/// PNG), found and upscaled; `None` when the card shows no single readable portrait.
pub fn card_portrait_template(engine: &FaceEngine, card_front: &[u8]) -> Result<Option<Vec<f32>>, Fail> {
    let card = certify_face::image_io::decode(card_front).map_err(fail)?;
    Ok(engine.card_portrait_template(&card).map_err(fail)?.map(|t| t.embedding))
}

/// Feed one raw camera frame to a run (timed as [`push_encoded_frame`]): what it did.
pub fn push_camera_frame<E: Deref<Target = FaceEngine>>(
    slot: &mut LivenessSlot<E>,
    frame: &CameraFrame<'_>,
    elapsed_ms: Option<u32>,
) -> Result<LivenessStep, Fail> {
    let run = open_run(slot)?;
    push_picture(run, &frame.to_rgb()?, elapsed_ms)
}

/// End a run against an enrolled template (128 floats): passed, the reason and advice when
/// not, liveness, mode, identity consistency, distance, anti-spoof. The template is checked
/// first, so a malformed one does not spend the session; after this the session is spent.
pub fn finish_liveness<E: Deref<Target = FaceEngine>>(
    slot: &mut LivenessSlot<E>,
    template: &[f32],
) -> Result<LivenessResult, Fail> {
    let template = template_of(template)?;
    let run = slot.take().ok_or_else(session_finished)?;
    let d = run.run.finish(&template).map_err(fail)?;
    Ok(LivenessResult::from(&d))
}

/// Enroll a voice from five WAV recordings and the prompts read: the template (to store
/// apart from identity) when every recording was usable, and each recording's problems.
pub fn voice_enroll<W: AsRef<[u8]>, P: AsRef<str>>(
    engine: &VoiceEngine,
    recordings: &[(W, P)],
) -> Result<VoiceEnrollmentResult, Fail> {
    let recs = recordings
        .iter()
        .map(|(wav, prompt)| Ok((Audio::from_wav(wav.as_ref()).map_err(fail)?, prompt.as_ref().to_owned())))
        .collect::<Result<Vec<_>, Fail>>()?;
    Ok(engine.enroll(&recs, &mut rand_core::OsRng).map_err(fail)?.into())
}

/// Verify a WAV recording of `prompt` against a template (JSON from [`voice_enroll`]).
pub fn voice_verify(engine: &VoiceEngine, template_json: &str, wav: &[u8], prompt: &str) -> Result<VoiceResult, Fail> {
    let template: VoiceTemplate = serde_json::from_str(template_json)
        .map_err(|_| Fail::new(CertifyStatus::JsonInvalid, "not a voice template"))?;
    let audio = Audio::from_wav(wav).map_err(fail)?;
    Ok(VoiceResult::from(
        &engine.verify(&template, &audio, prompt).map_err(fail)?,
    ))
}

/// [`voice_verify`] with the speaker score normalised against `cohort_json` (a
/// `certify_voice::cohort::SpeakerCohort` as JSON: other people's voiceprints enrolled with
/// the host).
pub fn voice_verify_with_cohort(
    engine: &VoiceEngine,
    template_json: &str,
    cohort_json: &str,
    wav: &[u8],
    prompt: &str,
) -> Result<VoiceResult, Fail> {
    let template: VoiceTemplate = serde_json::from_str(template_json)
        .map_err(|_| Fail::new(CertifyStatus::JsonInvalid, "not a voice template"))?;
    let members: CohortMembers = serde_json::from_str(cohort_json)
        .map_err(|e| Fail::new(CertifyStatus::JsonInvalid, format!("not a voice cohort: {e}")))?;
    let cohort = SpeakerCohort::try_from(members)
        .map_err(|e| Fail::new(CertifyStatus::InvalidArgument, format!("voice cohort: {e}")))?;
    let audio = Audio::from_wav(wav).map_err(fail)?;
    Ok(VoiceResult::from(
        &engine
            .verify_with_cohort(&template, &audio, prompt, Some(&cohort))
            .map_err(fail)?,
    ))
}

/// Voice prompts: five for enrollment, or one certification prompt that is none of `enrolled`.
pub fn voice_prompts(enrolled: Option<&[String]>) -> Vec<String> {
    let mut rng = OsRng;
    match enrolled {
        None => certify_core::voice::enrollment_prompts(&mut rng),
        Some(e) => vec![certify_core::voice::verification_prompt(&mut rng, e)],
    }
}

/// Issue a single-use challenge for `subject_id` ("face" or "voice"), valid `ttl_seconds`
/// (hand it on with [`Results::to_json`]).
pub fn issue_challenge(subject_id: &str, modality: &str, ttl_seconds: i64, now: Timestamp) -> Result<Challenge, Fail> {
    let subject = ResidentId::parse(subject_id).map_err(fail)?;
    let modality: Modality = serde_json::from_value(Value::String(modality.to_owned()))
        .map_err(|_| invalid(format!("unknown modality {modality:?}")))?;
    Ok(Challenge::issue(subject, modality, now, ttl_seconds, &mut OsRng))
}

fn challenge_of(json: &str) -> Result<Challenge, Fail> {
    serde_json::from_str(json).map_err(|_| Fail::new(CertifyStatus::JsonInvalid, "not a challenge"))
}

/// The 32-byte public key of a device's signing key, for the server's verifier.
pub fn signer_public_key(signer: &EvidenceSigner) -> Result<Vec<u8>, Fail> {
    Ok(signer.public_key().to_vec())
}

/// Sign the outcome of an attempt answering `challenge_json`, operated by `operator_id`:
/// whether liveness passed, the match decision and the engine's score × 1000; valid
/// `ttl_seconds` from `now`.
#[allow(clippy::too_many_arguments)] // the claims' fields, one argument each across the FFI
pub fn sign_evidence(
    signer: &EvidenceSigner,
    challenge_json: &str,
    operator_id: &str,
    liveness_passed: bool,
    matched: bool,
    score_milli: i32,
    ttl_seconds: i64,
    now: Timestamp,
) -> Result<Vec<u8>, Fail> {
    let ch = challenge_of(challenge_json)?;
    let operator = ResidentId::parse(operator_id).map_err(fail)?;
    let decision = if matched {
        MatchDecision::Match
    } else {
        MatchDecision::NoMatch
    };
    let claims = EvidenceClaims::for_challenge(&ch, operator, liveness_passed, decision, score_milli, now, ttl_seconds);
    Ok(signer.sign(&claims).as_bytes().to_vec())
}

/// The server's evidence verifier for one signer's public key, with its replay guard: each
/// token is accepted once per verifier (kept in memory; servers with several processes keep
/// the nonces in their database instead). Every binding's verifier object is this.
/// Thread-safe.
pub struct OnceVerifier {
    verifier: EvidenceVerifier,
    seen: std::sync::Mutex<MemoryReplayGuard>,
}

impl OnceVerifier {
    /// A verifier from the signer's 32-byte public key (102 for another length, or a key that
    /// is not a curve point).
    pub fn from_key(key: &[u8]) -> Result<Self, Fail> {
        let key: [u8; 32] = key.try_into().map_err(|_| invalid("a public key has 32 bytes"))?;
        Ok(Self {
            verifier: EvidenceVerifier::from_public_key(key).map_err(fail)?,
            seen: std::sync::Mutex::default(),
        })
    }

    /// Accept `token` for `challenge_json` at `now`, once: the verified claims (as JSON,
    /// [`Results::to_json`], the `evidence` of the `certification.by_app` operation).
    pub fn verify(&self, token: &[u8], challenge_json: &str, now: Timestamp) -> Result<EvidenceClaims, Fail> {
        let ch = challenge_of(challenge_json)?;
        // A panic elsewhere cannot leave the guard half-written (prune and insert are single
        // steps), so a poisoned lock is still a sound guard.
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.prune(now);
        self.verifier
            .verify(&EvidenceToken::from_bytes(token.to_vec()), &ch, now, &mut *seen)
            .map_err(fail)
    }
}
