//! Test conditions made from clean recordings, for the evaluation and the tests: noise at a
//! chosen signal-to-noise ratio (white, or babble from other people's speech), a changed
//! speech level, the 8 kHz telephone band, and the splice attack — a prompt assembled from
//! digit words cut out of the person's own enrollment recordings.

use crate::resample::resample;
use crate::vad::{FRAME, energy_segments, segments_for};

/// A reproducible noise source (xorshift; no global RNG).
#[derive(Debug, Clone)]
pub struct NoiseSource(u64);

impl NoiseSource {
    /// A source from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    fn uniform(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
    }

    /// Approximately Gaussian white noise of unit variance (sum of 4 uniforms).
    pub fn white(&mut self, n: usize) -> Vec<f32> {
        (0..n)
            .map(|_| (0..4).map(|_| self.uniform()).sum::<f32>() * (3.0f32 / 4.0).sqrt())
            .collect()
    }
}

/// Mean square of the speech (the energy-segmented words), the level SNR refers to.
pub fn speech_power(x: &[f32]) -> f64 {
    let (mut sum, mut n) = (0f64, 0usize);
    for (a, b) in energy_segments(x) {
        for &v in &x[a * FRAME..(b * FRAME).min(x.len())] {
            sum += f64::from(v).powi(2);
            n += 1;
        }
    }
    if n == 0 { 0.0 } else { sum / n as f64 }
}

/// `x` plus white noise `snr_db` below its speech level, the noise seeded by `x`'s length
/// (the same recording always gets the same noise): the evaluation's white-noise condition.
pub fn white_at(x: &[f32], snr_db: f32) -> Vec<f32> {
    add_noise(x, &NoiseSource::new(x.len() as u64).white(x.len()), snr_db)
}

/// `x` plus `noise` (repeated or cut to length) scaled to `snr_db` below the speech level.
pub fn add_noise(x: &[f32], noise: &[f32], snr_db: f32) -> Vec<f32> {
    let noise_power = noise.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / noise.len().max(1) as f64;
    if noise_power <= 0.0 {
        return x.to_vec();
    }
    let gain = (speech_power(x) / noise_power / 10f64.powf(f64::from(snr_db) / 10.0)).sqrt() as f32;
    x.iter()
        .zip(noise.iter().cycle())
        .map(|(&s, &n)| (s + gain * n).clamp(-1.0, 1.0))
        .collect()
}

/// `x` plus `noise` looped or cut to `x`'s length first, then scaled to `snr_db` below
/// the speech level ([`add_noise`]): the level is that of the noise actually heard, not of
/// the whole source (the evaluations' talk behind the reader).
pub fn add_noise_looped(x: &[f32], noise: &[f32], snr_db: f32) -> Vec<f32> {
    let heard: Vec<f32> = noise.iter().cycle().take(x.len()).copied().collect();
    add_noise(x, &heard, snr_db)
}

/// Babble: several other recordings summed (what a room of people talking sounds like).
pub fn babble(others: &[&[f32]]) -> Vec<f32> {
    let n = others.iter().map(|o| o.len()).max().unwrap_or(0);
    let mut out = vec![0f32; n];
    for (k, o) in others.iter().enumerate() {
        // Each talker starts at a different point so the words do not line up.
        let shift = k * o.len() / others.len().max(1);
        for (i, v) in out.iter_mut().enumerate() {
            if !o.is_empty() {
                *v += o[(i + shift) % o.len()];
            }
        }
    }
    out
}

/// `x` scaled so its speech is at `dbfs` (RMS of the words, dB relative to full scale).
pub fn at_level(x: &[f32], dbfs: f32) -> Vec<f32> {
    let p = speech_power(x);
    if p <= 0.0 {
        return x.to_vec();
    }
    let gain = (10f64.powf(f64::from(dbfs) / 10.0) / p).sqrt() as f32;
    x.iter().map(|&v| (v * gain).clamp(-1.0, 1.0)).collect()
}

/// The telephone band: down to 8 kHz, as a phone recording arrives.
pub fn telephone(x: &[f32]) -> Vec<f32> {
    resample(x, crate::audio::SAMPLE_RATE, 8_000)
}

