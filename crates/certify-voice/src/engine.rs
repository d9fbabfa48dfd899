//! The voice engine: models loaded once; recordings checked; five prompted recordings
//! enrolled into a template (speaker embedding + the person's labelled digit words);
//! certification = same speaker AND the newly prompted digits.

use crate::audio::Audio;
use crate::campplus::{CAMPPLUS, CamPlusEncoder};
use crate::cohort::{
    DEFAULT_COHORT_COSINE_FLOOR, DEFAULT_NORMALIZED_THRESHOLD, DEFAULT_NORMALIZED_THRESHOLD_NARROWBAND, SpeakerCohort,
};
use crate::conditions::{NoiseSource, add_noise, telephone};
use crate::digits::{recognise, words, words_for};
use crate::enhance::SpeakerModel;
use crate::enhance::{SpeakerInput, denoise, is_narrowband};
use crate::quality::{VoiceIssue, VoiceQualityConfig, assess};
use crate::resample::resample;
pub use crate::results::{RecordingReport, VoiceDecision, VoiceEnrollment, VoiceTemplate};
use crate::sketch::{DEFAULT_COPY_CORRELATION, closest_waveform_copy};
use crate::speaker::{GE2E, SpeakerEmbedding, SpeakerEncoder};
use crate::splice::{DEFAULT_SPLICE_BER, closest_copy};
use crate::vad::{SILERO_VAD, Vad};
use certify_core::voice::is_prompt;
use certify_onnx::{Model, Runtime, RuntimeError};
use std::borrow::Cow;
use std::path::PathBuf;

/// Cosine similarity at or above which two recordings are the same speaker without a
/// cohort, for templates enrolled now ([`SpeakerInput::AsHeard`], CAM++): ≤ 1% false
/// accepts on the real-speech set clean, with white noise at 30, 20 and 10 dB and with
/// talk behind at 20 dB (their 1% points 0.646, 0.659, 0.667, 0.669 and 0.626; the
/// highest, rounded up; README, "Voice calibration"; the test
/// `speaker_thresholds_on_real_human_speech_in_both_bands`).
pub const DEFAULT_SPEAKER_THRESHOLD: f32 = 0.68;
/// The same for telephone-band probes against the narrowband embedding (1% point 0.725;
/// at 0.73, 24 of 2,436 impostors passed, the limit itself).
pub const DEFAULT_NARROWBAND_SPEAKER_THRESHOLD: f32 = 0.74;
/// The cosine threshold for templates of GE2E given the words only
/// ([`SpeakerInput::WordsOnly`], enrolled 2026-12-01 to 2026-12-06), as it was calibrated
/// for them: the highest of the 1% points on the real-speech set clean, with white noise
/// at 30, 20 and 10 dB and talk behind at 20 dB (0.757 under talk), rounded up.
pub const WORDS_ONLY_SPEAKER_THRESHOLD: f32 = 0.76;
/// The same through the telephone band (1% point 0.781).
pub const WORDS_ONLY_NARROWBAND_SPEAKER_THRESHOLD: f32 = 0.79;
/// The normalised (S-norm) threshold for [`SpeakerInput::WordsOnly`] templates: the
/// highest 1% point, 2.099 at white 20 dB, with a margin for the few thousandths ONNX
/// Runtime's results move between builds.
pub const WORDS_ONLY_NORMALIZED_THRESHOLD: f32 = 2.12;
/// The same through the telephone band (1% point 2.130).
pub const WORDS_ONLY_NORMALIZED_THRESHOLD_NARROWBAND: f32 = 2.16;
/// The cosine a [`SpeakerInput::WordsOnly`] probe must still reach when a cohort decides
/// (every genuine reading the normalised score accepted had 0.70 or more).
pub const WORDS_ONLY_COHORT_COSINE_FLOOR: f32 = 0.65;
/// The cosine threshold for templates enrolled with the pauses turned down
/// ([`SpeakerInput::PausesTurnedDown`]), as it was calibrated for them (≤ 1% false accepts
/// on the real-speech set; 41 of 87 real readings refused).
pub const PAUSES_TURNED_DOWN_SPEAKER_THRESHOLD: f32 = 0.91;
/// The same through the telephone band.
pub const PAUSES_TURNED_DOWN_NARROWBAND_THRESHOLD: f32 = 0.92;
/// Signal-to-noise ratio (dB) below which recordings are denoised first (README, "Voice
/// calibration": at 20 dB white noise, 0/24 genuine attempts passed without it).
pub const DEFAULT_DENOISE_BELOW_SNR_DB: f32 = 35.0;
/// Digits of 8 that must be heard right.
pub const DEFAULT_MIN_DIGITS_CORRECT: usize = 7;

