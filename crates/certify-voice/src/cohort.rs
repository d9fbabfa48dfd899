//! Score normalisation against other people's voiceprints (symmetric S-norm).
//!
//! A raw cosine between two speaker embeddings depends on more than who spoke: the channel,
//! the language and the recording room move every score of a population up or down
//! together, so one fixed cosine threshold rejects some real people while passing some
//! impostors. S-norm measures how far a score stands out from the scores the same two
//! embeddings get against a cohort of *other* people:
//!
//! `score = ½ · ((s − μ_probe) / σ_probe + (s − μ_template) / σ_template)`
//!
//! where `s` is the probe's cosine to the claimed template, and μ, σ are the mean and
//! standard deviation of the probe's (and the template's) cosines to the cohort members.
//! On the real-speech set through the engine's own steps (README, "Voice calibration"), at
//! thresholds that keep false accepts ≤ 1%, it refuses as many real readings clean as the
//! cosine (8 of 87), 10 against 14 through the telephone band and 28 against 38 at 10 dB
//! white noise (EER 4.60% → 3.45% clean).
//!
//! The cohort is the host's own population: [`SpeakerCohort::from_templates`] over a
//! sample of the voiceprints enrolled with it (a few hundred is plenty), so it matches the
//! phones, rooms and dialects its people certify from. It holds embeddings only (no
//! digits, fingerprints or sketches) and is used for nothing but this normalisation.
//! Members that are the claimed template itself are left out of each comparison.

use crate::engine::VoiceTemplate;
use crate::enhance::SpeakerInput;
use crate::speaker::SpeakerEmbedding;

/// Fewest cohort members for which the normalisation is used; with fewer the engine
/// decides on the raw cosine (with 8 members the real-speech set's false rejects doubled).
pub const MIN_COHORT: usize = 20;

/// Normalised score at or above which a wideband probe is the same speaker, for templates
/// enrolled now (CAM++, [`SpeakerInput::AsHeard`]): ≤ 1% false accepts on the real-speech
/// set with a cohort of the other 27 speakers, clean and with white noise at 30, 20 and
/// 10 dB and talk behind at 20 dB (the highest of their 1% points, 2.059 at white 10 dB,
/// with a margin: ONNX Runtime's results move by a few thousandths between builds and
/// runs). The test `speaker_thresholds_on_real_human_speech_in_both_bands` keeps it true.
/// GE2E templates ([`SpeakerInput::WordsOnly`]) keep theirs
/// ([`crate::engine::WORDS_ONLY_NORMALIZED_THRESHOLD`]).
pub const DEFAULT_NORMALIZED_THRESHOLD: f32 = 2.08;

/// The same for telephone-band probes against the narrowband embeddings (1% point 2.170,
/// with the same margin).
pub const DEFAULT_NORMALIZED_THRESHOLD_NARROWBAND: f32 = 2.19;

/// The cosine a probe must still reach when a cohort decides. S-norm trusts the cohort to
/// be real voices: members unlike every voice (random vectors, enrolled noise) leave its
/// scores no spread, and then any voice stands out. On the real-speech set every genuine
/// reading the normalised score accepted had a CAM++ cosine of 0.60 or more (clean 0.693,
/// telephone band 0.709, white noise at 20 dB 0.638, at 10 dB 0.602, talk behind 0.606),
/// so the floor refuses none of them; impostors' cosines have a median of 0.46, and at
/// white 10 dB 7% of them (176 of 2,436) reach the floor — so it is a backstop, and the
/// cohort must be the host's real voiceprints.
pub const DEFAULT_COHORT_COSINE_FLOOR: f32 = 0.60;

/// The lengths of the embeddings a cohort may hold: CAM++'s and GE2E's.
const KINDS: [usize; 2] = [crate::campplus::DIMENSION, 256];

/// Cosine at or above which a cohort member is the claimed template itself (a second
/// enrollment of one person scores about 0.9, other people lower).
const SAME_TEMPLATE: f32 = 0.999;

