//! Typed results of the engine calls, shared by every binding: UniFFI maps their fields
//! (checked by the compiler: a renamed field cannot silently become "not passed"), C and
//! JNI hand them over as JSON with the same member names ([`Results::to_json`]).

use certify_core::enrollment::AutomaticReview;
use certify_face::ReferencedReview;
use certify_face::liveness_run::CertificationDecision;
use certify_face::quality::QualityIssue;
use certify_voice::{VoiceDecision, VoiceEnrollment, VoiceTemplate};
use serde::Serialize;

/// JSON text of a result, for the C and JNI boundaries.
pub trait Results: Serialize {
    /// The result as a JSON object.
    fn to_json(&self) -> String {
        // Plain structs of strings, numbers and lists: serialising them cannot fail.
        serde_json::to_string(self).unwrap_or_else(|_| "null".to_owned())
    }
}

/// A challenge as the client receives it.
impl Results for certify_core::evidence::Challenge {}

/// Verified evidence claims as the host stores them.
impl Results for certify_core::evidence::EvidenceClaims {}

/// A 1:1 comparison of face templates, or of a template with a reference portrait.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FaceComparison {
    /// Euclidean distance between the templates (never negative).
    pub distance: f32,
    /// The threshold the decision used: the match threshold, or the portrait threshold.
    pub threshold: f32,
    /// The distance is below the threshold: the same person.
    pub same_person: bool,
}

impl FaceComparison {
    /// The comparison of `distance` at `threshold`, with the engine's `decision`.
    pub fn new(distance: f32, threshold: f32, decision: certify_core::biometric::MatchDecision) -> Self {
        Self {
            distance,
            threshold,
            same_person: decision == certify_core::biometric::MatchDecision::Match,
        }
    }
}

impl Results for FaceComparison {}

/// What one frame did to a liveness run: the core's event with its reason code (failures)
/// and what to tell the person, Chinese first. As JSON, the event's own members
/// (`"event":"action_done","action":"blink","next":"nod"`) beside `reason`, `advice_zh` and
/// `advice_en`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LivenessStep {
    /// The event (`event` names it: "in_progress", "action_done", "passed", a failure …).
    #[serde(flatten)]
    pub event: certify_core::liveness::LivenessEvent,
    /// The failure's stable reason code (`None` while running or passed).
    pub reason: Option<String>,
    /// What to tell the person, in Chinese: the next step, or what to do after a failure.
    pub advice_zh: String,
    /// The same in English.
    pub advice_en: String,
}

impl Results for LivenessStep {}

impl From<&certify_core::liveness::LivenessEvent> for LivenessStep {
    fn from(event: &certify_core::liveness::LivenessEvent) -> Self {
        Self {
            event: event.clone(),
            reason: event.reason().map(str::to_owned),
            advice_zh: event.advice_zh(),
            advice_en: event.advice_en(),
        }
    }
}

/// The decision at the end of a liveness run with the 1:1 match.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LivenessResult {
    /// Liveness, one person throughout, the match and anti-spoof all passed.
    pub passed: bool,
    /// Why it did not pass (a stable snake_case code), `None` when it passed.
    pub reason: Option<String>,
    /// What to tell the person, in Chinese (empty when passed).
    pub advice_zh: String,
    /// The same in English.
    pub advice_en: String,
    /// The run itself passed (actions in order, or silent signs of life).
    pub liveness_passed: bool,
    /// "actions" or "silent".
    pub mode: String,
    /// Frames with a face.
    pub frames: u32,
    /// 3-D parallax at the largest head movement.
    pub parallax: Option<f32>,
    /// Every sampled frame is the same person as the best one.
    pub identity_consistent: bool,
    /// Distance of the best frame to the enrolled template (`None`: not compared).
    pub distance: Option<f32>,
    /// The best frame matched the template.
    pub same_person: Option<bool>,
    /// Passive anti-spoof probability of a real face, when a model is configured.
    pub antispoof: Option<f32>,
    /// The anti-spoof threshold.
    pub antispoof_threshold: f32,
}

impl Results for LivenessResult {}

impl From<&CertificationDecision> for LivenessResult {
    fn from(d: &CertificationDecision) -> Self {
        Self {
            passed: d.passed(),
            reason: d.reason().map(str::to_owned),
            advice_zh: d.advice_zh(),
            advice_en: d.advice_en(),
            liveness_passed: d.liveness_passed,
            mode: crate::engines::variant_name(&d.mode),
            frames: d.frames,
            parallax: d.parallax,
            identity_consistent: d.identity_consistent,
            distance: d.comparison.map(|c| c.distance),
            same_person: d
                .comparison
                .map(|c| c.decision == certify_core::biometric::MatchDecision::Match),
            antispoof: d.antispoof,
            antispoof_threshold: d.antispoof_threshold,
        }
    }
}

