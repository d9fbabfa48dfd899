//! Measure same-person and different-person distances on the test photographs and print
//! the error rates at candidate thresholds:
//! `cargo run --release -p certify-face --example face_calibrate`.
//!
//! Genuine pairs: the three distinct Obama photos, and each known face against altered
//! copies of itself (mirrored, darkened, brightened, downscaled 4×, JPEG-recompressed).
//! Impostor pairs: faces in the same group photo (different people by construction), and
//! each known person against every other face.
#![allow(missing_docs)]

use certify_face::calibration::{Rates, equal_error_rate, threshold_for_fmr};
use certify_face::{FaceEngine, FaceEngineConfig};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    // `--int8`: the int8 embedding model instead.
    let mut config = FaceEngineConfig::new(root.join("models"));
    config.int8_embedding = std::env::args().any(|a| a == "--int8");
    println!(
        "embedding model: {}",
        if config.int8_embedding { "int8" } else { "float32" }
    );
    let e = FaceEngine::load(config)?;
    let set = certify_face::calibration_set::build(&e, &root.join(".deps/testdata/face"))?;
    println!("faces: {} known identities, {} group faces", set.known, set.group_faces);
    println!(
        "genuine pairs {}: min {:.3} max {:.3}",
        set.genuine.len(),
        min(&set.genuine),
        max(&set.genuine)
    );
    println!(
        "impostor pairs {}: min {:.3} max {:.3}",
        set.impostor.len(),
        min(&set.impostor),
        max(&set.impostor)
    );
    for t in [0.4, 0.45, 0.5, 0.55, 0.6] {
        let r = Rates::at(t, &set.genuine, &set.impostor);
        println!(
            "threshold {t:.2}: FMR {}/{} = {:.4}  FNMR {}/{} = {:.4}",
            r.false_matches,
            r.impostor_pairs,
            r.fmr(),
            r.false_non_matches,
            r.genuine_pairs,
            r.fnmr()
        );
    }
    println!(
        "threshold for FMR 0 on this set: {:.3}",
        threshold_for_fmr(&set.impostor, 0.0)
    );
    let (t, eer) = equal_error_rate(&set.genuine, &set.impostor);
    println!("EER {eer:.4} at {t:.3}");
    Ok(())
}

fn min(v: &[f32]) -> f32 {
    v.iter().copied().fold(f32::INFINITY, f32::min)
}
fn max(v: &[f32]) -> f32 {
    v.iter().copied().fold(f32::NEG_INFINITY, f32::max)
}
