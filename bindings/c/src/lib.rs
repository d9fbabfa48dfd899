//! # certify C API
//!
//! Conventions (after rustls-ffi): every call returns a [`CertifyStatus`] (0 = OK);
//! results go to out-parameters, written only on success; buffers are pointer + length;
//! opaque handles come in `_new`/`_free` pairs; every pointer is NULL-checked; panics are
//! caught at the boundary and returned as `CERTIFY_STATUS_PANIC`. Strings are UTF-8,
//! NUL-terminated. See `bindings/c/README.md` and `include/certify.h`.

pub use certify_bridge::{CertifyStatus, ToStatus};
use certify_bridge::{engines as bridge, ops};

use certify_bridge::results::Results as _;
use certify_core::id::{IdKind, Sex};
use certify_face::FaceEngine;
use std::ffi::{CStr, CString, c_char};
use std::path::PathBuf;

/// Length of a face template (floats).
pub const CERTIFY_FACE_TEMPLATE_LEN: usize = 128;
const _: () = assert!(CERTIFY_FACE_TEMPLATE_LEN == certify_bridge::FACE_TEMPLATE_LEN);

macro_rules! ffi {
    ($body:block) => {{
        let run = std::panic::AssertUnwindSafe(|| -> Result<(), CertifyStatus> { $body });
        match std::panic::catch_unwind(run) {
            Ok(Ok(())) => CertifyStatus::Ok,
            Ok(Err(status)) => status,
            Err(_) => CertifyStatus::Panic,
        }
    }};
}

mod engine_calls;
mod frames;
pub use engine_calls::*;
pub use frames::{CertifyCameraFrame, CertifyFrameFormat};

/// Read a required NUL-terminated UTF-8 string.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string valid for the call.
unsafe fn str_arg<'a>(p: *const c_char) -> Result<&'a str, CertifyStatus> {
    if p.is_null() {
        return Err(CertifyStatus::NullArgument);
    }
    // SAFETY: non-null and NUL-terminated per the caller's contract.
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .map_err(|_| CertifyStatus::InvalidUtf8)
}

/// Read an optional string (NULL → `None`).
///
/// # Safety
/// As [`str_arg`].
unsafe fn opt_str_arg<'a>(p: *const c_char) -> Result<Option<&'a str>, CertifyStatus> {
    if p.is_null() {
        Ok(None)
    } else {
        unsafe { str_arg(p) }.map(Some)
    }
}

/// A required out-parameter.
///
/// # Safety
/// `p` is NULL or valid for writes of `T`.
unsafe fn out<'a, T>(p: *mut T) -> Result<&'a mut T, CertifyStatus> {
    // SAFETY: checked non-null; validity is the caller's contract.
    unsafe { p.as_mut() }.ok_or(CertifyStatus::NullArgument)
}

fn copy_cstr<const N: usize>(s: &str) -> [c_char; N] {
    let mut buf = [0 as c_char; N];
    for (d, b) in buf.iter_mut().zip(s.bytes().take(N - 1)) {
        *d = b as c_char;
    }
    buf
}

/// The English message of a status code: a static NUL-terminated string, never NULL
/// ("unknown status" for numbers not in the table).
#[unsafe(no_mangle)]
pub extern "C" fn certify_status_message(status: u32) -> *const c_char {
    certify_bridge::status::english_of_c(status).as_ptr()
}

/// The Chinese message of a status code (UTF-8), what a pensioner is shown: what went wrong
/// and what to do next. A static NUL-terminated string, never NULL (a general text for
/// numbers not in the table).
#[unsafe(no_mangle)]
pub extern "C" fn certify_status_message_zh(status: u32) -> *const c_char {
    certify_bridge::status::chinese_of_c(status).as_ptr()
}

/// What `certify_id_check` reads from a valid identity number.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CertifyIdInfo {
    /// The 18-character number (15-digit numbers upgraded), NUL-terminated.
    pub normalized: [c_char; 19],
    /// The 6-digit division code, NUL-terminated.
    pub region_code: [c_char; 7],
    /// Birth year.
    pub birth_year: i32,
    /// Birth month 1–12.
    pub birth_month: u8,
    /// Birth day 1–31.
    pub birth_day: u8,
    /// 1 male, 2 female.
    pub sex: u8,
    /// 1 resident card, 2 Hong Kong, 3 Macau, 4 Taiwan residence permit.
    pub kind: u8,
}

