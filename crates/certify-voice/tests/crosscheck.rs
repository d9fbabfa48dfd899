//! The Rust front-end against the numpy reference (models/reference/features.py, itself
//! checked against librosa, and its Kaldi filterbank against torchaudio) and the Python
//! onnxruntime embeddings (GE2E, CAM++) of the same signal.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use certify_voice::enhance::SpeakerModel;
use certify_voice::features::{ge2e_mel, mfcc, partial_slices};
use common::*;
use serde_json::Value;

/// The same synthetic signal as voice_fixtures.py: tones with a 3 Hz envelope + LCG noise.
fn signal(n: usize) -> Vec<f32> {
    let mut state: u64 = 12345;
    (0..n)
        .map(|i| {
            state = (state * 1_103_515_245 + 12_345) % (1 << 31);
            let noise = state as f64 / (1u64 << 31) as f64 - 0.5;
            let t = i as f64 / 16_000.0;
            let env = 0.5 + 0.5 * (2.0 * std::f64::consts::PI * 3.0 * t).sin();
            (0.3 * env * (2.0 * std::f64::consts::PI * 220.0 * t).sin()
                + 0.2 * env * (2.0 * std::f64::consts::PI * 1330.0 * t).sin()
                + 0.05 * noise) as f32
        })
        .collect()
}

fn rel_err(a: &[f32], b: &[f32]) -> f32 {
    let num: f32 = a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum();
    let den: f32 = b.iter().map(|y| y.abs()).sum::<f32>().max(1e-6);
    num / den
}

#[test]
fn features_and_embedding_match_the_python_reference() {
    let f: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("crates/certify-voice/tests/fixtures/features.json")).unwrap(),
    )
    .unwrap();
    let x = signal(f["n"].as_u64().unwrap() as usize);
    let vec = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap() as f32)
            .collect::<Vec<f32>>()
    };
    let mel = ge2e_mel(&x);
    assert_eq!(mel.len() as u64, f["mel_shape"][0].as_u64().unwrap());
    for (i, row) in f["mel_rows"].as_object().unwrap() {
        let e = rel_err(&mel[i.parse::<usize>().unwrap()], &vec(row));
        assert!(e < 1e-4, "mel row {i}: relative error {e}");
    }
    let m = mfcc(&x, 13);
    assert_eq!(m.len() as u64, f["mfcc_shape"][0].as_u64().unwrap());
    for (i, row) in f["mfcc_rows"].as_object().unwrap() {
        let r = vec(row);
        let worst = m[i.parse::<usize>().unwrap()]
            .iter()
            .zip(&r)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(worst < 1e-3, "mfcc row {i}: max abs error {worst}");
    }
    let slices: Vec<(usize, usize)> = f["slices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s[0].as_u64().unwrap() as usize, s[1].as_u64().unwrap() as usize))
        .collect();
    assert_eq!(partial_slices(x.len()), slices);
    let audio = certify_voice::Audio::from_f32(&x, 16_000).unwrap();
    let e = engine().embed_with(SpeakerModel::Ge2e, audio.samples()).unwrap();
    let sim = e.similarity(&certify_voice::speaker::SpeakerEmbedding(vec(&f["embedding"])));
    println!("embedding cosine to the Python reference: {sim:.6}");
    assert!(sim > 0.9999, "cosine {sim}");
}

fn fixture(name: &str) -> Value {
    let path = root().join("crates/certify-voice/tests/fixtures").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn values(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

#[test]
fn kaldi_filterbank_and_campplus_embedding_match_the_python_reference() {
    // campplus_fixtures.py: the numpy Kaldi fbank (within 3e-4 of torchaudio's) and the
    // ONNX CAM++ embedding (within 3e-6 of PyTorch's) of the same signal.
    let f = fixture("campplus.json");
    let x = signal(f["n"].as_u64().unwrap() as usize);
    let frames = certify_voice::fbank::fbank(&x);
    assert_eq!(frames.len() as u64, f["fbank_shape"][0].as_u64().unwrap());
    for (i, row) in f["fbank_rows"].as_object().unwrap() {
        let worst = frames[i.parse::<usize>().unwrap()]
            .iter()
            .zip(values(row))
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(worst < 1e-3, "fbank row {i}: max abs error {worst}");
    }
    let audio = certify_voice::Audio::from_f32(&x, 16_000).unwrap();
    let e = engine().speaker_embedding(&audio).unwrap();
    assert_eq!(e.0.len(), certify_voice::campplus::DIMENSION);
    let sim = e.similarity(&certify_voice::speaker::SpeakerEmbedding(values(&f["embedding"])));
    println!("CAM++ embedding cosine to the Python reference: {sim:.6}");
    assert!(sim > 0.9999, "cosine {sim}");
}