/// Why the engine could not do what was asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VoiceError {
    /// Runtime or model problem.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// The audio was refused.
    #[error(transparent)]
    Audio(#[from] crate::audio::AudioError),
    /// A prompt that is not 8 digits, or the wrong number of enrollment recordings.
    #[error("invalid request: {0}")]
    Invalid(String),
}

/// Engine configuration.
#[derive(Debug, Clone)]
pub struct VoiceEngineConfig {
    /// Directory holding the models.
    pub models_dir: PathBuf,
    /// The same models from memory (Android assets, an iOS bundle); takes precedence over
    /// `models_dir`. Checked as files are.
    pub model_bundle: Option<std::sync::Arc<certify_onnx::ModelBundle>>,
    /// ONNX Runtime library (`None`: `ORT_DYLIB_PATH`, then `.deps/onnxruntime`).
    pub runtime_library: Option<PathBuf>,
    /// Quality thresholds.
    pub quality: VoiceQualityConfig,
    /// Speaker similarity (cosine) threshold. This, the three below and the cohort floor
    /// apply to templates of the current input ([`SpeakerInput::AsHeard`]); earlier
    /// templates are decided at the thresholds they were calibrated for
    /// ([`WORDS_ONLY_SPEAKER_THRESHOLD`] and the `WORDS_ONLY_*` constants,
    /// [`PAUSES_TURNED_DOWN_SPEAKER_THRESHOLD`], [`PAUSES_TURNED_DOWN_NARROWBAND_THRESHOLD`]).
    pub speaker_threshold: f32,
    /// Speaker similarity threshold for telephone-band probes (against the template's
    /// narrowband embedding).
    pub speaker_threshold_narrowband: f32,
    /// Normalised score threshold when a [`SpeakerCohort`] is given (wideband probes).
    pub speaker_threshold_normalized: f32,
    /// The same for telephone-band probes.
    pub speaker_threshold_normalized_narrowband: f32,
    /// With a cohort, the cosine must also reach this (see
    /// [`crate::cohort::DEFAULT_COHORT_COSINE_FLOOR`]).
    pub speaker_floor_with_cohort: f32,
    /// Digits that must be right.
    pub min_digits_correct: usize,
    /// Fingerprint bit error rate at or below which a word is a copy of an enrolled one
    /// (see [`crate::splice`]).
    pub splice_ber: f32,
    /// Waveform correlation at or above which a word is a copy of an enrolled one (see
    /// [`crate::sketch`]).
    pub copy_correlation: f32,
    /// Below this measured signal-to-noise ratio (dB) the background noise is reduced
    /// ([`crate::enhance::denoise`]) before the speaker embedding and the digit check.
    pub denoise_below_snr_db: f32,
}

impl VoiceEngineConfig {
    /// Defaults with models from `models_dir`.
    pub fn new(models_dir: impl Into<PathBuf>) -> Self {
        Self {
            models_dir: models_dir.into(),
            model_bundle: None,
            runtime_library: None,
            quality: VoiceQualityConfig::default(),
            speaker_threshold: DEFAULT_SPEAKER_THRESHOLD,
            speaker_threshold_narrowband: DEFAULT_NARROWBAND_SPEAKER_THRESHOLD,
            speaker_threshold_normalized: DEFAULT_NORMALIZED_THRESHOLD,
            speaker_threshold_normalized_narrowband: DEFAULT_NORMALIZED_THRESHOLD_NARROWBAND,
            speaker_floor_with_cohort: DEFAULT_COHORT_COSINE_FLOOR,
            min_digits_correct: DEFAULT_MIN_DIGITS_CORRECT,
            splice_ber: DEFAULT_SPLICE_BER,
            copy_correlation: DEFAULT_COPY_CORRELATION,
            denoise_below_snr_db: DEFAULT_DENOISE_BELOW_SNR_DB,
        }
    }

