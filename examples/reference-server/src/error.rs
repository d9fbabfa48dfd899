//! Errors as JSON: `{"code": 331, "message": "...", "message_zh": "..."}` with the stable
//! numeric codes, texts and HTTP classes of the one status table
//! (`certify_bridge::CertifyStatus`), which also holds what only a server has
//! (authentication, storage, unknown records: the 9xx codes, named in [`codes`]).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use certify_bridge::{CertifyStatus, ToStatus};

/// Server-only codes (9xx) of the status table, as numbers.
pub mod codes {
    use certify_bridge::CertifyStatus as S;

    /// No valid session token.
    pub const UNAUTHORIZED: u32 = S::Unauthorized as u32;
    /// The session's role may not do this.
    pub const FORBIDDEN: u32 = S::Forbidden as u32;
    /// No such record.
    pub const NOT_FOUND: u32 = S::NotFound as u32;
    /// The database failed.
    pub const STORAGE: u32 = S::Storage as u32;
    /// An upload is not valid base64 or not a readable image/recording.
    pub const BAD_UPLOAD: u32 = S::BadUpload as u32;
    /// The challenge is unknown, used, or belongs to another account.
    pub const CHALLENGE_UNKNOWN: u32 = S::ChallengeUnknown as u32;
    /// The idempotency key was used for a different request.
    pub const IDEMPOTENCY_CONFLICT: u32 = S::IdempotencyConflict as u32;
    /// The picture captcha is unknown or expired.
    pub const CAPTCHA_EXPIRED: u32 = S::CaptchaExpired as u32;
    /// The record changed while this request ran (a parallel request); try again.
    pub const CONCURRENT_UPDATE: u32 = S::ConcurrentUpdate as u32;
    /// Client-signed evidence is not accepted: no trusted device key is configured, or the
    /// token is signed by another key.
    pub const UNTRUSTED_DEVICE: u32 = S::UntrustedDevice as u32;
    /// Silent liveness is not allowed by this server's configuration.
    pub const SILENT_NOT_ALLOWED: u32 = S::SilentNotAllowed as u32;
    /// The request body or query is not the JSON the endpoint takes (syntax, a missing or
    /// mistyped field, the content type).
    pub const BAD_REQUEST_BODY: u32 = S::BadRequestBody as u32;
    /// A deadline-run preview is unknown, expired or already applied.
    pub const PREVIEW_UNKNOWN: u32 = S::PreviewUnknown as u32;
    /// Too many SMS codes or code attempts for one phone today.
    pub const RATE_LIMITED: u32 = S::RateLimited as u32;
    /// A voiceprint is enrolled by the person only: a relative's voice would certify them.
    pub const VOICE_BY_PERSON_ONLY: u32 = S::VoiceByPersonOnly as u32;
    /// Consent by SMS needs the relative's own phone bound to their own account.
    pub const CONSENT_BY_SMS_UNAVAILABLE: u32 = S::ConsentBySmsUnavailable as u32;
}

/// An error response.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub http: StatusCode,
    /// Stable numeric code.
    pub code: u32,
    /// English message.
    pub message: String,
    /// Structured detail merged into the body (e.g. a liveness reason and its advice; an
    /// `advice_zh` there replaces the code's general Chinese message).
    pub detail: Option<serde_json::Value>,
}

impl ApiError {
    /// An error with a server code.
    pub fn new(http: StatusCode, code: u32, message: impl Into<String>) -> Self {
        Self {
            http,
            code,
            message: message.into(),
            detail: None,
        }
    }

    /// The same error with structured detail for the client.
    pub fn with_detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = Some(detail);
        self
    }

    /// 401: no valid session.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, codes::UNAUTHORIZED, "log in first")
    }

    /// 403: the role may not do this.
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, codes::FORBIDDEN, "your role may not do this")
    }

    /// 404.
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, format!("no such {what}"))
    }

    /// 409: a parallel request changed the record first.
    pub fn conflict() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            codes::CONCURRENT_UPDATE,
            "the record changed meanwhile; try again",
        )
    }

    /// 400: a bad upload.
    pub fn bad_upload(what: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::BAD_UPLOAD, what)
    }

    /// A status of the shared table with its HTTP status.
    pub fn status(status: CertifyStatus, message: impl Into<String>) -> Self {
        Self::new(http_status(status), status as u32, message)
    }
}

