//! The C entry points of the engines' bridged calls, emitted from the one definition in
//! `certify_bridge::engine_calls!`: `certify_<engine>_<name>` for each line, with the
//! arguments and results of its kinds, and their C declarations for the header
//! ([`ENGINE_CALL_DECLARATIONS`], which `certify-c-header` writes into `include/certify.h`:
//! cbindgen does not expand macros).

use crate::frames::{CertifyCameraFrame, frame_arg};
use crate::{
    CERTIFY_ELAPSED_MONOTONIC, CERTIFY_FACE_TEMPLATE_LEN, CertifyEvidenceSigner, CertifyEvidenceVerifier,
    CertifyFaceEngine, CertifyLivenessSession, CertifyStatus, CertifyVoiceEngine, bytes_arg, clock, from_fail,
    give_bytes, give_string, out, str_arg,
};
use certify_bridge::results::Results as _;
use std::ffi::c_char;

/// One call: munch the arguments into C parameters, conversions and the bridge call's
/// arguments, then emit the function for its result kind.
macro_rules! c_engine_call {
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: bytes, $($rest:tt)*) => {
        c_engine_call!(@args $docs $recv $name $ret $call;
            [$($p)* $arg: *const u8, [<$arg _len>]: usize,]
            [$($c)* let $arg = unsafe { bytes_arg($arg, [<$arg _len>]) }?;]
            [$($a)* $arg,]; $($rest)*);
    };
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: opt_bytes, $($rest:tt)*) => {
        c_engine_call!(@args $docs $recv $name $ret $call;
            [$($p)* $arg: *const u8, [<$arg _len>]: usize,]
            [$($c)* let $arg = if $arg.is_null() { None } else { Some(unsafe { bytes_arg($arg, [<$arg _len>]) }?) };]
            [$($a)* $arg,]; $($rest)*);
    };
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: str, $($rest:tt)*) => {
        c_engine_call!(@args $docs $recv $name $ret $call;
            [$($p)* $arg: *const c_char,]
            [$($c)* let $arg = unsafe { str_arg($arg) }?;]
            [$($a)* $arg,]; $($rest)*);
    };
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: frame, $($rest:tt)*) => {
        c_engine_call!(@args $docs $recv $name $ret $call;
            [$($p)* $arg: *const CertifyCameraFrame,]
            [$($c)* let $arg = unsafe { frame_arg($arg) }?;]
            [$($a)* &$arg,]; $($rest)*);
    };
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: recordings, $($rest:tt)*) => {
        c_engine_call!(@args $docs $recv $name $ret $call;
            [$($p)* wavs: *const *const u8, wav_lens: *const usize, prompts: *const *const c_char, count: usize,]
            [$($c)* let $arg = unsafe { recordings_arg(wavs, wav_lens, prompts, count) }?;]
            [$($a)* &$arg,]; $($rest)*);
    };
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: template, $($rest:tt)*) => {
        c_engine_call!(@args $docs $recv $name $ret $call;
            [$($p)* $arg: *const f32, [<$arg _len>]: usize,]
            [$($c)* let $arg = unsafe { template_arg($arg, [<$arg _len>]) }?;]
            [$($a)* $arg,]; $($rest)*);
    };
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: bool, $($rest:tt)*) => {
        c_engine_call!(@args $docs $recv $name $ret $call; [$($p)* $arg: bool,] [$($c)*] [$($a)* $arg,]; $($rest)*);
    };
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: i32, $($rest:tt)*) => {
        c_engine_call!(@args $docs $recv $name $ret $call; [$($p)* $arg: i32,] [$($c)*] [$($a)* $arg,]; $($rest)*);
    };
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: i64, $($rest:tt)*) => {
        c_engine_call!(@args $docs $recv $name $ret $call; [$($p)* $arg: i64,] [$($c)*] [$($a)* $arg,]; $($rest)*);
    };
    (@args $docs:tt $recv:ident $name:ident $ret:tt $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*]; $arg:ident: time, $($rest:tt)*) => {
        c_engine_call!(@args $docs $recv $name $ret $call; [$($p)* $arg: i64,] [$($c)*] [$($a)* clock($arg),]; $($rest)*);
    };
    (@args [$($docs:tt)*] $recv:ident $name:ident [bytes] $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*];) => {
        pastey::paste! {
            $($docs)*
            #[doc = c_result_doc!(bytes)]
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn [<certify_ $recv _ $name>](
                engine: *const [<$recv:camel Receiver>],
                $($p)*
                out_data: *mut *mut u8,
                out_len: *mut usize,
            ) -> CertifyStatus {
                ffi!({
                    let engine = unsafe { engine.as_ref() }.ok_or(CertifyStatus::NullArgument)?;
                    $($c)*
                    let (out_data, out_len) = (unsafe { out(out_data) }?, unsafe { out(out_len) }?);
                    let result = $call(&engine.0, $($a)*).map_err(from_fail)?;
                    give_bytes(out_data, out_len, result);
                    Ok(())
                })
            }
        }
    };
    (@args [$($docs:tt)*] $recv:ident $name:ident [json] $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*];) => {
        pastey::paste! {
            $($docs)*
            #[doc = c_result_doc!(json)]
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn [<certify_ $recv _ $name>](
                engine: *const [<$recv:camel Receiver>],
                $($p)*
                out_json: *mut *mut c_char,
            ) -> CertifyStatus {
                ffi!({
                    let engine = unsafe { engine.as_ref() }.ok_or(CertifyStatus::NullArgument)?;
                    $($c)*
                    let out_json = unsafe { out(out_json) }?;
                    let result = $call(&engine.0, $($a)*).map_err(from_fail)?;
                    give_string(out_json, result.to_json())
                })
            }
        }
    };
    (@args [$($docs:tt)*] $recv:ident $name:ident [template] $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*];) => {
        pastey::paste! {
            $($docs)*
            #[doc = c_result_doc!(template)]
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn [<certify_ $recv _ $name>](
                engine: *const [<$recv:camel Receiver>],
                $($p)*
                out_template: *mut f32,
                out_len: usize,
            ) -> CertifyStatus {
                ffi!({
                    let engine = unsafe { engine.as_ref() }.ok_or(CertifyStatus::NullArgument)?;
                    $($c)*
                    let dst = unsafe { template_out(out_template, out_len) }?;
                    let t = $call(&engine.0, $($a)*).map_err(from_fail)?;
                    dst.copy_from_slice(&t[..CERTIFY_FACE_TEMPLATE_LEN]);
                    Ok(())
                })
            }
        }
    };
    (@args [$($docs:tt)*] $recv:ident $name:ident [opt_template] $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*];) => {
        pastey::paste! {
            $($docs)*
            #[doc = c_result_doc!(opt_template)]
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn [<certify_ $recv _ $name>](
                engine: *const [<$recv:camel Receiver>],
                $($p)*
                out_template: *mut f32,
                out_len: usize,
                out_found: *mut bool,
            ) -> CertifyStatus {
                ffi!({
                    let engine = unsafe { engine.as_ref() }.ok_or(CertifyStatus::NullArgument)?;
                    $($c)*
                    let dst = unsafe { template_out(out_template, out_len) }?;
                    let out_found = unsafe { out(out_found) }?;
                    let found = $call(&engine.0, $($a)*).map_err(from_fail)?;
                    *out_found = found.is_some();
                    if let Some(t) = found {
                        dst.copy_from_slice(&t[..CERTIFY_FACE_TEMPLATE_LEN]);
                    }
                    Ok(())
                })
            }
        }
    };
    (@args [$($docs:tt)*] $recv:ident $name:ident [step] $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*];) => {
        pastey::paste! {
            $($docs)*
            #[doc = c_result_doc!(step)]
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn [<certify_ $recv _ $name>](
                session: *mut CertifyLivenessSession,
                $($p)*
                elapsed_ms: u32,
                out_json: *mut *mut c_char,
            ) -> CertifyStatus {
                ffi!({
                    let session = unsafe { session.as_mut() }.ok_or(CertifyStatus::NullArgument)?;
                    $($c)*
                    let out_json = unsafe { out(out_json) }?;
                    let elapsed = (elapsed_ms != CERTIFY_ELAPSED_MONOTONIC).then_some(elapsed_ms);
                    let step = $call(&mut session.0, $($a)* elapsed).map_err(from_fail)?;
                    give_string(out_json, step.to_json())
                })
            }
        }
    };
    (@args [$($docs:tt)*] $recv:ident $name:ident [decision] $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*];) => {
        pastey::paste! {
            $($docs)*
            #[doc = c_result_doc!(decision)]
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn [<certify_ $recv _ $name>](
                session: *mut CertifyLivenessSession,
                $($p)*
                out_json: *mut *mut c_char,
            ) -> CertifyStatus {
                ffi!({
                    let session = unsafe { session.as_mut() }.ok_or(CertifyStatus::NullArgument)?;
                    $($c)*
                    let out_json = unsafe { out(out_json) }?;
                    let decision = $call(&mut session.0, $($a)*).map_err(from_fail)?;
                    give_string(out_json, decision.to_json())
                })
            }
        }
    };
    (@args [$($docs:tt)*] $recv:ident $name:ident [comparison] $call:path; [$($p:tt)*] [$($c:tt)*] [$($a:tt)*];) => {
        pastey::paste! {
            $($docs)*
            #[doc = c_result_doc!(comparison)]
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn [<certify_ $recv _ $name>](
                engine: *const [<$recv:camel Receiver>],
                $($p)*
                out_distance: *mut f32,
                out_threshold: *mut f32,
                out_same_person: *mut bool,
            ) -> CertifyStatus {
                ffi!({
                    let engine = unsafe { engine.as_ref() }.ok_or(CertifyStatus::NullArgument)?;
                    $($c)*
                    let out_distance = unsafe { out(out_distance) }?;
                    let out_threshold = unsafe { out(out_threshold) }?;
                    let out_same_person = unsafe { out(out_same_person) }?;
                    let c = $call(&engine.0, $($a)*).map_err(from_fail)?;
                    (*out_distance, *out_threshold, *out_same_person) = (c.distance, c.threshold, c.same_person);
                    Ok(())
                })
            }
        }
    };
}

