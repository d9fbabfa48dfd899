//! Templates enrolled before the speaker embedding was given only the words
//! (`SpeakerInput::PausesTurnedDown`, stored without a `speaker_input` field) still verify
//! as they were calibrated: the probe embedded the same way, the cosine at its own
//! threshold, no cohort; and a cohort never takes them in. Templates of GE2E given only
//! the words (`SpeakerInput::WordsOnly`, before CAM++) verify at their own thresholds, with a
//! cohort of their own kind only.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use certify_voice::cohort::{CohortError, SpeakerCohort};
use certify_voice::engine::{
    PAUSES_TURNED_DOWN_SPEAKER_THRESHOLD, VoiceTemplate, WORDS_ONLY_COHORT_COSINE_FLOOR,
    WORDS_ONLY_NORMALIZED_THRESHOLD, WORDS_ONLY_SPEAKER_THRESHOLD,
};
use certify_voice::enhance::SpeakerInput;
use certify_voice::speaker::SpeakerEmbedding;
use common::*;

const OTHERS: [&str; 6] = ["cmn_f1", "cmn_f3", "cmn_grandma", "cmn_grandpa", "cmn_klatt", "cmn_m3"];

/// `speaker`'s template with its speaker embeddings made as enrollment made them for
/// `input`, stored as that enrollment stored it.
fn template_of(speaker: &str, input: SpeakerInput) -> VoiceTemplate {
    let now = enroll(speaker);
    let (mut wide, mut narrow) = (Vec::new(), Vec::new());
    for (i, prompt) in ENROLL.iter().enumerate() {
        let audio = wav(&format!("{speaker}_enroll{i}.wav"));
        let report = engine().check(&audio, Some(prompt)).unwrap();
        let (w, n) = engine()
            .enrollment_embeddings(&audio, &report, prompt.len(), input)
            .unwrap();
        wide.extend(w);
        narrow.push(n);
    }
    let mut json = serde_json::to_value(VoiceTemplate {
        speaker: SpeakerEmbedding::mean(&wide).unwrap(),
        speaker_narrowband: SpeakerEmbedding::mean(&narrow),
        speaker_input: input,
        ..now
    })
    .unwrap();
    if input == SpeakerInput::PausesTurnedDown {
        json.as_object_mut().unwrap().remove("speaker_input");
    }
    serde_json::from_value(json).unwrap()
}

/// `speaker`'s template as enrollment made it before: embeddings of the recordings with
/// the pauses turned down, JSON without `speaker_input`.
fn earlier_template(speaker: &str) -> VoiceTemplate {
    template_of(speaker, SpeakerInput::PausesTurnedDown)
}

#[test]
fn a_template_stored_before_is_read_as_the_earlier_input_and_a_new_one_records_its_own() {
    let now = serde_json::to_value(enroll("cmn_m1")).unwrap();
    assert_eq!(now["speaker_input"], "as_heard");
    assert_eq!(earlier_template("cmn_m1").speaker_input, SpeakerInput::PausesTurnedDown);
}

#[test]
fn an_earlier_template_is_verified_on_the_cosine_it_was_calibrated_for() {
    let earlier = earlier_template("cmn_m1");
    let cohort = SpeakerCohort::from_embeddings(certify_voice::eval::random_embeddings(30, 3), Vec::new()).unwrap();
    let mut between = 0;
    for speaker in std::iter::once("cmn_m1").chain(OTHERS) {
        let audio = wav(&format!("{speaker}_test0.wav"));
        let d = engine()
            .verify_with_cohort(&earlier, &audio, TEST[0], Some(&cohort))
            .unwrap();
        // The probe is embedded as the template was.
        let report = engine().check(&audio, None).unwrap();
        let probe = engine()
            .probe_embedding(&audio, &report, 8, SpeakerInput::PausesTurnedDown)
            .unwrap();
        assert!(
            (d.speaker_score - probe.similarity(&earlier.speaker)).abs() < 1e-5,
            "{speaker}: {d:?}"
        );
        // No cohort, and the earlier threshold, not today's lower one.
        assert_eq!(d.speaker_normalized, None, "{speaker}");
        assert_eq!(
            d.same_speaker,
            d.speaker_score >= PAUSES_TURNED_DOWN_SPEAKER_THRESHOLD,
            "{speaker}: {d:?}"
        );
        if speaker == "cmn_m1" {
            assert!(d.passed(), "{d:?}");
        }
        between += usize::from(
            d.speaker_score >= WORDS_ONLY_SPEAKER_THRESHOLD && d.speaker_score < PAUSES_TURNED_DOWN_SPEAKER_THRESHOLD,
        );
    }
    // The construction: some voice scores between the two thresholds, where today's
    // would have let it through.
    assert!(between > 0, "no score between the thresholds: the test shows nothing");
}

