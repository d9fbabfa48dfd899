#!/usr/bin/env bash
# Build certify and walk through a whole certification story (register, lock and
# unlock, enroll, certify, miss a deadline, be suspended, certify, be resumed with back pay).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh run >/dev/null
export ORT_DYLIB_PATH="$PWD/.deps/onnxruntime/libonnxruntime.so"
cargo run --quiet --release --locked -p certify-cli --bin certify -- demo
