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
    /// The request is not valid JSON or misses a field.
    JsonInvalid = 104,
    /// No such operation.
    UnknownOperation = 105,
    /// The session has finished; start a new one.
    SessionFinished = 106,
    /// A Rust panic was caught at the boundary (a bug: please report it).
    Panic = 199,
    // 2xx: identity numbers, names, phones, the roster.
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
    /// The phone number is not 11 digits.
    PhoneBadFormat = 220,
    /// The number is not a mobile number.
    PhoneNotMobile = 221,
    /// The number is not a mainland China mobile number.
    PhoneNotMainland = 222,
    /// No such person on the pension roster (check the name and number).
    RosterNotFound = 230,
    /// The name does not match the roster for this number.
    RosterNameMismatch = 231,
    // 3xx: accounts (captcha, SMS codes, passwords, login, real name).
    /// The picture code is wrong.
    CaptchaFailed = 300,
    /// This phone number is already registered (use forgot-password if it is yours).
    PhoneAlreadyRegistered = 301,
    /// This identity number already has an account.
    IdAlreadyRegistered = 302,
    /// Wait before asking for another SMS code.
    SmsResendTooSoon = 310,
    /// The SMS code has expired; ask for a new one.
    SmsExpired = 311,
    /// The SMS code was already used; ask for a new one.
    SmsAlreadyUsed = 312,
    /// Too many wrong SMS codes; ask for a new one.
    SmsTooManyAttempts = 313,
    /// The SMS code is wrong.
    SmsMismatch = 314,
    /// The SMS code was sent for another phone or purpose.
    SmsWrongContext = 315,
    /// The password must have 8 to 20 characters.
    PasswordBadLength = 320,
    /// The password needs letters and digits.
    PasswordTooWeak = 321,
    /// The two passwords differ.
    PasswordRepeatMismatch = 322,
    /// The stored password hash is unreadable.
    PasswordCorruptHash = 323,
    /// The account is locked for 24 hours after 3 wrong passwords (or use forgot-password).
    LoginLocked = 330,
    /// Wrong phone number or password.
    LoginWrongCredentials = 331,
    /// This account has no password; log in with the social security card.
    LoginNoPassword = 332,
    /// The social security card's financial function is not activated.
    CardNotActivated = 333,
    /// No social security card for this identity number.
    NoCard = 334,
    /// No phone is bound to this account.
    NoPhone = 335,
    /// The identity number is not the account holder's.
    RealNameNotAccountHolder = 340,
    /// The live face does not match the identity card portrait.
    RealNameFaceMismatch = 341,
    // 4xx: cycles, enrollment, certification, contacts, payment.
    /// The cycle policy JSON is not a valid policy.
    PolicyInvalid = 400,
    /// A date is not YYYY-MM-DD, or a month not YYYY-MM.
    DateInvalid = 401,
    /// The enrollment is in manual review; uploads are closed.
    EnrollmentUploadsClosed = 410,
    /// The enrollment is already approved.
    EnrollmentAlreadyApproved = 411,
    /// The enrollment is not in manual review.
    EnrollmentNotInManualReview = 412,
    /// The manual review week has passed; the person must re-enroll.
    EnrollmentReviewExpired = 413,
    /// The person is not paid from this scheme.
    NotThisScheme = 420,
    /// Already certified in this cycle.
    AlreadyCertified = 421,
    /// Payment is suspended for a reason certification does not lift.
    SuspendedForOtherReason = 422,
    /// No approved enrollment for this modality.
    NotEnrolled = 423,
    /// Real-name verification is required first.
    RealNameRequired = 424,
    /// The person is not one of this account's contacts.
    NotAContact = 425,
    /// The evidence is about another person or operator.
    BiometricsNotSubjects = 426,
    /// The biometric check did not pass.
    EvidenceFailed = 427,
    /// The evidence is dated outside the current cycle.
    EvidenceOutOfCycle = 428,
    /// You cannot add yourself as a contact.
    ContactIsHolder = 430,
    /// This person is already a contact.
    ContactDuplicate = 431,
    /// At most 10 contacts.
    ContactTooMany = 432,
    /// Payment is not suspended.
    PaymentNotSuspended = 440,
    /// Payment ended with the recipient's death.
    PaymentEnded = 441,
    /// This ground does not lift this suspension.
    GroundDoesNotLift = 442,
    /// Payment cannot resume before the month it was suspended from.
    ResumeBeforeSuspension = 443,
    /// This reason is not declared by the employer unit.
    NotUnitDeclared = 444,
    /// The declaration is dated before the event.
    DeclaredBeforeEvent = 445,
    /// The reason for a home visit is too long.
    VisitReasonTooLong = 450,
    /// The home visit is already closed.
    VisitClosed = 451,
    /// The home visit is not assigned to this staff member.
    VisitNotAssigned = 452,
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
    /// Silent liveness was asked for, but no passive anti-spoof model is configured.
    AntispoofRequired = 621,
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
    CertifyStatus::JsonInvalid,
    CertifyStatus::UnknownOperation,
    CertifyStatus::SessionFinished,
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
    CertifyStatus::PhoneBadFormat,
    CertifyStatus::PhoneNotMobile,
    CertifyStatus::PhoneNotMainland,
    CertifyStatus::RosterNotFound,
    CertifyStatus::RosterNameMismatch,
    CertifyStatus::CaptchaFailed,
    CertifyStatus::PhoneAlreadyRegistered,
    CertifyStatus::IdAlreadyRegistered,
    CertifyStatus::SmsResendTooSoon,
    CertifyStatus::SmsExpired,
    CertifyStatus::SmsAlreadyUsed,
    CertifyStatus::SmsTooManyAttempts,
    CertifyStatus::SmsMismatch,
    CertifyStatus::SmsWrongContext,
    CertifyStatus::PasswordBadLength,
    CertifyStatus::PasswordTooWeak,
    CertifyStatus::PasswordRepeatMismatch,
    CertifyStatus::PasswordCorruptHash,
    CertifyStatus::LoginLocked,
    CertifyStatus::LoginWrongCredentials,
    CertifyStatus::LoginNoPassword,
    CertifyStatus::CardNotActivated,
    CertifyStatus::NoCard,
    CertifyStatus::NoPhone,
    CertifyStatus::RealNameNotAccountHolder,
    CertifyStatus::RealNameFaceMismatch,
    CertifyStatus::PolicyInvalid,
    CertifyStatus::DateInvalid,
    CertifyStatus::EnrollmentUploadsClosed,
    CertifyStatus::EnrollmentAlreadyApproved,
    CertifyStatus::EnrollmentNotInManualReview,
    CertifyStatus::EnrollmentReviewExpired,
    CertifyStatus::NotThisScheme,
    CertifyStatus::AlreadyCertified,
    CertifyStatus::SuspendedForOtherReason,
    CertifyStatus::NotEnrolled,
    CertifyStatus::RealNameRequired,
    CertifyStatus::NotAContact,
    CertifyStatus::BiometricsNotSubjects,
    CertifyStatus::EvidenceFailed,
    CertifyStatus::EvidenceOutOfCycle,
    CertifyStatus::ContactIsHolder,
    CertifyStatus::ContactDuplicate,
    CertifyStatus::ContactTooMany,
    CertifyStatus::PaymentNotSuspended,
    CertifyStatus::PaymentEnded,
    CertifyStatus::GroundDoesNotLift,
    CertifyStatus::ResumeBeforeSuspension,
    CertifyStatus::NotUnitDeclared,
    CertifyStatus::DeclaredBeforeEvent,
    CertifyStatus::VisitReasonTooLong,
    CertifyStatus::VisitClosed,
    CertifyStatus::VisitNotAssigned,
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
    CertifyStatus::AntispoofRequired,
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
            CertifyStatus::AntispoofRequired => "silent liveness needs a passive anti-spoof model\0",
            CertifyStatus::AudioEmpty => "the recording is empty\0",
            CertifyStatus::AudioNotFinite => "the recording has invalid samples\0",
            CertifyStatus::AudioUnsupportedRate => "the sample rate is not supported (8000-48000 Hz)\0",
            CertifyStatus::AudioTooLong => "the recording is too long (at most 30 s)\0",
            CertifyStatus::AudioTooShort => "the recording is too short\0",
            CertifyStatus::AudioBadWav => "the WAV file cannot be read\0",
            CertifyStatus::SessionFinished => "the session has finished; start a new one\0",
            CertifyStatus::JsonInvalid => "the request is not valid JSON or misses a field\0",
            CertifyStatus::UnknownOperation => "no such operation\0",
            CertifyStatus::PhoneBadFormat => "a mainland mobile number has 11 digits\0",
            CertifyStatus::PhoneNotMobile => "the number is not a mobile number\0",
            CertifyStatus::PhoneNotMainland => "the number is not a mainland China mobile number\0",
            CertifyStatus::RosterNotFound => "no such person on the pension roster (check the name and number)\0",
            CertifyStatus::RosterNameMismatch => "the name does not match the roster for this number\0",
            CertifyStatus::CaptchaFailed => "the picture code is wrong\0",
            CertifyStatus::PhoneAlreadyRegistered => {
                "this phone number is already registered (use forgot-password if it is yours)\0"
            }
            CertifyStatus::IdAlreadyRegistered => "this identity number already has an account\0",
            CertifyStatus::SmsResendTooSoon => "wait before asking for another SMS code\0",
            CertifyStatus::SmsExpired => "the SMS code has expired; ask for a new one\0",
            CertifyStatus::SmsAlreadyUsed => "the SMS code was already used; ask for a new one\0",
            CertifyStatus::SmsTooManyAttempts => "too many wrong SMS codes; ask for a new one\0",
            CertifyStatus::SmsMismatch => "the SMS code is wrong\0",
            CertifyStatus::SmsWrongContext => "the SMS code was sent for another phone or purpose\0",
            CertifyStatus::PasswordBadLength => "the password has the wrong length\0",
            CertifyStatus::PasswordTooWeak => "the password needs letters and digits\0",
            CertifyStatus::PasswordRepeatMismatch => "the two passwords differ\0",
            CertifyStatus::PasswordCorruptHash => "the stored password hash is unreadable\0",
            CertifyStatus::LoginLocked => {
                "the account is locked for 24 hours after 3 wrong passwords (or use forgot-password)\0"
            }
            CertifyStatus::LoginWrongCredentials => "wrong phone number or password\0",
            CertifyStatus::LoginNoPassword => "this account has no password; log in with the social security card\0",
            CertifyStatus::CardNotActivated => "the social security card's financial function is not activated\0",
            CertifyStatus::NoCard => "no social security card for this identity number\0",
            CertifyStatus::NoPhone => "no phone is bound to this account\0",
            CertifyStatus::RealNameNotAccountHolder => "the identity number is not the account holder's\0",
            CertifyStatus::RealNameFaceMismatch => "the live face does not match the identity card portrait\0",
            CertifyStatus::EnrollmentUploadsClosed => "the enrollment is in manual review; uploads are closed\0",
            CertifyStatus::EnrollmentAlreadyApproved => "the enrollment is already approved\0",
            CertifyStatus::EnrollmentNotInManualReview => "the enrollment is not in manual review\0",
            CertifyStatus::EnrollmentReviewExpired => "the manual review week has passed; the person must re-enroll\0",
            CertifyStatus::NotThisScheme => "the person is not paid from this scheme\0",
            CertifyStatus::AlreadyCertified => "already certified in this cycle\0",
            CertifyStatus::SuspendedForOtherReason => "payment is suspended for a reason certification does not lift\0",
            CertifyStatus::NotEnrolled => "no approved enrollment for this modality\0",
            CertifyStatus::RealNameRequired => "real-name verification is required first\0",
            CertifyStatus::NotAContact => "the person is not one of this account's contacts\0",
            CertifyStatus::BiometricsNotSubjects => "the evidence is about another person or operator\0",
            CertifyStatus::EvidenceFailed => "the biometric check did not pass\0",
            CertifyStatus::EvidenceOutOfCycle => "the evidence is dated outside the current cycle\0",
            CertifyStatus::ContactIsHolder => "you cannot add yourself as a contact\0",
            CertifyStatus::ContactDuplicate => "this person is already a contact\0",
            CertifyStatus::ContactTooMany => "at most 10 contacts\0",
            CertifyStatus::PaymentNotSuspended => "payment is not suspended\0",
            CertifyStatus::PaymentEnded => "payment ended with the recipient's death\0",
            CertifyStatus::GroundDoesNotLift => "this ground does not lift this suspension\0",
            CertifyStatus::ResumeBeforeSuspension => "payment cannot resume before the month it was suspended from\0",
            CertifyStatus::NotUnitDeclared => "this reason is not declared by the employer unit\0",
            CertifyStatus::DeclaredBeforeEvent => "the declaration is dated before the event\0",
            CertifyStatus::VisitReasonTooLong => "the reason for the home visit is too long\0",
            CertifyStatus::VisitClosed => "the home visit is already closed\0",
            CertifyStatus::VisitNotAssigned => "the home visit is not assigned to this staff member\0",
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
            FaceError::AntispoofRequired => CertifyStatus::AntispoofRequired,
            FaceError::BadSnapshot(_) => CertifyStatus::InvalidArgument,
        }
    }
}

