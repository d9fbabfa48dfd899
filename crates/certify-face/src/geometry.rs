//! Pixel geometry: letterboxed area resampling (OpenCV `INTER_AREA`), bilinear affine
//! warps (`warpAffine`), and least-squares similarity transforms (Umeyama).

use image::RgbImage;

/// A 2×3 affine matrix mapping (x, y) to (a·x + b·y + c, d·x + e·y + f).
pub type Affine = [[f64; 3]; 2];

/// Apply an affine map to a point.
pub fn apply(m: &Affine, x: f64, y: f64) -> (f64, f64) {
    (m[0][0] * x + m[0][1] * y + m[0][2], m[1][0] * x + m[1][1] * y + m[1][2])
}

/// The inverse of an affine map (`None` if singular).
pub fn invert(m: &Affine) -> Option<Affine> {
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    if det.abs() < 1e-12 {
        return None;
    }
    let (a, b, c, d) = (m[1][1] / det, -m[0][1] / det, -m[1][0] / det, m[0][0] / det);
    Some([
        [a, b, -(a * m[0][2] + b * m[1][2])],
        [c, d, -(c * m[0][2] + d * m[1][2])],
    ])
}

/// For each output index, the source indices and weights of an area resampling of `src`
/// source cells onto `dst` cells over a window starting at `offset` (cells outside
/// `0..limit` weigh zero: padding).
fn area_weights(src: f64, dst: usize, offset: f64, limit: usize) -> Vec<Vec<(usize, f32)>> {
    let scale = src / dst as f64;
    (0..dst)
        .map(|i| {
            let start = offset + i as f64 * scale;
            let end = start + scale;
            let mut w = Vec::new();
            let mut s = start.floor();
            while s < end {
                let lo = s.max(start);
                let hi = (s + 1.0).min(end);
                if s >= 0.0 && (s as usize) < limit && hi > lo {
                    w.push((s as usize, ((hi - lo) / scale) as f32));
                }
                s += 1.0;
            }
            w
        })
        .collect()
}

/// Pad `img` to a centred square (black borders) and area-resample it to `size`×`size`.
/// Returns interleaved RGB floats 0..255 and the square's side and offsets, so that
/// normalised output coordinates map back as `x·side − ox`.
pub fn letterbox_area(img: &RgbImage, size: usize) -> (Vec<f32>, f64, f64, f64) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let side = w.max(h);
    let (ox, oy) = (((side - w) / 2) as f64, ((side - h) / 2) as f64);
    let wx = area_weights(side as f64, size, -ox, w);
    let wy = area_weights(side as f64, size, -oy, h);
    let raw = img.as_raw();
    // Separable: rows first into a size×h buffer, then columns.
    let mut tmp = vec![0f32; size * h * 3];
    for y in 0..h {
        let row = &raw[y * w * 3..(y + 1) * w * 3];
        for (x, ws) in wx.iter().enumerate() {
            let mut acc = [0f32; 3];
            for &(sx, wt) in ws {
                for c in 0..3 {
                    acc[c] += wt * f32::from(row[sx * 3 + c]);
                }
            }
            tmp[(y * size + x) * 3..(y * size + x) * 3 + 3].copy_from_slice(&acc);
        }
    }
    let mut out = vec![0f32; size * size * 3];
    for (y, ws) in wy.iter().enumerate() {
        for x in 0..size {
            let mut acc = [0f32; 3];
            for &(sy, wt) in ws {
                for c in 0..3 {
                    acc[c] += wt * tmp[(sy * size + x) * 3 + c];
                }
            }
            out[(y * size + x) * 3..(y * size + x) * 3 + 3].copy_from_slice(&acc);
        }
    }
    (out, side as f64, ox, oy)
}

/// What lies outside the source image in a warp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Border {
    /// Black.
    Zero,
    /// The nearest edge pixel.
    Replicate,
}

