//! # certify-voice
//!
//! The voiceprint engine of certify (声纹认证): audio input and resampling, features with
//! `rustfft` (Kaldi filterbanks, GE2E mels, MFCCs), voice activity (Silero VAD), recording
//! quality, speaker embedding (CAM++ via ONNX Runtime, [`campplus`]; GE2E, [`speaker`], for
//! templates enrolled before it), and a speaker-dependent check of the prompted digits
//! (DTW over the person's own enrollment words). Raw audio is not kept: templates hold
//! embeddings, MFCC word features, and fingerprints and random projections of the enrolled
//! words for splice detection ([`splice`], [`sketch`]).

pub mod audio;
pub mod campplus;
pub mod cohort;
pub mod conditions;
pub mod digits;
pub mod engine;
pub mod enhance;
pub mod enrollment;
pub mod eval;
pub mod fbank;
pub mod features;
pub mod quality;
pub mod refusal;
pub mod resample;
pub mod results;
pub mod sketch;
pub mod speaker;
pub mod splice;
pub mod trials;
pub mod vad;

pub use audio::{Audio, AudioError};
pub use engine::{VoiceDecision, VoiceEngine, VoiceEngineConfig, VoiceEnrollment, VoiceError, VoiceTemplate};
