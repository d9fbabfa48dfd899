//! The spoken-digit check: no package on a registry recognises spoken Mandarin digits, so
//! the check is speaker-dependent — each enrollment recording is cut into words by
//! energy, each word labelled with its prompted digit, and at verification each word is
//! classified by dynamic time warping over MFCCs + deltas against the person's own
//! labelled words (`models/reference/eval_digits_dtw.py` is the reference).

use crate::features::{mfcc, with_deltas};
use crate::vad::{FRAME, energy_segments, segments_for};
use serde::{Deserialize, Serialize};

/// Feature frames of one spoken word (cepstral-mean normalised MFCC + deltas).
pub type WordFeatures = Vec<Vec<f32>>;

/// The person's labelled digit words.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DigitTemplates {
    /// `(digit 0–9, features)`.
    pub words: Vec<(u8, WordFeatures)>,
}

impl DigitTemplates {
    /// How many words of `digit` are known.
    pub fn count(&self, digit: u8) -> usize {
        self.words.iter().filter(|w| w.0 == digit).count()
    }
}

/// The words of a recording, in order; with `expected`, the segmentation is adjusted to
/// that count (see [`segments_for`]) and `None` comes back when it cannot be.
pub fn words_for(x: &[f32], expected: Option<usize>) -> Option<Vec<WordFeatures>> {
    let segs = match expected {
        Some(n) => segments_for(x, n)?,
        None => energy_segments(x),
    };
    Some(features_of(x, segs))
}

/// The words of a recording as segmented by energy, in order.
pub fn words(x: &[f32]) -> Vec<WordFeatures> {
    features_of(x, energy_segments(x))
}

fn features_of(x: &[f32], segs: Vec<(usize, usize)>) -> Vec<WordFeatures> {
    let feats = with_deltas(&mfcc(x, 13));
    segs.into_iter()
        .map(|s| word_features(&feats, s))
        .filter(|w: &WordFeatures| !w.is_empty())
        .collect()
}

/// The frames of the word `(a, b)` (two frames of context either side), cepstral-mean
/// normalised over the word.
fn word_features(feats: &[Vec<f32>], (a, b): (usize, usize)) -> WordFeatures {
    let s = &feats[a.saturating_sub(2).min(feats.len())..(b + 2).min(feats.len())];
    let dims = s.first().map_or(0, Vec::len);
    let mut mean = vec![0f32; dims];
    for f in s {
        for (m, v) in mean.iter_mut().zip(f) {
            *m += v / s.len() as f32;
        }
    }
    s.iter()
        .map(|f| f.iter().zip(&mean).map(|(v, m)| v - m).collect())
        .collect()
}

/// How far (dB) below a word's loudest frame the frames at its edges may be someone else's
/// talk run into the word rather than the word. `voice_eval`, babble of three voices at
/// 20 dB: digit refusals 4/24 → 0/24 (README, "Voice calibration").
pub const EDGE_TRIM_DB: f32 = 15.0;
/// Shortest reading of a word without its quiet edges (frames, 100 ms).
const MIN_TRIMMED: usize = 10;

/// Level (dB) of each 10 ms frame.
fn frame_levels(x: &[f32]) -> Vec<f32> {
    x.chunks_exact(FRAME)
        .map(|f| 10.0 * (f.iter().map(|v| v * v).sum::<f32>() + 1e-10).log10())
        .collect()
}

/// The word `(a, b)` as segmented (always first), and without the runs of frames at its start, its end or
/// both that lie [`EDGE_TRIM_DB`] below its loudest frame. When a voice behind the reader
/// runs into a word, the energy segmentation takes that talk as part of the word; which
/// reading is the word is left to the templates (see [`recognise`]).
pub fn edge_readings(levels: &[f32], (a, b): (usize, usize)) -> Vec<(usize, usize)> {
    let b_in = b.min(levels.len());
    let Some(peak) = levels.get(a..b_in).and_then(|l| l.iter().copied().reduce(f32::max)) else {
        return vec![(a, b)];
    };
    let loud = |f: &usize| levels[*f] > peak - EDGE_TRIM_DB;
    let first = (a..b_in).find(loud).unwrap_or(a);
    let last = (a..b_in).rev().find(loud).map_or(b, |f| f + 1);
    let mut out = vec![(a, b)];
    for s in [a, first] {
        for e in [b, last] {
            if e >= s + MIN_TRIMMED && !out.contains(&(s, e)) {
                out.push((s, e));
            }
        }
    }
    out
}

