//! Waveform copy detection. A word cut out of an enrollment recording keeps that
//! recording's **samples**, so its waveform correlates with the enrolled word at about
//! `1 / sqrt(1 + 1/SNR)` (0.995 with white noise added at 20 dB), while two utterances of the
//! same word by a living speaker are never in phase (their waveform correlation stays low).
//! The band-energy fingerprint of [`crate::splice`] loses bits to added noise; this check
//! does not, and the two together refuse a splice whether it is clean or noisy.
//!
//! No waveform is kept. Each enrolled word (at 8 kHz, the telephone band, so phone probes
//! compare alike) keeps [`PROJECTIONS`] random projections of its samples (signs drawn from
//! a per-template random seed; about 4% of a word's dimension, too few to turn back into
//! audio — GB/T 35273) and its norm. By the Johnson–Lindenstrauss property the projections
//! preserve inner products: `<R w, R p> ≈ k <w, p>`, and `<R w, R p_L>` at every lag `L` of
//! the probe is one FFT correlation of the probe with `Rᵀ R w`, rebuilt from the seed.
//! Knowing the seed would let someone who holds the template (not only the recordings)
//! shape a copy to miss this check: keep templates as secret as the biometric they are.

use crate::resample::resample;
use crate::vad::FRAME;
use rustfft::FftPlanner;
use rustfft::num_complex::Complex;
use serde::{Deserialize, Serialize};

/// Random projections kept per enrolled word.
pub const PROJECTIONS: usize = 128;
/// Sample rate of the comparison (the telephone band).
const RATE: u32 = 8_000;
/// Words shorter than this (samples at 8 kHz, 100 ms) are not sketched.
const MIN_LEN: usize = 800;

/// Waveform correlation at or above which a stretch of the probe is a copy of an enrolled
/// word. Measured (`voice_eval`, README "Voice calibration"): splices ≥ 0.98 clean, with
/// white noise down to 10 dB or babble at 20 dB, and through the telephone band; new
/// utterances by espeak-ng's synthetic voices, which repeat their stored waveforms far more
/// closely than a person does, ≤ 0.82.
pub const DEFAULT_COPY_CORRELATION: f32 = 0.93;

/// Random projections of one enrolled word's waveform.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WordSketch {
    /// Seed of the projection signs.
    pub seed: u64,
    /// The word's length in samples at 8 kHz.
    pub len: u32,
    /// The word's Euclidean norm.
    pub norm: f32,
    /// `R w`: [`PROJECTIONS`] values.
    pub projections: Vec<f32>,
}

/// The projection signs: one row of [`PROJECTIONS`] bits per sample (xorshift64*).
struct Signs(u64);