/// Validate a resident identity number (GB 11643-1999) and read its fields.
///
/// # Safety
/// `input` is a NUL-terminated string; `out` is valid for writes. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_id_check(input: *const c_char, out_info: *mut CertifyIdInfo) -> CertifyStatus {
    ffi!({
        let text = unsafe { str_arg(input) }?;
        let out_info = unsafe { out(out_info) }?;
        let id = certify_bridge::checks::id_check(text).map_err(from_fail)?;
        let (birth_year, birth_month, birth_day) = id.birth;
        *out_info = CertifyIdInfo {
            normalized: copy_cstr(&id.normalized),
            region_code: copy_cstr(&id.region_code),
            birth_year,
            birth_month,
            birth_day,
            sex: match id.sex {
                Sex::Male => 1,
                Sex::Female => 2,
            },
            kind: match id.kind {
                IdKind::ResidentCard => 1,
                IdKind::HongKongPermit => 2,
                IdKind::MacauPermit => 3,
                IdKind::TaiwanPermit => 4,
            },
        };
        Ok(())
    })
}

/// Whether two names are the same name written differently (traditional/simplified,
/// width, spaces, middle dots). Both must be valid names.
///
/// # Safety
/// `a`, `b` NUL-terminated strings; `out_matches` valid for writes. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_name_matches(
    a: *const c_char,
    b: *const c_char,
    out_matches: *mut bool,
) -> CertifyStatus {
    ffi!({
        let (a, b) = (unsafe { str_arg(a) }?, unsafe { str_arg(b) }?);
        let out_matches = unsafe { out(out_matches) }?;
        *out_matches = certify_bridge::checks::names_match(a, b).map_err(from_fail)?;
        Ok(())
    })
}

/// A person's certification status on a day.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CertifyCycleStatus {
    /// 1 certified, 2 due, 3 overdue, 4 suspended.
    pub kind: u8,
    /// Due and in the warning period.
    pub warning: bool,
    /// Certified: the certification date; due/overdue: the deadline (YYYY-MM-DD); empty
    /// when suspended.
    pub date: [c_char; 11],
    /// Overdue or suspended: the first unpaid month (YYYY-MM); else empty.
    pub suspend_from: [c_char; 8],
}

/// Certification status under a cycle policy given as JSON (e.g.
/// `{"kind":"natural_year","deadline":"10-31"}`), the latest certification date (NULL if
/// none), the first pension month `YYYY-MM`, and today `YYYY-MM-DD`.
///
/// # Safety
/// String arguments NUL-terminated (`last_certified` may be NULL); `out_status` valid for
/// writes. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_cycle_status(
    policy_json: *const c_char,
    last_certified: *const c_char,
    pension_start: *const c_char,
    today: *const c_char,
    out_status: *mut CertifyCycleStatus,
) -> CertifyStatus {
    ffi!({
        let (policy, start, today) = (
            unsafe { str_arg(policy_json) }?,
            unsafe { str_arg(pension_start) }?,
            unsafe { str_arg(today) }?,
        );
        let last = unsafe { opt_str_arg(last_certified) }?;
        let out_status = unsafe { out(out_status) }?;
        let c = certify_bridge::checks::cycle_status(policy, last, start, today).map_err(from_fail)?;
        *out_status = CertifyCycleStatus {
            kind: c.status as u8,
            warning: c.warning,
            date: copy_cstr(c.date.as_deref().unwrap_or("")),
            suspend_from: copy_cstr(c.suspend_from.as_deref().unwrap_or("")),
        };
        Ok(())
    })
}

/// A loaded face engine. Thread-safe: one handle may be used from several threads at once
/// (calls on one model are serialised inside).
pub struct CertifyFaceEngine(std::sync::Arc<FaceEngine>);

/// Load the face engine: models from `models_dir`, ONNX Runtime from `runtime_library`
/// (NULL: `ORT_DYLIB_PATH`, then `.deps/onnxruntime`). On success `*out_engine` owns a
/// handle to release with `certify_face_engine_free`.
///
/// # Safety
/// Strings NUL-terminated (`runtime_library` may be NULL); `out_engine` valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_face_engine_new(
    models_dir: *const c_char,
    runtime_library: *const c_char,
    out_engine: *mut *mut CertifyFaceEngine,
) -> CertifyStatus {
    // SAFETY: the same contract, with no options.
    unsafe { certify_face_engine_new_with_options(models_dir, runtime_library, std::ptr::null(), out_engine) }
}

