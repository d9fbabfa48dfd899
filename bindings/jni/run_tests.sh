#!/usr/bin/env bash
# Build the JNI library, compile the Java API and tests with javac, run them on the host
# JVM with -Xcheck:jni.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
# A live head's frames (a real photograph re-rendered in 3-D) for the liveness tests.
[ -f target/live-frames/frame_000.jpg ] || cargo run --quiet --locked -p certify-face --example live_frames -- \
  .deps/testdata/face/obama.jpg target/live-frames shake_head,nod
# An enrollment upload set (card front, back, selfie, the authority's portrait, a forged set).
[ -f target/enrollment-images/dark_photo.png ] || cargo run --quiet --locked -p certify-face --example enrollment_images -- \
  .deps/testdata/face target/enrollment-images
# The JNI exports live in the one Android library (bindings/android).
cargo build --quiet --locked ${CERTIFY_CARGO_SELECT:--p certify-android}
OUT="$ROOT/target/jni-tests"; rm -rf "$OUT"; mkdir -p "$OUT"
# The tests use the packaged jar, as a user would: the classes and the native library come
# from it (no java.library.path), so a jar that cannot load itself fails here.
bindings/jni/package.sh "$OUT/package" debug
. bindings/package-common.sh
VERSION=$(workspace_version)
JAR="$OUT/package/certify-$VERSION.jar"; AAR="$OUT/package/certify-$VERSION.aar"
grep -qx "native/linux-x86_64/libcertify_android.so" <<<"$(jar --list --file "$JAR")" || { echo "jar lacks the native library"; exit 1; }
# Listings are read whole before grep: `cmd | grep -q` under pipefail fails at random when grep
# stops at its first match and cmd dies of SIGPIPE (stop 19 failed so).
AAR_LISTING=$(unzip -l "$AAR")
for entry in AndroidManifest.xml classes.jar assets/certify/models/SHA256SUMS assets/certify/models/mp_face_landmark.onnx; do
  grep -q " $entry$" <<<"$AAR_LISTING" || { echo "AAR lacks $entry"; exit 1; }
done
unzip -p "$AAR" classes.jar > "$OUT/classes.jar"
grep -qx "cn/certify/Certify.class" <<<"$(jar --list --file "$OUT/classes.jar")" || { echo "AAR classes.jar lacks cn.certify.Certify"; exit 1; }
(cd "$OUT" && unzip -q -o "$AAR" 'assets/certify/models/*' && cd assets/certify/models && sha256sum --quiet -c SHA256SUMS) \
  || { echo "AAR models do not match SHA256SUMS"; exit 1; }
echo "   jar and AAR layout checked; AAR models match SHA256SUMS"
javac -encoding UTF-8 -cp "$JAR" -d "$OUT/test-classes" bindings/jni/tests/java/CertifyTest.java
echo "== Java tests of the JNI bindings from the packaged jar (-Xcheck:jni)"
java -Xcheck:jni -Dfile.encoding=UTF-8 -cp "$JAR:$OUT/test-classes" CertifyTest "$ROOT"
