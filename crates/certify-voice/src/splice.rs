//! Splice detection. An attacker who holds the person's enrollment recordings can cut out
//! the digit words and re-join them in the order of a new prompt. Two utterances of a word by
//! a living speaker are never sample-identical; a cut-out word is. Each enrolled word keeps
//! a sub-fingerprint sequence (Haitsma & Kalker, "A Highly Robust Audio Fingerprinting
//! System", ISMIR 2002: one bit per adjacent band pair, the sign of the energy difference's
//! change over time), which says nothing audible but matches a copy of the same samples at
//! a low bit error rate, even after added noise or the telephone band. A probe in which
//! some stretch matches an enrolled word that closely holds a copied word.

use crate::features::{Window, power_spec};
use serde::{Deserialize, Serialize};

/// FFT size and hop of the fingerprint frames (32 ms windows every 4 ms: a copied word
/// lands within 2 ms of a frame whatever its offset).
const N_FFT: usize = 512;
const HOP: usize = 64;
/// Band edges: 17 log-spaced bands over 300–3,400 Hz (the telephone band), 16 bits.
const BANDS: usize = 17;
const LOW_HZ: f64 = 300.0;
const HIGH_HZ: f64 = 3_400.0;
/// Frames of an enrolled word that must lie inside the probe for a comparison (80 ms).
const MIN_FRAMES: usize = 20;

/// Bit error rate (over each frame's reliable bits) at or below which a stretch of the probe
/// is a copy of an enrolled word. Measured (`voice_eval`, README "Voice calibration"): splices
/// ≤ 0.06 clean and through the telephone band, ≤ 0.08 phase-scrambled with white noise at
/// 20 dB; new utterances by espeak-ng's synthetic voices, whose repetitions are far more alike
/// than a person's, ≥ 0.09.
pub const DEFAULT_SPLICE_BER: f32 = 0.085;

/// Frames within this factor of a word's loudest frame (−10 dB) are compared; quieter ones
/// (pauses, soft consonants) are where noise flips bits.
const STRONG: f32 = 0.1;

/// The fingerprint of one enrolled word: one 16-bit sub-fingerprint per 4 ms frame, and
/// which frames are loud enough to compare.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordPrint {
    /// Sub-fingerprints.
    pub bits: Vec<u16>,
    /// Per frame: loud enough to compare.
    pub strong: Vec<bool>,
    /// Per frame: the bits to compare, those of the largest margins (empty in older
    /// templates: every bit).
    #[serde(default)]
    pub reliable: Vec<u16>,
}

/// Sub-fingerprints of a 16 kHz signal, one per frame.
pub fn fingerprint(x: &[f32]) -> Vec<u16> {
    frames(x).into_iter().map(|f| f.0).collect()
}

/// Bits kept per frame as reliable: those whose margin (the size of the energy difference's
/// change) is largest, which added noise rarely flips.
const RELIABLE_BITS: usize = 8;

/// The mask of a frame's [`RELIABLE_BITS`] bits of largest margin.
fn reliable_bits(margins: &[f32; BANDS - 1]) -> u16 {
    let mut order: [usize; BANDS - 1] = std::array::from_fn(|m| m);
    order.sort_by(|&a, &b| margins[b].abs().total_cmp(&margins[a].abs()));
    order[..RELIABLE_BITS].iter().fold(0u16, |mask, &m| mask | (1 << m))
}

/// Per frame: its sub-fingerprint, its energy in the bands, and each bit's margin (the
/// energy difference's change, whose sign is the bit).
fn frames(x: &[f32]) -> Vec<(u16, f32, [f32; BANDS - 1])> {
    let spec = power_spec(x, N_FFT, HOP, N_FFT, Window::Hann, false);
    let bin = |hz: f64| ((hz / 16_000.0 * N_FFT as f64).round() as usize).min(N_FFT / 2);
    let edges: Vec<usize> = (0..=BANDS)
        .map(|m| bin(LOW_HZ * (HIGH_HZ / LOW_HZ).powf(m as f64 / BANDS as f64)))
        .collect();
    let energies: Vec<Vec<f32>> = spec
        .iter()
        .map(|frame| {
            edges
                .windows(2)
                .map(|e| frame[e[0]..e[1].max(e[0] + 1)].iter().sum::<f32>())
                .collect()
        })
        .collect();
    energies
        .windows(2)
        .map(|w| {
            let margins: [f32; BANDS - 1] = std::array::from_fn(|m| (w[1][m] - w[1][m + 1]) - (w[0][m] - w[0][m + 1]));
            let bits = margins
                .iter()
                .enumerate()
                .fold(0u16, |bits, (m, &d)| bits | (u16::from(d > 0.0) << m));
            (bits, w[1].iter().sum::<f32>(), margins)
        })
        .collect()
}