#[test]
fn a_cohort_leaves_earlier_templates_out() {
    let earlier = earlier_template("cmn_m1");
    let many = vec![earlier; 30];
    assert_eq!(
        SpeakerCohort::from_templates(&many),
        Err(CohortError::TooFew { have: 0, need: 20 })
    );
    let now: Vec<VoiceTemplate> = std::iter::repeat_n(enroll("cmn_m1"), 30).collect();
    assert_eq!(SpeakerCohort::from_templates(&now).unwrap().len().0, 30);
}

/// `n` pseudo-random unit vectors of GE2E's length (256): a cohort of that kind.
fn ge2e_like(n: usize) -> Vec<SpeakerEmbedding> {
    let a = certify_voice::eval::random_embeddings(n, 11);
    let b = certify_voice::eval::random_embeddings(n, 12);
    a.into_iter()
        .zip(b)
        .map(|(x, y)| SpeakerEmbedding::normalized(x.0.into_iter().chain(y.0.into_iter().take(64)).collect()))
        .collect()
}

#[test]
fn a_words_only_template_keeps_ge2e_and_its_own_thresholds() {
    let t = template_of("cmn_m1", SpeakerInput::WordsOnly);
    assert_eq!(t.speaker.0.len(), 256);
    assert_eq!(serde_json::to_value(&t).unwrap()["speaker_input"], "words_only");
    let campplus_cohort =
        SpeakerCohort::from_embeddings(certify_voice::eval::random_embeddings(30, 3), Vec::new()).unwrap();
    let ge2e_cohort = SpeakerCohort::from_embeddings(ge2e_like(30), Vec::new()).unwrap();
    let mut between = 0;
    for speaker in std::iter::once("cmn_m1").chain(OTHERS) {
        let audio = wav(&format!("{speaker}_test0.wav"));
        let report = engine().check(&audio, None).unwrap();
        let probe = engine()
            .probe_embedding(&audio, &report, 8, SpeakerInput::WordsOnly)
            .unwrap();
        // A cohort of CAM++ embeddings does not normalise a GE2E score: the cosine decides,
        // at the threshold GE2E was calibrated for.
        let d = engine()
            .verify_with_cohort(&t, &audio, TEST[0], Some(&campplus_cohort))
            .unwrap();
        assert!(
            (d.speaker_score - probe.similarity(&t.speaker)).abs() < 1e-5,
            "{speaker}: {d:?}"
        );
        assert_eq!(d.speaker_normalized, None, "{speaker}");
        assert_eq!(
            d.same_speaker,
            d.speaker_score >= WORDS_ONLY_SPEAKER_THRESHOLD,
            "{speaker}: {d:?}"
        );
        if speaker == "cmn_m1" {
            assert!(d.passed(), "{d:?}");
        }
        between += usize::from(
            d.speaker_score >= engine().config().speaker_threshold && d.speaker_score < WORDS_ONLY_SPEAKER_THRESHOLD,
        );
        // A cohort of its own kind does, at its own normalised threshold and floor.
        let d = engine()
            .verify_with_cohort(&t, &audio, TEST[0], Some(&ge2e_cohort))
            .unwrap();
        let z = d.speaker_normalized.expect("a GE2E cohort normalises a GE2E template");
        assert_eq!(
            d.same_speaker,
            z >= WORDS_ONLY_NORMALIZED_THRESHOLD && d.speaker_score >= WORDS_ONLY_COHORT_COSINE_FLOOR,
            "{speaker}: {d:?}"
        );
    }
    // The construction: some voice scores between today's cosine threshold and GE2E's,
    // where today's would have let it through.
    assert!(between > 0, "no score between the thresholds: the test shows nothing");
}

#[test]
fn a_template_whose_embedding_is_not_of_its_input_fails_closed() {
    // A GE2E embedding stored under the current input (a corrupted or hand-edited
    // template): the probe's CAM++ embedding cannot be compared with it, so nobody passes,
    // with or without a cohort, and nothing panics.
    let mut t = template_of("cmn_m1", SpeakerInput::WordsOnly);
    t.speaker_input = SpeakerInput::AsHeard;
    let cohort = SpeakerCohort::from_embeddings(certify_voice::eval::random_embeddings(30, 3), Vec::new()).unwrap();
    for c in [None, Some(&cohort)] {
        let d = engine()
            .verify_with_cohort(&t, &wav("cmn_m1_test0.wav"), TEST[0], c)
            .unwrap();
        assert!(!d.same_speaker && !d.passed() && d.speaker_score == 0.0, "{d:?}");
        assert_eq!(d.speaker_normalized, None);
    }
}
