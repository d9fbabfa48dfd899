//! The photo check every binding exposes: a good photo is usable; a dark one, one without a
//! face or one with two people says which problem, with advice in Chinese and English;
//! a refused template names the same problems as its reasons. Needs `scripts/setup.sh`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use certify_bridge::CertifyStatus;
use certify_bridge::engines::{Fail, check_photo};
mod common;
use common::{engine, photo_bytes};

fn png(img: &image::RgbImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn codes(check: &certify_bridge::engines::PhotoCheck) -> Vec<&str> {
    check.issues.iter().map(|i| i.code.as_str()).collect()
}

#[test]
fn a_photo_check_names_each_problem_with_its_advice() {
    let engine = engine();
    let good = photo_bytes("obama.jpg");
    let check = check_photo(&engine, &good).unwrap();
    assert!(check.usable, "{check:?}");
    assert!(check.advice_zh.is_empty() && check.issues.iter().all(|i| !i.blocking));

    // The same photo at an eighth of its light.
    let mut dark = certify_face::image_io::decode(&good).unwrap();
    for p in dark.pixels_mut() {
        p.0 = p.0.map(|v| v / 8);
    }
    let check = check_photo(&engine, &png(&dark)).unwrap();
    assert!(!check.usable);
    assert!(codes(&check).contains(&"too_dark"), "{check:?}");
    assert!(check.advice_zh.contains("光线太暗"), "{}", check.advice_zh);
    assert!(check.advice_en.contains("too dark"), "{}", check.advice_en);
    let Err(refused): Result<_, Fail> = engine_template(&engine, &png(&dark)) else {
        panic!("a dark photo gives no template")
    };
    assert_eq!(refused.status, CertifyStatus::FaceQuality);
    let blocking: Vec<&str> = check
        .issues
        .iter()
        .filter(|i| i.blocking)
        .map(|i| i.code.as_str())
        .collect();
    assert_eq!(refused.reasons, blocking, "the refusal names the check's problems");
    assert!(
        refused.message.contains("too dark: move to the light"),
        "{}",
        refused.message
    );

    let grey = image::RgbImage::from_pixel(320, 240, image::Rgb([128, 128, 128]));
    let check = check_photo(&engine, &png(&grey)).unwrap();
    assert_eq!((check.usable, codes(&check)), (false, vec!["no_face"]));
    assert!(check.advice_zh.contains("人脸"));

    // Two people in the picture (the same photograph twice, side by side).
    let one = certify_face::image_io::decode(&good).unwrap();
    let mut two = image::RgbImage::new(one.width() * 2, one.height());
    image::imageops::overlay(&mut two, &one, 0, 0);
    image::imageops::overlay(&mut two, &one, i64::from(one.width()), 0);
    let check = check_photo(&engine, &png(&two)).unwrap();
    assert!(!check.usable && codes(&check).contains(&"several_faces"), "{check:?}");

    let err = check_photo(&engine, b"not an image").unwrap_err();
    assert_eq!(err.status, CertifyStatus::ImageDecode);
}

/// The template call every binding makes, through the bridge's error conversion.
fn engine_template(engine: &certify_face::FaceEngine, bytes: &[u8]) -> Result<Vec<f32>, Fail> {
    let img = certify_face::image_io::decode(bytes).map_err(Fail::of)?;
    Ok(engine.template(&img).map_err(Fail::of)?.embedding)
}
