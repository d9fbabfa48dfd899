//! The embedding, float32 against int8, on the same face, interleaved (median of 40 each),
//! and the distance between the two models' templates of it.
//!
//! `cargo run --release -p certify-face --example embedding_speed`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use certify_face::{FaceEngine, FaceEngineConfig};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let load = |int8: bool| {
        let mut c = FaceEngineConfig::new(root.join("models"));
        c.runtime_library = Some(root.join(".deps/onnxruntime/libonnxruntime.so"));
        c.int8_embedding = int8;
        FaceEngine::load(c).expect("engine")
    };
    let (fp, q) = (load(false), load(true));
    let img =
        certify_face::image_io::decode(&std::fs::read(root.join(".deps/testdata/face/obama.jpg")).unwrap()).unwrap();
    let face = fp.analyze(&img).unwrap().primary.unwrap();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..40 {
        let t = Instant::now();
        std::hint::black_box(fp.embed(&img, &face).unwrap());
        a.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        std::hint::black_box(q.embed(&img, &face).unwrap());
        b.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let d = fp.embed(&img, &face).unwrap().distance(&q.embed(&img, &face).unwrap());
    println!(
        "embedding p50: float32 {:.2} ms, int8 {:.2} ms (ratio {:.2}); template drift {d:.3}",
        a[20],
        b[20],
        b[20] / a[20]
    );
}
