//! Cost of the C boundary: the same identity check through `certify_id_check` (C ABI:
//! NUL-terminated string in, struct out, panic guard, status code) and through the Rust
//! call directly; and one liveness frame (a 640×480 JPEG: decode, detection, landmarks, the
//! session step) in pure Rust and through `certify_liveness_push_frame`. The frame is
//! written to `target/bench-frame-640x480.jpg` for the Python and Java runs of
//! `benches/bindings.sh`. `cargo bench -p certify-benches --bench ffi`.
#![allow(missing_docs, clippy::unwrap_used)]
// Calling the C ABI is the point of this benchmark.
#![allow(unsafe_code)]

use certify_core::id::ResidentId;
use std::ffi::{CStr, CString};
use std::path::PathBuf;
use std::time::Instant;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn p50(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One liveness frame, pure Rust vs the C API, on the same JPEG bytes.
fn liveness_frame(frames: usize) {
    let photo = std::fs::read(root().join(".deps/testdata/face/obama.jpg")).expect("run scripts/setup.sh");
    let img = certify_face::image_io::decode(&photo).unwrap();
    let w = img.width() * 480 / img.height();
    let scaled = image::imageops::resize(&img, w, 480, image::imageops::FilterType::Triangle);
    let mut frame = image::RgbImage::from_pixel(640, 480, image::Rgb([90, 90, 90]));
    image::imageops::overlay(&mut frame, &scaled, (640 - i64::from(w)) / 2, 0);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&frame)
        .unwrap();
    let out = root().join("target/bench-frame-640x480.jpg");
    std::fs::write(&out, &jpeg).unwrap();

    let models = root().join("models");
    let engine = std::sync::Arc::new(
        certify_face::FaceEngine::load(certify_face::FaceEngineConfig::new(&models)).expect("engine"),
    );
    let now = certify_core::time::Timestamp::from_unix_seconds(1_600_000_000);
    let challenge = certify_core::liveness::LivenessChallenge::draw(&mut certify_core::rand_core::OsRng, now);
    let mut run = certify_face::LivenessRun::new(
        std::sync::Arc::clone(&engine),
        certify_core::liveness::LivenessSession::new(challenge, certify_core::liveness::LivenessConfig::default()),
    )
    .unwrap();
    // Warm up ONNX Runtime and the caches before timing either path.
    for i in 0..5 {
        let img = certify_face::image_io::decode(&jpeg).unwrap();
        std::hint::black_box(run.push_image(&img, 10 * i).unwrap());
    }
    let models_c = CString::new(models.to_str().unwrap()).unwrap();
    let mut c_engine = std::ptr::null_mut();
    let mut session = std::ptr::null_mut();
    // SAFETY: valid strings and out-parameters; handles freed below.
    unsafe {
        assert_eq!(
            certify::certify_face_engine_new(models_c.as_ptr(), std::ptr::null(), &mut c_engine),
            certify::CertifyStatus::Ok
        );
        let actions = CString::new(r#"["nod"]"#).unwrap();
        assert_eq!(
            certify::certify_liveness_start(c_engine, actions.as_ptr(), 1_600_000_000, &mut session),
            certify::CertifyStatus::Ok
        );
    }
    for i in 0..5 {
        let mut event = std::ptr::null_mut();
        // SAFETY: as below.
        unsafe {
            certify::certify_liveness_push_frame(session, jpeg.as_ptr(), jpeg.len(), 10 * i, &mut event);
            certify::certify_string_free(event);
        }
    }
    // Interleaved, so both paths see the same machine state.
    let (mut rust, mut c) = (Vec::with_capacity(frames), Vec::with_capacity(frames));
    for i in 0..frames {
        let t = Instant::now();
        let img = certify_face::image_io::decode(&jpeg).unwrap();
        std::hint::black_box(run.push_image(&img, 100 * i as u32).unwrap());
        rust.push(t.elapsed().as_secs_f64() * 1000.0);
        let mut event = std::ptr::null_mut();
        let t = Instant::now();
        // SAFETY: a live session, a readable buffer, a writable out-parameter.
        let s = unsafe {
            certify::certify_liveness_push_frame(session, jpeg.as_ptr(), jpeg.len(), 100 * i as u32, &mut event)
        };
        c.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(s, certify::CertifyStatus::Ok);
        // SAFETY: a string returned by the library.
        unsafe {
            std::hint::black_box(CStr::from_ptr(event));
            certify::certify_string_free(event);
        }
    }
    // SAFETY: handles from the calls above, freed once.
    unsafe {
        certify::certify_liveness_free(session);
        certify::certify_face_engine_free(c_engine);
    }
    println!(
        "ffi liveness frame 640x480 JPEG: Rust p50 {:.2} ms, C ABI p50 {:.2} ms ({} frames; frame at {})",
        p50(rust),
        p50(c),
        frames,
        out.display()
    );
}

fn main() {
    let n: u32 = if std::env::args().any(|a| a == "--bench") {
        2_000_000
    } else {
        1000
    };
    let text = "11010519491231002X";
    let c_text = CString::new(text).unwrap();
    let mut info = std::mem::MaybeUninit::<certify::CertifyIdInfo>::uninit();
    let mut best = (f64::INFINITY, f64::INFINITY);
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..n {
            let id = ResidentId::parse(std::hint::black_box(text)).unwrap();
            std::hint::black_box(id.birth_date());
        }
        best.0 = best.0.min(t.elapsed().as_secs_f64() / f64::from(n));
        let t = Instant::now();
        for _ in 0..n {
            // SAFETY: valid NUL-terminated input and a writable out-parameter.
            let s = unsafe { certify::certify_id_check(std::hint::black_box(c_text.as_ptr()), info.as_mut_ptr()) };
            assert_eq!(s, certify::CertifyStatus::Ok);
        }
        best.1 = best.1.min(t.elapsed().as_secs_f64() / f64::from(n));
    }
    println!(
        "ffi id check: Rust {:.0} ns, C ABI {:.0} ns, boundary overhead {:.0} ns per call",
        best.0 * 1e9,
        best.1 * 1e9,
        (best.1 - best.0) * 1e9
    );
    liveness_frame(if std::env::args().any(|a| a == "--bench") {
        60
    } else {
        3
    });
}
