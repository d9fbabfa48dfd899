//! What the voice engine hands back: the template enrollment makes, the check of one
//! recording, the result of an enrollment attempt, and a certification's decision.

use crate::digits::{DigitCheck, DigitTemplates};
use crate::enhance::SpeakerInput;
use crate::quality::{VoiceIssue, VoiceQuality};
use crate::sketch::WordSketch;
use crate::speaker::SpeakerEmbedding;
use crate::splice::WordPrint;
use certify_core::biometric::{MatchDecision, ReviewIssue};
use serde::{Deserialize, Serialize};

/// A voice template: personal data, store it apart from identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoiceTemplate {
    /// Mean speaker embedding of the enrollment recordings.
    pub speaker: SpeakerEmbedding,
    /// The same through the telephone band, for probes that arrive narrowband (8 kHz
    /// phone audio lacks what the wideband embedding weighs; absent in older templates).
    #[serde(default)]
    pub speaker_narrowband: Option<SpeakerEmbedding>,
    /// What the embeddings were made of, and by which network ([`SpeakerInput`]; now
    /// `"as_heard"`, CAM++); probes are embedded the same way. Templates stored without it were enrolled with the pauses turned down, and are
    /// verified as then: on the cosine at [`PAUSES_TURNED_DOWN_SPEAKER_THRESHOLD`](crate::engine::PAUSES_TURNED_DOWN_SPEAKER_THRESHOLD) (or
    /// [`PAUSES_TURNED_DOWN_NARROWBAND_THRESHOLD`](crate::engine::PAUSES_TURNED_DOWN_NARROWBAND_THRESHOLD)), without a cohort. Re-enrolling moves
    /// a person to the current input.
    #[serde(default = "SpeakerInput::before_words_only")]
    pub speaker_input: SpeakerInput,
    /// The person's labelled digit words.
    pub digits: DigitTemplates,
    /// The enrollment prompts (never reused for certification).
    pub enrollment_prompts: Vec<String>,
    /// Fingerprints of the enrolled words, to refuse prompts spliced from them (empty in
    /// templates made before splice detection: those cannot be checked).
    #[serde(default)]
    pub word_prints: Vec<WordPrint>,
    /// Random projections of the enrolled words' waveforms, to refuse splices with noise
    /// added (empty in templates made before: those skip this check).
    #[serde(default)]
    pub word_sketches: Vec<WordSketch>,
}

/// The check of one recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordingReport {
    /// Measures.
    pub quality: VoiceQuality,
    /// Problems (empty: usable).
    pub issues: Vec<VoiceIssue>,
    /// Words found by segmentation.
    pub words: usize,
}

/// The result of an enrollment attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceEnrollment {
    /// Per recording, its problems: each non-empty entry must be re-prompted.
    pub reports: Vec<RecordingReport>,
    /// The template, when every recording was usable.
    pub template: Option<VoiceTemplate>,
}

impl VoiceEnrollment {
    /// The core's automatic review value, with the host's reference to the stored template.
    pub fn to_core(&self, template_ref: impl Into<String>) -> certify_core::enrollment::AutomaticReview {
        if self.template.is_some() {
            return certify_core::enrollment::AutomaticReview::Passed {
                template_ref: template_ref.into(),
            };
        }
        let mut issues = Vec::new();
        for r in &self.reports {
            for i in &r.issues {
                let ri = if *i == VoiceIssue::WrongDigits {
                    ReviewIssue::WrongDigits
                } else {
                    ReviewIssue::PoorAudio
                };
                if !issues.contains(&ri) {
                    issues.push(ri);
                }
            }
        }
        certify_core::enrollment::AutomaticReview::Failed { issues }
    }
}

/// A certification attempt's decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoiceDecision {
    /// Recording quality.
    pub report: RecordingReport,
    /// Cosine similarity to the template.
    pub speaker_score: f32,
    /// The score normalised against the cohort ([`crate::cohort`]), when one was given
    /// and large enough; it then decides `same_speaker` instead of the cosine.
    pub speaker_normalized: Option<f32>,
    /// Same speaker at the threshold.
    pub same_speaker: bool,
    /// The probe was telephone-band and was compared with the narrowband embedding.
    pub narrowband: bool,
    /// Digits heard against the prompt.
    pub digits: DigitCheck,
    /// The prompt was not one of the enrollment prompts.
    pub fresh: bool,
    /// Enough digits right, the prompt fresh, and no word copied from an enrollment recording.
    pub digits_ok: bool,
}

impl VoiceDecision {
    /// Usable recording, same speaker, and the prompted digits.
    pub fn passed(&self) -> bool {
        self.report.issues.is_empty() && self.same_speaker && self.digits_ok
    }

    /// The decision as the core's match decision.
    pub fn decision(&self) -> MatchDecision {
        if self.passed() {
            MatchDecision::Match
        } else {
            MatchDecision::NoMatch
        }
    }

    /// The claims to sign as evidence (see `certify_core::evidence`): liveness here is the
    /// fresh prompt read correctly; the score is the speaker similarity × 1000.
    pub fn claims(
        &self,
        challenge: &certify_core::evidence::Challenge,
        operator: certify_core::id::ResidentId,
        now: certify_core::time::Timestamp,
        ttl_seconds: i64,
    ) -> certify_core::evidence::EvidenceClaims {
        certify_core::evidence::EvidenceClaims::for_challenge(
            challenge,
            operator,
            self.digits_ok && self.report.issues.is_empty(),
            self.decision(),
            (self.speaker_score * 1000.0).round() as i32,
            now,
            ttl_seconds,
        )
    }
}
