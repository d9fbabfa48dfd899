//! Measure what the planarity check sees on real photographs: for each test photo, the
//! head re-rendered in 3-D turning and nodding (what a live head shows) and the same photo
//! as a flat print turned by twice those angles (the waved photo). Prints the pose the
//! engine reads, the homography residual ("parallax"), what the mesh's depth leaves
//! unexplained, their ratio, and the check's verdict; then a summary: the numbers behind
//! `LivenessConfig::min_parallax` and `min_depth_ratio`.
//!
//! `cargo run --release -p certify-face --example liveness_measure`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use certify_core::liveness::LivenessConfig;
use certify_core::liveness::planarity::{depth_residual, looks_three_dimensional, parallax};
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
        let obs = |im: &image::RgbImage| engine.analyze(im).unwrap().observation();
        let base_head = obs(&model.render(Pose3::default())).expect("face");
        let base_flat = obs(&flat_turn(&img, 0.0, 0.0, 3.0, [0.0, 0.0])).expect("face");
        for (axis, angles) in [
            ("yaw", [-20.0f32, -12.0, 12.0, 20.0]),
            ("pitch", [-15.0, -10.0, 10.0, 15.0]),
        ] {
            for a in angles {
                let (y, p) = if axis == "yaw" { (a, 0.0) } else { (0.0, a) };
                let head = obs(&model.render(Pose3 {
                    yaw: y,
                    pitch: p,
                    ..Pose3::default()
                }));
                let flat = obs(&flat_turn(&img, y * 2.0, p * 2.0, 3.0, [0.0, 0.0]));
                for (kind, o, base) in [("head", head, base_head), ("flat", flat, base_flat)] {
                    let Some(o) = o else {
                        println!("{name:14} {kind}  {axis:5} {a:6.1}  (no single face)");
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
    for floor in [c.parallax_pose_deg, c.nod_pitch_deg] {
        for kind in ["head", "flat"] {
            let rows: Vec<_> = seen.iter().filter(|r| r.0 == kind && r.1 >= floor).collect();
            let accepted = rows.iter().filter(|r| r.2).count();
            let (lo, hi) = rows
                .iter()
                .fold((f32::MAX, f32::MIN), |(lo, hi), r| (lo.min(r.3), hi.max(r.3)));
            println!(
                "pose change ≥ {floor:4.1}°: {kind} frames {:2}, accepted as 3-D {accepted:2}, ratio {lo:.2}–{hi:.2}",
                rows.len()
            );
        }
    }
}
