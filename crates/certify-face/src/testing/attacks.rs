//! Presentation attacks an adversary with photographs can make, built from real
//! photographs for tests: a printed photo turned in front of the camera (perspective warp
//! of a flat picture), a crude edit with the eyes shut, a recapture through a screen or a
//! print, and sensor noise so that repeated copies are not byte-identical.

use crate::engine::{FaceEngine, FaceError};
use image::RgbImage;

/// A flat picture of `img` turned by `yaw_deg` about its vertical axis and `pitch_deg`
/// about its horizontal axis, seen by a camera `distance` picture-widths away (the printed
/// photo waved by hand), shifted by `shift` pixels.
pub fn flat_turn(img: &RgbImage, yaw_deg: f32, pitch_deg: f32, distance: f32, shift: [f32; 2]) -> RgbImage {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (cx, cy) = (w / 2.0, h / 2.0);
    let f = distance * w;
    let (sy, cyaw) = yaw_deg.to_radians().sin_cos();
    let (sp, cp) = pitch_deg.to_radians().sin_cos();
    RgbImage::from_fn(img.width(), img.height(), |u, v| {
        // The ray through (u, v) meets the rotated plane at (X, Y) in the picture's frame.
        let (du, dv) = (u as f32 + 0.5 - cx - shift[0], v as f32 + 0.5 - cy - shift[1]);
        // Plane: points X·ex + Y·ey + (0,0,f), ex = (cos yaw, 0, sin yaw) then pitched.
        let ex = [cyaw, 0.0, sy];
        let ey = [-sy * sp, cp, cyaw * sp];
        // Solve du = f·x/z, dv = f·y/z for X, Y: (X·ex + Y·ey)·(f, ·) … as a 2×2 system.
        let a = [f * ex[0] - du * ex[2], f * ey[0] - du * ey[2]];
        let b = [f * ex[1] - dv * ex[2], f * ey[1] - dv * ey[2]];
        let rhs = [du * f - f * 0.0, dv * f];
        let det = a[0] * b[1] - a[1] * b[0];
        if det.abs() < 1e-6 {
            return image::Rgb([0, 0, 0]);
        }
        let x = (rhs[0] * b[1] - a[1] * rhs[1]) / det;
        let y = (a[0] * rhs[1] - rhs[0] * b[0]) / det;
        let (sx, syy) = (x + cx, y + cy);
        if sx < 0.0 || syy < 0.0 || sx >= w - 1.0 || syy >= h - 1.0 {
            return image::Rgb([40, 40, 40]);
        }
        let p = img.get_pixel(sx as u32, syy as u32).0;
        image::Rgb(p)
    })
}

/// A crude edit: the eyes painted over with the skin just below them (a "blink" made
/// from a still).
pub fn edit_eyes_shut(engine: &FaceEngine, img: &RgbImage) -> Result<RgbImage, FaceError> {
    let a = engine.analyze(img)?;
    let face = a.primary.ok_or(FaceError::Quality(a.issues.clone()))?;
    let mut out = img.clone();
    for eye in [[33usize, 133, 159, 145], [263, 362, 386, 374]] {
        let p = |i: usize| face.landmarks.points[i];
        let (x0, x1) = (p(eye[0])[0].min(p(eye[1])[0]), p(eye[0])[0].max(p(eye[1])[0]));
        let (y0, y1) = (p(eye[2])[1] - 3.0, p(eye[3])[1] + 3.0);
        let skin_y = (y1 + (y1 - y0)).min(img.height() as f32 - 1.0) as u32;
        for x in x0.max(0.0) as u32..(x1 as u32).min(img.width()) {
            let skin = *img.get_pixel(x, skin_y);
            for y in y0.max(0.0) as u32..(y1 as u32).min(img.height()) {
                out.put_pixel(x, y, skin);
            }
        }
    }
    Ok(out)
}

/// A photograph recaptured from a screen or a print: downscaled and re-enlarged, a
/// screen-door grid and moiré, a gamma and white-balance shift, a glare spot and a dark
/// bezel at the edges.
pub fn recapture(img: &RgbImage, seed: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    let small = image::imageops::resize(
        img,
        (w / 3).max(1),
        (h / 3).max(1),
        image::imageops::FilterType::Triangle,
    );
    let up = image::imageops::resize(&small, w, h, image::imageops::FilterType::Triangle);
    let phase = seed as f32 * 0.37;
    let (gx, gy) = (w as f32 * 0.7, h as f32 * 0.25);
    RgbImage::from_fn(w, h, |x, y| {
        let p = up.get_pixel(x, y).0;
        let (xf, yf) = (x as f32, y as f32);
        let grid = if x % 3 == 0 || y % 3 == 0 { 0.82 } else { 1.0 };
        let moire = 1.0 + 0.08 * ((xf * 0.9 + yf * 0.35 + phase).sin() * (yf * 0.8).cos());
        let glare = 90.0 * (-((xf - gx).powi(2) + (yf - gy).powi(2)) / (2.0 * (w as f32 * 0.08).powi(2))).exp();
        let bezel = x < w / 25 || x > w - w / 25 || y < h / 25 || y > h - h / 25;
        let mut o = [0u8; 3];
        for c in 0..3 {
            let v = (f32::from(p[c]) / 255.0).powf(0.8) * 255.0;
            let balance = [0.92, 1.0, 1.12][c];
            let v = if bezel {
                12.0
            } else {
                v * grid * moire * balance + glare
            };
            o[c] = v.round().clamp(0.0, 255.0) as u8;
        }
        image::Rgb(o)
    })
}

/// `img` with ±2 levels of deterministic per-pixel noise (different for each `seed`).
pub fn with_sensor_noise(img: &RgbImage, seed: u32) -> RgbImage {
    let mut out = img.clone();
    let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    for v in out.iter_mut() {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        let n = (s % 5) as i16 - 2;
        *v = (i16::from(*v) + n).clamp(0, 255) as u8;
    }
    out
}

/// A photograph printed on paper and photographed again: lower contrast and saturation,
/// warm paper white, paper grain and a slight blur.
pub fn reprint(img: &RgbImage, seed: u32) -> RgbImage {
    let blurred = image::imageops::blur(img, 1.2);
    let noisy = with_sensor_noise(&blurred, seed);
    RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let p = noisy.get_pixel(x, y).0;
        let grey = 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]);
        let grain = (((x.wrapping_mul(7919) ^ y.wrapping_mul(104_729) ^ seed) % 13) as f32 - 6.0) * 1.5;
        let mut o = [0u8; 3];
        for c in 0..3 {
            let desat = 0.7 * f32::from(p[c]) + 0.3 * grey;
            let contrast = 40.0 + desat * 0.72;
            o[c] = (contrast * [1.04, 1.0, 0.9][c] + grain).round().clamp(0.0, 255.0) as u8;
        }
        image::Rgb(o)
    })
}
