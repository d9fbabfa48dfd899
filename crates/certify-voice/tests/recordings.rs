//! The voice engine on generated Mandarin digit recordings (espeak-ng voices) and real
//! human speech (Debian klettres-data / ktuberling-data).
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use certify_core::biometric::MatchDecision;
use certify_voice::conditions::{add_noise_looped, telephone, white_at};
use certify_voice::enhance::SpeakerInput;
use certify_voice::eval::{Band, HUMAN_WORDS_PER_RECORDING, Scoring, SpeakerTrials, speaker_trials};
use certify_voice::quality::VoiceIssue;
use certify_voice::refusal::Refusal;
use certify_voice::resample::resample;
use common::*;

#[test]
fn same_voice_with_the_prompted_digits_passes() {
    for spk in ["cmn_m1", "cmn_f3", "cmn_grandpa"] {
        let t = enroll(spk);
        for (i, prompt) in TEST.iter().enumerate() {
            let d = engine()
                .verify(&t, &wav(&format!("{spk}_test{i}.wav")), prompt)
                .unwrap();
            assert!(d.passed(), "{spk} test{i}: {d:?}");
            assert_eq!(d.decision(), MatchDecision::Match);
        }
    }
}

#[test]
fn a_different_voice_fails() {
    let t = enroll("cmn_m1");
    let d = engine().verify(&t, &wav("cmn_f3_test0.wav"), TEST[0]).unwrap();
    assert!(!d.same_speaker && !d.passed(), "{d:?}");
}

#[test]
fn the_wrong_digits_fail_even_in_the_right_voice() {
    let t = enroll("cmn_m1");
    // Test recording 1 read "16480257"; the prompt was "73920581".
    let d = engine().verify(&t, &wav("cmn_m1_test1.wav"), TEST[0]).unwrap();
    assert!(d.same_speaker, "{d:?}");
    assert!(!d.digits_ok && !d.passed(), "{d:?}");
}

#[test]
fn a_replayed_enrollment_recording_fails_a_new_prompt() {
    let t = enroll("cmn_m3");
    for (i, own_prompt) in ENROLL.iter().enumerate() {
        let d = engine()
            .verify(&t, &wav(&format!("cmn_m3_enroll{i}.wav")), TEST[0])
            .unwrap();
        assert!(d.same_speaker && !d.passed(), "enroll{i}: {d:?}");
        // Even against its own (enrollment) prompt it fails: prompts are never reused.
        let d = engine()
            .verify(&t, &wav(&format!("cmn_m3_enroll{i}.wav")), own_prompt)
            .unwrap();
        assert!(!d.passed(), "own prompt {i}: {d:?}");
    }
}

#[test]
fn silence_and_noise_fail_with_the_right_reason() {
    let t = enroll("cmn_f1");
    let silence = engine().verify(&t, &wav("silence.wav"), TEST[0]).unwrap();
    assert!(silence.report.issues.contains(&VoiceIssue::NoSpeech), "{silence:?}");
    assert!(!silence.passed());
    let noise = engine().verify(&t, &wav("noise.wav"), TEST[0]).unwrap();
    assert!(!noise.passed(), "{noise:?}");
    assert!(
        noise
            .report
            .issues
            .iter()
            .any(|i| matches!(i, VoiceIssue::NoSpeech | VoiceIssue::TooNoisy)),
        "{noise:?}"
    );
    let very_noisy = engine()
        .verify(&t, &wav("cmn_f1_test0_very_noisy.wav"), TEST[0])
        .unwrap();
    assert!(
        very_noisy.report.issues.contains(&VoiceIssue::TooNoisy),
        "{very_noisy:?}"
    );
    assert!(!very_noisy.passed());
}

#[test]
fn enrollment_re_prompts_a_bad_recording() {
    let mut recs: Vec<(certify_voice::Audio, String)> = (0..5)
        .map(|i| (wav(&format!("cmn_m5_enroll{i}.wav")), ENROLL[i].to_string()))
        .collect();
    recs[2] = (wav("silence.wav"), ENROLL[2].to_string());
    let e = engine().enroll(&recs, &mut seeded("cmn_m5")).unwrap();
    assert!(e.template.is_none());
    assert!(e.reports[2].issues.contains(&VoiceIssue::NoSpeech));
    assert!(e.reports.iter().enumerate().all(|(i, r)| i == 2 || r.issues.is_empty()));
    assert!(matches!(
        e.to_core("x"),
        certify_core::enrollment::AutomaticReview::Failed { .. }
    ));
    // A recording of the wrong prompt length (a test string read for an enrollment prompt
    // is fine in length but wrong in digits is caught at verification; here 8 words are
    // needed and a short recording gives fewer).
    let ok = engine()
        .enroll(
            &(0..5)
                .map(|i| (wav(&format!("cmn_m5_enroll{i}.wav")), ENROLL[i].to_string()))
                .collect::<Vec<_>>(),
            &mut seeded("cmn_m5"),
        )
        .unwrap();
    assert!(ok.template.is_some());
    let t = ok.template.unwrap();
    for d in 0..10u8 {
        assert!(t.digits.count(d) >= 3, "digit {d}: {}", t.digits.count(d));
    }
}