/// Why a cohort could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CohortError {
    /// Fewer members than [`MIN_COHORT`].
    #[error("{have} voiceprints in the cohort, at least {need} are needed")]
    TooFew {
        /// Members given.
        have: usize,
        /// Members needed.
        need: usize,
    },
    /// An embedding that is not a unit vector of finite numbers of one kind (192 values,
    /// CAM++, or 256, GE2E, the same for every member).
    #[error("cohort member {index}: not a speaker embedding ({reason})")]
    Malformed {
        /// Position among the members given.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
}

/// Speaker embeddings of other enrolled people, wideband and narrowband, all of one kind
/// (CAM++'s 192 values for templates enrolled now; GE2E's 256 for
/// [`SpeakerInput::WordsOnly`] templates). A cohort only normalises scores of its own
/// kind: for other templates [`SpeakerCohort::normalized_score`] gives `None` and the
/// cosine decides. As JSON:
/// `{"wideband": [[192 numbers], …], "narrowband": [[192 numbers], …]}` — the `speaker` and
/// `speaker_narrowband` members of stored templates; reading it checks it as
/// [`SpeakerCohort::from_embeddings`] does.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "CohortMembers")]
pub struct SpeakerCohort {
    wideband: Vec<SpeakerEmbedding>,
    #[serde(default)]
    narrowband: Vec<SpeakerEmbedding>,
}

/// The members of a cohort as read, before they are checked (`SpeakerCohort::try_from`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct CohortMembers {
    /// Wideband speaker embeddings.
    pub wideband: Vec<SpeakerEmbedding>,
    /// Narrowband ones (may be fewer, or none).
    #[serde(default)]
    pub narrowband: Vec<SpeakerEmbedding>,
}

impl TryFrom<CohortMembers> for SpeakerCohort {
    type Error = CohortError;
    fn try_from(m: CohortMembers) -> Result<Self, CohortError> {
        SpeakerCohort::from_embeddings(m.wideband, m.narrowband)
    }
}

impl SpeakerCohort {
    /// The cohort of these enrolled templates (a sample of the host's voiceprints). Each
    /// gives its wideband embedding, and its narrowband one where it has one. Only
    /// templates enrolled now ([`SpeakerInput::AsHeard`]) are taken: earlier ones hold
    /// embeddings of another kind, and a cohort unlike the probe inflates the normalised
    /// score.
    pub fn from_templates<'a>(templates: impl IntoIterator<Item = &'a VoiceTemplate>) -> Result<Self, CohortError> {
        let (mut wideband, mut narrowband) = (Vec::new(), Vec::new());
        for t in templates
            .into_iter()
            .filter(|t| t.speaker_input == SpeakerInput::AsHeard)
        {
            wideband.push(t.speaker.clone());
            if let Some(n) = &t.speaker_narrowband {
                narrowband.push(n.clone());
            }
        }
        Self::from_embeddings(wideband, narrowband)
    }

    /// A cohort from embeddings (e.g. kept by the host without the rest of the templates):
    /// those of templates of one `speaker_input` ([`SpeakerInput::AsHeard`] for templates
    /// enrolled now), never [`SpeakerInput::PausesTurnedDown`].
    /// The wideband list needs [`MIN_COHORT`] members; a shorter narrowband list only means
    /// telephone-band probes are decided on the raw cosine.
    pub fn from_embeddings(
        wideband: Vec<SpeakerEmbedding>,
        narrowband: Vec<SpeakerEmbedding>,
    ) -> Result<Self, CohortError> {
        if wideband.len() < MIN_COHORT {
            return Err(CohortError::TooFew {
                have: wideband.len(),
                need: MIN_COHORT,
            });
        }
        let dimension = wideband[0].0.len();
        for (index, e) in wideband.iter().chain(&narrowband).enumerate() {
            check(e, dimension).map_err(|reason| CohortError::Malformed { index, reason })?;
        }
        Ok(Self { wideband, narrowband })
    }

    /// Members (wideband, narrowband).
    pub fn len(&self) -> (usize, usize) {
        (self.wideband.len(), self.narrowband.len())
    }

    /// The S-norm score of `probe` against `reference`, with the narrowband members for a
    /// telephone-band comparison. `None` when fewer than [`MIN_COHORT`] members remain
    /// once the reference itself is left out, when the cohort's scores do not spread, or
    /// when the embeddings are not of the cohort's kind.
    pub fn normalized_score(
        &self,
        probe: &SpeakerEmbedding,
        reference: &SpeakerEmbedding,
        narrowband: bool,
    ) -> Option<f32> {
        let members = if narrowband { &self.narrowband } else { &self.wideband };
        let dimension = self.wideband[0].0.len();
        if probe.0.len() != dimension || reference.0.len() != dimension {
            return None;
        }
        let (mut to_probe, mut to_reference) = (Vec::with_capacity(members.len()), Vec::with_capacity(members.len()));
        for m in members {
            let r = m.similarity(reference);
            if r >= SAME_TEMPLATE {
                continue;
            }
            to_reference.push(r);
            to_probe.push(m.similarity(probe));
        }
        if to_probe.len() < MIN_COHORT {
            return None;
        }
        let raw = probe.similarity(reference);
        let z = |scores: &[f32]| {
            let (mean, sd) = mean_sd(scores);
            (sd > 1e-6).then(|| (raw - mean) / sd)
        };
        Some(0.5 * (z(&to_probe)? + z(&to_reference)?))
    }
}

