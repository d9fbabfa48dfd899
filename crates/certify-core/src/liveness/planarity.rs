//! Is the face a flat picture? A photograph moved in front of the camera (tilted, turned,
//! waved) moves every landmark by one plane-to-plane mapping, a homography; a real head
//! that turns moves its nose tip against its cheeks and its outline (parallax). The
//! residual of the best homography between two frames' landmarks, relative to the eye
//! distance, tells them apart once the pose has changed by several degrees.

/// Indices into the FaceMesh 468-point layout of the landmarks the engine reports in
/// [`super::FaceObservation::points`]: nose tip, under the nose, nose bridge, forehead,
/// chin, outer and inner eye corners, mouth corners, the face outline at the cheeks, and
/// between the eyes. Protruding points (nose) and outline points give parallax.
pub const MESH_POINTS: [usize; POINTS] = [1, 4, 6, 10, 152, 33, 263, 133, 362, 61, 291, 234, 454, 168];

/// How many landmarks an observation carries.
pub const POINTS: usize = 14;

/// Position of the outer eye corners in [`MESH_POINTS`] (for the eye distance).
const EYE_OUTER: (usize, usize) = (5, 6);

/// Whether the motion from `from` to `to` is that of a 3-D head: the best homography
/// leaves at least `min_parallax` unexplained, and the mesh's depth explains at least
/// `min_ratio` times more of it than the plane does (parallax ÷ depth residual).
pub fn looks_three_dimensional(
    from: &[[f32; 3]; POINTS],
    to: &[[f32; 3]; POINTS],
    min_parallax: f32,
    min_ratio: f32,
) -> bool {
    is_three_dimensional(parallax(from, to), depth_residual(from, to), min_parallax, min_ratio)
}

/// The criterion of [`looks_three_dimensional`] on measured values (a missing measure is
/// not 3-D).
pub fn is_three_dimensional(parallax: Option<f32>, depth: Option<f32>, min_parallax: f32, min_ratio: f32) -> bool {
    match (parallax, depth) {
        (Some(p), Some(d)) => p >= min_parallax && p >= min_ratio * d.max(1e-6),
        _ => false,
    }
}

/// Root-mean-square residual of the best homography from `from` to `to`, divided by the
/// eye distance in `to`. `None` when the points are degenerate (no eye distance, or the
/// fit is singular).
pub fn parallax(from: &[[f32; 3]; POINTS], to: &[[f32; 3]; POINTS]) -> Option<f32> {
    parallax_of(from, to, EYE_OUTER)
}

/// [`parallax`] over any number of corresponding points (`eye`: the indices of the outer eye
/// corners among them).
fn parallax_of(from: &[[f32; 3]], to: &[[f32; 3]], eye: (usize, usize)) -> Option<f32> {
    let eye = eye_distance(from, to, eye)?;
    let (na, _) = normalise(from)?;
    let (nb, tb) = normalise(to)?;
    let h = fit(&na, &nb)?;
    // Residual in the normalised space of `to`, scaled back to its units.
    let mut sum = 0.0f64;
    for (a, b) in na.iter().zip(&nb) {
        let w = h[6] * a[0] + h[7] * a[1] + 1.0;
        if w.abs() < 1e-9 {
            return None;
        }
        let x = (h[0] * a[0] + h[1] * a[1] + h[2]) / w;
        let y = (h[3] * a[0] + h[4] * a[1] + h[5]) / w;
        sum += (x - b[0]).powi(2) + (y - b[1]).powi(2);
    }
    let rms = (sum / from.len() as f64).sqrt() / tb;
    let r = (rms / f64::from(eye)) as f32;
    r.is_finite().then_some(r)
}

/// Root-mean-square residual of the best affine camera from `from`'s 3-D points (x, y and
/// the mesh's depth z) to `to`'s 2-D points, divided by the eye distance in `to`: what a
/// rigid head turning under a weak-perspective camera leaves unexplained. Small for a real
/// head; for a flat picture the predicted depth does not explain the motion.
pub fn depth_residual(from: &[[f32; 3]; POINTS], to: &[[f32; 3]; POINTS]) -> Option<f32> {
    depth_residual_of(from, to, EYE_OUTER)
}

