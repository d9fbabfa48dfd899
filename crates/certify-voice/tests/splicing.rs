//! The splice attack: a relative holding the person's enrollment recordings cuts out the
//! digit words and joins them in the order of a new prompt, with gaps of the recordings' own
//! background. Same voice, right digits, fresh prompt — only the copied words give it away.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;
use certify_voice::Audio;
use certify_voice::conditions::{NoiseSource, add_noise, all_pass, splice, telephone};
use common::*;

fn enrollment_samples(speaker: &str) -> Vec<(Vec<f32>, &'static str)> {
    (0..5)
        .map(|i| (wav(&format!("{speaker}_enroll{i}.wav")).samples().to_vec(), ENROLL[i]))
        .collect()
}

#[test]
fn a_prompt_spliced_from_the_enrollment_recordings_is_refused() {
    for speaker in ["cmn_m1", "cmn_f3", "cmn_grandma"] {
        let template = enroll(speaker);
        let recs = enrollment_samples(speaker);
        let recs: Vec<(&[f32], &str)> = recs.iter().map(|(x, p)| (x.as_slice(), *p)).collect();
        for prompt in TEST {
            for gap_ms in [97, 180, 263] {
                let forged = splice(&recs, prompt, gap_ms).unwrap();
                for (how, audio) in [
                    ("16 kHz", Audio::from_f32(&forged, 16_000).unwrap()),
                    ("telephone", Audio::from_f32(&telephone(&forged), 8_000).unwrap()),
                ] {
                    let d = engine().verify(&template, &audio, prompt).unwrap();
                    // The splice is the person's own voice saying the prompt: only the copy check
                    // stops it (through the telephone band the speaker score may fail as well).
                    assert!(
                        d.same_speaker || how == "telephone",
                        "{speaker} {prompt} {gap_ms} ms {how}: {d:?}"
                    );
                    assert!(
                        d.digits.spliced && !d.passed(),
                        "{speaker} {prompt} {gap_ms} ms {how}: {d:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_splice_with_noise_added_or_its_phase_scrambled_is_refused() {
    // The hole before waveform sketches: white noise at 20 dB flipped enough fingerprint
    // bits that 18 of 24 such splices passed. The waveform correlation keeps them (≥ 0.995);
    // an all-pass filter shifts the phase and defeats the waveform comparison, and then the
    // fingerprint's reliable bits still hold.
    for speaker in ["cmn_m3", "cmn_f1", "cmn_grandpa"] {
        let template = enroll(speaker);
        let recs = enrollment_samples(speaker);
        let recs: Vec<(&[f32], &str)> = recs.iter().map(|(x, p)| (x.as_slice(), *p)).collect();
        for (k, prompt) in TEST.iter().enumerate() {
            let forged = splice(&recs, prompt, 140).unwrap();
            let hiss = NoiseSource::new(k as u64 + 11).white(forged.len());
            let noisy = add_noise(&forged, &hiss, 20.0);
            let d = engine()
                .verify(&template, &Audio::from_f32(&noisy, 16_000).unwrap(), prompt)
                .unwrap();
            assert!(d.report.issues.is_empty(), "{speaker} {prompt}: 20 dB is usable: {d:?}");
            // Each detector proves itself: the waveform one alone catches the noisy splice …
            assert!(
                d.digits.waveform_copy >= engine().config().copy_correlation,
                "{speaker} {prompt}: {d:?}"
            );
            assert!(d.digits.spliced && !d.passed(), "{speaker} {prompt}: {d:?}");
            let scrambled = add_noise(&all_pass(&forged), &hiss, 20.0);
            let d = engine()
                .verify(&template, &Audio::from_f32(&scrambled, 16_000).unwrap(), prompt)
                .unwrap();
            // … and the fingerprint's reliable bits alone catch the phase-scrambled one.
            assert!(
                d.digits.closest_copy <= engine().config().splice_ber,
                "{speaker} {prompt} all-pass: {d:?}"
            );
            assert!(d.digits.spliced && !d.passed(), "{speaker} {prompt} all-pass: {d:?}");
        }
    }
}

#[test]
fn new_recordings_of_the_same_words_are_not_taken_for_copies() {
    for speaker in [
        "cmn_m1",
        "cmn_m3",
        "cmn_m5",
        "cmn_f1",
        "cmn_f3",
        "cmn_klatt",
        "cmn_grandma",
        "cmn_grandpa",
    ] {
        let template = enroll(speaker);
        assert_eq!(
            template.word_prints.len(),
            40,
            "{speaker}: every enrolled word has a fingerprint"
        );
        assert_eq!(template.word_sketches.len(), 40, "{speaker}: and a waveform sketch");
        for (i, prompt) in TEST.iter().enumerate() {
            let d = engine()
                .verify(&template, &wav(&format!("{speaker}_test{i}.wav")), prompt)
                .unwrap();
            assert!(!d.digits.spliced && d.passed(), "{speaker} test{i}: {d:?}");
            assert!(d.digits.waveform_copy < 0.9, "{speaker} test{i}: {d:?}");
        }
    }
}

#[test]
fn templates_from_before_splice_detection_still_load() {
    let mut json = serde_json::to_value(enroll("cmn_m1")).unwrap();
    json.as_object_mut().unwrap().remove("word_prints");
    json.as_object_mut().unwrap().remove("word_sketches");
    let old: certify_voice::VoiceTemplate = serde_json::from_value(json).unwrap();
    assert!(old.word_prints.is_empty() && old.word_sketches.is_empty());
    let d = engine().verify(&old, &wav("cmn_m1_test0.wav"), TEST[0]).unwrap();
    assert_eq!(d.digits.closest_copy, 1.0);
    assert_eq!(d.digits.waveform_copy, 0.0);
    assert!(d.passed());
}
