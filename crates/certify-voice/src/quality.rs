//! Recording quality (JR/T 0164-2018): speech present, level, clipping, signal-to-noise,
//! speech length — each with a reason the person can act on.

use serde::{Deserialize, Serialize};

/// Thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VoiceQualityConfig {
    /// VAD probability above which a chunk is speech.
    pub speech_probability: f32,
    /// Seconds of speech needed.
    pub min_speech_seconds: f32,
    /// Speech level (dBFS RMS of speech chunks) below which it is too quiet.
    pub min_level_dbfs: f32,
    /// Fraction of samples at full scale above which the recording is clipped.
    pub max_clipping: f32,
    /// Speech-to-noise ratio (dB) below which it is too noisy.
    pub min_snr_db: f32,
}

impl Default for VoiceQualityConfig {
    fn default() -> Self {
        Self {
            speech_probability: 0.5,
            min_speech_seconds: 1.0,
            min_level_dbfs: -45.0,
            max_clipping: 0.01,
            min_snr_db: 12.0,
        }
    }
}

/// A recording problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoiceIssue {
    /// No speech heard.
    NoSpeech,
    /// Too little speech.
    TooShort,
    /// Speech too quiet.
    TooQuiet,
    /// Too much background noise.
    TooNoisy,
    /// Distorted (clipped) sound.
    Clipped,
    /// Not the prompted number of digits, or not the prompted digits.
    WrongDigits,
}

impl VoiceIssue {
    /// What to tell the person (Chinese, then English).
    pub const fn advice(self) -> &'static str {
        match self {
            VoiceIssue::NoSpeech => {
                "没有听到声音，请按住按钮读出数字 — nothing heard: hold the button and read the digits"
            }
            VoiceIssue::TooShort => "录音太短，请读完全部数字 — too short: read all the digits",
            VoiceIssue::TooQuiet => "声音太小，请大声一些 — too quiet: speak louder",
            VoiceIssue::TooNoisy => "周围太吵，请到安静处 — too noisy: move somewhere quiet",
            VoiceIssue::Clipped => "声音失真，请离话筒远一些 — distorted: hold the phone a little further away",
            VoiceIssue::WrongDigits => "请逐个清晰读出屏幕上的数字 — read the digits on the screen, one by one",
        }
    }

    /// The stable name (as serialised): `no_speech`, `too_short`, ….
    pub const fn code(self) -> &'static str {
        match self {
            VoiceIssue::NoSpeech => "no_speech",
            VoiceIssue::TooShort => "too_short",
            VoiceIssue::TooQuiet => "too_quiet",
            VoiceIssue::TooNoisy => "too_noisy",
            VoiceIssue::Clipped => "clipped",
            VoiceIssue::WrongDigits => "wrong_digits",
        }
    }

    /// What to tell the person, in Chinese.
    pub fn advice_zh(self) -> &'static str {
        self.advice().split_once(" — ").map_or(self.advice(), |(zh, _)| zh)
    }

    /// What to tell the person, in English.
    pub fn advice_en(self) -> &'static str {
        self.advice().split_once(" — ").map_or(self.advice(), |(_, en)| en)
    }
}

/// The measures behind the judgement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VoiceQuality {
    /// Seconds of speech.
    pub speech_seconds: f32,
    /// RMS level of speech chunks in dBFS.
    pub level_dbfs: f32,
    /// Fraction of clipped samples.
    pub clipping: f32,
    /// Speech-to-noise ratio in dB.
    pub snr_db: f32,
}

fn dbfs(mean_square: f64) -> f32 {
    (10.0 * (mean_square + 1e-12).log10()) as f32
}

/// Judge a 16 kHz recording from its samples and per-chunk (512) speech probabilities.
pub fn assess(x: &[f32], speech_prob: &[f32], config: &VoiceQualityConfig) -> (VoiceQuality, Vec<VoiceIssue>) {
    let chunk = crate::vad::CHUNK;
    let (mut speech, mut noise) = ((0f64, 0usize), (0f64, 0usize));
    let mut chunk_energy: Vec<f64> = Vec::new();
    for (i, c) in x.chunks(chunk).enumerate() {
        let ms = c.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / c.len() as f64;
        chunk_energy.push(ms);
        if speech_prob.get(i).copied().unwrap_or(0.0) >= config.speech_probability {
            speech = (speech.0 + ms, speech.1 + 1);
        } else {
            noise = (noise.0 + ms, noise.1 + 1);
        }
    }
    let speech_ms = if speech.1 > 0 { speech.0 / speech.1 as f64 } else { 0.0 };
    // Noise: the quieter of the non-speech mean and the 10th percentile of chunk energy
    // (pauses between digits can be short).
    chunk_energy.sort_by(f64::total_cmp);
    let p10 = chunk_energy.get(chunk_energy.len() / 10).copied().unwrap_or(0.0);
    let noise_ms = if noise.1 > 0 {
        (noise.0 / noise.1 as f64).min(p10.max(1e-12) * 4.0)
    } else {
        p10
    };
    let q = VoiceQuality {
        speech_seconds: (speech.1 * chunk) as f32 / crate::audio::SAMPLE_RATE as f32,
        level_dbfs: dbfs(speech_ms),
        clipping: x.iter().filter(|v| v.abs() >= 0.999).count() as f32 / x.len().max(1) as f32,
        snr_db: dbfs(speech_ms) - dbfs(noise_ms),
    };
    // The VAD under-counts some voices (synthetic, soft or hoarse ones): the length of the
    // words found by energy counts too, so a whole prompt read is never "too short".
    let word_seconds = crate::vad::energy_segments(x)
        .iter()
        .map(|(a, b)| ((b - a) * crate::vad::FRAME) as f32)
        .sum::<f32>()
        / crate::audio::SAMPLE_RATE as f32;
    let mut issues = Vec::new();
    if speech.1 == 0 {
        issues.push(VoiceIssue::NoSpeech);
    } else if q.speech_seconds.max(word_seconds) < config.min_speech_seconds {
        issues.push(VoiceIssue::TooShort);
    }
    if speech.1 > 0 && q.level_dbfs < config.min_level_dbfs {
        issues.push(VoiceIssue::TooQuiet);
    }
    if speech.1 > 0 && q.snr_db < config.min_snr_db {
        issues.push(VoiceIssue::TooNoisy);
    }
    if q.clipping > config.max_clipping {
        issues.push(VoiceIssue::Clipped);
    }
    (q, issues)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_issue_code_is_its_serialised_name() {
        use VoiceIssue::*;
        for issue in [NoSpeech, TooShort, TooQuiet, TooNoisy, Clipped, WrongDigits] {
            assert_eq!(serde_json::to_value(issue).unwrap(), issue.code(), "{issue:?}");
        }
    }
}
