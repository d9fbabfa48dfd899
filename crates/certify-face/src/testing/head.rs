//! A real photograph re-rendered as a turning 3-D head: the face mesh's 468 points (with
//! their depth) plus two rings around them (hair and ears moving with the head, then the
//! still background) are triangulated once, and every frame is drawn triangle by triangle
//! from the photograph at the new pose, nearest surface first. What a phone sees of a real
//! head that turns or nods, geometrically: for tests and the demo, never as input to
//! production decisions. (It is also what a 3-D reconstruction attack would show — see the
//! README's threat model.)

use crate::engine::{FaceEngine, FaceError};
use image::RgbImage;

/// A head pose to render, in degrees, plus a jaw drop (0..1) and eyelid closing (0..1).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Pose3 {
    /// Turn, positive toward the image's right.
    pub yaw: f32,
    /// Nod, positive chin up.
    pub pitch: f32,
    /// Eyelids closed (0 open, 1 shut).
    pub eyes_shut: f32,
    /// Whole-head shift in pixels (hand shake).
    pub shift: [f32; 2],
}

/// A photograph with its face mesh, ready to render at other poses.
#[derive(Debug, Clone)]
pub struct HeadModel {
    image: RgbImage,
    /// Source 2-D positions and depth (z toward the camera negative, pixels).
    vertices: Vec<[f32; 3]>,
    /// Which vertices move with the head (weight 1) or stay (0).
    weight: Vec<f32>,
    triangles: Vec<[usize; 3]>,
    centre: [f32; 3],
    upper_lids: Vec<(usize, usize, f32)>,
}

/// Upper-eyelid points, the lower-lid points they close onto, and how far they travel
/// (the lid line all the way, the crease above it half way) — FaceMesh layout.
const LIDS: [(usize, usize, f32); 28] = [
    (246, 7, 1.0),
    (161, 163, 1.0),
    (160, 144, 1.0),
    (159, 145, 1.0),
    (158, 153, 1.0),
    (157, 154, 1.0),
    (173, 155, 1.0),
    (466, 249, 1.0),
    (388, 390, 1.0),
    (387, 373, 1.0),
    (386, 374, 1.0),
    (385, 380, 1.0),
    (384, 381, 1.0),
    (398, 382, 1.0),
    (247, 7, 0.5),
    (30, 163, 0.5),
    (29, 144, 0.5),
    (27, 145, 0.5),
    (28, 153, 0.5),
    (56, 154, 0.5),
    (190, 155, 0.5),
    (467, 249, 0.5),
    (260, 390, 0.5),
    (259, 373, 0.5),
    (257, 374, 0.5),
    (258, 380, 0.5),
    (286, 381, 0.5),
    (414, 382, 0.5),
];

impl HeadModel {
    /// Build from a photograph with one clear face.
    pub fn new(engine: &FaceEngine, image: &RgbImage) -> Result<Self, FaceError> {
        let a = engine.analyze(image)?;
        let face = a.primary.ok_or(FaceError::Quality(a.issues.clone()))?;
        let pts = &face.landmarks.points;
        let n = pts.len() as f32;
        let cx = pts.iter().map(|p| p[0]).sum::<f32>() / n;
        let cy = pts.iter().map(|p| p[1]).sum::<f32>() / n;
        let width =
            pts.iter().map(|p| p[0]).fold(f32::MIN, f32::max) - pts.iter().map(|p| p[0]).fold(f32::MAX, f32::min);
        let zmean = pts.iter().map(|p| p[2]).sum::<f32>() / n;
        let mut vertices: Vec<[f32; 3]> = pts.clone();
        let mut weight = vec![1.0; pts.len()];
        // The head's radius from its centre, and two rings: hair/ears (moves, behind the
        // face), then background (still).
        let radius = pts
            .iter()
            .map(|p| ((p[0] - cx).powi(2) + (p[1] - cy).powi(2)).sqrt())
            .fold(0.0, f32::max);
        for (k, (scale, w, z)) in [(1.2f32, 1.0f32, zmean + 0.25 * width), (1.9, 0.0, zmean + 0.6 * width)]
            .into_iter()
            .enumerate()
        {
            for i in 0..24 {
                let a = (i as f32 + 0.5 * k as f32) / 24.0 * std::f32::consts::TAU;
                vertices.push([cx + radius * scale * a.cos(), cy + radius * scale * a.sin(), z]);
                weight.push(w);
            }
        }
        let triangles = delaunay(&vertices);
        Ok(Self {
            image: image.clone(),
            vertices,
            weight,
            triangles,
            // The head turns about an axis behind the face (near the ears).
            centre: [cx, cy, zmean + 0.45 * width],
            upper_lids: LIDS.to_vec(),
        })
    }

