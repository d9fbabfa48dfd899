//! The one status table of every boundary — the C API, JNI, UniFFI and the server's JSON
//! errors: grouped, explicit, never-reused numbers, each with its English text, its Chinese
//! text (shown to pensioners: what went wrong and what to do next) and its HTTP class.
//!
//! Each code is one row of `status_table!` (below); the enum, [`CertifyStatus::ALL`],
//! [`CertifyStatus::from_code`], both messages (also as C strings) and the HTTP status are
//! generated from the rows, so a code cannot lack a text.

use std::ffi::CStr;

/// The HTTP status class of a code, for servers that speak HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpClass {
    /// 200.
    Ok,
    /// 400: the request is malformed.
    BadRequest,
    /// 401: not logged in, or wrong credentials.
    Unauthorized,
    /// 403: not allowed.
    Forbidden,
    /// 404: no such record.
    NotFound,
    /// 409: conflicts with the current state.
    Conflict,
    /// 422: well-formed, but the rules refuse it.
    Unprocessable,
    /// 423: locked.
    Locked,
    /// 429: too many requests.
    TooManyRequests,
    /// 500: a bug.
    Internal,
    /// 503: a dependency (storage, the runtime) is unavailable.
    Unavailable,
}

impl HttpClass {
    /// The HTTP status number.
    pub const fn status(self) -> u16 {
        match self {
            HttpClass::Ok => 200,
            HttpClass::BadRequest => 400,
            HttpClass::Unauthorized => 401,
            HttpClass::Forbidden => 403,
            HttpClass::NotFound => 404,
            HttpClass::Conflict => 409,
            HttpClass::Unprocessable => 422,
            HttpClass::Locked => 423,
            HttpClass::TooManyRequests => 429,
            HttpClass::Internal => 500,
            HttpClass::Unavailable => 503,
        }
    }
}

/// A NUL-terminated literal as a `CStr`, checked at compile time.
const fn c_text(bytes: &'static [u8]) -> &'static CStr {
    match CStr::from_bytes_with_nul(bytes) {
        Ok(text) => text,
        Err(_) => panic!("a status text contains a NUL byte"),
    }
}

/// One row per code: `Name = number, HttpClass, "English", "中文";`.
macro_rules! status_table {
    ($($name:ident = $code:literal, $http:ident, $en:literal, $zh:literal;)*) => {
        /// The result of every call across a boundary: 0 is success; numbers are grouped by
        /// area (1xx the call, 2xx identity, 3xx accounts, 4xx certification, 5xx evidence,
        /// 6xx engines, 9xx server) and never reused. Each variant's text is its English
        /// message.
        #[repr(u32)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum CertifyStatus {
            $(#[doc = $en] $name = $code,)*
        }

        impl CertifyStatus {
            /// Every status, in the table's order.
            pub const ALL: &'static [CertifyStatus] = &[$(CertifyStatus::$name),*];

            /// The status with this number, if any.
            pub const fn from_code(code: u32) -> Option<CertifyStatus> {
                match code {
                    $($code => Some(CertifyStatus::$name),)*
                    _ => None,
                }
            }

            /// The variant's name (`IdBadCheckDigit`), for languages that name codes.
            pub const fn name(self) -> &'static str {
                match self {
                    $(CertifyStatus::$name => stringify!($name),)*
                }
            }

            /// The English message.
            pub const fn english(self) -> &'static str {
                match self {
                    $(CertifyStatus::$name => $en,)*
                }
            }

            /// The Chinese message: what went wrong and what to do next.
            pub const fn chinese(self) -> &'static str {
                match self {
                    $(CertifyStatus::$name => $zh,)*
                }
            }

            /// The English message as a static C string.
            pub const fn english_c(self) -> &'static CStr {
                match self {
                    $(CertifyStatus::$name => const { c_text(concat!($en, "\0").as_bytes()) },)*
                }
            }

            /// The Chinese message as a static C string (UTF-8).
            pub const fn chinese_c(self) -> &'static CStr {
                match self {
                    $(CertifyStatus::$name => const { c_text(concat!($zh, "\0").as_bytes()) },)*
                }
            }

            /// The HTTP class a server answers with.
            pub const fn http(self) -> HttpClass {
                match self {
                    $(CertifyStatus::$name => HttpClass::$http,)*
                }
            }
        }
    };
}

