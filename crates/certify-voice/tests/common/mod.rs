//! Shared engine and recordings (made by scripts/setup.sh: espeak-ng, sox, Debian speech).
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::expect_used)]

pub use certify_voice::eval::seeded;
use certify_voice::{Audio, VoiceEngine, VoiceEngineConfig, VoiceTemplate};
use std::path::PathBuf;
use std::sync::OnceLock;

pub const ENROLL: [&str; 5] = ["01234567", "89012345", "67890123", "45678901", "23456789"];
pub const TEST: [&str; 3] = ["73920581", "16480257", "50374916"];

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn engine() -> &'static VoiceEngine {
    static E: OnceLock<VoiceEngine> = OnceLock::new();
    E.get_or_init(|| {
        let mut c = VoiceEngineConfig::new(root().join("models"));
        c.runtime_library = Some(root().join(".deps/onnxruntime/libonnxruntime.so"));
        VoiceEngine::load(c).expect("voice engine: run scripts/setup.sh")
    })
}

pub fn wav(name: &str) -> Audio {
    let p = root().join(".deps/testdata/voice").join(name);
    Audio::from_wav(&std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e} (run scripts/setup.sh)", p.display())))
        .unwrap()
}

pub fn enroll(speaker: &str) -> VoiceTemplate {
    let recs: Vec<(Audio, String)> = (0..5)
        .map(|i| (wav(&format!("{speaker}_enroll{i}.wav")), ENROLL[i].to_string()))
        .collect();
    let e = engine().enroll(&recs, &mut seeded(speaker)).unwrap();
    e.template.unwrap_or_else(|| panic!("{speaker}: {:?}", e.reports))
}
