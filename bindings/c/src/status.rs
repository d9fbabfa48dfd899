//! The one status table of the C API: grouped, explicit, never-reused numbers, and the
//! single mapping from each Rust error to its code.

use certify_core::id::IdError;
use certify_core::name::NameError;
use certify_face::FaceError;
use certify_face::image_io::ImageError;
use certify_face::runtime::RuntimeError;

/// Result of every C call. 0 is success; numbers are grouped by area and never reused.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertifyStatus {
    /// Success.
    Ok = 0,
    // 1xx: the call itself.
    /// A required pointer was NULL.
    NullArgument = 100,
    /// A string was not valid UTF-8.
    InvalidUtf8 = 101,
    /// An argument is out of range or malformed (see the function's documentation).
    InvalidArgument = 102,
    /// The output buffer is too small; nothing was written.
    BufferTooSmall = 103,
    /// A Rust panic was caught at the boundary (a bug: please report it).
    Panic = 199,
    // 2xx: identity numbers and names.
    /// Identity number empty.
    IdEmpty = 200,
    /// Identity number not 18 (or 15) characters.
    IdBadLength = 201,
    /// Identity number has a character other than digits (and a final X).
    IdBadCharacter = 202,
    /// Identity number check character wrong.
    IdBadCheckDigit = 203,
    /// Birth date in the identity number does not exist.
    IdBadBirthDate = 204,
    /// Birth date after today.
    IdBirthDateInFuture = 205,
    /// Division code not in GB/T 2260 (current or retired).
    IdUnknownRegion = 206,
    /// Name empty.
    NameEmpty = 210,
    /// Name too long.
    NameTooLong = 211,
    /// Name has a character names do not have.
    NameBadCharacter = 212,
    // 4xx: cycles.
    /// The cycle policy JSON is not a valid policy.
    PolicyInvalid = 400,
    /// A date is not YYYY-MM-DD, or a month not YYYY-MM.
    DateInvalid = 401,
    // 5xx: evidence.
    /// Evidence token malformed.
    EvidenceMalformed = 500,
    /// Evidence signature invalid.
    EvidenceBadSignature = 501,
    /// Evidence for another challenge, person or modality.
    EvidenceChallengeMismatch = 502,
    /// Evidence expired.
    EvidenceExpired = 503,
    /// Evidence predates its challenge.
    EvidenceNotYetValid = 504,
    /// Evidence already used.
    EvidenceReplayed = 505,
    // 6xx: engines.
    /// ONNX Runtime library not found or not loadable.
    RuntimeLibrary = 600,
    /// A model file is missing.
    ModelMissing = 601,
    /// A model file's hash is wrong.
    ModelChecksum = 602,
    /// A model's interface is wrong.
    ModelInterface = 603,
    /// Inference failed.
    Inference = 604,
    /// Image empty.
    ImageEmpty = 610,
    /// Image too large.
    ImageTooLarge = 611,
    /// Image too small.
    ImageTooSmall = 612,
    /// Image not decodable.
    ImageDecode = 613,
    /// Raw frame buffer does not match its geometry.
    ImageBadFrame = 614,
    /// The photo is not usable (no face, too dark, …): see the quality call.
    FaceQuality = 620,
    /// Audio empty.
    AudioEmpty = 630,
    /// Audio has NaN or infinite samples.
    AudioNotFinite = 631,
    /// Sample rate outside 8–48 kHz.
    AudioUnsupportedRate = 632,
    /// Recording longer than 30 s.
    AudioTooLong = 633,
    /// Recording shorter than 0.3 s.
    AudioTooShort = 634,
    /// Not a readable WAV file.
    AudioBadWav = 635,
}