    /// Defaults with models from memory.
    pub fn from_bundle(bundle: certify_onnx::ModelBundle) -> Self {
        let mut config = Self::new("");
        config.model_bundle = Some(std::sync::Arc::new(bundle));
        config
    }

    /// Where the models come from: the bundle if one is set, else `models_dir`.
    pub fn model_source(&self) -> certify_onnx::ModelSource {
        certify_onnx::ModelSource::of(self.model_bundle.as_ref(), &self.models_dir)
    }
}

/// The voice engine.
#[derive(Debug)]
pub struct VoiceEngine {
    vad: Vad,
    encoder: SpeakerEncoder,
    campplus: CamPlusEncoder,
    config: VoiceEngineConfig,
}

impl VoiceEngine {
    /// Load ONNX Runtime and the models (verified), once.
    pub fn load(config: VoiceEngineConfig) -> Result<Self, VoiceError> {
        let rt = Runtime::load(config.runtime_library.as_deref())?;
        let models = config.model_source();
        Ok(Self {
            vad: Vad::new(Model::load_from(&rt, &models, SILERO_VAD)?),
            encoder: SpeakerEncoder::new(Model::load_from(&rt, &models, GE2E)?),
            campplus: CamPlusEncoder::new(Model::load_from(&rt, &models, CAMPPLUS)?),
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &VoiceEngineConfig {
        &self.config
    }

    /// Check a recording's quality, and its word count against `prompt` when given.
    pub fn check(&self, audio: &Audio, prompt: Option<&str>) -> Result<RecordingReport, VoiceError> {
        let probs = self.vad.probabilities(audio.samples())?;
        let (quality, mut issues) = assess(audio.samples(), &probs, &self.config.quality);
        let n = match prompt {
            Some(p) => words_for(audio.samples(), Some(p.len())).map_or(0, |w| w.len()),
            None => words(audio.samples()).len(),
        };
        if let Some(p) = prompt
            && issues.is_empty()
            && n != p.len()
        {
            issues.push(VoiceIssue::WrongDigits);
        }
        Ok(RecordingReport {
            quality,
            issues,
            words: n,
        })
    }

    /// The speaker embedding of a recording as it is (without noise reduction), by the
    /// network of templates enrolled now (CAM++, [`SpeakerInput::AsHeard`]).
    pub fn speaker_embedding(&self, audio: &Audio) -> Result<SpeakerEmbedding, VoiceError> {
        self.embed(SpeakerInput::AsHeard, audio.samples())
    }

    /// The embedding of `x` (16 kHz samples, used as they are) by `model`.
    pub fn embed_with(&self, model: SpeakerModel, x: &[f32]) -> Result<SpeakerEmbedding, VoiceError> {
        Ok(match model {
            SpeakerModel::CamPlus => self.campplus.embed(x)?,
            SpeakerModel::Ge2e => self.encoder.embed(x)?,
        })
    }

    /// The embedding of `x` (already given as `input` says) by `input`'s network.
    pub(crate) fn embed(&self, input: SpeakerInput, x: &[f32]) -> Result<SpeakerEmbedding, VoiceError> {
        self.embed_with(input.model(), x)
    }

    /// The samples the speaker embedding and the digit check see: denoised when the
    /// recording's measured SNR is below [`VoiceEngineConfig::denoise_below_snr_db`].
    pub fn prepared<'a>(&self, audio: &'a Audio, report: &RecordingReport) -> Cow<'a, [f32]> {
        if report.quality.snr_db < self.config.denoise_below_snr_db {
            Cow::Owned(denoise(audio.samples()))
        } else {
            Cow::Borrowed(audio.samples())
        }
    }

    /// The speaker embeddings enrollment keeps of one recording of `words` words, checked
    /// as `report`: (wideband, through the telephone band). The recording (prepared,
    /// [`VoiceEngine::prepared`], when [`SpeakerInput::from_prepared`]) is given to the
    /// embedding as `input` says (enrollment uses [`SpeakerInput::AsHeard`]). The wideband
    /// list also holds the embedding of a copy with white noise 20 dB below the speech
    /// (reduced again, as a noisy probe's is, for the inputs that start from the prepared
    /// recording: `noisy_copy`), so the template's mean sits between the person's clean and
    /// noisy voice (README, "Voice calibration"); [`SpeakerInput::PausesTurnedDown`] keeps
    /// the clean one only, as it was calibrated.
    pub fn enrollment_embeddings(
        &self,
        audio: &Audio,
        report: &RecordingReport,
        words: usize,
        input: SpeakerInput,
    ) -> Result<(Vec<SpeakerEmbedding>, SpeakerEmbedding), VoiceError> {
        let source = self.speaker_source(audio, report, input);
        let voice = input.of(&source, words);
        let phone_voice = resample(&telephone(&voice), 8_000, crate::audio::SAMPLE_RATE);
        let mut wide = vec![self.embed(input, &voice)?];
        if input != SpeakerInput::PausesTurnedDown {
            let noisy = self.noisy_source(&source, input);
            wide.push(self.embed(input, &input.of(&noisy, words))?);
        }
        Ok((wide, self.embed(input, &phone_voice)?))
    }

    /// The samples `input` starts from: the prepared recording or the recording as heard.
    fn speaker_source<'a>(&self, audio: &'a Audio, report: &RecordingReport, input: SpeakerInput) -> Cow<'a, [f32]> {
        if input.from_prepared() {
            self.prepared(audio, report)
        } else {
            Cow::Borrowed(audio.samples())
        }
    }

    /// `source` with white noise 20 dB below its speech, as a noisy probe of `input` reaches
    /// the embedding.
    fn noisy_source(&self, source: &[f32], input: SpeakerInput) -> Vec<f32> {
        if input.from_prepared() {
            noisy_copy(source)
        } else {
            white_noise_copy(source)
        }
    }

    /// The speaker embedding verification compares of a recording of `words` words, checked
    /// as `report`: prepared when `input` starts from the prepared recording, then given to
    /// the embedding as `input` says (the template's [`VoiceTemplate::speaker_input`]).
    pub fn probe_embedding(
        &self,
        audio: &Audio,
        report: &RecordingReport,
        words: usize,
        input: SpeakerInput,
    ) -> Result<SpeakerEmbedding, VoiceError> {
        self.embed(input, &input.of(&self.speaker_source(audio, report, input), words))
    }

    /// Certification: the recording of `prompt` against the template, decided on the raw
    /// cosine. Prefer [`VoiceEngine::verify_with_cohort`] where a cohort can be had.
    pub fn verify(&self, template: &VoiceTemplate, audio: &Audio, prompt: &str) -> Result<VoiceDecision, VoiceError> {
        self.verify_with_cohort(template, audio, prompt, None)
    }

    /// Certification with the speaker score normalised against `cohort` (other people's
    /// voiceprints enrolled with the host, [`SpeakerCohort`]): fewer real people refused
    /// at the same rate of impostors passed. Without a cohort, or when it is too small for
    /// the probe's band, the raw cosine decides as in [`VoiceEngine::verify`].
    pub fn verify_with_cohort(
        &self,
        template: &VoiceTemplate,
        audio: &Audio,
        prompt: &str,
        cohort: Option<&SpeakerCohort>,
    ) -> Result<VoiceDecision, VoiceError> {
        if !is_prompt(prompt) {
            return Err(VoiceError::Invalid(format!("prompt {prompt:?} is not 8 digits")));
        }
        let report = self.check(audio, None)?;
        let samples = self.prepared(audio, &report);
        let narrowband = template.speaker_narrowband.is_some() && is_narrowband(&samples);
        let thresholds = self.speaker_thresholds(template.speaker_input, narrowband);
        // Templates of the earliest input are decided on the cosine they were calibrated for.
        let cohort = cohort.filter(|_| template.speaker_input != SpeakerInput::PausesTurnedDown);
        let reference = match &template.speaker_narrowband {
            Some(narrow) if narrowband => narrow,
            _ => &template.speaker,
        };
        let (speaker_score, speaker_normalized) = if report.issues.contains(&VoiceIssue::NoSpeech) {
            (0.0, None)
        } else {
            let input = template.speaker_input;
            let source = if input.from_prepared() {
                &samples[..]
            } else {
                audio.samples()
            };
            let probe = self.embed(input, &input.of(source, prompt.len()))?;
            let normalized = cohort.and_then(|c| c.normalized_score(&probe, reference, narrowband));
            (probe.similarity(reference), normalized)
        };
        let same_speaker = match speaker_normalized {
            Some(z) => z >= thresholds.normalized && speaker_score >= thresholds.floor,
            None => speaker_score >= thresholds.cosine,
        };
        let mut digits = recognise(&samples, prompt, &template.digits);
        digits.closest_copy = closest_copy(audio.samples(), &template.word_prints);
        digits.waveform_copy = closest_waveform_copy(audio.samples(), &template.word_sketches);
        digits.spliced =
            digits.closest_copy <= self.config.splice_ber || digits.waveform_copy >= self.config.copy_correlation;
        let fresh = !template.enrollment_prompts.iter().any(|p| p == prompt);
        let digits_ok = fresh
            && !digits.spliced
            && digits.words == prompt.len()
            && digits.correct >= self.config.min_digits_correct;
        Ok(VoiceDecision {
            report,
            speaker_score,
            speaker_normalized,
            same_speaker,
            narrowband,
            digits,
            fresh,
            digits_ok,
        })
    }
}

