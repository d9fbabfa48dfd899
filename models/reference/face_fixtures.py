"""Reference values for the Rust face pipeline, from facepipe.py (numpy + OpenCV +
onnxruntime), written to crates/certify-face/tests/fixtures/facepipe.json.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy opencv-python-headless onnxruntime
    /tmp/venv/bin/python models/reference/face_fixtures.py

The Rust test `crosscheck` compares detection, landmarks, measures and embeddings with
these numbers; the fixture is committed, so CI needs no Python.
"""
import json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from facepipe import *  # noqa

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
PHOTOS = os.path.join(ROOT, '.deps', 'testdata', 'face')
KEEP = [1, 10, 13, 14, 33, 61, 78, 133, 152, 234, 263, 291, 308, 362, 454]
det, mesh, emb = BlazeFace('mp_short'), FaceMesh(), Embedder('faceapi_dlib128')
out = {}
for name in ['obama.jpg', 'obama2.jpg', 'obama3.jpg', 'biden.jpg', 'astronaut.png']:
    rgb = cv2.cvtColor(cv2.imread(os.path.join(PHOTOS, name), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    d = det.detect(rgb)[0]
    lm, flag, _ = mesh.run(rgb, d)
    v, _ = emb(rgb, five_points(lm))
    out[name] = dict(
        box=[float(x) for x in d['box']], score=d['score'], keypoints=d['kps'].tolist(),
        landmarks={str(i): [float(x) for x in lm[i]] for i in KEEP}, presence=flag,
        ear=[float(ear(lm, R_EYE)), float(ear(lm, L_EYE))], mar=float(mar(lm)),
        yaw_ratio=yaw_ratio(lm), embedding=[float(x) for x in v])
dst = os.path.join(ROOT, 'crates', 'certify-face', 'tests', 'fixtures', 'facepipe.json')
os.makedirs(os.path.dirname(dst), exist_ok=True)
json.dump(out, open(dst, 'w'), indent=1)
print('wrote', dst)