/// Every status, for the "each language maps each code" checks.
pub const ALL: &[CertifyStatus] = &[
    CertifyStatus::Ok,
    CertifyStatus::NullArgument,
    CertifyStatus::InvalidUtf8,
    CertifyStatus::InvalidArgument,
    CertifyStatus::BufferTooSmall,
    CertifyStatus::Panic,
    CertifyStatus::IdEmpty,
    CertifyStatus::IdBadLength,
    CertifyStatus::IdBadCharacter,
    CertifyStatus::IdBadCheckDigit,
    CertifyStatus::IdBadBirthDate,
    CertifyStatus::IdBirthDateInFuture,
    CertifyStatus::IdUnknownRegion,
    CertifyStatus::NameEmpty,
    CertifyStatus::NameTooLong,
    CertifyStatus::NameBadCharacter,
    CertifyStatus::PolicyInvalid,
    CertifyStatus::DateInvalid,
    CertifyStatus::EvidenceMalformed,
    CertifyStatus::EvidenceBadSignature,
    CertifyStatus::EvidenceChallengeMismatch,
    CertifyStatus::EvidenceExpired,
    CertifyStatus::EvidenceNotYetValid,
    CertifyStatus::EvidenceReplayed,
    CertifyStatus::RuntimeLibrary,
    CertifyStatus::ModelMissing,
    CertifyStatus::ModelChecksum,
    CertifyStatus::ModelInterface,
    CertifyStatus::Inference,
    CertifyStatus::ImageEmpty,
    CertifyStatus::ImageTooLarge,
    CertifyStatus::ImageTooSmall,
    CertifyStatus::ImageDecode,
    CertifyStatus::ImageBadFrame,
    CertifyStatus::FaceQuality,
    CertifyStatus::AudioEmpty,
    CertifyStatus::AudioNotFinite,
    CertifyStatus::AudioUnsupportedRate,
    CertifyStatus::AudioTooLong,
    CertifyStatus::AudioTooShort,
    CertifyStatus::AudioBadWav,
];

impl CertifyStatus {
    /// A NUL-terminated English message for the status.
    pub const fn message(self) -> &'static str {
        match self {
            CertifyStatus::Ok => "ok\0",
            CertifyStatus::NullArgument => "a required pointer argument was NULL\0",
            CertifyStatus::InvalidUtf8 => "a string argument is not valid UTF-8\0",
            CertifyStatus::InvalidArgument => "an argument is out of range or malformed\0",
            CertifyStatus::BufferTooSmall => "the output buffer is too small; nothing was written\0",
            CertifyStatus::Panic => "internal error (a panic was caught at the C boundary)\0",
            CertifyStatus::IdEmpty => "the identity number is empty\0",
            CertifyStatus::IdBadLength => "an identity number has 18 characters (or 15 for legacy numbers)\0",
            CertifyStatus::IdBadCharacter => "the identity number has a character other than digits and a final X\0",
            CertifyStatus::IdBadCheckDigit => "the identity number's check character is wrong\0",
            CertifyStatus::IdBadBirthDate => "the birth date in the identity number does not exist\0",
            CertifyStatus::IdBirthDateInFuture => "the birth date in the identity number is in the future\0",
            CertifyStatus::IdUnknownRegion => "the identity number's division code is not in GB/T 2260\0",
            CertifyStatus::NameEmpty => "the name is empty\0",
            CertifyStatus::NameTooLong => "the name is too long\0",
            CertifyStatus::NameBadCharacter => "the name has a character that names do not have\0",
            CertifyStatus::PolicyInvalid => "the cycle policy is not valid\0",
            CertifyStatus::DateInvalid => "a date is not YYYY-MM-DD or a month not YYYY-MM\0",
            CertifyStatus::EvidenceMalformed => "the evidence is malformed\0",
            CertifyStatus::EvidenceBadSignature => "the evidence signature is invalid\0",
            CertifyStatus::EvidenceChallengeMismatch => "the evidence is for another challenge\0",
            CertifyStatus::EvidenceExpired => "the evidence has expired\0",
            CertifyStatus::EvidenceNotYetValid => "the evidence predates its challenge\0",
            CertifyStatus::EvidenceReplayed => "the evidence was already used\0",
            CertifyStatus::RuntimeLibrary => "the ONNX Runtime library could not be loaded\0",
            CertifyStatus::ModelMissing => "a model file is missing\0",
            CertifyStatus::ModelChecksum => "a model file does not match its sha256\0",
            CertifyStatus::ModelInterface => "a model file does not have the expected inputs and outputs\0",
            CertifyStatus::Inference => "model inference failed\0",
            CertifyStatus::ImageEmpty => "the image is empty\0",
            CertifyStatus::ImageTooLarge => "the image is too large\0",
            CertifyStatus::ImageTooSmall => "the image is too small\0",
            CertifyStatus::ImageDecode => "the image cannot be decoded\0",
            CertifyStatus::ImageBadFrame => "the raw frame does not match its size\0",
            CertifyStatus::FaceQuality => "the photo is not usable (no face, light, blur, pose)\0",
            CertifyStatus::AudioEmpty => "the recording is empty\0",
            CertifyStatus::AudioNotFinite => "the recording has invalid samples\0",
            CertifyStatus::AudioUnsupportedRate => "the sample rate is not supported (8000-48000 Hz)\0",
            CertifyStatus::AudioTooLong => "the recording is too long (at most 30 s)\0",
            CertifyStatus::AudioTooShort => "the recording is too short\0",
            CertifyStatus::AudioBadWav => "the WAV file cannot be read\0",
        }
    }
}

