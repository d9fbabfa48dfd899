//! Real rooms: noise, quiet voices, the telephone band — the genuine person passes where the
//! targets say, and every refusal says why and what to do, Chinese first, with the numbers.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;
use certify_voice::Audio;
use certify_voice::conditions::{NoiseSource, add_noise, at_level, telephone};
use certify_voice::refusal::Refusal;
use common::*;

const SPEAKERS: [&str; 3] = ["cmn_m1", "cmn_f3", "cmn_grandpa"];

/// Other people talking: the set's test recordings `(speaker, test index)` summed.
fn talk_of(readings: &[(&str, usize)]) -> Vec<f32> {
    let talk: Vec<Vec<f32>> = readings
        .iter()
        .map(|(s, k)| wav(&format!("{s}_test{k}.wav")).samples().to_vec())
        .collect();
    certify_voice::conditions::babble(&talk.iter().map(Vec::as_slice).collect::<Vec<_>>())
}

fn attempts(condition: impl Fn(&[f32], u64) -> (Vec<f32>, u32)) -> (usize, usize, Vec<String>) {
    let (mut passed, mut total, mut advice) = (0, 0, Vec::new());
    for speaker in SPEAKERS {
        let t = enroll(speaker);
        for (i, prompt) in TEST.iter().enumerate() {
            let x = wav(&format!("{speaker}_test{i}.wav"));
            let (y, rate) = condition(x.samples(), i as u64 + 1);
            let d = engine()
                .verify(&t, &Audio::from_f32(&y, rate).unwrap(), prompt)
                .unwrap();
            total += 1;
            passed += usize::from(d.passed());
            assert_eq!(d.passed(), d.refusals().is_empty(), "{d:?}");
            assert_eq!(d.advice_zh().len(), d.refusals().len());
            advice.extend(d.advice_zh());
        }
    }
    (passed, total, advice)
}

#[test]
fn white_noise_at_20_db_still_passes() {
    let (passed, total, advice) =
        attempts(|x, seed| (add_noise(x, &NoiseSource::new(seed).white(x.len()), 20.0), 16_000));
    assert!(passed as f64 >= 0.9 * total as f64, "{passed}/{total}: {advice:?}");
}

#[test]
fn the_telephone_band_and_a_quiet_voice_still_pass() {
    let (passed, total, advice) = attempts(|x, _| (telephone(x), 8_000));
    assert!(
        passed as f64 >= 0.9 * total as f64,
        "telephone {passed}/{total}: {advice:?}"
    );
    let (passed, total, advice) = attempts(|x, _| (at_level(x, -38.0), 16_000));
    assert_eq!(passed, total, "quiet: {advice:?}");
}

#[test]
fn too_much_noise_is_refused_with_the_measured_snr_and_what_to_do() {
    let (passed, _, advice) = attempts(|x, seed| (add_noise(x, &NoiseSource::new(seed).white(x.len()), 5.0), 16_000));
    assert_eq!(passed, 0);
    for a in &advice {
        assert!(
            a.starts_with("周围太吵（说话声只比噪声高 ") && a.contains("分贝") && a.contains("安静"),
            "{a}"
        );
    }
}

#[test]
fn wrong_digits_name_the_positions_and_a_splice_is_told_only_to_read_live() {
    let t = enroll("cmn_m1");
    // Test recording 1 read "16480257"; the prompt was "73920581".
    let d = engine().verify(&t, &wav("cmn_m1_test1.wav"), TEST[0]).unwrap();
    let refusals = d.refusals();
    let Some(Refusal::DigitsNotHeard { positions, words: 8 }) = refusals.first() else {
        panic!("{refusals:?}");
    };
    assert!(positions.len() >= 2);
    assert!(
        d.advice_zh()[0].starts_with('第') && d.advice_zh()[0].contains("位数字没有听清"),
        "{:?}",
        d.advice_zh()
    );
    // An enrollment recording replayed against its own prompt: old prompt → "not live".
    let d = engine().verify(&t, &wav("cmn_m1_enroll0.wav"), ENROLL[0]).unwrap();
    assert_eq!(d.refusals(), vec![Refusal::NotLive], "{d:?}");
    assert!(d.advice_zh()[0].contains("现场朗读"));
}

