//! Enrollment: five prompted recordings checked, then — when every one is usable — each
//! turned into what the template keeps of it (speaker embeddings, labelled digit words,
//! fingerprints and sketches), the recordings on as many threads as there are cores (they
//! share nothing but the engine, whose models lend each caller its own session).

use crate::audio::Audio;
use crate::conditions::{add_noise, babble, telephone};
use crate::digits::{DigitTemplates, WordFeatures, words_for};
use crate::engine::{VoiceEngine, VoiceEnrollment, VoiceError, VoiceTemplate, noisy_copy};
use crate::enhance::{SpeakerInput, denoise};
use crate::resample::resample;
use crate::sketch::{WordSketch, sketch_words};
use crate::speaker::SpeakerEmbedding;
use crate::splice::{WordPrint, word_prints};
use crate::vad::segments_for;
use certify_core::voice::{ENROLLMENT_PROMPTS, is_prompt};
use rand_core::RngCore;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What enrollment keeps of one usable recording.
struct Kept {
    wide: Vec<SpeakerEmbedding>,
    narrow: SpeakerEmbedding,
    words: Vec<(u8, WordFeatures)>,
    prints: Vec<WordPrint>,
    sketches: Vec<WordSketch>,
}

impl VoiceEngine {
    /// Enroll from the five prompted recordings `(audio, prompt)`. `rng` draws the secret
    /// seed of the template's waveform projections ([`crate::sketch`]): pass the OS's
    /// (`rand_core::OsRng`) in production, a seeded one in tests. When a recording is not
    /// usable the reports say which, and nothing more is computed.
    pub fn enroll<R: RngCore + ?Sized>(
        &self,
        recordings: &[(Audio, String)],
        rng: &mut R,
    ) -> Result<VoiceEnrollment, VoiceError> {
        if recordings.len() != ENROLLMENT_PROMPTS {
            return Err(VoiceError::Invalid(format!(
                "{} recordings, expected {ENROLLMENT_PROMPTS}",
                recordings.len()
            )));
        }
        if let Some((_, prompt)) = recordings.iter().find(|(_, p)| !is_prompt(p)) {
            return Err(VoiceError::Invalid(format!("prompt {prompt:?} is not 8 digits")));
        }
        let seed = rng.next_u64();
        let reports = recordings
            .iter()
            .map(|(audio, prompt)| self.check(audio, Some(prompt)))
            .collect::<Result<Vec<_>, _>>()?;
        if reports.iter().any(|r| !r.issues.is_empty()) {
            return Ok(VoiceEnrollment {
                reports,
                template: None,
            });
        }
        // Every recording played backwards, once: the talk behind the others (own_babble).
        let backwards: Vec<Vec<f32>> = recordings
            .iter()
            .map(|(a, _)| a.samples().iter().rev().copied().collect())
            .collect();
        let kept = in_parallel(recordings.len(), |k| {
            let (audio, prompt) = &recordings[k];
            self.keep(
                audio,
                prompt,
                &reports[k],
                &own_babble(&backwards, k),
                seed.wrapping_add(k as u64 * 0x1_0000),
            )
        });
        let (mut embeddings, mut narrowband) = (Vec::new(), Vec::new());
        let (mut digits, mut prints, mut sketches) = (DigitTemplates::default(), Vec::new(), Vec::new());
        for k in kept {
            let k = k?;
            embeddings.extend(k.wide);
            narrowband.push(k.narrow);
            digits.words.extend(k.words);
            prints.extend(k.prints);
            sketches.extend(k.sketches);
        }
        let template = SpeakerEmbedding::mean(&embeddings).map(|speaker| VoiceTemplate {
            speaker,
            speaker_narrowband: SpeakerEmbedding::mean(&narrowband),
            speaker_input: SpeakerInput::AsHeard,
            digits,
            enrollment_prompts: recordings.iter().map(|r| r.1.clone()).collect(),
            word_prints: prints,
            word_sketches: sketches,
        });
        Ok(VoiceEnrollment { reports, template })
    }

    /// What the template keeps of one usable recording of `prompt`; `talk` is the talk to
    /// enroll its words under, `seed` its sketches' seed.
    fn keep(
        &self,
        audio: &Audio,
        prompt: &str,
        report: &crate::engine::RecordingReport,
        talk: &[f32],
        seed: u64,
    ) -> Result<Kept, VoiceError> {
        let samples = self.prepared(audio, report);
        let noisy = noisy_copy(&samples);
        let (wide, narrow) = self.enrollment_embeddings(audio, report, prompt.len(), SpeakerInput::AsHeard)?;
        let phone = resample(&telephone(&samples), 8_000, crate::audio::SAMPLE_RATE);
        let segments = segments_for(audio.samples(), prompt.len()).unwrap_or_default();
        let prints = word_prints(audio.samples(), &segments);
        let sketches = sketch_words(audio.samples(), &segments, seed);
        // The words as recorded, as they come out of the noise reduction after noise at
        // 20 dB, over talk, and through the telephone band: a noisy or phone probe then has
        // near neighbours of its own kind.
        let behind_talk = denoise(&add_noise(&samples, talk, 20.0));
        let mut words = Vec::new();
        for version in [&samples[..], &noisy[..], &behind_talk[..], &phone[..]] {
            for (w, d) in words_for(version, Some(prompt.len()))
                .unwrap_or_default()
                .into_iter()
                .zip(prompt.bytes())
            {
                words.push((d - b'0', w));
            }
        }
        Ok(Kept {
            wide,
            narrow,
            words,
            prints,
            sketches,
        })
    }
}

/// `f(0) … f(n − 1)` in order, computed on up to as many threads as there are cores. A
/// panic in `f` is raised again here.
fn in_parallel<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |p| p.get())
        .clamp(1, n.max(1));
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, T)> = Vec::with_capacity(n);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= n {
                            return mine;
                        }
                        mine.push((k, f(k)));
                    }
                })
            })
            .collect();
        for h in handles {
            match h.join() {
                Ok(mine) => done.extend(mine),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    done.sort_by_key(|(k, _)| *k);
    done.into_iter().map(|(_, v)| v).collect()
}

/// Talk behind recording `k` made of the person's other enrollment recordings played
/// backwards (`backwards[j]`: speech-like sound in the person's room that says no digit),
/// so the digit templates also hold the words as heard over other voices.
pub fn own_babble(backwards: &[Vec<f32>], k: usize) -> Vec<f32> {
    let others: Vec<&[f32]> = backwards
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != k)
        .take(3)
        .map(|(_, x)| x.as_slice())
        .collect();
    babble(&others)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_parallel_keeps_the_order_and_computes_each_once() {
        let calls = AtomicUsize::new(0);
        let out = in_parallel(37, |k| {
            calls.fetch_add(1, Ordering::Relaxed);
            k * k
        });
        assert_eq!(out, (0..37).map(|k| k * k).collect::<Vec<_>>());
        assert_eq!(calls.load(Ordering::Relaxed), 37);
        assert!(in_parallel(0, |k| k).is_empty());
    }
}
