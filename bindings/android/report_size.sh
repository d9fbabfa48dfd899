#!/usr/bin/env bash
# Report the stripped size of an optimised native library and fail above the budget
# (issue: keep the shipped .so at or under 8 MB; ONNX Runtime and the models are separate).
#
#   bindings/android/report_size.sh <lib.so> [budget bytes]
set -euo pipefail
LIB="$1"; BUDGET="${2:-$((8 * 1024 * 1024))}"
[ -f "$LIB" ] || { echo "no library at $LIB"; exit 1; }
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
cp "$LIB" "$TMP/lib.so"
strip --strip-unneeded "$TMP/lib.so"
BYTES=$(stat -c %s "$TMP/lib.so"); BUILT=$(stat -c %s "$LIB")
awk -v b="$BYTES" -v a="$BUILT" -v m="$BUDGET" 'BEGIN { printf "   %s: %.1f MB as built, %.1f MB stripped (budget %.1f MB)\n", "'"$(basename "$LIB")"'", a/1048576, b/1048576, m/1048576 }'
[ "$BYTES" -le "$BUDGET" ] || { echo "the stripped library is over its size budget"; exit 1; }
