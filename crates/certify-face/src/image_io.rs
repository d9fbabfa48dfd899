//! Image input: encoded JPEG/PNG (EXIF orientation applied), or raw camera frames (RGBA or
//! NV21 with width, height, stride and rotation). Oversized inputs are refused from their
//! header, before any pixel is decoded (decompression bombs).

use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

/// An upright RGB picture, what every engine call takes.
pub use image::RgbImage;
use std::io::Cursor;

/// Largest encoded input accepted.
pub const MAX_ENCODED_BYTES: usize = 32 * 1024 * 1024;
/// Largest width or height accepted.
pub const MAX_SIDE: u32 = 8192;
/// Largest pixel count accepted (about 40 megapixels).
pub const MAX_PIXELS: u64 = 40_000_000;

/// Why an image was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// No bytes.
    #[error("the image is empty")]
    Empty,
    /// More bytes, pixels or side length than allowed.
    #[error(
        "the image is too large ({width}×{height}, {bytes} bytes); at most {MAX_SIDE} px a side and {MAX_PIXELS} pixels"
    )]
    TooLarge {
        /// Width from the header (0 if unknown).
        width: u32,
        /// Height from the header (0 if unknown).
        height: u32,
        /// Encoded size.
        bytes: usize,
    },
    /// Too small to hold a face.
    #[error("the image is too small ({width}×{height}); at least 64×64")]
    TooSmall {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
    },
    /// Not a JPEG or PNG, or corrupt.
    #[error("the image cannot be decoded: {0}")]
    Decode(String),
    /// A raw frame whose buffer does not match its declared geometry.
    #[error("the raw frame buffer does not match its size: {0}")]
    BadFrame(String),
}

/// Layout of a raw camera frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameFormat {
    /// 4 bytes per pixel, R G B A.
    Rgba8,
    /// Android's default camera format: full-resolution Y plane, then interleaved V/U at
    /// half resolution.
    Nv21,
}

/// Clockwise rotation to apply to a raw frame to make it upright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// As is.
    R0,
    /// 90° clockwise.
    R90,
    /// 180°.
    R180,
    /// 270° clockwise.
    R270,
}

fn check_size(width: u32, height: u32, bytes: usize) -> Result<(), ImageError> {
    if width > MAX_SIDE
        || height > MAX_SIDE
        || u64::from(width) * u64::from(height) > MAX_PIXELS
        || bytes > MAX_ENCODED_BYTES
    {
        return Err(ImageError::TooLarge { width, height, bytes });
    }
    if width < 64 || height < 64 {
        return Err(ImageError::TooSmall { width, height });
    }
    Ok(())
}

/// Decode a JPEG or PNG into upright RGB, checking the size from the header first.
pub fn decode(bytes: &[u8]) -> Result<RgbImage, ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    if bytes.len() > MAX_ENCODED_BYTES {
        return Err(ImageError::TooLarge {
            width: 0,
            height: 0,
            bytes: bytes.len(),
        });
    }
    let decode_err = |e: image::ImageError| ImageError::Decode(e.to_string());
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ImageError::Decode(e.to_string()))?;
    match reader.format() {
        Some(image::ImageFormat::Jpeg | image::ImageFormat::Png) => {}
        _ => return Err(ImageError::Decode("not a JPEG or PNG".into())),
    }
    let mut decoder = reader.into_decoder().map_err(decode_err)?;
    let (width, height) = decoder.dimensions();
    check_size(width, height, bytes.len())?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 8);
    decoder.set_limits(limits).map_err(decode_err)?;
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(decode_err)?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(img.into_rgb8())
}