/// The splice attack: the digits of `prompt`, each cut from an enrollment recording that
/// says it (`recordings` with their prompts), joined with `gap_ms` of the recordings' own
/// background between words. `None` when a digit is in none of them.
pub fn splice(recordings: &[(&[f32], &str)], prompt: &str, gap_ms: usize) -> Option<Vec<f32>> {
    let cut: Vec<(u8, &[f32])> = recordings
        .iter()
        .flat_map(|(x, p)| {
            let segs = segments_for(x, p.len()).unwrap_or_default();
            p.bytes()
                .zip(segs)
                .map(|(d, (a, b))| (d, &x[a * FRAME..(b * FRAME).min(x.len())]))
                .collect::<Vec<_>>()
        })
        .collect();
    let (first, _) = recordings.first()?;
    // The quietest 100 ms of the first recording, repeated: its own room sound.
    let floor: &[f32] = first
        .chunks(1_600)
        .filter(|c| c.len() == 1_600)
        .min_by(|a, b| power(a).total_cmp(&power(b)))?;
    let gap: Vec<f32> = floor.iter().cycle().take(gap_ms * 16).copied().collect();
    let mut out = gap.clone();
    for (k, d) in prompt.bytes().enumerate() {
        // Take a different occurrence of a repeated digit when there is one.
        let options: Vec<&[f32]> = cut.iter().filter(|(c, _)| *c == d).map(|(_, w)| *w).collect();
        let word = options.get(k % options.len().max(1))?;
        out.extend_from_slice(word);
        out.extend_from_slice(&gap);
    }
    Some(out)
}

/// A phase scrambler: a cascade of first-order all-pass filters, which leave every
/// frequency's level as it was (the recording sounds the same) and shift its phase, so the
/// waveform no longer lines up with the original — what an attacker who knows of a waveform
/// comparison would do to a splice.
pub fn all_pass(x: &[f32]) -> Vec<f32> {
    let mut y = x.to_vec();
    for a in [0.9f32, -0.85, 0.92, 0.8, -0.9, 0.88, 0.7, -0.75] {
        let (mut x1, mut y1) = (0.0f32, 0.0f32);
        for v in &mut y {
            let out = -a * *v + x1 + a * y1;
            x1 = *v;
            y1 = out;
            *v = out;
        }
    }
    y
}

fn power(x: &[f32]) -> f64 {
    x.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / x.len().max(1) as f64
}

/// Test signal: `len` samples of silence with a burst of `tone(i)` for `burst` samples at each start.
#[cfg(test)]
pub(crate) fn bursts(len: usize, starts: &[usize], burst: usize, tone: impl Fn(f32) -> f32) -> Vec<f32> {
    let mut x = vec![0.0f32; len];
    for &start in starts {
        for (i, v) in x[start..start + burst].iter_mut().enumerate() {
            *v = tone(i as f32);
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bursts() -> Vec<f32> {
        super::bursts(16_000, &[1_600, 6_400, 11_200], 3_200, |i| (i * 0.2).sin() * 0.5)
    }

    #[test]
    fn noise_lands_at_the_asked_snr() {
        let x = bursts();
        let noise = NoiseSource::new(7).white(16_000);
        for snr in [30.0f32, 20.0, 10.0] {
            let y = add_noise(&x, &noise, snr);
            let added: Vec<f32> = y.iter().zip(&x).map(|(a, b)| a - b).collect();
            let measured = 10.0 * (speech_power(&x) / power(&added)).log10();
            assert!((measured as f32 - snr).abs() < 0.5, "{snr}: {measured}");
        }
    }

    #[test]
    fn level_and_splice_do_what_they_say() {
        let x = bursts();
        let quiet = at_level(&x, -38.0);
        assert!((10.0 * speech_power(&quiet).log10() + 38.0).abs() < 0.5);
        let rec: Vec<(&[f32], &str)> = vec![(&x, "123")];
        let s = splice(&rec, "321", 200).unwrap();
        assert_eq!(energy_segments(&s).len(), 3);
        assert!(splice(&rec, "4", 200).is_none());
    }
}
