//! Vocabulary shared by the face and voice engines and the rules that consume their
//! results. The engines themselves live beside the core; the core only decides.

use serde::{Deserialize, Serialize};

/// A biometric modality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    /// Face (人脸).
    Face,
    /// Voiceprint (声纹).
    Voice,
}

/// A 1:1 comparison's decision at the calibrated threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchDecision {
    /// Same person.
    Match,
    /// Not the same person (or not sure enough).
    NoMatch,
}

/// Why an automatic enrollment review failed: each a reason the person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewIssue {
    /// Too dark: move to the light.
    TooDark,
    /// Too bright: move out of direct light.
    TooBright,
    /// Blurred or shaken: hold still.
    Blurred,
    /// Card and face out of proportion: hold the card further forward.
    BadProportion,
    /// No face found.
    NoFace,
    /// More than one live face.
    SeveralFaces,
    /// Card front or back missing or unreadable.
    CardUnreadable,
    /// The live face does not match the card portrait.
    FaceMismatch,
    /// Speech quality (voice): too quiet, too noisy, clipped, too short.
    PoorAudio,
    /// The spoken digits are not the prompted ones.
    WrongDigits,
    /// Another reason, with its text.
    Other(String),
}
