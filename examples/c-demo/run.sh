#!/usr/bin/env bash
# Install libcertify under target/c-demo/prefix (header, versioned soname, pkg-config file)
# and build and run the C demo against the installed copy, as a user's program would.
set -euo pipefail
cd "$(dirname "$0")/../.."
PREFIX="$PWD/target/c-demo/prefix"
bindings/c/install.sh "$PREFIX" debug >/dev/null
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
gcc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags certify) examples/c-demo/demo.c -o target/c-demo/demo \
  $(pkg-config --libs certify) -Wl,-rpath,"$PREFIX/lib"
# The enrollment upload the demo's face engine reviews (card, back, selfie, authority portrait).
[ -f target/enrollment-images/reference.png ] || cargo run --quiet --locked -p certify-face --example enrollment_images -- \
  .deps/testdata/face target/enrollment-images
./target/c-demo/demo "$PWD"
