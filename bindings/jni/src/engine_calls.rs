//! The JNI exports of the engines' bridged calls, emitted from the one definition in
//! `certify_bridge::engine_calls!`: `Java_cn_certify_Natives_<engine><Name>` for each line,
//! and their Java declarations ([`JAVA_ENGINE_CALLS`], which `tests/java_natives.rs` writes
//! into `Natives.java` with the exports it reads from the source).

use crate::{
    BridgeError, JByteArrays, JStringArray, ThrowCertify, bridged, byte_array, bytes, camera_frame, clock, engine_ref,
    evidence_signer_ref, evidence_verifier_ref, read_template, session_ref, string, texts_with_bytes, voice_ref,
};
use certify_bridge::results::Results as _;
use jni::objects::{JByteArray, JClass, JFloatArray, JObject, JString, JValue};
use jni::sys::{jboolean, jint, jlong};
use jni::{Env, EnvUnowned, jni_sig, jni_str};

/// One call: munch the arguments into JNI parameters, conversions and the bridge call's
/// arguments, then emit the export for its result kind.
macro_rules! jni_engine_call {
    (@args $env:ident $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: bytes, $($rest:tt)*) => {
        jni_engine_call!(@args $env $docs $recv $name $ret $call;
            [$($p)* $arg: JByteArray<'l>,]
            [$($c)* let $arg = bytes($env, &$arg)?;]
            [$($a)* &$arg,]; $($rest)*);
    };
    (@args $env:ident $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: opt_bytes, $($rest:tt)*) => {
        jni_engine_call!(@args $env $docs $recv $name $ret $call;
            [$($p)* $arg: JByteArray<'l>,]
            [$($c)* let $arg = if $arg.is_null() { None } else { Some(bytes($env, &$arg)?) };]
            [$($a)* $arg.as_deref(),]; $($rest)*);
    };
    (@args $env:ident $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: str, $($rest:tt)*) => {
        jni_engine_call!(@args $env $docs $recv $name $ret $call;
            [$($p)* $arg: JString<'l>,]
            [$($c)* let $arg = string($env, &$arg)?;]
            [$($a)* &$arg,]; $($rest)*);
    };
    (@args $env:ident $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: frame, $($rest:tt)*) => {
        jni_engine_call!(@args $env $docs $recv $name $ret $call;
            [$($p)* data: JByteArray<'l>, width: jint, height: jint, stride: jint, format: JString<'l>, rotation: jint,]
            [$($c)*
                let data = bytes($env, &data)?;
                let format = string($env, &format)?;
                let $arg = camera_frame(&data, [width, height, stride, rotation], &format)?;]
            [$($a)* &$arg,]; $($rest)*);
    };
    (@args $env:ident $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: recordings, $($rest:tt)*) => {
        jni_engine_call!(@args $env $docs $recv $name $ret $call;
            [$($p)* wavs: JByteArrays<'l>, prompts: JStringArray<'l>,]
            [$($c)* let $arg = recordings($env, &wavs, &prompts)?;]
            [$($a)* &$arg,]; $($rest)*);
    };
    (@args $env:ident $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: template, $($rest:tt)*) => {
        jni_engine_call!(@args $env $docs $recv $name $ret $call;
            [$($p)* $arg: JFloatArray<'l>,]
            [$($c)* let $arg = read_template($env, &$arg)?;]
            [$($a)* &$arg,]; $($rest)*);
    };
    (@args $env:ident $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: bool, $($rest:tt)*) => {
        jni_engine_call!(@args $env $docs $recv $name $ret $call; [$($p)* $arg: jboolean,] [$($c)*] [$($a)* $arg,]; $($rest)*);
    };
    (@args $env:ident $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: i32, $($rest:tt)*) => {
        jni_engine_call!(@args $env $docs $recv $name $ret $call; [$($p)* $arg: jint,] [$($c)*] [$($a)* $arg,]; $($rest)*);
    };
    (@args $env:ident $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: i64, $($rest:tt)*) => {
        jni_engine_call!(@args $env $docs $recv $name $ret $call; [$($p)* $arg: jlong,] [$($c)*] [$($a)* $arg,]; $($rest)*);
    };
    (@args $env:ident $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: time, $($rest:tt)*) => {
        jni_engine_call!(@args $env $docs $recv $name $ret $call; [$($p)* $arg: jlong,] [$($c)*] [$($a)* clock($arg),]; $($rest)*);
    };
    (@args $env:ident [$($docs:tt)*] $recv:ident $name:ident [step] $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*];) => {
        pastey::paste! {
            $($docs)*
            #[unsafe(no_mangle)]
            #[allow(clippy::too_many_arguments)]
            pub extern "system" fn [<Java_cn_certify_Natives_ $recv:lower_camel $name:camel>]<'l>(
                mut unowned: EnvUnowned<'l>,
                _class: JClass<'l>,
                handle: jlong,
                $($p)*
                elapsed_ms: jint,
            ) -> JString<'l> {
                unowned
                    .with_env(|$env| -> Result<_, BridgeError> {
                        $($c)*
                        let elapsed = u32::try_from(elapsed_ms).ok();
                        let mut session = session_ref(handle)?.lock().unwrap_or_else(|p| p.into_inner());
                        let step = $call(&mut session, $($a)* elapsed).map_err(bridged)?;
                        Ok(JString::from_str($env, step.to_json())?)
                    })
                    .resolve::<ThrowCertify>()
            }
        }
    };
    (@args $env:ident [$($docs:tt)*] $recv:ident $name:ident [decision] $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*];) => {
        pastey::paste! {
            $($docs)*
            #[unsafe(no_mangle)]
            pub extern "system" fn [<Java_cn_certify_Natives_ $recv:lower_camel $name:camel>]<'l>(
                mut unowned: EnvUnowned<'l>,
                _class: JClass<'l>,
                handle: jlong,
                $($p)*
            ) -> JString<'l> {
                unowned
                    .with_env(|$env| -> Result<_, BridgeError> {
                        $($c)*
                        let mut session = session_ref(handle)?.lock().unwrap_or_else(|p| p.into_inner());
                        let decision = $call(&mut session, $($a)*).map_err(bridged)?;
                        Ok(JString::from_str($env, decision.to_json())?)
                    })
                    .resolve::<ThrowCertify>()
            }
        }
    };
    (@args $env:ident [$($docs:tt)*] $recv:ident $name:ident [$ret:ident] $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*];) => {
        pastey::paste! {
            $($docs)*
            #[unsafe(no_mangle)]
            #[allow(clippy::too_many_arguments)]
            pub extern "system" fn [<Java_cn_certify_Natives_ $recv:lower_camel $name:camel>]<'l>(
                mut unowned: EnvUnowned<'l>,
                _class: JClass<'l>,
                handle: jlong,
                $($p)*
            ) -> jni_result_type!($ret) {
                unowned
                    .with_env(|$env| -> Result<_, BridgeError> {
                        let engine = [<$recv _ref>](handle)?;
                        $($c)*
                        let result = $call(engine, $($a)*).map_err(bridged)?;
                        jni_result!($ret, $env, result)
                    })
                    .resolve::<ThrowCertify>()
            }
        }
    };
}