impl ToStatus for certify_core::account::PhoneError {
    fn status(&self) -> CertifyStatus {
        use certify_core::account::PhoneError as E;
        match self {
            E::BadFormat => CertifyStatus::PhoneBadFormat,
            E::NotMobile => CertifyStatus::PhoneNotMobile,
            E::NotMainland => CertifyStatus::PhoneNotMainland,
        }
    }
}

impl ToStatus for certify_core::roster::RosterError {
    fn status(&self) -> CertifyStatus {
        use certify_core::roster::RosterError as E;
        match self {
            E::NotFound => CertifyStatus::RosterNotFound,
            E::NameMismatch => CertifyStatus::RosterNameMismatch,
        }
    }
}

impl ToStatus for certify_core::account::sms::SmsError {
    fn status(&self) -> CertifyStatus {
        use certify_core::account::sms::SmsError as E;
        match self {
            E::ResendTooSoon { .. } => CertifyStatus::SmsResendTooSoon,
            E::Expired => CertifyStatus::SmsExpired,
            E::AlreadyUsed => CertifyStatus::SmsAlreadyUsed,
            E::TooManyAttempts => CertifyStatus::SmsTooManyAttempts,
            E::Mismatch { .. } => CertifyStatus::SmsMismatch,
            E::WrongContext => CertifyStatus::SmsWrongContext,
        }
    }
}

