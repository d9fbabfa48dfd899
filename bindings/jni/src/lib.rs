//! JNI bindings of certify for Java (`cn.certify.*`), thin: conversion and error
//! mapping only. Every Rust error becomes a `cn.certify.CertifyException` built with its
//! status code (the one table of `certify-bridge`), the English message and what to tell
//! the person in Chinese (the engine's own advice where it has one). Panics never cross:
//! `with_env` catches them and they are thrown as code 199.

use certify_bridge::results::Results as _;
use certify_bridge::{CertifyStatus, ToStatus, engines as bridge};
use jni::objects::{JByteArray, JClass, JFloatArray, JIntArray, JObject, JString, JThrowable, JValue};
use jni::sys::{jboolean, jint, jlong};
use jni::{Env, EnvUnowned, jni_sig, jni_str};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

mod engine_calls;
pub use engine_calls::JAVA_ENGINE_CALLS;

/// A Java `String[]` argument: named apart from [`JByteArrays`] so that the generated Java
/// declaration (`java/cn/certify/Natives.java`, from `tests/java_natives.rs`) can say which.
type JStringArray<'l> = jni::objects::JObjectArray<'l>;
/// A Java `byte[][]` argument.
type JByteArrays<'l> = jni::objects::JObjectArray<'l>;

/// An error on its way to Java.
#[derive(Debug, thiserror::Error)]
enum BridgeError {
    /// A certify failure: its status, the English message, what to tell the person, the
    /// reasons' codes.
    #[error("[{}] {}", .0.status as u32, .0.message)]
    Certify(bridge::Fail),
    #[error(transparent)]
    Jni(#[from] jni::errors::Error),
}

fn certify<E: ToStatus + std::fmt::Display>(e: E) -> BridgeError {
    BridgeError::Certify(bridge::Fail::of(e))
}

fn fail(status: CertifyStatus, message: impl std::fmt::Display) -> BridgeError {
    BridgeError::Certify(bridge::Fail::new(status, message.to_string()))
}

fn bridged(failure: bridge::Fail) -> BridgeError {
    BridgeError::Certify(failure)
}

/// Throw `cn.certify.CertifyException(int code, String message, String messageZh, String[]
/// reasons)`: the fields arrive as they are, nothing is parsed back out of a text.
fn throw_certify(env: &mut Env<'_>, failure: &bridge::Fail) -> jni::errors::Result<()> {
    let message = JString::from_str(env, &failure.message)?;
    let advice_zh = JString::from_str(env, &failure.advice_zh)?;
    let count = jint::try_from(failure.reasons.len()).unwrap_or(0);
    let reasons = env.new_object_array(count, jni_str!("java/lang/String"), JObject::null())?;
    for (i, reason) in failure.reasons.iter().enumerate() {
        let reason = JString::from_str(env, reason)?;
        reasons.set_element(env, i, &reason)?;
    }
    let exception = env.new_object(
        jni_str!("cn/certify/CertifyException"),
        jni_sig!("(ILjava/lang/String;Ljava/lang/String;[Ljava/lang/String;)V"),
        &[
            JValue::Int(failure.status as u32 as jint),
            (&message).into(),
            (&advice_zh).into(),
            (&reasons).into(),
        ],
    )?;
    let throwable = env.cast_local::<JThrowable>(exception)?;
    env.throw(&throwable)
}

/// The one error policy of the bridge: throw `cn.certify.CertifyException` with the code.
#[derive(Debug, Default)]
struct ThrowCertify;

impl<T: Default> jni::errors::ErrorPolicy<T, BridgeError> for ThrowCertify {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _cap: &mut Self::Captures<'unowned_env_local, 'native_method>,
        err: BridgeError,
    ) -> jni::errors::Result<T> {
        if !env.exception_check() {
            let _ = match &err {
                BridgeError::Certify(failure) => throw_certify(env, failure),
                BridgeError::Jni(e) => throw_certify(
                    env,
                    &bridge::Fail::new(CertifyStatus::InvalidArgument, format!("JNI: {e}")),
                ),
            };
        }
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _cap: &mut Self::Captures<'unowned_env_local, 'native_method>,
        payload: Box<dyn std::any::Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        if catch_unwind(AssertUnwindSafe(|| drop(payload))).is_err() {
            // A payload that panics on drop is leaked rather than unwound into the JVM.
        }
        if !env.exception_check() {
            let message = "internal error (a panic was caught at the JNI boundary)";
            let _ = throw_certify(env, &bridge::Fail::new(CertifyStatus::Panic, message));
        }
        Ok(T::default())
    }
}

