//! Voice activity: the Silero VAD model (speech probability per 32 ms chunk) for quality
//! checks, and energy segmentation into separate words (digits) for the prompt check.

use certify_onnx::{Input, Model, ModelSpec, RuntimeError};

/// Silero VAD 16 kHz (PyPI silero-vad 6.2.3, shipped as ONNX).
pub const SILERO_VAD: ModelSpec = ModelSpec {
    file: "silero_vad_16k_op15.onnx",
    sha256: "7ed98ddbad84ccac4cd0aeb3099049280713df825c610a8ed34543318f1b2c49",
    inputs: &[("input", &[-1, -1]), ("state", &[2, -1, 128]), ("sr", &[])],
    outputs: &[("output", &[-1, 1]), ("stateN", &[-1, -1, -1])],
};

/// Samples per VAD chunk (32 ms).
pub const CHUNK: usize = 512;

/// Samples per 10 ms frame of the energy segmentation (segment bounds count these frames).
pub const FRAME: usize = 160;
const CONTEXT: usize = 64;

/// The Silero VAD.
#[derive(Debug)]
pub struct Vad {
    model: Model,
}

impl Vad {
    /// Wrap the loaded model.
    pub fn new(model: Model) -> Self {
        Self { model }
    }

    /// The model (its session pool).
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Speech probability of each 512-sample chunk (the model's recurrent state carried
    /// across chunks, each chunk preceded by 64 samples of context).
    pub fn probabilities(&self, x: &[f32]) -> Result<Vec<f32>, RuntimeError> {
        let mut state = vec![0f32; 2 * 128];
        let mut context = vec![0f32; CONTEXT];
        let mut out = Vec::with_capacity(x.len() / CHUNK + 1);
        let mut input = vec![0f32; CONTEXT + CHUNK];
        for chunk in x.chunks(CHUNK) {
            input[..CONTEXT].copy_from_slice(&context);
            input[CONTEXT..CONTEXT + chunk.len()].copy_from_slice(chunk);
            input[CONTEXT + chunk.len()..].fill(0.0);
            let res = self.model.run_inputs(&[
                Input::F32 {
                    shape: &[1, CONTEXT + CHUNK],
                    data: &input,
                },
                Input::F32 {
                    shape: &[2, 1, 128],
                    data: &state,
                },
                Input::I64Scalar(16_000),
            ])?;
            out.push(res[0].1.first().copied().unwrap_or(0.0));
            state.copy_from_slice(&res[1].1[..256]);
            context.copy_from_slice(&input[CHUNK..]);
        }
        Ok(out)
    }
}

/// Split audio into word-like segments by frame energy (10 ms frames): active frames are
/// those above the midpoint (in dB) between the noise floor and the peak, or above
/// −35 dB of the peak; gaps of at least 80 ms separate segments; segments shorter than
/// 100 ms are dropped. Returns frame ranges.
pub fn energy_segments(x: &[f32]) -> Vec<(usize, usize)> {
    const MIN_SIL: usize = 8;
    const MIN_LEN: usize = 10;
    let n = x.len() / FRAME;
    if n == 0 {
        return Vec::new();
    }
    let e: Vec<f64> = (0..n)
        .map(|i| {
            x[i * FRAME..(i + 1) * FRAME]
                .iter()
                .map(|&v| f64::from(v).powi(2))
                .sum::<f64>()
                + 1e-10
        })
        .collect();
    let max = e.iter().copied().fold(0.0, f64::max);
    let db: Vec<f64> = e.iter().map(|v| 10.0 * (v / max).log10()).collect();
    let mut sorted = db.clone();
    sorted.sort_by(f64::total_cmp);
    // numpy.percentile(db, 10) with linear interpolation.
    let pos = 0.1 * (n - 1) as f64;
    let (lo, frac) = (pos.floor() as usize, pos - pos.floor());
    let floor = sorted[lo] + (sorted[(lo + 1).min(n - 1)] - sorted[lo]) * frac;
    let thr = (-35.0f64).max(floor + 0.5 * (0.0 - floor));
    let act: Vec<bool> = db.iter().map(|&d| d > thr).collect();
    let mut segs = Vec::new();
    let mut i = 0;
    while i < n {
        if act[i] {
            let mut j = i;
            let mut last = i;
            while j < n && (act[j] || j - last < MIN_SIL) {
                if act[j] {
                    last = j;
                }
                j += 1;
            }
            if last + 1 - i >= MIN_LEN {
                segs.push((i, last + 1));
            }
            i = last + 1;
        } else {
            i += 1;
        }
    }
    segs
}

/// Most segments [`segments_for`] will add or remove to reach the expected count.
pub const MAX_SEGMENT_ADJUST: usize = 3;

/// Energy segments adjusted to the `expected` word count, when the raw count is within
/// [`MAX_SEGMENT_ADJUST`]: too few → split the longest segment at its quietest frame
/// (fast speech runs digits together); too many → merge the two segments with the shortest
/// gap. `None` when the raw count is too far off to be the prompt.
pub fn segments_for(x: &[f32], expected: usize) -> Option<Vec<(usize, usize)>> {
    let mut segs = energy_segments(x);
    let energy = |f: usize| {
        x[f * FRAME..((f + 1) * FRAME).min(x.len())]
            .iter()
            .map(|v| v * v)
            .sum::<f32>()
    };
    let mean_energy = |(a, b): (usize, usize)| (a..b).map(energy).sum::<f32>() / (b - a).max(1) as f32;
    drop_background_words(&mut segs, BACKGROUND_WORD_DB, 2, mean_energy);
    if segs.len() > expected {
        drop_background_words(&mut segs, EXTRA_WORD_DB, expected, mean_energy);
    }
    if segs.is_empty() || segs.len().abs_diff(expected) > MAX_SEGMENT_ADJUST {
        return None;
    }
    while segs.len() < expected {
        let (i, &(a, b)) = segs.iter().enumerate().max_by_key(|(_, s)| s.1 - s.0)?;
        if b - a < 12 {
            return None;
        }
        let cut = (a + 5..b - 5).min_by(|&p, &q| energy(p).total_cmp(&energy(q)))?;
        segs.splice(i..=i, [(a, cut), (cut + 1, b)]);
    }
    while segs.len() > expected {
        let i = (0..segs.len() - 1).min_by_key(|&i| segs[i + 1].0 - segs[i].1)?;
        let merged = (segs[i].0, segs[i + 1].1);
        segs.splice(i..=i + 1, [merged]);
    }
    Some(segs)
}

/// How far (dB) below the median word a segment's mean energy must be to count as someone
/// else talking in the background rather than a word of the prompt.
pub const BACKGROUND_WORD_DB: f32 = 12.0;

/// When there are more segments than the prompt has words, how far (dB) below the median
/// word a segment must be to be taken for talk behind the reader rather than merged into a
/// word: the words of one reading lie within about 8 dB of each other (the set's clean
/// readings), and merging talk into a word shifts no digit but spoils that word.
pub const EXTRA_WORD_DB: f32 = 9.0;

/// Remove, quietest first, the segments `db` below the median segment while more than
/// `keep` are left: one person reading a prompt says every digit at much the same level,
/// while voices behind them (a television, other people in the room) are far quieter, and
/// counting such a segment as a word would shift every digit after it.
fn drop_background_words(
    segs: &mut Vec<(usize, usize)>,
    db: f32,
    keep: usize,
    mean_energy: impl Fn((usize, usize)) -> f32,
) {
    // Each segment's level is measured once; the median is of the segments still kept.
    let mut levels: Vec<f32> = segs.iter().map(|&s| 10.0 * (mean_energy(s) + 1e-12).log10()).collect();
    while segs.len() > keep.max(2) {
        let mut sorted = levels.clone();
        sorted.sort_by(f32::total_cmp);
        let median = sorted[sorted.len() / 2];
        let Some((i, &weakest)) = levels.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)) else {
            return;
        };
        if weakest > median - db {
            return;
        }
        segs.remove(i);
        levels.remove(i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn energy_segments_split_bursts_separated_by_silence() {
        let mut x = vec![0.0f32; 16_000];
        for (start, len) in [(1600, 3200), (6400, 2400), (11_200, 3200)] {
            for (i, v) in x[start..start + len].iter_mut().enumerate() {
                *v = (i as f32 * 0.2).sin() * 0.5;
            }
        }
        assert_eq!(energy_segments(&x), vec![(10, 30), (40, 55), (70, 90)]);
        assert!(energy_segments(&[0.0; 100]).is_empty());
        // Two bursts run together are split; a count far off is refused.
        let split = segments_for(&x, 4).unwrap();
        assert_eq!(split.len(), 4);
        assert_eq!(segments_for(&x, 2).unwrap(), vec![(10, 55), (70, 90)]);
        assert!(segments_for(&x, 8).is_none());
    }

    #[test]
    fn a_voice_far_behind_the_reader_is_not_counted_as_a_word() {
        // Three words at one level and, in the pause after the second, a short burst of
        // someone talking 20 dB lower: the prompt's three words come back unchanged instead
        // of the burst being merged into a word (which shifts the digits after it).
        let mut x = vec![0.0f32; 20_000];
        for (start, len, amp) in [
            (1600, 3200, 0.5),
            (6400, 2400, 0.5),
            (10_240, 1600, 0.05),
            (13_600, 2400, 0.5),
        ] {
            for (i, v) in x[start..start + len].iter_mut().enumerate() {
                *v = (i as f32 * 0.2).sin() * amp;
            }
        }
        assert_eq!(energy_segments(&x).len(), 4);
        assert_eq!(segments_for(&x, 3).unwrap(), vec![(10, 30), (40, 55), (85, 100)]);
        // Words of one reader at different levels (within 12 dB) are all kept.
        for v in &mut x[10_240..11_840] {
            *v *= 4.0;
        }
        assert_eq!(segments_for(&x, 4).unwrap().len(), 4);
    }

    /// Eight 250 ms words with 250 ms pauses from 100 ms in, at amplitude 0.5.
    fn eight_words() -> (Vec<f32>, Vec<usize>) {
        let starts: Vec<usize> = (0..8).map(|k| 1_600 + k * 8_000).collect();
        let x = crate::conditions::bursts(68_000, &starts, 4_000, |i| (i * 0.2).sin() * 0.5);
        (x, starts)
    }

    #[test]
    fn one_segment_too_many_and_far_below_the_words_is_dropped_not_merged() {
        // Talk 10 dB below the reader's words, after the last word: dropped (before, only
        // segments 12 dB below were, and this one was merged into the last word).
        let (mut x, starts) = eight_words();
        for (i, v) in x[63_600..66_000].iter_mut().enumerate() {
            *v = (i as f32 * 0.13).sin() * 0.158;
        }
        let segs = segments_for(&x, 8).unwrap();
        assert_eq!(segs.len(), 8);
        assert_eq!(segs[7], (starts[7] / FRAME, (starts[7] + 4_000) / FRAME));
        // A word 6 dB below the others is a word: with the count right it stays.
        let (mut x, _) = eight_words();
        for v in &mut x[starts[3]..starts[3] + 4_000] {
            *v *= 0.5;
        }
        assert_eq!(segments_for(&x, 8).unwrap().len(), 8);
    }

    #[test]
    fn three_pauses_filled_by_talk_are_still_cut_into_the_prompts_words() {
        // Talk 20 dB down fills three pauses, running words 1–2, 4–5 and 6–7 together: five
        // segments for eight words, each cut again at its quietest frame (before: refused as
        // too far from the prompt, more than two segments off).
        let (mut x, starts) = eight_words();
        for k in [0, 3, 5] {
            for (i, v) in x[starts[k] + 4_000..starts[k + 1]].iter_mut().enumerate() {
                *v = (i as f32 * 0.13).sin() * 0.05;
            }
        }
        assert_eq!(energy_segments(&x).len(), 5);
        let segs = segments_for(&x, 8).unwrap();
        assert_eq!(segs.len(), 8);
        for (seg, start) in segs.iter().zip(&starts) {
            let (word_from, word_to) = (start / FRAME, (start + 4_000) / FRAME);
            // Each segment holds its whole word and starts at most a pause before it.
            assert!(seg.0 <= word_from + 1 && seg.1 + 1 >= word_to, "{segs:?}");
            assert!(seg.0 + 25 >= word_from && seg.0 < word_to, "{segs:?}");
        }
    }
}