/// Warp `img` by `forward` (source → destination) into a `w`×`h` RGB float image (0..255),
/// sampling bilinearly like OpenCV's `warpAffine`. Row-incremental: the source position
/// advances by a constant step along a row; samples whose 2×2 neighbourhood lies inside
/// the image read it directly, only border samples go through the border rule.
pub fn warp_affine(img: &RgbImage, forward: &Affine, w: usize, h: usize, border: Border) -> Vec<f32> {
    let inv = invert(forward).unwrap_or([[0.0; 3]; 2]);
    let (iw, ih) = (img.width() as i64, img.height() as i64);
    let raw = img.as_raw();
    let stride = (iw * 3) as usize;
    let mut out = vec![0f32; w * h * 3];
    let edge = |x: i64, y: i64, c: usize| -> f32 {
        let (x, y) = match border {
            Border::Zero if x < 0 || y < 0 || x >= iw || y >= ih => return 0.0,
            Border::Zero => (x, y),
            Border::Replicate => (x.clamp(0, iw - 1), y.clamp(0, ih - 1)),
        };
        f32::from(raw[((y * iw + x) * 3) as usize + c])
    };
    for (y, row) in out.chunks_exact_mut(w * 3).enumerate() {
        let (mut sx, mut sy) = apply(&inv, 0.0, y as f64);
        for px in row.chunks_exact_mut(3) {
            let (x0f, y0f) = (sx.floor(), sy.floor());
            let (fx, fy) = ((sx - x0f) as f32, (sy - y0f) as f32);
            let (x0, y0) = (x0f as i64, y0f as i64);
            let (w00, w10, w01, w11) = ((1.0 - fx) * (1.0 - fy), fx * (1.0 - fy), (1.0 - fx) * fy, fx * fy);
            if x0 >= 0 && y0 >= 0 && x0 + 1 < iw && y0 + 1 < ih {
                let i = y0 as usize * stride + x0 as usize * 3;
                let (top, bottom) = (&raw[i..i + 6], &raw[i + stride..i + stride + 6]);
                for c in 0..3 {
                    px[c] = f32::from(top[c]) * w00
                        + f32::from(top[c + 3]) * w10
                        + f32::from(bottom[c]) * w01
                        + f32::from(bottom[c + 3]) * w11;
                }
            } else {
                for (c, v) in px.iter_mut().enumerate() {
                    *v = edge(x0, y0, c) * w00
                        + edge(x0 + 1, y0, c) * w10
                        + edge(x0, y0 + 1, c) * w01
                        + edge(x0 + 1, y0 + 1, c) * w11;
                }
            }
            sx += inv[0][0];
            sy += inv[1][0];
        }
    }
    out
}

/// The straightforward per-pixel version of [`warp_affine`] (a closure per sample, clamped
/// lookups): the reference the fast path is tested and benchmarked against.
pub fn warp_affine_reference(img: &RgbImage, forward: &Affine, w: usize, h: usize, border: Border) -> Vec<f32> {
    let inv = invert(forward).unwrap_or([[0.0; 3]; 2]);
    let (iw, ih) = (img.width() as i64, img.height() as i64);
    let raw = img.as_raw();
    let px = |x: i64, y: i64, c: usize| -> f32 {
        let (x, y) = match border {
            Border::Zero if x < 0 || y < 0 || x >= iw || y >= ih => return 0.0,
            Border::Zero => (x, y),
            Border::Replicate => (x.clamp(0, iw - 1), y.clamp(0, ih - 1)),
        };
        f32::from(raw[((y * iw + x) * 3) as usize + c])
    };
    let mut out = vec![0f32; w * h * 3];
    for y in 0..h {
        for x in 0..w {
            let (sx, sy) = apply(&inv, x as f64, y as f64);
            let (x0, y0) = (sx.floor(), sy.floor());
            let (fx, fy) = ((sx - x0) as f32, (sy - y0) as f32);
            let (x0, y0) = (x0 as i64, y0 as i64);
            for c in 0..3 {
                let v = px(x0, y0, c) * (1.0 - fx) * (1.0 - fy)
                    + px(x0 + 1, y0, c) * fx * (1.0 - fy)
                    + px(x0, y0 + 1, c) * (1.0 - fx) * fy
                    + px(x0 + 1, y0 + 1, c) * fx * fy;
                out[(y * w + x) * 3 + c] = v;
            }
        }
    }
    out
}

