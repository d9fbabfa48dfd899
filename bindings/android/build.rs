//! The library's soname, `libcertify_android.so` (Android's loader warns about libraries
//! without one, and a program linked against it records this name). `check_symbols.sh`
//! checks it.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux" || os == "android") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcertify_android.so");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
