//! Composites for tests and demos, built from real photographs: a synthetic identity card
//! with a portrait, its back, and a selfie holding the card. Not for production input.

use image::RgbImage;

use crate::engine::{FaceEngine, FaceError};

/// The face region of a photo (square, 1.6 × the detection), for composites.
pub fn face_crop(engine: &FaceEngine, img: &RgbImage) -> Result<Option<RgbImage>, FaceError> {
    let Some(d) = engine.detect(img)?.into_iter().next() else {
        return Ok(None);
    };
    let (cx, cy) = d.centre();
    let side = d.width().max(d.height()) * 1.6;
    let x0 = (cx - side / 2.0).max(0.0) as u32;
    let y0 = (cy - side / 2.0).max(0.0) as u32;
    let s = (side as u32).min(img.width() - x0).min(img.height() - y0);
    Ok(Some(image::imageops::crop_imm(img, x0, y0, s, s).to_image()))
}

/// A synthetic identity card front (85.6 × 54 mm at 10 px/mm): light background,
/// text-like stripes, the portrait on the right as on a resident identity card.
pub fn card_front(portrait: &RgbImage) -> RgbImage {
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

/// A synthetic identity card back: printed lines, no face.
pub fn card_back() -> RgbImage {
    RgbImage::from_fn(856, 540, |x, y| {
        let ink = (y / 30) % 2 == 0 && (x / 5) % 4 != 0 && (100..800).contains(&x) && (300..500).contains(&y);
        if ink {
            image::Rgb([60, 60, 60])
        } else {
            image::Rgb([230, 232, 228])
        }
    })
}

/// A selfie holding the card: the card scaled to `card_width` pixels at the lower right.
pub fn selfie_with_card(selfie: &RgbImage, card: &RgbImage, card_width: u32) -> RgbImage {
    let mut s = selfie.clone();
    let h = card.height() * card_width / card.width();
    let small = image::imageops::resize(card, card_width, h, image::imageops::FilterType::Triangle);
    let x = selfie.width().saturating_sub(card_width + 10);
    let y = selfie.height().saturating_sub(h + 10);
    image::imageops::overlay(&mut s, &small, i64::from(x), i64::from(y));
    s
}

mod attacks;
mod head;
pub use attacks::{edit_eyes_shut, flat_turn, recapture, reprint, with_sensor_noise};
pub use head::{HeadModel, Pose3};