/// The fingerprints of the words `segments` (in 10 ms frames, see [`crate::vad::FRAME`]) of `x`.
pub fn word_prints(x: &[f32], segments: &[(usize, usize)]) -> Vec<WordPrint> {
    let frame = crate::vad::FRAME;
    segments
        .iter()
        .map(|&(a, b)| {
            let f = frames(&x[(a * frame).min(x.len())..(b * frame).min(x.len())]);
            let loudest = f.iter().map(|f| f.1).fold(0.0, f32::max);
            WordPrint {
                bits: f.iter().map(|f| f.0).collect(),
                strong: f.iter().map(|f| f.1 >= STRONG * loudest && f.1 > 0.0).collect(),
                reliable: f.iter().map(|f| reliable_bits(&f.2)).collect(),
            }
        })
        .filter(|p| p.strong.iter().filter(|s| **s).count() >= MIN_FRAMES)
        .collect()
}

/// The lowest bit error rate, over the word's loud frames, of `word` against any stretch of
/// `probe` it fits in whole.
pub fn best_match(probe: &[u16], word: &WordPrint) -> Option<f32> {
    let n = word.bits.len();
    let compared = word.strong.iter().filter(|s| **s).count();
    if compared < MIN_FRAMES || probe.len() < n || word.strong.len() != n {
        return None;
    }
    let masks: std::borrow::Cow<'_, [u16]> = if word.reliable.len() == n {
        std::borrow::Cow::Borrowed(&word.reliable)
    } else {
        std::borrow::Cow::Owned(vec![u16::MAX; n])
    };
    let bits = word
        .strong
        .iter()
        .zip(masks.iter())
        .filter(|(s, _)| **s)
        .map(|(_, m)| m.count_ones())
        .sum::<u32>() as f32;
    (0..=probe.len() - n)
        .map(|lag| {
            probe[lag..lag + n]
                .iter()
                .zip(&word.bits)
                .zip(word.strong.iter().zip(masks.iter()))
                .filter(|(_, (strong, _))| **strong)
                .map(|((a, b), (_, mask))| ((a ^ b) & mask).count_ones())
                .sum::<u32>()
        })
        .min()
        .map(|errors| errors as f32 / bits)
}

/// The lowest bit error rate of any enrolled word against the probe `x` (1.0: nothing to compare).
pub fn closest_copy(x: &[f32], enrolled: &[WordPrint]) -> f32 {
    let probe = fingerprint(x);
    enrolled
        .iter()
        .filter_map(|w| best_match(&probe, w))
        .fold(1.0, f32::min)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conditions::{NoiseSource, add_noise};

    fn chirp(n: usize, f0: f32, seed: u64) -> Vec<f32> {
        let mut noise = NoiseSource::new(seed);
        let hiss = noise.white(n);
        (0..n)
            .map(|i| {
                let t = i as f32 / 16_000.0;
                let f = f0 * (1.0 + 2.0 * (t * 3.0).sin().abs());
                0.4 * (2.0 * std::f32::consts::PI * f * t).sin() * (t * 9.0).sin().abs() + 0.05 * hiss[i]
            })
            .collect()
    }

    #[test]
    fn a_copy_matches_at_any_offset_and_through_noise_a_new_signal_does_not() {
        let word = chirp(6_400, 300.0, 1);
        let print = word_prints(&word, &[(0, 40)]).remove(0);
        assert!(print.bits.len() > MIN_FRAMES);
        // The same samples at an offset that is no multiple of the hop, inside other sound.
        let mut probe = chirp(3_001, 500.0, 2);
        probe.extend_from_slice(&word);
        probe.extend(chirp(2_000, 700.0, 3));
        let copy = closest_copy(&probe, std::slice::from_ref(&print));
        let white = NoiseSource::new(9).white(probe.len());
        let noisy = closest_copy(&add_noise(&probe, &white, 20.0), std::slice::from_ref(&print));
        let other = closest_copy(&chirp(12_000, 310.0, 4), std::slice::from_ref(&print));
        assert!(copy < DEFAULT_SPLICE_BER, "copy {copy}");
        // Noise at 20 dB flips bits: still far nearer than another signal, but above the
        // threshold (the README's stated limit for splices with added noise).
        assert!(noisy < 0.25, "noisy copy {noisy}");
        assert!(other > 0.3, "other {other}");
        assert_eq!(closest_copy(&probe, &[]), 1.0);
    }
}
