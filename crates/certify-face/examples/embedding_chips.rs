//! Write aligned 150×150 face chips (the embedding model's input, float32 RGB 0..255, NHWC)
//! of every face in the given photographs to one raw file: the calibration data of the int8
//! embedding (`models/reference/quantize_embedding.py`).
//!
//! `cargo run --release -p certify-face --example embedding_chips -- out.f32 group1.jpg group2.jpg ...`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use certify_face::{FaceEngine, FaceEngineConfig};
use std::io::Write;
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out, photos) = args.split_first().expect("usage: embedding_chips <out.f32> <photo>...");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut config = FaceEngineConfig::new(root.join("models"));
    config.runtime_library = Some(root.join(".deps/onnxruntime/libonnxruntime.so"));
    let e = FaceEngine::load(config).expect("engine");
    let mut file = std::fs::File::create(out).unwrap();
    let mut n = 0;
    for p in photos {
        let img = certify_face::image_io::decode(&std::fs::read(p).unwrap()).unwrap();
        for det in e.detect_small(&img).unwrap().iter().filter(|d| d.width() >= 40.0) {
            let lm = e.landmarks(&img, det).unwrap();
            if lm.presence < 0.5 {
                continue;
            }
            let chip = certify_face::embed::Embedder::chip(&img, &lm);
            let bytes: Vec<u8> = chip.iter().flat_map(|v| v.to_le_bytes()).collect();
            file.write_all(&bytes).unwrap();
            n += 1;
        }
    }
    println!("{n} chips in {out}");
}