/// The JNI return type of a result kind.
macro_rules! jni_result_type {
    (bytes) => { JByteArray<'l> };
    (json) => { JString<'l> };
    (template) => { JFloatArray<'l> };
    (opt_template) => { JFloatArray<'l> };
    (comparison) => { JObject<'l> };
    (step) => { JString<'l> };
    (decision) => { JString<'l> };
}

/// The Java value of a result.
macro_rules! jni_result {
    (bytes, $env:ident, $r:ident) => {
        byte_array($env, &$r)
    };
    (json, $env:ident, $r:ident) => {
        Ok(JString::from_str($env, $r.to_json())?)
    };
    (template, $env:ident, $r:ident) => {
        float_array($env, &$r)
    };
    (opt_template, $env:ident, $r:ident) => {
        float_array($env, &$r.unwrap_or_default())
    };
    (comparison, $env:ident, $r:ident) => {
        face_comparison($env, &$r)
    };
}

/// Every call's export, and its Java declaration.
macro_rules! jni_engine_calls {
    ($(
        $(#[doc = $doc:literal])*
        fn $recv:ident.$name:ident($($arg:ident: $kind:ident),* $(,)?) -> $ret:ident $(($record:ident))? = $call:path;
    )*) => {
        $(
            jni_engine_call!(@args env [$(#[doc = $doc])* #[doc = java_result_doc!($ret)]] $recv $name [$ret] $call; [] [] []; $($arg: $kind,)*);
        )*

        /// The Java declarations of the exports above: the receiver (`face`, `voice`,
        /// `liveness`, `evidence_signer`, `evidence_verifier`), the name
        /// after it, the doc lines, the arguments after the engine handle (name, kind) and
        /// the result kind.
        pub const JAVA_ENGINE_CALLS: &[(&str, &str, &[&str], &[(&str, &str)], &str)] = &[$(
            (
                stringify!($recv),
                stringify!($name),
                &[$($doc,)* java_result_doc!($ret)],
                &[$((stringify!($arg), stringify!($kind))),*],
                stringify!($ret),
            )
        ),*];
    };
}

/// What the Java declaration of a result kind adds to the call's doc.
macro_rules! java_result_doc {
    (bytes) => {
        "\nThe bytes. A `nowUnix` argument takes `Long.MIN_VALUE` for the system clock."
    };
    (json) => {
        "\nThe result as JSON. A `nowUnix` argument takes `Long.MIN_VALUE` for the system clock."
    };
    (template) => {
        "\nThe 128 floats."
    };
    (opt_template) => {
        "\nThe 128 floats, or an empty array when there is none."
    };
    (comparison) => {
        "\nThe distance, the threshold used and the decision."
    };
    (step) => {
        "\n`elapsedMs` negative: timed by the library's monotonic clock (what apps use). The step as JSON."
    };
    (decision) => {
        "\nThe decision as JSON."
    };
}

certify_bridge::engine_calls!(jni_engine_calls);

/// The face engine of a handle (the name the emitter derives from `face`; `voice_ref`,
/// `evidence_signer_ref` and `evidence_verifier_ref` likewise).
fn face_ref<'a>(handle: jlong) -> Result<&'a certify_face::FaceEngine, BridgeError> {
    engine_ref(handle)
}

fn float_array<'l>(env: &mut Env<'l>, values: &[f32]) -> Result<JFloatArray<'l>, BridgeError> {
    let arr = env.new_float_array(values.len())?;
    arr.set_region(env, 0, values)?;
    Ok(arr)
}

/// A `cn.certify.FaceComparison` of the bridge's comparison.
fn face_comparison<'l>(
    env: &mut Env<'l>,
    c: &certify_bridge::results::FaceComparison,
) -> Result<JObject<'l>, BridgeError> {
    Ok(env.new_object(
        jni_str!("cn/certify/FaceComparison"),
        jni_sig!("(FFZ)V"),
        &[
            JValue::Float(c.distance),
            JValue::Float(c.threshold),
            JValue::Bool(c.same_person),
        ],
    )?)
}

/// Recordings from `byte[][] wavs` and `String[] prompts` (one prompt per recording).
fn recordings(
    env: &mut Env<'_>,
    wavs: &JByteArrays<'_>,
    prompts: &JStringArray<'_>,
) -> Result<Vec<(Vec<u8>, String)>, BridgeError> {
    let pairs = texts_with_bytes(
        env,
        prompts,
        wavs,
        "recordings or prompts are null",
        "one prompt per recording",
    )?;
    Ok(pairs.into_iter().map(|(prompt, wav)| (wav, prompt)).collect())
}
