//! JNI bindings of certify for Java (`cn.certify.Certify`), thin: conversion and error
//! mapping only. Every Rust error becomes a `cn.certify.CertifyException` whose message
//! starts with the stable status code of the C API (`[203] …`); the Java class parses it
//! into `getCode()`. Panics never cross: `with_env` catches them and they are thrown as
//! code 199.

use certify::{CertifyStatus, ToStatus};
use certify_core::cycle::CyclePolicy;
use certify_core::id::ResidentId;
use certify_core::name::PersonName;
use certify_core::time::{YearMonth, parse_date};
use jni::objects::{JByteArray, JClass, JFloatArray, JIntArray, JString};
use jni::sys::{jboolean, jfloat, jint, jlong};
use jni::{Env, EnvUnowned, jni_str};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// An error on its way to Java.
#[derive(Debug, thiserror::Error)]
enum BridgeError {
    #[error("[{0}] {1}")]
    Certify(u32, String),
    #[error(transparent)]
    Jni(#[from] jni::errors::Error),
}

fn certify<E: ToStatus + std::fmt::Display>(e: E) -> BridgeError {
    BridgeError::Certify(e.status() as u32, e.to_string())
}

fn fail(status: CertifyStatus, message: impl std::fmt::Display) -> BridgeError {
    BridgeError::Certify(status as u32, message.to_string())
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
            let message = match &err {
                BridgeError::Certify(..) => err.to_string(),
                BridgeError::Jni(e) => format!("[{}] JNI: {e}", CertifyStatus::InvalidArgument as u32),
            };
            let _ = env.throw_new(
                jni_str!("cn/certify/CertifyException"),
                jni::strings::JNIString::from(message),
            );
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
            let message = format!(
                "[{}] internal error (a panic was caught at the JNI boundary)",
                CertifyStatus::Panic as u32
            );
            let _ = env.throw_new(
                jni_str!("cn/certify/CertifyException"),
                jni::strings::JNIString::from(message),
            );
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

/// `String Certify.idCheck(String)`: the normalized 18-character number.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Certify_idCheck<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    input: JString<'l>,
) -> JString<'l> {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let id = ResidentId::parse(&string(env, &input)?).map_err(certify)?;
            Ok(JString::from_str(env, id.as_str())?)
        })
        .resolve::<ThrowCertify>()
}

/// `boolean Certify.nameMatches(String, String)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Certify_nameMatches<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    a: JString<'l>,
    b: JString<'l>,
) -> jboolean {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let a = PersonName::new(&string(env, &a)?).map_err(certify)?;
            let b = PersonName::new(&string(env, &b)?).map_err(certify)?;
            Ok(jboolean::from(a.matches(&b)))
        })
        .resolve::<ThrowCertify>()
}

/// `String Certify.cycleStatus(String policyJson, String lastCertified, String pensionStart,
/// String today)`: the status as JSON (`{"status":"overdue","deadline":…}`).
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Certify_cycleStatus<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    policy: JString<'l>,
    last: JString<'l>,
    start: JString<'l>,
    today: JString<'l>,
) -> JString<'l> {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let policy: CyclePolicy =
                serde_json::from_str(&string(env, &policy)?).map_err(|e| fail(CertifyStatus::PolicyInvalid, e))?;
            policy.validate().map_err(|e| fail(CertifyStatus::PolicyInvalid, e))?;
            let last = if last.is_null() {
                None
            } else {
                Some(
                    parse_date(&string(env, &last)?)
                        .ok_or_else(|| fail(CertifyStatus::DateInvalid, "lastCertified is not YYYY-MM-DD"))?,
                )
            };
            let start: YearMonth = string(env, &start)?
                .parse()
                .map_err(|e| fail(CertifyStatus::DateInvalid, e))?;
            let today = parse_date(&string(env, &today)?)
                .ok_or_else(|| fail(CertifyStatus::DateInvalid, "today is not YYYY-MM-DD"))?;
            let json = serde_json::to_string(&policy.status_on(last, start, today))
                .map_err(|e| fail(CertifyStatus::InvalidArgument, e))?;
            Ok(JString::from_str(env, json)?)
        })
        .resolve::<ThrowCertify>()
}

/// `String Certify.statusMessage(int)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Certify_statusMessage<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    code: jint,
) -> JString<'l> {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let p = certify::certify_status_message(u32::try_from(code).unwrap_or(u32::MAX));
            // SAFETY: a static NUL-terminated string.
            let text = unsafe { std::ffi::CStr::from_ptr(p) }.to_string_lossy().into_owned();
            Ok(JString::from_str(env, text)?)
        })
        .resolve::<ThrowCertify>()
}

