//! UniFFI bindings of certify for Kotlin, Swift and Python (proc-macros, library mode).
//!
//! Thin: conversion and error mapping only. Errors are one exception type carrying the
//! same stable numeric code as the C API (`CertifyStatus`) and a message.

use certify::{CertifyStatus, ToStatus};
use certify_core::cycle::{CyclePolicy, CycleStatus};
use certify_core::id::{IdKind, ResidentId, Sex};
use certify_core::liveness::{Action, LivenessChallenge, LivenessConfig, LivenessSession};
use certify_core::name::PersonName;
use certify_core::time::Timestamp;
use certify_core::time::{YearMonth, format_date, parse_date};
use rand_core::{OsRng, RngCore};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

uniffi::setup_scaffolding!("certify");

/// The wall clock: bindings supply it; the core never reads one.
fn now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Timestamp::from_unix_seconds(i64::try_from(secs).unwrap_or(i64::MAX))
}

fn action_name(a: Action) -> String {
    serde_json::to_value(a)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

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
    },
}

fn fail(status: CertifyStatus, message: impl std::fmt::Display) -> CertifyError {
    CertifyError::Failed {
        code: status as u32,
        detail: message.to_string(),
    }
}

fn from<E: ToStatus + std::fmt::Display>(e: E) -> CertifyError {
    fail(e.status(), e)
}

