//! The calibration set built from the test photographs fetched by `scripts/setup.sh`
//! (used by the `face_calibrate` example and the calibration test).

use crate::embed::FaceTemplate;
use crate::engine::{FaceEngine, FaceError};
use image::RgbImage;
use std::path::Path;

/// Distances of genuine and impostor pairs.
#[derive(Debug, Clone, Default)]
pub struct CalibrationSet {
    /// Same-person distances.
    pub genuine: Vec<f32>,
    /// Different-person distances.
    pub impostor: Vec<f32>,
    /// Known identities used.
    pub known: usize,
    /// Faces found in group photos.
    pub group_faces: usize,
}

fn load(dir: &Path, name: &str) -> Result<RgbImage, FaceError> {
    let bytes = std::fs::read(dir.join(name))
        .map_err(|e| FaceError::Image(crate::image_io::ImageError::Decode(format!("{name}: {e}"))))?;
    Ok(crate::image_io::decode(&bytes)?)
}

/// Altered copies of a photo that must still match it.
pub fn variants(img: &RgbImage) -> Vec<RgbImage> {
    let (w, h) = img.dimensions();
    let map = |f: &dyn Fn(u8) -> u8| RgbImage::from_fn(w, h, |x, y| image::Rgb(img.get_pixel(x, y).0.map(f)));
    let small = image::imageops::resize(img, w / 4, h / 4, image::imageops::FilterType::Triangle);
    let mut jpeg = Vec::new();
    let recompressed = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 30)
        .encode_image(img)
        .ok()
        .and_then(|_| crate::image_io::decode(&jpeg).ok());
    let mut out = vec![
        image::imageops::flip_horizontal(img),
        map(&|v| (f32::from(v) * 0.6) as u8),
        map(&|v| (255.0 - (255.0 - f32::from(v)) * 0.7) as u8),
        image::imageops::resize(&small, w, h, image::imageops::FilterType::Triangle),
    ];
    out.extend(recompressed);
    out
}

/// Build the set from the photos in `dir`.
pub fn build(engine: &FaceEngine, dir: &Path) -> Result<CalibrationSet, FaceError> {
    let mut set = CalibrationSet::default();
    let mut known: Vec<(&str, FaceTemplate)> = Vec::new();
    for (name, who) in [
        ("obama.jpg", "obama"),
        ("obama2.jpg", "obama"),
        ("obama3.jpg", "obama"),
        ("biden.jpg", "biden"),
        ("astronaut.png", "collins"),
    ] {
        let img = load(dir, name)?;
        let t = engine.template(&img)?;
        for v in variants(&img) {
            if let Ok(vt) = engine.template(&v) {
                set.genuine.push(t.distance(&vt));
            }
        }
        known.push((who, t));
    }
    for i in 0..known.len() {
        for j in i + 1..known.len() {
            let d = known[i].1.distance(&known[j].1);
            if known[i].0 == known[j].0 {
                set.genuine.push(d)
            } else {
                set.impostor.push(d)
            }
        }
    }
    set.known = 3;
    for g in 1..=6 {
        let img = load(dir, &format!("group{g}.jpg"))?;
        let faces = engine.detect_small(&img)?;
        let mut group = Vec::new();
        for det in faces.iter().filter(|d| d.width() >= 40.0) {
            let lm = engine.landmarks(&img, det)?;
            if lm.presence < 0.5 {
                continue;
            }
            group.push(engine.embed_landmarks(&img, &lm)?);
        }
        for i in 0..group.len() {
            for j in i + 1..group.len() {
                set.impostor.push(group[i].distance(&group[j]));
            }
            for (_, k) in &known {
                set.impostor.push(group[i].distance(k));
            }
        }
        set.group_faces += group.len();
    }
    Ok(set)
}
