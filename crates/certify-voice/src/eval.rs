//! Evaluation over a folder of WAVs with a `manifest.tsv` (path, speaker, digits, role):
//! speaker scores of genuine and impostor trials, the digit check, replays and bad
//! recordings — so thresholds are measured, not guessed.

use crate::audio::Audio;
use crate::engine::{VoiceEngine, VoiceError, VoiceTemplate};
use crate::enhance::SpeakerInput;
use crate::quality::VoiceQuality;
use crate::speaker::SpeakerEmbedding;
use std::collections::BTreeMap;
use std::path::Path;

/// One manifest row.
#[derive(Debug, Clone)]
pub struct Row {
    /// File name inside the folder.
    pub file: String,
    /// Speaker label (`-` for none).
    pub speaker: String,
    /// Prompted digits.
    pub digits: String,
    /// enroll / test / noisy / very_noisy / silence / noise (others are ignored).
    pub role: String,
}

/// A reproducible generator for evaluations and tests, seeded from a speaker's name (the
/// template's projection seed; production enrollment takes the OS's generator).
pub fn seeded(name: &str) -> rand_chacha::ChaCha8Rng {
    use rand_core::SeedableRng;
    let seed = name.bytes().fold(0xCBF2_9CE4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
    });
    rand_chacha::ChaCha8Rng::seed_from_u64(seed)
}

/// Read `manifest.tsv`.
pub fn manifest(dir: &Path) -> Result<Vec<Row>, VoiceError> {
    let text = std::fs::read_to_string(dir.join("manifest.tsv"))
        .map_err(|e| VoiceError::Invalid(format!("manifest.tsv: {e}")))?;
    Ok(text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() >= 4).then(|| Row {
                file: f[0].into(),
                speaker: f[1].into(),
                digits: f[2].into(),
                role: f[3].into(),
            })
        })
        .collect())
}

/// Load one file.
pub fn load(dir: &Path, file: &str) -> Result<Audio, VoiceError> {
    let bytes = std::fs::read(dir.join(file)).map_err(|e| VoiceError::Invalid(format!("{file}: {e}")))?;
    Ok(Audio::from_wav(&bytes)?)
}

/// The scores and outcomes of an evaluation.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    /// Speaker similarity, same speaker (clean tests).
    pub genuine: Vec<f32>,
    /// Speaker similarity, other speakers' clean tests against a template.
    pub impostor: Vec<f32>,
    /// Speaker similarity of noisy copies against their own speaker.
    pub genuine_noisy: Vec<f32>,
    /// Genuine clean trials that passed entirely (speaker + digits).
    pub genuine_passed: usize,
    /// Genuine clean trials.
    pub genuine_trials: usize,
    /// Digits right / digits prompted over genuine clean trials.
    pub digits_right: usize,
    /// Digits prompted.
    pub digits_total: usize,
    /// Impostor trials that passed entirely.
    pub impostor_passed: usize,
    /// Replays of enrollment recordings against a fresh prompt that passed.
    pub replays_passed: usize,
    /// Replays tried.
    pub replays: usize,
    /// Bad recordings (silence, noise, very noisy) that passed.
    pub bad_passed: usize,
    /// Bad recordings tried.
    pub bad: usize,
    /// Speakers enrolled / speakers whose enrollment failed.
    pub enrolled: usize,
    /// Speakers whose enrollment failed.
    pub enrollment_failed: usize,
}