impl ToStatus for certify_core::account::password::PasswordError {
    fn status(&self) -> CertifyStatus {
        use certify_core::account::password::PasswordError as E;
        match self {
            E::BadLength => CertifyStatus::PasswordBadLength,
            E::TooWeak => CertifyStatus::PasswordTooWeak,
            E::RepeatMismatch => CertifyStatus::PasswordRepeatMismatch,
            E::CorruptHash => CertifyStatus::PasswordCorruptHash,
        }
    }
}

impl ToStatus for certify_core::account::RegistrationError {
    fn status(&self) -> CertifyStatus {
        use certify_core::account::RegistrationError as E;
        match self {
            E::CaptchaFailed => CertifyStatus::CaptchaFailed,
            E::Phone(e) => e.status(),
            E::PhoneAlreadyRegistered => CertifyStatus::PhoneAlreadyRegistered,
            E::IdAlreadyRegistered => CertifyStatus::IdAlreadyRegistered,
            E::Sms(e) => e.status(),
            E::Password(e) => e.status(),
            E::Id(e) => e.status(),
            E::Name(e) => e.status(),
            E::Roster(e) => e.status(),
        }
    }
}

impl ToStatus for certify_core::account::LoginError {
    fn status(&self) -> CertifyStatus {
        use certify_core::account::LoginError as E;
        match self {
            E::Locked { .. } | E::CardLocked { .. } => CertifyStatus::LoginLocked,
            E::WrongCredentials { .. } => CertifyStatus::LoginWrongCredentials,
            E::NoPassword => CertifyStatus::LoginNoPassword,
            E::CardNotActivated => CertifyStatus::CardNotActivated,
            E::NoCard => CertifyStatus::NoCard,
            E::Password(e) => e.status(),
        }
    }
}

