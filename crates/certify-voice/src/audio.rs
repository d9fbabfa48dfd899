//! Audio input: 16-bit PCM or f32 samples at 8–48 kHz, or WAV bytes, checked and
//! resampled to 16 kHz mono f32 in [-1, 1].

pub use crate::resample::resample;
use std::io::Cursor;

/// The sample rate every model and feature here works at.
pub const SAMPLE_RATE: u32 = 16_000;
/// Lowest accepted input rate.
pub const MIN_RATE: u32 = 8_000;
/// Highest accepted input rate.
pub const MAX_RATE: u32 = 48_000;
/// Longest recording accepted, in seconds.
pub const MAX_SECONDS: f32 = 30.0;
/// Shortest recording accepted, in seconds.
pub const MIN_SECONDS: f32 = 0.3;

/// Why audio was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AudioError {
    /// No samples.
    #[error("the recording is empty")]
    Empty,
    /// NaN or infinite samples.
    #[error("the recording contains invalid (NaN or infinite) samples")]
    NotFinite,
    /// Sample rate outside 8–48 kHz.
    #[error("sample rate {0} Hz is not supported (8000–48000 Hz)")]
    UnsupportedRate(u32),
    /// Longer than [`MAX_SECONDS`].
    #[error("the recording is too long ({0:.1} s; at most 30 s)")]
    TooLong(f32),
    /// Shorter than [`MIN_SECONDS`].
    #[error("the recording is too short ({0:.2} s)")]
    TooShort(f32),
    /// Not a readable WAV file.
    #[error("the WAV file cannot be read: {0}")]
    BadWav(String),
}

/// Mono 16 kHz audio, samples in [-1, 1].
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    samples: Vec<f32>,
}

impl Audio {
    /// Check f32 samples at `rate` and resample to 16 kHz.
    pub fn from_f32(samples: &[f32], rate: u32) -> Result<Audio, AudioError> {
        if samples.is_empty() {
            return Err(AudioError::Empty);
        }
        if !(MIN_RATE..=MAX_RATE).contains(&rate) {
            return Err(AudioError::UnsupportedRate(rate));
        }
        let seconds = samples.len() as f32 / rate as f32;
        if seconds > MAX_SECONDS {
            return Err(AudioError::TooLong(seconds));
        }
        if seconds < MIN_SECONDS {
            return Err(AudioError::TooShort(seconds));
        }
        if samples.iter().any(|s| !s.is_finite()) {
            return Err(AudioError::NotFinite);
        }
        let clipped: Vec<f32> = samples.iter().map(|s| s.clamp(-1.0, 1.0)).collect();
        Ok(Audio {
            samples: if rate == SAMPLE_RATE {
                clipped
            } else {
                resample(&clipped, rate, SAMPLE_RATE)
            },
        })
    }

    /// Check 16-bit PCM at `rate` and resample to 16 kHz.
    pub fn from_i16(samples: &[i16], rate: u32) -> Result<Audio, AudioError> {
        let f: Vec<f32> = samples.iter().map(|&s| f32::from(s) / 32768.0).collect();
        Self::from_f32(&f, rate)
    }

    /// Decode a WAV file (PCM 8/16/24/32-bit or float; channels averaged).
    pub fn from_wav(bytes: &[u8]) -> Result<Audio, AudioError> {
        if bytes.is_empty() {
            return Err(AudioError::Empty);
        }
        let bad = |e: hound::Error| AudioError::BadWav(e.to_string());
        let mut reader = hound::WavReader::new(Cursor::new(bytes)).map_err(bad)?;
        let spec = reader.spec();
        if !(MIN_RATE..=MAX_RATE).contains(&spec.sample_rate) {
            return Err(AudioError::UnsupportedRate(spec.sample_rate));
        }
        let channels = usize::from(spec.channels.max(1));
        // Refuse absurd lengths from the header before reading samples.
        let seconds = reader.duration() as f32 / spec.sample_rate as f32;
        if seconds > MAX_SECONDS {
            return Err(AudioError::TooLong(seconds));
        }
        let interleaved: Vec<f32> = match spec.sample_format {
            hound::SampleFormat::Float => reader.samples::<f32>().collect::<Result<_, _>>().map_err(bad)?,
            hound::SampleFormat::Int => {
                let scale = 1.0 / (1i64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
                reader
                    .samples::<i32>()
                    .map(|s| s.map(|v| v as f32 * scale))
                    .collect::<Result<_, _>>()
                    .map_err(bad)?
            }
        };
        let mono: Vec<f32> = interleaved
            .chunks(channels)
            .map(|c| c.iter().sum::<f32>() / c.len() as f32)
            .collect();
        Self::from_f32(&mono, spec.sample_rate)
    }

    /// The 16 kHz samples.
    pub fn samples(&self) -> &[f32] {
        &self.samples
    }

    /// Duration in seconds.
    pub fn seconds(&self) -> f32 {
        self.samples.len() as f32 / SAMPLE_RATE as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tone(freq: f32, rate: u32, seconds: f32) -> Vec<f32> {
        (0..(rate as f32 * seconds) as usize)
            .map(|i| (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin() * 0.5)
            .collect()
    }

    #[test]
    fn resampling_keeps_a_tone_and_its_length() {
        for rate in [8_000, 22_050, 44_100, 48_000] {
            let a = Audio::from_f32(&tone(440.0, rate, 1.0), rate).unwrap();
            assert!((a.samples().len() as i64 - 16_000).abs() <= 1, "{rate}");
            // Compare with the ideal 16 kHz tone away from the edges.
            let ideal = tone(440.0, 16_000, 1.0);
            let err: f32 = a.samples()[2000..14_000]
                .iter()
                .zip(&ideal[2000..14_000])
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(err < 0.02, "{rate}: max error {err}");
        }
    }

    #[test]
    fn bad_input_is_refused_with_a_reason() {
        assert_eq!(Audio::from_f32(&[], 16_000), Err(AudioError::Empty));
        assert_eq!(
            Audio::from_f32(&[0.0; 16_000], 96_000),
            Err(AudioError::UnsupportedRate(96_000))
        );
        assert_eq!(Audio::from_f32(&[0.0; 1000], 16_000), Err(AudioError::TooShort(0.0625)));
        assert!(matches!(
            Audio::from_f32(&vec![0.0; 16_000 * 31], 16_000),
            Err(AudioError::TooLong(_))
        ));
        let mut nan = vec![0.0; 16_000];
        nan[5] = f32::NAN;
        assert_eq!(Audio::from_f32(&nan, 16_000), Err(AudioError::NotFinite));
        assert!(matches!(
            Audio::from_wav(b"RIFF....WAVEjunk"),
            Err(AudioError::BadWav(_))
        ));
    }

    #[test]
    fn wav_round_trip_with_stereo_and_8_bit() {
        let mut buf = Vec::new();
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        {
            let mut w = hound::WavWriter::new(Cursor::new(&mut buf), spec).unwrap();
            for s in tone(300.0, 8000, 0.5) {
                let v = (s * 32767.0) as i16;
                w.write_sample(v).unwrap();
                w.write_sample(v).unwrap();
            }
            w.finalize().unwrap();
        }
        let a = Audio::from_wav(&buf).unwrap();
        assert!((a.seconds() - 0.5).abs() < 0.01);
        assert!(a.samples().iter().fold(0.0f32, |m, s| m.max(s.abs())) > 0.45);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_as_wav_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = Audio::from_wav(&bytes);
        }
    }
}
