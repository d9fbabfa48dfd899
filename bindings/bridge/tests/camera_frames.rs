//! A raw camera frame (RGBA turned sideways, NV21) reaches the engine as the same picture
//! as the JPEG it came from, and malformed frames are refused with their codes. Needs
//! `scripts/setup.sh` (ONNX Runtime, the test photographs).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use certify_bridge::CertifyStatus;
use certify_bridge::engines::{CameraFrame, template_from_frame};
mod common;
use common::{engine, photo_bytes};

fn photo(name: &str) -> certify_face::image_io::RgbImage {
    certify_face::image_io::decode(&photo_bytes(name)).unwrap()
}

/// The photo as a phone's sensor delivers it in portrait use: turned 90° anticlockwise
/// (so 90° clockwise makes it upright), RGBA, with 16 bytes of padding per row.
fn sideways_rgba(img: &certify_face::image_io::RgbImage) -> (Vec<u8>, u32, u32, u32) {
    let (w, h) = img.dimensions();
    let (fw, fh) = (h, w);
    let stride = fw * 4 + 16;
    let mut data = vec![0u8; (stride * fh) as usize];
    for y in 0..fh {
        for x in 0..fw {
            // Upright pixel (ux, uy) is at frame (uy, w - 1 - ux).
            let (ux, uy) = (w - 1 - y, x);
            let p = img.get_pixel(ux, uy).0;
            let at = (y * stride + x * 4) as usize;
            data[at..at + 4].copy_from_slice(&[p[0], p[1], p[2], 255]);
        }
    }
    (data, fw, fh, stride)
}

/// The photo as NV21 (BT.601 full range), even dimensions.
fn nv21(img: &certify_face::image_io::RgbImage) -> (Vec<u8>, u32, u32) {
    let (w, h) = (img.width() & !1, img.height() & !1);
    let mut y_plane = vec![0u8; (w * h) as usize];
    let mut vu = vec![0u8; (w * h / 2) as usize];
    for y in 0..h {
        for x in 0..w {
            let [r, g, b] = img.get_pixel(x, y).0.map(f32::from);
            y_plane[(y * w + x) as usize] = (0.299 * r + 0.587 * g + 0.114 * b).round() as u8;
            if x % 2 == 0 && y % 2 == 0 {
                let v = 128.0 + 0.5 * r - 0.4187 * g - 0.0813 * b;
                let u = 128.0 - 0.1687 * r - 0.3313 * g + 0.5 * b;
                let at = ((y / 2) * w + x) as usize;
                vu[at] = v.round().clamp(0.0, 255.0) as u8;
                vu[at + 1] = u.round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    y_plane.extend(vu);
    (y_plane, w, h)
}

#[test]
fn camera_frames_give_the_same_face_as_the_photo_and_bad_frames_their_codes() {
    let engine = engine();
    let obama = photo("obama.jpg");
    let from_photo = engine.template(&obama).unwrap();
    let same = |t: Vec<f32>| {
        let d = engine.compare(&from_photo, &certify_face::embed::FaceTemplate { embedding: t });
        d.distance
    };

    let (data, width, height, stride) = sideways_rgba(&obama);
    let frame = CameraFrame {
        data: &data,
        width,
        height,
        stride,
        format: "rgba",
        rotation_degrees: 90,
    };
    // Turned upright with the stride's padding skipped, it is the photo, pixel for pixel;
    // turned the wrong way it is not.
    assert!(frame.to_rgb().unwrap() == obama, "RGBA frame turned 90° is the photo");
    let wrong_way = CameraFrame {
        rotation_degrees: 270,
        ..frame
    };
    assert!(wrong_way.to_rgb().unwrap() != obama);
    let upright = same(template_from_frame(&engine, &frame).unwrap());
    assert!(upright < 0.1, "rotated RGBA frame: distance {upright}");

    let (data, width, height) = nv21(&obama);
    let frame = CameraFrame {
        data: &data,
        width,
        height,
        stride: width,
        format: "nv21",
        rotation_degrees: 0,
    };
    let rgb = frame.to_rgb().unwrap();
    let total: u64 = rgb
        .pixels()
        .zip(obama.pixels())
        .map(|(a, b)| a.0.iter().zip(b.0).map(|(x, y)| u64::from(x.abs_diff(y))).sum::<u64>())
        .sum();
    let mean = total as f64 / (f64::from(width * height) * 3.0);
    assert!(
        rgb.dimensions() == (width, height) && mean < 4.0,
        "NV21 frame: mean difference {mean}"
    );
    let d = same(template_from_frame(&engine, &frame).unwrap());
    assert!(d < 0.2, "NV21 frame: distance {d}");

    // Malformed frames: short buffer, unknown format, odd rotation, no face.
    let short = CameraFrame {
        data: &data[..1000],
        ..frame
    };
    assert_eq!(
        template_from_frame(&engine, &short).unwrap_err().status,
        CertifyStatus::ImageBadFrame
    );
    let yuv = CameraFrame {
        format: "yuv420",
        ..frame
    };
    assert_eq!(
        template_from_frame(&engine, &yuv).unwrap_err().status,
        CertifyStatus::InvalidArgument
    );
    let tilted = CameraFrame {
        rotation_degrees: 45,
        ..frame
    };
    assert_eq!(
        template_from_frame(&engine, &tilted).unwrap_err().status,
        CertifyStatus::InvalidArgument
    );
    let grey = vec![128u8; (width * height * 3 / 2) as usize];
    let blank = CameraFrame { data: &grey, ..frame };
    let no_face = template_from_frame(&engine, &blank).unwrap_err();
    assert_eq!(no_face.status, CertifyStatus::FaceQuality);
    assert!(no_face.advice_zh.contains("人脸"), "{}", no_face.advice_zh);
}