fn mean_sd(x: &[f32]) -> (f32, f32) {
    let n = x.len() as f64;
    let mean = x.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let var = x.iter().map(|&v| (f64::from(v) - mean).powi(2)).sum::<f64>() / n;
    (mean as f32, var.sqrt() as f32)
}

fn check(e: &SpeakerEmbedding, dimension: usize) -> Result<(), String> {
    if e.0.len() != dimension || !KINDS.contains(&dimension) {
        return Err(format!(
            "{} values, expected {} (CAM++) or {} (GE2E), the same for every member",
            e.0.len(),
            KINDS[0],
            KINDS[1]
        ));
    }
    if e.0.iter().any(|v| !v.is_finite()) {
        return Err("a value that is not a finite number".into());
    }
    let norm = e.0.iter().map(|v| v * v).sum::<f32>().sqrt();
    if (norm - 1.0).abs() > 1e-3 {
        return Err(format!("length {norm:.3}, expected 1"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pseudo-random unit vector (seeded), plus `toward` times `base` when given.
    fn unit(seed: u64, toward: Option<(&SpeakerEmbedding, f32)>) -> SpeakerEmbedding {
        let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let mut v: Vec<f32> = (0..256)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((state >> 33) as f32 / (1u64 << 31) as f32) - 0.5
            })
            .collect();
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter_mut().for_each(|x| *x /= n);
        if let Some((base, w)) = toward {
            v.iter_mut().zip(&base.0).for_each(|(x, b)| *x = *x * (1.0 - w) + b * w);
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.iter_mut().for_each(|x| *x /= n);
        }
        SpeakerEmbedding(v)
    }

    fn members(n: usize) -> Vec<SpeakerEmbedding> {
        (0..n as u64).map(|i| unit(1000 + i, None)).collect()
    }

    #[test]
    fn too_few_or_malformed_members_are_refused() {
        let few = members(MIN_COHORT - 1);
        assert_eq!(
            SpeakerCohort::from_embeddings(few.clone(), vec![]),
            Err(CohortError::TooFew {
                have: MIN_COHORT - 1,
                need: MIN_COHORT
            })
        );
        let mut bad = few.clone();
        bad.push(SpeakerEmbedding(vec![0.5; 256]));
        assert!(matches!(
            SpeakerCohort::from_embeddings(bad, vec![]),
            Err(CohortError::Malformed { index, .. }) if index == MIN_COHORT - 1
        ));
        let mut nan = few.clone();
        nan.push(SpeakerEmbedding(vec![f32::NAN; 256]));
        assert!(SpeakerCohort::from_embeddings(nan, vec![]).is_err());
        let mut short = few;
        short.push(SpeakerEmbedding(vec![1.0]));
        assert!(SpeakerCohort::from_embeddings(short, vec![]).is_err());
    }

    #[test]
    fn a_close_probe_stands_out_and_a_stranger_does_not() {
        let c = SpeakerCohort::from_embeddings(members(30), vec![]).unwrap();
        let reference = unit(1, None);
        let close = unit(2, Some((&reference, 0.7)));
        let stranger = unit(3, None);
        let high = c.normalized_score(&close, &reference, false).unwrap();
        let low = c.normalized_score(&stranger, &reference, false).unwrap();
        assert!(high > 5.0 && low < 1.5, "{high} {low}");
    }

    /// The unit vector along the weighted sum.
    fn mix(parts: &[(&SpeakerEmbedding, f32)]) -> SpeakerEmbedding {
        let mut v = vec![0f32; 256];
        for (e, w) in parts {
            v.iter_mut().zip(&e.0).for_each(|(x, y)| *x += w * y);
        }
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        SpeakerEmbedding(v.into_iter().map(|x| x / n).collect())
    }

    #[test]
    fn a_probe_that_resembles_everyone_scores_lower_than_its_cosine_suggests() {
        // Every cohort member shares one component (a channel or room everybody has).
        let shared = unit(7, None);
        let cohort: Vec<_> = (0..30)
            .map(|i| mix(&[(&unit(1000 + i, None), 1.0), (&shared, 0.6)]))
            .collect();
        let c = SpeakerCohort::from_embeddings(cohort, vec![]).unwrap();
        let reference = unit(1, None);
        // Two probes: one like the reference only, one like the reference and everybody.
        let plain = mix(&[(&reference, 0.6), (&unit(2, None), 0.8)]);
        let like_all = mix(&[(&reference, 0.6), (&unit(3, None), 0.5), (&shared, 0.6)]);
        let (raw_plain, raw_all) = (plain.similarity(&reference), like_all.similarity(&reference));
        assert!(raw_all >= raw_plain, "construction: {raw_all} < {raw_plain}");
        let (norm_plain, norm_all) = (
            c.normalized_score(&plain, &reference, false).unwrap(),
            c.normalized_score(&like_all, &reference, false).unwrap(),
        );
        assert!(
            norm_all < norm_plain,
            "cosines {raw_all} vs {raw_plain}, normalised {norm_all} vs {norm_plain}"
        );
    }

    #[test]
    fn the_claimed_template_is_left_out_of_its_own_cohort() {
        let reference = unit(1, None);
        let probe = unit(2, Some((&reference, 0.6)));
        let mut with_self = members(MIN_COHORT);
        with_self.push(reference.clone());
        let c = SpeakerCohort::from_embeddings(with_self, vec![]).unwrap();
        let c2 = SpeakerCohort::from_embeddings(members(MIN_COHORT), vec![]).unwrap();
        assert_eq!(
            c.normalized_score(&probe, &reference, false),
            c2.normalized_score(&probe, &reference, false)
        );
        // With the reference left out, one member fewer than needed remains.
        let mut few = members(MIN_COHORT - 1);
        few.push(reference.clone());
        let c3 = SpeakerCohort::from_embeddings(few, vec![]).unwrap();
        assert_eq!(c3.normalized_score(&probe, &reference, false), None);
    }

    #[test]
    fn json_round_trips_and_is_checked_when_read() {
        let c = SpeakerCohort::from_embeddings(members(MIN_COHORT), members(3)).unwrap();
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<SpeakerCohort>(&text).unwrap(), c);
        let few = serde_json::json!({ "wideband": members(2) }).to_string();
        let e = serde_json::from_str::<SpeakerCohort>(&few).unwrap_err().to_string();
        assert!(e.contains("at least 20"), "{e}");
        let mut bad = members(MIN_COHORT);
        bad[4].0[0] = 3.0;
        let e = serde_json::from_str::<SpeakerCohort>(&serde_json::json!({ "wideband": bad }).to_string())
            .unwrap_err()
            .to_string();
        assert!(e.contains("member 4"), "{e}");
    }

    #[test]
    fn a_short_narrowband_list_gives_no_narrowband_score() {
        let c = SpeakerCohort::from_embeddings(members(MIN_COHORT), vec![unit(9, None)]).unwrap();
        assert_eq!(c.len(), (MIN_COHORT, 1));
        let reference = unit(1, None);
        let probe = unit(2, Some((&reference, 0.6)));
        assert!(c.normalized_score(&probe, &reference, false).is_some());
        assert_eq!(c.normalized_score(&probe, &reference, true), None);
    }
}