/// Enroll every speaker from their `enroll` rows and run all trials.
pub fn evaluate(engine: &VoiceEngine, dir: &Path) -> Result<Evaluation, VoiceError> {
    let rows = manifest(dir)?;
    let mut ev = Evaluation::default();
    let mut templates: BTreeMap<String, VoiceTemplate> = BTreeMap::new();
    let mut speakers: Vec<String> = rows
        .iter()
        .filter(|r| r.role == "enroll")
        .map(|r| r.speaker.clone())
        .collect();
    speakers.dedup();
    for s in &speakers {
        let recs: Vec<(Audio, String)> = rows
            .iter()
            .filter(|r| &r.speaker == s && r.role == "enroll")
            .map(|r| Ok((load(dir, &r.file)?, r.digits.clone())))
            .collect::<Result<_, VoiceError>>()?;
        match engine.enroll(&recs, &mut seeded(s))?.template {
            Some(t) => {
                templates.insert(s.clone(), t);
                ev.enrolled += 1;
            }
            None => ev.enrollment_failed += 1,
        }
    }
    let fresh = "73920581";
    for r in &rows {
        let audio = load(dir, &r.file)?;
        match r.role.as_str() {
            "test" => {
                for (s, t) in &templates {
                    let d = engine.verify(t, &audio, &r.digits)?;
                    if s == &r.speaker {
                        ev.genuine.push(d.speaker_score);
                        ev.genuine_trials += 1;
                        ev.genuine_passed += usize::from(d.passed());
                        ev.digits_right += d.digits.correct;
                        ev.digits_total += r.digits.len();
                    } else {
                        ev.impostor.push(d.speaker_score);
                        ev.impostor_passed += usize::from(d.passed());
                    }
                }
            }
            "noisy" => {
                if let Some(t) = templates.get(&r.speaker) {
                    ev.genuine_noisy
                        .push(engine.verify(t, &audio, &r.digits)?.speaker_score);
                }
            }
            "enroll" => {
                if let Some(t) = templates.get(&r.speaker) {
                    let prompt = if r.digits == fresh { "16480257" } else { fresh };
                    ev.replays += 1;
                    ev.replays_passed += usize::from(engine.verify(t, &audio, prompt)?.passed());
                }
            }
            "very_noisy" | "silence" | "noise" => {
                let t = templates.get(&r.speaker).or_else(|| templates.values().next());
                if let Some(t) = t {
                    let prompt = if r.digits.len() == 8 { r.digits.as_str() } else { fresh };
                    ev.bad += 1;
                    ev.bad_passed += usize::from(engine.verify(t, &audio, prompt)?.passed());
                }
            }
            _ => {}
        }
    }
    Ok(ev)
}

/// Words in each recording of the real-speech set (`scripts/gen_human.py`: three words
/// with pauses), for the engine's word finding.
pub const HUMAN_WORDS_PER_RECORDING: usize = 3;

/// Which of a template's embeddings a speaker trial compares with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// The wideband embedding.
    Wide,
    /// The narrowband one (for telephone-band probes).
    Narrow,
}

/// How a speaker trial scores a probe against a claimed template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scoring {
    /// The cosine.
    Cosine,
    /// Normalised ([`crate::cohort`]) against a cohort of the other speakers' templates:
    /// for each trial the claimed speaker and the probe's speaker are left out, as a host's
    /// cohort holds neither the person nor, in general, the impostor. Needs
    /// [`crate::cohort::MIN_COHORT`] + 2 speakers.
    Normalized,
}

/// The scores of speaker trials, (genuine, impostor), each way of scoring.
#[derive(Debug, Clone, Default)]
pub struct SpeakerTrials {
    cosine: (Vec<f32>, Vec<f32>),
    normalized: (Vec<f32>, Vec<f32>),
    genuine_quality: Vec<VoiceQuality>,
}

impl SpeakerTrials {
    /// (genuine, impostor) scores by `scoring`.
    pub fn scores(&self, scoring: Scoring) -> (&[f32], &[f32]) {
        let (g, i) = match scoring {
            Scoring::Cosine => &self.cosine,
            Scoring::Normalized => &self.normalized,
        };
        (g, i)
    }

    /// The measured quality of each genuine trial's probe, in the order of the genuine
    /// scores (filled by [`speaker_trials`]; empty from [`score_trials`] alone).
    pub fn genuine_quality(&self) -> &[VoiceQuality] {
        &self.genuine_quality
    }
}

