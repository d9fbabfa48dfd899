//! Photo quality with reasons an elderly person can act on: too dark or bright (mean
//! luminance in the face box), blur or shake (variance of the Laplacian of the face),
//! face too small, too large, off-centre or partly outside the frame, several faces or
//! none, eyes closed, head turned too far. Every threshold is configuration.

use crate::detect::Detection;
use crate::geometry::{Border, warp_affine};
use crate::mesh::FaceMeasures;
use image::RgbImage;
use serde::{Deserialize, Serialize};

/// Thresholds of the quality checks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct QualityConfig {
    /// Mean luminance (0–255) of the face below which it is too dark.
    pub min_luminance: f32,
    /// Mean luminance above which it is too bright.
    pub max_luminance: f32,
    /// Variance of the Laplacian of the face (resampled to 128 px) below which it is blurred.
    pub min_sharpness: f32,
    /// Face box width over the frame's shorter side: below is too small.
    pub min_face_fraction: f32,
    /// Above is too large (too close).
    pub max_face_fraction: f32,
    /// Largest distance of the face centre from the frame centre, as a fraction of the frame.
    pub max_centre_offset: f32,
    /// Eye openness below which the eyes count as closed.
    pub min_eye_openness: f32,
    /// Largest head turn or nod (degrees) for a frontal photo.
    pub max_pose_deg: f32,
}

impl Default for QualityConfig {
    fn default() -> Self {
        Self {
            min_luminance: 50.0,
            max_luminance: 215.0,
            min_sharpness: 25.0,
            min_face_fraction: 0.15,
            max_face_fraction: 0.9,
            max_centre_offset: 0.3,
            min_eye_openness: 0.14,
            max_pose_deg: 25.0,
        }
    }
}

/// A quality problem and what to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityIssue {
    /// No face found.
    NoFace,
    /// More than one face.
    SeveralFaces,
    /// Too dark.
    TooDark,
    /// Too bright.
    TooBright,
    /// Blurred or shaken.
    Blurred,
    /// Face too small (too far away).
    FaceTooSmall,
    /// Face too large (too close).
    FaceTooLarge,
    /// Face not in the middle.
    OffCentre,
    /// Part of the face outside the picture.
    PartlyOutOfFrame,
    /// Eyes closed.
    EyesClosed,
    /// Head turned or tilted too far.
    NotFrontal,
}

impl QualityIssue {
    /// Every issue, in declaration order.
    pub const ALL: [QualityIssue; 11] = [
        QualityIssue::NoFace,
        QualityIssue::SeveralFaces,
        QualityIssue::TooDark,
        QualityIssue::TooBright,
        QualityIssue::Blurred,
        QualityIssue::FaceTooSmall,
        QualityIssue::FaceTooLarge,
        QualityIssue::OffCentre,
        QualityIssue::PartlyOutOfFrame,
        QualityIssue::EyesClosed,
        QualityIssue::NotFrontal,
    ];

    /// Whether the issue is about framing (size and position in the picture) rather than
    /// about the face itself: framing matters for live capture, not for an uploaded photo.
    pub const fn is_framing(self) -> bool {
        matches!(
            self,
            QualityIssue::FaceTooSmall | QualityIssue::FaceTooLarge | QualityIssue::OffCentre
        )
    }