/// A voice enrollment: the template when every recording was usable, else what to re-record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoiceEnrollmentResult {
    /// The template, to store apart from identity.
    pub template: Option<VoiceTemplate>,
    /// Per recording, its problems ("too_quiet", "wrong_digits" …): re-prompt those.
    pub issues: Vec<Vec<String>>,
    /// Per recording, what to tell the person about each problem, in Chinese.
    pub advice_zh: Vec<Vec<String>>,
}

impl Results for VoiceEnrollmentResult {}

impl From<VoiceEnrollment> for VoiceEnrollmentResult {
    fn from(e: VoiceEnrollment) -> Self {
        let each = |f: fn(certify_voice::quality::VoiceIssue) -> &'static str| -> Vec<Vec<String>> {
            e.reports
                .iter()
                .map(|r| r.issues.iter().map(|i| f(*i).to_owned()).collect())
                .collect()
        };
        let issues = each(certify_voice::quality::VoiceIssue::code);
        let advice_zh = each(certify_voice::quality::VoiceIssue::advice_zh);
        Self {
            template: e.template,
            issues,
            advice_zh,
        }
    }
}

/// A voice certification decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoiceResult {
    /// Same speaker and the prompted digits heard.
    pub passed: bool,
    /// Same speaker at the threshold.
    pub same_speaker: bool,
    /// Cosine similarity to the template.
    pub speaker_score: f32,
    /// The score normalised against a cohort (`verify_with_cohort`), which then decided
    /// `same_speaker`; absent without a cohort.
    pub speaker_normalized: Option<f32>,
    /// The digits heard.
    pub digits_heard: String,
    /// Why it failed ("too_noisy", "digits_not_heard", "not_same_speaker", "not_live" …;
    /// empty when it passed).
    pub issues: Vec<String>,
    /// What to tell the person about each, in Chinese (with the measured noise or level,
    /// and which digits were not heard).
    pub advice_zh: Vec<String>,
    /// The same in English.
    pub advice_en: Vec<String>,
}

impl Results for VoiceResult {}

impl From<&VoiceDecision> for VoiceResult {
    fn from(d: &VoiceDecision) -> Self {
        Self {
            passed: d.passed(),
            same_speaker: d.same_speaker,
            speaker_score: d.speaker_score,
            speaker_normalized: d.speaker_normalized,
            digits_heard: d.digits.heard.clone(),
            issues: d.refusals().iter().map(|r| r.code().to_owned()).collect(),
            advice_zh: d.advice_zh(),
            advice_en: d.advice_en(),
        }
    }
}

/// The automatic review of an enrollment upload (card front, card back, selfie holding the
/// card), with the live face compared with the authority's portrait when one was given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnrollmentReviewResult {
    /// No issue, and a template to store.
    pub passed: bool,
    /// What is wrong, as stable codes ("too_dark", "card_unreadable", "face_mismatch" …).
    pub issues: Vec<String>,
    /// What to tell the person about each issue, in Chinese (what to do next).
    pub advice_zh: Vec<String>,
    /// The same in English.
    pub advice_en: Vec<String>,
    /// The live face's template (128 floats) when passed: store it apart from identity.
    pub template: Option<Vec<f32>>,
    /// Live face vs the card portrait in the selfie, when both were found.
    pub card_distance: Option<f32>,
    /// Live face vs the authority's portrait, when one was given and held a usable face.
    pub reference_distance: Option<f32>,
    /// Whether an authority portrait was given. Without one, hold a passing upload for
    /// staff (`no_authoritative_portrait`): a client can photograph anyone's card.
    pub had_reference: bool,
    /// The core's review value for `enrollment.submit` (`template_ref` empty: put the
    /// host's reference to the stored template there).
    pub review: AutomaticReview,
}

impl Results for EnrollmentReviewResult {}