fn check_threshold(genuine: &[f32], impostor: &[f32], thr: f32, what: &str) {
    let fa = impostor.iter().filter(|s| **s >= thr).count();
    let fr = genuine.iter().filter(|s| **s < thr).count();
    println!(
        "{what} at {thr}: false accepts {fa}/{}, false rejects {fr}/{}",
        impostor.len(),
        genuine.len()
    );
    assert!(
        genuine.len() >= 60 && impostor.len() >= 1500,
        "{} {}",
        genuine.len(),
        impostor.len()
    );
    assert!(
        (fa as f64) <= 0.01 * impostor.len() as f64,
        "{what}: false accepts {fa}/{}",
        impostor.len()
    );
    assert!(
        (fr as f64) <= 0.15 * genuine.len() as f64,
        "{what}: false rejects {fr}/{}",
        genuine.len()
    );
}

/// Speaker trials on the real-speech set through the engine's own steps.
fn real_speech_trials(probe: &dyn Fn(&[f32]) -> Vec<f32>, band: Band) -> SpeakerTrials {
    let dir = root().join(".deps/testdata/human");
    speaker_trials(
        engine(),
        &dir,
        HUMAN_WORDS_PER_RECORDING,
        probe,
        band,
        SpeakerInput::AsHeard,
    )
    .unwrap()
}

fn refused(genuine: &[f32], threshold: f32) -> usize {
    genuine.iter().filter(|s| **s < threshold).count()
}

#[test]
fn speaker_thresholds_on_real_human_speech_in_both_bands() {
    // At every threshold no more than 1% of impostors pass (check_threshold). CAM++ given
    // the recording as heard refuses few real people by the cosine alone (wideband 4 of
    // 87, telephone band 5; GE2E given the words refused 8 and 14), and normalised against
    // the other speakers (certify_voice::cohort) 4 and 4 (8 and 10 before): at most 7% with
    // the cohort, 8% by the cosine (the target: 95% of real people accepted).
    let config = engine().config();
    let phone = |x: &[f32]| resample(&telephone(x), 8_000, 16_000);
    type Channel<'a> = &'a dyn Fn(&[f32]) -> Vec<f32>;
    let bands: [(&str, Channel, Band, f32, f32); 2] = [
        (
            "wideband",
            &|x: &[f32]| x.to_vec(),
            Band::Wide,
            config.speaker_threshold,
            config.speaker_threshold_normalized,
        ),
        (
            "telephone band",
            &phone,
            Band::Narrow,
            config.speaker_threshold_narrowband,
            config.speaker_threshold_normalized_narrowband,
        ),
    ];
    for (name, channel, band, raw_threshold, threshold) in bands {
        let trials = real_speech_trials(channel, band);
        let (raw_genuine, raw_impostor) = trials.scores(Scoring::Cosine);
        let fa = raw_impostor.iter().filter(|s| **s >= raw_threshold).count();
        println!(
            "{name} real speech, cosine at {raw_threshold}: false accepts {fa}/{}",
            raw_impostor.len()
        );
        assert!(
            fa as f64 <= 0.01 * raw_impostor.len() as f64,
            "{name}, cosine: {fa} impostors passed"
        );
        let (genuine, impostor) = trials.scores(Scoring::Normalized);
        check_threshold(genuine, impostor, threshold, &format!("{name} real speech, normalised"));
        let (with, without) = (refused(genuine, threshold), refused(raw_genuine, raw_threshold));
        println!("{name}: {with} real people refused with the cohort, {without} by the cosine");
        assert!(
            with as f64 <= 0.07 * genuine.len() as f64 && without as f64 <= 0.08 * genuine.len() as f64,
            "{name}: {with} real people refused with the cohort, {without} by the cosine"
        );
        if band == Band::Narrow {
            // Through the telephone band voices are more alike: the wideband threshold
            // would pass more than 1% of impostors.
            let wide = config.speaker_threshold;
            assert!(
                raw_impostor.iter().filter(|s| **s >= wide).count() as f64 > 0.01 * raw_impostor.len() as f64,
                "the wideband threshold would do: the narrowband one is not needed"
            );
        }
    }
}

