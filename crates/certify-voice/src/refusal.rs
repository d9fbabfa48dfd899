//! Why a voice certification was refused, and what to tell the person — Chinese first, with
//! the measured numbers where they help (how noisy, how quiet, which digits). A copied or
//! replayed recording is told only to read the new digits live: the advice must not teach
//! an attacker which check caught them.

use crate::engine::VoiceDecision;
use crate::quality::{VoiceIssue, VoiceQuality};
use serde::Serialize;

/// Speech-to-background ratio (dB, as [`VoiceQuality::snr_db`] measures it) below which a
/// voice that did not match is also told that other sounds were heard and to read again
/// somewhere quiet: background too weak for the [`VoiceIssue::TooNoisy`] refusal still
/// costs the speaker score, most of all other people talking (README, "Voice
/// calibration": talk behind at 20 dB refuses about one real reader in five). The real
/// readings of the real-speech set measure a median of 68 dB clean and 20 dB with talk
/// behind at 20 dB, of which nine in ten are below this.
pub const BACKGROUND_HEARD_SNR_DB: f32 = 30.0;

/// One reason a certification attempt failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum Refusal {
    /// The recording itself (no speech, too quiet, too noisy …).
    Recording {
        /// The problem.
        issue: VoiceIssue,
    },
    /// Digits not heard as prompted (1-based positions; all when the count was wrong).
    DigitsNotHeard {
        /// Positions of the prompt not heard right.
        positions: Vec<usize>,
        /// Words heard.
        words: usize,
    },
    /// Not the enrolled voice.
    NotSameSpeaker,
    /// Not read live: words copied from an earlier recording, or an old prompt.
    NotLive,
}

impl Refusal {
    /// A stable name for logs and bindings (`too_noisy`, `digits_not_heard`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Recording { issue } => issue.code(),
            Refusal::DigitsNotHeard { .. } => "digits_not_heard",
            Refusal::NotSameSpeaker => "not_same_speaker",
            Refusal::NotLive => "not_live",
        }
    }

    /// What to tell the person, in Chinese, with the measures of `quality`.
    pub fn advice_zh(&self, quality: &VoiceQuality) -> String {
        self.advice(quality).0
    }

    /// The same in English.
    pub fn advice_en(&self, quality: &VoiceQuality) -> String {
        self.advice(quality).1
    }

    /// (Chinese, English), written side by side so they say the same thing.
    fn advice(&self, quality: &VoiceQuality) -> (String, String) {
        let (snr, level) = (quality.snr_db, quality.level_dbfs);
        match self {
            Refusal::Recording { issue: VoiceIssue::TooNoisy } => (
                format!("周围太吵（说话声只比噪声高 {snr:.0} 分贝），请关掉电视、到安静的房间再读一遍"),
                format!("too noisy (speech only {snr:.0} dB above the noise): turn off the TV or move somewhere quiet and read again"),
            ),
            Refusal::Recording { issue: VoiceIssue::TooQuiet } => (
                format!("声音太小（{level:.0} dBFS），请把手机靠近嘴边、大声一些再读一遍"),
                format!("too quiet ({level:.0} dBFS): hold the phone close to your mouth and read a little louder"),
            ),
            Refusal::Recording { issue } => (issue.advice_zh().to_owned(), issue.advice_en().to_owned()),
            Refusal::DigitsNotHeard { positions, words } if *words != 8 => (
                format!(
                    "听到 {words} 个数字，应为 8 个（第{}位没有听清），请看着屏幕逐个读出全部数字",
                    join(positions, "、")
                ),
                format!(
                    "heard {words} digits, not 8 (position {} unclear): read every digit on the screen, one by one",
                    join(positions, ", ")
                ),
            ),
            Refusal::DigitsNotHeard { positions, .. } => (
                format!("第{}位数字没有听清，请看着屏幕逐个清晰读出", join(positions, "、")),
                format!(
                    "digit {} not heard clearly: read the digits on the screen one by one",
                    join(positions, ", ")
                ),
            ),
            Refusal::NotSameSpeaker if snr < BACKGROUND_HEARD_SNR_DB => (
                format!(
                    "声音与登记的声纹不一致。录音里还有别的声音（说话声只比背景高 {snr:.0} 分贝），请关掉电视、到没有旁人说话的安静处，由本人再读一遍；多次不通过请联系社区或到社保经办机构认证"
                ),
                format!(
                    "the voice does not match the enrolled voiceprint, and other sounds were heard (speech only {snr:.0} dB above the background): turn off the TV, go where nobody else is talking and let the pensioner read again; if it keeps failing, certify with the community or at the office"
                ),
            ),
            Refusal::NotSameSpeaker => (
                "声音与登记的声纹不一致，请本人朗读；多次不通过请联系社区或到社保经办机构认证".into(),
                "the voice does not match the enrolled voiceprint: the pensioner must read; if it keeps failing, certify with the community or at the office".into(),
            ),
            Refusal::NotLive => (
                "未能确认是本人现场朗读，请本人对着手机读出屏幕上新的数字".into(),
                "could not confirm a live reading: the pensioner reads the new digits on the screen".into(),
            ),
        }
    }
}

