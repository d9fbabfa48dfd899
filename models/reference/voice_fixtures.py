"""Reference values for the Rust voice front-end, from features.py (plain numpy, checked
against librosa) and onnxruntime, written to crates/certify-voice/tests/fixtures/features.json.

    /tmp/venv/bin/python models/reference/voice_fixtures.py

The input is a synthetic, exactly reproducible 2.5 s signal (tones + LCG noise), the same
in the Rust test, so no audio file is needed.
"""
import json, os, sys
import numpy as np
import onnxruntime as ort
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import features as F
from voice_fixtures_signal import signal

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


x = signal()
mel = F.resemblyzer_mel(x)
mf = F.mfcc(x, n_mfcc=13)
wav = F.normalize_volume(x, -30.0)
sl = F.resemblyzer_partials(len(wav))
need = sl[-1][1] * 160
if need >= len(wav):
    wav = np.pad(wav, (0, need - len(wav)))
m = F.resemblyzer_mel(wav)
batch = np.stack([m[a:b] for a, b in sl]).astype(np.float32)
s = ort.InferenceSession(os.path.join(ROOT, 'models', 'resemblyzer_ge2e.onnx'), providers=['CPUExecutionProvider'])
e = s.run(None, {'mels': batch})[0].mean(0)
e = e / np.linalg.norm(e)
out = dict(n=len(x), mel_shape=list(mel.shape), mel_rows={str(i): mel[i].tolist() for i in (0, 7, 100, len(mel) - 1)},
           mfcc_shape=list(mf.shape), mfcc_rows={str(i): mf[i].tolist() for i in (0, 50, len(mf) - 1)},
           slices=[list(map(int, t)) for t in sl], embedding=e.tolist())
dst = os.path.join(ROOT, 'crates', 'certify-voice', 'tests', 'fixtures', 'features.json')
os.makedirs(os.path.dirname(dst), exist_ok=True)
json.dump(out, open(dst, 'w'))
print('wrote', dst, mel.shape, mf.shape, len(sl))