    /// The photograph as it would look with the head at `pose`.
    pub fn render(&self, pose: Pose3) -> RgbImage {
        let (sy, cy) = pose.yaw.to_radians().sin_cos();
        let (sp, cp) = pose.pitch.to_radians().sin_cos();
        let c = self.centre;
        let mut src = self.vertices.clone();
        for &(up, low, travel) in &self.upper_lids {
            let t = pose.eyes_shut.clamp(0.0, 1.0) * travel;
            let (a, b) = (self.vertices[up], self.vertices[low]);
            src[up] = [0, 1, 2].map(|k| a[k] + (b[k] - a[k]) * t);
        }
        // Destination of each vertex: rotate by the weighted pose; project orthographically.
        let dst: Vec<[f32; 3]> = src
            .iter()
            .zip(&self.weight)
            .map(|(v, &w)| {
                let (x, y, z) = (v[0] - c[0], v[1] - c[1], v[2] - c[2]);
                // Yaw: z toward the camera is negative, so a turn to the right moves near
                // points right.
                let (sy, cy) = (sy * w, 1.0 - (1.0 - cy) * w);
                let (sp, cp) = (sp * w, 1.0 - (1.0 - cp) * w);
                let x1 = cy * x - sy * z;
                let z1 = sy * x + cy * z;
                let y2 = cp * y + sp * z1;
                let z2 = -sp * y + cp * z1;
                [x1 + c[0] + pose.shift[0] * w, y2 + c[1] + pose.shift[1] * w, z2]
            })
            .collect();
        // Eyelids: draw the upper lid's texture where the lid now is (source stays at the
        // original lid, destination moves down).
        let tex_src = &self.vertices;
        let mut out = self.image.clone();
        let mut depth = vec![f32::INFINITY; (out.width() * out.height()) as usize];
        for t in &self.triangles {
            fill(
                &self.image,
                &mut out,
                &mut depth,
                [tex_src[t[0]], tex_src[t[1]], tex_src[t[2]]],
                [dst[t[0]], dst[t[1]], dst[t[2]]],
            );
        }
        out
    }
}

/// Fill the destination triangle `d` with the source triangle `s`'s texture (affine map),
/// keeping the nearest surface per pixel.
fn fill(img: &RgbImage, out: &mut RgbImage, depth: &mut [f32], s: [[f32; 3]; 3], d: [[f32; 3]; 3]) {
    let (w, h) = (out.width() as i64, out.height() as i64);
    let area = (d[1][0] - d[0][0]) * (d[2][1] - d[0][1]) - (d[2][0] - d[0][0]) * (d[1][1] - d[0][1]);
    if area.abs() < 1e-6 {
        return;
    }
    let lo = |k: usize| d.iter().map(|p| p[k]).fold(f32::MAX, f32::min).floor().max(0.0) as i64;
    let hi = |k: usize, limit: i64| {
        d.iter()
            .map(|p| p[k])
            .fold(f32::MIN, f32::max)
            .ceil()
            .min(limit as f32 - 1.0) as i64
    };
    let (x0, x1, y0, y1) = (lo(0), hi(0, w), lo(1), hi(1, h));
    for y in y0..=y1 {
        for x in x0..=x1 {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let l1 = ((d[1][0] - px) * (d[2][1] - py) - (d[2][0] - px) * (d[1][1] - py)) / area;
            let l2 = ((d[2][0] - px) * (d[0][1] - py) - (d[0][0] - px) * (d[2][1] - py)) / area;
            let l3 = 1.0 - l1 - l2;
            if l1 < -1e-4 || l2 < -1e-4 || l3 < -1e-4 {
                continue;
            }
            let z = l1 * d[0][2] + l2 * d[1][2] + l3 * d[2][2];
            let k = (y * w + x) as usize;
            if z >= depth[k] {
                continue;
            }
            depth[k] = z;
            let sx = l1 * s[0][0] + l2 * s[1][0] + l3 * s[2][0];
            let sy = l1 * s[0][1] + l2 * s[1][1] + l3 * s[2][1];
            out.put_pixel(x as u32, y as u32, image::Rgb(bilinear(img, sx, sy)));
        }
    }
}

fn bilinear(img: &RgbImage, x: f32, y: f32) -> [u8; 3] {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let x = (x - 0.5).clamp(0.0, w - 1.001);
    let y = (y - 0.5).clamp(0.0, h - 1.001);
    let (xi, yi) = (x as u32, y as u32);
    let (fx, fy) = (x - xi as f32, y - yi as f32);
    let p = |dx: u32, dy: u32| {
        img.get_pixel((xi + dx).min(img.width() - 1), (yi + dy).min(img.height() - 1))
            .0
    };
    let (a, b, c, d) = (p(0, 0), p(1, 0), p(0, 1), p(1, 1));
    let mut o = [0u8; 3];
    for i in 0..3 {
        let top = f32::from(a[i]) * (1.0 - fx) + f32::from(b[i]) * fx;
        let bot = f32::from(c[i]) * (1.0 - fx) + f32::from(d[i]) * fx;
        o[i] = (top * (1.0 - fy) + bot * fy).round().clamp(0.0, 255.0) as u8;
    }
    o
}

