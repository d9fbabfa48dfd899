//! A versioned soname for `libcertify.so` (`libcertify.so.0.1` for 0.1.x: before 1.0 a minor
//! version may change the ABI), so programs linked against it name the ABI they need.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".into());
    let minor = std::env::var("CARGO_PKG_VERSION_MINOR").unwrap_or_else(|_| "0".into());
    let abi = if major == "0" { format!("0.{minor}") } else { major };
    if os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcertify.so.{abi}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
