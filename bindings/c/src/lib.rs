//! # certify C API
//!
//! Conventions (after rustls-ffi): every call returns a [`CertifyStatus`] (0 = OK);
//! results go to out-parameters, written only on success; buffers are pointer + length;
//! opaque handles come in `_new`/`_free` pairs; every pointer is NULL-checked; panics are
//! caught at the boundary and returned as `CERTIFY_STATUS_PANIC`. Strings are UTF-8,
//! NUL-terminated. See `bindings/c/README.md` and `include/certify.h`.

mod status;

pub use status::{ALL as ALL_STATUSES, CertifyStatus, ToStatus};

use certify_core::cycle::{CyclePolicy, CycleStatus};
use certify_core::id::{IdKind, ResidentId, Sex};
use certify_core::name::PersonName;
use certify_core::time::{YearMonth, format_date, parse_date};
use certify_face::{FaceEngine, FaceEngineConfig};
use std::ffi::{CStr, c_char};
use std::path::PathBuf;

/// Length of a face template (floats).
pub const CERTIFY_FACE_TEMPLATE_LEN: usize = 128;

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

/// The message of a status code: a static NUL-terminated English string, never NULL
/// ("unknown status" for numbers not in the table).
#[unsafe(no_mangle)]
pub extern "C" fn certify_status_message(status: u32) -> *const c_char {
    status::ALL
        .iter()
        .find(|s| **s as u32 == status)
        .map_or("unknown status\0", |s| s.message())
        .as_ptr()
        .cast()
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
        let id = ResidentId::parse(text).map_err(|e| e.status())?;
        let b = id.birth_date();
        *out_info = CertifyIdInfo {
            normalized: copy_cstr(id.as_str()),
            region_code: copy_cstr(id.region_code()),
            birth_year: b.year(),
            birth_month: u8::from(b.month()),
            birth_day: b.day(),
            sex: match id.sex() {
                Sex::Male => 1,
                Sex::Female => 2,
            },
            kind: match id.kind() {
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
        let (a, b) = (
            PersonName::new(a).map_err(|e| e.status())?,
            PersonName::new(b).map_err(|e| e.status())?,
        );
        *out_matches = a.matches(&b);
        Ok(())
    })
}

/// A person's certification status on a day.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CertifyCycleStatus {
    /// 1 certified, 2 due, 3 overdue.
    pub kind: u8,
    /// Due and in the warning period.
    pub warning: bool,
    /// Certified: the certification date; due/overdue: the deadline (YYYY-MM-DD).
    pub date: [c_char; 11],
    /// Overdue: the first unpaid month (YYYY-MM); else empty.
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
        let policy: CyclePolicy =
            serde_json::from_str(unsafe { str_arg(policy_json) }?).map_err(|_| CertifyStatus::PolicyInvalid)?;
        policy.validate().map_err(|_| CertifyStatus::PolicyInvalid)?;
        let last = match unsafe { opt_str_arg(last_certified) }? {
            Some(t) => Some(parse_date(t).ok_or(CertifyStatus::DateInvalid)?),
            None => None,
        };
        let start: YearMonth = unsafe { str_arg(pension_start) }?
            .parse()
            .map_err(|_| CertifyStatus::DateInvalid)?;
        let today = parse_date(unsafe { str_arg(today) }?).ok_or(CertifyStatus::DateInvalid)?;
        let out_status = unsafe { out(out_status) }?;
        *out_status = match policy.status_on(last, start, today) {
            CycleStatus::Certified { on, .. } => CertifyCycleStatus {
                kind: 1,
                warning: false,
                date: copy_cstr(&format_date(on)),
                suspend_from: [0; 8],
            },
            CycleStatus::Due { deadline, warning } => CertifyCycleStatus {
                kind: 2,
                warning,
                date: copy_cstr(&format_date(deadline)),
                suspend_from: [0; 8],
            },
            CycleStatus::Overdue { deadline, suspend_from } => CertifyCycleStatus {
                kind: 3,
                warning: false,
                date: copy_cstr(&format_date(deadline)),
                suspend_from: copy_cstr(&suspend_from.to_string()),
            },
            CycleStatus::Suspended { from } => CertifyCycleStatus {
                kind: 4,
                warning: false,
                date: [0; 11],
                suspend_from: copy_cstr(&from.to_string()),
            },
        };
        Ok(())
    })
}

