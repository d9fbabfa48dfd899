//! Speaker embedding with GE2E (Resemblyzer): the utterance's volume raised to −30 dBFS,
//! 40-bin power mels, 160-frame windows every 77 frames through the LSTM, window
//! embeddings averaged and L2-normalised. Compared by cosine similarity.

use crate::features::{ge2e_mel, normalize_volume, partial_slices};
use certify_onnx::{Model, ModelSpec, RuntimeError};
use serde::{Deserialize, Serialize};

/// GE2E speaker encoder (PyPI Resemblyzer 0.1.4 pretrained.pt, converted to ONNX).
pub const GE2E: ModelSpec = ModelSpec {
    file: "resemblyzer_ge2e.onnx",
    sha256: "6478e2ce0b216c9e1e91f476f1573c31fa3e28bea537e0b74a876e4cbc35e8cb",
    inputs: &[("mels", &[-1, -1, 40])],
    outputs: &[("embedding", &[-1, 256])],
};

/// A unit-length speaker embedding: 256 values from GE2E, 192 from CAM++
/// ([`crate::campplus`]). Only embeddings of one kind are compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeakerEmbedding(pub Vec<f32>);

impl SpeakerEmbedding {
    /// `v` scaled to unit length.
    pub fn normalized(v: Vec<f32>) -> Self {
        SpeakerEmbedding(l2(v))
    }

    /// Cosine similarity (both are unit length; 0 when they are of different kinds).
    pub fn similarity(&self, other: &SpeakerEmbedding) -> f32 {
        if self.0.len() != other.0.len() {
            return 0.0;
        }
        self.0.iter().zip(&other.0).map(|(a, b)| a * b).sum()
    }

    /// The normalised mean of several embeddings.
    pub fn mean(all: &[SpeakerEmbedding]) -> Option<SpeakerEmbedding> {
        let first = all.first()?;
        let mut acc = vec![0f32; first.0.len()];
        for e in all {
            for (a, v) in acc.iter_mut().zip(&e.0) {
                *a += v;
            }
        }
        Some(SpeakerEmbedding(l2(acc)))
    }
}

fn l2(v: Vec<f32>) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.into_iter().map(|x| x / n).collect()
}

/// The GE2E encoder.
#[derive(Debug)]
pub struct SpeakerEncoder {
    model: Model,
}

impl SpeakerEncoder {
    /// Wrap the loaded model.
    pub fn new(model: Model) -> Self {
        Self { model }
    }

    /// The embedding of an utterance (16 kHz samples).
    pub fn embed(&self, x: &[f32]) -> Result<SpeakerEmbedding, RuntimeError> {
        let mut wav = normalize_volume(x, -30.0);
        let slices = partial_slices(wav.len());
        // Like Resemblyzer: zero-pad the waveform to cover the last window.
        let needed = slices.last().map_or(0, |s| s.1 * 160);
        if needed >= wav.len() {
            wav.resize(needed, 0.0);
        }
        let mel = ge2e_mel(&wav);
        let mut batch = Vec::with_capacity(slices.len() * 160 * 40);
        for &(start, end) in &slices {
            for t in start..end {
                match mel.get(t) {
                    Some(f) => batch.extend_from_slice(f),
                    None => batch.extend(std::iter::repeat_n(0.0, 40)),
                }
            }
        }
        let out = self.model.run_f32(&[slices.len(), 160, 40], &batch)?;
        let data = &out[0].1;
        let mut mean = vec![0f32; 256];
        for row in data.chunks_exact(256) {
            for (m, v) in mean.iter_mut().zip(row) {
                *m += v / slices.len() as f32;
            }
        }
        Ok(SpeakerEmbedding(l2(mean)))
    }
}
