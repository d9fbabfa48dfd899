//! What the engine's SNR estimate ([`VoiceQuality::snr_db`], which the quality advice and
//! the refusal advice read) says of the real-speech set's test recordings (`.deps/testdata/
//! human`, `scripts/setup.sh test`) clean, with white noise and with talk behind (three
//! espeak-ng voices) at known SNRs: minimum, 10th percentile, median, 90th percentile and
//! maximum per condition.
//!
//! `cargo run --release -p certify-voice --example snr_by_condition` (README, "Voice
//! calibration"; the basis of `refusal::BACKGROUND_HEARD_SNR_DB`).
//!
//! [`VoiceQuality::snr_db`]: certify_voice::quality::VoiceQuality::snr_db
use certify_voice::audio::Audio;
use certify_voice::conditions::{add_noise_looped, white_at};
use certify_voice::eval::{espeak_talk, load, manifest};
use certify_voice::{VoiceEngine, VoiceEngineConfig};

/// What the microphone hears, given the reading.
type Channel<'a> = Box<dyn Fn(&[f32]) -> Vec<f32> + 'a>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let engine = VoiceEngine::load(VoiceEngineConfig::new(root.join("models")))?;
    let human = root.join(".deps/testdata/human");
    let talk = espeak_talk(&root.join(".deps/testdata/voice"));
    let talk_at = |x: &[f32], snr: f32| add_noise_looped(x, &talk, snr);
    let conditions: [(&str, Channel); 6] = [
        ("clean", Box::new(|x: &[f32]| x.to_vec())),
        ("white 30", Box::new(|x: &[f32]| white_at(x, 30.0))),
        ("white 20", Box::new(|x: &[f32]| white_at(x, 20.0))),
        ("talk 30", Box::new(|x: &[f32]| talk_at(x, 30.0))),
        ("talk 25", Box::new(|x: &[f32]| talk_at(x, 25.0))),
        ("talk 20", Box::new(|x: &[f32]| talk_at(x, 20.0))),
    ];
    let rows = manifest(&human)?;
    for (name, channel) in &conditions {
        let mut snr = Vec::new();
        for r in rows.iter().filter(|r| r.role == "test") {
            let heard = channel(load(&human, &r.file)?.samples());
            snr.push(engine.check(&Audio::from_f32(&heard, 16_000)?, None)?.quality.snr_db);
        }
        snr.sort_by(f32::total_cmp);
        let n = snr.len();
        println!(
            "{name:<9} measured SNR: min {:.1}  p10 {:.1}  median {:.1}  p90 {:.1}  max {:.1} dB",
            snr[0],
            snr[n / 10],
            snr[n / 2],
            snr[n * 9 / 10],
            snr[n - 1]
        );
    }
    Ok(())
}
