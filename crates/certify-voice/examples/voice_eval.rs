//! EER and false accept / false reject at the configured thresholds over a folder of WAVs
//! with a manifest (default: the espeak-ng set made by scripts/setup.sh):
//! `cargo run --release -p certify-voice --example voice_eval [DIR]`.
#![allow(missing_docs)]

use certify_voice::eval::{eer, evaluate};
use certify_voice::{VoiceEngine, VoiceEngineConfig};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
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
        "at threshold {thr:.2}: speaker false accepts {fa}/{}, false rejects {fr}/{}",
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
        let (g, i) = certify_voice::eval::evaluate_speakers(&engine, &human)?;
        let (t, e) = eer(&g, &i);
        let fa = i.iter().filter(|s| **s >= thr).count();
        let fr = g.iter().filter(|s| **s < thr).count();
        println!(
            "real speech (Debian klettres/ktuberling): genuine {} | impostor {}",
            stats(&g),
            stats(&i)
        );
        println!(
            "real speech EER {:.2}% at {t:.3}; at {thr:.2}: false accepts {fa}/{}, false rejects {fr}/{}",
            e * 100.0,
            i.len(),
            g.len()
        );
        for target in [0.01, 0.005] {
            let mut sorted = i.clone();
            sorted.sort_by(|a, b| b.total_cmp(a));
            let k = (target * sorted.len() as f64) as usize;
            let t = sorted.get(k).copied().unwrap_or(1.0) + 1e-6;
            let fr = g.iter().filter(|s| **s < t).count();
            println!(
                "  threshold for false accepts <= {:.1}%: {t:.3} (false rejects {fr}/{})",
                target * 100.0,
                g.len()
            );
        }
        let cfg = engine.config();
        let phone =
            |x: &[f32]| certify_voice::resample::resample(&certify_voice::conditions::telephone(x), 8_000, 16_000);
        type Channel<'a> = &'a dyn Fn(&[f32]) -> Vec<f32>;
        let bands: [(&str, Channel, f32); 2] = [
            ("wideband", &|x: &[f32]| x.to_vec(), cfg.speaker_threshold_normalized),
            ("telephone band", &phone, cfg.speaker_threshold_normalized_narrowband),
        ];
        for (band, channel, thr) in bands {
            let (g, i) = certify_voice::eval::evaluate_speakers_normalized_through(&engine, &human, channel)?;
            let (t, e) = eer(&g, &i);
            let fa = i.iter().filter(|s| **s >= thr).count();
            let fr = g.iter().filter(|s| **s < thr).count();
            println!(
                "real speech {band}, S-norm against the other speakers: EER {:.2}% at {t:.3}; at {thr:.2}: false accepts {fa}/{}, false rejects {fr}/{}",
                e * 100.0,
                i.len(),
                g.len()
            );
        }
    }
    println!("({:.1} s)", t0.elapsed().as_secs_f64());
    Ok(())
}