/// Map an error to its status.
pub trait ToStatus {
    /// The status.
    fn status(&self) -> CertifyStatus;
}

impl ToStatus for IdError {
    fn status(&self) -> CertifyStatus {
        match self {
            IdError::Empty => CertifyStatus::IdEmpty,
            IdError::BadLength(_) => CertifyStatus::IdBadLength,
            IdError::BadCharacter { .. } => CertifyStatus::IdBadCharacter,
            IdError::BadCheckDigit { .. } => CertifyStatus::IdBadCheckDigit,
            IdError::BadBirthDate(_) => CertifyStatus::IdBadBirthDate,
            IdError::BirthDateInFuture(_) => CertifyStatus::IdBirthDateInFuture,
            IdError::UnknownRegion(_) => CertifyStatus::IdUnknownRegion,
        }
    }
}

impl ToStatus for NameError {
    fn status(&self) -> CertifyStatus {
        match self {
            NameError::Empty => CertifyStatus::NameEmpty,
            NameError::TooLong => CertifyStatus::NameTooLong,
            NameError::BadCharacter(_) => CertifyStatus::NameBadCharacter,
        }
    }
}

impl ToStatus for RuntimeError {
    fn status(&self) -> CertifyStatus {
        match self {
            RuntimeError::Library { .. } => CertifyStatus::RuntimeLibrary,
            RuntimeError::ModelMissing { .. } => CertifyStatus::ModelMissing,
            RuntimeError::ModelChecksum { .. } => CertifyStatus::ModelChecksum,
            RuntimeError::ModelInterface { .. } => CertifyStatus::ModelInterface,
            RuntimeError::Inference { .. } => CertifyStatus::Inference,
        }
    }
}

impl ToStatus for ImageError {
    fn status(&self) -> CertifyStatus {
        match self {
            ImageError::Empty => CertifyStatus::ImageEmpty,
            ImageError::TooLarge { .. } => CertifyStatus::ImageTooLarge,
            ImageError::TooSmall { .. } => CertifyStatus::ImageTooSmall,
            ImageError::Decode(_) => CertifyStatus::ImageDecode,
            ImageError::BadFrame(_) => CertifyStatus::ImageBadFrame,
        }
    }
}

impl ToStatus for certify_voice::AudioError {
    fn status(&self) -> CertifyStatus {
        use certify_voice::AudioError as A;
        match self {
            A::Empty => CertifyStatus::AudioEmpty,
            A::NotFinite => CertifyStatus::AudioNotFinite,
            A::UnsupportedRate(_) => CertifyStatus::AudioUnsupportedRate,
            A::TooLong(_) => CertifyStatus::AudioTooLong,
            A::TooShort(_) => CertifyStatus::AudioTooShort,
            A::BadWav(_) => CertifyStatus::AudioBadWav,
        }
    }
}

impl ToStatus for certify_voice::VoiceError {
    fn status(&self) -> CertifyStatus {
        match self {
            certify_voice::VoiceError::Runtime(e) => e.status(),
            certify_voice::VoiceError::Audio(e) => e.status(),
            certify_voice::VoiceError::Invalid(_) => CertifyStatus::InvalidArgument,
        }
    }
}

impl ToStatus for certify_core::evidence::EvidenceError {
    fn status(&self) -> CertifyStatus {
        use certify_core::evidence::EvidenceError as E;
        match self {
            E::Malformed => CertifyStatus::EvidenceMalformed,
            E::BadSignature => CertifyStatus::EvidenceBadSignature,
            E::ChallengeMismatch => CertifyStatus::EvidenceChallengeMismatch,
            E::Expired => CertifyStatus::EvidenceExpired,
            E::NotYetValid => CertifyStatus::EvidenceNotYetValid,
            E::Replayed => CertifyStatus::EvidenceReplayed,
        }
    }
}

impl ToStatus for FaceError {
    fn status(&self) -> CertifyStatus {
        match self {
            FaceError::Image(e) => e.status(),
            FaceError::Runtime(e) => e.status(),
            FaceError::Quality(_) => CertifyStatus::FaceQuality,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_messages_terminated() {
        let codes: HashSet<u32> = ALL.iter().map(|s| *s as u32).collect();
        assert_eq!(codes.len(), ALL.len());
        for s in ALL {
            let m = s.message();
            assert!(
                m.ends_with('\0') && m.len() > 1 && !m[..m.len() - 1].contains('\0'),
                "{s:?}"
            );
        }
    }
}
