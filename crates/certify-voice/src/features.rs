//! Audio features with `rustfft`, mirroring `models/reference/features.py` (numpy,
//! verified against librosa): Slaney mel filterbank, power spectrogram, the GE2E
//! (Resemblyzer) mel front-end with its partial windows, and MFCCs with deltas.

use rustfft::FftPlanner;
use rustfft::num_complex::Complex;
use std::f64::consts::PI;

const F_SP: f64 = 200.0 / 3.0;
const MIN_LOG_HZ: f64 = 1000.0;
const MIN_LOG_MEL: f64 = MIN_LOG_HZ / F_SP;

fn logstep() -> f64 {
    6.4f64.ln() / 27.0
}

/// Hz → mel (Slaney).
pub fn hz_to_mel(f: f64) -> f64 {
    if f >= MIN_LOG_HZ {
        MIN_LOG_MEL + (f.max(1e-10) / MIN_LOG_HZ).ln() / logstep()
    } else {
        f / F_SP
    }
}

/// Mel → Hz (Slaney).
pub fn mel_to_hz(m: f64) -> f64 {
    if m >= MIN_LOG_MEL {
        MIN_LOG_HZ * (logstep() * (m - MIN_LOG_MEL)).exp()
    } else {
        F_SP * m
    }
}

/// librosa's `filters.mel` (Slaney scale and norm): `n_mels` rows of `1 + n_fft/2` weights.
pub fn mel_filterbank(sr: f64, n_fft: usize, n_mels: usize, fmin: f64, fmax: f64) -> Vec<Vec<f32>> {
    let bins = 1 + n_fft / 2;
    let fft_freqs: Vec<f64> = (0..bins).map(|i| sr / 2.0 * i as f64 / (bins - 1) as f64).collect();
    let (mmin, mmax) = (hz_to_mel(fmin), hz_to_mel(fmax));
    let mel_f: Vec<f64> = (0..n_mels + 2)
        .map(|i| mel_to_hz(mmin + (mmax - mmin) * i as f64 / (n_mels + 1) as f64))
        .collect();
    (0..n_mels)
        .map(|i| {
            let (d0, d1) = (mel_f[i + 1] - mel_f[i], mel_f[i + 2] - mel_f[i + 1]);
            let enorm = 2.0 / (mel_f[i + 2] - mel_f[i]);
            fft_freqs
                .iter()
                .map(|&f| {
                    let lower = -(mel_f[i] - f) / d0;
                    let upper = (mel_f[i + 2] - f) / d1;
                    (lower.min(upper).max(0.0) * enorm) as f32
                })
                .collect()
        })
        .collect()
}

/// A window kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Periodic Hann.
    Hann,
    /// Periodic Hamming.
    Hamming,
}

fn window(kind: Window, n: usize) -> Vec<f64> {
    (0..n)
        .map(|k| {
            let c = (2.0 * PI * k as f64 / n as f64).cos();
            match kind {
                Window::Hann => 0.5 - 0.5 * c,
                Window::Hamming => 0.54 - 0.46 * c,
            }
        })
        .collect()
}

/// Power spectrogram `|rfft(frame · window)|²`, frames × (1 + n_fft/2). With `center`,
/// the signal is reflect-padded by `n_fft/2` on both sides (librosa).
pub fn power_spec(x: &[f32], n_fft: usize, hop: usize, win_length: usize, kind: Window, center: bool) -> Vec<Vec<f32>> {
    let mut sig: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    if center {
        let p = n_fft / 2;
        if sig.len() > p {
            let left: Vec<f64> = (1..=p).rev().map(|i| sig[i]).collect();
            let n = sig.len();
            let right: Vec<f64> = (1..=p).map(|i| sig[n - 1 - i]).collect();
            sig = left.into_iter().chain(sig).chain(right).collect();
        }
    }
    if sig.len() < n_fft {
        return Vec::new();
    }
    let w = window(kind, win_length);
    let lpad = (n_fft - win_length) / 2;
    let mut full = vec![0.0; n_fft];
    full[lpad..lpad + win_length].copy_from_slice(&w);
    let frames = 1 + (sig.len() - n_fft) / hop;
    let fft = FftPlanner::<f64>::new().plan_fft_forward(n_fft);
    let mut buf = vec![Complex::new(0.0, 0.0); n_fft];
    (0..frames)
        .map(|f| {
            for (k, b) in buf.iter_mut().enumerate() {
                *b = Complex::new(sig[f * hop + k] * full[k], 0.0);
            }
            fft.process(&mut buf);
            buf[..=n_fft / 2].iter().map(|c| c.norm_sqr() as f32).collect()
        })
        .collect()
}

fn apply_filterbank(spec: &[Vec<f32>], fb: &[Vec<f32>]) -> Vec<Vec<f32>> {
    spec.iter()
        .map(|frame| {
            fb.iter()
                .map(|row| row.iter().zip(frame).map(|(w, s)| w * s).sum())
                .collect()
        })
        .collect()
}

/// The GE2E front-end: 40 power mel bins, n_fft 400, hop 160, Hann, centred (T × 40).
pub fn ge2e_mel(x: &[f32]) -> Vec<Vec<f32>> {
    let fb = mel_filterbank(16_000.0, 400, 40, 0.0, 8_000.0);
    apply_filterbank(&power_spec(x, 400, 160, 400, Window::Hann, true), &fb)
}