/// Speaker-only trials for sets without digit prompts (e.g. real speech of words), through
/// the engine's own steps: each speaker's template is the mean of the embeddings enrollment
/// keeps of their `enroll` recordings ([`VoiceEngine::enrollment_embeddings`]); every
/// `test` recording, passed through `probe` first (16 kHz in and out: noise, a channel),
/// is embedded as verification embeds it ([`VoiceEngine::probe_embedding`]) and scored
/// against every template in `band`, both ways ([`Scoring`]). Recordings hold `words`
/// words; the embeddings are given `input` ([`SpeakerInput::WordsOnly`] as enrollment now).
pub fn speaker_trials(
    engine: &VoiceEngine,
    dir: &Path,
    words: usize,
    probe: &dyn Fn(&[f32]) -> Vec<f32>,
    band: Band,
    input: SpeakerInput,
) -> Result<SpeakerTrials, VoiceError> {
    let rows = manifest(dir)?;
    let mut enrolled: BTreeMap<String, Vec<SpeakerEmbedding>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.role == "enroll") {
        let audio = load(dir, &r.file)?;
        let (wide, narrow) = engine.enrollment_embeddings(&audio, &engine.check(&audio, None)?, words, input)?;
        let kept = enrolled.entry(r.speaker.clone()).or_default();
        match band {
            Band::Wide => kept.extend(wide),
            Band::Narrow => kept.push(narrow),
        }
    }
    let templates: BTreeMap<String, SpeakerEmbedding> = enrolled
        .into_iter()
        .filter_map(|(s, v)| SpeakerEmbedding::mean(&v).map(|m| (s, m)))
        .collect();
    let (mut probes, mut genuine_quality) = (Vec::new(), Vec::new());
    for r in rows.iter().filter(|r| r.role == "test") {
        let audio = Audio::from_f32(&probe(load(dir, &r.file)?.samples()), crate::audio::SAMPLE_RATE)?;
        let report = engine.check(&audio, None)?;
        let e = engine.probe_embedding(&audio, &report, words, input)?;
        if templates.contains_key(&r.speaker) {
            genuine_quality.push(report.quality);
        }
        probes.push((r.speaker.clone(), e));
    }
    let mut trials =
        score_trials(&probes, &templates).map_err(|e| VoiceError::Invalid(format!("{}: {e}", dir.display())))?;
    trials.genuine_quality = genuine_quality;
    Ok(trials)
}

/// Every probe `(speaker, embedding)` scored against every template `speaker → embedding`,
/// genuine when the speakers are the same, by the cosine and normalised ([`Scoring`])
/// against the other templates (the claimed speaker and the probe's left out). Fails when
/// too few templates remain for a cohort or their scores do not spread.
pub fn score_trials(
    probes: &[(String, SpeakerEmbedding)],
    templates: &BTreeMap<String, SpeakerEmbedding>,
) -> Result<SpeakerTrials, String> {
    use crate::cohort::SpeakerCohort;
    let mut trials = SpeakerTrials::default();
    for (speaker, e) in probes {
        for (claimed, t) in templates {
            let others = templates
                .iter()
                .filter(|(s, _)| *s != claimed && *s != speaker)
                .map(|(_, t)| t.clone())
                .collect();
            let normalized = SpeakerCohort::from_embeddings(others, Vec::new())
                .map_err(|e| e.to_string())?
                .normalized_score(e, t, false)
                .ok_or("the cohort's scores do not spread")?;
            let (cosine, normalized_scores) = if claimed == speaker {
                (&mut trials.cosine.0, &mut trials.normalized.0)
            } else {
                (&mut trials.cosine.1, &mut trials.normalized.1)
            };
            cosine.push(e.similarity(t));
            normalized_scores.push(normalized);
        }
    }
    Ok(trials)
}

/// The talk the evaluations put behind a reader: three espeak-ng recordings of other voices
/// from `espeak_dir` (the generated set), mixed ([`crate::conditions::babble`]); those
/// missing are left out.
pub fn espeak_talk(espeak_dir: &Path) -> Vec<f32> {
    let talk: Vec<Vec<f32>> = ["cmn_f1_test0.wav", "cmn_m3_test1.wav", "cmn_grandma_test2.wav"]
        .iter()
        .filter_map(|f| std::fs::read(espeak_dir.join(f)).ok())
        .filter_map(|b| Audio::from_wav(&b).ok())
        .map(|a| a.samples().to_vec())
        .collect();
    let talk: Vec<&[f32]> = talk.iter().map(Vec::as_slice).collect();
    crate::conditions::babble(&talk)
}

