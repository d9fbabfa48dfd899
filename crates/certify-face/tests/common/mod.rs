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

/// The face region of a photo (square, 1.6 × the detection), for composites.
pub fn face_crop(img: &RgbImage) -> RgbImage {
    let d = engine().detect(img).unwrap().into_iter().next().expect("a face");
    let (cx, cy) = d.centre();
    let side = d.width().max(d.height()) * 1.6;
    let x0 = (cx - side / 2.0).max(0.0) as u32;
    let y0 = (cy - side / 2.0).max(0.0) as u32;
    let s = (side as u32).min(img.width() - x0).min(img.height() - y0);
    image::imageops::crop_imm(img, x0, y0, s, s).to_image()
}

/// A synthetic identity card (85.6 × 54 mm at 10 px/mm): light background, text-like
/// stripes, and the given portrait on the right as on a resident identity card.
pub fn card(portrait: &RgbImage) -> RgbImage {
    let mut c = RgbImage::from_fn(856, 540, |x, y| {
        let stripe = (y / 40) % 3 == 0 && (60..420).contains(&x) && (80..460).contains(&y) && (x / 7) % 3 != 0;
        if stripe {
            image::Rgb([70, 70, 90])
        } else {
            image::Rgb([222, 226, 230])
        }
    });
    let p = image::imageops::resize(portrait, 260, 320, image::imageops::FilterType::Triangle);
    image::imageops::overlay(&mut c, &p, 540, 110);
    c
}

/// A selfie holding a card: the card scaled to `card_width` pixels pasted at the lower right.
pub fn selfie_with_card(selfie: &RgbImage, card: &RgbImage, card_width: u32) -> RgbImage {
    let mut s = selfie.clone();
    let h = card.height() * card_width / card.width();
    let small = image::imageops::resize(card, card_width, h, image::imageops::FilterType::Triangle);
    let x = selfie.width().saturating_sub(card_width + 10);
    let y = selfie.height().saturating_sub(h + 10);
    image::imageops::overlay(&mut s, &small, i64::from(x), i64::from(y));
    s
}