impl Signs {
    fn new(seed: u64) -> Self {
        Self(splitmix(seed).max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn row(&mut self) -> [u64; PROJECTIONS / 64] {
        std::array::from_fn(|_| self.next())
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The sketches of the words `segments` (10 ms frames at 16 kHz) of the 16 kHz signal `x`,
/// with projection signs drawn from `seed` (one seed per template, from the caller's RNG).
pub fn sketch_words(x: &[f32], segments: &[(usize, usize)], seed: u64) -> Vec<WordSketch> {
    let y = resample(x, crate::audio::SAMPLE_RATE, RATE);
    let frame = FRAME * RATE as usize / crate::audio::SAMPLE_RATE as usize;
    segments
        .iter()
        .enumerate()
        .map(|(k, &(a, b))| {
            let w = &y[(a * frame).min(y.len())..(b * frame).min(y.len())];
            let seed = splitmix(seed ^ (k as u64).wrapping_mul(0xA24B_AED4_963E_E407));
            WordSketch {
                seed,
                len: w.len() as u32,
                norm: w.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>().sqrt() as f32,
                projections: project(w, seed).to_vec(),
            }
        })
        .filter(|s| s.len as usize >= MIN_LEN && s.norm > 0.0)
        .collect()
}

/// `R w`: the projections of `w` with the signs drawn from `seed`.
fn project(w: &[f32], seed: u64) -> [f32; PROJECTIONS] {
    let mut signs = Signs::new(seed);
    let mut proj = [0f32; PROJECTIONS];
    for &v in w {
        let row = signs.row();
        for (j, p) in proj.iter_mut().enumerate() {
            let sign = (row[j / 64] >> (j % 64) & 1) as f32 * 2.0 - 1.0;
            *p += sign * v;
        }
    }
    proj
}

/// Cosine of two vectors (0.0 when either is zero).
fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut ab, mut aa, mut bb) = (0f64, 0f64, 0f64);
    for (&x, &y) in a.iter().zip(b) {
        ab += f64::from(x) * f64::from(y);
        aa += f64::from(x).powi(2);
        bb += f64::from(y).powi(2);
    }
    if aa <= 0.0 || bb <= 0.0 {
        0.0
    } else {
        (ab / (aa * bb).sqrt()) as f32
    }
}

/// `Rᵀ R w` of a sketch, rebuilt from its seed (a lookup table per byte of each sign row:
/// 16 additions per sample instead of 128).
fn back_projection(s: &WordSketch) -> Option<Vec<f32>> {
    if s.projections.len() != PROJECTIONS {
        return None;
    }
    let tables: Vec<[f32; 256]> = s
        .projections
        .chunks(8)
        .map(|p| {
            std::array::from_fn(|byte| {
                p.iter()
                    .enumerate()
                    .map(|(b, &v)| if byte >> b & 1 == 1 { v } else { -v })
                    .sum()
            })
        })
        .collect();
    let mut signs = Signs::new(s.seed);
    Some(
        (0..s.len)
            .map(|_| {
                let row = signs.row();
                tables
                    .iter()
                    .enumerate()
                    .map(|(t, table)| table[(row[t / 8] >> (8 * (t % 8)) & 0xFF) as usize])
                    .sum()
            })
            .collect(),
    )
}

/// Lags per word whose correlation is computed exactly after the FFT estimate (the true lag
/// and its neighbours one pitch period away, which correlate almost as well in voiced speech).
const CANDIDATES: usize = 4;
/// Estimates below this are reported as they are, without the exact step: the estimate's
/// spread (about `1 / sqrt(PROJECTIONS)` = 0.09) puts a copy's above it by more than 4 spreads.
const EXACT_FROM: f32 = 0.6;

/// The highest waveform correlation of any sketched word with any stretch of the 16 kHz
/// probe `x` that holds it whole (0.0: nothing to compare). Every lag is estimated at once
/// by an FFT correlation with `Rᵀ R w`; at the best `CANDIDATES` lags of each word the
/// correlation is then taken exactly in the projected space, `cos(R w, R p_L)`, which is
/// close to the true waveform correlation when that is high (a copy scores ≈ 1 whatever
/// the estimate's spread). Words whose estimates all stay below `EXACT_FROM` report their best
/// estimate.
pub fn closest_waveform_copy(x: &[f32], sketches: &[WordSketch]) -> f32 {
    let p = resample(x, crate::audio::SAMPLE_RATE, RATE);
    let backs: Vec<(&WordSketch, Vec<f32>)> = sketches
        .iter()
        .filter(|s| (s.len as usize) <= p.len() && s.len > 0 && s.norm > 0.0)
        .filter_map(|s| back_projection(s).map(|v| (s, v)))
        .collect();
    let Some(longest) = backs.iter().map(|b| b.0.len as usize).max() else {
        return 0.0;
    };
    let n = (p.len() + longest).next_power_of_two();
    let mut planner = FftPlanner::<f32>::new();
    let (forward, inverse) = (planner.plan_fft_forward(n), planner.plan_fft_inverse(n));
    let mut probe: Vec<Complex<f32>> = p.iter().map(|&v| Complex::new(v, 0.0)).collect();
    probe.resize(n, Complex::new(0.0, 0.0));
    forward.process(&mut probe);
    let mut energy = vec![0f64; p.len() + 1];
    for (i, &v) in p.iter().enumerate() {
        energy[i + 1] = energy[i] + f64::from(v).powi(2);
    }
    let mut best = 0f32;
    // Two words per transform: `a - i b` correlates as `a` in the real part, `b` in the imaginary.
    for pair in backs.chunks(2) {
        let mut buf = vec![Complex::new(0.0, 0.0); n];
        for (i, &v) in pair[0].1.iter().enumerate() {
            buf[i].re = v;
        }
        if let Some((_, b)) = pair.get(1) {
            for (i, &v) in b.iter().enumerate() {
                buf[i].im = -v;
            }
        }
        forward.process(&mut buf);
        for (c, q) in buf.iter_mut().zip(&probe) {
            *c = q * c.conj();
        }
        inverse.process(&mut buf);
        for (k, (s, _)) in pair.iter().enumerate() {
            let len = s.len as usize;
            let yy: f64 = s.projections.iter().map(|&v| f64::from(v).powi(2)).sum();
            if yy <= 0.0 {
                continue;
            }
            let mut top = [(0f32, 0usize); CANDIDATES];
            for lag in 0..=p.len() - len {
                let window = energy[lag + len] - energy[lag];
                if window <= 1e-12 {
                    continue;
                }
                let r = f64::from(if k == 0 { buf[lag].re } else { buf[lag].im }) / n as f64;
                let estimate = (r * f64::from(s.norm) / (yy * window.sqrt())).abs() as f32;
                if estimate > top[CANDIDATES - 1].0 {
                    top[CANDIDATES - 1] = (estimate, lag);
                    top.sort_by(|a, b| b.0.total_cmp(&a.0));
                }
            }
            for &(estimate, lag) in &top {
                best = best.max(if estimate >= EXACT_FROM {
                    cosine(&s.projections, &project(&p[lag..lag + len], s.seed)).abs()
                } else {
                    estimate
                });
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conditions::{NoiseSource, add_noise};

    fn voiced(n: usize, f0: f32, seed: u64) -> Vec<f32> {
        let hiss = NoiseSource::new(seed).white(n);
        (0..n)
            .map(|i| {
                let t = i as f32 / 16_000.0;
                let f = f0 * (1.0 + 0.2 * (t * 3.0).sin());
                let tone: f32 = (1..6)
                    .map(|h| (2.0 * std::f32::consts::PI * f * h as f32 * t).sin() / h as f32)
                    .sum();
                0.3 * tone * (t * 7.0).sin().abs() + 0.02 * hiss[i]
            })
            .collect()
    }

    #[test]
    fn a_noisy_copy_correlates_and_a_new_utterance_does_not() {
        let word = voiced(8_000, 180.0, 1);
        let sketch = sketch_words(&word, &[(0, 50)], 42);
        assert_eq!(sketch.len(), 1);
        assert_eq!(sketch[0].projections.len(), PROJECTIONS);
        let mut probe = voiced(3_001, 220.0, 2);
        probe.extend_from_slice(&word);
        probe.extend(voiced(2_000, 150.0, 3));
        let white = NoiseSource::new(9).white(probe.len());
        let clean = closest_waveform_copy(&probe, &sketch);
        let noisy = closest_waveform_copy(&add_noise(&probe, &white, 20.0), &sketch);
        let inverted: Vec<f32> = probe.iter().map(|v| -0.3 * v).collect();
        let flipped = closest_waveform_copy(&inverted, &sketch);
        // The same "word" said again: same pitch contour, different phase and breath.
        let again: Vec<f32> = voiced(8_400, 183.0, 4)[400..].to_vec();
        let new = closest_waveform_copy(&again, &sketch);
        assert!(clean > 0.97 && flipped > 0.97, "clean {clean} flipped {flipped}");
        assert!(noisy > 0.9, "noisy {noisy}");
        assert!(new < DEFAULT_COPY_CORRELATION, "new {new}");
        assert_eq!(closest_waveform_copy(&probe, &[]), 0.0);
        assert_eq!(closest_waveform_copy(&word[..100], &sketch), 0.0);
    }

    #[test]
    fn another_seed_gives_other_projections_of_the_same_word() {
        let word = voiced(8_000, 180.0, 1);
        let a = sketch_words(&word, &[(0, 50)], 1);
        let b = sketch_words(&word, &[(0, 50)], 2);
        assert_ne!(a[0].projections, b[0].projections);
        assert_eq!(a[0].norm, b[0].norm);
        assert!(closest_waveform_copy(&word, &b) > 0.97);
    }
}