impl ToStatus for certify_core::account::RecoveryError {
    fn status(&self) -> CertifyStatus {
        use certify_core::account::RecoveryError as E;
        match self {
            E::NoPhone => CertifyStatus::NoPhone,
            E::PhoneAlreadyRegistered => CertifyStatus::PhoneAlreadyRegistered,
            E::Phone(e) => e.status(),
            E::Sms(e) => e.status(),
            E::Password(e) => e.status(),
        }
    }
}

impl ToStatus for certify_core::account::FirstCardLoginError {
    fn status(&self) -> CertifyStatus {
        use certify_core::account::FirstCardLoginError as E;
        match self {
            E::Id(e) => e.status(),
            E::Login(e) => e.status(),
            E::Roster(e) => e.status(),
        }
    }
}

impl ToStatus for certify_core::realname::RealNameError {
    fn status(&self) -> CertifyStatus {
        use certify_core::realname::RealNameError as E;
        match self {
            E::Id(e) => e.status(),
            E::Name(e) => e.status(),
            E::NotAccountHolder => CertifyStatus::RealNameNotAccountHolder,
            E::Roster(e) => e.status(),
            E::FaceMismatch => CertifyStatus::RealNameFaceMismatch,
        }
    }
}

impl ToStatus for certify_core::enrollment::EnrollmentError {
    fn status(&self) -> CertifyStatus {
        use certify_core::enrollment::EnrollmentError as E;
        match self {
            E::UploadsClosed => CertifyStatus::EnrollmentUploadsClosed,
            E::AlreadyApproved => CertifyStatus::EnrollmentAlreadyApproved,
            E::NotInManualReview => CertifyStatus::EnrollmentNotInManualReview,
            E::ReviewExpired => CertifyStatus::EnrollmentReviewExpired,
            E::RealNameRequired => CertifyStatus::RealNameRequired,
            E::NotApproved => CertifyStatus::NotEnrolled,
        }
    }
}

