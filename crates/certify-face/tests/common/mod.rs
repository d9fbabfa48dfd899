//! Shared engine and photographs for the face tests. The photos and ONNX Runtime come from
//! `scripts/setup.sh` (PyPI packages); without them these tests fail and say so.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use certify_face::{FaceEngine, FaceEngineConfig};
use image::RgbImage;
use std::path::PathBuf;
use std::sync::OnceLock;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn engine() -> &'static FaceEngine {
    static E: OnceLock<FaceEngine> = OnceLock::new();
    E.get_or_init(|| {
        let mut config = FaceEngineConfig::new(root().join("models"));
        config.runtime_library = Some(root().join(".deps/onnxruntime/libonnxruntime.so"));
        FaceEngine::load(config).expect("face engine: run scripts/setup.sh to fetch ONNX Runtime")
    })
}

pub fn photo(name: &str) -> RgbImage {
    let path = root().join(".deps/testdata/face").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run scripts/setup.sh)", path.display()));
    certify_face::image_io::decode(&bytes).unwrap()
}

/// Scale an image by `f` (area-ish resampling via the image crate).
pub fn scaled(img: &RgbImage, f: f32) -> RgbImage {
    let (w, h) = img.dimensions();
    image::imageops::resize(
        img,
        ((w as f32 * f) as u32).max(1),
        ((h as f32 * f) as u32).max(1),
        image::imageops::FilterType::Triangle,
    )
}

pub fn face_crop(img: &RgbImage) -> RgbImage {
    certify_face::testing::face_crop(engine(), img)
        .unwrap()
        .expect("a face")
}

pub fn card(portrait: &RgbImage) -> RgbImage {
    certify_face::testing::card_front(portrait)
}

pub fn selfie_with_card(selfie: &RgbImage, card: &RgbImage, card_width: u32) -> RgbImage {
    certify_face::testing::selfie_with_card(selfie, card, card_width)
}
