//! What the engine does to a recording before the speaker embedding and the digit check.
//!
//! - [`denoise`]: spectral subtraction (Boll 1979, with over-subtraction and a spectral
//!   floor as in Berouti et al. 1979): the noise spectrum is the mean of the quietest
//!   frames, removed from every frame; short-time Fourier analysis with a Hann window at
//!   75% overlap, so overlap-add gives the signal back unchanged when nothing is removed.
//! - [`is_narrowband`]: a telephone-band recording, compared with the narrowband template.
//! - [`words_only`]: for the speaker embedding, the reader's words cut out and joined (5
//!   frames kept around each), so neither the pauses nor talk behind the reader in them
//!   count as the reader's voice. On the real-speech set (87 real readings, 2,436
//!   impostor trials; README, "Voice calibration") it refuses 9 / 24 / 39 real readings
//!   clean / white noise 20 dB / talk behind 20 dB at one cosine threshold, against
//!   38 / 50 / 71 for [`quiet_between_words`], which templates made before it
//!   ([`SpeakerInput::PausesTurnedDown`]) still use.
//! - [`quiet_between_words`]: the pauses between the words turned down to −30 dB, the
//!   timing kept.
//!
//! Earlier (README, "Voice calibration") embedding only the words measured worse (genuine
//! passes on real short words 78/87 → 30/87), at a cosine threshold set for the pauses
//! path; calibrated for its own scores (`speaker_variants` example) it is the better input.

use crate::vad::{FRAME, segments_for};
use rustfft::FftPlanner;
use rustfft::num_complex::Complex;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

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

/// What the speaker embedding is given of a recording, and which network embeds it; a
/// template records which (stored as `"as_heard"`, `"words_only"` or
/// `"pauses_turned_down"`), and a probe is embedded the same way as the template it is
/// compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpeakerInput {
    /// The recording as it arrived (no noise reduction, the pauses kept) given to CAM++
    /// ([`crate::campplus`]): every template enrolled now. On the real-speech set it
    /// refuses fewer real readings than GE2E given the prepared words (README, "Voice
    /// calibration").
    AsHeard,
    /// The words cut out of the prepared recording and joined ([`words_only`]), given to
    /// GE2E ([`crate::speaker`]): templates enrolled before [`SpeakerInput::AsHeard`].
    WordsOnly,
    /// The pauses between words turned down ([`quiet_between_words`]), given to GE2E:
    /// templates enrolled before that, which carry no `speaker_input` field.
    PausesTurnedDown,
}

/// The network that embeds a [`SpeakerInput`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpeakerModel {
    /// CAM++, 192 values ([`crate::campplus`]).
    CamPlus,
    /// GE2E, 256 values ([`crate::speaker`]).
    Ge2e,
}

impl SpeakerInput {
    /// The input of templates stored without the field (enrolled before it existed).
    pub fn before_words_only() -> Self {
        SpeakerInput::PausesTurnedDown
    }

    /// The network that embeds this input.
    pub fn model(self) -> SpeakerModel {
        match self {
            SpeakerInput::AsHeard => SpeakerModel::CamPlus,
            SpeakerInput::WordsOnly | SpeakerInput::PausesTurnedDown => SpeakerModel::Ge2e,
        }
    }

    /// Whether the input starts from the prepared recording (noise reduced when noisy,
    /// `VoiceEngine::prepared`) rather than the recording as it arrived.
    pub fn from_prepared(self) -> bool {
        self != SpeakerInput::AsHeard
    }

    /// `x` (holding `words` words; prepared when [`SpeakerInput::from_prepared`]) as the
    /// embedding is given it.
    pub fn of(self, x: &[f32], words: usize) -> Cow<'_, [f32]> {
        match self {
            SpeakerInput::AsHeard => Cow::Borrowed(x),
            SpeakerInput::WordsOnly => words_only(x, words),
            SpeakerInput::PausesTurnedDown => quiet_between_words(x, words),
        }
    }
}

/// Frames (10 ms) kept at full level on either side of each of the reader's words.
pub const WORD_MARGIN_FRAMES: usize = 5;
/// The gain between the reader's words (−30 dB).
pub const BETWEEN_WORDS_GAIN: f32 = 0.03;

/// The sample ranges of the reader's `words` words in `x` (found as the digit check finds
/// them: [`segments_for`], voices far below the reader left out), each widened by
/// [`WORD_MARGIN_FRAMES`] on either side, overlapping ones merged; in order. `None` when the
/// words cannot be found.
pub fn word_ranges(x: &[f32], words: usize) -> Option<Vec<(usize, usize)>> {
    let n = x.len();
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for (a, b) in segments_for(x, words)? {
        let from = (a.saturating_sub(WORD_MARGIN_FRAMES) * FRAME).min(n);
        let until = ((b + WORD_MARGIN_FRAMES) * FRAME).clamp(from, n);
        match ranges.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(until),
            _ => ranges.push((from, until)),
        }
    }
    Some(ranges)
}

