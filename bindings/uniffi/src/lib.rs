//! UniFFI bindings of certify for Kotlin, Swift and Python (proc-macros, library mode).
//!
//! Thin: conversion and error mapping only. Errors are one exception type carrying the
//! same stable numeric code as the C API (`CertifyStatus`) and a message.

use certify::{CertifyStatus, ToStatus};
use certify_core::cycle::{CyclePolicy, CycleStatus};
use certify_core::id::{IdKind, ResidentId, Sex};
use certify_core::name::PersonName;
use certify_core::time::{YearMonth, parse_date};
use std::path::PathBuf;

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
    let b = id.birth_date();
    Ok(IdInfo {
        normalized: id.as_str().to_owned(),
        birth_date: format!("{:04}-{:02}-{:02}", b.year(), u8::from(b.month()), b.day()),
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
    let d = |d: certify_core::time_crate::Date| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
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
pub struct FaceEngine(certify_face::FaceEngine);

#[uniffi::export]
impl FaceEngine {
    /// Load models from `models_dir`; ONNX Runtime from `runtime_library` (None: the
    /// `ORT_DYLIB_PATH` setting, then `.deps/onnxruntime`).
    #[uniffi::constructor]
    pub fn new(models_dir: String, runtime_library: Option<String>) -> Result<Self, CertifyError> {
        let mut config = certify_face::FaceEngineConfig::new(models_dir);
        config.runtime_library = runtime_library.map(PathBuf::from);
        Ok(Self(certify_face::FaceEngine::load(config).map_err(from)?))
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
