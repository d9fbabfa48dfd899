#!/usr/bin/env bash
# Fetch what certify's engines and tests need, from package registries only (PyPI):
#   .deps/onnxruntime/libonnxruntime.so   ONNX Runtime 1.31.1 from the PyPI `onnxruntime` wheel
#   .deps/testdata/face/                  real photographs: PyPI `face_recognition==1.3.0` sdist
#                                         (tests/test_images), scikit-image's astronaut.png,
#                                         npm @vladmandic/face-api demo group photos
#   .deps/testdata/voice/                 digit recordings generated with Debian espeak-ng + sox
#   .deps/testdata/human/                 real speech from Debian klettres-data/ktuberling-data
# Idempotent: files already present are kept. Needs python3 with pip, and npm.
#
#   ./scripts/setup.sh run    what the demo and the server run on: ONNX Runtime and the
#                             demo's photographs (face_recognition's test images)
#   ./scripts/setup.sh test   (default) everything the tests need on top: the other test
#                             photographs, the voice sets, Kotlin, JNA, valgrind, Chromium
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-test}"
case "$MODE" in run|test) ;; *) echo "usage: $0 [run|test]" >&2; exit 2;; esac
DEPS="$PWD/.deps"
ORT_VERSION=1.31.1
mkdir -p "$DEPS/onnxruntime" "$DEPS/testdata/face" "$DEPS/wheels"

pip_get() { # pip_get <requirement> [pip args...]
  python3 -m pip download --quiet --no-deps -d "$DEPS/wheels" "$@"
}
extract() { # extract <archive> <member> <dest>
  python3 - "$1" "$2" "$3" <<'PY'
import sys, zipfile, tarfile, shutil
archive, member, dest = sys.argv[1:]
if archive.endswith('.whl') or archive.endswith('.zip'):
    with zipfile.ZipFile(archive) as z, z.open(member) as src, open(dest, 'wb') as out:
        shutil.copyfileobj(src, out)
else:
    with tarfile.open(archive) as t, t.extractfile(member) as src, open(dest, 'wb') as out:
        shutil.copyfileobj(src, out)
PY
}

# 1. ONNX Runtime shared library.
LIB="$DEPS/onnxruntime/libonnxruntime.so.$ORT_VERSION"
if [ ! -f "$LIB" ]; then
  echo "setup: fetching onnxruntime $ORT_VERSION (PyPI wheel)"
  pip_get --only-binary=:all: --python-version 3.11 --platform manylinux_2_28_x86_64 "onnxruntime==$ORT_VERSION"
  extract "$(ls "$DEPS"/wheels/onnxruntime-$ORT_VERSION-*.whl | head -1)" "onnxruntime/capi/libonnxruntime.so.$ORT_VERSION" "$LIB"
fi
ln -sf "libonnxruntime.so.$ORT_VERSION" "$DEPS/onnxruntime/libonnxruntime.so"

# 2. Test photographs.
FACE="$DEPS/testdata/face"
if [ ! -f "$FACE/obama.jpg" ]; then
  echo "setup: fetching face_recognition 1.3.0 test images (PyPI sdist)"
  pip_get --no-binary=:all: --no-build-isolation "face_recognition==1.3.0" 2>/dev/null || pip_get --no-binary=:all: "face_recognition==1.3.0"
  SDIST="$(ls "$DEPS"/wheels/face_recognition-1.3.0.tar.gz)"
  for f in obama.jpg obama2.jpg obama3.jpg biden.jpg obama_partial_face.jpg obama_partial_face2.jpg obama_small.jpg obama-720p.jpg obama-1080p.jpg 32bit.png; do
    extract "$SDIST" "face_recognition-1.3.0/tests/test_images/$f" "$FACE/$f" 2>/dev/null || true
  done
fi
if [ "$MODE" = run ]; then
  rm -rf "$DEPS/wheels"
  # 9. moto (PyPI): an S3-compatible server on loopback, for the test of object-store inputs.
if [ ! -x "$DEPS/venv-s3/bin/moto_server" ]; then
  echo "setup: installing moto[server] 5.2.5 (PyPI)"
  python3 -m venv "$DEPS/venv-s3"
  "$DEPS/venv-s3/bin/pip" install --quiet "moto[server]==5.2.5"
fi

echo "setup: ORT_DYLIB_PATH=$DEPS/onnxruntime/libonnxruntime.so"
  exit 0
fi
if [ ! -f "$FACE/astronaut.png" ]; then
  echo "setup: fetching scikit-image's astronaut.png (PyPI wheel)"
  pip_get --only-binary=:all: --python-version 3.11 --platform manylinux_2_17_x86_64 "scikit-image==0.24.0"
  extract "$(ls "$DEPS"/wheels/scikit_image-0.24.0-*.whl | head -1)" "skimage/data/astronaut.png" "$FACE/astronaut.png"
