#!/usr/bin/env bash
# Build the C library, check the committed header is current, and run the C tests against
# the shared and the static library under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
cargo build --quiet --locked -p certify-c
git diff --exit-code -- include/certify.h || { echo "include/certify.h is stale: commit the regenerated header"; exit 1; }
OUT="$ROOT/target/c-tests"; mkdir -p "$OUT"
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -g"
# ONNX Runtime (C++) keeps process-lifetime allocations; leaks inside it are not ours.
printf 'leak:libonnxruntime\n' > "$OUT/lsan.supp"
export LSAN_OPTIONS="suppressions=$OUT/lsan.supp" UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
gcc $SAN -std=c11 -Wall -Wextra -Werror -I include bindings/c/tests/test_c.c -o "$OUT/test_shared" -L target/debug -lcertify -Wl,-rpath,"$ROOT/target/debug" -lm
gcc $SAN -std=c11 -Wall -Wextra -Werror -I include bindings/c/tests/test_c.c -o "$OUT/test_static" target/debug/libcertify.a -lpthread -ldl -lm
echo "== C tests, shared library"; "$OUT/test_shared" "$ROOT"
echo "== C tests, static library"; "$OUT/test_static" "$ROOT"
