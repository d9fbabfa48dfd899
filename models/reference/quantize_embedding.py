"""Static int8 (QDQ, per-channel weights) version of the face embedding model, calibrated on
aligned face chips written by `cargo run -p certify-face --example embedding_chips` (with
mirrored and brightness-shifted copies). Evaluate with `face_calibrate` before use.

    python quantize_embedding.py faceapi_recognition_dlib128.onnx chips.f32 out.onnx
"""
import sys

import numpy as np
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static


class Chips(CalibrationDataReader):
    def __init__(self, path):
        raw = np.fromfile(path, dtype=np.float32).reshape(-1, 150, 150, 3)
        variants = [raw, raw[:, :, ::-1, :], np.clip(raw * 0.7, 0, 255), np.clip(raw * 1.2 + 10, 0, 255)]
        self.items = iter([{"input": c[None].astype(np.float32)} for v in variants for c in v])

    def get_next(self):
        return next(self.items, None)


model, chips, out = sys.argv[1:4]
quantize_static(
    model,
    out,
    Chips(chips),
    quant_format=QuantFormat.QDQ,
    per_channel=True,
    weight_type=QuantType.QInt8,
    activation_type=QuantType.QUInt8,
)
print("wrote", out)