/// Length-normalised DTW distance (Euclidean frame cost, steps (1,0), (0,1), (1,1)).
pub fn dtw(a: &[Vec<f32>], b: &[Vec<f32>]) -> f32 {
    dtw_below(a, b, f32::INFINITY)
}

/// [`dtw`], given up (∞) as soon as the distance is sure to be `bound` or more: every path
/// crosses every row and frame costs are not negative, so a row's smallest running cost is
/// a lower bound of the end.
pub fn dtw_below(a: &[Vec<f32>], b: &[Vec<f32>], bound: f32) -> f32 {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        return f32::INFINITY;
    }
    let limit = bound * (n + m) as f32;
    let mut prev = vec![f32::INFINITY; m + 1];
    let mut cur = vec![f32::INFINITY; m + 1];
    prev[0] = 0.0;
    for ai in a {
        cur[0] = f32::INFINITY;
        let mut row_min = f32::INFINITY;
        for j in 1..=m {
            let c = distance(ai, &b[j - 1]);
            cur[j] = c + prev[j].min(cur[j - 1]).min(prev[j - 1]);
            row_min = row_min.min(cur[j]);
        }
        if row_min >= limit {
            return f32::INFINITY;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m] / (n + m) as f32
}

/// Euclidean distance of two frames, summed in 8 lanes so the compiler can use vector
/// instructions (a single running sum must be added in order, one value at a time).
fn distance(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let rest: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| (x - y) * (x - y))
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            let d = x[k] - y[k];
            lanes[k] += d * d;
        }
    }
    (lanes.iter().sum::<f32>() + rest).sqrt()
}

/// Classify a word: the digit whose two nearest templates are nearest on average.
pub fn classify(word: &[Vec<f32>], templates: &DigitTemplates) -> Option<u8> {
    classify_scored(word, templates, f32::INFINITY).map(|(d, _)| d)
}

/// [`classify`] with the digit's score (the mean DTW distance of its two nearest
/// templates), when that score is below `bound`. Exact: a template is compared only as far
/// as it could still be one of its digit's two nearest and its digit's score below `bound`
/// (a digit's score is at least half of either of its two distances).
pub fn classify_scored(word: &[Vec<f32>], templates: &DigitTemplates, bound: f32) -> Option<(u8, f32)> {
    // The two smallest distances of each digit so far (∞: none yet).
    let mut nearest = [[f32::INFINITY; 2]; 10];
    let mut counts = [0usize; 10];
    for (d, t) in &templates.words {
        let Some(pair) = nearest.get_mut(usize::from(*d)) else {
            continue;
        };
        counts[usize::from(*d)] += 1;
        let v = dtw_below(word, t, pair[1].min(2.0 * bound));
        if v < pair[0] {
            *pair = [v, pair[0]];
        } else if v < pair[1] {
            pair[1] = v;
        }
    }
    nearest
        .iter()
        .enumerate()
        .filter(|&(d, _)| counts[d] > 0)
        .map(|(d, pair)| {
            let score = if counts[d] >= 2 {
                (pair[0] + pair[1]) / 2.0
            } else {
                pair[0]
            };
            (d as u8, score)
        })
        .filter(|&(_, score)| score < bound)
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// What was heard against what was prompted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigitCheck {
    /// The digits heard (`?` where a word could not be classified).
    pub heard: String,
    /// Words found.
    pub words: usize,
    /// Positions where heard == prompted.
    pub correct: usize,
    /// 1-based positions of the prompt not heard right (all of them past the words heard).
    pub wrong_positions: Vec<usize>,
    /// The lowest bit error rate of an enrolled word's fingerprint against the recording
    /// (see [`crate::splice`]; 1.0 when the template has no fingerprints).
    pub closest_copy: f32,
    /// The highest waveform correlation of an enrolled word with the recording (see
    /// [`crate::sketch`]; 0.0 when the template has no sketches).
    pub waveform_copy: f32,
    /// `closest_copy` at or below its threshold, or `waveform_copy` at or above its own: a
    /// word was cut from an earlier recording.
    pub spliced: bool,
}