/// What the C function of a result kind adds to the call's doc: the out-parameters and the
/// safety contract.
macro_rules! c_result_doc {
    (bytes) => {
        "\n`*out_data`/`*out_len` are the bytes, freed with `certify_bytes_free`. A `now_unix`\n\
         argument takes `CERTIFY_NOW_SYSTEM` for the system clock. Thread-safe.\n\n\
         # Safety\n`signer` a live handle; each string NUL-terminated UTF-8; the out-parameters\n\
         writable."
    };
    (json) => {
        "\n`*out_json` is the result as JSON, freed with `certify_string_free`. A `now_unix`\n\
         argument takes `CERTIFY_NOW_SYSTEM` for the system clock. Thread-safe.\n\n\
         # Safety\nThe handle (`engine`, `verifier`) live; each byte argument readable for its\n\
         `_len` bytes (NULL only for an optional one); each string NUL-terminated UTF-8;\n\
         recording arrays readable for `count` entries, each WAV for its length; `out_json`\n\
         writable."
    };
    (template) => {
        "\nThe template goes to `out_template`. Thread-safe.\n\n\
         # Safety\n`engine` a live handle; each byte argument readable for its `_len` bytes, each\n\
         frame valid with its `data` readable for `len` bytes; `out_template` writable for\n\
         `out_len` floats (at least `CERTIFY_FACE_TEMPLATE_LEN`)."
    };
    (step) => {
        "\n`elapsed_ms`: `CERTIFY_ELAPSED_MONOTONIC` (the library's clock; an explicit value is\n\
         for tests only). `*out_json` is the step as JSON, freed with `certify_string_free`.\n\n\
         # Safety\n`session` a live handle used by one thread at a time; each byte argument\n\
         readable for its `_len` bytes, each frame valid with its `data` readable for `len`\n\
         bytes; `out_json` writable."
    };
    (decision) => {
        "\n`*out_json` is the decision as JSON, freed with `certify_string_free`. The session\n\
         must still be freed.\n\n\
         # Safety\n`session` a live handle used by one thread at a time; each template readable\n\
         for its `_len` floats; `out_json` writable."
    };
    (comparison) => {
        "\nThe distance, the threshold used and the decision go to the out-parameters.\n\
         Thread-safe.\n\n\
         # Safety\n`engine` a live handle; each template readable for its `_len` floats; each\n\
         byte argument readable for its `_len` bytes; the out-parameters writable."
    };
    (opt_template) => {
        "\nThe template goes to `out_template`; `*out_found` is false (and the template\n\
         untouched) when there is none. Thread-safe.\n\n\
         # Safety\n`engine` a live handle; each byte argument readable for its `_len` bytes, each\n\
         frame valid with its `data` readable for `len` bytes; `out_template` writable for\n\
         `out_len` floats (at least `CERTIFY_FACE_TEMPLATE_LEN`);\n\
         `out_found` writable."
    };
}