/// Load the face engine with options: `options_json` NULL or
/// `{"antispoof":"human_antispoof"|"human_liveness","antispoof_dir":"<MiniFASNet folder>",
/// "antispoof_threshold":0.5,"match_threshold":0.5}` (every member optional; unknown
/// members are refused). Otherwise as `certify_face_engine_new`.
///
/// # Safety
/// As `certify_face_engine_new`; `options_json` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_face_engine_new_with_options(
    models_dir: *const c_char,
    runtime_library: *const c_char,
    options_json: *const c_char,
    out_engine: *mut *mut CertifyFaceEngine,
) -> CertifyStatus {
    ffi!({
        let dir = unsafe { str_arg(models_dir) }?;
        let lib = unsafe { opt_str_arg(runtime_library) }?;
        let options = unsafe { opt_str_arg(options_json) }?;
        let out_engine = unsafe { out(out_engine) }?;
        let config = bridge::face_config(dir, lib, options).map_err(from_fail)?;
        let engine = FaceEngine::load(config).map_err(|e| e.status())?;
        *out_engine = Box::into_raw(Box::new(CertifyFaceEngine(std::sync::Arc::new(engine))));
        Ok(())
    })
}

/// Load the face engine with its models from memory (an app's assets): `count` files, the
/// `i`-th named `names[i]` (`mp_face_landmark.onnx` …, and `SHA256SUMS` if shipped) with
/// `lens[i]` bytes at `data[i]`. Each model is checked against the sha256 pinned for it and
/// against the manifest when given (`CERTIFY_STATUS_MODEL_CHECKSUM`); the bytes are copied,
/// so the caller may free them on return. Options as `certify_face_engine_new_with_options`.
///
/// # Safety
/// `names`, `data`, `lens` readable for `count` entries; each name NUL-terminated, each
/// `data[i]` readable for `lens[i]` bytes; strings and `out_engine` as for
/// `certify_face_engine_new_with_options`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_face_engine_new_from_files(
    names: *const *const c_char,
    data: *const *const u8,
    lens: *const usize,
    count: usize,
    runtime_library: *const c_char,
    options_json: *const c_char,
    out_engine: *mut *mut CertifyFaceEngine,
) -> CertifyStatus {
    ffi!({
        let bundle = unsafe { model_bundle(names, data, lens, count) }?;
        let lib = unsafe { opt_str_arg(runtime_library) }?;
        let options = unsafe { opt_str_arg(options_json) }?;
        let out_engine = unsafe { out(out_engine) }?;
        let mut config = bridge::face_config("", lib, options).map_err(from_fail)?;
        config.model_bundle = Some(std::sync::Arc::new(bundle));
        let engine = FaceEngine::load(config).map_err(|e| e.status())?;
        *out_engine = Box::into_raw(Box::new(CertifyFaceEngine(std::sync::Arc::new(engine))));
        Ok(())
    })
}

/// Model files from the C arrays of `certify_face_engine_new_from_files` (copied).
///
/// # Safety
/// As that function's arrays.
unsafe fn model_bundle(
    names: *const *const c_char,
    data: *const *const u8,
    lens: *const usize,
    count: usize,
) -> Result<certify_face::runtime::ModelBundle, CertifyStatus> {
    if names.is_null() || data.is_null() || lens.is_null() {
        return Err(CertifyStatus::NullArgument);
    }
    let mut files = Vec::with_capacity(count);
    for i in 0..count {
        // SAFETY: each array readable for count entries per the contract.
        let (name, bytes, len) = unsafe { (*names.add(i), *data.add(i), *lens.add(i)) };
        let name = unsafe { str_arg(name) }?;
        let bytes = unsafe { bytes_arg(bytes, len) }?;
        files.push((name.to_owned(), bytes.to_vec()));
    }
    certify_face::runtime::ModelBundle::from_files(files).map_err(|e| e.status())
}

/// Drop a handle made by `Box::into_raw` (NULL is ignored; a panic in a destructor is caught:
/// nothing unwinds into C). Every `certify_*_free` is this.
///
/// # Safety
/// `handle` is NULL or came from `Box::into_raw` of a `Box<T>`, and is freed once.
unsafe fn free_handle<T>(handle: *mut T) {
    if !handle.is_null() {
        // SAFETY: per the contract above.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(unsafe { Box::from_raw(handle) })));
    }
}

/// Release a face engine (NULL is ignored).
///
/// # Safety
/// `engine` is NULL or a handle from `certify_face_engine_new` not yet freed, and no other
/// thread uses it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_face_engine_free(engine: *mut CertifyFaceEngine) {
    // SAFETY: NULL or made by Box::into_raw in certify_face_engine_new, freed once (the contract).
    unsafe { free_handle(engine) }
}

