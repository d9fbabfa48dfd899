//! Runs the pinned cbindgen over `bindings/c` into `OUT_DIR/cbindgen.h`; the library adds
//! the status enum and its test compares the result with the committed `include/certify.h`.
#![allow(clippy::expect_used)]

fn main() {
    let dir = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let c_crate = dir.join("..");
    println!("cargo:rerun-if-changed={}", c_crate.join("src").display());
    println!("cargo:rerun-if-changed={}", c_crate.join("cbindgen.toml").display());
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    cbindgen::generate(&c_crate)
        .expect("cbindgen reads bindings/c")
        .write_to_file(out.join("cbindgen.h"));
}