/// `int[] Certify.allStatusCodes()`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Certify_allStatusCodes<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
) -> JIntArray<'l> {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let codes: Vec<jint> = certify::ALL_STATUSES.iter().map(|s| *s as u32 as jint).collect();
            let arr = env.new_int_array(codes.len())?;
            arr.set_region(env, 0, &codes)?;
            Ok(arr)
        })
        .resolve::<ThrowCertify>()
}

/// `long Certify.faceEngineNew(String modelsDir, String runtimeLibrary)`: a handle for
/// `faceEngineFree`. Thread-safe handle.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Certify_faceEngineNew<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    dir: JString<'l>,
    lib: JString<'l>,
) -> jlong {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let mut config = certify_face::FaceEngineConfig::new(string(env, &dir)?);
            if !lib.is_null() {
                config.runtime_library = Some(string(env, &lib)?.into());
            }
            let engine = certify_face::FaceEngine::load(config).map_err(certify)?;
            Ok(Box::into_raw(Box::new(engine)) as jlong)
        })
        .resolve::<ThrowCertify>()
}

fn engine_ref<'a>(handle: jlong) -> Result<&'a certify_face::FaceEngine, BridgeError> {
    // SAFETY: handles come from faceEngineNew and are freed once by faceEngineFree (the
    // Java FaceEngine wrapper guards against use after close).
    unsafe { (handle as *const certify_face::FaceEngine).as_ref() }
        .ok_or_else(|| fail(CertifyStatus::NullArgument, "the engine is closed"))
}

/// `void Certify.faceEngineFree(long)` (0 is ignored).
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Certify_faceEngineFree<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
) {
    unowned
        .with_env(|_env| -> Result<_, BridgeError> {
            if handle != 0 {
                // SAFETY: see engine_ref.
                drop(unsafe { Box::from_raw(handle as *mut certify_face::FaceEngine) });
            }
            Ok(())
        })
        .resolve::<ThrowCertify>()
}

/// `float[] Certify.faceTemplate(long engine, byte[] jpegOrPng)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Certify_faceTemplate<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    image: JByteArray<'l>,
) -> JFloatArray<'l> {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let engine = engine_ref(handle)?;
            if image.is_null() {
                return Err(fail(CertifyStatus::NullArgument, "image is null"));
            }
            let bytes = env.convert_byte_array(&image)?;
            let img = certify_face::image_io::decode(&bytes).map_err(certify)?;
            let t = engine.template(&img).map_err(certify)?;
            let arr = env.new_float_array(t.embedding.len())?;
            arr.set_region(env, 0, &t.embedding)?;
            Ok(arr)
        })
        .resolve::<ThrowCertify>()
}

/// `float Certify.faceDistance(long engine, float[] a, float[] b)`: negative distances never
/// occur; compare with `faceThreshold`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Certify_faceDistance<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    a: JFloatArray<'l>,
    b: JFloatArray<'l>,
) -> jfloat {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let engine = engine_ref(handle)?;
            let read = |env: &Env<'_>, arr: &JFloatArray<'_>| -> Result<Vec<f32>, BridgeError> {
                if arr.is_null() {
                    return Err(fail(CertifyStatus::NullArgument, "template is null"));
                }
                let n = arr.len(env)?;
                if n != 128 {
                    return Err(fail(CertifyStatus::InvalidArgument, "templates have 128 values"));
                }
                let mut v = vec![0f32; 128];
                arr.get_region(env, 0, &mut v)?;
                Ok(v)
            };
            let (a, b) = (read(env, &a)?, read(env, &b)?);
            let c = engine.compare(
                &certify_face::embed::FaceTemplate { embedding: a },
                &certify_face::embed::FaceTemplate { embedding: b },
            );
            Ok(c.distance)
        })
        .resolve::<ThrowCertify>()
}

/// `float Certify.faceThreshold(long engine)`: distances below it are the same person.
#[unsafe(no_mangle)]
pub extern "system" fn Java_cn_certify_Certify_faceThreshold<'l>(
    mut unowned: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
) -> jfloat {
    unowned
        .with_env(|_env| -> Result<_, BridgeError> { Ok(engine_ref(handle)?.config().match_threshold) })
        .resolve::<ThrowCertify>()
}