fn string(env: &Env<'_>, s: &JString<'_>) -> Result<String, BridgeError> {
    if s.is_null() {
        return Err(fail(CertifyStatus::NullArgument, "a string argument is null"));
    }
    Ok(s.try_to_string(env)?)
}

/// Validate a resident identity number (GB 11643); the normalized 18-character number.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_idCheck<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    input: JString<'l>,
) -> JString<'l> {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let id = certify_bridge::checks::id_check(&string(env, &input)?).map_err(bridged)?;
            Ok(JString::from_str(env, id.normalized)?)
        })
        .resolve::<ThrowCertify>()
}

/// Whether two names are the same name written differently.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_nameMatches<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    a: JString<'l>,
    b: JString<'l>,
) -> jboolean {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let (a, b) = (string(env, &a)?, string(env, &b)?);
            certify_bridge::checks::names_match(&a, &b).map_err(bridged)
        })
        .resolve::<ThrowCertify>()
}

/// A person's certification status under a cycle policy (JSON) on `today` (YYYY-MM-DD), from
/// the last certification date (null: never) and the pension start (YYYY-MM): JSON like
/// `{"status":"overdue","date":"2020-07-31","warning":false,"suspend_from":"2020-08"}` (the
/// same members as the C struct and the UniFFI record).
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_cycleStatus<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    policy: JString<'l>,
    last: JString<'l>,
    start: JString<'l>,
    today: JString<'l>,
) -> JString<'l> {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let last = if last.is_null() {
                None
            } else {
                Some(string(env, &last)?)
            };
            let (policy, start, today) = (string(env, &policy)?, string(env, &start)?, string(env, &today)?);
            let status =
                certify_bridge::checks::cycle_status(&policy, last.as_deref(), &start, &today).map_err(bridged)?;
            Ok(JString::from_str(env, status.to_json())?)
        })
        .resolve::<ThrowCertify>()
}

/// A text of the status table for a Java `int` code (numbers not in the table get the
/// table's text for unknown codes).
fn status_text<'l>(unowned: &mut EnvUnowned<'l>, code: jint, text: fn(u32) -> &'static str) -> JString<'l> {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            Ok(JString::from_str(env, text(u32::try_from(code).unwrap_or(u32::MAX)))?)
        })
        .resolve::<ThrowCertify>()
}

/// The English text of a code. Never throws.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_statusMessage<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    code: jint,
) -> JString<'l> {
    status_text(&mut unowned, code, certify_bridge::status::english_of)
}

/// The Chinese text of a code (what to do next). Never throws.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_statusMessageZh<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    code: jint,
) -> JString<'l> {
    status_text(&mut unowned, code, certify_bridge::status::chinese_of)
}

/// Every code of the status table. Never throws.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_allStatusCodes<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
) -> JIntArray<'l> {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let codes: Vec<jint> = CertifyStatus::ALL.iter().map(|s| *s as u32 as jint).collect();
            let arr = env.new_int_array(codes.len())?;
            arr.set_region(env, 0, &codes)?;
            Ok(arr)
        })
        .resolve::<ThrowCertify>()
}

