//! One continuous capture of one face: between two consecutive frames a real head moves,
//! turns, comes closer and changes light only so much. Stills of different moments (other
//! photos, a mirrored copy, another person) jump; repeated copies of one frame do not
//! change at all. Both are refused.

use super::{FaceObservation, LivenessConfig};
use serde::{Deserialize, Serialize};

/// What jumped between two consecutive frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discontinuity {
    /// The face moved further than a moving head can between two frames.
    Position,
    /// The face size changed too much at once.
    Scale,
    /// Yaw or pitch jumped (an action must pass through intermediate poses).
    Pose,
    /// The light on the face changed at once.
    FaceLight,
    /// The picture around the face changed at once (another photo, another place).
    SceneLight,
}

/// Compare two consecutive observations: the first rule they break, if any.
pub fn step(prev: &FaceObservation, next: &FaceObservation, c: &LivenessConfig) -> Option<Discontinuity> {
    let size = prev.size.max(next.size).max(1e-6);
    let dx = next.centre[0] - prev.centre[0];
    let dy = next.centre[1] - prev.centre[1];
    if exceeds((dx * dx + dy * dy).sqrt() / size, c.max_step_position) {
        return Some(Discontinuity::Position);
    }
    let ratio = next.size.max(1e-6) / prev.size.max(1e-6);
    if exceeds(ratio.ln().abs(), (1.0 + c.max_step_scale).ln()) {
        return Some(Discontinuity::Scale);
    }
    if exceeds((next.yaw - prev.yaw).abs(), c.max_step_pose_deg)
        || exceeds((next.pitch - prev.pitch).abs(), c.max_step_pose_deg)
    {
        return Some(Discontinuity::Pose);
    }
    if exceeds((next.face_luma - prev.face_luma).abs(), c.max_step_face_luma) {
        return Some(Discontinuity::FaceLight);
    }
    if exceeds((next.scene_luma - prev.scene_luma).abs(), c.max_step_scene_luma) {
        return Some(Discontinuity::SceneLight);
    }
    None
}

/// Whether a change is over its limit (anything not a number is).
fn exceeds(change: f32, limit: f32) -> bool {
    !change.is_finite() || change > limit
}

/// Whether two observations are of identical frames: the same frame sent again. A live
/// camera's noise changes the pixels (and moves the landmarks by a fraction of a pixel)
/// in every frame. Uses the pixel hashes when the engine gave them.
pub fn identical(a: &FaceObservation, b: &FaceObservation) -> bool {
    if a.frame_hash != 0 && b.frame_hash != 0 {
        return a.frame_hash == b.frame_hash;
    }
    a.points == b.points && a.face_luma == b.face_luma && a.scene_luma == b.scene_luma
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::liveness::simulate::{Pose, observe};

    fn rest() -> FaceObservation {
        observe(Pose::default(), false)
    }

    #[test]
    fn small_moves_pass_and_jumps_are_named() {
        let c = LivenessConfig::default();
        let a = rest();
        let mut b = rest();
        b.centre[0] += 0.02;
        b.yaw += 4.0;
        b.face_luma += 3.0;
        assert_eq!(step(&a, &b, &c), None);
        let mut far = rest();
        far.centre[0] += 0.3;
        assert_eq!(step(&a, &far, &c), Some(Discontinuity::Position));
        let mut big = rest();
        big.size *= 1.6;
        assert_eq!(step(&a, &big, &c), Some(Discontinuity::Scale));
        let mut turned = rest();
        turned.yaw += 25.0;
        assert_eq!(step(&a, &turned, &c), Some(Discontinuity::Pose));
        let mut lit = rest();
        lit.face_luma += 60.0;
        assert_eq!(step(&a, &lit, &c), Some(Discontinuity::FaceLight));
        let mut scene = rest();
        scene.scene_luma -= 50.0;
        assert_eq!(step(&a, &scene, &c), Some(Discontinuity::SceneLight));
        let mut nan = rest();
        nan.centre[0] = f32::NAN;
        assert_eq!(step(&a, &nan, &c), Some(Discontinuity::Position));
    }

    #[test]
    fn identical_frames_are_seen() {
        assert!(identical(&rest(), &rest()));
        let mut b = rest();
        b.points[3][1] += 1e-4;
        assert!(!identical(&rest(), &b));
        // With pixel hashes, the hashes decide (tracking may move landmarks on one image).
        let (mut x, mut y) = (rest(), b);
        x.frame_hash = 42;
        y.frame_hash = 42;
        assert!(identical(&x, &y));
        y.frame_hash = 43;
        assert!(!identical(&x, &y));
    }
}