status_table! {
    Ok = 0, Ok, "ok", "成功";
    // 1xx: the call itself.
    NullArgument = 100, BadRequest, "a required argument is missing (NULL)", "应用调用有误（缺少参数）：请更新应用后重试";
    InvalidUtf8 = 101, BadRequest, "a string argument is not valid UTF-8", "应用调用有误（文字编码）：请更新应用后重试";
    InvalidArgument = 102, BadRequest, "an argument is out of range or malformed", "提交的内容有误：请核对后重试";
    BufferTooSmall = 103, BadRequest, "the output buffer is too small; nothing was written", "应用调用有误（缓冲区过小）：请更新应用后重试";
    JsonInvalid = 104, BadRequest, "the request is not valid JSON or misses a field", "请求内容格式有误：请更新应用后重试";
    UnknownOperation = 105, BadRequest, "no such operation", "不支持该操作：请更新应用后重试";
    SessionFinished = 106, BadRequest, "the session has finished; start a new one", "本次认证已结束：请重新开始认证";
    Panic = 199, Internal, "internal error (please report it)", "系统内部错误：请稍后重试；仍不行请联系社保经办机构";
    // 2xx: identity numbers, names, phones, the roster.
    IdEmpty = 200, BadRequest, "the identity number is empty", "请填写身份证号码";
    IdBadLength = 201, BadRequest, "an identity number has 18 characters (or 15 for legacy numbers)", "身份证号码应为18位：请核对后重新填写";
    IdBadCharacter = 202, BadRequest, "the identity number has a character other than digits and a final X", "身份证号码只能是数字，最后一位可以是X：请核对后重新填写";
    IdBadCheckDigit = 203, BadRequest, "the identity number's check character is wrong", "身份证号码有误（校验位不符）：请逐位核对后重新填写";
    IdBadBirthDate = 204, BadRequest, "the birth date in the identity number does not exist", "身份证号码中的出生日期有误：请核对后重新填写";
    IdBirthDateInFuture = 205, BadRequest, "the birth date in the identity number is in the future", "身份证号码中的出生日期晚于今天：请核对后重新填写";
    IdUnknownRegion = 206, BadRequest, "the identity number's division code is not in GB/T 2260", "身份证号码前6位（地区代码）有误：请核对后重新填写";
    NameEmpty = 210, BadRequest, "the name is empty", "请填写姓名";
    NameTooLong = 211, BadRequest, "the name is too long", "姓名过长：请按身份证上的姓名填写";
    NameBadCharacter = 212, BadRequest, "the name has a character that names do not have", "姓名含有不能使用的字符：请按身份证上的姓名填写";
    PhoneBadFormat = 220, BadRequest, "a mainland mobile number has 11 digits", "手机号码应为11位数字：请核对后重新填写";
    PhoneNotMobile = 221, BadRequest, "the number is not a mobile number", "这不是手机号码：请填写能收短信的手机号码";
    PhoneNotMainland = 222, BadRequest, "the number is not a mainland China mobile number", "请填写中国大陆的手机号码";
    RosterNotFound = 230, NotFound, "no such person on the pension roster (check the name and number)", "查无此人：请核对姓名和身份证号码；确认无误仍查不到，请联系原工作单位或到社保经办窗口核实";
    RosterNameMismatch = 231, NotFound, "the name does not match the roster for this number", "姓名与身份证号码不符：请按身份证上的姓名填写";
    // 3xx: accounts (captcha, SMS codes, passwords, login, real name).
    CaptchaFailed = 300, BadRequest, "the picture code is wrong", "图片验证码错误：请换一张再输入";
    PhoneAlreadyRegistered = 301, Conflict, "this phone number is already registered (use forgot-password if it is yours)", "该手机已注册：如是本人请使用忘记密码";
    IdAlreadyRegistered = 302, Conflict, "this identity number already has an account", "该身份证号码已注册：请用原手机号登录或找回密码；原手机号已停用请到社保经办窗口办理";
    SmsResendTooSoon = 310, TooManyRequests, "wait before asking for another SMS code", "验证码已发送，请查看短信；稍后可重新获取";
    SmsExpired = 311, BadRequest, "the SMS code has expired; ask for a new one", "短信验证码已过期：请重新获取";
    SmsAlreadyUsed = 312, BadRequest, "the SMS code was already used; ask for a new one", "短信验证码已使用：请重新获取";
    SmsTooManyAttempts = 313, BadRequest, "too many wrong SMS codes; ask for a new one", "短信验证码错误次数过多：请重新获取";
    SmsMismatch = 314, BadRequest, "the SMS code is wrong", "短信验证码错误：请核对短信后重新输入";
    SmsWrongContext = 315, BadRequest, "the SMS code was sent for another phone or purpose", "短信验证码与手机号或用途不符：请重新获取";
    PasswordBadLength = 320, BadRequest, "the password must have 8 to 20 characters", "密码应为8到20位：请重新设置";
    PasswordTooWeak = 321, BadRequest, "the password needs letters and digits", "密码须同时包含字母和数字：请重新设置";
    PasswordRepeatMismatch = 322, BadRequest, "the two passwords differ", "两次输入的密码不一致：请重新输入";
    PasswordCorruptHash = 323, Internal, "the stored password hash is unreadable", "账号密码数据异常：请使用忘记密码重新设置";
    LoginLocked = 330, Locked, "the account is locked for 24 hours after 3 wrong passwords (or use forgot-password)", "密码连续错误3次，账号已锁定24小时；可通过忘记密码解锁";
    LoginWrongCredentials = 331, Unauthorized, "wrong phone number or password", "手机号或密码错误：请核对后重试；忘记密码可找回";
    LoginNoPassword = 332, Unauthorized, "this account has no password; log in with the social security card", "该账号未设置密码：请使用社保卡登录";
    CardNotActivated = 333, Unauthorized, "the social security card's financial function is not activated", "社保卡金融功能未激活：请到社保卡发卡银行网点激活后再试";
    NoCard = 334, Unauthorized, "no social security card for this identity number", "未查到社保卡：请核对身份证号码；尚未办卡请到社保经办窗口办理";
    NoPhone = 335, Unprocessable, "no phone is bound to this account", "该账号未绑定手机：请用社保卡登录，或到社保经办窗口绑定手机";
    RealNameNotAccountHolder = 340, Unprocessable, "the identity number is not the account holder's", "身份证号码与账号不符：请登录本人的账号办理";
    RealNameFaceMismatch = 341, Unprocessable, "the live face does not match the identity card portrait", "人脸与对比照片不符：请本人在光线充足处重新拍摄；多次不符请到社保经办窗口办理";
    // 4xx: cycles, enrollment, certification, contacts, payment, home visits.
    PolicyInvalid = 400, BadRequest, "the cycle policy is not valid", "认证周期设置有误：请联系社保经办机构";
    DateInvalid = 401, BadRequest, "a date is not YYYY-MM-DD or a month not YYYY-MM", "日期格式有误：请按“年-月-日”填写";
    EnrollmentUploadsClosed = 410, Unprocessable, "the enrollment is in manual review; uploads are closed", "已转人工审核，暂不能重新上传：工作人员会在7天内处理，请留意通知";
    EnrollmentAlreadyApproved = 411, Conflict, "the enrollment is already approved", "已通过采集审核，可以直接认证";
    EnrollmentNotInManualReview = 412, Unprocessable, "the enrollment is not in manual review", "该采集不在人工审核中：请刷新后查看最新状态";
    EnrollmentReviewExpired = 413, Unprocessable, "the manual review week has passed; the person must re-enroll", "人工审核已超过7天：请重新采集";
    NotThisScheme = 420, Unprocessable, "the person is not paid from this scheme", "不属于本险种：请到发放您养老金的社保经办机构认证";
    AlreadyCertified = 421, Conflict, "already certified in this cycle", "本周期已认证";
    SuspendedForOtherReason = 422, Unprocessable, "payment is suspended for a reason certification does not lift", "待遇因其他原因暂停，认证不能恢复：请到社保经办窗口咨询";
    NotEnrolled = 423, Unprocessable, "no approved enrollment for this modality", "尚未通过采集审核：请先完成人脸或声纹采集，审核通过后再认证";
    RealNameRequired = 424, Unprocessable, "real-name verification is required first", "请先完成实名认证";
    NotAContact = 425, Unprocessable, "the person is not one of this account's contacts", "请先添加为联系人，并由老人本人确认（本人账号确认、短信验证码或到社保经办窗口）";
    BiometricsNotSubjects = 426, Unprocessable, "the evidence is about another person or operator", "认证材料与被认证人不符：请为本人重新认证";
    EvidenceFailed = 427, Unprocessable, "the biometric check did not pass", "认证未通过：请按提示重试；多次未通过可申请上门认证或到社保经办窗口办理";
    EvidenceOutOfCycle = 428, Unprocessable, "the evidence is dated outside the current cycle", "证明材料不在本认证周期内：请重新认证";
    ContactIsHolder = 430, Unprocessable, "you cannot add yourself as a contact", "不能添加本人为联系人：本人请直接认证";
    ContactDuplicate = 431, Conflict, "this person is already a contact", "已是联系人";
    ContactTooMany = 432, Unprocessable, "at most 10 contacts", "联系人已满（最多10人）：请先删除不再需要的联系人";
    PaymentNotSuspended = 440, Unprocessable, "payment is not suspended", "待遇未暂停：无需办理恢复";
    PaymentEnded = 441, Unprocessable, "payment ended with the recipient's death", "待遇已因领取人身故终止：如有疑问请到社保经办窗口核实";
    GroundDoesNotLift = 442, Unprocessable, "this ground does not lift this suspension", "该理由不能恢复这次暂停：请按暂停原因提供相应材料";
    ResumeBeforeSuspension = 443, Unprocessable, "payment cannot resume before the month it was suspended from", "恢复月份不能早于暂停月份：请核对月份";
    NotUnitDeclared = 444, Unprocessable, "this reason is not declared by the employer unit", "该事项不由单位申报：请按经办要求办理";
    DeclaredBeforeEvent = 445, Unprocessable, "the declaration is dated before the event", "申报日期早于事件发生日期：请核对日期";
    VisitReasonTooLong = 450, Unprocessable, "the reason for the home visit is too long", "上门认证原因过长：请控制在200字以内";
    VisitClosed = 451, Conflict, "the home visit is already closed", "该上门认证已结束；如需再次上门，请重新申请";
    VisitNotAssigned = 452, Unprocessable, "the home visit is not assigned to this staff member", "该上门认证未分派给您：请办理分派给您的任务";
    // 5xx: evidence.
    EvidenceMalformed = 500, Forbidden, "the evidence is malformed", "认证凭证无效：请重新认证";
    EvidenceBadSignature = 501, Forbidden, "the evidence signature is invalid", "认证凭证无效（签名不符）：请重新认证";
    EvidenceChallengeMismatch = 502, Forbidden, "the evidence is for another challenge, person or modality", "认证凭证与本次认证不符：请重新认证";
    EvidenceExpired = 503, Forbidden, "the evidence has expired", "认证凭证已过期：请重新认证";
    EvidenceNotYetValid = 504, Forbidden, "the evidence predates its challenge", "认证凭证时间有误：请核对手机时间后重新认证";
    EvidenceReplayed = 505, Forbidden, "the evidence was already used", "认证凭证已使用：请重新认证";
    // 6xx: engines.
    RuntimeLibrary = 600, Unavailable, "the ONNX Runtime library could not be loaded", "认证服务暂不可用：请稍后再试";
    ModelMissing = 601, Unavailable, "a model file is missing", "认证服务暂不可用（模型缺失）：请稍后再试";
    ModelChecksum = 602, Unavailable, "a model file does not match its sha256", "认证服务暂不可用（模型校验失败）：请稍后再试";
    ModelInterface = 603, Unavailable, "a model file does not have the expected inputs and outputs", "认证服务暂不可用（模型不符）：请稍后再试";
    Inference = 604, Unavailable, "model inference failed", "认证服务暂不可用：请稍后再试";
    ImageEmpty = 610, BadRequest, "the image is empty", "没有收到照片：请重新拍摄";
    ImageTooLarge = 611, BadRequest, "the image is too large", "照片过大：请重新拍摄";
    ImageTooSmall = 612, BadRequest, "the image is too small", "照片过小：请靠近一些重新拍摄";
    ImageDecode = 613, BadRequest, "the image cannot be decoded", "照片无法识别：请重新拍摄";
    ImageBadFrame = 614, BadRequest, "the raw frame does not match its size", "相机画面无法识别：请重新打开相机";
    FaceQuality = 620, BadRequest, "the photo is not usable (no face, light, blur, pose)", "照片不合格（无人脸、光线、清晰度或姿态）：请正对镜头，在光线充足处重新拍摄";
    AntispoofRequired = 621, BadRequest, "silent liveness needs a passive anti-spoof model", "本机构暂不支持静默认证：请按提示做动作完成认证";
    AudioEmpty = 630, BadRequest, "the recording is empty", "没有录到声音：请靠近手机重新录制";
    AudioNotFinite = 631, BadRequest, "the recording has invalid samples", "录音无法识别：请重新录制";
    AudioUnsupportedRate = 632, BadRequest, "the sample rate is not supported (8000-48000 Hz)", "录音格式不支持：请更新应用后重新录制";
    AudioTooLong = 633, BadRequest, "the recording is too long (at most 30 s)", "录音过长（最长30秒）：请读完数字后停止录音";
    AudioTooShort = 634, BadRequest, "the recording is too short", "录音过短：请把数字全部读完再停止录音";
    AudioBadWav = 635, BadRequest, "the WAV file cannot be read", "录音无法识别：请重新录制";
    // 9xx: what only a server has (authentication, storage, unknown records).
    Unauthorized = 900, Unauthorized, "log in first", "登录已过期：请重新登录";
    Forbidden = 901, Forbidden, "your role may not do this", "无权限：请用有权限的账号办理";
    NotFound = 902, NotFound, "no such record", "记录不存在：请刷新后重试";
    Storage = 903, Unavailable, "storage is unavailable; try again", "服务暂不可用：请稍后再试";
    BadUpload = 904, BadRequest, "an upload is not valid base64 or not a readable image or recording", "上传内容无法识别：请重新拍摄或录制";
    ChallengeUnknown = 905, NotFound, "the challenge is unknown, used, or belongs to another account", "认证会话无效或已使用：请重新开始认证";
    IdempotencyConflict = 906, Conflict, "the idempotency key was used for a different request", "重复的请求编号：请重新提交";
    CaptchaExpired = 907, BadRequest, "the picture captcha is unknown or expired", "图片验证码已过期：请换一张再输入";
    ConcurrentUpdate = 908, Conflict, "the record changed meanwhile; try again", "操作冲突：请重试";
    UntrustedDevice = 909, Forbidden, "client-signed evidence is not accepted from this device", "设备未登记，不接受该认证凭证：请在本机构的应用中重新认证";
    SilentNotAllowed = 910, Forbidden, "silent liveness is not allowed by this server's configuration", "本机构要求按提示做动作完成认证；如无法配合，请申请上门认证";
    BadRequestBody = 911, BadRequest, "the request body or query is not the JSON the endpoint takes", "请求内容格式有误：请更新应用后重试";
    PreviewUnknown = 912, NotFound, "a deadline-run preview is unknown, expired or already applied", "预览已过期或已执行：请重新预览";
    RateLimited = 913, TooManyRequests, "too many SMS codes or code attempts for one phone today", "操作过于频繁：请明天再试；急需办理请到社保经办窗口";
    VoiceByPersonOnly = 914, Forbidden, "a voiceprint is enrolled by the person only", "声纹只能由本人登记：请用老人本人的账号让老人亲自朗读，或到社保经办窗口办理";
    ConsentBySmsUnavailable = 915, Conflict, "consent by SMS needs the relative's own phone bound to their own account", "老人的账号没有绑定老人本人的手机，无法短信授权：请老人本人登录确认，或一起到社保经办窗口办理";
}

