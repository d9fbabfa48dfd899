//! Face embedding: the face aligned to dlib's 150 px chip by a 5-point similarity
//! transform, then the dlib ResNet (face-api port) → 128-D vector compared by Euclidean
//! distance.

use crate::geometry::{Border, similarity, warp_affine};
use crate::mesh::Landmarks;
use crate::runtime::{Model, ModelSpec, RuntimeError};
use image::RgbImage;
use serde::{Deserialize, Serialize};

/// face-api FaceRecognitionNet (npm @vladmandic/face-api 1.7.15; dlib ResNet-29, rebuilt as ONNX).
pub const FACE_EMBEDDING: ModelSpec = ModelSpec {
    file: "faceapi_recognition_dlib128.onnx",
    sha256: "f35f6578a7ad61c3004d1438000da5f3581c5d7811ac96ac95f7405c389d5427",
    inputs: &[("input", &[-1, 150, 150, 3])],
    outputs: &[("embedding", &[-1, 128])],
};

/// The same model with static int8 weights and activations (QDQ, per-channel), made by
/// `models/reference/quantize_embedding.py`: an option, see the README's calibration.
pub const FACE_EMBEDDING_INT8: ModelSpec = ModelSpec {
    file: "faceapi_recognition_dlib128_int8.onnx",
    sha256: "0b0662da3f265688b0da15bc4ada4aab5bb86c4da3aaa7b04dd2f9b71d5dfbaf",
    inputs: &[("input", &[-1, 150, 150, 3])],
    outputs: &[("embedding", &[-1, 128])],
};

/// Side of the aligned chip.
pub const CHIP: usize = 150;

/// dlib's 150 px chip template (padding 0.25): image-left eye, image-right eye, nose tip,
/// image-left and image-right mouth corners.
pub const DLIB_TEMPLATE: [(f64, f64); 5] = [(47.8, 47.4), (100.2, 47.4), (74.0, 76.6), (50.4, 103.0), (97.6, 103.0)];

/// A face template: the 128-D embedding. Personal data: store it apart from identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaceTemplate {
    /// The embedding.
    pub embedding: Vec<f32>,
}

impl FaceTemplate {
    /// Euclidean distance to another template (same person below about 0.5–0.6).
    pub fn distance(&self, other: &FaceTemplate) -> f32 {
        self.embedding
            .iter()
            .zip(&other.embedding)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f32>()
            .sqrt()
    }

    /// The mean of several templates (enrollment from more than one photo).
    pub fn mean(templates: &[FaceTemplate]) -> Option<FaceTemplate> {
        let first = templates.first()?;
        let mut acc = vec![0f32; first.embedding.len()];
        for t in templates {
            for (a, v) in acc.iter_mut().zip(&t.embedding) {
                *a += v / templates.len() as f32;
            }
        }
        Some(FaceTemplate { embedding: acc })
    }
}

/// The embedding model.
#[derive(Debug)]
pub struct Embedder {
    model: Model,
}

impl Embedder {
    /// Wrap the loaded model.
    pub fn new(model: Model) -> Self {
        Self { model }
    }

    /// The aligned 150×150 chip (RGB floats 0..255) of the face with these landmarks.
    pub fn chip(img: &RgbImage, lm: &Landmarks) -> Vec<f32> {
        let m = similarity(&lm.five_points(), &DLIB_TEMPLATE);
        warp_affine(img, &m, CHIP, CHIP, Border::Replicate)
    }

    /// The templates of aligned chips kept as bytes (see [`Embedder::chip`]), in one
    /// batched run.
    pub fn embed_chips(&self, chips: &[Vec<u8>]) -> Result<Vec<FaceTemplate>, RuntimeError> {
        let per = CHIP * CHIP * 3;
        let chips: Vec<&Vec<u8>> = chips.iter().filter(|c| c.len() == per).collect();
        if chips.is_empty() {
            return Ok(Vec::new());
        }
        let data: Vec<f32> = chips.iter().flat_map(|c| c.iter().map(|v| f32::from(*v))).collect();
        let out = self.model.run_f32(&[chips.len(), CHIP, CHIP, 3], &data)?;
        let flat = out.into_iter().next().map(|o| o.1).unwrap_or_default();
        let dim = flat.len() / chips.len();
        Ok(flat
            .chunks_exact(dim.max(1))
            .map(|e| FaceTemplate { embedding: e.to_vec() })
            .collect())
    }

    /// The template of the face with these landmarks.
    pub fn embed(&self, img: &RgbImage, lm: &Landmarks) -> Result<FaceTemplate, RuntimeError> {
        let chip = Self::chip(img, lm);
        let out = self.model.run_f32(&[1, CHIP, CHIP, 3], &chip)?;
        Ok(FaceTemplate {
            embedding: out.into_iter().next().map(|o| o.1).unwrap_or_default(),
        })
    }
}
