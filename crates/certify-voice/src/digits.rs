//! The spoken-digit check: no package on a registry recognises spoken Mandarin digits, so
//! the check is speaker-dependent — each enrollment recording is cut into words by
//! energy, each word labelled with its prompted digit, and at verification each word is
//! classified by dynamic time warping over MFCCs + deltas against the person's own
//! labelled words (`models/reference/eval_digits_dtw.py` is the reference).

use crate::features::{mfcc, with_deltas};
use crate::vad::{energy_segments, segments_for};
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
        .map(|(a, b)| {
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
        })
        .filter(|w: &WordFeatures| !w.is_empty())
        .collect()
}

/// Length-normalised DTW distance (Euclidean frame cost, steps (1,0), (0,1), (1,1)).
pub fn dtw(a: &[Vec<f32>], b: &[Vec<f32>]) -> f32 {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        return f32::INFINITY;
    }
    let mut prev = vec![f32::INFINITY; m + 1];
    let mut cur = vec![f32::INFINITY; m + 1];
    prev[0] = 0.0;
    for ai in a {
        cur[0] = f32::INFINITY;
        for j in 1..=m {
            let c = ai
                .iter()
                .zip(&b[j - 1])
                .map(|(x, y)| (x - y) * (x - y))
                .sum::<f32>()
                .sqrt();
            cur[j] = c + prev[j].min(cur[j - 1]).min(prev[j - 1]);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m] / (n + m) as f32
}

/// Classify a word: the digit whose two nearest templates are nearest on average.
pub fn classify(word: &[Vec<f32>], templates: &DigitTemplates) -> Option<u8> {
    let mut per_digit: [Vec<f32>; 10] = Default::default();
    for (d, t) in &templates.words {
        if let Some(slot) = per_digit.get_mut(usize::from(*d)) {
            slot.push(dtw(word, t));
        }
    }
    per_digit
        .iter_mut()
        .enumerate()
        .filter(|(_, v)| !v.is_empty())
        .map(|(d, v)| {
            v.sort_by(f32::total_cmp);
            let k = v.len().min(2);
            (d as u8, v[..k].iter().sum::<f32>() / k as f32)
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(d, _)| d)
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
/// prompt's length when possible).
pub fn recognise(x: &[f32], prompt: &str, templates: &DigitTemplates) -> DigitCheck {
    let ws = words_for(x, Some(prompt.len())).unwrap_or_else(|| words(x));
    let heard: String = ws
        .iter()
        .map(|w| classify(w, templates).map_or('?', |d| char::from(b'0' + d)))
        .collect();
    let correct = heard.chars().zip(prompt.chars()).filter(|(a, b)| a == b).count();
    let wrong_positions = prompt
        .chars()
        .enumerate()
        .filter(|&(i, p)| heard.chars().nth(i) != Some(p))
        .map(|(i, _)| i + 1)
        .collect();
    DigitCheck {
        heard,
        words: ws.len(),
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
}