impl From<CertifyStatus> for u32 {
    fn from(status: CertifyStatus) -> u32 {
        status as u32
    }
}

impl TryFrom<u32> for CertifyStatus {
    type Error = u32;

    /// The status with this number; the number back when there is none.
    fn try_from(code: u32) -> Result<Self, u32> {
        CertifyStatus::from_code(code).ok_or(code)
    }
}

impl std::fmt::Display for CertifyStatus {
    /// `[203] the identity number's check character is wrong`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}", *self as u32, self.english())
    }
}

/// The English message of a number as a static C string, "unknown status" for numbers not
/// in the table.
pub fn english_of_c(code: u32) -> &'static CStr {
    CertifyStatus::from_code(code).map_or(c"unknown status", CertifyStatus::english_c)
}

/// The Chinese message of a number as a static C string, a general text for numbers not in
/// the table.
pub fn chinese_of_c(code: u32) -> &'static CStr {
    CertifyStatus::from_code(code).map_or(c"请求未能完成：请稍后重试", CertifyStatus::chinese_c)
}

/// The English message of a number, "unknown status" for numbers not in the table.
pub fn english_of(code: u32) -> &'static str {
    // Every text is a Rust string literal, so it is UTF-8.
    english_of_c(code).to_str().unwrap_or_default()
}

