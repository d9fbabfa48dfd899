//! Kaldi log mel filterbank features, as `torchaudio.compliance.kaldi.fbank` computes them
//! with the options CAM++ was trained on (3D-Speaker): 16 kHz, 25 ms frames every 10 ms
//! (only whole frames, `snip_edges`), each frame's mean removed, pre-emphasis 0.97, the
//! Povey window (a symmetric Hann to the power 0.85), zero-padded to 512 points, power
//! spectrum, 80 triangular bins on Kaldi's mel scale (`1127 ln(1 + f/700)`) from 20 Hz to
//! 8 kHz, natural log floored at `f32::EPSILON`, no dither. [`cmn`] then removes the
//! utterance's mean per bin, as CAM++'s own front end does. Checked against torchaudio by
//! `tests/crosscheck.rs` through `models/reference/features.py`.

use rustfft::FftPlanner;
use rustfft::num_complex::Complex;

/// Mel bins.
pub const BINS: usize = 80;
/// Samples per frame (25 ms at 16 kHz).
pub const FRAME_LENGTH: usize = 400;
/// Samples between frames (10 ms at 16 kHz).
pub const FRAME_SHIFT: usize = 160;
const PADDED: usize = 512;
const PREEMPHASIS: f64 = 0.97;
const LOW_HZ: f64 = 20.0;
const SAMPLE_RATE: f64 = 16_000.0;

fn kaldi_mel(f: f64) -> f64 {
    1127.0 * (1.0 + f / 700.0).ln()
}

/// Kaldi's mel filterbank: `BINS` rows of `PADDED / 2 + 1` weights (the last, Nyquist,
/// always 0 as in torchaudio).
fn filterbank() -> Vec<Vec<f32>> {
    let (low, high) = (kaldi_mel(LOW_HZ), kaldi_mel(SAMPLE_RATE / 2.0));
    let delta = (high - low) / (BINS + 1) as f64;
    let bin_width = SAMPLE_RATE / PADDED as f64;
    (0..BINS)
        .map(|b| {
            let left = low + b as f64 * delta;
            let (center, right) = (left + delta, left + 2.0 * delta);
            let mut row: Vec<f32> = (0..PADDED / 2)
                .map(|i| {
                    let mel = kaldi_mel(bin_width * i as f64);
                    let up = (mel - left) / (center - left);
                    let down = (right - mel) / (right - center);
                    up.min(down).max(0.0) as f32
                })
                .collect();
            row.push(0.0);
            row
        })
        .collect()
}

/// The Povey window: `(0.5 − 0.5 cos(2πn / (N − 1)))^0.85`.
fn povey_window() -> Vec<f64> {
    (0..FRAME_LENGTH)
        .map(|n| {
            let hann = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * n as f64 / (FRAME_LENGTH - 1) as f64).cos();
            hann.powf(0.85)
        })
        .collect()
}

/// Log mel filterbank frames of `x` (16 kHz): `1 + (len − 400) / 160` rows of [`BINS`]
/// values, none when `x` is shorter than one frame.
pub fn fbank(x: &[f32]) -> Vec<[f32; BINS]> {
    if x.len() < FRAME_LENGTH {
        return Vec::new();
    }
    let frames = 1 + (x.len() - FRAME_LENGTH) / FRAME_SHIFT;
    let bank = filterbank();
    let window = povey_window();
    let fft = FftPlanner::<f64>::new().plan_fft_forward(PADDED);
    let mut buf = vec![Complex::new(0.0, 0.0); PADDED];
    let mut out = Vec::with_capacity(frames);
    for t in 0..frames {
        let frame: Vec<f64> = x[t * FRAME_SHIFT..t * FRAME_SHIFT + FRAME_LENGTH]
            .iter()
            .map(|&v| f64::from(v))
            .collect();
        let mean = frame.iter().sum::<f64>() / FRAME_LENGTH as f64;
        let centred: Vec<f64> = frame.iter().map(|v| v - mean).collect();
        for (k, slot) in buf.iter_mut().enumerate() {
            let v = match k {
                0 => centred[0] - PREEMPHASIS * centred[0],
                k if k < FRAME_LENGTH => centred[k] - PREEMPHASIS * centred[k - 1],
                _ => 0.0,
            };
            *slot = Complex::new(if k < FRAME_LENGTH { v * window[k] } else { 0.0 }, 0.0);
        }
        fft.process(&mut buf);
        let power: Vec<f32> = buf[..=PADDED / 2].iter().map(|c| c.norm_sqr() as f32).collect();
        let mut row = [0f32; BINS];
        for (r, weights) in row.iter_mut().zip(&bank) {
            let energy: f32 = weights.iter().zip(&power).map(|(w, p)| w * p).sum();
            *r = energy.max(f32::EPSILON).ln();
        }
        out.push(row);
    }
    out
}

/// `frames` with each bin's mean over the utterance removed (cepstral mean normalisation).
pub fn cmn(frames: &mut [[f32; BINS]]) {
    if frames.is_empty() {
        return;
    }
    let mut mean = [0f64; BINS];
    for f in frames.iter() {
        for (m, v) in mean.iter_mut().zip(f) {
            *m += f64::from(*v);
        }
    }
    let n = frames.len() as f64;
    for f in frames.iter_mut() {
        for (v, m) in f.iter_mut().zip(&mean) {
            *v -= (m / n) as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_count_follows_snip_edges() {
        assert!(fbank(&[0.1; 399]).is_empty());
        assert_eq!(fbank(&[0.1; 400]).len(), 1);
        assert_eq!(fbank(&[0.1; 16_000]).len(), 98);
    }

    #[test]
    fn a_tone_lights_the_bin_around_its_frequency() {
        let x: Vec<f32> = (0..16_000)
            .map(|n| (2.0 * std::f32::consts::PI * 1_000.0 * n as f32 / 16_000.0).sin() * 0.5)
            .collect();
        let f = fbank(&x);
        let loudest = (0..BINS).max_by(|&a, &b| f[10][a].total_cmp(&f[10][b])).unwrap();
        // 1 kHz is mel 1000; bins are centred every (mel(8000) − mel(20)) / 81 ≈ 34.7 mel
        // from mel(20) ≈ 31.7, so bin (1000 − 31.7) / 34.7 − 1 ≈ 26.9.
        assert!((26..=27).contains(&loudest), "{loudest}");
    }

    #[test]
    fn cmn_leaves_every_bin_with_zero_mean() {
        let x: Vec<f32> = (0..8_000).map(|n| ((n * 7919 % 1000) as f32 / 1000.0) - 0.5).collect();
        let mut f = fbank(&x);
        cmn(&mut f);
        for b in 0..BINS {
            let m: f32 = f.iter().map(|r| r[b]).sum::<f32>() / f.len() as f32;
            assert!(m.abs() < 1e-4, "bin {b}: {m}");
        }
    }
}