/// Pass as `now_unix` to use the system clock.
pub const CERTIFY_NOW_SYSTEM: i64 = i64::MIN;

/// Pass as `elapsed_ms` to time a liveness frame by the library's monotonic clock.
pub const CERTIFY_ELAPSED_MONOTONIC: u32 = 4_294_967_295;

fn clock(now_unix: i64) -> certify_core::time::Timestamp {
    bridge::now_or_system((now_unix != CERTIFY_NOW_SYSTEM).then_some(now_unix))
}

/// Hand a library-allocated string to the caller (freed with `certify_string_free`).
fn give_string(dst: &mut *mut c_char, text: String) -> Result<(), CertifyStatus> {
    // JSON escapes NUL, so this only fails on a bug.
    *dst = CString::new(text).map_err(|_| CertifyStatus::Panic)?.into_raw();
    Ok(())
}

fn from_fail(failure: bridge::Fail) -> CertifyStatus {
    failure.status
}

/// Free a string the library allocated (NULL is ignored).
///
/// # Safety
/// `s` is NULL or a string returned by this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_string_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: created by CString::into_raw in this library, freed once.
        drop(unsafe { CString::from_raw(s) });
    }
}

/// Free a byte buffer the library allocated (NULL is ignored); `len` as returned with it.
///
/// # Safety
/// `data`/`len` are NULL/any or a buffer returned by this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_bytes_free(data: *mut u8, len: usize) {
    if !data.is_null() {
        // SAFETY: created from a Box<[u8]> of exactly `len` bytes in this library.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(data, len)) });
    }
}

fn give_bytes(dst_data: &mut *mut u8, dst_len: &mut usize, bytes: Vec<u8>) {
    let boxed = bytes.into_boxed_slice();
    *dst_len = boxed.len();
    *dst_data = Box::into_raw(boxed).cast();
}

/// Run a whole-flow operation on the host's stored state: `op` is one of the operations
/// listed in `bindings/c/README.md` ("account.register", "account.login_password",
/// "enrollment.submit", "certification.by_app", "deadline.run", "payment.resume" …),
/// `request_json` its JSON object, `now_unix` the time (`CERTIFY_NOW_SYSTEM` for the system
/// clock). On success `*out_response` is the response JSON (free with `certify_string_free`);
/// a refusal by the rules is in its `"refused"` member, with the new state to store.
/// Fails with `CERTIFY_STATUS_JSON_INVALID` or `CERTIFY_STATUS_UNKNOWN_OPERATION` when the
/// request cannot be processed. Thread-safe.
///
/// # Safety
/// `op`, `request_json` NUL-terminated; `out_response` valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_call(
    op: *const c_char,
    request_json: *const c_char,
    now_unix: i64,
    out_response: *mut *mut c_char,
) -> CertifyStatus {
    ffi!({
        let (op, request) = (unsafe { str_arg(op) }?, unsafe { str_arg(request_json) }?);
        let out_response = unsafe { out(out_response) }?;
        let response = ops::call(op, request, clock(now_unix), &mut bridge::os_rng()).map_err(|f| f.status)?;
        give_string(out_response, response)
    })
}

/// A liveness session fed frame by frame. Not thread-safe: use one session from one thread
/// at a time (different sessions may run in parallel on one engine).
pub struct CertifyLivenessSession(bridge::LivenessSlot<std::sync::Arc<FaceEngine>>);

/// Start a liveness session on `engine` at `now_unix` (`CERTIFY_NOW_SYSTEM`: the clock):
/// `actions_json` a JSON array of action names (`["nod","blink"]`) when the server drew the
/// challenge, NULL to draw 2–3 random actions, or `[]` for silent mode (no actions; needs
/// an anti-spoof model, else `CERTIFY_STATUS_ANTISPOOF_REQUIRED`). Free with
/// `certify_liveness_free`; the engine must outlive the session.
///
/// # Safety
/// `engine` a live handle; `actions_json` NULL or NUL-terminated; `out_session` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_liveness_start(
    engine: *const CertifyFaceEngine,
    actions_json: *const c_char,
    now_unix: i64,
    out_session: *mut *mut CertifyLivenessSession,
) -> CertifyStatus {
    ffi!({
        let engine = unsafe { engine.as_ref() }.ok_or(CertifyStatus::NullArgument)?;
        let actions = match unsafe { opt_str_arg(actions_json) }? {
            None => None,
            Some(text) => {
                let names: Vec<String> = serde_json::from_str(text).map_err(|_| CertifyStatus::JsonInvalid)?;
                Some(bridge::parse_actions(&names).map_err(from_fail)?)
            }
        };
        let out_session = unsafe { out(out_session) }?;
        let run =
            bridge::start_liveness(std::sync::Arc::clone(&engine.0), actions, clock(now_unix)).map_err(from_fail)?;
        *out_session = Box::into_raw(Box::new(CertifyLivenessSession(Some(run))));
        Ok(())
    })
}

