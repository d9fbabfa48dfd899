//! The UniFFI methods of the engines' bridged calls, emitted from the one definition in
//! `certify_bridge::engine_calls!`: a method `<name>` of [`FaceEngine`], [`VoiceEngine`],
//! [`LivenessRun`], [`EvidenceSigner`] or [`EvidenceVerifier`] for each line, returning the records below (typed: a renamed field is a compile error,
//! not a silent default).

use crate::{
    CameraFrame, CertifyError, EvidenceInfo, EvidenceSigner, EvidenceVerifier, FaceComparison, FaceDecision,
    FaceEngine, LivenessRun, LivenessStep, VoiceDecisionInfo, VoiceEngine, VoiceEnrollmentResult, VoiceRecording,
    bridged, fail,
};
use certify_bridge::CertifyStatus;
use certify_bridge::results as bridge_results;

/// One call: munch the arguments into UniFFI parameters and the bridge call's arguments,
/// then emit the method (one exported `impl` block each).
macro_rules! uniffi_engine_call {
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($a:tt)*] [$($d:ident)*]; $arg:ident: bytes, $($rest:tt)*) => {
        uniffi_engine_call!(@args $docs $recv $name $ret $call; [$($p)* $arg: Vec<u8>,] [$($a)* &$arg,] [$($d)*]; $($rest)*);
    };
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($a:tt)*] [$($d:ident)*]; $arg:ident: opt_bytes, $($rest:tt)*) => {
        uniffi_engine_call!(@args $docs $recv $name $ret $call; [$($p)* $arg: Option<Vec<u8>>,] [$($a)* $arg.as_deref(),] [$($d)*]; $($rest)*);
    };
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($a:tt)*] [$($d:ident)*]; $arg:ident: str, $($rest:tt)*) => {
        uniffi_engine_call!(@args $docs $recv $name $ret $call; [$($p)* $arg: String,] [$($a)* &$arg,] [$($d)*]; $($rest)*);
    };
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($a:tt)*] [$($d:ident)*]; $arg:ident: frame, $($rest:tt)*) => {
        uniffi_engine_call!(@args $docs $recv $name $ret $call; [$($p)* $arg: CameraFrame,] [$($a)* &$arg.view(),] [$($d)*]; $($rest)*);
    };
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($a:tt)*] [$($d:ident)*]; $arg:ident: template, $($rest:tt)*) => {
        uniffi_engine_call!(@args $docs $recv $name $ret $call; [$($p)* $arg: Vec<f32>,] [$($a)* &$arg,] [$($d)*]; $($rest)*);
    };
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($a:tt)*] [$($d:ident)*]; $arg:ident: recordings, $($rest:tt)*) => {
        uniffi_engine_call!(@args $docs $recv $name $ret $call; [$($p)* $arg: Vec<VoiceRecording>,]
            [$($a)* &$arg.iter().map(|r| (&r.wav[..], &r.prompt[..])).collect::<Vec<_>>(),] [$($d)*]; $($rest)*);
    };
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($a:tt)*] [$($d:ident)*]; $arg:ident: bool, $($rest:tt)*) => {
        uniffi_engine_call!(@args $docs $recv $name $ret $call; [$($p)* $arg: bool,] [$($a)* $arg,] [$($d)*]; $($rest)*);
    };
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($a:tt)*] [$($d:ident)*]; $arg:ident: i32, $($rest:tt)*) => {
        uniffi_engine_call!(@args $docs $recv $name $ret $call; [$($p)* $arg: i32,] [$($a)* $arg,] [$($d)*]; $($rest)*);
    };
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($a:tt)*] [$($d:ident)*]; $arg:ident: i64, $($rest:tt)*) => {
        uniffi_engine_call!(@args $docs $recv $name $ret $call; [$($p)* $arg: i64,] [$($a)* $arg,] [$($d)*]; $($rest)*);
    };
    // The time is optional, left out for the system clock (a default only one argument has).
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($a:tt)*] [$($d:ident)*]; $arg:ident: time, $($rest:tt)*) => {
        uniffi_engine_call!(@args $docs $recv $name $ret $call; [$($p)* $arg: Option<i64>,]
            [$($a)* certify_bridge::engines::now_or_system($arg),] [$($d)* $arg]; $($rest)*);
    };
    (@args [$($docs:tt)*] $recv:ident $name:ident [step] $call:path; [$($p:tt)*] [$($a:tt)*] [$($d:ident)*];) => {
        #[uniffi::export]
        impl LivenessRun {
            $($docs)*
            ///
            /// `elapsed_ms` is for tests only: leave it out and the frame is timed by the
            /// library's monotonic clock since the start.
            #[uniffi::method(default(elapsed_ms = None))]
            pub fn $name(&self, $($p)* elapsed_ms: Option<u32>) -> Result<LivenessStep, CertifyError> {
                let mut run = self.run.lock().unwrap_or_else(|p| p.into_inner());
                Ok($call(&mut run, $($a)* elapsed_ms).map_err(bridged)?.into())
            }
        }
    };
    (@args [$($docs:tt)*] $recv:ident $name:ident [decision] $call:path; [$($p:tt)*] [$($a:tt)*] [$($d:ident)*];) => {
        #[uniffi::export]
        impl LivenessRun {
            $($docs)*
            pub fn $name(&self, $($p)*) -> Result<FaceDecision, CertifyError> {
                let mut run = self.run.lock().unwrap_or_else(|p| p.into_inner());
                Ok($call(&mut run, $($a)*).map_err(bridged)?.into())
            }
        }
    };
    (@args [$($docs:tt)*] $recv:ident $name:ident [$ret:ident $(($record:ident))?] $call:path; [$($p:tt)*] [$($a:tt)*] [$($d:ident)*];) => {
        uniffi_receiver_impl! { $recv
            $($docs)*
            $(#[uniffi::method(default($d = None))])*
            pub fn $name(&self, $($p)*) -> Result<uniffi_result_type!($ret $(($record))?), CertifyError> {
                FromBridge::from_bridge($call(&self.0, $($a)*).map_err(bridged)?)
            }
        }
    };
}

