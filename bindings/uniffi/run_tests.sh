#!/usr/bin/env bash
# Build the Python wheel (maturin) and run the Python tests from a fresh virtual environment
# with the wheel installed; generate the UniFFI bindings (library mode) and run the Kotlin
# tests on the host JVM (npm kotlin-compiler + Debian libjna-java, from scripts/setup.sh).
# Swift sources are generated too; bindings/swift/run_tests.sh compiles and tests them.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
# A live head's frames (a real photograph re-rendered in 3-D) for the liveness tests.
[ -f target/live-frames/frame_000.jpg ] || cargo run --quiet --locked -p certify-face --example live_frames -- \
  .deps/testdata/face/obama.jpg target/live-frames shake_head,nod
# An enrollment upload set (card front, back, selfie, the authority's portrait, a forged set).
[ -f target/enrollment-images/dark_photo.png ] || cargo run --quiet --locked -p certify-face --example enrollment_images -- \
  .deps/testdata/face target/enrollment-images
# The bindings live in the one Android library (bindings/android): the tests load that .so.
cargo build --quiet --locked ${CERTIFY_CARGO_SELECT:--p certify-android -p uniffi-bindgen}
LIB="$ROOT/target/debug/libcertify_android.so"
OUT="$ROOT/target/uniffi"
for lang in python kotlin swift; do
  "$ROOT/target/debug/uniffi-bindgen" generate --library "$LIB" --language "$lang" --out-dir "$OUT/$lang" >/dev/null
done
echo "== Python: the wheel (maturin, bindings/python), installed into a fresh virtual environment"
rm -rf "$OUT/wheels" "$OUT/venv-wheel"
"$ROOT/.deps/venv-maturin/bin/maturin" build --quiet --locked -m bindings/python/Cargo.toml --out "$OUT/wheels" \
  --compatibility linux
python3 -m venv "$OUT/venv-wheel"
"$OUT/venv-wheel/bin/pip" install --quiet --no-index "$OUT"/wheels/certify-*.whl
echo "   $(basename "$OUT"/wheels/certify-*.whl) ($(du -h "$OUT"/wheels/certify-*.whl | cut -f1))"
echo "== Python tests of the UniFFI bindings, importing the installed wheel"
(cd "$OUT" && CERTIFY_ROOT="$ROOT" "$OUT/venv-wheel/bin/python" -I "$ROOT/bindings/uniffi/tests/python/test_certify.py")
echo "== Kotlin tests of the UniFFI bindings (host JVM, JNA)"
KOTLINC="$ROOT/.deps/kotlin/node_modules/kotlin-compiler/bin/kotlinc"
"$KOTLINC" -nowarn "$OUT/kotlin/uniffi/certify/certify.kt" bindings/uniffi/tests/kotlin/CertifyTest.kt \
  -cp /usr/share/java/jna.jar -include-runtime -d "$OUT/kotlin-test.jar" 2>&1 | grep -v "^warning" || true
java -Djna.library.path="$ROOT/target/debug" -cp "$OUT/kotlin-test.jar:/usr/share/java/jna.jar" CertifyTestKt "$ROOT"
echo "== Symbols of the one Android library"
bindings/android/check_symbols.sh
