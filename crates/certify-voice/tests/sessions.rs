//! One engine serves several threads at once: each model lends every caller a session of
//! its own (certify-onnx's pool), up to its limit, and the answers are those of one thread.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;
use certify_onnx::{Model, Runtime};
use certify_voice::vad::{SILERO_VAD, Vad};
use common::{TEST, engine, enroll, root, wav};

#[test]
fn threads_verifying_at_once_get_the_answers_of_one_thread() {
    let template = enroll("cmn_m1");
    let probes: Vec<_> = (0..3).map(|i| wav(&format!("cmn_m1_test{i}.wav"))).collect();
    let sequential: Vec<_> = probes
        .iter()
        .zip(TEST)
        .map(|(a, p)| engine().verify(&template, a, p).unwrap())
        .collect();
    let parallel: Vec<Vec<_>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    probes
                        .iter()
                        .zip(TEST)
                        .map(|(a, p)| engine().verify(&template, a, p).unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for run in parallel {
        assert_eq!(run, sequential);
    }
    assert!(sequential.iter().all(|d| d.passed()));
}

#[test]
fn a_model_never_holds_more_sessions_than_its_limit() {
    let rt = Runtime::load(Some(&root().join(".deps/onnxruntime/libonnxruntime.so"))).unwrap();
    let audio = wav("cmn_f1_test0.wav");
    for limit in [1, 2] {
        let vad = Vad::new(
            Model::load(&rt, &root().join("models"), SILERO_VAD)
                .unwrap()
                .limit_sessions(limit),
        );
        let alone = vad.probabilities(audio.samples()).unwrap();
        let results: Vec<_> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..4)
                .map(|_| s.spawn(|| vad.probabilities(audio.samples()).unwrap()))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(results.iter().all(|r| *r == alone));
        let created = vad.model().sessions_created();
        assert!((1..=limit).contains(&created), "limit {limit}: {created} sessions");
    }
}
