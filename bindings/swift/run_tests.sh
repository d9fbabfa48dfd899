#!/usr/bin/env bash
# Compile the generated Swift bindings with a real Swift compiler and run the Swift tests
# (tests/main.swift) against the one native library, as the Kotlin and Python tests do.
#
# Debian bookworm has no Swift; Debian trixie's `swiftlang` (Swift 6.0.3, from Debian's own
# archive, like every other package here) runs in a debootstrap root under
# target/swift-root, made once (about a minute, 3.2 GB). The repository is mounted into it
# read-only; the compiled test stays inside the root. Needs root (chroot, mount).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
SWIFT_ROOT="$ROOT/target/swift-root"
MIRROR="${CERTIFY_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
if [ ! -x "$SWIFT_ROOT/usr/libexec/swift/bin/swiftc" ]; then
  echo "== a Debian trixie root with swiftlang (once): $SWIFT_ROOT"
  command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null
  rm -rf "$SWIFT_ROOT"
  debootstrap --variant=minbase trixie "$SWIFT_ROOT" "$MIRROR" >/dev/null
  chroot "$SWIFT_ROOT" sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends swiftlang libc6-dev libstdc++-14-dev && apt-get clean && rm -rf /var/lib/apt/lists/*' >/dev/null
fi
# The bindings as an app gets them: uniffi-bindgen's Swift for the library the tests load.
LIB="$ROOT/target/debug/libcertify_android.so"
[ -f "$LIB" ] || cargo build --quiet --locked ${CERTIFY_CARGO_SELECT:--p certify-android -p uniffi-bindgen}
[ -x "$ROOT/target/debug/uniffi-bindgen" ] || cargo build --quiet --locked -p uniffi-bindgen
"$ROOT/target/debug/uniffi-bindgen" generate --library "$LIB" --language swift --out-dir "$ROOT/target/uniffi/swift" >/dev/null
# Test inputs (as for the Kotlin and Python tests).
[ -f target/live-frames/frame_000.jpg ] || cargo run --quiet --locked -p certify-face --example live_frames -- \
  .deps/testdata/face/obama.jpg target/live-frames shake_head,nod
[ -f target/enrollment-images/dark_photo.png ] || cargo run --quiet --locked -p certify-face --example enrollment_images -- \
  .deps/testdata/face target/enrollment-images

mkdir -p "$SWIFT_ROOT/certify" "$SWIFT_ROOT/proc"
unmount() { umount "$SWIFT_ROOT/certify" 2>/dev/null || true; umount "$SWIFT_ROOT/proc" 2>/dev/null || true; }
trap unmount EXIT
mountpoint -q "$SWIFT_ROOT/proc" || mount -t proc proc "$SWIFT_ROOT/proc"
mountpoint -q "$SWIFT_ROOT/certify" || { mount --bind "$ROOT" "$SWIFT_ROOT/certify" &&
  mount -o remount,bind,ro "$SWIFT_ROOT/certify"; }
echo "== Swift: the generated certify.swift and tests/main.swift compiled by $(chroot "$SWIFT_ROOT" swiftc --version 2>/dev/null | head -1)"
chroot "$SWIFT_ROOT" sh -eu -c '
  G=/certify/target/uniffi/swift
  mkdir -p /build && cd /build
  swiftc -O -module-name CertifyTests -Xcc -fmodule-map-file=$G/certifyFFI.modulemap -I $G \
    $G/certify.swift /certify/bindings/swift/tests/main.swift \
    -L /certify/target/debug -lcertify_android -o certify-swift-tests
  echo "== Swift tests of the UniFFI bindings"
  LD_LIBRARY_PATH=/certify/target/debug ./certify-swift-tests /certify
  echo "== Package.swift (for apps; its XCFramework is built on a Mac) evaluated by SwiftPM"
  rm -rf /build/package && mkdir -p /build/package/Sources/Certify
  cp /certify/bindings/swift/Package.swift /build/package/
  cp $G/certify.swift /build/package/Sources/Certify/
  cd /build/package && swift package dump-package > manifest.json
  grep -q "\"name\" : \"certifyFFI\"" manifest.json && grep -q "\"type\" : \"binary\"" manifest.json &&
    grep -q "\"path\" : \"build/certifyFFI.xcframework\"" manifest.json ||
    { echo "Package.swift does not declare the certifyFFI binary target"; exit 1; }
  echo "   library Certify over the binary target certifyFFI (build/certifyFFI.xcframework)"'