impl ToStatus for certify_core::certification::CannotCertify {
    fn status(&self) -> CertifyStatus {
        use certify_core::certification::CannotCertify as E;
        match self {
            E::Roster(e) => e.status(),
            E::NotThisScheme => CertifyStatus::NotThisScheme,
            E::AlreadyCertified { .. } => CertifyStatus::AlreadyCertified,
            E::SuspendedForOtherReason(_) => CertifyStatus::SuspendedForOtherReason,
            E::NotEnrolled(_) => CertifyStatus::NotEnrolled,
            E::RealNameRequired => CertifyStatus::RealNameRequired,
            E::NotAContact => CertifyStatus::NotAContact,
            E::BiometricsNotSubjects => CertifyStatus::BiometricsNotSubjects,
            E::EvidenceFailed => CertifyStatus::EvidenceFailed,
            E::EvidenceOutOfCycle => CertifyStatus::EvidenceOutOfCycle,
        }
    }
}

impl ToStatus for certify_core::certification::ContactError {
    fn status(&self) -> CertifyStatus {
        use certify_core::certification::ContactError as E;
        match self {
            E::Id(e) => e.status(),
            E::Name(e) => e.status(),
            E::Roster(e) => e.status(),
            E::IsHolder => CertifyStatus::ContactIsHolder,
            E::Duplicate => CertifyStatus::ContactDuplicate,
            E::TooMany => CertifyStatus::ContactTooMany,
            E::NoSuchRequest => CertifyStatus::NotAContact,
        }
    }
}

impl ToStatus for certify_core::payment::PaymentError {
    fn status(&self) -> CertifyStatus {
        use certify_core::payment::PaymentError as E;
        match self {
            E::NotSuspended => CertifyStatus::PaymentNotSuspended,
            E::Ended => CertifyStatus::PaymentEnded,
            E::GroundDoesNotLift { .. } => CertifyStatus::GroundDoesNotLift,
            E::ResumeBeforeSuspension => CertifyStatus::ResumeBeforeSuspension,
        }
    }
}

impl ToStatus for certify_core::payment::DeclarationError {
    fn status(&self) -> CertifyStatus {
        use certify_core::payment::DeclarationError as E;
        match self {
            E::NotUnitDeclared(_) => CertifyStatus::NotUnitDeclared,
            E::DeclaredBeforeEvent => CertifyStatus::DeclaredBeforeEvent,
        }
    }
}

impl ToStatus for certify_core::visit::VisitError {
    fn status(&self) -> CertifyStatus {
        use certify_core::visit::VisitError as E;
        match self {
            E::ReasonTooLong => CertifyStatus::VisitReasonTooLong,
            E::Closed => CertifyStatus::VisitClosed,
            E::NotAssigned => CertifyStatus::VisitNotAssigned,
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
