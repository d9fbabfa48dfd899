#!/usr/bin/env bash
# One liveness frame (the same 640x480 JPEG) through each binding vs pure Rust, release
# builds: Rust and C from the ffi bench, then Python (UniFFI) and Java (JNI) on
# libcertify_android.so, then JNI against UniFFI Kotlin (JNA) in one JVM. Prints medians.
# Needs scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export ORT_DYLIB_PATH="${ORT_DYLIB_PATH:-$ROOT/.deps/onnxruntime/libonnxruntime.so}"
cargo bench --quiet --locked -p certify-benches --bench ffi -- --bench
cargo build --quiet --locked --release -p certify-android -p uniffi-bindgen
LIB="$ROOT/target/release/libcertify_android.so"
OUT="$ROOT/target/bench-bindings"; mkdir -p "$OUT"
"$ROOT/target/release/uniffi-bindgen" generate --library "$LIB" --language python --out-dir "$OUT/python" >/dev/null
cp "$LIB" "$OUT/python/"
PYTHONPATH="$OUT/python" python3 - "$ROOT" <<'PY'
import statistics, sys, time
import certify
root = sys.argv[1]
frame = open(f"{root}/target/bench-frame-640x480.jpg", "rb").read()
engine = certify.FaceEngine(f"{root}/models", None)
run = engine.start_liveness_with_actions(["nod"], 1600000000)
times = []
for i in range(60):
    t = time.perf_counter()
    run.push_frame(frame, 100 * i)
    times.append((time.perf_counter() - t) * 1000)
print(f"python (UniFFI) liveness frame p50 {statistics.median(times):.2f} ms")
PY
javac -encoding UTF-8 -d "$OUT/java" bindings/jni/java/cn/certify/*.java bindings/jni/tests/java/LivenessBench.java
java -Djava.library.path="$ROOT/target/release" -cp "$OUT/java" LivenessBench "$ROOT"
# JNI vs UniFFI's Kotlin over JNA in one JVM, on the same library (the Android choice).
KOTLINC="$ROOT/.deps/kotlin/node_modules/kotlin-compiler/bin/kotlinc"
"$ROOT/target/release/uniffi-bindgen" generate --library "$LIB" --language kotlin --out-dir "$OUT/kotlin" >/dev/null
"$KOTLINC" -nowarn "$OUT/kotlin/uniffi/certify/certify.kt" benches/jvm/JniVsJna.kt \
  -cp "/usr/share/java/jna.jar:$OUT/java" -include-runtime -d "$OUT/jni-vs-jna.jar" 2>&1 | grep -v "^warning" || true
java -Djava.library.path="$ROOT/target/release" -Djna.library.path="$ROOT/target/release" \
  -cp "$OUT/jni-vs-jna.jar:$OUT/java:/usr/share/java/jna.jar" JniVsJnaKt "$ROOT"