impl From<&ReferencedReview> for EnrollmentReviewResult {
    fn from(r: &ReferencedReview) -> Self {
        let issues = &r.review.issues;
        let review = r.review.to_core(String::new());
        Self {
            passed: matches!(review, AutomaticReview::Passed { .. }),
            issues: issues.iter().map(|i| i.code().to_owned()).collect(),
            advice_zh: issues.iter().map(|i| i.advice_zh()).collect(),
            advice_en: issues.iter().map(|i| i.advice_en()).collect(),
            template: r.review.template.as_ref().map(|t| t.embedding.clone()),
            card_distance: r.review.portrait_distance,
            reference_distance: r.reference_distance,
            had_reference: r.had_reference,
            review,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use certify_core::biometric::ReviewIssue;
    use certify_face::EnrollmentReview;

    #[test]
    fn a_liveness_step_is_the_event_with_its_reason_and_advice() {
        use certify_core::liveness::{Action, LivenessEvent};
        let done = LivenessStep::from(&LivenessEvent::ActionDone {
            action: Action::Blink,
            next: Some(Action::Nod),
        });
        let json: serde_json::Value = serde_json::from_str(&done.to_json()).expect("json");
        assert_eq!(
            json,
            serde_json::json!({
                "event": "action_done", "action": "blink", "next": "nod", "reason": null,
                "advice_zh": "很好，下一步：请慢慢点头", "advice_en": done.advice_en,
            })
        );
        let flat = LivenessStep::from(&LivenessEvent::FlatFace);
        let json: serde_json::Value = serde_json::from_str(&flat.to_json()).expect("json");
        assert_eq!(json["event"], "flat_face");
        assert_eq!(json["reason"], "flat_face");
        assert!(
            json["advice_zh"].as_str().is_some_and(|a| a.contains("照片或屏幕")),
            "{json}"
        );
    }

    fn referenced(issues: Vec<ReviewIssue>, template: bool) -> ReferencedReview {
        ReferencedReview {
            review: EnrollmentReview {
                issues,
                template: template.then(|| certify_face::embed::FaceTemplate {
                    embedding: vec![0.5; 128],
                }),
                portrait_distance: Some(0.31),
            },
            reference_distance: Some(0.72),
            had_reference: true,
        }
    }

    #[test]
    fn a_failed_review_carries_codes_advice_and_the_cores_value() {
        let r = EnrollmentReviewResult::from(&referenced(
            vec![ReviewIssue::FaceMismatch, ReviewIssue::TooDark],
            false,
        ));
        assert!(!r.passed && r.template.is_none());
        assert_eq!(r.issues, ["face_mismatch", "too_dark"]);
        assert_eq!(r.advice_zh.len(), 2);
        assert!(r.advice_zh[1].starts_with("照片太暗"), "{:?}", r.advice_zh);
        let json: serde_json::Value = serde_json::from_str(&r.to_json()).expect("json");
        assert_eq!(json["review"]["result"], "failed");
        assert_eq!(json["review"]["issues"][0], "face_mismatch");
        assert_eq!(
            json["reference_distance"].as_f64().map(|d| (d * 100.0).round()),
            Some(72.0)
        );
        // The review value is what `enrollment.submit` reads back.
        let back: AutomaticReview = serde_json::from_value(json["review"].clone()).expect("core value");
        assert_eq!(back, r.review);
    }

    #[test]
    fn a_passed_review_hands_over_the_template() {
        let r = EnrollmentReviewResult::from(&referenced(vec![], true));
        assert!(r.passed && r.issues.is_empty());
        assert_eq!(r.template.as_ref().map(Vec::len), Some(128));
        assert!(matches!(r.review, AutomaticReview::Passed { .. }));
    }
}

/// One problem of a photo, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhotoIssue {
    /// The stable snake_case code (`too_dark`, `eyes_closed`, `no_face` ...).
    pub code: String,
    /// Whether it stops a template being taken (framing problems — too far, too close, off
    /// centre — only matter for live capture and do not).
    pub blocking: bool,
    /// What to tell the person, in Chinese.
    pub advice_zh: String,
    /// The same in English.
    pub advice_en: String,
}

impl From<QualityIssue> for PhotoIssue {
    fn from(issue: QualityIssue) -> Self {
        Self {
            code: issue.code().to_owned(),
            blocking: !issue.is_framing(),
            advice_zh: issue.advice_zh().to_owned(),
            advice_en: issue.advice_en().to_owned(),
        }
    }
}

/// The quality check of a photo: whether a template can be taken from it and, if not, each
/// problem with its advice — what an app shows before the person tries again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

impl Results for PhotoCheck {}

impl PhotoCheck {
    /// From the issues the engine found in a frame.
    pub fn from_issues(found: &[QualityIssue]) -> Self {
        let mut issues: Vec<PhotoIssue> = found.iter().copied().map(PhotoIssue::from).collect();
        issues.sort_by_key(|i| !i.blocking);
        let blocking: Vec<&PhotoIssue> = issues.iter().filter(|i| i.blocking).collect();
        let join = |f: fn(&PhotoIssue) -> &str, sep: &str| blocking.iter().map(|i| f(i)).collect::<Vec<_>>().join(sep);
        Self {
            usable: blocking.is_empty(),
            advice_zh: join(|i| &i.advice_zh, "；"),
            advice_en: join(|i| &i.advice_en, "; "),
            issues,
        }
    }
}