fn join(positions: &[usize], sep: &str) -> String {
    positions.iter().map(usize::to_string).collect::<Vec<_>>().join(sep)
}

impl VoiceDecision {
    /// Every reason this attempt failed (empty when it passed), the recording's first.
    pub fn refusals(&self) -> Vec<Refusal> {
        let mut out: Vec<Refusal> = self
            .report
            .issues
            .iter()
            .map(|&issue| Refusal::Recording { issue })
            .collect();
        if !out.is_empty() {
            // A bad recording explains the rest; ask for a better one first.
            return out;
        }
        if !self.fresh || self.digits.spliced {
            out.push(Refusal::NotLive);
        } else if !self.digits_ok {
            out.push(Refusal::DigitsNotHeard {
                positions: self.digits.wrong_positions.clone(),
                words: self.digits.words,
            });
        }
        if !self.same_speaker {
            out.push(Refusal::NotSameSpeaker);
        }
        out
    }

    /// What to tell the person about each refusal, in Chinese.
    pub fn advice_zh(&self) -> Vec<String> {
        self.refusals()
            .iter()
            .map(|r| r.advice_zh(&self.report.quality))
            .collect()
    }

    /// The same in English.
    pub fn advice_en(&self) -> Vec<String> {
        self.refusals()
            .iter()
            .map(|r| r.advice_en(&self.report.quality))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quality(snr_db: f32) -> VoiceQuality {
        VoiceQuality {
            speech_seconds: 4.0,
            level_dbfs: -24.0,
            clipping: 0.0,
            snr_db,
        }
    }

    #[test]
    fn a_voice_that_did_not_match_in_background_sound_is_told_to_read_again_somewhere_quiet() {
        let noisy = Refusal::NotSameSpeaker.advice_zh(&quality(19.6));
        assert!(noisy.starts_with("声音与登记的声纹不一致"), "{noisy}");
        assert!(noisy.contains("高 20 分贝") && noisy.contains("安静处"), "{noisy}");
        assert!(
            noisy.contains("联系社区"),
            "still says where to go if it keeps failing: {noisy}"
        );
        assert!(
            Refusal::NotSameSpeaker
                .advice_en(&quality(19.6))
                .contains("20 dB above the background")
        );
        for snr in [BACKGROUND_HEARD_SNR_DB, 68.0] {
            let quiet = Refusal::NotSameSpeaker.advice_zh(&quality(snr));
            assert!(
                !quiet.contains("别的声音") && quiet.contains("请本人朗读"),
                "{snr}: {quiet}"
            );
        }
    }

    #[test]
    fn only_the_speaker_refusal_depends_on_the_background() {
        // A copied recording is never told why (the advice must not coach an attacker).
        assert_eq!(
            Refusal::NotLive.advice_zh(&quality(15.0)),
            Refusal::NotLive.advice_zh(&quality(60.0))
        );
    }
}
