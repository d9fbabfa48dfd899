#!/usr/bin/env bash
# Build the JNI library, compile the Java API and tests with javac, run them on the host
# JVM with -Xcheck:jni.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
# A live head's frames (a real photograph re-rendered in 3-D) for the liveness tests.
[ -f target/live-frames/frame_000.jpg ] || cargo run --quiet --locked -p certify-face --example live_frames -- \
  .deps/testdata/face/obama.jpg target/live-frames shake_head,nod
# The JNI exports live in the one Android library (bindings/android).
cargo build --quiet --locked ${CERTIFY_CARGO_SELECT:--p certify-android}
OUT="$ROOT/target/jni-tests"; rm -rf "$OUT"; mkdir -p "$OUT"
javac -encoding UTF-8 -d "$OUT" bindings/jni/java/cn/certify/*.java bindings/jni/tests/java/CertifyTest.java
echo "== Java tests of the JNI bindings (-Xcheck:jni)"
java -Xcheck:jni -Dfile.encoding=UTF-8 -Djava.library.path="$ROOT/target/debug" -cp "$OUT" CertifyTest "$ROOT"
