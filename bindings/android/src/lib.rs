//! `libcertify_android.so`: one shared library for Android apps carrying the JNI exports
//! (`Java_cn_certify_*`, for the Java API), the UniFFI scaffolding (`uniffi_certify_*`, for
//! the generated Kotlin) and the C API (`certify_*`). Linking both binding crates here
//! re-exports their `#[no_mangle]` functions; `bindings/android/check_symbols.sh` verifies
//! that every symbol the Java classes and the generated Kotlin/Python look up is present.

// Force the binding crates into the link so their exported symbols are kept.
pub use certify as c_bindings;
pub use certify_jni as jni_bindings;
pub use certify_uniffi as uniffi_bindings;
