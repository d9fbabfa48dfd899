//! Models from memory (Android assets, an iOS bundle): the engine loaded from the bytes of
//! `models/` gives the same templates as from the directory, and a tampered file is refused.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use certify_face::runtime::{ModelBundle, RuntimeError};
use certify_face::{FaceEngine, FaceEngineConfig, FaceError};
use common::*;

fn model_files() -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(root().join("models"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn load(files: Vec<(String, Vec<u8>)>) -> Result<FaceEngine, FaceError> {
    let bundle = ModelBundle::from_files(files).map_err(FaceError::Runtime)?;
    let mut config = FaceEngineConfig::from_bundle(bundle);
    config.runtime_library = Some(root().join(".deps/onnxruntime/libonnxruntime.so"));
    FaceEngine::load(config)
}

#[test]
fn an_engine_from_model_bytes_gives_the_directorys_templates() {
    let from_bytes = load(model_files()).expect("engine from bytes");
    let img = photo("obama.jpg");
    let a = engine().template(&img).unwrap();
    let b = from_bytes.template(&img).unwrap();
    assert!(a.distance(&b) < 1e-4, "{}", a.distance(&b));
}

#[test]
fn a_tampered_or_missing_model_in_the_bundle_is_refused() {
    // One byte changed in the landmark model: its SHA256SUMS line catches it.
    let mut files = model_files();
    let (_, bytes) = files.iter_mut().find(|(n, _)| n == "mp_face_landmark.onnx").unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    let err = load(files.clone()).expect_err("tampered");
    assert!(
        matches!(&err, FaceError::Runtime(RuntimeError::ModelChecksum { file, .. }) if file == "mp_face_landmark.onnx"),
        "{err}"
    );
    // Without the manifest the hash pinned in code still catches it.
    files.retain(|(n, _)| n != "SHA256SUMS");
    let err = load(files.clone()).expect_err("tampered, no manifest");
    assert!(
        matches!(&err, FaceError::Runtime(RuntimeError::ModelChecksum { .. })),
        "{err}"
    );
    files.retain(|(n, _)| n != "mp_face_landmark.onnx");
    let err = load(files).expect_err("missing");
    assert!(
        matches!(&err, FaceError::Runtime(RuntimeError::ModelMissing { .. })),
        "{err}"
    );
}
