//! What GE2E (the speaker embedding before CAM++) sees, compared on the real-speech set (`.deps/testdata/human`,
//! `scripts/setup.sh test`): the engine's path (the words cut out and joined, 5 frames kept
//! around each: [`SpeakerInput::WordsOnly`]), the earlier one (the pauses between words
//! turned down), the recording as it is, and the words cut out with a margin of 2 or 10
//! frames, clean, with white noise at 20 dB and with talk
//! behind at 20 dB; each scored by the cosine and normalised against the other speakers
//! (S-norm), and the mean of two normalised scores. Prints per condition the EER and the
//! false rejects at <= 1% false accepts, then the same at one threshold for all conditions.
//!
//! `cargo run --release -p certify-voice --example speaker_variants` (results in the README,
//! "Voice calibration").
use certify_voice::conditions::{add_noise_looped, white_at};
use certify_voice::enhance::{SpeakerInput, SpeakerModel};
use certify_voice::eval::{HUMAN_WORDS_PER_RECORDING, Scoring, eer, load, manifest, one_percent_point, score_trials};
use certify_voice::speaker::SpeakerEmbedding;
use certify_voice::vad::{FRAME, segments_for};
use certify_voice::{Audio, VoiceEngine, VoiceEngineConfig};
use std::collections::BTreeMap;

fn cut(x: &[f32], words: usize, margin: usize) -> Vec<f32> {
    let Some(segs) = segments_for(x, words) else {
        return x.to_vec();
    };
    let n = x.len();
    let mut out = Vec::new();
    for (a, b) in segs {
        let from = (a.saturating_sub(margin) * FRAME).min(n);
        let until = ((b + margin) * FRAME).clamp(from, n);
        out.extend_from_slice(&x[from..until]);
    }
    out
}

/// (condition, genuine scores, impostor scores).
type Scores = (String, Vec<f32>, Vec<f32>);

type Variant = Box<dyn Fn(&VoiceEngine, &[f32]) -> SpeakerEmbedding>;

