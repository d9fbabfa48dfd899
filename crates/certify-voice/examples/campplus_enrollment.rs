//! What CAM++ enrollment should learn from, compared on the real-speech set
//! (`.deps/testdata/human`, `scripts/setup.sh test`): each speaker's template is the mean of
//! the embeddings of their enrollment recordings as heard, alone or with copies that carry
//! white noise 20 dB below the speech (what the engine keeps, `white_noise_copy`), and also
//! talk behind at 20 dB made of the speaker's other enrollment recordings played backwards;
//! and, for comparison, only the reader's words cut out (not denoised) with the white copy.
//! Probes: clean, white noise at 20 and 10 dB, talk behind at 20 dB (three espeak-ng voices,
//! as `voice_eval`), the telephone band being measured by `voice_eval`. Scores: cosine and
//! S-norm against the other speakers. Prints per variant the false rejects of 87 at one
//! threshold for all conditions (the highest of their 1% false-accept points).
//!
//! `cargo run --release -p certify-voice --example campplus_enrollment` (README, "Voice
//! calibration").
use certify_voice::conditions::{add_noise, add_noise_looped, white_at};
use certify_voice::engine::white_noise_copy;
use certify_voice::enhance::SpeakerModel;
use certify_voice::enhance::words_only;
use certify_voice::enrollment::own_babble;
use certify_voice::eval::{HUMAN_WORDS_PER_RECORDING, Scoring, at_one_threshold, load, manifest, score_trials};
use certify_voice::speaker::SpeakerEmbedding;
use certify_voice::{VoiceEngine, VoiceEngineConfig};
use std::collections::BTreeMap;

type Channel = Box<dyn Fn(&[f32]) -> Vec<f32>>;

/// Per condition, the (genuine, impostor) scores.
type PerCondition = Vec<(Vec<f32>, Vec<f32>)>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let engine = VoiceEngine::load(VoiceEngineConfig::new(root.join("models")))?;
    let human = root.join(".deps/testdata/human");
    let espeak = root.join(".deps/testdata/voice");
    let embed = |x: &[f32]| engine.embed_with(SpeakerModel::CamPlus, x).expect("embedding");
    // The reader's words only (cut out of the recording as heard, not denoised).
    let words = |x: &[f32]| {
        engine
            .embed_with(SpeakerModel::CamPlus, &words_only(x, HUMAN_WORDS_PER_RECORDING))
            .expect("embedding")
    };
    let rows = manifest(&human)?;

    // Enrollment: per speaker, per variant, the embeddings kept.
    let variants = ["clean", "clean+white", "clean+white+own talk", "words: clean+white"];
    let mut recordings: BTreeMap<String, Vec<Vec<f32>>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.role == "enroll") {
        let audio = load(&human, &r.file)?;
        recordings
            .entry(r.speaker.clone())
            .or_default()
            .push(audio.samples().to_vec());
    }
    let mut templates: Vec<BTreeMap<String, SpeakerEmbedding>> = vec![BTreeMap::new(); variants.len()];
    for (speaker, recs) in &recordings {
        let backwards: Vec<Vec<f32>> = recs.iter().map(|x| x.iter().rev().copied().collect()).collect();
        let (mut clean, mut white, mut talk, mut cut) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (k, x) in recs.iter().enumerate() {
            clean.push(embed(x));
            white.push(embed(&white_noise_copy(x)));
            cut.push(words(x));
            cut.push(words(&white_noise_copy(x)));
            talk.push(embed(&add_noise(x, &own_babble(&backwards, k), 20.0)));
        }
        let sets = [
            clean.clone(),
            [clean.clone(), white.clone()].concat(),
            [clean, white, talk].concat(),
            cut,
        ];
        for (t, set) in templates.iter_mut().zip(sets) {
            t.insert(speaker.clone(), SpeakerEmbedding::mean(&set).ok_or("no recordings")?);
        }
    }

    let talk = certify_voice::eval::espeak_talk(&espeak);
    let white = |snr: f32| -> Channel { Box::new(move |x: &[f32]| white_at(x, snr)) };
    let conditions: Vec<(&str, Channel)> = vec![
        ("clean", Box::new(|x: &[f32]| x.to_vec())),
        ("white 20", white(20.0)),
        ("white 10", white(10.0)),
        ("talk 20", Box::new(move |x: &[f32]| add_noise_looped(x, &talk, 20.0))),
    ];
    // (variant, scoring) → per condition (genuine, impostor).
    let mut all: BTreeMap<(usize, &str), PerCondition> = BTreeMap::new();
    for (_, channel) in &conditions {
        let heard: Vec<Vec<f32>> = rows
            .iter()
            .filter(|r| r.role == "test")
            .map(|r| Ok(channel(load(&human, &r.file)?.samples())))
            .collect::<Result<_, certify_voice::VoiceError>>()?;
        let speakers: Vec<String> = rows
            .iter()
            .filter(|r| r.role == "test")
            .map(|r| r.speaker.clone())
            .collect();
        let as_heard: Vec<(String, SpeakerEmbedding)> =
            speakers.iter().cloned().zip(heard.iter().map(|x| embed(x))).collect();
        let cut: Vec<(String, SpeakerEmbedding)> =
            speakers.iter().cloned().zip(heard.iter().map(|x| words(x))).collect();
        for (v, t) in templates.iter().enumerate() {
            let probes = if v == 3 { &cut } else { &as_heard };
            let trials = score_trials(probes, t)?;
            let owned = |(g, i): (&[f32], &[f32])| (g.to_vec(), i.to_vec());
            all.entry((v, "cosine"))
                .or_default()
                .push(owned(trials.scores(Scoring::Cosine)));
            all.entry((v, "s-norm"))
                .or_default()
                .push(owned(trials.scores(Scoring::Normalized)));
        }
    }
    for ((v, scoring), per_condition) in &all {
        let (threshold, counts) = at_one_threshold(per_condition);
        let line: Vec<String> = conditions
            .iter()
            .zip(per_condition.iter().zip(counts))
            .map(|((name, _), ((g, i), (fr, fa)))| format!("{name}: FR {fr}/{} FA {fa}/{}", g.len(), i.len()))
            .collect();
        println!(
            "{:<22} {scoring:<6} at {threshold:.3}: {}",
            variants[*v],
            line.join(" | ")
        );
    }
    Ok(())
}