/// Convert a raw camera frame to upright RGB.
pub fn from_raw(
    data: &[u8],
    width: u32,
    height: u32,
    stride: u32,
    format: FrameFormat,
    rotation: Rotation,
) -> Result<RgbImage, ImageError> {
    check_size(width, height, data.len())?;
    let (w, h, s) = (width as usize, height as usize, stride as usize);
    let bad = |m: String| ImageError::BadFrame(m);
    let mut rgb = RgbImage::new(width, height);
    match format {
        FrameFormat::Rgba8 => {
            if s < w * 4 || data.len() < s * (h - 1) + w * 4 {
                return Err(bad(format!(
                    "RGBA {w}×{h} stride {s} needs {} bytes, got {}",
                    s * (h - 1) + w * 4,
                    data.len()
                )));
            }
            for y in 0..h {
                let row = &data[y * s..y * s + w * 4];
                for x in 0..w {
                    rgb.put_pixel(
                        x as u32,
                        y as u32,
                        image::Rgb([row[4 * x], row[4 * x + 1], row[4 * x + 2]]),
                    );
                }
            }
        }
        FrameFormat::Nv21 => {
            if w % 2 != 0 || h % 2 != 0 {
                return Err(bad("NV21 needs even width and height".into()));
            }
            let need = s * h + s * (h / 2);
            if s < w || data.len() < need {
                return Err(bad(format!(
                    "NV21 {w}×{h} stride {s} needs {need} bytes, got {}",
                    data.len()
                )));
            }
            let (y_plane, vu) = data.split_at(s * h);
            for y in 0..h {
                for x in 0..w {
                    let yy = f32::from(y_plane[y * s + x]);
                    let i = (y / 2) * s + (x / 2) * 2;
                    let v = f32::from(vu[i]) - 128.0;
                    let u = f32::from(vu[i + 1]) - 128.0;
                    // BT.601 full-range YUV → RGB.
                    let r = yy + 1.402 * v;
                    let g = yy - 0.344_136 * u - 0.714_136 * v;
                    let b = yy + 1.772 * u;
                    let c = |f: f32| f.round().clamp(0.0, 255.0) as u8;
                    rgb.put_pixel(x as u32, y as u32, image::Rgb([c(r), c(g), c(b)]));
                }
            }
        }
    }
    Ok(match rotation {
        Rotation::R0 => rgb,
        Rotation::R90 => image::imageops::rotate90(&rgb),
        Rotation::R180 => image::imageops::rotate180(&rgb),
        Rotation::R270 => image::imageops::rotate270(&rgb),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = RgbImage::from_pixel(width, height, image::Rgb([120, 80, 40]));
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn decodes_png_and_refuses_tiny_empty_and_garbage() {
        assert_eq!(decode(&png(100, 80)).unwrap().dimensions(), (100, 80));
        assert_eq!(
            decode(&png(32, 32)),
            Err(ImageError::TooSmall { width: 32, height: 32 })
        );
        assert_eq!(decode(&[]), Err(ImageError::Empty));
        assert!(matches!(decode(b"GIF89a......"), Err(ImageError::Decode(_))));
    }

    /// CRC-32 (PNG chunk checksum).
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn refuses_a_decompression_bomb_from_its_header() {
        // A valid PNG header declaring 20000×20000 pixels, then a truncated body: refused
        // on the header, before any allocation for pixels.
        let mut bytes = png(100, 100);
        bytes[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(matches!(
            decode(&bytes),
            Err(ImageError::TooLarge {
                width: 20_000,
                height: 20_000,
                ..
            })
        ));
    }

    #[test]
    fn raw_rgba_and_nv21_frames_with_rotation() {
        let (w, h) = (64u32, 96u32);
        let mut rgba = vec![0u8; (w * h * 4) as usize];
        rgba[0..4].copy_from_slice(&[255, 0, 0, 255]); // top-left red
        let img = from_raw(&rgba, w, h, w * 4, FrameFormat::Rgba8, Rotation::R90).unwrap();
        assert_eq!(img.dimensions(), (h, w));
        assert_eq!(
            img.get_pixel(h - 1, 0).0,
            [255, 0, 0],
            "top-left goes to top-right after 90° cw"
        );
        // Grey NV21 (Y=128, U=V=128) decodes to grey.
        let nv21 = vec![128u8; (w * h + w * h / 2) as usize];
        let g = from_raw(&nv21, w, h, w, FrameFormat::Nv21, Rotation::R0).unwrap();
        assert_eq!(g.get_pixel(10, 10).0, [128, 128, 128]);
        assert!(matches!(
            from_raw(&nv21[..100], w, h, w, FrameFormat::Nv21, Rotation::R0),
            Err(ImageError::BadFrame(_))
        ));
        assert!(matches!(
            from_raw(&rgba, w, h, w, FrameFormat::Rgba8, Rotation::R0),
            Err(ImageError::BadFrame(_))
        ));
    }

    proptest! {
        // Arbitrary bytes never panic.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
            let _ = decode(&bytes);
        }

        // A real PNG with random bytes corrupted never panics.
        #[test]
        fn corrupted_png_never_panics(pos in 0usize..400, val in any::<u8>()) {
            let mut b = png(80, 80);
            let p = pos % b.len();
            b[p] = val;
            let _ = decode(&b);
        }
    }
}
