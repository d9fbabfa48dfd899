//! Measure passive anti-spoof models before trusting them: genuine faces (every face in the
//! project's real photographs, as taken and as a phone would deliver them: JPEG-compressed,
//! noisy, darker) against recaptures of the same photographs (a screen: resampled, pixel
//! grid, moiré, gamma, white balance, glare, bezel; a print: lower contrast, paper white,
//! grain, blur). Prints, per model, the false-reject rate on genuine faces and the share of
//! attacks accepted at several thresholds. The attacks are synthetic: the honest limit is
//! that real recaptures differ (see the README's threat model).
//!
//! `cargo run --release -p certify-face --example antispoof_measure`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use certify_face::antispoof::AntispoofKind;
use certify_face::testing::{recapture, reprint, with_sensor_noise};
use certify_face::{FaceEngine, FaceEngineConfig};
use image::RgbImage;
use std::path::PathBuf;

fn jpeg(img: &RgbImage, q: u8) -> RgbImage {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, q)
        .encode_image(img)
        .unwrap();
    certify_face::image_io::decode(&bytes).unwrap()
}

fn darker(img: &RgbImage) -> RgbImage {
    let mut o = img.clone();
    o.iter_mut().for_each(|v| *v = (f32::from(*v) * 0.75) as u8);
    o
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = root.join("../shared/models");
    let mut kinds = vec![AntispoofKind::HumanAntispoof, AntispoofKind::HumanLiveness];
    if shared.join("minifasnet_v2_2.7_80x80.onnx").exists() {
        kinds.push(AntispoofKind::MiniFasNet(shared));
    }
    let photos = [
        "obama.jpg",
        "obama2.jpg",
        "obama3.jpg",
        "biden.jpg",
        "astronaut.png",
        "group1.jpg",
        "group2.jpg",
        "group3.jpg",
        "group4.jpg",
        "group5.jpg",
        "group6.jpg",
    ];
    let images: Vec<RgbImage> = photos
        .iter()
        .map(|p| {
            certify_face::image_io::decode(&std::fs::read(root.join(".deps/testdata/face").join(p)).unwrap()).unwrap()
        })
        .collect();
    for kind in kinds {
        let mut config = FaceEngineConfig::new(root.join("models"));
        config.runtime_library = Some(root.join(".deps/onnxruntime/libonnxruntime.so"));
        config.antispoof = Some(kind.clone());
        let e = FaceEngine::load(config).expect("engine");
        let score_all = |img: &RgbImage| -> Vec<f32> {
            e.detect(img)
                .unwrap()
                .iter()
                .filter(|d| d.width() >= 40.0)
                .map(|d| e.antispoof_score(img, d).unwrap().unwrap())
                .collect()
        };
        let (mut genuine, mut screen, mut print) = (Vec::new(), Vec::new(), Vec::new());
        for (i, img) in images.iter().enumerate() {
            let seed = i as u32;
            for variant in [img.clone(), jpeg(img, 60), with_sensor_noise(img, seed), darker(img)] {
                genuine.extend(score_all(&variant));
            }
            screen.extend(score_all(&recapture(img, seed)));
            screen.extend(score_all(&jpeg(&recapture(img, seed + 50), 70)));
            print.extend(score_all(&reprint(img, seed)));
        }
        let name = match &kind {
            AntispoofKind::MiniFasNet(_) => "MiniFASNet V2+V1SE (reference, not shipped)".to_owned(),
            k => format!("{k:?}"),
        };
        println!(
            "\n{name}: {} genuine, {} screen, {} print faces",
            genuine.len(),
            screen.len(),
            print.len()
        );
        let range = |v: &[f32]| {
            let lo = v.iter().copied().fold(f32::MAX, f32::min);
            let hi = v.iter().copied().fold(f32::MIN, f32::max);
            let mean = v.iter().sum::<f32>() / v.len().max(1) as f32;
            format!("{lo:.2}–{hi:.2} (mean {mean:.2})")
        };
        println!(
            "  scores: genuine {}, screen {}, print {}",
            range(&genuine),
            range(&screen),
            range(&print)
        );
        for t in [0.2f32, 0.3, 0.5, 0.7] {
            let frr = genuine.iter().filter(|s| **s < t).count() as f32 / genuine.len().max(1) as f32;
            let sa = screen.iter().filter(|s| **s >= t).count() as f32 / screen.len().max(1) as f32;
            let pa = print.iter().filter(|s| **s >= t).count() as f32 / print.len().max(1) as f32;
            println!(
                "  threshold {t:.1}: genuine rejected {:5.1}%, screen accepted {:5.1}%, print accepted {:5.1}%",
                100.0 * frr,
                100.0 * sa,
                100.0 * pa
            );
        }
    }
}