/// Raise the volume to `target_dbfs` (never lowers it), as Resemblyzer does.
pub fn normalize_volume(x: &[f32], target_dbfs: f64) -> Vec<f32> {
    let mean_sq = x.iter().map(|&v| (f64::from(v) * 32767.0).powi(2)).sum::<f64>() / x.len().max(1) as f64;
    let rms = mean_sq.sqrt() + 1e-9;
    let change = target_dbfs - 20.0 * (rms / 32767.0).log10();
    if change < 0.0 {
        return x.to_vec();
    }
    let g = 10f64.powf(change / 20.0) as f32;
    x.iter().map(|v| v * g).collect()
}

/// Resemblyzer's partial windows over `n_samples`: `(start, end)` frame ranges of 160
/// frames every 77, the last dropped when it covers less than 75%.
pub fn partial_slices(n_samples: usize) -> Vec<(usize, usize)> {
    let (hop, partial) = (160usize, 160usize);
    let n_frames = (n_samples + 1).div_ceil(hop);
    let step = ((16_000.0 / 1.3) / hop as f64).round() as usize;
    let steps = (n_frames + step + 1).saturating_sub(partial).max(1);
    let mut slices: Vec<(usize, usize)> = (0..steps).step_by(step).map(|i| (i, i + partial)).collect();
    if let Some(&(last, _)) = slices.last() {
        let coverage = (n_samples as f64 - (last * hop) as f64) / (partial * hop) as f64;
        if coverage < 0.75 && slices.len() > 1 {
            slices.pop();
        }
    }
    slices
}

/// MFCCs: pre-emphasis 0.97, n_fft 512, Hamming 400, hop 160, not centred, 40 mel bins
/// 20–7600 Hz, natural log, orthonormal DCT-II (T × n_mfcc).
pub fn mfcc(x: &[f32], n_mfcc: usize) -> Vec<Vec<f32>> {
    const N_MELS: usize = 40;
    if x.is_empty() {
        return Vec::new();
    }
    let mut pre = Vec::with_capacity(x.len());
    pre.push(x[0]);
    pre.extend(x.windows(2).map(|w| w[1] - 0.97 * w[0]));
    let fb = mel_filterbank(16_000.0, 512, N_MELS, 20.0, 7600.0);
    let mel = apply_filterbank(&power_spec(&pre, 512, 160, 400, Window::Hamming, false), &fb);
    let dct: Vec<Vec<f64>> = (0..n_mfcc)
        .map(|k| {
            let scale = (2.0 / N_MELS as f64).sqrt() * if k == 0 { 1.0 / 2f64.sqrt() } else { 1.0 };
            (0..N_MELS)
                .map(|n| (PI / N_MELS as f64 * (n as f64 + 0.5) * k as f64).cos() * scale)
                .collect()
        })
        .collect();
    mel.iter()
        .map(|frame| {
            let lm: Vec<f64> = frame.iter().map(|&v| (f64::from(v) + 1e-8).ln()).collect();
            dct.iter()
                .map(|row| row.iter().zip(&lm).map(|(d, l)| d * l).sum::<f64>() as f32)
                .collect()
        })
        .collect()
}

/// Time derivative like `numpy.gradient` along frames (central differences, one-sided at
/// the ends), appended to each frame: T × 2d.
pub fn with_deltas(m: &[Vec<f32>]) -> Vec<Vec<f32>> {
    let n = m.len();
    (0..n)
        .map(|t| {
            let d: Vec<f32> = if n < 2 {
                vec![0.0; m[t].len()]
            } else if t == 0 {
                m[1].iter().zip(&m[0]).map(|(a, b)| a - b).collect()
            } else if t == n - 1 {
                m[t].iter().zip(&m[t - 1]).map(|(a, b)| a - b).collect()
            } else {
                m[t + 1].iter().zip(&m[t - 1]).map(|(a, b)| (a - b) / 2.0).collect()
            };
            m[t].iter().copied().chain(d).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mel_scale_round_trips_and_filterbank_is_slaney_normalised() {
        for f in [0.0, 300.0, 999.0, 1000.0, 4000.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(f)) - f).abs() < 1e-6);
        }
        let fb = mel_filterbank(16_000.0, 400, 40, 0.0, 8_000.0);
        assert_eq!((fb.len(), fb[0].len()), (40, 201));
        assert!(fb.iter().all(|r| r.iter().any(|&w| w > 0.0)));
    }

    #[test]
    fn partial_slices_match_resemblyzer() {
        // 4 s at 16 kHz: 401 frames → windows at 0, 77, 154, 231 (the last covers 0.76).
        assert_eq!(
            partial_slices(64_000),
            vec![(0, 160), (77, 237), (154, 314), (231, 391)]
        );
        assert_eq!(partial_slices(8_000), vec![(0, 160)]);
    }

    #[test]
    fn power_spectrum_peaks_at_the_tone() {
        let x: Vec<f32> = (0..16_000)
            .map(|i| (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / 16_000.0).sin())
            .collect();
        let s = power_spec(&x, 512, 160, 400, Window::Hamming, false);
        let frame = &s[10];
        let peak = frame.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0;
        assert_eq!(peak, 32); // 1000 Hz / (16000 / 512)
    }
}
