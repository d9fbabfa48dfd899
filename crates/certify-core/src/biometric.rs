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

impl ReviewIssue {
    /// A stable snake_case code (`"too_dark"`, `"face_mismatch"` …; `"other"` for
    /// [`ReviewIssue::Other`]).
    pub fn code(&self) -> &'static str {
        match self {
            ReviewIssue::TooDark => "too_dark",
            ReviewIssue::TooBright => "too_bright",
            ReviewIssue::Blurred => "blurred",
            ReviewIssue::BadProportion => "bad_proportion",
            ReviewIssue::NoFace => "no_face",
            ReviewIssue::SeveralFaces => "several_faces",
            ReviewIssue::CardUnreadable => "card_unreadable",
            ReviewIssue::FaceMismatch => "face_mismatch",
            ReviewIssue::PoorAudio => "poor_audio",
            ReviewIssue::WrongDigits => "wrong_digits",
            ReviewIssue::Other(_) => "other",
        }
    }

    /// What to tell the person, in Chinese, with what to do next.
    pub fn advice_zh(&self) -> String {
        match self {
            ReviewIssue::TooDark => "照片太暗：请到光线充足的地方重新拍摄".into(),
            ReviewIssue::TooBright => "照片太亮：请避开强光或阳光直射重新拍摄".into(),
            ReviewIssue::Blurred => "照片模糊：请拿稳手机，对好焦后重新拍摄".into(),
            ReviewIssue::BadProportion => "身份证与人脸比例不对：请把身份证举在胸前、人脸旁边重新拍摄".into(),
            ReviewIssue::NoFace => "没有找到人脸：请正对镜头，让脸完整出现在画面中".into(),
            ReviewIssue::SeveralFaces => "画面中有其他人：请只拍本人和手持的身份证".into(),
            ReviewIssue::CardUnreadable => {
                "身份证照片看不清：请分别拍清身份证正面（人像面）和背面（国徽面），手持照中身份证人像要清楚".into()
            }
            ReviewIssue::FaceMismatch => {
                "人脸与身份证照片不符：请本人重新拍摄；多次不符请到社保经办窗口或社区办理".into()
            }
            ReviewIssue::PoorAudio => "录音不清楚：请到安静的地方，靠近手机清楚地读出数字".into(),
            ReviewIssue::WrongDigits => "读出的数字与提示不同：请按屏幕上的数字逐个读出".into(),
            ReviewIssue::Other(text) => match text.split_once(" — ") {
                Some((zh, _)) => format!("{zh}：请按提示重新拍摄"),
                None => "照片不合格：请按提示重新拍摄".into(),
            },
        }
    }

    /// The same advice in English.
    pub fn advice_en(&self) -> String {
        match self {
            ReviewIssue::TooDark => "The photo is too dark: take it again in good light.".into(),
            ReviewIssue::TooBright => "The photo is too bright: take it again out of direct light.".into(),
            ReviewIssue::Blurred => "The photo is blurred: hold the phone still and take it again.".into(),
            ReviewIssue::BadProportion => {
                "Card and face are out of proportion: hold the card in front of you, beside your face.".into()
            }
            ReviewIssue::NoFace => "No face was found: face the camera with your whole face in the picture.".into(),
            ReviewIssue::SeveralFaces => "Someone else is in the picture: only you and your card should be.".into(),
            ReviewIssue::CardUnreadable => {
                "The identity card cannot be read: photograph its front and back clearly, and hold it so its portrait shows in the selfie.".into()
            }
            ReviewIssue::FaceMismatch => {
                "The face does not match the card portrait: the person must take the photo themselves; if it keeps failing, go to a social-insurance counter.".into()
            }
            ReviewIssue::PoorAudio => "The recording is unclear: move somewhere quiet and read the digits close to the phone.".into(),
            ReviewIssue::WrongDigits => "The digits read differ from the prompt: read the digits shown on screen one by one.".into(),
            ReviewIssue::Other(text) => match text.split_once(" — ") {
                Some((_, en)) => format!("{en}; take the photo again."),
                None => "The photo cannot be used: take it again as prompted.".into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ReviewIssue;

    #[test]
    fn every_review_issue_has_a_code_and_advice_in_both_languages() {
        let all = [
            ReviewIssue::TooDark,
            ReviewIssue::TooBright,
            ReviewIssue::Blurred,
            ReviewIssue::BadProportion,
            ReviewIssue::NoFace,
            ReviewIssue::SeveralFaces,
            ReviewIssue::CardUnreadable,
            ReviewIssue::FaceMismatch,
            ReviewIssue::PoorAudio,
            ReviewIssue::WrongDigits,
            ReviewIssue::Other("脸太小 — the face is too small".into()),
        ];
        let mut codes: Vec<&str> = all.iter().map(ReviewIssue::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        for issue in &all {
            let (zh, en) = (issue.advice_zh(), issue.advice_en());
            // Chinese first and saying what to do next; English without Chinese.
            assert!(
                zh.contains('：') && zh.chars().next().is_some_and(|c| !c.is_ascii()),
                "{zh}"
            );
            assert!(!en.is_empty() && en.is_ascii(), "{en}");
            // Serialised, the code is the variant's name.
            if !matches!(issue, ReviewIssue::Other(_)) {
                assert_eq!(serde_json::to_value(issue).unwrap(), issue.code());
            }
        }
        assert_eq!(all[10].advice_zh(), "脸太小：请按提示重新拍摄");
    }
}
