//! Write the frames of a live head doing liveness actions as JPEG files, for the binding
//! tests (C, Java, Python, Kotlin), which cannot render them: a real photograph re-rendered
//! in 3-D (`certify_face::testing::HeadModel`), with sensor noise per frame.
//!
//! `cargo run -p certify-face --example live_frames -- <photo> <out_dir> shake_head,nod`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use certify_core::liveness::Action;
use certify_face::testing::{HeadModel, with_sensor_noise};
use certify_face::{FaceEngine, FaceEngineConfig};
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, photo, out, actions] = args.as_slice() else {
        eprintln!("usage: live_frames <photo> <out_dir> <action,action,...>");
        std::process::exit(2);
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut config = FaceEngineConfig::new(root.join("models"));
    config.runtime_library = Some(root.join(".deps/onnxruntime/libonnxruntime.so"));
    let engine = FaceEngine::load(config).expect("engine (run scripts/setup.sh)");
    let actions: Vec<Action> = actions
        .split(',')
        .map(|a| serde_json::from_value(serde_json::Value::String(a.to_owned())).expect("an action name"))
        .collect();
    let img = certify_face::image_io::decode(&std::fs::read(photo).expect("photo")).unwrap();
    let head = HeadModel::new(&engine, &img).unwrap();
    let frames = head.perform(&actions).expect("head movements and blinks only");
    std::fs::create_dir_all(out).unwrap();
    for (i, f) in frames.iter().enumerate() {
        let f = with_sensor_noise(f, i as u32);
        let mut bytes = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
            .encode_image(&f)
            .unwrap();
        std::fs::write(PathBuf::from(out).join(format!("frame_{i:03}.jpg")), bytes).unwrap();
    }
    println!("{} frames in {out}", frames.len());
}
