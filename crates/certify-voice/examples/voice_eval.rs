//! EER and false accept / false reject at the configured thresholds over a folder of WAVs
//! with a manifest (default: the espeak-ng set made by scripts/setup.sh):
//! `cargo run --release -p certify-voice --example voice_eval [DIR]`; with `--real-speech`
//! only the speaker trials on the real-speech set (`.deps/testdata/human`), for
//! [`SpeakerInput::AsHeard`] (or `--real-speech words_only` for the GE2E templates before it).
#![allow(missing_docs)]

use certify_voice::conditions::{add_noise_looped, telephone, white_at};
use certify_voice::enhance::SpeakerInput;
use certify_voice::eval::{Band, HUMAN_WORDS_PER_RECORDING, Scoring, eer, evaluate, one_percent_point, speaker_trials};
use certify_voice::resample::resample;
use certify_voice::{VoiceEngine, VoiceEngineConfig};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    if std::env::args().nth(1).as_deref() == Some("--real-speech") {
        let input = match std::env::args().nth(2).as_deref() {
            Some("words_only") => SpeakerInput::WordsOnly,
            _ => SpeakerInput::AsHeard,
        };
        let engine = VoiceEngine::load(VoiceEngineConfig::new(root.join("models")))?;
        let espeak = root.join(".deps/testdata/voice");
        return real_speech(&engine, &espeak, &root.join(".deps/testdata/human"), input);
    }
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".deps/testdata/voice"));
    let engine = VoiceEngine::load(VoiceEngineConfig::new(root.join("models")))?;
    let t0 = std::time::Instant::now();
    let ev = evaluate(&engine, &dir)?;
    let thr = engine.config().speaker_threshold;
    let stats = |v: &[f32]| {
        let (mn, mx) = v.iter().fold((f32::MAX, f32::MIN), |a, &x| (a.0.min(x), a.1.max(x)));
        format!("n={} min {mn:.3} max {mx:.3}", v.len())
    };
    println!("speakers enrolled {} (failed {})", ev.enrolled, ev.enrollment_failed);
    println!(
        "speaker similarity genuine {} | noisy genuine {} | impostor {}",
        stats(&ev.genuine),
        stats(&ev.genuine_noisy),
        stats(&ev.impostor)
    );
    let (t, e) = eer(&ev.genuine, &ev.impostor);
    println!("speaker EER {:.2}% at similarity {t:.3}", e * 100.0);
    let fa = ev.impostor.iter().filter(|s| **s >= thr).count();
    let fr = ev.genuine.iter().filter(|s| **s < thr).count();
    println!(
        "at threshold {thr:.3}: speaker false accepts {fa}/{}, false rejects {fr}/{}",
        ev.impostor.len(),
        ev.genuine.len()
    );
    println!(
        "digits right {}/{} ({:.1}%)",
        ev.digits_right,
        ev.digits_total,
        100.0 * ev.digits_right as f64 / ev.digits_total.max(1) as f64
    );
    println!(
        "full decision: genuine passed {}/{}, impostors passed {}/{}, replays passed {}/{}, bad recordings passed {}/{}",
        ev.genuine_passed,
        ev.genuine_trials,
        ev.impostor_passed,
        ev.impostor.len(),
        ev.replays_passed,
        ev.replays,
        ev.bad_passed,
        ev.bad
    );
    println!("conditions (genuine: should pass; attack: should be refused):");
    for o in certify_voice::trials::evaluate_conditions(&engine, &dir)? {
        println!(
            "  {:<32} {:<7} passed {:>3}/{:<3} waveform copy {} fingerprint BER {} refused for {:?}",
            o.condition,
            if o.attack { "attack" } else { "genuine" },
            o.passed,
            o.trials,
            o.waveform_copy.map_or("-".into(), |(a, b)| format!("{a:.2}–{b:.2}")),
            o.fingerprint_ber.map_or("-".into(), |(a, b)| format!("{a:.2}–{b:.2}")),
            o.refused_for
        );
    }
    let human = root.join(".deps/testdata/human");
    if std::env::args().nth(1).is_none() && human.join("manifest.tsv").exists() {
        real_speech(&engine, &dir, &human, SpeakerInput::AsHeard)?;
    }
    println!("({:.1} s)", t0.elapsed().as_secs_f64());
    Ok(())
}

