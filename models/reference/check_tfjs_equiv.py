"""Check a converted ONNX model against its TFJS original (run_tfjs_graph.mjs, pure-JS CPU
backend) on random inputs and on real face crops: prints the largest absolute difference.

    TFJS_DIR=<folder with node_modules/@tensorflow/tfjs> python check_tfjs_equiv.py model.json model.onnx SIZE [face.jpg ...]
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnxruntime as ort
import shutil

here = os.path.dirname(os.path.abspath(__file__))
# ES modules resolve packages from the script's folder: run a copy beside node_modules.
tfjs_dir = os.environ["TFJS_DIR"]
runner = os.path.join(tfjs_dir, "run_tfjs_graph.mjs")
shutil.copy(os.path.join(here, "run_tfjs_graph.mjs"), runner)
model_json, onnx_path, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = np.random.default_rng(7)
batches = [rng.random((4, size, size, 3), dtype=np.float32)]
for photo in sys.argv[4:]:
    from PIL import Image

    img = Image.open(photo).convert("RGB").resize((size, size))
    batches.append(np.asarray(img, dtype=np.float32)[None] / 255.0)
sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
worst = 0.0
with tempfile.TemporaryDirectory() as t:
    for i, x in enumerate(batches):
        inp, outp = os.path.join(t, f"in{i}.f32"), os.path.join(t, f"out{i}.f32")
        x.astype(np.float32).tofile(inp)
        subprocess.run(
            ["node", runner, os.path.abspath(model_json), inp, ",".join(map(str, x.shape)), outp],
            check=True,
        )
        ref = np.fromfile(outp, dtype=np.float32)
        got = sess.run(None, {sess.get_inputs()[0].name: x})[0].ravel()
        worst = max(worst, float(np.abs(ref - got).max()))
        print(f"batch {i}: tfjs {ref[:4]} onnx {got[:4]}")
print(f"max abs difference: {worst:.3g}")
sys.exit(0 if worst < 1e-4 else 1)