fi
if [ ! -f "$FACE/group6.jpg" ]; then
  echo "setup: fetching face-api demo group photos (npm @vladmandic/face-api 1.7.15)"
  (cd "$DEPS/wheels" && npm pack --silent @vladmandic/face-api@1.7.15 >/dev/null)
  for i in 1 2 3 4 5 6; do
    extract "$DEPS/wheels/vladmandic-face-api-1.7.15.tgz" "package/demo/sample$i.jpg" "$FACE/group$i.jpg"
  done
fi
rm -rf "$DEPS/wheels"

# 3. Voice test set: Debian espeak-ng (Mandarin) and sox.
VOICE="$DEPS/testdata/voice"
VOICE_VERSION="$(sed -n 's/^VERSION = "\(.*\)"$/\1/p' scripts/gen_voice.py)"
if [ ! -f "$VOICE/manifest.tsv" ] || [ "$(cat "$VOICE/VERSION" 2>/dev/null)" != "$VOICE_VERSION" ]; then
  if ! command -v espeak-ng >/dev/null || ! command -v sox >/dev/null; then
    echo "setup: installing espeak-ng and sox (Debian)"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq espeak-ng sox >/dev/null
  fi
  echo "setup: generating the voice test set (espeak-ng cmn voices)"
  python3 scripts/gen_voice.py "$VOICE"
fi
HUMAN="$DEPS/testdata/human"
HUMAN_VERSION="$(sed -n 's/^VERSION = "\(.*\)"$/\1/p' scripts/gen_human.py)"
if [ ! -f "$HUMAN/manifest.tsv" ] || [ "$(cat "$HUMAN/VERSION" 2>/dev/null)" != "$HUMAN_VERSION" ]; then
  echo "setup: real speech for speaker calibration (Debian klettres-data, ktuberling-data)"
  python3 scripts/gen_human.py "$HUMAN"
fi
# 4. Kotlin compiler (npm kotlin-compiler, runs on the installed JDK) and JNA (Debian),
#    for the Kotlin tests of the UniFFI bindings.
if [ ! -x "$DEPS/kotlin/node_modules/kotlin-compiler/bin/kotlinc" ]; then
  echo "setup: installing kotlin-compiler 2.4.20 (npm)"
  mkdir -p "$DEPS/kotlin"
  (cd "$DEPS/kotlin" && npm install --silent --no-audit --no-fund kotlin-compiler@2.4.20 >/dev/null)
fi
if [ ! -f /usr/share/java/jna.jar ]; then
  echo "setup: installing libjna-java (Debian)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libjna-java >/dev/null
fi

# 5. valgrind (Debian), for the memcheck run of the C tests; patchelf, with which the C
#    library's install step writes its versioned soname.
if ! command -v valgrind >/dev/null || ! command -v patchelf >/dev/null; then
  echo "setup: installing valgrind and patchelf (Debian)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq valgrind patchelf >/dev/null
fi

# 6. Headless Chromium (Debian) and puppeteer-core (npm), for the review console test.
if ! command -v chromium >/dev/null; then
  echo "setup: installing chromium (Debian)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
# Without a CJK font every Chinese character of the console renders as an empty box.
if ! grep -qi "Noto Sans CJK" <<<"$(fc-list 2>/dev/null)"; then
  echo "setup: installing fonts-noto-cjk (Debian; Chinese in the browser tests)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fonts-noto-cjk fontconfig >/dev/null
fi
if [ ! -d "$DEPS/node/node_modules/puppeteer-core" ]; then
  echo "setup: installing puppeteer-core 24.9.0 (npm; drives the Debian chromium, downloads no browser)"
  mkdir -p "$DEPS/node"
  (cd "$DEPS/node" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --silent --no-audit --no-fund puppeteer-core@24.9.0 >/dev/null)
fi

# 7. openapi-spec-validator (PyPI) in its own virtual environment, for the API document.
if [ ! -x "$DEPS/venv-oas/bin/openapi-spec-validator" ]; then
  echo "setup: installing openapi-spec-validator 0.9.0 (PyPI)"
  python3 -m venv "$DEPS/venv-oas"
  "$DEPS/venv-oas/bin/pip" install --quiet "openapi-spec-validator==0.9.0"
fi

# 8. maturin (PyPI) in its own virtual environment: builds the Python wheel of the bindings.
if [ ! -x "$DEPS/venv-maturin/bin/maturin" ]; then
  echo "setup: installing maturin 1.16.0 (PyPI)"
  python3 -m venv "$DEPS/venv-maturin"
  "$DEPS/venv-maturin/bin/pip" install --quiet "maturin==1.16.0"
fi

# 9. moto (PyPI): an S3-compatible server on loopback, for the test of object-store inputs.
if [ ! -x "$DEPS/venv-s3/bin/moto_server" ]; then
  echo "setup: installing moto[server] 5.2.5 (PyPI)"
  python3 -m venv "$DEPS/venv-s3"
  "$DEPS/venv-s3/bin/pip" install --quiet "moto[server]==5.2.5"
fi

echo "setup: ORT_DYLIB_PATH=$DEPS/onnxruntime/libonnxruntime.so"
