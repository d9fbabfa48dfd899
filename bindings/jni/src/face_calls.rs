//! The JNI exports of the face engine's bridged calls, emitted from the one definition in
//! `certify_bridge::face_engine_calls!`: `Java_cn_certify_Natives_face<Name>` for each line,
//! and their Java declarations ([`JAVA_FACE_CALLS`], which `tests/java_natives.rs` writes
//! into `Natives.java` with the exports it reads from the source).

use crate::{BridgeError, ThrowCertify, bridged, bytes, engine_ref};
use certify_bridge::results::Results as _;
use jni::objects::{JByteArray, JClass, JFloatArray, JString};
use jni::sys::jlong;
use jni::{Env, EnvUnowned};

/// One call: munch the arguments into JNI parameters, conversions and the bridge call's
/// arguments, then emit the export for its result kind.
macro_rules! jni_face_call {
    (@args $env:ident $docs:tt $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: bytes, $($rest:tt)*) => {
        jni_face_call!(@args $env $docs $name $ret $call;
            [$($p)* $arg: JByteArray<'l>,]
            [$($c)* let $arg = bytes($env, &$arg)?;]
            [$($a)* &$arg,]; $($rest)*);
    };
    (@args $env:ident $docs:tt $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: opt_bytes, $($rest:tt)*) => {
        jni_face_call!(@args $env $docs $name $ret $call;
            [$($p)* $arg: JByteArray<'l>,]
            [$($c)* let $arg = if $arg.is_null() { None } else { Some(bytes($env, &$arg)?) };]
            [$($a)* $arg.as_deref(),]; $($rest)*);
    };
    (@args $env:ident [$($docs:tt)*] $name:ident [$ret:ident] $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*];) => {
        pastey::paste! {
            $($docs)*
            #[unsafe(no_mangle)]
            pub extern "system" fn [<Java_cn_certify_Natives_face $name:camel>]<'l>(
                mut unowned: EnvUnowned<'l>,
                _class: JClass<'l>,
                handle: jlong,
                $($p)*
            ) -> jni_result_type!($ret) {
                unowned
                    .with_env(|$env| -> Result<_, BridgeError> {
                        let engine = engine_ref(handle)?;
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
    (json) => { JString<'l> };
    (template) => { JFloatArray<'l> };
    (opt_template) => { JFloatArray<'l> };
}

/// The Java value of a result.
macro_rules! jni_result {
    (json, $env:ident, $r:ident) => {
        Ok(JString::from_str($env, $r.to_json())?)
    };
    (template, $env:ident, $r:ident) => {
        float_array($env, &$r)
    };
    (opt_template, $env:ident, $r:ident) => {
        float_array($env, &$r.unwrap_or_default())
    };
}

/// Every call's export, and its Java declaration.
macro_rules! jni_face_calls {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($($arg:ident: $kind:ident),* $(,)?) -> $ret:ident $(($record:ident))? = $call:path;
    )*) => {
        $(
            jni_face_call!(@args env [$(#[doc = $doc])* #[doc = java_result_doc!($ret)]] $name [$ret] $call; [] [] []; $($arg: $kind,)*);
        )*

        /// The Java declarations of the exports above: the name after `face`, the doc lines,
        /// the arguments after the engine handle (name, kind) and the result kind.
        pub const JAVA_FACE_CALLS: &[(&str, &[&str], &[(&str, &str)], &str)] = &[$(
            (
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
    (json) => {
        "\nThe result as JSON."
    };
    (template) => {
        "\nThe 128 floats."
    };
    (opt_template) => {
        "\nThe 128 floats, or an empty array when there is none."
    };
}

certify_bridge::face_engine_calls!(jni_face_calls);

fn float_array<'l>(env: &mut Env<'l>, values: &[f32]) -> Result<JFloatArray<'l>, BridgeError> {
    let arr = env.new_float_array(values.len())?;
    arr.set_region(env, 0, values)?;
    Ok(arr)
}