/// One threshold for several conditions' (genuine, impostor) scores: the highest of their
/// [`one_percent_point`]s; with, per condition, (false rejects, false accepts) at it.
pub fn at_one_threshold(per_condition: &[(Vec<f32>, Vec<f32>)]) -> (f32, Vec<(usize, usize)>) {
    let threshold = per_condition
        .iter()
        .map(|(_, i)| one_percent_point(i))
        .fold(f32::MIN, f32::max);
    let counts = per_condition
        .iter()
        .map(|(g, i)| {
            (
                g.iter().filter(|s| **s < threshold).count(),
                i.iter().filter(|s| **s >= threshold).count(),
            )
        })
        .collect();
    (threshold, counts)
}

/// `n` pseudo-random unit vectors of CAM++'s length (seeded): embeddings like no voice, for
/// measuring what a cohort costs or what a cohort unlike every voice does.
pub fn random_embeddings(n: usize, seed: u64) -> Vec<SpeakerEmbedding> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            let v: Vec<f32> = (0..crate::campplus::DIMENSION)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
                })
                .collect();
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            SpeakerEmbedding(v.into_iter().map(|x| x / norm).collect())
        })
        .collect()
}

/// The lowest threshold that accepts at most 1% of `impostor` scores (higher = same):
/// just above the score ranked `len / 100` from the top (`f32::MAX` when there are none).
pub fn one_percent_point(impostor: &[f32]) -> f32 {
    let mut sorted = impostor.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    sorted.get(impostor.len() / 100).copied().unwrap_or(f32::MAX) + 1e-6
}

/// Equal error rate of similarity scores (higher = same): `(threshold, eer)`.
pub fn eer(genuine: &[f32], impostor: &[f32]) -> (f32, f64) {
    let mut best = (0.0f32, f64::INFINITY, 1.0f64);
    let mut candidates: Vec<f32> = genuine.iter().chain(impostor).copied().collect();
    candidates.sort_by(f32::total_cmp);
    for t in candidates {
        let frr = genuine.iter().filter(|s| **s < t).count() as f64 / genuine.len().max(1) as f64;
        let far = impostor.iter().filter(|s| **s >= t).count() as f64 / impostor.len().max(1) as f64;
        if (far - frr).abs() < best.1 {
            best = (t, (far - frr).abs(), (far + frr) / 2.0);
        }
    }
    (best.0, best.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_threshold_is_the_strictest_conditions_and_counts_each() {
        // 200 impostors each, so 2 may pass. Condition 0: spread up to 0.4975, its point
        // just above 0.4925; condition 1: two high ones, then 0.1, its point just above 0.1.
        let impostor0: Vec<f32> = (0..200).map(|k| k as f32 / 400.0).collect();
        let mut impostor1 = vec![0.1; 198];
        impostor1.extend([0.9, 0.95]);
        let genuine = vec![0.3, 0.6, 0.99];
        let (t, counts) = at_one_threshold(&[(genuine.clone(), impostor0), (genuine, impostor1)]);
        assert!(t > 0.4925 && t < 0.495, "{t}");
        assert_eq!(counts, vec![(1, 2), (1, 2)]);
    }

    #[test]
    fn the_one_percent_point_accepts_at_most_one_percent() {
        // 200 impostor scores 0.000, 0.005, …, 0.995: at most 2 may pass.
        let impostor: Vec<f32> = (0..200).map(|k| k as f32 / 200.0).collect();
        let point = one_percent_point(&impostor);
        assert_eq!(impostor.iter().filter(|s| **s >= point).count(), 2);
        assert!(point > 0.985 && point < 0.99);
        assert_eq!(one_percent_point(&[]), f32::MAX);
    }
}