/// Real speech (Debian klettres/ktuberling), speaker only, through the engine's own steps:
/// clean, through the telephone band, and with noise or talk added to the test recordings,
/// each scored by the cosine and normalised against the other speakers.
fn real_speech(
    engine: &VoiceEngine,
    espeak: &std::path::Path,
    human: &std::path::Path,
    input: SpeakerInput,
) -> Result<(), Box<dyn std::error::Error>> {
    let cfg = engine.config();
    // Talk: three espeak-ng recordings of other voices, mixed.
    let talk = certify_voice::eval::espeak_talk(espeak);
    let white = |snr: f32| move |x: &[f32]| white_at(x, snr);
    let behind = |snr: f32| {
        let talk = &talk;
        move |x: &[f32]| add_noise_looped(x, talk, snr)
    };
    type Channel<'a> = Box<dyn Fn(&[f32]) -> Vec<f32> + 'a>;
    let conditions: Vec<(&str, Band, Channel)> = vec![
        ("clean", Band::Wide, Box::new(|x: &[f32]| x.to_vec())),
        (
            "telephone band",
            Band::Narrow,
            Box::new(|x: &[f32]| resample(&telephone(x), 8_000, 16_000)),
        ),
        ("white noise 30 dB", Band::Wide, Box::new(white(30.0))),
        ("white noise 20 dB", Band::Wide, Box::new(white(20.0))),
        ("white noise 10 dB", Band::Wide, Box::new(white(10.0))),
        ("talk behind 20 dB", Band::Wide, Box::new(behind(20.0))),
    ];
    for (name, band, channel) in &conditions {
        let trials = speaker_trials(engine, human, HUMAN_WORDS_PER_RECORDING, channel.as_ref(), *band, input)?;
        for scoring in [Scoring::Cosine, Scoring::Normalized] {
            let thr = match (scoring, band) {
                (Scoring::Cosine, Band::Wide) => cfg.speaker_threshold,
                (Scoring::Cosine, Band::Narrow) => cfg.speaker_threshold_narrowband,
                (Scoring::Normalized, Band::Wide) => cfg.speaker_threshold_normalized,
                (Scoring::Normalized, Band::Narrow) => cfg.speaker_threshold_normalized_narrowband,
            };
            let (g, i) = trials.scores(scoring);
            let fa = i.iter().filter(|s| **s >= thr).count();
            let fr = g.iter().filter(|s| **s < thr).count();
            let one_percent = one_percent_point(i);
            let fr_one = g.iter().filter(|s| **s < one_percent).count();
            if scoring == Scoring::Normalized {
                // The cosines of the genuine trials the normalised score accepts (the cohort
                // floor must not refuse them) and how many impostors' cosines reach the lowest.
                let (gc, ic) = trials.scores(Scoring::Cosine);
                let lowest = gc
                    .iter()
                    .zip(g)
                    .filter(|(_, z)| **z >= thr)
                    .map(|(c, _)| *c)
                    .fold(f32::MAX, f32::min);
                let mut sorted = ic.to_vec();
                sorted.sort_by(f32::total_cmp);
                println!(
                    "  lowest genuine cosine accepted {lowest:.3}; impostor cosines: median {:.3}, {} of {} reach it",
                    sorted[sorted.len() / 2],
                    ic.iter().filter(|c| **c >= lowest).count(),
                    ic.len()
                );
            }
            println!(
                "real speech, {name:<18} {:<10} EER {:>5.2}% | at {thr:.3}: false accepts {fa:>3}/{}, false rejects {fr:>2}/{} | for <= 1% false accepts: {one_percent:.3}, false rejects {fr_one}/{}",
                format!("{scoring:?}"),
                eer(g, i).1 * 100.0,
                i.len(),
                g.len(),
                g.len()
            );
        }
    }
    Ok(())
}
