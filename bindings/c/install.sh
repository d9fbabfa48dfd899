#!/usr/bin/env bash
# Install the C library as a system package would lay it out:
#   PREFIX/lib/libcertify.so.X.Y.Z  (soname libcertify.so.X.Y; symlinks .so.X.Y and .so)
#   PREFIX/lib/libcertify.a
#   PREFIX/include/certify.h
#   PREFIX/lib/pkgconfig/certify.pc   (pkg-config --cflags --libs [--static] certify)
# Usage: bindings/c/install.sh PREFIX [release|debug]   (default release; builds it first)
# A program then builds with
#   cc app.c $(PKG_CONFIG_PATH=PREFIX/lib/pkgconfig pkg-config --cflags --libs certify)
# and needs ONNX Runtime's library at run time only for the engines (its path is passed in).
set -euo pipefail
cd "$(dirname "$0")/../.."
PREFIX=${1:?usage: bindings/c/install.sh PREFIX [release|debug]}
PROFILE=${2:-release}
. bindings/package-common.sh
build_package "$PROFILE" certify-c
VERSION=$(workspace_version)
IFS=. read -r MAJOR MINOR _ <<< "$VERSION"
if [ "$MAJOR" = 0 ]; then ABI="0.$MINOR"; else ABI="$MAJOR"; fi
SONAME="libcertify.so.$ABI"
BUILT="target/$PROFILE/libcertify.so"
# The soname is written into the installed copy (patchelf), not by a build script: Cargo
# hands a dependency's `rustc-cdylib-link-arg` to every cdylib that depends on it, so the one
# Android library, which carries the C API, was named libcertify.so.0.1 too.
command -v patchelf >/dev/null || { echo "install.sh needs patchelf (Debian: apt-get install patchelf)" >&2; exit 1; }
mkdir -p "$PREFIX/lib/pkgconfig" "$PREFIX/include"
PREFIX=$(cd "$PREFIX" && pwd)
install -m 0755 "$BUILT" "$PREFIX/lib/libcertify.so.$VERSION"
patchelf --set-soname "$SONAME" "$PREFIX/lib/libcertify.so.$VERSION"
grep -q "(SONAME).*\[$SONAME\]" <<<"$(readelf -d "$PREFIX/lib/libcertify.so.$VERSION")" ||
  { echo "the installed library has no soname $SONAME" >&2; exit 1; }
[ "$PROFILE" = release ] && strip --strip-unneeded "$PREFIX/lib/libcertify.so.$VERSION"
ln -sf "libcertify.so.$VERSION" "$PREFIX/lib/$SONAME"
ln -sf "$SONAME" "$PREFIX/lib/libcertify.so"
install -m 0644 "target/$PROFILE/libcertify.a" "$PREFIX/lib/libcertify.a"
install -m 0644 include/certify.h "$PREFIX/include/certify.h"
cat > "$PREFIX/lib/pkgconfig/certify.pc" <<PC
prefix=$PREFIX
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: certify
Description: Remote pension entitlement certification (养老保险待遇领取资格认证): C API
Version: $VERSION
Libs: -L\${libdir} -lcertify
Libs.private: -lpthread -ldl -lm
Cflags: -I\${includedir}
PC
echo "installed certify $VERSION (soname $SONAME) under $PREFIX"