/// [`depth_residual`] over any number of corresponding points.
fn depth_residual_of(from: &[[f32; 3]], to: &[[f32; 3]], eye: (usize, usize)) -> Option<f32> {
    let eye = eye_distance(from, to, eye)?;
    let mut sum = 0.0f64;
    for axis in 0..2 {
        // Least squares for [a, b, c, d]·[x, y, z, 1] = target.
        let mut ata = [[0.0f64; 4]; 4];
        let mut atb = [0.0f64; 4];
        for (p, q) in from.iter().zip(to) {
            let r = [f64::from(p[0]), f64::from(p[1]), f64::from(p[2]), 1.0];
            for i in 0..4 {
                atb[i] += r[i] * f64::from(q[axis]);
                for j in 0..4 {
                    ata[i][j] += r[i] * r[j];
                }
            }
        }
        // Ridge term keeps a degenerate depth (all z equal) solvable.
        for (i, row) in ata.iter_mut().enumerate().take(3) {
            row[i] += 1e-9;
        }
        let coef = solve_n(ata, atb)?;
        for (p, q) in from.iter().zip(to) {
            let r = [f64::from(p[0]), f64::from(p[1]), f64::from(p[2]), 1.0];
            let pred: f64 = r.iter().zip(&coef).map(|(a, b)| a * b).sum();
            sum += (pred - f64::from(q[axis])).powi(2);
        }
    }
    let r = ((sum / from.len() as f64).sqrt() / f64::from(eye)) as f32;
    r.is_finite().then_some(r)
}

/// Gaussian elimination with partial pivoting.
fn solve_n<const N: usize>(mut m: [[f64; N]; N], mut v: [f64; N]) -> Option<[f64; N]> {
    for col in 0..N {
        let pivot = (col..N).max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))?;
        if m[pivot][col].abs() < 1e-15 {
            return None;
        }
        m.swap(col, pivot);
        v.swap(col, pivot);
        let pivot_row = m[col];
        for row in col + 1..N {
            let f = m[row][col] / pivot_row[col];
            for (a, b) in m[row][col..].iter_mut().zip(&pivot_row[col..]) {
                *a -= f * b;
            }
            v[row] -= f * v[col];
        }
    }
    let mut x = [0.0; N];
    for row in (0..N).rev() {
        let s: f64 = (row + 1..N).map(|k| m[row][k] * x[k]).sum();
        x[row] = (v[row] - s) / m[row][row];
    }
    x.iter().all(|c| c.is_finite()).then_some(x)
}

/// The eye distance in `to`, when the two point sets correspond and it is usable.
fn eye_distance(from: &[[f32; 3]], to: &[[f32; 3]], eye: (usize, usize)) -> Option<f32> {
    if from.len() != to.len() || from.len() < 8 || eye.0.max(eye.1) >= to.len() {
        return None;
    }
    let d = dist(to[eye.0], to[eye.1]);
    (d.is_finite() && d > 1e-6).then_some(d)
}

