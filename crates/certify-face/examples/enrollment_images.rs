//! Write an enrollment upload set as PNG files, for the binding tests (C, Java, Python),
//! which cannot compose them: from real photographs (`.deps/testdata/face`), a card front
//! with the holder's portrait, its back, a selfie holding the card, the authority's
//! portrait of the holder, a stranger's forged set (his own face on the card), and a photo
//! taken in too little light (the holder's photo at an eighth of its brightness).
//!
//! `cargo run -p certify-face --example enrollment_images -- <photo_dir> <out_dir>`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use certify_face::testing::{card_back, card_front, face_crop, selfie_with_card};
use certify_face::{FaceEngine, FaceEngineConfig};
use std::path::{Path, PathBuf};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, photos, out] = args.as_slice() else {
        eprintln!("usage: enrollment_images <photo_dir> <out_dir>");
        std::process::exit(2);
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut config = FaceEngineConfig::new(root.join("models"));
    config.runtime_library = Some(root.join(".deps/onnxruntime/libonnxruntime.so"));
    let engine = FaceEngine::load(config).expect("engine (run scripts/setup.sh)");
    let photo = |name: &str| {
        let bytes = std::fs::read(Path::new(photos).join(name)).expect("photo (run scripts/setup.sh)");
        certify_face::image_io::decode(&bytes).unwrap()
    };
    let crop = |name: &str| face_crop(&engine, &photo(name)).unwrap().expect("a face");
    let front = card_front(&crop("obama3.jpg"));
    let forged = card_front(&crop("biden.jpg"));
    std::fs::create_dir_all(out).unwrap();
    let save = |name: &str, img: &image::RgbImage| img.save(Path::new(out).join(name)).unwrap();
    save("card_front.png", &front);
    save("card_back.png", &card_back());
    save("selfie.png", &selfie_with_card(&photo("obama.jpg"), &front, 360));
    save("reference.png", &crop("obama2.jpg"));
    save("forged_front.png", &forged);
    save(
        "forged_selfie.png",
        &selfie_with_card(&photo("biden.jpg"), &forged, 360),
    );
    let mut dark = photo("obama.jpg");
    for p in dark.pixels_mut() {
        p.0 = p.0.map(|v| v / 8);
    }
    save("dark_photo.png", &dark);
    eprintln!("enrollment images -> {out}");
}