    /// The stable snake_case code (`too_dark`), as the issue serialises.
    pub const fn code(self) -> &'static str {
        match self {
            QualityIssue::NoFace => "no_face",
            QualityIssue::SeveralFaces => "several_faces",
            QualityIssue::TooDark => "too_dark",
            QualityIssue::TooBright => "too_bright",
            QualityIssue::Blurred => "blurred",
            QualityIssue::FaceTooSmall => "face_too_small",
            QualityIssue::FaceTooLarge => "face_too_large",
            QualityIssue::OffCentre => "off_centre",
            QualityIssue::PartlyOutOfFrame => "partly_out_of_frame",
            QualityIssue::EyesClosed => "eyes_closed",
            QualityIssue::NotFrontal => "not_frontal",
        }
    }

    /// What to tell the person (Chinese, then English).
    pub const fn advice(self) -> &'static str {
        match self {
            QualityIssue::NoFace => "没有找到人脸，请把脸放进框内 — no face found: put your face inside the frame",
            QualityIssue::SeveralFaces => {
                "画面中有多张人脸，请只留本人 — several faces: only you should be in the picture"
            }
            QualityIssue::TooDark => "光线太暗，请到亮处 — too dark: move to the light",
            QualityIssue::TooBright => "光线太强，请避开强光 — too bright: move out of direct light",
            QualityIssue::Blurred => "照片模糊，请拿稳手机 — blurred: hold the phone still",
            QualityIssue::FaceTooSmall => "离得太远，请靠近一些 — too far away: come closer",
            QualityIssue::FaceTooLarge => "离得太近，请离远一些 — too close: hold the phone further away",
            QualityIssue::OffCentre => "请把脸放在画面中间 — put your face in the middle",
            QualityIssue::PartlyOutOfFrame => "脸部不完整，请整张脸进入画面 — part of your face is outside the picture",
            QualityIssue::EyesClosed => "请睁开眼睛 — please open your eyes",
            QualityIssue::NotFrontal => "请正对手机 — please face the phone",
        }
    }

    /// What to tell the person, in Chinese.
    pub fn advice_zh(self) -> &'static str {
        self.advice().split_once(" — ").map_or(self.advice(), |(zh, _)| zh)
    }

    /// What to tell the person, in English.
    pub fn advice_en(self) -> &'static str {
        self.advice().split_once(" — ").map_or(self.advice(), |(_, en)| en)
    }
}

/// Mean luminance (BT.601) of the pixels inside `bbox` (clipped to the image).
pub fn mean_luminance(img: &RgbImage, bbox: &[f32; 4]) -> f32 {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let x0 = bbox[0].clamp(0.0, w - 1.0) as u32;
    let y0 = bbox[1].clamp(0.0, h - 1.0) as u32;
    let x1 = bbox[2].clamp(1.0, w) as u32;
    let y1 = bbox[3].clamp(1.0, h) as u32;
    // About 40,000 samples on a regular grid (every `step`-th row and column).
    let area = f64::from(x1.saturating_sub(x0)) * f64::from(y1.saturating_sub(y0));
    let step = ((area / 40_000.0).sqrt().floor() as usize).max(1);
    let (raw, stride) = (img.as_raw(), img.width() as usize * 3);
    let (mut sum, mut n) = (0u64, 0u64);
    for y in (y0 as usize..y1 as usize).step_by(step) {
        let row = &raw[y * stride..(y + 1) * stride];
        for p in row[x0 as usize * 3..x1 as usize * 3].chunks_exact(3).step_by(step) {
            // BT.601 in fixed point (×1000).
            sum += 299 * u64::from(p[0]) + 587 * u64::from(p[1]) + 114 * u64::from(p[2]);
            n += 1;
        }
    }
    let sum = sum as f64 / 1000.0;
    if n == 0 { 0.0 } else { (sum / n as f64) as f32 }
}