/// A face engine handle for `faceEngineFree`: models from the directory `dir`, ONNX Runtime
/// from `lib` (null: the default search), `options` JSON as in the C API (null: defaults).
/// Thread-safe.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_faceEngineNew<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    dir: JString<'l>,
    lib: JString<'l>,
    options: JString<'l>,
) -> jlong {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let dir = string(env, &dir)?;
            let lib = opt_string(env, &lib)?;
            let options = opt_string(env, &options)?;
            let config = bridge::face_config(&dir, lib.as_deref(), options.as_deref()).map_err(bridged)?;
            let engine = certify_face::FaceEngine::load(config).map_err(certify)?;
            Ok(Arc::into_raw(Arc::new(engine)) as jlong)
        })
        .resolve::<ThrowCertify>()
}

/// A face engine with its models from memory (file names and bytes, as read from Android
/// assets), each file checked against its pinned sha256 and the bundle's `SHA256SUMS`;
/// `lib` and `options` as for `faceEngineNew`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_faceEngineNewFromFiles<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    names: JStringArray<'l>,
    files: JByteArrays<'l>,
    lib: JString<'l>,
    options: JString<'l>,
) -> jlong {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let bundle = model_bundle(env, &names, &files)?;
            let lib = opt_string(env, &lib)?;
            let options = opt_string(env, &options)?;
            let mut config = bridge::face_config("", lib.as_deref(), options.as_deref()).map_err(bridged)?;
            config.model_bundle = Some(Arc::new(bundle));
            let engine = certify_face::FaceEngine::load(config).map_err(certify)?;
            Ok(Arc::into_raw(Arc::new(engine)) as jlong)
        })
        .resolve::<ThrowCertify>()
}

/// Java's parallel arrays `String[]` and `byte[][]` as pairs: model files (names and
/// bytes), recordings (prompts and WAVs). `null_message` when either array is null,
/// `count_message` when their lengths differ.
fn texts_with_bytes(
    env: &mut Env<'_>,
    texts: &JStringArray<'_>,
    data: &JByteArrays<'_>,
    null_message: &str,
    count_message: &str,
) -> Result<Vec<(String, Vec<u8>)>, BridgeError> {
    if texts.is_null() || data.is_null() {
        return Err(fail(CertifyStatus::NullArgument, null_message));
    }
    let n = texts.len(env)?;
    if data.len(env)? != n {
        return Err(fail(CertifyStatus::InvalidArgument, count_message));
    }
    let mut pairs = Vec::with_capacity(n);
    for i in 0..n {
        let text = texts.get_element(env, i)?;
        let text = JString::cast_local(env, text)?;
        let bytes_of = data.get_element(env, i)?;
        let bytes_of = JByteArray::cast_local(env, bytes_of)?;
        pairs.push((string(env, &text)?, bytes(env, &bytes_of)?));
    }
    Ok(pairs)
}

/// Model files from Java's parallel arrays of names and bytes.
fn model_bundle(
    env: &mut Env<'_>,
    names: &JStringArray<'_>,
    files: &JByteArrays<'_>,
) -> Result<certify_face::runtime::ModelBundle, BridgeError> {
    let bundle = texts_with_bytes(env, names, files, "names or files are null", "one name per file")?;
    certify_face::runtime::ModelBundle::from_files(bundle).map_err(certify)
}

fn engine_ref<'a>(handle: jlong) -> Result<&'a certify_face::FaceEngine, BridgeError> {
    // SAFETY: handles come from faceEngineNew (Arc::into_raw) and are released once by
    // faceEngineFree (the Java FaceEngine wrapper guards against use after close).
    unsafe { (handle as *const certify_face::FaceEngine).as_ref() }
        .ok_or_else(|| fail(CertifyStatus::NullArgument, "the engine is closed"))
}

/// A new owner of the engine behind `handle` (liveness sessions keep the engine alive).
fn engine_arc(handle: jlong) -> Result<Arc<certify_face::FaceEngine>, BridgeError> {
    if handle == 0 {
        return Err(fail(CertifyStatus::NullArgument, "the engine is closed"));
    }
    let ptr = handle as *const certify_face::FaceEngine;
    // SAFETY: the handle is a live Arc::into_raw pointer (see engine_ref); the count is
    // raised before making a second owner.
    unsafe {
        Arc::increment_strong_count(ptr);
        Ok(Arc::from_raw(ptr))
    }
}

