//! Errors as JSON: `{"code": 331, "message": "...", "message_zh": "..."}` with the stable
//! numeric codes of the C API (`certify::CertifyStatus`) and, for what only a server has
//! (authentication, storage, unknown records), the 9xx codes below.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use certify::{CertifyStatus, ToStatus};

/// Server-only codes (9xx); never reused.
pub mod codes {
    /// No valid session token.
    pub const UNAUTHORIZED: u32 = 900;
    /// The session's role may not do this.
    pub const FORBIDDEN: u32 = 901;
    /// No such record.
    pub const NOT_FOUND: u32 = 902;
    /// The database failed.
    pub const STORAGE: u32 = 903;
    /// An upload is not valid base64 or not a readable image/recording.
    pub const BAD_UPLOAD: u32 = 904;
    /// The challenge is unknown, used, or belongs to another account.
    pub const CHALLENGE_UNKNOWN: u32 = 905;
    /// The idempotency key was used for a different request.
    pub const IDEMPOTENCY_CONFLICT: u32 = 906;
    /// The picture captcha is unknown or expired.
    pub const CAPTCHA_EXPIRED: u32 = 907;
    /// The record changed while this request ran (a parallel request); try again.
    pub const CONCURRENT_UPDATE: u32 = 908;
    /// Client-signed evidence is not accepted: no trusted device key is configured, or the
    /// token is signed by another key.
    pub const UNTRUSTED_DEVICE: u32 = 909;
    /// Silent liveness is not allowed by this server's configuration.
    pub const SILENT_NOT_ALLOWED: u32 = 910;
    /// The request body or query is not the JSON the endpoint takes (syntax, a missing or
    /// mistyped field, the content type).
    pub const BAD_REQUEST_BODY: u32 = 911;
    /// A deadline-run preview is unknown, expired or already applied.
    pub const PREVIEW_UNKNOWN: u32 = 912;
    /// Too many SMS codes or code attempts for one phone today.
    pub const RATE_LIMITED: u32 = 913;
    /// A voiceprint is enrolled by the person only: a relative's voice would certify them.
    pub const VOICE_BY_PERSON_ONLY: u32 = 914;
    /// Consent by SMS needs the relative's own phone bound to their own account.
    pub const CONSENT_BY_SMS_UNAVAILABLE: u32 = 915;
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
        Self::new(http_status(status as u32), status as u32, message)
    }
}

