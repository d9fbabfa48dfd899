//! A simulated head for tests, demos and fuzzing of hosts: observations of a 3-D point
//! head (in eye distances) seen by a phone camera at a given pose, and the same for a flat
//! picture of it. Not an engine: real observations come from the face engine.

use super::FaceObservation;
use super::planarity::POINTS;

/// The 3-D points of [`super::planarity::MESH_POINTS`] on an average head (x right, y
/// down, z toward the camera), in eye distances.
pub const HEAD: [[f32; 3]; POINTS] = [
    [0.0, 0.1, 0.55],
    [0.0, 0.2, 0.45],
    [0.0, -0.3, 0.3],
    [0.0, -0.9, 0.15],
    [0.0, 0.95, 0.1],
    [-0.5, -0.3, 0.05],
    [0.5, -0.3, 0.05],
    [-0.15, -0.3, 0.15],
    [0.15, -0.3, 0.15],
    [-0.3, 0.45, 0.2],
    [0.3, 0.45, 0.2],
    [-0.75, 0.0, -0.35],
    [0.75, 0.0, -0.35],
    [0.0, -0.3, 0.25],
];

/// A pose and expression to observe.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pose {
    /// Degrees, positive toward the image's right.
    pub yaw: f32,
    /// Degrees.
    pub pitch: f32,
    /// Eye aspect ratio.
    pub eye: f32,
    /// Mouth aspect ratio.
    pub mouth: f32,
    /// Face centre, in frame widths.
    pub centre: [f32; 2],
    /// Face width, in frame widths.
    pub size: f32,
}

impl Default for Pose {
    fn default() -> Self {
        Self {
            yaw: 0.0,
            pitch: 0.0,
            eye: 0.3,
            mouth: 0.02,
            centre: [0.5, 0.45],
            size: 0.35,
        }
    }
}

/// The observation of a real head (`flat == false`) or of a flat picture of it turned to
/// the same angles (`flat == true`: the picture's points have no depth).
pub fn observe(p: Pose, flat: bool) -> FaceObservation {
    let (sy, cy) = p.yaw.to_radians().sin_cos();
    let (sp, cp) = p.pitch.to_radians().sin_cos();
    let scale = p.size / 1.6; // a face box is about 1.6 eye distances wide
    let mut points = [[0.0f32; 3]; POINTS];
    for (o, q) in points.iter_mut().zip(HEAD.iter()) {
        let z0 = if flat { 0.0 } else { q[2] };
        // Yaw about the vertical axis, then pitch about the horizontal one.
        let x1 = cy * q[0] + sy * z0;
        let z1 = -sy * q[0] + cy * z0;
        let y2 = cp * q[1] - sp * z1;
        let z2 = sp * q[1] + cp * z1;
        let f = 6.0 / (6.0 - z2);
        // The reported depth is the mesh's belief about a face (it sees a face either way).
        let _ = z2;
        *o = [
            p.centre[0] + scale * x1 * f,
            p.centre[1] + scale * y2 * f,
            -scale * q[2],
        ];
    }
    FaceObservation {
        yaw: p.yaw,
        pitch: p.pitch,
        eye_openness: p.eye,
        mouth_openness: p.mouth,
        centre: p.centre,
        size: p.size,
        face_luma: 120.0,
        scene_luma: 100.0,
        points,
        frame_hash: 0,
    }
}

/// `obs` with the sub-pixel noise of a live camera (deterministic in `k`), so that
/// repeated poses are not identical frames.
pub fn with_noise(mut obs: FaceObservation, k: u32) -> FaceObservation {
    for (i, p) in obs.points.iter_mut().enumerate() {
        let phase = (k as f32) * 1.7 + i as f32;
        p[0] += 2e-4 * phase.sin();
        p[1] += 2e-4 * phase.cos();
    }
    obs.face_luma += 0.3 * ((k as f32) * 0.9).sin();
    obs
}