/// An exported `impl` block of the object a receiver names.
macro_rules! uniffi_receiver_impl {
    (face $($method:tt)*) => { #[uniffi::export] impl FaceEngine { $($method)* } };
    (voice $($method:tt)*) => { #[uniffi::export] impl VoiceEngine { $($method)* } };
    (evidence_signer $($method:tt)*) => { #[uniffi::export] impl EvidenceSigner { $($method)* } };
    (evidence_verifier $($method:tt)*) => { #[uniffi::export] impl EvidenceVerifier { $($method)* } };
}

/// The UniFFI type of a result kind.
macro_rules! uniffi_result_type {
    (bytes) => { Vec<u8> };
    (json($record:ident)) => { $record };
    (template) => { Vec<f32> };
    (opt_template) => { Option<Vec<f32>> };
    (comparison) => { FaceComparison };
}

/// Every call's method.
macro_rules! uniffi_engine_calls {
    ($(
        $(#[doc = $doc:literal])*
        fn $recv:ident.$name:ident($($arg:ident: $kind:ident),* $(,)?) -> $ret:ident $(($record:ident))? = $call:path;
    )*) => {$(
        uniffi_engine_call!(@args [$(#[doc = $doc])*] $recv $name [$ret $(($record))?] $call; [] [] []; $($arg: $kind,)*);
    )*};
}

certify_bridge::engine_calls!(uniffi_engine_calls);

/// A binding value from the bridge's result (fallible where the conversion is).
trait FromBridge<T>: Sized {
    fn from_bridge(value: T) -> Result<Self, CertifyError>;
}

impl FromBridge<Vec<f32>> for Vec<f32> {
    fn from_bridge(value: Vec<f32>) -> Result<Self, CertifyError> {
        Ok(value)
    }
}

impl FromBridge<Vec<u8>> for Vec<u8> {
    fn from_bridge(value: Vec<u8>) -> Result<Self, CertifyError> {
        Ok(value)
    }
}

impl FromBridge<certify_core::evidence::EvidenceClaims> for EvidenceInfo {
    fn from_bridge(claims: certify_core::evidence::EvidenceClaims) -> Result<Self, CertifyError> {
        use certify_bridge::results::Results as _;
        Ok(Self {
            subject_id: claims.subject.to_string(),
            operator_id: claims.operator.to_string(),
            passed: claims.passed(),
            score_milli: claims.score_milli,
            claims_json: claims.to_json(),
        })
    }
}

impl FromBridge<Option<Vec<f32>>> for Option<Vec<f32>> {
    fn from_bridge(value: Option<Vec<f32>>) -> Result<Self, CertifyError> {
        Ok(value)
    }
}

/// The records converted infallibly.
macro_rules! from_bridge_by_from {
    ($($bridge:ty => $record:ty),*) => {$(
        impl FromBridge<$bridge> for $record {
            fn from_bridge(value: $bridge) -> Result<Self, CertifyError> {
                Ok(value.into())
            }
        }
    )*};
}

from_bridge_by_from!(
    bridge_results::FaceComparison => FaceComparison,
    bridge_results::PhotoCheck => PhotoCheck,
    bridge_results::EnrollmentReviewResult => EnrollmentReview,
    bridge_results::VoiceResult => VoiceDecisionInfo
);

impl FromBridge<bridge_results::VoiceEnrollmentResult> for VoiceEnrollmentResult {
    fn from_bridge(e: bridge_results::VoiceEnrollmentResult) -> Result<Self, CertifyError> {
        let template_json = match &e.template {
            Some(t) => Some(serde_json::to_string(t).map_err(|err| fail(CertifyStatus::Panic, err))?),
            None => None,
        };
        Ok(Self {
            template_json,
            issues: e.issues,
            advice_zh: e.advice_zh,
        })
    }
}

impl From<bridge_results::FaceComparison> for FaceComparison {
    fn from(c: bridge_results::FaceComparison) -> Self {
        Self {
            distance: c.distance,
            threshold: c.threshold,
            same_person: c.same_person,
        }
    }
}

impl From<bridge_results::VoiceResult> for VoiceDecisionInfo {
    fn from(d: bridge_results::VoiceResult) -> Self {
        Self {
            passed: d.passed,
            same_speaker: d.same_speaker,
            speaker_score: d.speaker_score,
            speaker_normalized: d.speaker_normalized,
            digits_heard: d.digits_heard,
            issues: d.issues,
            advice_zh: d.advice_zh,
        }
    }
}

/// One problem of a photo (see `FaceEngine::check_photo`).
#[derive(Debug, Clone, uniffi::Record)]
pub struct PhotoIssue {
    /// The stable code ("too_dark", "eyes_closed", "no_face" …).
    pub code: String,
    /// Whether it stops a template being taken (framing problems only matter live).
    pub blocking: bool,
    /// What to tell the person, in Chinese.
    pub advice_zh: String,
    /// The same in English.
    pub advice_en: String,
}

/// The quality check of a photo.
#[derive(Debug, Clone, uniffi::Record)]
pub struct PhotoCheck {
    /// A template can be taken (one face, no blocking problem).
    pub usable: bool,
    /// Every problem found, blocking ones first.
    pub issues: Vec<PhotoIssue>,
    /// The blocking problems' Chinese advice joined (empty when usable).
    pub advice_zh: String,
    /// The same in English.
    pub advice_en: String,
}

impl From<bridge_results::PhotoCheck> for PhotoCheck {
    fn from(c: bridge_results::PhotoCheck) -> Self {
        Self {
            usable: c.usable,
            issues: c
                .issues
                .into_iter()
                .map(|i| PhotoIssue {
                    code: i.code,
                    blocking: i.blocking,
                    advice_zh: i.advice_zh,
                    advice_en: i.advice_en,
                })
                .collect(),
            advice_zh: c.advice_zh,
            advice_en: c.advice_en,
        }
    }
}

/// The automatic review of an enrollment upload.
#[derive(Debug, Clone, uniffi::Record)]
pub struct EnrollmentReview {
    /// No issue, and a template to store.
    pub passed: bool,
    /// What is wrong, as codes ("too_dark", "card_unreadable", "face_mismatch" …).
    pub issues: Vec<String>,
    /// What to tell the person about each issue, in Chinese.
    pub advice_zh: Vec<String>,
    /// The same in English.
    pub advice_en: Vec<String>,
    /// The live face's template (128 floats) when passed: store it apart from identity.
    pub template: Option<Vec<f32>>,
    /// Live face vs the card portrait in the selfie.
    pub card_distance: Option<f32>,
    /// Live face vs the authority's portrait.
    pub reference_distance: Option<f32>,
    /// Whether an authority portrait was given (without one, hold a passing upload for staff).
    pub had_reference: bool,
    /// The core's review value for the `enrollment.submit` operation, as JSON (put the
    /// host's template reference in `template_ref`).
    pub review_json: String,
}

impl From<bridge_results::EnrollmentReviewResult> for EnrollmentReview {
    fn from(r: bridge_results::EnrollmentReviewResult) -> Self {
        Self {
            // A plain value of the core: serialising it cannot fail.
            review_json: serde_json::to_string(&r.review).unwrap_or_else(|_| "null".to_owned()),
            passed: r.passed,
            issues: r.issues,
            advice_zh: r.advice_zh,
            advice_en: r.advice_en,
            template: r.template,
            card_distance: r.card_distance,
            reference_distance: r.reference_distance,
            had_reference: r.had_reference,
        }
    }
}
