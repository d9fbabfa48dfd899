//! # certify-face
//!
//! The face engine of certify: decode images and camera frames, detect faces (BlazeFace),
//! 468 landmarks (FaceMesh), head pose and eye/mouth openness, quality checks with reasons a
//! person can act on, enrollment review of identity-card photos, per-frame measures for the
//! action-challenge liveness state machine of `certify-core`, and 1:1 matching with a
//! 128-D embedding (dlib ResNet via face-api). All models run through ONNX Runtime (`ort`,
//! loaded dynamically) and are verified at load. No image is kept after processing.

pub mod antispoof;
pub mod calibration;
pub mod calibration_set;
pub mod detect;
pub mod embed;
pub mod engine;
pub mod geometry;
pub mod image_io;
pub mod index;
pub mod liveness_run;
pub mod mesh;
pub mod quality;
pub mod review;
/// ONNX Runtime loading and verified models (the `certify-onnx` crate).
pub use certify_onnx as runtime;
pub mod testing;

pub use engine::{Comparison, EnrollmentReview, FaceEngine, FaceEngineConfig, FaceError};
pub use liveness_run::{CertificationDecision, LivenessRun};
pub use review::ReferencedReview;
