//! What the engine does to a recording before the speaker embedding and the digit check.
//!
//! - [`denoise`]: spectral subtraction (Boll 1979, with over-subtraction and a spectral
//!   floor as in Berouti et al. 1979): the noise spectrum is the mean of the quietest
//!   frames, removed from every frame; short-time Fourier analysis with a Hann window at
//!   75% overlap, so overlap-add gives the signal back unchanged when nothing is removed.
//! - [`is_narrowband`]: a telephone-band recording, compared with the narrowband template.
//!
//! Tried and not kept (README, "Voice calibration"): embedding only the words without the
//! pauses — it helped under babble but cut genuine passes on real short words 78/87 → 30/87;
//! measured again on the babble trials alone (words with 50 ms margins, 2026-12-02) it raised
//! 2 of the 5 speaker refusals above the threshold and lowered others (0.867 → 0.801).

use rustfft::FftPlanner;
use rustfft::num_complex::Complex;

const N: usize = 512;
const HOP: usize = N / 4;
/// Over-subtraction: removes a little more than the mean noise, for its variance.
const ALPHA: f32 = 2.0;
/// The floor of the power gain (−20 dB), against "musical" noise.
const BETA: f32 = 0.01;
/// The quietest share of frames taken as noise.
const NOISE_SHARE: f64 = 0.15;

/// Whether `x` carries (almost) nothing above 4.4 kHz: a telephone-band recording, whatever
/// rate it arrived at.
pub fn is_narrowband(x: &[f32]) -> bool {
    let spec = crate::features::power_spec(x, N, N, N, crate::features::Window::Hann, false);
    let cut = 4_400 * N / 16_000;
    let (mut low, mut high) = (0f64, 0f64);
    for frame in &spec {
        for (k, &p) in frame.iter().enumerate() {
            if k < cut {
                low += f64::from(p)
            } else {
                high += f64::from(p)
            }
        }
    }
    low > 0.0 && high < low * 1e-4
}

/// `x` with its stationary background noise reduced (see the module documentation).
pub fn denoise(x: &[f32]) -> Vec<f32> {
    if x.len() < N {
        return x.to_vec();
    }
    let window: Vec<f32> = (0..N)
        .map(|k| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * k as f32 / N as f32).cos())
        .collect();
    let mut planner = FftPlanner::<f32>::new();
    let (fwd, inv) = (planner.plan_fft_forward(N), planner.plan_fft_inverse(N));
    let frames = (x.len() - N) / HOP + 1;
    let spectra: Vec<Vec<Complex<f32>>> = (0..frames)
        .map(|f| {
            let mut buf: Vec<Complex<f32>> = x[f * HOP..f * HOP + N]
                .iter()
                .zip(&window)
                .map(|(&v, &w)| Complex::new(v * w, 0.0))
                .collect();
            fwd.process(&mut buf);
            buf
        })
        .collect();
    // Noise: the mean power spectrum of the quietest frames.
    let mut order: Vec<(f32, usize)> = spectra
        .iter()
        .enumerate()
        .map(|(i, s)| (s.iter().map(|c| c.norm_sqr()).sum::<f32>(), i))
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let quiet = ((frames as f64 * NOISE_SHARE).ceil() as usize).clamp(1, frames);
    let mut noise = vec![0f32; N];
    for &(_, i) in &order[..quiet] {
        for (n, c) in noise.iter_mut().zip(&spectra[i]) {
            *n += c.norm_sqr() / quiet as f32;
        }
    }
    let mut out = vec![0f32; x.len()];
    for (f, mut spec) in spectra.into_iter().enumerate() {
        for (c, &n) in spec.iter_mut().zip(&noise) {
            let p = c.norm_sqr();
            let gain = if p > 0.0 {
                (1.0 - ALPHA * n / p).max(BETA).sqrt()
            } else {
                0.0
            };
            *c *= gain;
        }
        inv.process(&mut spec);
        // Hann windows at 75% overlap sum to 2; the inverse FFT is unnormalised (× N).
        for (o, c) in out[f * HOP..f * HOP + N].iter_mut().zip(&spec) {
            *o += c.re / (2.0 * N as f32);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conditions::{NoiseSource, add_noise, speech_power};

    fn bursts() -> Vec<f32> {
        crate::conditions::bursts(32_000, &[3_200, 12_800, 22_400], 6_400, |i| {
            ((i * 0.07).sin() + 0.5 * (i * 0.23).sin()) * 0.3
        })
    }

    #[test]
    fn denoising_raises_the_snr_and_keeps_the_speech() {
        let clean = bursts();
        let noisy = add_noise(&clean, &NoiseSource::new(5).white(clean.len()), 10.0);
        let out = denoise(&noisy);
        let err = |y: &[f32]| {
            let e: f64 = y[N..y.len() - N]
                .iter()
                .zip(&clean[N..clean.len() - N])
                .map(|(a, b)| f64::from(a - b).powi(2))
                .sum();
            10.0 * (speech_power(&clean) * (y.len() - 2 * N) as f64 / e).log10()
        };
        let (before, after) = (err(&noisy), err(&out));
        assert!(after > before + 5.0, "SNR {before:.1} dB → {after:.1} dB");
    }

    #[test]
    fn telephone_band_is_recognised_whatever_the_rate() {
        let mut noise = NoiseSource::new(3);
        let wide: Vec<f32> = noise.white(16_000).iter().map(|v| v * 0.1).collect();
        assert!(!is_narrowband(&wide));
        let phone = crate::resample::resample(&crate::conditions::telephone(&wide), 8_000, 16_000);
        assert!(is_narrowband(&phone));
        assert!(!is_narrowband(&[0.0; 4_000]));
    }
}
