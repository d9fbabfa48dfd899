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

/// Kaldi's mel filterbank: for each of the `BINS` bins, the first power-spectrum bin it
/// weighs and its non-zero weights (the Nyquist bin always weighs 0, as in torchaudio).
fn filterbank() -> Vec<(usize, Vec<f32>)> {
    let (low, high) = (kaldi_mel(LOW_HZ), kaldi_mel(SAMPLE_RATE / 2.0));
    let delta = (high - low) / (BINS + 1) as f64;
    let bin_width = SAMPLE_RATE / PADDED as f64;
    (0..BINS)
        .map(|b| {
            let left = low + b as f64 * delta;
            let (center, right) = (left + delta, left + 2.0 * delta);
            let row: Vec<f32> = (0..PADDED / 2)
                .map(|i| {
                    let mel = kaldi_mel(bin_width * i as f64);
                    let up = (mel - left) / (center - left);
                    let down = (right - mel) / (right - center);
                    up.min(down).max(0.0) as f32
                })
                .collect();
            let first = row.iter().position(|&w| w > 0.0).unwrap_or(0);
            let last = row.iter().rposition(|&w| w > 0.0).map_or(first, |l| l + 1);
            (first, row[first..last].to_vec())
        })
        .collect()
}

/// The tables every call shares: the filterbank, the window and the FFT plan.
struct Tables {
    bank: Vec<(usize, Vec<f32>)>,
    window: Vec<f64>,
    fft: std::sync::Arc<dyn rustfft::Fft<f64>>,
}

fn tables() -> &'static Tables {
    static TABLES: std::sync::OnceLock<Tables> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| Tables {
        bank: filterbank(),
        window: povey_window(),
        fft: FftPlanner::<f64>::new().plan_fft_forward(PADDED),
    })
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
    let Tables { bank, window, fft } = tables();
    let mut buf = vec![Complex::new(0.0, 0.0); PADDED];
    let mut scratch = vec![Complex::new(0.0, 0.0); fft.get_inplace_scratch_len()];
    let mut power = vec![0f32; PADDED / 2 + 1];
    let mut out = Vec::with_capacity(frames);
    for t in 0..frames {
        let frame = &x[t * FRAME_SHIFT..t * FRAME_SHIFT + FRAME_LENGTH];
        let mean = frame.iter().map(|&v| f64::from(v)).sum::<f64>() / FRAME_LENGTH as f64;
        let mut previous = f64::from(frame[0]) - mean;
        for (k, slot) in buf.iter_mut().enumerate() {
            *slot = if k < FRAME_LENGTH {
                let v = f64::from(frame[k]) - mean;
                let emphasised = v - PREEMPHASIS * previous;
                previous = v;
                Complex::new(emphasised * window[k], 0.0)
            } else {
                Complex::new(0.0, 0.0)
            };
        }
        fft.process_with_scratch(&mut buf, &mut scratch);
        for (p, c) in power.iter_mut().zip(&buf) {
            *p = c.norm_sqr() as f32;
        }
        let mut row = [0f32; BINS];
        for (r, (first, weights)) in row.iter_mut().zip(bank) {
            let energy: f32 = weights.iter().zip(&power[*first..]).map(|(w, p)| w * p).sum();
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