/// Recognise the digits of a recording against the person's templates (segmented to the
/// prompt's length when possible). Each word is read as segmented and without its quiet
/// edges ([`edge_readings`]); the reading nearest to an enrolled word decides its digit.
/// The choice looks at the templates only, never at the prompt.
pub fn recognise(x: &[f32], prompt: &str, templates: &DigitTemplates) -> DigitCheck {
    let segs = segments_for(x, prompt.len()).unwrap_or_else(|| energy_segments(x));
    let feats = with_deltas(&mfcc(x, 13));
    let levels = frame_levels(x);
    let heard: String = segs
        .iter()
        .filter_map(|&s| {
            let whole = word_features(&feats, s);
            if whole.is_empty() {
                return None;
            }
            // The word as segmented first (edge_readings lists it first), then its trims,
            // each compared only as far as it could still beat the best so far.
            let mut best = classify_scored(&whole, templates, f32::INFINITY);
            for r in edge_readings(&levels, s).into_iter().skip(1) {
                let bound = best.map_or(f32::INFINITY, |b| b.1);
                best = classify_scored(&word_features(&feats, r), templates, bound).or(best);
            }
            Some(best.map_or('?', |(d, _)| char::from(b'0' + d)))
        })
        .collect();
    let correct = heard.chars().zip(prompt.chars()).filter(|(a, b)| a == b).count();
    let wrong_positions = prompt
        .chars()
        .enumerate()
        .filter(|&(i, p)| heard.chars().nth(i) != Some(p))
        .map(|(i, _)| i + 1)
        .collect();
    DigitCheck {
        words: heard.chars().count(),
        heard,
        correct,
        wrong_positions,
        closest_copy: 1.0,
        waveform_copy: 0.0,
        spliced: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtw_is_zero_on_itself_and_tolerates_time_stretch() {
        let a: Vec<Vec<f32>> = (0..20)
            .map(|i| vec![(i as f32 * 0.3).sin(), (i as f32 * 0.1).cos()])
            .collect();
        let stretched: Vec<Vec<f32>> = (0..40)
            .map(|i| vec![(i as f32 * 0.15).sin(), (i as f32 * 0.05).cos()])
            .collect();
        let other: Vec<Vec<f32>> = (0..20).map(|i| vec![(i as f32 * 0.9).cos() * 2.0, 1.0]).collect();
        assert_eq!(dtw(&a, &a), 0.0);
        assert!(dtw(&a, &stretched) < dtw(&a, &other) / 3.0);
        assert_eq!(dtw(&a, &[]), f32::INFINITY);
    }

    fn noise_word(seed: u64, len: usize) -> WordFeatures {
        let mut n = crate::conditions::NoiseSource::new(seed);
        (0..len).map(|_| n.white(4)).collect()
    }

    #[test]
    fn classification_with_bounds_equals_comparing_every_template() {
        // The answer of the pruned search against the plain one (every DTW in full).
        let templates = DigitTemplates {
            words: (0..60u64)
                .map(|k| ((k % 10) as u8, noise_word(k + 1, 8 + (k as usize % 7))))
                .collect(),
        };
        let plain = |w: &[Vec<f32>]| {
            let mut per: [Vec<f32>; 10] = Default::default();
            for (d, t) in &templates.words {
                per[usize::from(*d)].push(dtw(w, t));
            }
            per.iter_mut()
                .enumerate()
                .map(|(d, v)| {
                    v.sort_by(f32::total_cmp);
                    (d as u8, (v[0] + v[1]) / 2.0)
                })
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap()
        };
        for k in 0..40u64 {
            let word = noise_word(1000 + k, 6 + (k as usize % 9));
            let want = plain(&word);
            assert_eq!(classify_scored(&word, &templates, f32::INFINITY), Some(want));
            // Bounded: the same answer when it is below the bound, none when it is not.
            assert_eq!(classify_scored(&word, &templates, want.1 + 1e-3), Some(want));
            assert_eq!(classify_scored(&word, &templates, want.1), None);
        }
        let word = noise_word(7, 10);
        let far = dtw(&word, &templates.words[0].1);
        assert_eq!(dtw_below(&word, &templates.words[0].1, far + 1e-3), far);
        assert_eq!(dtw_below(&word, &templates.words[0].1, far / 2.0), f32::INFINITY);
    }

    #[test]
    fn a_word_is_also_read_without_its_quiet_edges() {
        // 60 frames: 10 quiet (−40 dB), 40 loud (0 dB, −10 dB at its own edges), 10 quiet.
        let mut levels = vec![-40.0f32; 10];
        levels.extend([-10.0; 3]);
        levels.extend([0.0; 34]);
        levels.extend([-10.0; 3]);
        levels.extend([-40.0; 10]);
        assert_eq!(
            edge_readings(&levels, (0, 60)),
            vec![(0, 60), (0, 50), (10, 60), (10, 50)]
        );
        // Nothing quiet at the edges: the word as segmented, once.
        assert_eq!(edge_readings(&levels, (10, 50)), vec![(10, 50)]);
        // Too little left without the edges: only the segment itself.
        assert_eq!(edge_readings(&levels, (45, 60)), vec![(45, 60)]);
    }
}