/// Bowyer–Watson Delaunay triangulation of the points' x, y (O(n²), fine for ~500 points).
fn delaunay(p: &[[f32; 3]]) -> Vec<[usize; 3]> {
    let pts: Vec<[f64; 2]> = p.iter().map(|q| [f64::from(q[0]), f64::from(q[1])]).collect();
    let (mut minx, mut miny, mut maxx, mut maxy) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for q in &pts {
        minx = minx.min(q[0]);
        miny = miny.min(q[1]);
        maxx = maxx.max(q[0]);
        maxy = maxy.max(q[1]);
    }
    let d = (maxx - minx).max(maxy - miny).max(1.0) * 20.0;
    let (mx, my) = ((minx + maxx) / 2.0, (miny + maxy) / 2.0);
    let mut all = pts.clone();
    let n = pts.len();
    all.push([mx - d, my - d]);
    all.push([mx + d, my - d]);
    all.push([mx, my + d]);
    let mut tris: Vec<[usize; 3]> = vec![[n, n + 1, n + 2]];
    let circum = |t: &[usize; 3]| -> ([f64; 2], f64) {
        let (a, b, c) = (all[t[0]], all[t[1]], all[t[2]]);
        let dd = 2.0 * (a[0] * (b[1] - c[1]) + b[0] * (c[1] - a[1]) + c[0] * (a[1] - b[1]));
        if dd.abs() < 1e-12 {
            return ([0.0, 0.0], f64::INFINITY);
        }
        let sq = |q: [f64; 2]| q[0] * q[0] + q[1] * q[1];
        let ux = (sq(a) * (b[1] - c[1]) + sq(b) * (c[1] - a[1]) + sq(c) * (a[1] - b[1])) / dd;
        let uy = (sq(a) * (c[0] - b[0]) + sq(b) * (a[0] - c[0]) + sq(c) * (b[0] - a[0])) / dd;
        ([ux, uy], (a[0] - ux).powi(2) + (a[1] - uy).powi(2))
    };
    for (i, q) in pts.iter().enumerate() {
        let (bad, keep): (Vec<[usize; 3]>, Vec<[usize; 3]>) = tris.into_iter().partition(|t| {
            let (c, r2) = circum(t);
            (q[0] - c[0]).powi(2) + (q[1] - c[1]).powi(2) < r2
        });
        let mut edges: Vec<[usize; 2]> = Vec::new();
        for t in &bad {
            for e in [[t[0], t[1]], [t[1], t[2]], [t[2], t[0]]] {
                let shared = bad
                    .iter()
                    .filter(|u| *u != t)
                    .any(|u| u.contains(&e[0]) && u.contains(&e[1]));
                if !shared {
                    edges.push(e);
                }
            }
        }
        tris = keep;
        for e in edges {
            tris.push([e[0], e[1], i]);
        }
    }
    tris.retain(|t| t.iter().all(|&v| v < n));
    tris
}

impl HeadModel {
    /// The poses of a person doing `actions` from rest and back, as a phone at about
    /// 10 frames a second sees them (rest first, rest between and after). `None` when an
    /// action cannot be rendered (opening the mouth).
    pub fn poses_for(actions: &[certify_core::liveness::Action]) -> Option<Vec<Pose3>> {
        use certify_core::liveness::Action;
        let rest = Pose3::default();
        let mut poses = vec![rest; 4];
        for a in actions {
            match a {
                Action::ShakeHead => {
                    for y in (-6..=0).rev().chain(-6..=6).chain((0..=6).rev()) {
                        poses.push(Pose3 {
                            yaw: y as f32 * 4.0,
                            ..rest
                        });
                    }
                }
                Action::Nod => {
                    for p in (0..=5).chain((0..=5).rev()) {
                        poses.push(Pose3 {
                            pitch: p as f32 * 4.0,
                            ..rest
                        });
                    }
                }
                Action::Blink => {
                    for s in [0.5, 1.0, 1.0, 0.5, 0.0] {
                        poses.push(Pose3 { eyes_shut: s, ..rest });
                    }
                }
                Action::OpenMouth => return None,
            }
            poses.extend([rest; 3]);
        }
        Some(poses)
    }

    /// Frames of this head doing `actions` (see [`HeadModel::poses_for`]).
    pub fn perform(&self, actions: &[certify_core::liveness::Action]) -> Option<Vec<RgbImage>> {
        Some(Self::poses_for(actions)?.into_iter().map(|p| self.render(p)).collect())
    }
}
