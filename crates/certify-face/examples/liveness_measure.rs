//! Measure what the planarity check sees on real photographs: for each test photo, the
//! head re-rendered in 3-D turning and nodding (what a live head shows) and the same photo
//! as a flat print turned by twice those angles (the waved photo). Prints the pose the
//! engine reads, the homography residual ("parallax"), what the mesh's depth leaves
//! unexplained, their ratio, and the check's verdict; then a summary: the numbers behind
//! `LivenessConfig::min_parallax` and `min_depth_ratio`.
//!
//! `cargo run --release -p certify-face --example liveness_measure`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use certify_core::liveness::planarity::{depth_residual, looks_three_dimensional, parallax};
use certify_core::liveness::{FaceObservation, LivenessConfig};
use certify_face::testing::{HeadModel, Pose3, flat_turn};
use certify_face::{FaceEngine, FaceEngineConfig};
use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut config = FaceEngineConfig::new(root.join("models"));
    config.runtime_library = Some(root.join(".deps/onnxruntime/libonnxruntime.so"));
    let engine = FaceEngine::load(config).expect("engine (run scripts/setup.sh)");
    let c = LivenessConfig::default();
    let photos = ["obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg", "astronaut.png"];
    // (kind, pose change read, accepted as 3-D)
    let mut seen: Vec<(&str, f32, bool, f32)> = Vec::new();
    println!("photo          kind  axis   angle   yaw    pitch  parallax depth   ratio  3-D");
    for name in photos {
        let bytes = std::fs::read(root.join(".deps/testdata/face").join(name)).expect("photo");
        let img = certify_face::image_io::decode(&bytes).unwrap();
        let model = HeadModel::new(&engine, &img).unwrap();
        // As a liveness run sees them: the face tracked from frame to frame from the rest
        // pose out to each angle in small steps.
        let sweep =
            |frames: &dyn Fn(f32) -> image::RgbImage, target: f32| -> Option<(FaceObservation, FaceObservation)> {
                let first = engine.analyze(&frames(0.0)).unwrap();
                let base = first.observation()?;
                let mut prev = first.primary?.landmarks;
                let mut last = base;
                for k in 1..=8 {
                    let a = engine
                        .analyze_tracked(&frames(target * k as f32 / 8.0), &prev)
                        .unwrap()?;
                    last = a.observation()?;
                    prev = a.primary?.landmarks;
                }
                Some((base, last))
            };
        for (axis, angles) in [
            ("yaw", [-20.0f32, -12.0, 12.0, 20.0]),
            ("pitch", [-15.0, -10.0, 10.0, 15.0]),
        ] {
            for a in angles {
                let is_yaw = axis == "yaw";
                let head_frame = |t: f32| {
                    let (y, p) = if is_yaw { (t, 0.0) } else { (0.0, t) };
                    model.render(Pose3 {
                        yaw: y,
                        pitch: p,
                        ..Pose3::default()
                    })
                };
                let flat_frame = |t: f32| {
                    let (y, p) = if is_yaw { (2.0 * t, 0.0) } else { (0.0, 2.0 * t) };
                    flat_turn(&img, y, p, 3.0, [0.0, 0.0])
                };
                for (kind, pair) in [("head", sweep(&head_frame, a)), ("flat", sweep(&flat_frame, a))] {
                    let Some((base, o)) = pair else {
                        println!("{name:14} {kind}  {axis:5} {a:6.1}  (face lost)");
                        continue;
                    };
                    let px = parallax(&base.points, &o.points).unwrap_or(f32::NAN);
                    let dr = depth_residual(&base.points, &o.points).unwrap_or(f32::NAN);
                    let three_d = looks_three_dimensional(&base.points, &o.points, c.min_parallax, c.min_depth_ratio);
                    let away = (o.yaw - base.yaw).abs().max((o.pitch - base.pitch).abs());
                    seen.push((kind, away, three_d, px / dr));
                    println!(
                        "{name:14} {kind}  {axis:5} {a:6.1}  {:6.1} {:6.1}  {px:.4}  {dr:.4}  {:5.2}  {three_d}",
                        o.yaw - base.yaw,
                        o.pitch - base.pitch,
                        px / dr
                    );
                }
            }
        }
    }
    for kind in ["head", "flat"] {
        let largest = seen.iter().filter(|r| r.0 == kind).map(|r| r.1).fold(0.0f32, f32::max);
        println!("{kind}: largest pose change read {largest:.1}°");
    }
    for floor in [c.parallax_pose_deg, c.nod_pitch_deg] {
        for kind in ["head", "flat"] {
            let rows: Vec<_> = seen.iter().filter(|r| r.0 == kind && r.1 >= floor).collect();
            let accepted = rows.iter().filter(|r| r.2).count();
            let ratios = if rows.is_empty() {
                "—".to_owned()
            } else {
                let (lo, hi) = rows
                    .iter()
                    .fold((f32::MAX, f32::MIN), |(lo, hi), r| (lo.min(r.3), hi.max(r.3)));
                format!("{lo:.2}–{hi:.2}")
            };
            println!(
                "pose change ≥ {floor:4.1}°: {kind} frames {:2}, accepted as 3-D {accepted:2}, ratio {ratios}",
                rows.len()
            );
        }
    }
}
