//! Whether GE2E given the words would add to CAM++ given the recording as heard, measured on
//! the real-speech set (`.deps/testdata/human`, `scripts/setup.sh test`): both engines'
//! speaker trials ([`speaker_trials`], each input as enrollment makes it), clean, with white
//! noise at 20 and 10 dB and with talk behind at 20 dB (three espeak-ng voices, as
//! `voice_eval`); their normalised (S-norm) scores weighted `w` and `1 − w`. Prints, per
//! weight, the false rejects of 87 at one threshold for all conditions (the highest of their
//! 1% false-accept points).
//!
//! `cargo run --release -p certify-voice --example speaker_fusion` (README, "Voice
//! calibration").
use certify_voice::conditions::{add_noise_looped, white_at};
use certify_voice::enhance::SpeakerInput;
use certify_voice::eval::{Band, HUMAN_WORDS_PER_RECORDING, Scoring, at_one_threshold, speaker_trials};
use certify_voice::{VoiceEngine, VoiceEngineConfig};

type Channel = Box<dyn Fn(&[f32]) -> Vec<f32>>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let engine = VoiceEngine::load(VoiceEngineConfig::new(root.join("models")))?;
    let human = root.join(".deps/testdata/human");
    let espeak = root.join(".deps/testdata/voice");
    let talk = certify_voice::eval::espeak_talk(&espeak);
    let conditions: Vec<(&str, Channel)> = vec![
        ("clean", Box::new(|x: &[f32]| x.to_vec())),
        ("white 20", Box::new(|x: &[f32]| white_at(x, 20.0))),
        ("white 10", Box::new(|x: &[f32]| white_at(x, 10.0))),
        ("talk 20", Box::new(move |x: &[f32]| add_noise_looped(x, &talk, 20.0))),
    ];
    // Per condition, (CAM++, GE2E) normalised scores, (genuine, impostor), trial by trial.
    let mut scores = Vec::new();
    for (_, channel) in &conditions {
        let of = |input| {
            speaker_trials(
                &engine,
                &human,
                HUMAN_WORDS_PER_RECORDING,
                channel.as_ref(),
                Band::Wide,
                input,
            )
        };
        let (campplus, ge2e) = (of(SpeakerInput::AsHeard)?, of(SpeakerInput::WordsOnly)?);
        let (cg, ci) = campplus.scores(Scoring::Normalized);
        let (gg, gi) = ge2e.scores(Scoring::Normalized);
        scores.push(((cg.to_vec(), ci.to_vec()), (gg.to_vec(), gi.to_vec())));
    }
    for w in [1.0f32, 0.8, 0.7, 0.6, 0.5, 0.0] {
        let mix = |a: &[f32], b: &[f32]| -> Vec<f32> { a.iter().zip(b).map(|(x, y)| w * x + (1.0 - w) * y).collect() };
        let fused: Vec<(Vec<f32>, Vec<f32>)> = scores
            .iter()
            .map(|((cg, ci), (gg, gi))| (mix(cg, gg), mix(ci, gi)))
            .collect();
        let (threshold, counts) = at_one_threshold(&fused);
        let line: Vec<String> = conditions
            .iter()
            .zip(fused.iter().zip(counts))
            .map(|((name, _), ((g, i), (fr, fa)))| format!("{name}: FR {fr}/{} FA {fa}/{}", g.len(), i.len()))
            .collect();
        println!(
            "CAM++ {w:.1} + GE2E {:.1} at {threshold:.3}: {}",
            1.0 - w,
            line.join(" | ")
        );
    }
    Ok(())
}