/// Free a face engine handle (0 is ignored). Never throws.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_faceEngineFree<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
) {
    unowned
        .with_env(|_env| -> Result<_, BridgeError> {
            if handle != 0 {
                // SAFETY: see engine_ref; this releases the Java wrapper's reference.
                drop(unsafe { Arc::from_raw(handle as *const certify_face::FaceEngine) });
            }
            Ok(())
        })
        .resolve::<ThrowCertify>()
}

/// A raw camera frame from Java's arguments (negative sizes refused).
fn camera_frame<'a>(data: &'a [u8], size: [jint; 4], format: &'a str) -> Result<bridge::CameraFrame<'a>, BridgeError> {
    let [width, height, stride, rotation] = size
        .map(|v| u32::try_from(v).map_err(|_| fail(CertifyStatus::InvalidArgument, "frame sizes are not negative")));
    Ok(bridge::CameraFrame {
        data,
        width: width?,
        height: height?,
        stride: stride?,
        format,
        rotation_degrees: rotation?,
    })
}

/// A 128-float template from Java (null and other lengths refused).
fn read_template(env: &Env<'_>, arr: &JFloatArray<'_>) -> Result<Vec<f32>, BridgeError> {
    if arr.is_null() {
        return Err(fail(CertifyStatus::NullArgument, "template is null"));
    }
    if arr.len(env)? != 128 {
        return Err(fail(CertifyStatus::InvalidArgument, "templates have 128 values"));
    }
    let mut v = vec![0f32; 128];
    arr.get_region(env, 0, &mut v)?;
    Ok(v)
}

fn opt_string(env: &Env<'_>, s: &JString<'_>) -> Result<Option<String>, BridgeError> {
    if s.is_null() {
        Ok(None)
    } else {
        string(env, s).map(Some)
    }
}

fn bytes(env: &Env<'_>, arr: &JByteArray<'_>) -> Result<Vec<u8>, BridgeError> {
    if arr.is_null() {
        return Err(fail(CertifyStatus::NullArgument, "a byte array argument is null"));
    }
    Ok(env.convert_byte_array(arr)?)
}

fn byte_array<'l>(env: &mut Env<'l>, data: &[u8]) -> Result<JByteArray<'l>, BridgeError> {
    Ok(env.byte_array_from_slice(data)?)
}

/// `Long.MIN_VALUE` means "the system clock" (as `CERTIFY_NOW_SYSTEM` in C).
fn clock(now_unix: jlong) -> certify_core::time::Timestamp {
    bridge::now_or_system((now_unix != jlong::MIN).then_some(now_unix))
}

/// A whole-flow operation `op` on the host's stored state (see `certify_bridge::ops`) at
/// `nowUnix` (`Long.MIN_VALUE`: the system clock): the response JSON.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_call<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    op: JString<'l>,
    request: JString<'l>,
    now_unix: jlong,
) -> JString<'l> {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let (op, request) = (string(env, &op)?, string(env, &request)?);
            let response = certify_bridge::ops::call(&op, &request, clock(now_unix), &mut bridge::os_rng())
                .map_err(|f| fail(f.status, f.detail))?;
            Ok(JString::from_str(env, response)?)
        })
        .resolve::<ThrowCertify>()
}

type Session = Mutex<bridge::LivenessSlot<Arc<certify_face::FaceEngine>>>;

fn session_ref<'a>(handle: jlong) -> Result<&'a Session, BridgeError> {
    // SAFETY: handles come from livenessStart and are freed once by livenessFree (the Java
    // LivenessSession wrapper guards against use after close).
    unsafe { (handle as *const Session).as_ref() }
        .ok_or_else(|| fail(CertifyStatus::NullArgument, "the session is closed"))
}