/// The Chinese message of a number, a general text for numbers not in the table.
pub fn chinese_of(code: u32) -> &'static str {
    chinese_of_c(code).to_str().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_is_unique_and_has_both_texts() {
        let codes: HashSet<u32> = CertifyStatus::ALL.iter().map(|s| *s as u32).collect();
        assert_eq!(codes.len(), CertifyStatus::ALL.len());
        for &s in CertifyStatus::ALL {
            assert!(!s.english().trim().is_empty(), "{s:?}");
            assert!(s.english().is_ascii(), "{s:?}: English text is ASCII");
            assert!(
                s.chinese().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{s:?}: Chinese text has Chinese"
            );
            assert_eq!(s.english_c().to_str(), Ok(s.english()));
            assert_eq!(s.chinese_c().to_str(), Ok(s.chinese()));
            assert_eq!(CertifyStatus::from_code(s as u32), Some(s));
        }
    }

    #[test]
    fn refusals_a_pensioner_sees_say_what_to_do_next() {
        // Every failure in the areas a pensioner meets (identity, accounts, certification,
        // evidence, photos, recordings) names a next step after a colon, or is a plain
        // statement of a state ("本周期已认证") that needs none.
        let states = [
            CertifyStatus::Ok,
            CertifyStatus::AlreadyCertified,
            CertifyStatus::ContactDuplicate,
        ];
        for &s in CertifyStatus::ALL.iter().filter(|s| !states.contains(s)) {
            let zh = s.chinese();
            assert!(
                zh.contains('：') || zh.contains('；') || zh.starts_with('请') || zh.contains("可以"),
                "{s:?}: {zh}"
            );
        }
    }

    #[test]
    fn numbers_not_in_the_table_are_refused() {
        assert_eq!(CertifyStatus::try_from(207), Err(207));
        assert_eq!(CertifyStatus::try_from(203), Ok(CertifyStatus::IdBadCheckDigit));
        assert_eq!(english_of(9999), "unknown status");
        assert!(chinese_of(9999).starts_with("请求未能完成"));
        assert_eq!(CertifyStatus::LoginLocked.http().status(), 423);
        assert_eq!(CertifyStatus::Panic.http().status(), 500);
    }
}
