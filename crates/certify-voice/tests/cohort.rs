//! Verification with a cohort (certify_voice::cohort): the normalised score decides when a
//! cohort is given, in the probe's band; without one, or too small a one, the cosine does.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use certify_voice::cohort::SpeakerCohort;
use certify_voice::conditions::telephone;
use certify_voice::enhance::SpeakerInput;
use certify_voice::eval::HUMAN_WORDS_PER_RECORDING;
use certify_voice::refusal::Refusal;
use certify_voice::speaker::SpeakerEmbedding;
use certify_voice::{Audio, VoiceEngine, VoiceEngineConfig};
use common::*;
use std::sync::OnceLock;

/// The real speakers' mean embeddings (Debian klettres/ktuberling) as enrollment makes
/// them, wideband and through the telephone band: a cohort of other people for the espeak
/// voices.
fn human_cohort() -> &'static (Vec<SpeakerEmbedding>, Vec<SpeakerEmbedding>) {
    static C: OnceLock<(Vec<SpeakerEmbedding>, Vec<SpeakerEmbedding>)> = OnceLock::new();
    C.get_or_init(|| {
        let dir = root().join(".deps/testdata/human");
        let rows = certify_voice::eval::manifest(&dir).unwrap();
        let mut by_speaker: std::collections::BTreeMap<&str, (Vec<_>, Vec<_>)> = Default::default();
        for r in rows.iter().filter(|r| r.role == "enroll") {
            let a = Audio::from_wav(&std::fs::read(dir.join(&r.file)).unwrap()).unwrap();
            let report = engine().check(&a, None).unwrap();
            let (wide, narrow) = engine()
                .enrollment_embeddings(&a, &report, HUMAN_WORDS_PER_RECORDING, SpeakerInput::AsHeard)
                .unwrap();
            let e = by_speaker.entry(&r.speaker).or_default();
            e.0.extend(wide);
            e.1.push(narrow);
        }
        by_speaker
            .values()
            .map(|(w, n)| (SpeakerEmbedding::mean(w).unwrap(), SpeakerEmbedding::mean(n).unwrap()))
            .unzip()
    })
}

fn cohort() -> SpeakerCohort {
    let (wide, narrow) = human_cohort().clone();
    SpeakerCohort::from_embeddings(wide, narrow).unwrap()
}

#[test]
fn the_normalised_score_decides_in_the_probes_band() {
    let t = enroll("cmn_m1");
    let probe = wav("cmn_m1_test0.wav");
    let c = cohort();
    let d = engine().verify_with_cohort(&t, &probe, TEST[0], Some(&c)).unwrap();
    let z = d.speaker_normalized.expect("a cohort of 29");
    assert!(
        d.passed() && !d.narrowband && z >= engine().config().speaker_threshold_normalized,
        "{d:?}"
    );
    // The same recording arriving through the telephone band is normalised against the
    // narrowband members.
    let phone = Audio::from_f32(&telephone(probe.samples()), 8_000).unwrap();
    let d = engine().verify_with_cohort(&t, &phone, TEST[0], Some(&c)).unwrap();
    assert!(d.narrowband && d.speaker_normalized.is_some() && d.passed(), "{d:?}");
    // Without narrowband members a telephone probe is decided on the cosine.
    let wide_only = SpeakerCohort::from_embeddings(human_cohort().0.clone(), Vec::new()).unwrap();
    let d = engine()
        .verify_with_cohort(&t, &phone, TEST[0], Some(&wide_only))
        .unwrap();
    assert_eq!(d.speaker_normalized, None);
    assert_eq!(
        d.same_speaker,
        d.speaker_score >= engine().config().speaker_threshold_narrowband
    );
}

#[test]
fn with_a_cohort_the_normalised_threshold_is_the_one_applied() {
    // An engine whose normalised threshold no score reaches refuses the real speaker with a
    // cohort, for not being the same speaker, and accepts them without one.
    let mut config = VoiceEngineConfig::new(root().join("models"));
    config.runtime_library = Some(root().join(".deps/onnxruntime/libonnxruntime.so"));
    config.speaker_threshold_normalized = 100.0;
    let strict = VoiceEngine::load(config).unwrap();
    let t = enroll("cmn_f3");
    let probe = wav("cmn_f3_test1.wav");
    let with = strict.verify_with_cohort(&t, &probe, TEST[1], Some(&cohort())).unwrap();
    assert!(
        !with.passed() && with.refusals().contains(&Refusal::NotSameSpeaker),
        "{with:?}"
    );
    let without = strict.verify(&t, &probe, TEST[1]).unwrap();
    assert!(without.passed() && without.speaker_normalized.is_none(), "{without:?}");
}

#[test]
fn a_cohort_unlike_every_voice_does_not_let_a_stranger_through() {
    // 24 pseudo-random unit vectors: no voice resembles them, so their scores do not
    // spread and any voice stands out. A real speaker of another language claims cmn_m1.
    let members = certify_voice::eval::random_embeddings(24, 7);
    let random = SpeakerCohort::from_embeddings(members, Vec::new()).unwrap();
    let t = enroll("cmn_m1");
    let dir = root().join(".deps/testdata/human");
    let row = certify_voice::eval::manifest(&dir)
        .unwrap()
        .into_iter()
        .find(|r| r.role == "test")
        .unwrap();
    let stranger = Audio::from_wav(&std::fs::read(dir.join(&row.file)).unwrap()).unwrap();
    let d = engine()
        .verify_with_cohort(&t, &stranger, TEST[0], Some(&random))
        .unwrap();
    let z = d.speaker_normalized.unwrap();
    assert!(
        z >= engine().config().speaker_threshold_normalized && d.speaker_score < 0.7,
        "the construction: a stranger standing out (z {z}) at a low cosine ({})",
        d.speaker_score
    );
    assert!(!d.same_speaker, "{d:?}");
    // The genuine reader still passes against the same cohort.
    let d = engine()
        .verify_with_cohort(&t, &wav("cmn_m1_test0.wav"), TEST[0], Some(&random))
        .unwrap();
    assert!(d.same_speaker, "{d:?}");
}