/// `x` with everything outside the reader's words ([`word_ranges`]) turned down to
/// [`BETWEEN_WORDS_GAIN`]. Unchanged when the words cannot be found.
pub fn quiet_between_words(x: &[f32], words: usize) -> Cow<'_, [f32]> {
    let Some(kept) = word_ranges(x, words) else {
        return Cow::Borrowed(x);
    };
    let mut out = x.to_vec();
    let n = out.len();
    let mut quiet_from = 0;
    for (from, until) in kept.into_iter().chain(std::iter::once((n, n))) {
        if quiet_from < from {
            out[quiet_from..from].iter_mut().for_each(|v| *v *= BETWEEN_WORDS_GAIN);
        }
        quiet_from = quiet_from.max(until);
    }
    Cow::Owned(out)
}

/// The reader's words ([`word_ranges`]) cut out of `x` and joined, the pauses between them
/// left out: what the speaker embedding sees. Unchanged when the words cannot be found.
pub fn words_only(x: &[f32], words: usize) -> Cow<'_, [f32]> {
    match word_ranges(x, words) {
        Some(kept) => Cow::Owned(kept.into_iter().flat_map(|(a, b)| x[a..b].iter().copied()).collect()),
        None => Cow::Borrowed(x),
    }
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
    fn talk_between_the_readers_words_is_turned_down_and_the_words_kept() {
        // Eight words of 250 ms with 400 ms pauses, each pause holding 150 ms of a voice
        // 20 dB below the reader's.
        let (word, pause) = (4_000, 6_400);
        let starts: Vec<usize> = (0..8).map(|k| 1_600 + k * (word + pause)).collect();
        let mut x = crate::conditions::bursts(starts[7] + word + 1_600, &starts, word, |i| {
            ((i * 0.07).sin() + 0.5 * (i * 0.23).sin()) * 0.3
        });
        let talk_at: Vec<usize> = starts.iter().map(|s| s + word + 2_400).take(7).collect();
        for &t in &talk_at {
            for (i, v) in x[t..t + 2_400].iter_mut().enumerate() {
                *v += (i as f32 * 0.11).sin() * 0.03;
            }
        }
        let quiet = quiet_between_words(&x, 8);
        for &s in &starts {
            assert_eq!(&quiet[s..s + word], &x[s..s + word], "a word was changed");
        }
        for &t in &talk_at {
            let before: f32 = x[t..t + 2_400].iter().map(|v| v.abs()).sum();
            let after: f32 = quiet[t..t + 2_400].iter().map(|v| v.abs()).sum();
            assert!(after < 0.05 * before, "talk kept: {after} of {before}");
        }
        // Words that cannot be found (not the prompt's count): nothing is changed.
        assert!(matches!(quiet_between_words(&x, 3), Cow::Borrowed(_)));
    }

    #[test]
    fn only_the_words_are_kept_in_order_with_their_margins() {
        // Three words of 250 ms, 400 ms apart, each its own tone; a voice 20 dB below in
        // the first pause.
        let (word, pause) = (4_000, 6_400);
        let starts: Vec<usize> = (0..3).map(|k| 1_600 + k * (word + pause)).collect();
        let mut x = vec![0f32; starts[2] + word + 1_600];
        for (k, &s) in starts.iter().enumerate() {
            for (i, v) in x[s..s + word].iter_mut().enumerate() {
                *v = (i as f32 * 0.05 * (k + 1) as f32).sin() * 0.3;
            }
        }
        let talk = starts[0] + word + 2_400;
        for (i, v) in x[talk..talk + 2_400].iter_mut().enumerate() {
            *v += (i as f32 * 0.11).sin() * 0.03;
        }
        let ranges = word_ranges(&x, 3).expect("three words");
        assert_eq!(ranges.len(), 3);
        for (&(a, b), &s) in ranges.iter().zip(&starts) {
            assert!(a <= s && b >= s + word, "{a}..{b} misses the word at {s}");
            assert!(s - a <= (WORD_MARGIN_FRAMES + 3) * FRAME && b - (s + word) <= (WORD_MARGIN_FRAMES + 3) * FRAME);
        }
        let only = words_only(&x, 3);
        assert_eq!(only.len(), ranges.iter().map(|(a, b)| b - a).sum::<usize>());
        // Each 400 ms pause, less its margins, is gone.
        assert!(
            only.len() <= x.len() - 2 * (pause - 2 * WORD_MARGIN_FRAMES * FRAME),
            "{} of {}",
            only.len(),
            x.len()
        );
        // The words, in order: each one found whole in the joined samples.
        let mut at = 0;
        for &s in &starts {
            let w = &x[s..s + word];
            let found = (at..=only.len() - word).find(|&i| &only[i..i + word] == w);
            at = found.expect("a word is missing or out of order") + word;
        }
        // Words 100 ms apart: their margins overlap and are merged, never repeated.
        let close = [1_600, 1_600 + word + 1_600];
        let y = crate::conditions::bursts(close[1] + word + 1_600, &close, word, |i| (i * 0.05).sin() * 0.3);
        let merged = word_ranges(&y, 2).expect("two words");
        assert_eq!(merged.len(), 1, "{merged:?}");
        assert_eq!(words_only(&y, 2).len(), merged[0].1 - merged[0].0);
        assert!(matches!(words_only(&x, 9), Cow::Borrowed(_)));
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