/// The session's actions as a JSON array of names, in order (free with `certify_string_free`).
///
/// # Safety
/// `session` a live handle; `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_liveness_actions(
    session: *const CertifyLivenessSession,
    out_json: *mut *mut c_char,
) -> CertifyStatus {
    ffi!({
        let session = unsafe { session.as_ref() }.ok_or(CertifyStatus::NullArgument)?;
        let names = bridge::liveness_actions(&session.0).map_err(from_fail)?;
        let out_json = unsafe { out(out_json) }?;
        give_string(out_json, serde_json::Value::from(names).to_string())
    })
}

/// Release a liveness session (NULL is ignored). Frames kept for matching are dropped.
///
/// # Safety
/// `session` NULL or a handle from `certify_liveness_start`, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_liveness_free(session: *mut CertifyLivenessSession) {
    // SAFETY: NULL or made by Box::into_raw in certify_liveness_start, freed once (the contract).
    unsafe { free_handle(session) }
}

/// Read a byte buffer argument (`len` may be 0 only with a non-NULL pointer).
///
/// # Safety
/// `p` NULL or readable for `len` bytes.
unsafe fn bytes_arg<'a>(p: *const u8, len: usize) -> Result<&'a [u8], CertifyStatus> {
    if p.is_null() {
        return Err(CertifyStatus::NullArgument);
    }
    // SAFETY: non-null and readable for len bytes per the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// A loaded voice engine. Thread-safe.
pub struct CertifyVoiceEngine(certify_voice::VoiceEngine);

/// Load the voice engine from `models_dir` (ONNX Runtime as for the face engine).
///
/// # Safety
/// As `certify_face_engine_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_voice_engine_new(
    models_dir: *const c_char,
    runtime_library: *const c_char,
    out_engine: *mut *mut CertifyVoiceEngine,
) -> CertifyStatus {
    ffi!({
        let dir = unsafe { str_arg(models_dir) }?;
        let lib = unsafe { opt_str_arg(runtime_library) }?;
        let out_engine = unsafe { out(out_engine) }?;
        let mut config = certify_voice::VoiceEngineConfig::new(dir);
        config.runtime_library = lib.map(PathBuf::from);
        let engine = certify_voice::VoiceEngine::load(config).map_err(|e| e.status())?;
        *out_engine = Box::into_raw(Box::new(CertifyVoiceEngine(engine)));
        Ok(())
    })
}

/// Load the voice engine with its models from memory (`silero_vad_16k_op15.onnx`,
/// `campplus_cn_en_common.onnx`, `resemblyzer_ge2e.onnx`, and `SHA256SUMS` if shipped), as
/// `certify_face_engine_new_from_files`.
///
/// # Safety
/// As `certify_face_engine_new_from_files`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_voice_engine_new_from_files(
    names: *const *const c_char,
    data: *const *const u8,
    lens: *const usize,
    count: usize,
    runtime_library: *const c_char,
    out_engine: *mut *mut CertifyVoiceEngine,
) -> CertifyStatus {
    ffi!({
        let bundle = unsafe { model_bundle(names, data, lens, count) }?;
        let lib = unsafe { opt_str_arg(runtime_library) }?;
        let out_engine = unsafe { out(out_engine) }?;
        let mut config = certify_voice::VoiceEngineConfig::from_bundle(bundle);
        config.runtime_library = lib.map(PathBuf::from);
        let engine = certify_voice::VoiceEngine::load(config).map_err(|e| e.status())?;
        *out_engine = Box::into_raw(Box::new(CertifyVoiceEngine(engine)));
        Ok(())
    })
}

/// Release a voice engine (NULL is ignored).
///
/// # Safety
/// `engine` NULL or a handle from `certify_voice_engine_new`, not yet freed, unused elsewhere.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_voice_engine_free(engine: *mut CertifyVoiceEngine) {
    // SAFETY: NULL or made by Box::into_raw in certify_voice_engine_new, freed once (the contract).
    unsafe { free_handle(engine) }
}

