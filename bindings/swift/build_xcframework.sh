#!/usr/bin/env bash
# Build certifyFFI.xcframework and Sources/Certify/certify.swift for Package.swift: the
# UniFFI symbols as a static library for iOS devices (arm64) and the simulator (arm64 and
# x86_64, one fat library), with the generated C header and module map.
#
# Runs on macOS with Xcode and rustup (xcodebuild, lipo, the Apple targets); it cannot run on
# Linux, where CI instead compiles the same generated Swift with swiftc and runs its tests
# (run_tests.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
command -v xcodebuild >/dev/null || { echo "build_xcframework.sh needs macOS with Xcode (xcodebuild)" >&2; exit 2; }
OUT="$ROOT/bindings/swift/build"
rm -rf "$OUT" && mkdir -p "$OUT/headers" "$OUT/simulator"
for target in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
  rustup target add "$target"
  # certify-uniffi alone (no JNI, no C API): its UniFFI scaffolding as a static library.
  cargo rustc --release --locked -p certify-uniffi --target "$target" --crate-type staticlib
done
lipo -create target/aarch64-apple-ios-sim/release/libcertify_uniffi.a target/x86_64-apple-ios/release/libcertify_uniffi.a \
  -output "$OUT/simulator/libcertify_uniffi.a"
# The Swift source, header and module map, generated from the host build of the same crate.
cargo build --release --locked -p certify-uniffi -p uniffi-bindgen
HOST_LIB="$(ls target/release/libcertify_uniffi.{dylib,so} 2>/dev/null | head -1)"
[ -n "$HOST_LIB" ] || cargo rustc --release --locked -p certify-uniffi --crate-type cdylib
HOST_LIB="$(ls target/release/libcertify_uniffi.{dylib,so} 2>/dev/null | head -1)"
target/release/uniffi-bindgen generate --library "$HOST_LIB" --language swift --out-dir "$OUT/generated"
cp "$OUT/generated/certifyFFI.h" "$OUT/headers/"
cp "$OUT/generated/certifyFFI.modulemap" "$OUT/headers/module.modulemap"
mkdir -p bindings/swift/Sources/Certify
cp "$OUT/generated/certify.swift" bindings/swift/Sources/Certify/certify.swift
xcodebuild -create-xcframework \
  -library target/aarch64-apple-ios/release/libcertify_uniffi.a -headers "$OUT/headers" \
  -library "$OUT/simulator/libcertify_uniffi.a" -headers "$OUT/headers" \
  -output "$OUT/certifyFFI.xcframework"
echo "bindings/swift/build/certifyFFI.xcframework and Sources/Certify/certify.swift are ready for Package.swift"