/// Any core or engine error with a code in the shared table.
pub fn domain<E: ToStatus + std::fmt::Display>(e: E) -> ApiError {
    ApiError::status(e.status(), e.to_string())
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

fn http_status(code: u32) -> StatusCode {
    match code {
        330 => StatusCode::LOCKED,
        331..=334 => StatusCode::UNAUTHORIZED,
        301 | 302 | 411 | 421 | 431 | 451 => StatusCode::CONFLICT,
        310 => StatusCode::TOO_MANY_REQUESTS,
        230 | 231 => StatusCode::NOT_FOUND,
        100..=299 | 300 | 311..=329 | 400..=401 => StatusCode::BAD_REQUEST,
        500..=505 => StatusCode::FORBIDDEN,
        600..=604 => StatusCode::SERVICE_UNAVAILABLE,
        610..=699 => StatusCode::BAD_REQUEST,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// The Chinese message of a code (shown to pensioners); a general text where none is set.
pub fn message_zh(code: u32) -> &'static str {
    match code {
        200..=206 => "身份证号码有误，请核对",
        210..=212 => "姓名有误，请核对",
        220..=222 => "请输入正确的大陆手机号码",
        230 => "查无此人：请核对姓名和身份证号码；确认无误仍查不到，请联系原工作单位或到社保经办窗口核实",
        231 => "姓名与身份证号码不符：请按身份证上的姓名填写",
        300 => "图片验证码错误：请换一张再输入",
        301 => "该手机已注册，如是本人请使用忘记密码",
        302 => "该身份证号码已注册：请用原手机号登录或找回密码；原手机号已停用请到社保经办窗口办理",
        310 => "验证码已发送，请查看短信；稍后可重新获取",
        311 => "短信验证码已过期，请重新获取",
        312 => "短信验证码已使用，请重新获取",
        313 => "短信验证码错误次数过多，请重新获取",
        314 => "短信验证码错误",
        315 => "短信验证码与手机号或用途不符",
        320 => "密码长度不符合要求",
        321 => "密码须同时包含字母和数字",
        322 => "两次输入的密码不一致",
        330 => "密码连续错误3次，账号已锁定24小时；可通过忘记密码解锁",
        331 => "手机号或密码错误",
        332 => "该账号未设置密码，请使用社保卡登录",
        333 => "社保卡金融功能未激活：请到社保卡发卡银行网点激活后再试",
        334 => "未查到社保卡：请核对身份证号码；尚未办卡请到社保经办窗口办理",
        335 => "该账号未绑定手机：请用社保卡登录，或到社保经办窗口绑定手机",
        340 => "身份证号码与账号不符：请登录本人的账号办理",
        341 => "人脸与对比照片不符：请本人在光线充足处重新拍摄；多次不符请到社保经办窗口办理",
        410 => "已转人工审核，暂不能重新上传：工作人员会在7天内处理，请留意通知",
        411 => "已通过采集审核，可以直接认证",
        412 => "不在人工审核中",
        413 => "人工审核已超过7天，请重新采集",
        420 => "不属于本险种：请到发放您养老金的社保经办机构认证",
        421 => "本周期已认证",
        422 => "待遇因其他原因暂停，认证不能恢复：请到社保经办窗口咨询",
        423 => "尚未通过采集审核：请先完成人脸或声纹采集，审核通过后再认证",
        424 => "请先完成实名认证",
        425 => "请先添加为联系人，并由老人本人确认（本人账号确认、短信验证码或到社保经办窗口）",
        426 => "认证材料与被认证人不符：请为本人重新认证",
        427 => "认证未通过：请按提示重试；多次未通过可申请上门认证或到社保经办窗口办理",
        428 => "证明材料不在本认证周期内：请重新认证",
        430 => "不能添加本人为联系人",
        431 => "已是联系人",
        432 => "联系人已满（最多10人）",
        450 => "上门认证原因请控制在200字以内",
        451 => "该上门认证已结束；如需再次上门，请重新申请",
        452 => "该上门认证未分派给您",
        500..=505 => "认证凭证无效：请重新认证",
        600..=604 => "服务暂不可用，请稍后再试",
        610..=614 => "图片无法识别，请重新拍摄",
        620 => "照片不合格（无人脸、光线、清晰度或姿态），请重新拍摄",
        621 => "本机构暂不支持静默认证，请按提示做动作完成认证",
        630..=635 => "录音无法识别，请重新录制",
        codes::UNAUTHORIZED => "登录已过期，请重新登录",
        codes::FORBIDDEN => "无权限",
        codes::NOT_FOUND => "记录不存在",
        codes::STORAGE => "服务暂不可用，请稍后再试",
        codes::BAD_UPLOAD => "上传内容无法识别：请重新拍摄或录制",
        codes::CHALLENGE_UNKNOWN => "认证会话无效或已使用：请重新开始认证",
        codes::IDEMPOTENCY_CONFLICT => "重复的请求编号",
        codes::CAPTCHA_EXPIRED => "图片验证码已过期：请换一张再输入",
        codes::CONCURRENT_UPDATE => "操作冲突，请重试",
        codes::UNTRUSTED_DEVICE => "设备未登记，不接受该认证凭证",
        codes::SILENT_NOT_ALLOWED => "本机构要求按提示做动作完成认证；如无法配合，请申请上门认证",
        codes::BAD_REQUEST_BODY => "请求内容格式有误，请更新应用后重试",
        codes::PREVIEW_UNKNOWN => "预览已过期或已执行，请重新预览",
        codes::RATE_LIMITED => "操作过于频繁，请明天再试；急需办理请到社保经办窗口",
        codes::CONSENT_BY_SMS_UNAVAILABLE => {
            "老人的账号没有绑定老人本人的手机，无法短信授权：请老人本人登录确认，或一起到社保经办窗口办理"
        }
        codes::VOICE_BY_PERSON_ONLY => "声纹只能由本人登记：请用老人本人的账号让老人亲自朗读，或到社保经办窗口办理",
        _ => "请求未能完成",
    }
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