/// The C parameters of one argument kind, as the header writes them.
macro_rules! c_decl_param {
    ($arg:ident bytes) => {
        concat!("\nconst uint8_t *", stringify!($arg), "\nsize_t ", stringify!($arg), "_len")
    };
    ($arg:ident opt_bytes) => {
        c_decl_param!($arg bytes)
    };
    ($arg:ident str) => {
        concat!("\nconst char *", stringify!($arg))
    };
    ($arg:ident frame) => {
        concat!("\nconst CertifyCameraFrame *", stringify!($arg))
    };
    ($arg:ident template) => {
        concat!("\nconst float *", stringify!($arg), "\nsize_t ", stringify!($arg), "_len")
    };
    ($arg:ident bool) => {
        concat!("\nbool ", stringify!($arg))
    };
    ($arg:ident i32) => {
        concat!("\nint32_t ", stringify!($arg))
    };
    ($arg:ident i64) => {
        concat!("\nint64_t ", stringify!($arg))
    };
    ($arg:ident time) => {
        c_decl_param!($arg i64)
    };
    ($arg:ident recordings) => {
        "\nconst uint8_t *const *wavs\nconst size_t *wav_lens\nconst char *const *prompts\nsize_t count"
    };
}

/// The out-parameters of one result kind, as the header writes them.
macro_rules! c_decl_result {
    (bytes) => {
        "\nuint8_t **out_data\nsize_t *out_len"
    };
    (json) => {
        "\nchar **out_json"
    };
    (template) => {
        "\nfloat *out_template\nsize_t out_len"
    };
    (opt_template) => {
        "\nfloat *out_template\nsize_t out_len\nbool *out_found"
    };
    (comparison) => {
        "\nfloat *out_distance\nfloat *out_threshold\nbool *out_same_person"
    };
    (step) => {
        "\nuint32_t elapsed_ms\nchar **out_json"
    };
    (decision) => {
        "\nchar **out_json"
    };
}

