//! 468-point face mesh (MediaPipe FaceMesh) on a rotated crop around a detection, and the
//! measures liveness and quality need: eye openness (eye aspect ratio), mouth openness
//! (mouth aspect ratio), head pose.

use crate::detect::Detection;
use crate::geometry::{Affine, Border, apply, invert, warp_affine};
use crate::runtime::{Model, ModelSpec, RuntimeError};
use image::RgbImage;
use serde::Serialize;

/// MediaPipe face_landmark (PyPI mediapipe 0.10.14, converted with tf2onnx).
pub const FACE_LANDMARK: ModelSpec = ModelSpec {
    file: "mp_face_landmark.onnx",
    sha256: "d3c4fc141892118078e7eff6b4dcbda75db1c01016c6c3929dcb7cebe22b1cb1",
    inputs: &[("input_1", &[1, 192, 192, 3])],
    outputs: &[("conv2d_21", &[1, 1, 1, 1404]), ("conv2d_31", &[1, 1, 1, 1])],
};

const CROP: usize = 192;

/// Landmark indices of the canonical mesh.
mod idx {
    pub const RIGHT_EYE: [usize; 6] = [33, 160, 158, 133, 153, 144];
    pub const LEFT_EYE: [usize; 6] = [263, 387, 385, 362, 380, 373];
    pub const UPPER_LIP: usize = 13;
    pub const LOWER_LIP: usize = 14;
    pub const MOUTH_RIGHT: usize = 78;
    pub const MOUTH_LEFT: usize = 308;
    pub const NOSE_TIP: usize = 1;
    pub const CONTOUR_RIGHT: usize = 234;
    pub const CONTOUR_LEFT: usize = 454;
    pub const FOREHEAD: usize = 10;
    pub const CHIN: usize = 152;
}

/// 468 landmarks in image pixels (z in the same scale, smaller is nearer the camera).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Landmarks {
    /// Points.
    pub points: Vec<[f32; 3]>,
    /// The model's face-presence confidence 0..1 (low: the crop holds no face).
    pub presence: f32,
}

/// Head pose in degrees. Yaw > 0: the face turns toward the image's right; pitch > 0: the
/// chin is raised; roll > 0: the head tilts clockwise in the image.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HeadPose {
    /// Left–right turn.
    pub yaw: f32,
    /// Up–down nod.
    pub pitch: f32,
    /// In-plane tilt.
    pub roll: f32,
}

/// What liveness and quality checks read from one face.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FaceMeasures {
    /// Eye aspect ratio, mean of both eyes (open ≈ 0.25–0.35, closed < 0.15).
    pub eye_openness: f32,
    /// Inner-lip gap over mouth width (closed ≈ 0, open > 0.3).
    pub mouth_openness: f32,
    /// Head pose.
    pub pose: HeadPose,
    /// Nose position between the face contours, −1..1 (0 frontal): a model-free yaw cue.
    pub yaw_ratio: f32,
}

/// The FaceMesh model.
#[derive(Debug)]
pub struct FaceMesh {
    model: Model,
}