fn dist(a: [f32; 3], b: [f32; 3]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// Hartley normalisation: centroid to the origin, mean distance √2. Returns the points and
/// the scale applied.
fn normalise(p: &[[f32; 3]]) -> Option<(Vec<[f64; 2]>, f64)> {
    let n = p.len() as f64;
    let cx = p.iter().map(|q| f64::from(q[0])).sum::<f64>() / n;
    let cy = p.iter().map(|q| f64::from(q[1])).sum::<f64>() / n;
    let mean = p
        .iter()
        .map(|q| ((f64::from(q[0]) - cx).powi(2) + (f64::from(q[1]) - cy).powi(2)).sqrt())
        .sum::<f64>()
        / n;
    if !mean.is_finite() || mean < 1e-9 {
        return None;
    }
    let s = std::f64::consts::SQRT_2 / mean;
    let out = p
        .iter()
        .map(|q| [(f64::from(q[0]) - cx) * s, (f64::from(q[1]) - cy) * s])
        .collect();
    Some((out, s))
}

/// Least-squares homography with h33 = 1 (8 unknowns, 2 equations per point), solved by
/// the normal equations.
fn fit(a: &[[f64; 2]], b: &[[f64; 2]]) -> Option<[f64; 8]> {
    let mut ata = [[0.0f64; 8]; 8];
    let mut atb = [0.0f64; 8];
    for (p, q) in a.iter().zip(b) {
        let (x, y, u, v) = (p[0], p[1], q[0], q[1]);
        let rows = [
            ([x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y], u),
            ([0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y], v),
        ];
        for (r, rhs) in rows {
            for i in 0..8 {
                atb[i] += r[i] * rhs;
                for j in 0..8 {
                    ata[i][j] += r[i] * r[j];
                }
            }
        }
    }
    solve_n(ata, atb)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A face-like 3-D point set (x right, y down, z toward the camera), in eye distances.
    fn head() -> [[f32; 3]; POINTS] {
        [
            [0.0, 0.1, 0.55],   // nose tip
            [0.0, 0.0, 0.5],    // under the nose... (approximate)
            [0.0, -0.35, 0.3],  // bridge
            [0.0, -0.9, 0.15],  // forehead
            [0.0, 0.95, 0.1],   // chin
            [-0.5, -0.3, 0.05], // eye outer
            [0.5, -0.3, 0.05],
            [-0.15, -0.3, 0.15], // eye inner
            [0.15, -0.3, 0.15],
            [-0.3, 0.45, 0.2], // mouth corners
            [0.3, 0.45, 0.2],
            [-0.75, 0.0, -0.35], // outline
            [0.75, 0.0, -0.35],
            [0.0, -0.3, 0.25], // between the eyes
        ]
    }

    fn project(p: &[[f32; 3]; POINTS], yaw_deg: f32, flat: bool) -> [[f32; 3]; POINTS] {
        let (s, c) = yaw_deg.to_radians().sin_cos();
        let mut out = [[0.0; 3]; POINTS];
        for (o, q) in out.iter_mut().zip(p) {
            let z = if flat { 0.0 } else { q[2] };
            let x = c * q[0] + s * z;
            let zz = -s * q[0] + c * z;
            let f = 6.0 / (6.0 - zz); // a camera about six eye distances away
            *o = [100.0 + 40.0 * x * f, 100.0 + 40.0 * q[1] * f, -40.0 * q[2]];
        }
        out
    }

    #[test]
    fn a_turning_head_shows_parallax_and_a_turning_photo_does_not() {
        let h = head();
        let front = project(&h, 0.0, false);
        let turned = project(&h, 20.0, false);
        let flat_front = project(&h, 0.0, true);
        let flat_turned = project(&h, 20.0, true);
        let real = parallax(&front, &turned).unwrap();
        let photo = parallax(&flat_front, &flat_turned).unwrap();
        assert!(real > 0.05, "real head {real}");
        assert!(photo < 1e-3, "flat picture {photo}");
        // Same frame: nothing moved.
        assert!(parallax(&front, &front).unwrap() < 1e-6);
        // The mesh's depth explains a turning head's motion, not a turning photo's.
        let real_depth = depth_residual(&front, &turned).unwrap();
        assert!(real_depth < real / 3.0, "head: depth {real_depth} vs homography {real}");
    }

    #[test]
    fn degenerate_points_give_none() {
        assert_eq!(parallax(&[[1.0, 1.0, 0.0]; POINTS], &[[1.0, 1.0, 0.0]; POINTS]), None);
        let mut nan = project(&head(), 0.0, false);
        nan[0][0] = f32::NAN;
        assert_eq!(parallax(&project(&head(), 0.0, false), &nan), None);
    }
}
