//! Writes, for every recording of the real-speech set, what the engine's speaker embedding
//! is given and the recording as heard, so another speaker model can be measured beside
//! GE2E on the same input (`models/reference/second_speaker_model.py`; README, "Voice
//! calibration").
//!
//! `cargo run --release -p certify-voice --example speaker_input_dump -- MODELS SET OUT`
//!
//! `OUT/engine/<condition>/<file>`: the engine's input (prepared — denoised below its SNR
//! threshold — then the words only, [`SpeakerInput::WordsOnly`]); `OUT/heard/<condition>/<file>`:
//! the recording as heard in that condition. Conditions: `enroll` and `enroll_noisy` (the
//! copy with white noise 20 dB below the speech that enrollment also learns from; engine
//! input only) for enrollment recordings, `clean`, `white30`, `white20` and `white10` (white
//! noise at that SNR, the seeds `voice_eval` uses) for test recordings. 32-bit float WAV, 16 kHz.
use certify_voice::conditions::white_at;
use certify_voice::engine::noisy_copy;
use certify_voice::enhance::SpeakerInput;
use certify_voice::eval::{HUMAN_WORDS_PER_RECORDING, load, manifest};
use certify_voice::{Audio, VoiceEngine, VoiceEngineConfig};
use std::path::{Path, PathBuf};

/// Test conditions: name and white-noise SNR (none: as recorded).
const CONDITIONS: [(&str, Option<f32>); 4] = [
    ("clean", None),
    ("white30", Some(30.0)),
    ("white20", Some(20.0)),
    ("white10", Some(10.0)),
];

fn write(dir: PathBuf, file: &str, x: &[f32]) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(&dir)?;
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(dir.join(file), spec)?;
    for s in x {
        w.write_sample(*s)?;
    }
    w.finalize()?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [models, set, out] = args.as_slice() else {
        return Err("usage: speaker_input_dump MODELS SET OUT".into());
    };
    let (set, out) = (Path::new(set), Path::new(out));
    let engine = VoiceEngine::load(VoiceEngineConfig::new(models))?;
    let words = HUMAN_WORDS_PER_RECORDING;
    for row in manifest(set)? {
        let audio = load(set, &row.file)?;
        if row.role == "enroll" {
            let x = engine.prepared(&audio, &engine.check(&audio, None)?);
            let noisy = noisy_copy(&x);
            write(
                out.join("engine/enroll"),
                &row.file,
                &SpeakerInput::WordsOnly.of(&x, words),
            )?;
            write(
                out.join("engine/enroll_noisy"),
                &row.file,
                &SpeakerInput::WordsOnly.of(&noisy, words),
            )?;
            write(out.join("heard/enroll"), &row.file, audio.samples())?;
            continue;
        }
        for (name, snr) in CONDITIONS {
            let s = audio.samples();
            let heard = match snr {
                None => s.to_vec(),
                Some(db) => white_at(s, db),
            };
            let probe = Audio::from_f32(&heard, 16_000)?;
            let x = engine.prepared(&probe, &engine.check(&probe, None)?);
            write(
                out.join("engine").join(name),
                &row.file,
                &SpeakerInput::WordsOnly.of(&x, words),
            )?;
            write(out.join("heard").join(name), &row.file, &heard)?;
        }
    }
    Ok(())
}