/// A liveness session handle for `livenessFree` on an engine handle; `actions` is a JSON array
/// of action names (null: random actions; `[]`: silent mode).
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_livenessStart<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    engine: jlong,
    actions: JString<'l>,
    now_unix: jlong,
) -> jlong {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let actions = match opt_string(env, &actions)? {
                None => None,
                Some(text) => {
                    let names: Vec<String> = serde_json::from_str(&text)
                        .map_err(|_| fail(CertifyStatus::JsonInvalid, "actions are a JSON array of names"))?;
                    Some(bridge::parse_actions(&names).map_err(bridged)?)
                }
            };
            let run = bridge::start_liveness(engine_arc(engine)?, actions, clock(now_unix)).map_err(bridged)?;
            let session: Session = Mutex::new(Some(run));
            Ok(Box::into_raw(Box::new(session)) as jlong)
        })
        .resolve::<ThrowCertify>()
}

/// The actions a session asks for, as a JSON array of names in order.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_livenessActions<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    session: jlong,
) -> JString<'l> {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let guard = session_ref(session)?.lock().unwrap_or_else(|p| p.into_inner());
            let names = bridge::liveness_actions(&guard).map_err(bridged)?;
            Ok(JString::from_str(env, serde_json::Value::from(names).to_string())?)
        })
        .resolve::<ThrowCertify>()
}

/// Drop the box behind a Java handle (0 is ignored): every `*Free` native but the face
/// engine's (an `Arc`, shared with its liveness sessions) is this.
///
/// # Safety
/// `handle` is 0 or came from `Box::into_raw` of a `Box<T>`, and is freed once (the Java
/// wrappers' `close` hands a handle over once).
unsafe fn free_boxed<T>(handle: jlong) {
    if handle != 0 {
        // SAFETY: per the contract above.
        drop(unsafe { Box::from_raw(handle as *mut T) });
    }
}

/// Free a liveness session handle (0 is ignored). Never throws.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_livenessFree<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    session: jlong,
) {
    unowned
        .with_env(|_env| -> Result<_, BridgeError> {
            // SAFETY: see session_ref.
            unsafe { free_boxed::<Session>(session) };
            Ok(())
        })
        .resolve::<ThrowCertify>()
}

fn voice_ref<'a>(handle: jlong) -> Result<&'a certify_voice::VoiceEngine, BridgeError> {
    // SAFETY: handles come from voiceEngineNew and are freed once by voiceEngineFree.
    unsafe { (handle as *const certify_voice::VoiceEngine).as_ref() }
        .ok_or_else(|| fail(CertifyStatus::NullArgument, "the engine is closed"))
}

/// A voice engine handle for `voiceEngineFree`: models from the directory `dir`, ONNX Runtime
/// from `lib` (null: the default search). Thread-safe.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_voiceEngineNew<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    dir: JString<'l>,
    lib: JString<'l>,
) -> jlong {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let mut config = certify_voice::VoiceEngineConfig::new(string(env, &dir)?);
            config.runtime_library = opt_string(env, &lib)?.map(Into::into);
            let engine = certify_voice::VoiceEngine::load(config).map_err(certify)?;
            Ok(Box::into_raw(Box::new(engine)) as jlong)
        })
        .resolve::<ThrowCertify>()
}

/// A voice engine with its models from memory (file names and bytes), checked as files are;
/// `lib` as for `voiceEngineNew`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_voiceEngineNewFromFiles<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    names: JStringArray<'l>,
    files: JByteArrays<'l>,
    lib: JString<'l>,
) -> jlong {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let bundle = model_bundle(env, &names, &files)?;
            let mut config = certify_voice::VoiceEngineConfig::from_bundle(bundle);
            config.runtime_library = opt_string(env, &lib)?.map(Into::into);
            let engine = certify_voice::VoiceEngine::load(config).map_err(certify)?;
            Ok(Box::into_raw(Box::new(engine)) as jlong)
        })
        .resolve::<ThrowCertify>()
}

/// Free a voice engine handle (0 is ignored). Never throws.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_voiceEngineFree<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
) {
    unowned
        .with_env(|_env| -> Result<_, BridgeError> {
            // SAFETY: see voice_ref.
            unsafe { free_boxed::<certify_voice::VoiceEngine>(handle) };
            Ok(())
        })
        .resolve::<ThrowCertify>()
}

