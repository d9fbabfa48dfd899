#!/usr/bin/env bash
# Package the Java API as a user installs it:
#   OUT/certify-VERSION.jar  cn.certify classes + native/linux-x86_64/libcertify_android.so
#                            (the host library; Certify loads it from the jar when it is not
#                            on java.library.path)
#   OUT/certify-VERSION.aar  the Android archive: AndroidManifest.xml, classes.jar,
#                            jni/ABI/libcertify_android.so for every Android target built
#                            (cargo ndk; see bindings/jni/README.md), assets/certify/models/
#                            (the models with SHA256SUMS: copy them to a directory on first
#                            start and pass that directory to FaceEngine / VoiceEngine)
# Usage: bindings/jni/package.sh OUT [debug|release]   (default release)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
OUT=${1:?usage: bindings/jni/package.sh OUT [debug|release]}
PROFILE=${2:-release}
. bindings/package-common.sh
build_package "$PROFILE" certify-android
VERSION=$(workspace_version)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
WORK="$OUT/.work"; rm -rf "$WORK"; mkdir -p "$WORK/classes" "$WORK/jar/native/linux-x86_64" "$WORK/aar"
# Java 11 bytecode: what Android's D8 and every current JVM read.
javac -encoding UTF-8 --release 11 -d "$WORK/classes" bindings/jni/java/cn/certify/*.java
LIB="target/$PROFILE/libcertify_android.so"
cp "$LIB" "$WORK/jar/native/linux-x86_64/"
[ "$PROFILE" = release ] && strip --strip-unneeded "$WORK/jar/native/linux-x86_64/libcertify_android.so"
cp -r "$WORK/classes/cn" "$WORK/jar/"
JAR="$OUT/certify-$VERSION.jar"; rm -f "$JAR"
(cd "$WORK/jar" && jar --create --file "$JAR" .)
# The Android archive.
(cd "$WORK/classes" && jar --create --file "$WORK/aar/classes.jar" .)
cat > "$WORK/aar/AndroidManifest.xml" <<XML
<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="cn.certify">
    <uses-sdk android:minSdkVersion="24" />
</manifest>
XML
mkdir -p "$WORK/aar/assets/certify/models"
cp models/*.onnx models/SHA256SUMS models/MANIFEST.md "$WORK/aar/assets/certify/models/"
abis=0
for pair in aarch64-linux-android:arm64-v8a armv7-linux-androideabi:armeabi-v7a x86_64-linux-android:x86_64; do
  triple=${pair%%:*}; abi=${pair##*:}
  so="target/$triple/$PROFILE/libcertify_android.so"
  if [ -f "$so" ]; then mkdir -p "$WORK/aar/jni/$abi"; cp "$so" "$WORK/aar/jni/$abi/"; abis=$((abis + 1)); fi
done
AAR="$OUT/certify-$VERSION.aar"; rm -f "$AAR"
(cd "$WORK/aar" && zip -qr "$AAR" .)
rm -rf "$WORK"
echo "packaged $JAR ($(du -h "$JAR" | cut -f1)) and $AAR ($(du -h "$AAR" | cut -f1), $abis Android ABIs)"
[ "$abis" -gt 0 ] || echo "no Android library was built (needs the NDK: see bindings/jni/README.md); the AAR has classes, manifest and models only"
