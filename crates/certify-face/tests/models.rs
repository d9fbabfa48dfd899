//! Model files are verified when they load: wrong bytes, missing files and wrong
//! interfaces are typed errors naming the file.
#![allow(missing_docs, clippy::unwrap_used)]

use certify_face::detect::SHORT_RANGE;
use certify_face::embed::FACE_EMBEDDING;
use certify_face::runtime::{Model, ModelSpec, Runtime, RuntimeError};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn a_missing_library_is_a_typed_error_then_the_right_one_loads() {
    // First call in this process: a wrong path is refused without panicking.
    let err = Runtime::load(Some(&PathBuf::from("/nonexistent/libonnxruntime.so"))).unwrap_err();
    assert!(matches!(err, RuntimeError::Library { .. }), "{err}");
    assert!(err.to_string().contains("scripts/setup.sh"));
    let rt = Runtime::load(Some(&root().join(".deps/onnxruntime/libonnxruntime.so"))).unwrap();
    let models = root().join("models");
    assert!(Model::load(&rt, &models, SHORT_RANGE).is_ok());

    // Wrong bytes: a copy with one byte changed.
    let dir = std::env::temp_dir().join(format!("certify-models-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut bytes = std::fs::read(models.join(SHORT_RANGE.file)).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(dir.join(SHORT_RANGE.file), &bytes).unwrap();
    match Model::load(&rt, &dir, SHORT_RANGE).unwrap_err() {
        RuntimeError::ModelChecksum { file, expected, .. } => {
            assert!(file.ends_with(SHORT_RANGE.file));
            assert_eq!(expected, SHORT_RANGE.sha256);
        }
        other => panic!("{other}"),
    }
    // Missing file.
    let missing = Model::load(&rt, &dir, FACE_EMBEDDING).unwrap_err();
    assert!(
        matches!(&missing, RuntimeError::ModelMissing { file, .. } if file.ends_with(FACE_EMBEDDING.file)),
        "{missing}"
    );
    // Right file, wrong interface.
    let wrong = ModelSpec {
        outputs: &[("embedding", &[-1, 256])],
        ..FACE_EMBEDDING
    };
    let err = Model::load(&rt, &models, wrong).unwrap_err();
    assert!(
        matches!(&err, RuntimeError::ModelInterface { reason, .. } if reason.contains("[-1, 128]")),
        "{err}"
    );
    // Not a model at all, unpinned.
    std::fs::write(dir.join("junk.onnx"), b"not a model").unwrap();
    assert!(matches!(
        Model::load_unpinned(&rt, &dir.join("junk.onnx"), SHORT_RANGE),
        Err(RuntimeError::ModelInterface { .. })
    ));
    let _ = std::fs::remove_dir_all(dir);
}
