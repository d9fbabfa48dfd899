//! Voice engine timings, one thread: verification of one utterance (VAD + quality +
//! features + speaker embedding + digit check) as a real-time factor, and enrollment of
//! five utterances; the same utterance arriving at 8 kHz (resampled by the phase table, and
//! by the direct filter it replaced); throughput of 1 and 2 threads on one engine.
//! `cargo bench -p certify-benches --bench voice` (needs scripts/setup.sh).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use certify_voice::enhance::SpeakerInput;
use certify_voice::eval::seeded;
use certify_voice::resample::{resample, resample_direct};
use certify_voice::speaker::SpeakerEmbedding;
use certify_voice::{Audio, VoiceEngine, VoiceEngineConfig};
use std::path::PathBuf;
use std::time::Instant;

const ENROLL: [&str; 5] = ["01234567", "89012345", "67890123", "45678901", "23456789"];

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let n = if std::env::args().any(|a| a == "--bench") {
        20
    } else {
        1
    };
    let e = VoiceEngine::load(VoiceEngineConfig::new(root.join("models"))).expect("engine");
    let wav = |name: &str| {
        Audio::from_wav(&std::fs::read(root.join(".deps/testdata/voice").join(name)).expect("run scripts/setup.sh"))
            .unwrap()
    };
    let recs: Vec<(Audio, String)> = (0..5)
        .map(|i| (wav(&format!("cmn_m1_enroll{i}.wav")), ENROLL[i].to_string()))
        .collect();
    let template = e.enroll(&recs, &mut seeded("cmn_m1")).unwrap().template.unwrap();
    let probe = wav("cmn_m1_test0.wav");
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let verify = median(
        (0..n)
            .map(|_| {
                let t = Instant::now();
                assert!(e.verify(&template, &probe, "73920581").unwrap().passed());
                t.elapsed().as_secs_f64()
            })
            .collect(),
    );
    // Side by side: the same verification with a cohort of 300 other voiceprints (random
    // unit vectors here: the cost does not depend on their values), alternating.
    let cohort = {
        let members = certify_voice::eval::random_embeddings(300, 7);
        certify_voice::cohort::SpeakerCohort::from_embeddings(members.clone(), members).unwrap()
    };
    let (mut plain, mut normalised) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let t = Instant::now();
        assert!(e.verify(&template, &probe, "73920581").unwrap().passed());
        plain.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let d = e
            .verify_with_cohort(&template, &probe, "73920581", Some(&cohort))
            .unwrap();
        assert!(d.passed() && d.speaker_normalized.is_some());
        normalised.push(t.elapsed().as_secs_f64());
    }
    // Side by side: CAM++ given the recording as heard (templates now) and GE2E given only
    // the words (templates enrolled before), alternating.
    let earlier = {
        let (mut wide, mut narrow) = (Vec::new(), Vec::new());
        for (audio, prompt) in &recs {
            let report = e.check(audio, Some(prompt)).unwrap();
            let (w, n) = e
                .enrollment_embeddings(audio, &report, prompt.len(), SpeakerInput::WordsOnly)
                .unwrap();
            wide.extend(w);
            narrow.push(n);
        }
        certify_voice::VoiceTemplate {
            speaker: SpeakerEmbedding::mean(&wide).unwrap(),
            speaker_narrowband: SpeakerEmbedding::mean(&narrow),
            speaker_input: SpeakerInput::WordsOnly,
            ..template.clone()
        }
    };
    let (mut campplus, mut ge2e) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let t = Instant::now();
        assert!(e.verify(&template, &probe, "73920581").unwrap().passed());
        campplus.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        assert!(e.verify(&earlier, &probe, "73920581").unwrap().passed());
        ge2e.push(t.elapsed().as_secs_f64());
    }
    println!(
        "voice verification, CAM++ as heard / GE2E given the words (alternating): {:.1} / {:.1} ms",
        median(campplus) * 1000.0,
        median(ge2e) * 1000.0
    );
    let probe_embedding = e.speaker_embedding(&probe).unwrap();
    let t = Instant::now();
    for _ in 0..1000 {
        std::hint::black_box(cohort.normalized_score(&probe_embedding, &template.speaker, false));
    }
    let score_alone = t.elapsed().as_secs_f64() / 1000.0;
    println!(
        "voice verification without / with a cohort of 300 (alternating): {:.1} / {:.1} ms; the normalised score alone {:.1} µs",
        median(plain) * 1000.0,
        median(normalised) * 1000.0,
        score_alone * 1e6
    );
    let embed = median(
        (0..n)
            .map(|_| {
                let t = Instant::now();
                e.speaker_embedding(&probe).unwrap();
                t.elapsed().as_secs_f64()
            })
            .collect(),
    );
    let fbank = median(
        (0..n)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(certify_voice::fbank::fbank(probe.samples()));
                t.elapsed().as_secs_f64()
            })
            .collect(),
    );
    let enroll = median(
        (0..n.min(5))
            .map(|_| {
                let t = Instant::now();
                e.enroll(&recs, &mut seeded("cmn_m1")).unwrap();
                t.elapsed().as_secs_f64()
            })
            .collect(),
    );
    let secs = probe.seconds() as f64;
    let total: f64 = recs.iter().map(|r| r.0.seconds() as f64).sum();
    println!(
        "voice verification of a {secs:.2} s utterance: {:.0} ms, real-time factor {:.3}",
        verify * 1000.0,
        verify / secs
    );
    println!(
        "voice speaker embedding alone: {:.0} ms (RTF {:.3}), of which the Kaldi filterbank {:.1} ms",
        embed * 1000.0,
        embed / secs,
        fbank * 1000.0
    );
    println!(
        "voice enrollment of 5 utterances ({total:.1} s of audio): {:.0} ms",
        enroll * 1000.0
    );

    // The same utterance as an 8 kHz phone recording: resampling to 16 kHz is part of it.
    let phone = resample(probe.samples(), 16_000, 8_000);
    let wide = probe.samples().to_vec();
    let timed = |f: &dyn Fn()| {
        median(
            (0..n)
                .map(|_| {
                    let t = Instant::now();
                    f();
                    t.elapsed().as_secs_f64()
                })
                .collect(),
        )
    };
    let at_16k = timed(&|| {
        e.verify(&template, &Audio::from_f32(&wide, 16_000).unwrap(), "73920581")
            .unwrap();
    });
    let at_8k = timed(&|| {
        e.verify(&template, &Audio::from_f32(&phone, 8_000).unwrap(), "73920581")
            .unwrap();
    });
    let table = timed(&|| {
        resample(&phone, 8_000, 16_000);
    });
    let direct = timed(&|| {
        resample_direct(&phone, 8_000, 16_000);
    });
    println!(
        "voice verification from samples: 16 kHz {:.1} ms, 8 kHz {:.1} ms ({:.2}x)",
        at_16k * 1000.0,
        at_8k * 1000.0,
        at_8k / at_16k
    );
    println!(
        "resampling {secs:.2} s from 8 to 16 kHz: phase table {:.2} ms, direct filter {:.2} ms",
        table * 1000.0,
        direct * 1000.0
    );
    // Throughput: 2·n verifications on one engine, by one thread and by two.
    let work = |k: usize| {
        for _ in 0..k {
            e.verify(&template, &probe, "73920581").unwrap();
        }
    };
    let t = Instant::now();
    work(2 * n);
    let one = t.elapsed().as_secs_f64();
    let t = Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| work(n));
        s.spawn(|| work(n));
    });
    let two = t.elapsed().as_secs_f64();
    println!(
        "{} verifications on one engine: 1 thread {:.0} ms, 2 threads {:.0} ms ({:.2}x faster)",
        2 * n,
        one * 1000.0,
        two * 1000.0,
        one / two
    );
}