/// Five enrollment prompts (null) or one certification prompt that is none of the enrolled
/// ones, as a JSON array.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_voicePrompts<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    enrolled: JString<'l>,
) -> JString<'l> {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let enrolled: Option<Vec<String>> = match opt_string(env, &enrolled)? {
                None => None,
                Some(t) => Some(
                    serde_json::from_str(&t)
                        .map_err(|_| fail(CertifyStatus::JsonInvalid, "prompts are a JSON array"))?,
                ),
            };
            let prompts = bridge::voice_prompts(enrolled.as_deref());
            Ok(JString::from_str(env, serde_json::Value::from(prompts).to_string())?)
        })
        .resolve::<ThrowCertify>()
}

/// A single-use challenge (JSON) for a `modality` ("face" or "voice") certification of
/// `subjectId`, valid `ttlSeconds` from `nowUnix` (`Long.MIN_VALUE`: the system clock).
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_challengeIssue<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    subject: JString<'l>,
    modality: JString<'l>,
    ttl_seconds: jlong,
    now_unix: jlong,
) -> JString<'l> {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let (subject, modality) = (string(env, &subject)?, string(env, &modality)?);
            let ch = bridge::issue_challenge(&subject, &modality, ttl_seconds, clock(now_unix)).map_err(bridged)?;
            Ok(JString::from_str(env, ch.to_json())?)
        })
        .resolve::<ThrowCertify>()
}

fn evidence_signer_ref<'a>(handle: jlong) -> Result<&'a certify_core::evidence::EvidenceSigner, BridgeError> {
    // SAFETY: handles come from signerNew and are freed once by signerFree.
    unsafe { (handle as *const certify_core::evidence::EvidenceSigner).as_ref() }
        .ok_or_else(|| fail(CertifyStatus::NullArgument, "the signer is closed"))
}

/// An evidence signer handle for `signerFree`, from a 32-byte seed or the OS generator (null).
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_signerNew<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    seed: JByteArray<'l>,
) -> jlong {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let signer = if seed.is_null() {
                certify_core::evidence::EvidenceSigner::generate(&mut bridge::os_rng())
            } else {
                let seed: [u8; 32] = bytes(env, &seed)?
                    .try_into()
                    .map_err(|_| fail(CertifyStatus::InvalidArgument, "a seed has 32 bytes"))?;
                certify_core::evidence::EvidenceSigner::from_seed(seed)
            };
            Ok(Box::into_raw(Box::new(signer)) as jlong)
        })
        .resolve::<ThrowCertify>()
}

/// Free an evidence signer handle (0 is ignored). Never throws.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_signerFree<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
) {
    unowned
        .with_env(|_env| -> Result<_, BridgeError> {
            // SAFETY: see evidence_signer_ref.
            unsafe { free_boxed::<certify_core::evidence::EvidenceSigner>(handle) };
            Ok(())
        })
        .resolve::<ThrowCertify>()
}

fn evidence_verifier_ref<'a>(handle: jlong) -> Result<&'a bridge::OnceVerifier, BridgeError> {
    // SAFETY: handles come from verifierNew and are freed once by verifierFree.
    unsafe { (handle as *const bridge::OnceVerifier).as_ref() }
        .ok_or_else(|| fail(CertifyStatus::NullArgument, "the verifier is closed"))
}

/// A verifier of evidence signed with the 32-byte public key.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_verifierNew<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    key: JByteArray<'l>,
) -> jlong {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let verifier = bridge::OnceVerifier::from_key(&bytes(env, &key)?).map_err(bridged)?;
            Ok(Box::into_raw(Box::new(verifier)) as jlong)
        })
        .resolve::<ThrowCertify>()
}

/// Free an evidence verifier handle (0 is ignored). Never throws.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Natives_verifierFree<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
) {
    unowned
        .with_env(|_env| -> Result<_, BridgeError> {
            // SAFETY: see evidence_verifier_ref.
            unsafe { free_boxed::<bridge::OnceVerifier>(handle) };
            Ok(())
        })
        .resolve::<ThrowCertify>()
}