/// The similarity transform (rotation, uniform scale, translation) that maps `src` onto
/// `dst` with least squared error (Umeyama 1991, no reflection).
pub fn similarity(src: &[(f64, f64)], dst: &[(f64, f64)]) -> Affine {
    let n = src.len().min(dst.len()).max(1) as f64;
    let mean = |p: &[(f64, f64)]| p.iter().fold((0.0, 0.0), |a, q| (a.0 + q.0 / n, a.1 + q.1 / n));
    let (msx, msy) = mean(src);
    let (mdx, mdy) = mean(dst);
    // For a similarity [a -b; b a]: a = Σ(sx·dx + sy·dy)/Σ|s|², b = Σ(sx·dy − sy·dx)/Σ|s|².
    let (mut num_a, mut num_b, mut den) = (0.0, 0.0, 0.0);
    for (s, d) in src.iter().zip(dst) {
        let (sx, sy, dx, dy) = (s.0 - msx, s.1 - msy, d.0 - mdx, d.1 - mdy);
        num_a += sx * dx + sy * dy;
        num_b += sx * dy - sy * dx;
        den += sx * sx + sy * sy;
    }
    let (a, b) = if den > 0.0 {
        (num_a / den, num_b / den)
    } else {
        (1.0, 0.0)
    };
    [[a, -b, mdx - (a * msx - b * msy)], [b, a, mdy - (b * msx + a * msy)]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_warp_equals_the_reference() {
        let img = RgbImage::from_fn(97, 61, |x, y| {
            image::Rgb([(x * 7 % 256) as u8, (y * 13 % 256) as u8, ((x * y) % 256) as u8])
        });
        for (m, border) in [
            ([[0.8, -0.6, 10.0], [0.6, 0.8, -5.0]], Border::Zero),
            ([[1.7, 0.2, -30.0], [-0.1, 1.9, -12.0]], Border::Replicate),
            ([[0.5, 0.0, 3.3], [0.0, 0.5, 1.7]], Border::Zero),
        ] {
            let fast = warp_affine(&img, &m, 64, 48, border);
            let slow = warp_affine_reference(&img, &m, 64, 48, border);
            let worst = fast
                .iter()
                .zip(&slow)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            assert!(worst < 0.02, "{worst}");
        }
    }

    #[test]
    fn similarity_recovers_a_known_transform() {
        let t: Affine = [[0.8, -0.6, 10.0], [0.6, 0.8, -5.0]]; // rotate ~37°, scale 1, shift
        let src = [(0.0, 0.0), (10.0, 0.0), (0.0, 20.0), (7.0, 3.0)];
        let dst: Vec<_> = src.iter().map(|p| apply(&t, p.0, p.1)).collect();
        let m = similarity(&src, &dst);
        for r in 0..2 {
            for c in 0..3 {
                assert!((m[r][c] - t[r][c]).abs() < 1e-9, "{m:?}");
            }
        }
        let inv = invert(&m).unwrap();
        let (x, y) = apply(&inv, dst[3].0, dst[3].1);
        assert!((x - 7.0).abs() < 1e-9 && (y - 3.0).abs() < 1e-9);
    }

    #[test]
    fn area_resampling_preserves_mean_and_letterboxes() {
        let img = RgbImage::from_fn(200, 100, |x, _| image::Rgb([if x < 100 { 0 } else { 200 }, 50, 50]));
        let (out, side, ox, oy) = letterbox_area(&img, 50);
        assert_eq!((side, ox, oy), (200.0, 0.0, 50.0));
        // Top rows are padding (black); middle rows keep the two halves.
        assert_eq!(out[0..3], [0.0, 0.0, 0.0]);
        let mid = 25 * 50 * 3;
        assert!((out[mid] - 0.0).abs() < 1e-3 && (out[mid + 49 * 3] - 200.0).abs() < 1e-3);
        assert!((out[mid + 1] - 50.0).abs() < 1e-3);
    }
}