/// The speaker thresholds that apply to one comparison.
struct SpeakerThresholds {
    cosine: f32,
    normalized: f32,
    /// The cosine a probe must still reach when a cohort decides.
    floor: f32,
}

impl VoiceEngine {
    /// The thresholds for a template of `input`, in the probe's band.
    fn speaker_thresholds(&self, input: SpeakerInput, narrowband: bool) -> SpeakerThresholds {
        let c = &self.config;
        match (input, narrowband) {
            (SpeakerInput::AsHeard, false) => SpeakerThresholds {
                cosine: c.speaker_threshold,
                normalized: c.speaker_threshold_normalized,
                floor: c.speaker_floor_with_cohort,
            },
            (SpeakerInput::AsHeard, true) => SpeakerThresholds {
                cosine: c.speaker_threshold_narrowband,
                normalized: c.speaker_threshold_normalized_narrowband,
                floor: c.speaker_floor_with_cohort,
            },
            (SpeakerInput::WordsOnly, false) => SpeakerThresholds {
                cosine: WORDS_ONLY_SPEAKER_THRESHOLD,
                normalized: WORDS_ONLY_NORMALIZED_THRESHOLD,
                floor: WORDS_ONLY_COHORT_COSINE_FLOOR,
            },
            (SpeakerInput::WordsOnly, true) => SpeakerThresholds {
                cosine: WORDS_ONLY_NARROWBAND_SPEAKER_THRESHOLD,
                normalized: WORDS_ONLY_NORMALIZED_THRESHOLD_NARROWBAND,
                floor: WORDS_ONLY_COHORT_COSINE_FLOOR,
            },
            (SpeakerInput::PausesTurnedDown, narrow) => SpeakerThresholds {
                cosine: if narrow {
                    PAUSES_TURNED_DOWN_NARROWBAND_THRESHOLD
                } else {
                    PAUSES_TURNED_DOWN_SPEAKER_THRESHOLD
                },
                normalized: f32::INFINITY,
                floor: f32::INFINITY,
            },
        }
    }
}

/// `prepared` with white noise 20 dB below its speech, reduced again ([`denoise`]) as a
/// probe that noisy is: what enrollment also learns the person's words and voice from.
pub fn noisy_copy(prepared: &[f32]) -> Vec<f32> {
    denoise(&add_noise(prepared, &NoiseSource::new(1).white(prepared.len()), 20.0))
}

/// `x` with white noise 20 dB below its speech, as heard (not reduced): what enrollment
/// of [`SpeakerInput::AsHeard`] also learns the person's voice from.
pub fn white_noise_copy(x: &[f32]) -> Vec<f32> {
    add_noise(x, &NoiseSource::new(1).white(x.len()), 20.0)
}