/// A loaded face engine. Thread-safe: one handle may be used from several threads at once
/// (calls on one model are serialised inside).
pub struct CertifyFaceEngine(FaceEngine);

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
    ffi!({
        let dir = unsafe { str_arg(models_dir) }?;
        let lib = unsafe { opt_str_arg(runtime_library) }?;
        let out_engine = unsafe { out(out_engine) }?;
        let mut config = FaceEngineConfig::new(dir);
        config.runtime_library = lib.map(PathBuf::from);
        let engine = FaceEngine::load(config).map_err(|e| e.status())?;
        *out_engine = Box::into_raw(Box::new(CertifyFaceEngine(engine)));
        Ok(())
    })
}

/// Release a face engine (NULL is ignored).
///
/// # Safety
/// `engine` is NULL or a handle from `certify_face_engine_new` not yet freed, and no other
/// thread uses it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_face_engine_free(engine: *mut CertifyFaceEngine) {
    if !engine.is_null() {
        // SAFETY: created by Box::into_raw in certify_face_engine_new, freed once.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(unsafe { Box::from_raw(engine) })));
    }
}

/// The face template (128 floats) of the single, good-quality face in a JPEG/PNG image.
/// `CERTIFY_STATUS_FACE_QUALITY` when the photo is not usable.
///
/// # Safety
/// `engine` a live handle; `image` readable for `image_len` bytes; `out_template` writable
/// for `out_len` floats (at least `CERTIFY_FACE_TEMPLATE_LEN`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_face_template(
    engine: *const CertifyFaceEngine,
    image: *const u8,
    image_len: usize,
    out_template: *mut f32,
    out_len: usize,
) -> CertifyStatus {
    ffi!({
        let engine = unsafe { engine.as_ref() }.ok_or(CertifyStatus::NullArgument)?;
        if image.is_null() || out_template.is_null() {
            return Err(CertifyStatus::NullArgument);
        }
        if out_len < CERTIFY_FACE_TEMPLATE_LEN {
            return Err(CertifyStatus::BufferTooSmall);
        }
        // SAFETY: readable for image_len bytes per the contract.
        let bytes = unsafe { std::slice::from_raw_parts(image, image_len) };
        let img = certify_face::image_io::decode(bytes).map_err(|e| e.status())?;
        let t = engine.0.template(&img).map_err(|e| e.status())?;
        // SAFETY: writable for out_len >= 128 floats per the contract.
        let dst = unsafe { std::slice::from_raw_parts_mut(out_template, CERTIFY_FACE_TEMPLATE_LEN) };
        dst.copy_from_slice(&t.embedding[..CERTIFY_FACE_TEMPLATE_LEN]);
        Ok(())
    })
}

/// Compare two face templates: Euclidean distance and the decision at the engine's
/// threshold.
///
/// # Safety
/// `engine` a live handle; `a`, `b` readable for `len` floats (`len` must be
/// `CERTIFY_FACE_TEMPLATE_LEN`); out-parameters writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certify_face_compare(
    engine: *const CertifyFaceEngine,
    a: *const f32,
    b: *const f32,
    len: usize,
    out_distance: *mut f32,
    out_match: *mut bool,
) -> CertifyStatus {
    ffi!({
        let engine = unsafe { engine.as_ref() }.ok_or(CertifyStatus::NullArgument)?;
        if a.is_null() || b.is_null() {
            return Err(CertifyStatus::NullArgument);
        }
        if len != CERTIFY_FACE_TEMPLATE_LEN {
            return Err(CertifyStatus::InvalidArgument);
        }
        let (out_distance, out_match) = (unsafe { out(out_distance) }?, unsafe { out(out_match) }?);
        let t = |p: *const f32| certify_face::embed::FaceTemplate {
            // SAFETY: readable for len floats per the contract.
            embedding: unsafe { std::slice::from_raw_parts(p, len) }.to_vec(),
        };
        let c = engine.0.compare(&t(a), &t(b));
        *out_distance = c.distance;
        *out_match = c.decision == certify_core::biometric::MatchDecision::Match;
        Ok(())
    })
}
