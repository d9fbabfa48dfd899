"""Minimal reference pipeline used only to sanity-check the ONNX files in models/.
BlazeFace (MediaPipe short-range, or keijiro back-256) -> rotated 192px crop -> FaceMesh 468 ->
5-point similarity alignment -> embedding models.  Pure numpy/cv2 + onnxruntime."""
import numpy as np, cv2, onnxruntime as ort, os

M = os.environ.get('CERTIFY_MODELS', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
def sess(name):
    return ort.InferenceSession(os.path.join(M, name), providers=['CPUExecutionProvider'])

# ---------------- BlazeFace ----------------
def ssd_anchors(size, strides):
    """MediaPipe SsdAnchorsCalculator with fixed_anchor_size, aspect 1.0 + interpolated => 2 anchors per layer."""
    anchors = []
    i = 0
    while i < len(strides):
        j = i
        while j < len(strides) and strides[j] == strides[i]:
            j += 1
        n_per_cell = 2 * (j - i)
        s = strides[i]; fm = int(np.ceil(size / s))
        for y in range(fm):
            for x in range(fm):
                for _ in range(n_per_cell):
                    anchors.append(((x + 0.5) / fm, (y + 0.5) / fm))
        i = j
    return np.array(anchors, np.float32)

class BlazeFace:
    def __init__(self, kind='mp_short'):
        self.kind = kind
        if kind == 'mp_short':
            self.s = sess('mp_face_detection_short_range.onnx'); self.size = 128
            self.anchors = ssd_anchors(128, [8, 16, 16, 16])
        elif kind == 'keijiro_back256':
            self.s = sess('face_detection_back_256x256_barracuda.onnx'); self.size = 256
            self.anchors = ssd_anchors(256, [16, 32, 32, 32])
        elif kind == 'keijiro_front128':
            self.s = sess('face_detection_front_128x128_barracuda.onnx'); self.size = 128
            self.anchors = ssd_anchors(128, [8, 16, 16, 16])
        self.inp = self.s.get_inputs()[0].name

    def raw(self, x):
        outs = self.s.run(None, {self.inp: x})
        if self.kind == 'mp_short':
            reg, cls = outs
            return reg[0], cls[0, :, 0]
        names = [o.name for o in self.s.get_outputs()]
        d = dict(zip(names, outs))
        cls = np.concatenate([d['Identity:0'][0, :, 0], d['Identity_1:0'][0, :, 0]])
        reg = np.concatenate([d['Identity_2:0'][0], d['Identity_3:0'][0]])
        return reg, cls

    def detect(self, rgb, thr=0.5, nms=0.3):
        h, w = rgb.shape[:2]; S = max(h, w)
        pad = np.zeros((S, S, 3), np.uint8); oy, ox = (S - h) // 2, (S - w) // 2
        pad[oy:oy + h, ox:ox + w] = rgb
        img = cv2.resize(pad, (self.size, self.size), interpolation=cv2.INTER_AREA).astype(np.float32)
        x = (img / 127.5 - 1.0)[None]
        reg, cls = self.raw(x)
        score = 1 / (1 + np.exp(-np.clip(cls, -100, 100)))
        idx = np.where(score > thr)[0]
        dets = []
        for i in idx[np.argsort(-score[idx])]:
            ax, ay = self.anchors[i]; r = reg[i] / self.size
            cx, cy, bw, bh = r[0] + ax, r[1] + ay, r[2], r[3]
            kps = np.stack([r[4::2][:6] + ax, r[5::2][:6] + ay], 1)
            box = np.array([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2])
            # back to original pixel coords
            box = box * S - [ox, oy, ox, oy]; kps = kps * S - [ox, oy]
            if all(iou(box, d['box']) < nms for d in dets):
                dets.append(dict(box=box, kps=kps, score=float(score[i])))
        return dets

def iou(a, b):
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0])); iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy; u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / u if u > 0 else 0

