//! What the engine tests of the bridge share: the repository root and a face engine on
//! the shipped models (needs `scripts/setup.sh`).
#![allow(dead_code, clippy::expect_used)]

use certify_face::{FaceEngine, FaceEngineConfig};
use std::path::PathBuf;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The face engine on `models/` with the ONNX Runtime of `scripts/setup.sh`.
pub fn engine() -> FaceEngine {
    let mut config = FaceEngineConfig::new(root().join("models"));
    config.runtime_library = Some(root().join(".deps/onnxruntime/libonnxruntime.so"));
    FaceEngine::load(config).expect("face engine: run scripts/setup.sh")
}

/// The bytes of a test photograph.
pub fn photo_bytes(name: &str) -> Vec<u8> {
    std::fs::read(root().join(".deps/testdata/face").join(name)).expect("run scripts/setup.sh")
}