/// The GE2E embedding of `x` as it is (16 kHz samples).
fn embed(e: &VoiceEngine, x: &[f32]) -> SpeakerEmbedding {
    e.embed_with(SpeakerModel::Ge2e, x).expect("embedding")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let engine = VoiceEngine::load(VoiceEngineConfig::new(root.join("models")))?;
    let human = root.join(".deps/testdata/human");
    let espeak = root.join(".deps/testdata/voice");
    let w = HUMAN_WORDS_PER_RECORDING;
    let variants: Vec<(&str, Variant)> = vec![
        (
            "pauses",
            Box::new(move |e: &VoiceEngine, x: &[f32]| embed(e, &SpeakerInput::PausesTurnedDown.of(x, w))),
        ),
        (
            "engine",
            Box::new(move |e: &VoiceEngine, x: &[f32]| embed(e, &SpeakerInput::WordsOnly.of(x, w))),
        ),
        (
            "cut2",
            Box::new(move |e: &VoiceEngine, x: &[f32]| embed(e, &cut(x, w, 2))),
        ),
        (
            "cut10",
            Box::new(move |e: &VoiceEngine, x: &[f32]| embed(e, &cut(x, w, 10))),
        ),
        ("bare", Box::new(|e: &VoiceEngine, x: &[f32]| embed(e, x))),
    ];

    let talk = certify_voice::eval::espeak_talk(&espeak);
    let rows = manifest(&human)?;
    type Ch = Box<dyn Fn(&[f32]) -> Vec<f32>>;
    let conditions: Vec<(&str, Ch)> = vec![
        ("clean", Box::new(|x: &[f32]| x.to_vec())),
        ("white 20", Box::new(|x: &[f32]| white_at(x, 20.0))),
        ("talk 20", Box::new(move |x: &[f32]| add_noise_looped(x, &talk, 20.0))),
    ];
    // Enrollment embeddings per variant: clean, prepared.
    let mut templates: Vec<BTreeMap<String, SpeakerEmbedding>> = Vec::new();
    {
        let mut per: Vec<BTreeMap<String, Vec<SpeakerEmbedding>>> = vec![BTreeMap::new(); variants.len()];
        for r in rows.iter().filter(|r| r.role == "enroll") {
            let audio = load(&human, &r.file)?;
            let report = engine.check(&audio, None)?;
            let x = engine.prepared(&audio, &report);
            for (k, (_, v)) in variants.iter().enumerate() {
                per[k].entry(r.speaker.clone()).or_default().push(v(&engine, &x));
            }
        }
        for p in per {
            templates.push(
                p.into_iter()
                    .filter_map(|(s, v)| SpeakerEmbedding::mean(&v).map(|m| (s, m)))
                    .collect(),
            );
        }
    }
    let mut all: BTreeMap<String, Vec<Scores>> = BTreeMap::new();
    for (cname, ch) in &conditions {
        // probe embeddings per variant
        let mut probes: Vec<Vec<(String, SpeakerEmbedding)>> = vec![Vec::new(); variants.len()];
        for r in rows.iter().filter(|r| r.role == "test") {
            let audio = Audio::from_f32(&ch(load(&human, &r.file)?.samples()), 16_000)?;
            let report = engine.check(&audio, None)?;
            let x = engine.prepared(&audio, &report);
            for (k, (_, v)) in variants.iter().enumerate() {
                probes[k].push((r.speaker.clone(), v(&engine, &x)));
            }
        }
        let mut znorm: Vec<(Vec<f32>, Vec<f32>)> = Vec::new();
        for (k, (vname, _)) in variants.iter().enumerate() {
            let trials = score_trials(&probes[k], &templates[k])?;
            let ((gc, ic), (gz, iz)) = (trials.scores(Scoring::Cosine), trials.scores(Scoring::Normalized));
            let (gc, ic, gz, iz) = (gc.to_vec(), ic.to_vec(), gz.to_vec(), iz.to_vec());
            report(cname, vname, "cos", &gc, &ic);
            report(cname, vname, "snorm", &gz, &iz);
            all.entry(format!("{vname} cos"))
                .or_default()
                .push((cname.to_string(), gc, ic));
            all.entry(format!("{vname} snorm"))
                .or_default()
                .push((cname.to_string(), gz.clone(), iz.clone()));
            znorm.push((gz, iz));
        }
        // fusions of s-norm scores
        for (a, b) in [(0usize, 1usize), (0, 2), (0, 3)] {
            let g: Vec<f32> = znorm[a].0.iter().zip(&znorm[b].0).map(|(x, y)| (x + y) / 2.0).collect();
            let i: Vec<f32> = znorm[a].1.iter().zip(&znorm[b].1).map(|(x, y)| (x + y) / 2.0).collect();
            report(cname, &format!("{}+{}", variants[a].0, variants[b].0), "snorm", &g, &i);
            all.entry(format!("{}+{} snorm", variants[a].0, variants[b].0))
                .or_default()
                .push((cname.to_string(), g, i));
        }
    }
    println!("--- one threshold (the highest of the conditions' 1% points)");
    for (name, conds) in &all {
        let thr = conds
            .iter()
            .map(|(_, _, i)| one_percent_point(i))
            .fold(f32::MIN, f32::max);
        let line: Vec<String> = conds
            .iter()
            .map(|(c, g, i)| {
                format!(
                    "{c}: FA {}/{} FR {}/{}",
                    i.iter().filter(|x| **x >= thr).count(),
                    i.len(),
                    g.iter().filter(|x| **x < thr).count(),
                    g.len()
                )
            })
            .collect();
        println!("{name:<22} at {thr:.3}: {}", line.join(" | "));
    }
    Ok(())
}

fn report(c: &str, v: &str, s: &str, g: &[f32], i: &[f32]) {
    let one = one_percent_point(i);
    let fr = g.iter().filter(|x| **x < one).count();
    println!(
        "{c:<9} {v:<22} {s:<5} EER {:>5.2}%  FR@1%FA {fr:>2}/{}",
        eer(g, i).1 * 100.0,
        g.len()
    );
}