#[test]
fn talk_behind_the_reader_at_20_db_is_not_taken_for_another_speaker() {
    // Three other people reading, 20 dB below the pensioner (a room with family talking):
    // their voices fill the pauses, and the speaker check must still hear the pensioner.
    let talk = talk_of(&[("cmn_f1", 0), ("cmn_m3", 0), ("cmn_grandma", 0)]);
    let mut scores = Vec::new();
    for speaker in SPEAKERS {
        let t = enroll(speaker);
        for (i, prompt) in TEST.iter().enumerate() {
            let x = wav(&format!("{speaker}_test{i}.wav"));
            let y = add_noise(x.samples(), &talk, 20.0);
            let d = engine()
                .verify(&t, &Audio::from_f32(&y, 16_000).unwrap(), prompt)
                .unwrap();
            // Only the reader's words reach the speaker embedding (the pauses, where the
            // talk is heard alone, are cut out), and every reading stays the same speaker at
            // the cosine threshold calibrated on real speech.
            assert!(
                d.same_speaker,
                "{speaker} test{i}: speaker score {} under talk (threshold {})",
                d.speaker_score,
                engine().config().speaker_threshold
            );
            scores.push(d.speaker_score);
        }
    }
    eprintln!("speaker scores under talk: {scores:?}");
}

#[test]
fn the_digits_are_heard_with_other_people_talking_20_db_below() {
    // Other people reading behind the pensioner, 20 dB below, three at a time from five
    // others, a different three for each reading. Their talk runs into the pensioner's
    // words; the digits must still be heard (target: 90% of genuine attempts pass).
    let others = ["cmn_f1", "cmn_m3", "cmn_grandma", "cmn_m5", "cmn_klatt"];
    let (mut passed, mut total, mut refused) = (0, 0, Vec::new());
    for speaker in SPEAKERS {
        let t = enroll(speaker);
        for (i, prompt) in TEST.iter().enumerate() {
            let readings: Vec<(&str, usize)> = (0..3)
                .map(|j| (others[(total + j) % others.len()], (i + j) % TEST.len()))
                .collect();
            let talk = talk_of(&readings);
            let y = add_noise(wav(&format!("{speaker}_test{i}.wav")).samples(), &talk, 20.0);
            let d = engine()
                .verify(&t, &Audio::from_f32(&y, 16_000).unwrap(), prompt)
                .unwrap();
            total += 1;
            if d.passed() {
                passed += 1;
            } else {
                refused.push(format!(
                    "{speaker} {prompt} heard {}: {:?}",
                    d.digits.heard,
                    d.refusals()
                ));
            }
        }
    }
    assert!(passed as f64 >= 0.9 * total as f64, "{passed}/{total}: {refused:#?}");
    eprintln!("passed {passed}/{total}, refused: {refused:#?}");
}

#[test]
fn talk_that_runs_into_the_readers_words_does_not_change_the_digits_heard() {
    // Two readings of voice_eval's babble condition (its talkers for these trials) where the
    // other voices join the edges of words: the segments grow by up to 300 ms of talk and,
    // before each word was also read without its quiet edges, the digits heard were
    // 26480250 for 16480257 and 50374686 for 50374916.
    let trials = [
        ("cmn_m1", 1, [("cmn_m3", 1), ("cmn_m3", 2), ("cmn_m5", 0)]),
        ("cmn_f3", 2, [("cmn_klatt", 2), ("cmn_grandma", 0), ("cmn_grandma", 1)]),
    ];
    for (speaker, i, talkers) in trials {
        let talk = talk_of(&talkers);
        let y = add_noise(wav(&format!("{speaker}_test{i}.wav")).samples(), &talk, 20.0);
        let d = engine()
            .verify(&enroll(speaker), &Audio::from_f32(&y, 16_000).unwrap(), TEST[i])
            .unwrap();
        assert!(
            d.passed(),
            "{speaker} {}: heard {} {:?}",
            TEST[i],
            d.digits.heard,
            d.refusals()
        );
    }
}