#[test]
fn both_thresholds_hold_in_white_noise_at_20_db() {
    // Test recordings with white noise 20 dB below the speech (enrollment clean, the
    // template also learning from a noisy copy): no more than 1% of impostors pass by
    // either score, and no more than a tenth of real people are refused (the target: 90%
    // accepted at 20 dB; measured with CAM++ 4/87 normalised, 6/87 by the cosine; GE2E
    // given the words refused 15 and 15).
    let noisy = |x: &[f32]| white_at(x, 20.0);
    let trials = real_speech_trials(&noisy, Band::Wide);
    let config = engine().config();
    for (scoring, threshold, most_refused) in [
        (Scoring::Normalized, config.speaker_threshold_normalized, 0.1),
        (Scoring::Cosine, config.speaker_threshold, 0.1),
    ] {
        let (genuine, impostor) = trials.scores(scoring);
        let fa = impostor.iter().filter(|s| **s >= threshold).count();
        let fr = refused(genuine, threshold);
        println!("{scoring:?} at {threshold}: {fa} impostors passed, {fr} real people refused");
        assert!(
            fa as f64 <= 0.01 * impostor.len() as f64,
            "{scoring:?}: {fa} impostors passed"
        );
        assert!(
            fr as f64 <= most_refused * genuine.len() as f64,
            "{scoring:?}: {fr} real people refused"
        );
    }
}

#[test]
fn a_real_reader_refused_with_talk_behind_is_told_to_read_again_somewhere_quiet() {
    // Talk behind the reader at 20 dB (three espeak-ng voices) is the condition the speaker
    // score handles worst (README, "Voice calibration"): about one real reader in five is
    // refused. Too weak for a "too noisy" refusal, it still must not leave them with "the
    // voice does not match" alone: at least 90% of those refused are told that other sounds
    // were heard and to read again somewhere quiet (where 95% pass).
    let talk = certify_voice::eval::espeak_talk(&root().join(".deps/testdata/voice"));
    let behind = |x: &[f32]| add_noise_looped(x, &talk, 20.0);
    let trials = real_speech_trials(&behind, Band::Wide);
    let threshold = engine().config().speaker_threshold_normalized;
    let (genuine, _) = trials.scores(Scoring::Normalized);
    assert_eq!(genuine.len(), trials.genuine_quality().len());
    let advice: Vec<String> = genuine
        .iter()
        .zip(trials.genuine_quality())
        .filter(|(s, _)| **s < threshold)
        .map(|(_, q)| Refusal::NotSameSpeaker.advice_zh(q))
        .collect();
    let told = advice.iter().filter(|a| a.contains("安静处")).count();
    println!(
        "talk behind 20 dB: {} real readers refused, {told} told to read again somewhere quiet",
        advice.len()
    );
    assert!(
        !advice.is_empty(),
        "no real reader refused: the README's talk-behind row is out of date"
    );
    assert!(
        told as f64 >= 0.9 * advice.len() as f64,
        "{told} of {}: {advice:?}",
        advice.len()
    );
}

#[test]
fn a_passed_verification_becomes_verifiable_single_use_evidence() {
    use certify_core::biometric::Modality;
    use certify_core::evidence::{Challenge, EvidenceSigner, EvidenceVerifier, MemoryReplayGuard};
    use certify_core::id::ResidentId;
    use certify_core::time::Timestamp;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let t0 = Timestamp::from_unix_seconds(1_600_000_000);
    let subject = ResidentId::parse("11010519491231002X").unwrap();
    let ch = Challenge::issue(subject, Modality::Voice, t0, 120, &mut rng);
    let d = engine()
        .verify(&enroll("cmn_klatt"), &wav("cmn_klatt_test2.wav"), TEST[2])
        .unwrap();
    assert!(d.passed(), "{d:?}");
    let signer = EvidenceSigner::generate(&mut rng);
    let token = signer.sign(&d.claims(&ch, subject, t0.plus_seconds(5), 60));
    let verifier = EvidenceVerifier::from_public_key(signer.public_key()).unwrap();
    let mut guard = MemoryReplayGuard::default();
    let claims = verifier.verify(&token, &ch, t0.plus_seconds(6), &mut guard).unwrap();
    assert!(claims.passed() && claims.modality == Modality::Voice);
    assert!(verifier.verify(&token, &ch, t0.plus_seconds(7), &mut guard).is_err());
}
