//! Band-limited resampling (windowed sinc, Hann window, 16 zero crossings, cut-off at the
//! lower Nyquist frequency) between integer rates.
//!
//! Between two rates `from` and `to` with ratio `L/M` in lowest terms, an output sample
//! falls at one of only `L` fractional positions between input samples, so the filter taps
//! are computed once per position (`Kernels`) instead of a sine and a cosine per tap per
//! output sample ([`resample_direct`], kept as the reference and for the benchmark).

use std::f64::consts::PI;

/// Phases above which a table is not worth its memory (the direct form is used instead).
const MAX_PHASES: u64 = 4_096;

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The filter's cut-off (relative to the input's Nyquist frequency) and half-width in input samples.
fn shape(from: u32, to: u32) -> (f64, f64) {
    let cutoff = (f64::from(to) / f64::from(from)).min(1.0);
    (cutoff, 16.0 / cutoff)
}

/// One tap: windowed sinc at distance `d` input samples.
fn tap(d: f64, cutoff: f64, half: f64) -> f64 {
    let sinc = if d.abs() < 1e-9 {
        1.0
    } else {
        (PI * d * cutoff).sin() / (PI * d * cutoff)
    };
    sinc * (0.5 + 0.5 * (PI * d / half).cos())
}

/// The taps of every fractional position for one pair of rates.
struct Kernels {
    /// `L`: output samples per `M` input samples.
    up: u64,
    /// `M`.
    down: u64,
    /// Per phase `p` (output position `n + p/L`): the first input offset from `n` and its taps.
    phases: Vec<(i64, Vec<f64>)>,
}

impl Kernels {
    fn new(from: u32, to: u32) -> Option<Kernels> {
        let g = gcd(u64::from(from), u64::from(to));
        let (up, down) = (u64::from(to) / g, u64::from(from) / g);
        if up > MAX_PHASES {
            return None;
        }
        let (cutoff, half) = shape(from, to);
        let phases = (0..up)
            .map(|p| {
                let frac = p as f64 / up as f64;
                let first = (frac - half).ceil() as i64;
                let last = (frac + half).floor() as i64;
                let taps = (first..=last).map(|o| tap(o as f64 - frac, cutoff, half)).collect();
                (first, taps)
            })
            .collect();
        Some(Kernels { up, down, phases })
    }

    fn apply(&self, x: &[f32], n_out: usize) -> Vec<f32> {
        let len = x.len() as i64;
        (0..n_out as u64)
            .map(|i| {
                let pos = i * self.down;
                let (n, p) = ((pos / self.up) as i64, (pos % self.up) as usize);
                let (first, taps) = &self.phases[p];
                let (mut acc, mut wsum) = (0.0, 0.0);
                let start = n + first;
                let skip = (-start).max(0) as usize;
                let end = (start + taps.len() as i64).min(len);
                if end > start + skip as i64 {
                    let xs = &x[(start + skip as i64) as usize..end as usize];
                    for (&xj, &k) in xs.iter().zip(&taps[skip..]) {
                        acc += f64::from(xj) * k;
                        wsum += k;
                    }
                }
                if wsum.abs() > 1e-9 { (acc / wsum) as f32 } else { 0.0 }
            })
            .collect()
    }
}

/// Resample `x` from `from` Hz to `to` Hz (same output as [`resample_direct`] to rounding).
pub fn resample(x: &[f32], from: u32, to: u32) -> Vec<f32> {
    let n_out = ((x.len() as f64) * f64::from(to) / f64::from(from)).round() as usize;
    match Kernels::new(from, to) {
        Some(k) => k.apply(x, n_out),
        None => resample_direct(x, from, to),
    }
}

/// The same filter evaluated tap by tap for every output sample: the reference for
/// [`resample`], and its fallback for rate pairs with more than 4,096 phases.
pub fn resample_direct(x: &[f32], from: u32, to: u32) -> Vec<f32> {
    let ratio = f64::from(to) / f64::from(from);
    let (cutoff, half) = shape(from, to);
    let n_out = ((x.len() as f64) * ratio).round() as usize;
    (0..n_out)
        .map(|i| {
            let t = i as f64 / ratio;
            let lo = (t - half).ceil().max(0.0) as usize;
            let hi = ((t + half).floor() as usize).min(x.len().saturating_sub(1));
            let (mut acc, mut wsum) = (0.0, 0.0);
            for (j, &xj) in x.iter().enumerate().take(hi + 1).skip(lo) {
                let k = tap(j as f64 - t, cutoff, half);
                acc += f64::from(xj) * k;
                wsum += k;
            }
            if wsum.abs() > 1e-9 { (acc / wsum) as f32 } else { 0.0 }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(n: usize) -> Vec<f32> {
        let mut s = 12345u32;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (s >> 16) as f32 / 32768.0 - 1.0
            })
            .collect()
    }

    #[test]
    fn the_table_gives_the_direct_filters_output_for_every_supported_rate() {
        let x = noise(4_000);
        for from in [8_000, 11_025, 12_000, 22_050, 24_000, 32_000, 44_100, 48_000, 9_999] {
            let (fast, slow) = (resample(&x, from, 16_000), resample_direct(&x, from, 16_000));
            assert_eq!(fast.len(), slow.len(), "{from}");
            let err = fast.iter().zip(&slow).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
            assert!(err < 1e-5, "{from}: max difference {err}");
        }
    }

    #[test]
    fn rate_pairs_with_too_many_phases_use_the_direct_form() {
        assert!(Kernels::new(9_999, 16_000).is_none());
        assert_eq!(Kernels::new(8_000, 16_000).map(|k| (k.up, k.down)), Some((2, 1)));
    }
}