# ---------------- FaceMesh ----------------
class FaceMesh:
    def __init__(self):
        self.s = sess('mp_face_landmark.onnx'); self.inp = self.s.get_inputs()[0].name

    def run(self, rgb, det, scale=1.5):
        """Rotated square crop around the detection (MediaPipe style), returns 468x3 landmarks in image px."""
        b = det['box']; k = det['kps']
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        size = max(b[2] - b[0], b[3] - b[1]) * scale
        re, le = k[0], k[1]  # subject's right eye (image left), left eye
        angle = np.degrees(np.arctan2(le[1] - re[1], le[0] - re[0]))
        A = cv2.getRotationMatrix2D((cx, cy), angle, 192.0 / size)
        A[0, 2] += 96 - cx; A[1, 2] += 96 - cy
        crop = cv2.warpAffine(rgb, A, (192, 192), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        out = self.s.run(None, {self.inp: (crop.astype(np.float32) / 255.0)[None]})
        lm = out[0].reshape(468, 3); flag = 1 / (1 + np.exp(-out[1].ravel()[0]))
        Ai = cv2.invertAffineTransform(A)
        xy = lm[:, :2] @ Ai[:, :2].T + Ai[:, 2]
        z = lm[:, 2] * (size / 192.0)
        return np.concatenate([xy, z[:, None]], 1), float(flag), crop

# landmark indices (MediaPipe canonical mesh)
R_EYE = [33, 160, 158, 133, 153, 144]   # subject's right eye: outer, top1, top2, inner, bottom2, bottom1
L_EYE = [263, 387, 385, 362, 380, 373]
def ear(lm, e):
    p = lm[e, :2]
    return (np.linalg.norm(p[1] - p[5]) + np.linalg.norm(p[2] - p[4])) / (2 * np.linalg.norm(p[0] - p[3]))
def mar(lm):
    # inner lips 13 (upper) / 14 (lower), mouth corners 78 / 308
    return np.linalg.norm(lm[13, :2] - lm[14, :2]) / np.linalg.norm(lm[78, :2] - lm[308, :2])

# generic 3-D face model points (mm) for solvePnP: nose tip, chin, eye outer corners, mouth corners
P3 = np.array([[0, 0, 0], [0, -63.6, -12.5], [-43.3, 32.7, -26], [43.3, 32.7, -26], [-28.9, -28.9, -24.1], [28.9, -28.9, -24.1]], np.float64)
P_IDX = [1, 152, 33, 263, 61, 291]
def head_pose(lm, shape):
    h, w = shape[:2]; f = w
    K = np.array([[f, 0, w / 2], [0, f, h / 2], [0, 0, 1]], np.float64)
    ok, rv, tv = cv2.solvePnP(P3, lm[P_IDX, :2].astype(np.float64), K, None, flags=cv2.SOLVEPNP_ITERATIVE)
    R, _ = cv2.Rodrigues(rv)
    sy = np.sqrt(R[0, 0] ** 2 + R[1, 0] ** 2)
    pitch = np.degrees(np.arctan2(R[2, 1], R[2, 2])); yaw = np.degrees(np.arctan2(-R[2, 0], sy)); roll = np.degrees(np.arctan2(R[1, 0], R[0, 0]))
    pitch = (pitch + 180) % 360 - 180
    if pitch > 90: pitch -= 180
    if pitch < -90: pitch += 180
    return yaw, pitch, roll

def yaw_ratio(lm):
    """Model-free yaw cue: nose tip horizontal position between the two face-contour points (234 / 454). 0=frontal."""
    l, r, n = lm[234, 0], lm[454, 0], lm[1, 0]
    return float((n - l) / (r - l) - 0.5) * 2

# ---------------- alignment & embeddings ----------------
ARC = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]], np.float32)
def five_points(lm):
    re = lm[[33, 133], :2].mean(0); le = lm[[263, 362], :2].mean(0)
    # image-left eye first (ArcFace template order)
    return np.array([re, le, lm[1, :2], lm[61, :2], lm[291, :2]], np.float32)

def align(rgb, pts5, size=112, margin=0.0):
    dst = ARC * (size / 112.0)
    if margin:
        c = size / 2.0; dst = (dst - c) * (1 - margin) + c
    T, _ = cv2.estimateAffinePartial2D(pts5, dst, method=cv2.LMEDS)
    return cv2.warpAffine(rgb, T, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

# dlib get_face_chip_details(size=150, padding=0.25) 5-point template (eye centres, nose tip, mouth corners),
# derived from dlib's mean face shape; order = image-left eye, image-right eye, nose, image-left mouth, image-right mouth
DLIB150 = np.array([[47.8, 47.4], [100.2, 47.4], [74.0, 76.6], [50.4, 103.0], [97.6, 103.0]], np.float32)
def align_dlib(rgb, pts5, size=150):
    T, _ = cv2.estimateAffinePartial2D(pts5, DLIB150 * (size / 150.0), method=cv2.LMEDS)
    return cv2.warpAffine(rgb, T, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

class Embedder:
    SPECS = {
        # name: (file, size, margin, scale, output-index, description)
        'faceapi_dlib128': ('faceapi_recognition_dlib128.onnx', 150, 0.0, 1.0, 0),
        'human_faceres1024': ('human_faceres.onnx', 224, 0.0, 1.0, 1),
        'human_mobileface256': ('human_mobileface.onnx', 112, 0.35, 1.0, 0),
        'human_mobilefacenet192': ('human_mobilefacenet.onnx', 112, 0.0, 1.0, 0),
    }
    def __init__(self, name):
        f, self.size, self.margin, self.scale, self.oi = self.SPECS[name]
        self.s = sess(f); self.inp = self.s.get_inputs()[0].name
    def __call__(self, rgb, pts5):
        if self.size == 150:
            chip = align_dlib(rgb, pts5).astype(np.float32)
            v = self.s.run(None, {self.inp: chip[None]})[self.oi][0]
            return v, chip          # dlib metric: raw euclidean distance, same person < 0.6
        chip = align(rgb, pts5, self.size, self.margin).astype(np.float32) * self.scale
        v = self.s.run(None, {self.inp: chip[None]})[self.oi][0]
        return v / np.linalg.norm(v), chip