/// Variance of the 4-neighbour Laplacian of the face box resampled to 128×128 grey: low
/// values mean blur. Resampling makes the number independent of the photo's resolution.
pub fn sharpness(img: &RgbImage, bbox: &[f32; 4]) -> f32 {
    const S: usize = 128;
    let bw = f64::from((bbox[2] - bbox[0]).max(1.0));
    let bh = f64::from((bbox[3] - bbox[1]).max(1.0));
    let m = [
        [S as f64 / bw, 0.0, -f64::from(bbox[0]) * S as f64 / bw],
        [0.0, S as f64 / bh, -f64::from(bbox[1]) * S as f64 / bh],
    ];
    let rgb = warp_affine(img, &m, S, S, Border::Replicate);
    let grey: Vec<f32> = rgb
        .chunks_exact(3)
        .map(|p| 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2])
        .collect();
    let mut vals = Vec::with_capacity((S - 2) * (S - 2));
    for y in 1..S - 1 {
        for x in 1..S - 1 {
            let c = grey[y * S + x];
            vals.push(
                grey[(y - 1) * S + x] + grey[(y + 1) * S + x] + grey[y * S + x - 1] + grey[y * S + x + 1] - 4.0 * c,
            );
        }
    }
    let n = vals.len() as f32;
    let mean = vals.iter().sum::<f32>() / n;
    vals.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n
}

/// The numbers behind a quality judgement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QualityMeasures {
    /// Mean luminance of the face.
    pub luminance: f32,
    /// Laplacian variance of the face.
    pub sharpness: f32,
    /// Face width over the frame's shorter side.
    pub face_fraction: f32,
    /// Distance of the face centre from the frame centre over the frame size.
    pub centre_offset: f32,
}

/// Measure and judge the primary face of a frame.
pub fn assess(
    img: &RgbImage,
    det: &Detection,
    measures: Option<&FaceMeasures>,
    config: &QualityConfig,
) -> (QualityMeasures, Vec<QualityIssue>) {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (cx, cy) = det.centre();
    let q = QualityMeasures {
        luminance: mean_luminance(img, &det.bbox),
        sharpness: sharpness(img, &det.bbox),
        face_fraction: det.width() / w.min(h),
        centre_offset: ((cx / w - 0.5).powi(2) + (cy / h - 0.5).powi(2)).sqrt(),
    };
    let mut issues = Vec::new();
    if q.luminance < config.min_luminance {
        issues.push(QualityIssue::TooDark);
    }
    if q.luminance > config.max_luminance {
        issues.push(QualityIssue::TooBright);
    }
    if q.sharpness < config.min_sharpness {
        issues.push(QualityIssue::Blurred);
    }
    if q.face_fraction < config.min_face_fraction {
        issues.push(QualityIssue::FaceTooSmall);
    }
    if q.face_fraction > config.max_face_fraction {
        issues.push(QualityIssue::FaceTooLarge);
    }
    let margin = det.width() * 0.05;
    if det.bbox[0] < -margin || det.bbox[1] < -margin || det.bbox[2] > w + margin || det.bbox[3] > h + margin {
        issues.push(QualityIssue::PartlyOutOfFrame);
    } else if q.centre_offset > config.max_centre_offset {
        issues.push(QualityIssue::OffCentre);
    }
    if let Some(m) = measures {
        if m.eye_openness < config.min_eye_openness {
            issues.push(QualityIssue::EyesClosed);
        }
        if m.pose.yaw.abs() > config.max_pose_deg || m.pose.pitch.abs() > config.max_pose_deg {
            issues.push(QualityIssue::NotFrontal);
        }
    }
    (q, issues)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::QualityIssue::{self, *};

    #[test]
    fn every_issue_has_its_serialised_code_and_advice_in_both_languages() {
        for issue in QualityIssue::ALL {
            let serialised = serde_json::to_string(&issue).unwrap();
            assert_eq!(serialised, format!("\"{}\"", issue.code()));
            assert!(
                issue.advice_zh().chars().any(|c| c > '\u{2e80}'),
                "{issue:?}: Chinese first"
            );
            assert!(
                issue.advice_en().is_ascii() && !issue.advice_en().is_empty(),
                "{issue:?}"
            );
        }
    }

    #[test]
    fn the_error_message_gives_the_advice_not_a_debug_list() {
        let e = crate::FaceError::Quality(vec![TooDark, EyesClosed]);
        assert_eq!(
            e.to_string(),
            "the photo is not usable: too dark: move to the light; please open your eyes"
        );
    }
}