fn dist(a: &[f32; 3], b: &[f32; 3]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

impl FaceMesh {
    /// Wrap the loaded model.
    pub fn new(model: Model) -> Self {
        Self { model }
    }

    /// The rotated square crop transform around a detection (MediaPipe style): centred on
    /// the box, side 1.5 × the box, rotated to level the eyes.
    pub fn crop_transform(det: &Detection) -> (Affine, f64) {
        let (cx, cy) = det.centre();
        let (cx, cy) = (f64::from(cx), f64::from(cy));
        let size = f64::from(det.width().max(det.height())) * 1.5;
        let [re, le] = [det.keypoints[0], det.keypoints[1]];
        let angle = f64::from(le[1] - re[1]).atan2(f64::from(le[0] - re[0]));
        let scale = CROP as f64 / size.max(1.0);
        let (a, b) = (scale * angle.cos(), scale * angle.sin());
        let half = CROP as f64 / 2.0;
        (
            [
                [a, b, (1.0 - a) * cx - b * cy + half - cx],
                [-b, a, b * cx + (1.0 - a) * cy + half - cy],
            ],
            size,
        )
    }

    /// Landmarks of the face found by `det`.
    pub fn landmarks(&self, img: &RgbImage, det: &Detection) -> Result<Landmarks, RuntimeError> {
        let (fwd, size) = Self::crop_transform(det);
        let mut crop = warp_affine(img, &fwd, CROP, CROP, Border::Zero);
        for v in &mut crop {
            *v /= 255.0;
        }
        let outs = self.model.run_f32(&[1, CROP, CROP, 3], &crop)?;
        let inv = invert(&fwd).unwrap_or([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]);
        let zscale = (size / CROP as f64) as f32;
        let points = outs[0]
            .1
            .chunks_exact(3)
            .map(|p| {
                let (x, y) = apply(&inv, f64::from(p[0]), f64::from(p[1]));
                [x as f32, y as f32, p[2] * zscale]
            })
            .collect();
        let logit = outs[1].1.first().copied().unwrap_or(-100.0);
        Ok(Landmarks {
            points,
            presence: 1.0 / (1.0 + (-logit).exp()),
        })
    }
}

impl Landmarks {
    fn p(&self, i: usize) -> &[f32; 3] {
        &self.points[i]
    }

    /// The bounding box of the points `[x0, y0, x1, y1]`.
    pub fn bounds(&self) -> [f32; 4] {
        self.points
            .iter()
            .fold([f32::MAX, f32::MAX, f32::MIN, f32::MIN], |b, p| {
                [b[0].min(p[0]), b[1].min(p[1]), b[2].max(p[0]), b[3].max(p[1])]
            })
    }

    /// A detection standing for this face in the next frame (tracking, as MediaPipe does):
    /// the points' bounding box, the eye centres, nose tip, mouth centre and cheek edges as
    /// keypoints. Feeding it to the mesh skips the detector.
    pub fn to_detection(&self) -> Option<Detection> {
        if self.points.len() < 468 {
            return None;
        }
        let mid = |a: usize, b: usize| {
            let (p, q) = (self.p(a), self.p(b));
            [(p[0] + q[0]) / 2.0, (p[1] + q[1]) / 2.0]
        };
        let at = |i: usize| [self.p(i)[0], self.p(i)[1]];
        Some(Detection {
            bbox: self.bounds(),
            keypoints: [mid(33, 133), mid(263, 362), at(1), mid(13, 14), at(234), at(454)],
            score: self.presence,
        })
    }

    /// Eye aspect ratio of one eye (6 indices: outer, top1, top2, inner, bottom2, bottom1).
    pub fn eye_aspect_ratio(&self, eye: &[usize; 6]) -> f32 {
        let p = |k: usize| self.p(eye[k]);
        (dist(p(1), p(5)) + dist(p(2), p(4))) / (2.0 * dist(p(0), p(3)).max(1e-3))
    }

    /// The five alignment points: image-left eye centre, image-right eye centre, nose tip,
    /// image-left and image-right mouth corners.
    pub fn five_points(&self) -> [(f64, f64); 5] {
        let mid = |a: usize, b: usize| {
            let (p, q) = (self.p(a), self.p(b));
            (f64::from(p[0] + q[0]) / 2.0, f64::from(p[1] + q[1]) / 2.0)
        };
        let pt = |i: usize| (f64::from(self.p(i)[0]), f64::from(self.p(i)[1]));
        [mid(33, 133), mid(263, 362), pt(1), pt(61), pt(291)]
    }

    /// Eye, mouth and pose measures.
    pub fn measures(&self) -> FaceMeasures {
        let eye_openness = (self.eye_aspect_ratio(&idx::RIGHT_EYE) + self.eye_aspect_ratio(&idx::LEFT_EYE)) / 2.0;
        let mouth_openness = dist(self.p(idx::UPPER_LIP), self.p(idx::LOWER_LIP))
            / dist(self.p(idx::MOUTH_RIGHT), self.p(idx::MOUTH_LEFT)).max(1e-3);
        // Roll from the eye line; then un-roll the points to read yaw and pitch from depth.
        let (r, l) = (self.p(idx::RIGHT_EYE[0]), self.p(idx::LEFT_EYE[0]));
        let roll = (l[1] - r[1]).atan2(l[0] - r[0]);
        let (c, s) = (roll.cos(), roll.sin());
        let unroll = |p: &[f32; 3]| [p[0] * c + p[1] * s, -p[0] * s + p[1] * c, p[2]];
        let (cr, cl) = (unroll(self.p(idx::CONTOUR_RIGHT)), unroll(self.p(idx::CONTOUR_LEFT)));
        let (top, chin) = (unroll(self.p(idx::FOREHEAD)), unroll(self.p(idx::CHIN)));
        // Turning toward image-right brings the image-left contour nearer (smaller z).
        let yaw = (cr[2] - cl[2]).atan2(cl[0] - cr[0]).to_degrees();
        let pitch = (chin[2] - top[2]).atan2(chin[1] - top[1]).to_degrees();
        let n = self.p(idx::NOSE_TIP)[0];
        let (xl, xr) = (self.p(idx::CONTOUR_RIGHT)[0], self.p(idx::CONTOUR_LEFT)[0]);
        let yaw_ratio = ((n - xl) / (xr - xl).abs().max(1e-3) - 0.5) * 2.0;
        FaceMeasures {
            eye_openness,
            mouth_openness,
            pose: HeadPose {
                yaw: -yaw,
                pitch: -pitch,
                roll: roll.to_degrees(),
            },
            yaw_ratio,
        }
    }
}
