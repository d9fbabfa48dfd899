//! Cost of the C boundary: the same identity check through `certify_id_check` (C ABI:
//! NUL-terminated string in, struct out, panic guard, status code) and through the Rust
//! call directly. `cargo bench -p certify-benches --bench ffi`.
#![allow(missing_docs, clippy::unwrap_used)]
// Calling the C ABI is the point of this benchmark.
#![allow(unsafe_code)]

use certify_core::id::ResidentId;
use std::ffi::CString;
use std::time::Instant;

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
}