/// The first parameter of a call as the header writes it: a liveness session's calls
/// (`step`, `decision`) take the session, the others their engine, signer or verifier.
macro_rules! c_decl_receiver {
    (step, $recv:ident) => {
        "CertifyLivenessSession *session"
    };
    (decision, $recv:ident) => {
        "CertifyLivenessSession *session"
    };
    ($ret:ident, face) => {
        "const CertifyFaceEngine *engine"
    };
    ($ret:ident, voice) => {
        "const CertifyVoiceEngine *engine"
    };
    ($ret:ident, evidence_signer) => {
        "const CertifyEvidenceSigner *signer"
    };
    ($ret:ident, evidence_verifier) => {
        "const CertifyEvidenceVerifier *verifier"
    };
}

/// The handle each receiver of the definition names (`face` → `FaceReceiver` …).
type FaceReceiver = CertifyFaceEngine;
type VoiceReceiver = CertifyVoiceEngine;
type EvidenceSignerReceiver = CertifyEvidenceSigner;
type EvidenceVerifierReceiver = CertifyEvidenceVerifier;

/// Every call's function, and the header's declarations of them.
macro_rules! c_engine_calls {
    ($(
        $(#[doc = $doc:literal])*
        fn $recv:ident.$name:ident($($arg:ident: $kind:ident),* $(,)?) -> $ret:ident $(($record:ident))? = $call:path;
    )*) => {
        $(
            c_engine_call!(@args [$(#[doc = $doc])*] $recv $name [$ret] $call; [] [] []; $($arg: $kind,)*);
        )*

        /// The C declarations of the functions above for the header: the receiver (`face`,
        /// `voice`, `liveness`, `evidence_signer`, `evidence_verifier`), the function's name, doc lines (the call's, then its result kind's),
        /// parameters (one per line).
        pub const ENGINE_CALL_DECLARATIONS: &[(&str, &str, &[&str], &str)] = &[$(
            pastey::paste!((
                stringify!($recv),
                stringify!([<certify_ $recv _ $name>]),
                &[$($doc,)* c_result_doc!($ret)],
                concat!(
                    c_decl_receiver!($ret, $recv)
                    $(, c_decl_param!($arg $kind))*, c_decl_result!($ret)),
            ))
        ),*];
    };
}

certify_bridge::engine_calls!(c_engine_calls);

/// The caller's template buffer, checked: non-NULL and at least 128 floats.
///
/// # Safety
/// `p` is NULL or writable for `len` floats.
unsafe fn template_out<'a>(p: *mut f32, len: usize) -> Result<&'a mut [f32], CertifyStatus> {
    if p.is_null() {
        return Err(CertifyStatus::NullArgument);
    }
    if len < CERTIFY_FACE_TEMPLATE_LEN {
        return Err(CertifyStatus::BufferTooSmall);
    }
    // SAFETY: non-null and writable for len >= 128 floats per the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts_mut(p, CERTIFY_FACE_TEMPLATE_LEN) })
}

/// A caller's template, non-NULL; the bridge refuses any length but 128 (102), as for the
/// other bindings.
///
/// # Safety
/// `p` is NULL or readable for `len` floats.
unsafe fn template_arg<'a>(p: *const f32, len: usize) -> Result<&'a [f32], CertifyStatus> {
    if p.is_null() {
        return Err(CertifyStatus::NullArgument);
    }
    // SAFETY: non-null and readable for len floats per the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// Recordings from the C arrays: `count` WAV buffers of `wav_lens[i]` bytes, each reading
/// `prompts[i]`.
///
/// # Safety
/// The arrays are NULL or readable for `count` entries; each buffer readable for its length
/// and each prompt NUL-terminated.
unsafe fn recordings_arg<'a>(
    wavs: *const *const u8,
    wav_lens: *const usize,
    prompts: *const *const c_char,
    count: usize,
) -> Result<Vec<(&'a [u8], &'a str)>, CertifyStatus> {
    if wavs.is_null() || wav_lens.is_null() || prompts.is_null() {
        return Err(CertifyStatus::NullArgument);
    }
    let mut recordings = Vec::with_capacity(count);
    for i in 0..count {
        // SAFETY: the arrays are readable for count entries per the contract.
        let (wav, len, prompt) = unsafe { (*wavs.add(i), *wav_lens.add(i), *prompts.add(i)) };
        recordings.push((unsafe { bytes_arg(wav, len) }?, unsafe { str_arg(prompt) }?));
    }
    Ok(recordings)
}
