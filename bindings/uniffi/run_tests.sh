#!/usr/bin/env bash
# Generate the UniFFI bindings (library mode) and run the Python tests against the library.
# Kotlin and Swift sources are generated too (compiling them is documented in README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
cargo build --quiet --locked -p certify-uniffi -p uniffi-bindgen
LIB="$ROOT/target/debug/libcertify_uniffi.so"
OUT="$ROOT/target/uniffi"
for lang in python kotlin swift; do
  "$ROOT/target/debug/uniffi-bindgen" generate --library "$LIB" --language "$lang" --out-dir "$OUT/$lang" >/dev/null
done
cp "$LIB" "$OUT/python/"
echo "== Python tests of the UniFFI bindings"
CERTIFY_ROOT="$ROOT" PYTHONPATH="$OUT/python" python3 bindings/uniffi/tests/python/test_certify.py
