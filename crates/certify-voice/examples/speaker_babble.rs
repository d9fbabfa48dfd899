//! How the speaker score (CAM++, the engine's model) holds when other people talk behind
//! the reader, measured on the real-speech set (`.deps/testdata/human`, `scripts/setup.sh
//! test`): each test recording as heard clean, with three espeak-ng voices at 20 dB (as
//! `voice_eval`), and with 1, 3 or 6 real voices at 20 or 15 dB — the enrollment readings
//! of the next speakers of the set, mixed by [`babble`]. The talkers behind are neither
//! claimed nor in the cohort (their voice is in the recording); each probe is scored by
//! [`score_trials`] against the other templates. Prints false
//! rejects and false accepts at the shipped cosine and normalised (S-norm) thresholds, and
//! at one threshold for all conditions (the highest of their 1% false-accept points).
//!
//! `cargo run --release -p certify-voice --example speaker_babble` (README, "Voice
//! calibration"; about four minutes).
use certify_voice::conditions::{add_noise_looped, babble};
use certify_voice::engine::white_noise_copy;
use certify_voice::enhance::SpeakerModel;
use certify_voice::eval::{Scoring, at_one_threshold, espeak_talk, load, manifest, score_trials};
use certify_voice::speaker::SpeakerEmbedding;
use certify_voice::{VoiceEngine, VoiceEngineConfig};
use std::collections::BTreeMap;

/// A condition: its name, how many real voices talk behind (0: none, or espeak-ng when
/// `espeak`), and at what SNR (dB).
struct Condition {
    name: &'static str,
    voices: usize,
    espeak: bool,
    snr_db: f32,
}

const CONDITIONS: [Condition; 7] = [
    Condition {
        name: "clean",
        voices: 0,
        espeak: false,
        snr_db: 0.0,
    },
    Condition {
        name: "espeak talk @20",
        voices: 0,
        espeak: true,
        snr_db: 20.0,
    },
    Condition {
        name: "1 real voice @20",
        voices: 1,
        espeak: false,
        snr_db: 20.0,
    },
    Condition {
        name: "3 real voices @20",
        voices: 3,
        espeak: false,
        snr_db: 20.0,
    },
    Condition {
        name: "6 real voices @20",
        voices: 6,
        espeak: false,
        snr_db: 20.0,
    },
    Condition {
        name: "6 real voices @15",
        voices: 6,
        espeak: false,
        snr_db: 15.0,
    },
    Condition {
        name: "3 real voices @15",
        voices: 3,
        espeak: false,
        snr_db: 15.0,
    },
];

/// Genuine and impostor scores of one condition.
type Scores = (Vec<f32>, Vec<f32>);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let engine = VoiceEngine::load(VoiceEngineConfig::new(root.join("models")))?;
    let human = root.join(".deps/testdata/human");
    let embed = |x: &[f32]| engine.embed_with(SpeakerModel::CamPlus, x);
    let rows = manifest(&human)?;
    let mut readings: BTreeMap<String, Vec<Vec<f32>>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.role == "enroll") {
        readings
            .entry(r.speaker.clone())
            .or_default()
            .push(load(&human, &r.file)?.samples().to_vec());
    }
    let speakers: Vec<String> = readings.keys().cloned().collect();
    let mut templates = BTreeMap::new();
    for (speaker, recs) in &readings {
        let mut all = Vec::new();
        for x in recs {
            all.push(embed(x)?);
            all.push(embed(&white_noise_copy(x))?);
        }
        templates.insert(speaker.clone(), SpeakerEmbedding::mean(&all).ok_or("no enrollment")?);
    }
    let talk = espeak_talk(&root.join(".deps/testdata/voice"));
    let tests: Vec<_> = rows.iter().filter(|r| r.role == "test").collect();
    let mut cosine: Vec<Scores> = Vec::new();
    let mut normalized: Vec<Scores> = Vec::new();
    for c in &CONDITIONS {
        eprintln!("{}", c.name);
        let (mut cos, mut norm): (Scores, Scores) = Default::default();
        for (i, r) in tests.iter().enumerate() {
            let x = load(&human, &r.file)?.samples().to_vec();
            let at = speakers.iter().position(|s| *s == r.speaker).ok_or("unknown speaker")?;
            let talkers: Vec<&String> = (1..=c.voices).map(|j| &speakers[(at + j) % speakers.len()]).collect();
            let sources: Vec<&[f32]> = talkers
                .iter()
                .map(|s| readings[*s][i % readings[*s].len()].as_slice())
                .collect();
            let voices = babble(&sources); // empty when no real voice talks behind
            let behind = if c.espeak { &talk } else { &voices };
            let heard = if behind.is_empty() {
                x
            } else {
                add_noise_looped(&x, behind, c.snr_db)
            };
            // The talkers behind are not claimed, nor in the cohort: their voice is heard.
            let claimable: BTreeMap<String, SpeakerEmbedding> = templates
                .iter()
                .filter(|(s, _)| !talkers.contains(s))
                .map(|(s, t)| (s.clone(), t.clone()))
                .collect();
            let trials = score_trials(&[(r.speaker.clone(), embed(&heard)?)], &claimable)?;
            for (to, scoring) in [(&mut cos, Scoring::Cosine), (&mut norm, Scoring::Normalized)] {
                let (genuine, impostor) = trials.scores(scoring);
                to.0.extend_from_slice(genuine);
                to.1.extend_from_slice(impostor);
            }
        }
        cosine.push(cos);
        normalized.push(norm);
    }
    let config = engine.config();
    for (label, per, shipped) in [
        ("cosine", &cosine, config.speaker_threshold),
        ("s-norm", &normalized, config.speaker_threshold_normalized),
    ] {
        for (c, (genuine, impostor)) in CONDITIONS.iter().zip(per.iter()) {
            let fr = genuine.iter().filter(|s| **s < shipped).count();
            let fa = impostor.iter().filter(|s| **s >= shipped).count();
            println!(
                "{label} at shipped {shipped}: {:<18} false rejects {fr}/{} false accepts {fa}/{}",
                c.name,
                genuine.len(),
                impostor.len()
            );
        }
        let (t, counts) = at_one_threshold(per);
        println!("{label} at one 1% point {t:.3}: false rejects {counts:?}");
    }
    Ok(())
}
