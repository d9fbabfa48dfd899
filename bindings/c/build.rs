//! Regenerates `include/certify.h` from the exported items (CI checks it is committed).
fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    match cbindgen::generate(&dir) {
        Ok(bindings) => {
            bindings.write_to_file(format!("{dir}/../../include/certify.h"));
        }
        Err(e) => println!("cargo:warning=cbindgen: {e}"),
    }
}