/// Digit prompts as a JSON array: with `enrolled_json` NULL, the five enrollment prompts;
/// with a JSON array of the enrollment prompts, one certification prompt that is none of them.
/// OS random generator. Thread-safe.
///
/// # Safety
/// `enrolled_json` NULL or NUL-terminated; `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_voice_prompts(
    enrolled_json: *const c_char,
    out_json: *mut *mut c_char,
) -> CertifyStatus {
    ffi!({
        let enrolled: Option<Vec<String>> = match unsafe { opt_str_arg(enrolled_json) }? {
            None => None,
            Some(t) => Some(serde_json::from_str(t).map_err(|_| CertifyStatus::JsonInvalid)?),
        };
        let out_json = unsafe { out(out_json) }?;
        give_string(
            out_json,
            serde_json::Value::from(bridge::voice_prompts(enrolled.as_deref())).to_string(),
        )
    })
}

/// Issue a single-use certification challenge for `subject_id` (`modality` "face" or
/// "voice"), valid `ttl_seconds` from `now_unix`. `*out_json` is the challenge for the host
/// to keep until the evidence arrives.
///
/// # Safety
/// Strings NUL-terminated; `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_challenge_issue(
    subject_id: *const c_char,
    modality: *const c_char,
    ttl_seconds: i64,
    now_unix: i64,
    out_json: *mut *mut c_char,
) -> CertifyStatus {
    ffi!({
        let (subject, modality) = (unsafe { str_arg(subject_id) }?, unsafe { str_arg(modality) }?);
        let out_json = unsafe { out(out_json) }?;
        let ch = bridge::issue_challenge(subject, modality, ttl_seconds, clock(now_unix)).map_err(from_fail)?;
        give_string(out_json, ch.to_json())
    })
}

/// A device's evidence-signing key (Ed25519). Thread-safe.
pub struct CertifyEvidenceSigner(certify_core::evidence::EvidenceSigner);

/// A signing key from a 32-byte seed, or from the OS random generator when `seed` is NULL.
///
/// # Safety
/// `seed` NULL or readable for 32 bytes; `out_signer` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_evidence_signer_new(
    seed: *const u8,
    out_signer: *mut *mut CertifyEvidenceSigner,
) -> CertifyStatus {
    ffi!({
        let out_signer = unsafe { out(out_signer) }?;
        let signer = if seed.is_null() {
            certify_core::evidence::EvidenceSigner::generate(&mut bridge::os_rng())
        } else {
            let mut s = [0u8; 32];
            // SAFETY: readable for 32 bytes per the contract.
            s.copy_from_slice(unsafe { std::slice::from_raw_parts(seed, 32) });
            certify_core::evidence::EvidenceSigner::from_seed(s)
        };
        *out_signer = Box::into_raw(Box::new(CertifyEvidenceSigner(signer)));
        Ok(())
    })
}

/// Release a signer (NULL is ignored).
///
/// # Safety
/// `signer` NULL or a live handle, not yet freed, unused elsewhere.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_evidence_signer_free(signer: *mut CertifyEvidenceSigner) {
    // SAFETY: NULL or made by Box::into_raw in certify_evidence_signer_new, freed once (the contract).
    unsafe { free_handle(signer) }
}

/// Verifies evidence on the server; each token is accepted once per verifier (an in-memory
/// replay guard; servers with several processes keep nonces in their database). Thread-safe.
pub struct CertifyEvidenceVerifier(bridge::OnceVerifier);

/// A verifier from the signer's 32-byte public key.
///
/// # Safety
/// `public_key` readable for 32 bytes; `out_verifier` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_evidence_verifier_new(
    public_key: *const u8,
    out_verifier: *mut *mut CertifyEvidenceVerifier,
) -> CertifyStatus {
    ffi!({
        let key = unsafe { bytes_arg(public_key, 32) }?;
        let out_verifier = unsafe { out(out_verifier) }?;
        let verifier = bridge::OnceVerifier::from_key(key).map_err(from_fail)?;
        *out_verifier = Box::into_raw(Box::new(CertifyEvidenceVerifier(verifier)));
        Ok(())
    })
}

/// Release a verifier (NULL is ignored).
///
/// # Safety
/// `verifier` NULL or a live handle, not yet freed, unused elsewhere.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_evidence_verifier_free(verifier: *mut CertifyEvidenceVerifier) {
    // SAFETY: NULL or made by Box::into_raw in certify_evidence_verifier_new, freed once (the contract).
    unsafe { free_handle(verifier) }
}
