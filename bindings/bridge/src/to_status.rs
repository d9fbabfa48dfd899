//! The single mapping from each error of the core and the engines to its status code.

use certify_core::id::IdError;
use certify_core::name::NameError;
use certify_face::FaceError;
use certify_face::image_io::ImageError;
use certify_face::runtime::RuntimeError;

use crate::status::CertifyStatus;

/// Map an error to its status.
pub trait ToStatus {
    /// The status.
    fn status(&self) -> CertifyStatus;

    /// What to tell the person, in Chinese: the status's text, or something more precise
    /// where the error knows more (which photo problems, for instance).
    fn advice_zh(&self) -> String {
        self.status().chinese().to_owned()
    }

    /// The stable snake_case codes of what exactly went wrong, where the error knows them
    /// (each problem of an unusable photo: `too_dark`, `eyes_closed`); empty otherwise.
    fn reasons(&self) -> Vec<&'static str> {
        Vec::new()
    }
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

    /// For an unusable photo, each problem's own advice ("光线太暗，请到亮处；请睁开眼睛").
    fn advice_zh(&self) -> String {
        match self {
            FaceError::Quality(issues) if !issues.is_empty() => {
                issues.iter().map(|i| i.advice_zh()).collect::<Vec<_>>().join("；")
            }
            _ => self.status().chinese().to_owned(),
        }
    }

    fn reasons(&self) -> Vec<&'static str> {
        match self {
            FaceError::Quality(issues) => issues.iter().map(|i| i.code()).collect(),
            _ => Vec::new(),
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
    use certify_face::quality::QualityIssue;

    #[test]
    fn an_unusable_photo_says_each_problem_in_chinese() {
        let e = FaceError::Quality(vec![QualityIssue::TooDark, QualityIssue::EyesClosed]);
        assert_eq!(e.status(), CertifyStatus::FaceQuality);
        assert_eq!(e.advice_zh(), "光线太暗，请到亮处；请睁开眼睛");
        // Errors that know no more than their code give the table's text.
        assert_eq!(IdError::Empty.advice_zh(), CertifyStatus::IdEmpty.chinese());
        assert_eq!(
            FaceError::Quality(vec![]).advice_zh(),
            CertifyStatus::FaceQuality.chinese()
        );
    }

    #[test]
    fn an_unusable_photo_names_each_problem_by_its_code() {
        let e = FaceError::Quality(vec![QualityIssue::TooDark, QualityIssue::EyesClosed]);
        assert_eq!(e.reasons(), ["too_dark", "eyes_closed"]);
        let failure = crate::engines::Fail::of(e);
        assert_eq!(failure.reasons, ["too_dark", "eyes_closed"]);
        assert_eq!(failure.advice_zh, "光线太暗，请到亮处；请睁开眼睛");
        assert!(IdError::Empty.reasons().is_empty());
    }
}
