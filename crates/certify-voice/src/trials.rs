//! Verification under conditions made from a clean set (see [`crate::conditions`]): each
//! genuine test recording with noise at 30/20/10 dB SNR (white and babble), quiet, and over
//! the telephone band; and the splice attack against each test prompt. Counts what passed
//! and why the rest were refused.

use crate::audio::Audio;
use crate::conditions::{NoiseSource, add_noise, all_pass, at_level, babble, splice, telephone};
use crate::engine::{VoiceDecision, VoiceEngine, VoiceError, VoiceTemplate};
use crate::eval::{load, manifest};
use std::collections::BTreeMap;
use std::path::Path;

/// What one condition did over every trial.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConditionOutcome {
    /// Condition name (`clean`, `white 20 dB`, `splice`, …).
    pub condition: String,
    /// An attack (should be refused) rather than the genuine person.
    pub attack: bool,
    /// Trials run.
    pub trials: usize,
    /// Trials that passed.
    pub passed: usize,
    /// Why the others were refused: the first reason of each (`too_noisy`, `speaker`, `digits`, `splice`, …).
    pub refused_for: BTreeMap<String, usize>,
    /// Lowest and highest waveform correlation with an enrolled word (see [`crate::sketch`]).
    pub waveform_copy: Option<(f32, f32)>,
    /// Lowest and highest fingerprint bit error rate against an enrolled word (see [`crate::splice`]).
    pub fingerprint_ber: Option<(f32, f32)>,
}

/// The first reason a decision was refused for.
pub fn refusal_reason(d: &VoiceDecision) -> Option<String> {
    d.refusals().first().map(|r| r.code().to_owned())
}

/// `range` grown to hold `v`.
fn widen(range: Option<(f32, f32)>, v: f32) -> Option<(f32, f32)> {
    Some(range.map_or((v, v), |(a, b)| (a.min(v), b.max(v))))
}

/// Three other speakers' test recordings for the babble behind trial `k` (from the `k`-th on,
/// wrapping around: the last speakers' babble once ran past the end of the list and was silence).
fn talkers<'a>(tests: &'a [(String, Vec<f32>, String)], speaker: &str, k: usize) -> Vec<&'a [f32]> {
    let others: Vec<&[f32]> = tests
        .iter()
        .filter(|t| t.0 != speaker)
        .map(|t| t.1.as_slice())
        .collect();
    if others.is_empty() {
        return others;
    }
    (0..3).map(|i| others[(k + i) % others.len()]).collect()
}

/// Enroll each speaker of the set, then run every condition over their `test` rows.
pub fn evaluate_conditions(engine: &VoiceEngine, dir: &Path) -> Result<Vec<ConditionOutcome>, VoiceError> {
    let rows = manifest(dir)?;
    let mut enrollments: BTreeMap<String, Vec<(Vec<f32>, String)>> = BTreeMap::new();
    let mut tests: Vec<(String, Vec<f32>, String)> = Vec::new();
    for r in &rows {
        let samples = load(dir, &r.file)?.samples().to_vec();
        match r.role.as_str() {
            "enroll" => enrollments
                .entry(r.speaker.clone())
                .or_default()
                .push((samples, r.digits.clone())),
            "test" => tests.push((r.speaker.clone(), samples, r.digits.clone())),
            _ => {}
        }
    }
    let mut templates: BTreeMap<String, VoiceTemplate> = BTreeMap::new();
    for (s, recs) in &enrollments {
        let audio: Vec<(Audio, String)> = recs
            .iter()
            .map(|(x, p)| Ok((Audio::from_f32(x, crate::audio::SAMPLE_RATE)?, p.clone())))
            .collect::<Result<_, VoiceError>>()?;
        if let Some(t) = engine.enroll(&audio, &mut crate::eval::seeded(s))?.template {
            templates.insert(s.clone(), t);
        }
    }
    let mut noise = NoiseSource::new(20_261_130);
    let mut outcomes: BTreeMap<(bool, String), ConditionOutcome> = BTreeMap::new();
    let mut record = |name: String, attack: bool, d: &VoiceDecision| {
        let o = outcomes
            .entry((attack, name.clone()))
            .or_insert_with(|| ConditionOutcome {
                condition: name,
                attack,
                ..Default::default()
            });
        o.trials += 1;
        o.waveform_copy = widen(o.waveform_copy, d.digits.waveform_copy);
        o.fingerprint_ber = widen(o.fingerprint_ber, d.digits.closest_copy);
        match refusal_reason(d) {
            None => o.passed += 1,
            Some(r) => *o.refused_for.entry(r).or_default() += 1,
        }
    };
    for (k, (speaker, x, prompt)) in tests.iter().enumerate() {
        let Some(template) = templates.get(speaker) else {
            continue;
        };
        let talk = babble(&talkers(&tests, speaker, k));
        let white = noise.white(x.len());
        let mut variants: Vec<(String, Vec<f32>, u32)> = vec![("clean".into(), x.clone(), 16_000)];
        for snr in [30.0, 20.0, 10.0] {
            variants.push((format!("white {snr} dB"), add_noise(x, &white, snr), 16_000));
        }
        variants.push(("babble 20 dB".into(), add_noise(x, &talk, 20.0), 16_000));
        variants.push(("quiet (-38 dBFS)".into(), at_level(x, -38.0), 16_000));
        variants.push(("telephone 8 kHz".into(), telephone(x), 8_000));
        for (name, y, rate) in variants {
            let d = engine.verify(template, &Audio::from_f32(&y, rate)?, prompt)?;
            record(name, false, &d);
        }
        let recs: Vec<(&[f32], &str)> = enrollments[speaker]
            .iter()
            .map(|(x, p)| (x.as_slice(), p.as_str()))
            .collect();
        for gap in [123, 251] {
            let Some(y) = splice(&recs, prompt, gap) else {
                continue;
            };
            let hiss = noise.white(y.len());
            let mut attacks = vec![(format!("splice ({gap} ms gaps)"), y.clone(), 16_000)];
            if gap == 123 {
                for snr in [30.0, 20.0, 15.0, 10.0] {
                    attacks.push((format!("splice + white {snr} dB"), add_noise(&y, &hiss, snr), 16_000));
                }
                let scrambled = all_pass(&y);
                attacks.push(("splice, all-pass".into(), scrambled.clone(), 16_000));
                for snr in [30.0, 20.0] {
                    attacks.push((
                        format!("splice, all-pass + white {snr} dB"),
                        add_noise(&scrambled, &hiss, snr),
                        16_000,
                    ));
                }
                attacks.push(("splice + babble 20 dB".into(), add_noise(&y, &talk, 20.0), 16_000));
                attacks.push(("splice, telephone".into(), telephone(&y), 8_000));
            }
            for (name, z, rate) in attacks {
                let d = engine.verify(template, &Audio::from_f32(&z, rate)?, prompt)?;
                record(name, true, &d);
            }
        }
    }
    Ok(outcomes.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_trial_has_three_other_talkers_behind_it() {
        let tests: Vec<(String, Vec<f32>, String)> = (0..24)
            .map(|i| (format!("s{}", i / 3), vec![i as f32; 4], String::new()))
            .collect();
        for (k, (speaker, _, _)) in tests.iter().enumerate() {
            let t = talkers(&tests, speaker, k);
            assert_eq!(t.len(), 3, "trial {k}");
            assert!(t.iter().all(|x| x[0] as usize / 3 != k / 3), "trial {k}: own voice");
        }
        assert!(talkers(&tests[..3], "s0", 0).is_empty());
    }
}