/// Any core or engine error with a code in the shared table; where the error knows more
/// than its code (which photo problems), its own Chinese advice replaces the code's text and
/// the detail names the problems (`reasons`, as every binding does).
pub fn domain<E: ToStatus + std::fmt::Display>(e: E) -> ApiError {
    let status = e.status();
    let advice = e.advice_zh();
    let reasons = e.reasons();
    let error = ApiError::status(status, e.to_string());
    if advice == status.chinese() && reasons.is_empty() {
        error
    } else {
        error.with_detail(serde_json::json!({ "advice_zh": advice, "reasons": reasons }))
    }
}

/// `?` on a core or engine error gives its code of the shared table.
macro_rules! domain_errors {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for ApiError {
            fn from(e: $t) -> Self {
                domain(e)
            }
        }
    )*};
}

domain_errors!(
    certify_core::id::IdError,
    certify_core::name::NameError,
    certify_face::FaceError,
    certify_face::image_io::ImageError,
    certify_voice::AudioError,
    certify_voice::VoiceError,
    certify_core::evidence::EvidenceError,
    certify_core::account::PhoneError,
    certify_core::roster::RosterError,
    certify_core::account::sms::SmsError,
    certify_core::account::password::PasswordError,
    certify_core::account::RegistrationError,
    certify_core::account::LoginError,
    certify_core::account::RecoveryError,
    certify_core::account::FirstCardLoginError,
    certify_core::realname::RealNameError,
    certify_core::enrollment::EnrollmentError,
    certify_core::certification::CannotCertify,
    certify_core::certification::ContactError,
    certify_core::payment::PaymentError,
    certify_core::payment::DeclarationError,
    certify_core::visit::VisitError,
);

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e {
            // A named constraint: a parallel request created the same row first.
            if d.is_unique_violation() {
                tracing::info!(
                    constraint = d.constraint().unwrap_or(""),
                    "unique violation: reported as a conflict"
                );
                return Self::conflict();
            }
        }
        // The message names the failing operation; no request values are in it.
        tracing::error!(error = %e, "storage error");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            codes::STORAGE,
            "storage is unavailable; try again",
        )
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        tracing::error!(error = %e, "stored state unreadable");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            codes::STORAGE,
            "stored state is unreadable",
        )
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(e: axum::extract::rejection::JsonRejection) -> Self {
        // The rejection says what is wrong with the body (syntax, a missing field, the
        // content type); it quotes no field values.
        Self::new(StatusCode::BAD_REQUEST, codes::BAD_REQUEST_BODY, e.body_text())
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(e: axum::extract::rejection::QueryRejection) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::BAD_REQUEST_BODY, e.body_text())
    }
}

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(e: axum::extract::rejection::PathRejection) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::BAD_REQUEST_BODY, e.body_text())
    }
}

fn http_status(status: CertifyStatus) -> StatusCode {
    StatusCode::from_u16(status.http().status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
}

/// The Chinese message of a code (shown to pensioners), from the status table; a general
/// text for numbers not in it.
pub fn message_zh(code: u32) -> &'static str {
    certify_bridge::status::chinese_of(code)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({
            "code": self.code,
            "message": self.message,
            "message_zh": message_zh(self.code),
        });
        if let (Some(serde_json::Value::Object(extra)), Some(b)) = (self.detail, body.as_object_mut()) {
            if let Some(advice) = extra.get("advice_zh").and_then(|a| a.as_str()) {
                b.insert("message_zh".into(), advice.into());
            }
            for (k, v) in extra {
                b.entry(k).or_insert(v);
            }
        }
        (self.http, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use certify_face::quality::QualityIssue;

    async fn body(e: ApiError) -> serde_json::Value {
        let bytes = axum::body::to_bytes(e.into_response().into_body(), 1 << 16)
            .await
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn an_unusable_photo_answers_with_each_problems_code_and_advice() {
        let e = domain(certify_face::FaceError::Quality(vec![
            QualityIssue::TooDark,
            QualityIssue::EyesClosed,
        ]));
        let b = body(e).await;
        assert_eq!(b["code"], 620);
        assert_eq!(b["reasons"], serde_json::json!(["too_dark", "eyes_closed"]));
        assert_eq!(b["message_zh"], "光线太暗，请到亮处；请睁开眼睛");
        assert_eq!(
            b["message"],
            "the photo is not usable: too dark: move to the light; please open your eyes"
        );
        // An error that knows no more than its code has the table's text and no reasons.
        let b = body(domain(certify_core::id::IdError::Empty)).await;
        assert_eq!(b["message_zh"], CertifyStatus::IdEmpty.chinese());
        assert!(b.get("reasons").is_none());
    }
}