/// The message of a status code (as `certify_status_message` in C).
#[uniffi::export]
pub fn status_message(code: u32) -> String {
    let p = certify::certify_status_message(code);
    // SAFETY: certify_status_message returns a static NUL-terminated string.
    unsafe { std::ffi::CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// Every status code of the table (for the "each language maps each code" check).
#[uniffi::export]
pub fn all_status_codes() -> Vec<u32> {
    certify::ALL_STATUSES.iter().map(|s| *s as u32).collect()
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
    let id = ResidentId::parse(&input).map_err(from)?;
    Ok(IdInfo {
        normalized: id.as_str().to_owned(),
        birth_date: format_date(id.birth_date()),
        sex: match id.sex() {
            Sex::Male => "male",
            Sex::Female => "female",
        }
        .into(),
        region_code: id.region_code().to_owned(),
        region_name: id.region().map(|r| r.name.to_owned()),
        kind: match id.kind() {
            IdKind::ResidentCard => "resident_card",
            IdKind::HongKongPermit => "hong_kong_permit",
            IdKind::MacauPermit => "macau_permit",
            IdKind::TaiwanPermit => "taiwan_permit",
        }
        .into(),
    })
}

/// Whether two names are the same name written differently.
#[uniffi::export]
pub fn name_matches(a: String, b: String) -> Result<bool, CertifyError> {
    Ok(PersonName::new(&a)
        .map_err(from)?
        .matches(&PersonName::new(&b).map_err(from)?))
}

/// Certification status on a day.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CycleStatusInfo {
    /// "certified", "due", "overdue".
    pub status: String,
    /// Certification date or deadline (YYYY-MM-DD).
    pub date: String,
    /// Due and in the warning period.
    pub warning: bool,
    /// Overdue: first unpaid month (YYYY-MM).
    pub suspend_from: Option<String>,
}

/// Status under a cycle policy given as JSON.
#[uniffi::export]
pub fn cycle_status(
    policy_json: String,
    last_certified: Option<String>,
    pension_start: String,
    today: String,
) -> Result<CycleStatusInfo, CertifyError> {
    let policy: CyclePolicy = serde_json::from_str(&policy_json).map_err(|e| fail(CertifyStatus::PolicyInvalid, e))?;
    policy.validate().map_err(|e| fail(CertifyStatus::PolicyInvalid, e))?;
    let bad_date = |t: &str| fail(CertifyStatus::DateInvalid, format!("not a date: {t:?}"));
    let last = match &last_certified {
        Some(t) => Some(parse_date(t).ok_or_else(|| bad_date(t))?),
        None => None,
    };
    let start: YearMonth = pension_start.parse().map_err(|e| fail(CertifyStatus::DateInvalid, e))?;
    let today_d = parse_date(&today).ok_or_else(|| bad_date(&today))?;
    let d = format_date;
    Ok(match policy.status_on(last, start, today_d) {
        CycleStatus::Certified { on, .. } => CycleStatusInfo {
            status: "certified".into(),
            date: d(on),
            warning: false,
            suspend_from: None,
        },
        CycleStatus::Due { deadline, warning } => CycleStatusInfo {
            status: "due".into(),
            date: d(deadline),
            warning,
            suspend_from: None,
        },
        CycleStatus::Overdue { deadline, suspend_from } => CycleStatusInfo {
            status: "overdue".into(),
            date: d(deadline),
            warning: false,
            suspend_from: Some(suspend_from.to_string()),
        },
        CycleStatus::Suspended { from } => CycleStatusInfo {
            status: "suspended".into(),
            date: String::new(),
            warning: false,
            suspend_from: Some(from.to_string()),
        },
    })
}

/// A 1:1 comparison.
#[derive(Debug, Clone, uniffi::Record)]
pub struct FaceComparison {
    /// Euclidean distance.
    pub distance: f32,
    /// Same person at the engine's threshold.
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
        let mut config = certify_face::FaceEngineConfig::new(models_dir);
        config.runtime_library = runtime_library.map(PathBuf::from);
        Ok(Self(Arc::new(certify_face::FaceEngine::load(config).map_err(from)?)))
    }

    /// Start a liveness session: 2–3 random actions drawn with the OS random generator.
    pub fn start_liveness(&self) -> Arc<LivenessRun> {
        let challenge = LivenessChallenge::draw(&mut OsRng, now());
        self.liveness_with(challenge)
    }

    /// Start a liveness session for given actions ("shake_head", "open_mouth", "blink",
    /// "nod"), e.g. when the server drew the challenge.
    pub fn start_liveness_with_actions(&self, actions: Vec<String>) -> Result<Arc<LivenessRun>, CertifyError> {
        let actions = actions
            .iter()
            .map(|a| {
                serde_json::from_value::<Action>(serde_json::Value::String(a.clone()))
                    .map_err(|_| fail(CertifyStatus::InvalidArgument, format!("unknown action {a:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut nonce = [0u8; 16];
        OsRng.fill_bytes(&mut nonce);
        Ok(self.liveness_with(LivenessChallenge {
            actions,
            nonce,
            issued_at: now(),
        }))
    }

    /// The 128-float template of the single good face in a JPEG/PNG.
    pub fn template(&self, image: Vec<u8>) -> Result<Vec<f32>, CertifyError> {
        let img = certify_face::image_io::decode(&image).map_err(from)?;
        Ok(self.0.template(&img).map_err(from)?.embedding)
    }

    /// Compare two templates.
    pub fn compare(&self, a: Vec<f32>, b: Vec<f32>) -> Result<FaceComparison, CertifyError> {
        if a.len() != 128 || b.len() != 128 {
            return Err(fail(CertifyStatus::InvalidArgument, "templates have 128 values"));
        }
        let c = self.0.compare(
            &certify_face::embed::FaceTemplate { embedding: a },
            &certify_face::embed::FaceTemplate { embedding: b },
        );
        Ok(FaceComparison {
            distance: c.distance,
            same_person: c.decision == certify_core::biometric::MatchDecision::Match,
        })
    }
}

impl FaceEngine {
    fn liveness_with(&self, challenge: LivenessChallenge) -> Arc<LivenessRun> {
        let actions = challenge.actions.iter().map(|a| action_name(*a)).collect();
        let session = LivenessSession::new(challenge, LivenessConfig::default());
        Arc::new(LivenessRun {
            actions,
            run: Mutex::new(Some(certify_face::engine::LivenessRun::new(
                Arc::clone(&self.0),
                session,
            ))),
        })
    }
}

/// A liveness session fed frame by frame (JPEG/PNG bytes with milliseconds since start).
#[derive(uniffi::Object)]
pub struct LivenessRun {
    actions: Vec<String>,
    run: Mutex<Option<certify_face::engine::LivenessRun<Arc<certify_face::FaceEngine>>>>,
}

/// The result of a liveness session and the 1:1 match.
#[derive(Debug, Clone, uniffi::Record)]
pub struct FaceDecision {
    /// Actions done in order.
    pub liveness_passed: bool,
    /// Distance of the best frame to the template, when matched.
    pub distance: Option<f32>,
    /// Everything passed.
    pub passed: bool,
}

#[uniffi::export]
impl LivenessRun {
    /// The actions asked for, in order.
    pub fn actions(&self) -> Vec<String> {
        self.actions.clone()
    }

    /// Feed one frame; returns the event name ("in_progress", "face_missing", "face_lost",
    /// "wrong_action", "action_done", "passed", "timed_out").
    pub fn push_frame(&self, image: Vec<u8>, elapsed_ms: u32) -> Result<String, CertifyError> {
        let img = certify_face::image_io::decode(&image).map_err(from)?;
        let mut guard = self.run.lock().unwrap_or_else(|p| p.into_inner());
        let run = guard
            .as_mut()
            .ok_or_else(|| fail(CertifyStatus::InvalidArgument, "the session has finished"))?;
        let event = run.push_image(&img, elapsed_ms).map_err(from)?;
        Ok(serde_json::to_value(&event)
            .ok()
            .and_then(|v| v.get("event").and_then(|e| e.as_str()).map(str::to_owned))
            .unwrap_or_default())
    }

    /// End the session and match the best frame against a face template.
    pub fn finish(&self, template: Vec<f32>) -> Result<FaceDecision, CertifyError> {
        let run = self
            .run
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .ok_or_else(|| fail(CertifyStatus::InvalidArgument, "the session has finished"))?;
        let d = run
            .finish(&certify_face::embed::FaceTemplate { embedding: template })
            .map_err(from)?;
        Ok(FaceDecision {
            liveness_passed: d.liveness_passed,
            distance: d.comparison.map(|c| c.distance),
            passed: d.passed(),
        })
    }
}

/// Five enrollment prompts of 8 digits, every digit at least 3 times (OS random generator).
#[uniffi::export]
pub fn voice_enrollment_prompts() -> Vec<String> {
    certify_core::voice::enrollment_prompts(&mut OsRng)
}

/// A certification prompt that is none of the enrollment prompts.
#[uniffi::export]
pub fn voice_verification_prompt(enrollment_prompts: Vec<String>) -> String {
    certify_core::voice::verification_prompt(&mut OsRng, &enrollment_prompts)
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
    /// Digits heard.
    pub digits_heard: String,
    /// Recording problems.
    pub issues: Vec<String>,
}

fn issue_names<T: serde::Serialize>(issues: &[T]) -> Vec<String> {
    issues
        .iter()
        .filter_map(|i| serde_json::to_value(i).ok().and_then(|v| v.as_str().map(str::to_owned)))
        .collect()
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

    /// Enroll from five recordings of the enrollment prompts.
    pub fn enroll(&self, recordings: Vec<VoiceRecording>) -> Result<VoiceEnrollmentResult, CertifyError> {
        let recs = recordings
            .into_iter()
            .map(|r| Ok((certify_voice::Audio::from_wav(&r.wav).map_err(from)?, r.prompt)))
            .collect::<Result<Vec<_>, CertifyError>>()?;
        let e = self.0.enroll(&recs).map_err(from)?;
        Ok(VoiceEnrollmentResult {
            template_json: e.template.as_ref().and_then(|t| serde_json::to_string(t).ok()),
            issues: e.reports.iter().map(|r| issue_names(&r.issues)).collect(),
        })
    }

    /// Certification: a recording of `prompt` against the stored template.
    pub fn verify(
        &self,
        template_json: String,
        wav: Vec<u8>,
        prompt: String,
    ) -> Result<VoiceDecisionInfo, CertifyError> {
        let template: certify_voice::VoiceTemplate =
            serde_json::from_str(&template_json).map_err(|e| fail(CertifyStatus::InvalidArgument, e))?;
        let audio = certify_voice::Audio::from_wav(&wav).map_err(from)?;
        let d = self.0.verify(&template, &audio, &prompt).map_err(from)?;
        Ok(VoiceDecisionInfo {
            passed: d.passed(),
            same_speaker: d.same_speaker,
            speaker_score: d.speaker_score,
            digits_heard: d.digits.heard.clone(),
            issues: issue_names(&d.report.issues),
        })
    }
}

/// Issue a single-use challenge for a face or voice certification of `subject_id`
/// (`modality`: "face" or "voice"), valid for `ttl_seconds`; returned as JSON for the host to
/// keep until the evidence arrives. Nonce from the OS random generator, time from the clock.
#[uniffi::export]
pub fn issue_challenge(subject_id: String, modality: String, ttl_seconds: i64) -> Result<String, CertifyError> {
    let subject = ResidentId::parse(&subject_id).map_err(from)?;
    let modality: certify_core::biometric::Modality =
        serde_json::from_value(serde_json::Value::String(modality.clone()))
            .map_err(|_| fail(CertifyStatus::InvalidArgument, format!("unknown modality {modality:?}")))?;
    let ch = certify_core::evidence::Challenge::issue(subject, modality, now(), ttl_seconds, &mut OsRng);
    serde_json::to_string(&ch).map_err(|e| fail(CertifyStatus::InvalidArgument, e))
}

fn challenge_of(json: &str) -> Result<certify_core::evidence::Challenge, CertifyError> {
    serde_json::from_str(json).map_err(|e| fail(CertifyStatus::InvalidArgument, format!("challenge: {e}")))
}

/// Signs certification outcomes on the device (Ed25519).
#[derive(uniffi::Object)]
pub struct EvidenceSigner(certify_core::evidence::EvidenceSigner);

#[uniffi::export]
impl EvidenceSigner {
    /// A new key from the OS random generator.
    #[uniffi::constructor]
    pub fn generate() -> Self {
        Self(certify_core::evidence::EvidenceSigner::generate(&mut OsRng))
    }

    /// The 32-byte public key for the verifier.
    pub fn public_key(&self) -> Vec<u8> {
        self.0.public_key().to_vec()
    }

    /// Sign the outcome of an attempt answering `challenge_json`.
    pub fn sign(
        &self,
        challenge_json: String,
        operator_id: String,
        liveness_passed: bool,
        matched: bool,
        score_milli: i32,
        ttl_seconds: i64,
    ) -> Result<Vec<u8>, CertifyError> {
        let ch = challenge_of(&challenge_json)?;
        let operator = ResidentId::parse(&operator_id).map_err(from)?;
        let decision = if matched {
            certify_core::biometric::MatchDecision::Match
        } else {
            certify_core::biometric::MatchDecision::NoMatch
        };
        let claims = certify_core::evidence::EvidenceClaims::for_challenge(
            &ch,
            operator,
            liveness_passed,
            decision,
            score_milli,
            now(),
            ttl_seconds,
        );
        Ok(self.0.sign(&claims).as_bytes().to_vec())
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
}

/// Verifies evidence on the server; each token is accepted once per verifier.
#[derive(uniffi::Object)]
pub struct EvidenceVerifier {
    verifier: certify_core::evidence::EvidenceVerifier,
    seen: Mutex<certify_core::evidence::MemoryReplayGuard>,
}

#[uniffi::export]
impl EvidenceVerifier {
    /// From the signer's 32-byte public key.
    #[uniffi::constructor]
    pub fn new(public_key: Vec<u8>) -> Result<Self, CertifyError> {
        let key: [u8; 32] = public_key
            .try_into()
            .map_err(|_| fail(CertifyStatus::InvalidArgument, "a public key has 32 bytes"))?;
        Ok(Self {
            verifier: certify_core::evidence::EvidenceVerifier::from_public_key(key).map_err(from)?,
            seen: Mutex::default(),
        })
    }

    /// Accept `token` for `challenge_json` now, once.
    pub fn verify(&self, token: Vec<u8>, challenge_json: String) -> Result<EvidenceInfo, CertifyError> {
        let ch = challenge_of(&challenge_json)?;
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let t = now();
        seen.prune(t);
        let c = self
            .verifier
            .verify(
                &certify_core::evidence::EvidenceToken::from_bytes(token),
                &ch,
                t,
                &mut *seen,
            )
            .map_err(from)?;
        Ok(EvidenceInfo {
            subject_id: c.subject.to_string(),
            operator_id: c.operator.to_string(),
            passed: c.passed(),
            score_milli: c.score_milli,
        })
    }
}
