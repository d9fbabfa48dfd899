//! Threshold calibration: genuine and impostor distance sets, and the false-match and
//! false-non-match rates at a threshold.

use serde::Serialize;

/// Error rates at one threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rates {
    /// Threshold (same person below it).
    pub threshold: f32,
    /// Impostor pairs accepted.
    pub false_matches: usize,
    /// Impostor pairs.
    pub impostor_pairs: usize,
    /// Genuine pairs rejected.
    pub false_non_matches: usize,
    /// Genuine pairs.
    pub genuine_pairs: usize,
}

impl Rates {
    /// Measure at `threshold`.
    pub fn at(threshold: f32, genuine: &[f32], impostor: &[f32]) -> Rates {
        Rates {
            threshold,
            false_matches: impostor.iter().filter(|d| **d < threshold).count(),
            impostor_pairs: impostor.len(),
            false_non_matches: genuine.iter().filter(|d| **d >= threshold).count(),
            genuine_pairs: genuine.len(),
        }
    }

    /// False-match rate.
    pub fn fmr(&self) -> f64 {
        self.false_matches as f64 / self.impostor_pairs.max(1) as f64
    }

    /// False-non-match rate.
    pub fn fnmr(&self) -> f64 {
        self.false_non_matches as f64 / self.genuine_pairs.max(1) as f64
    }
}

/// The largest threshold whose false-match rate on `impostor` does not exceed `max_fmr`
/// (a threshold just below the k-th smallest impostor distance).
pub fn threshold_for_fmr(impostor: &[f32], max_fmr: f64) -> f32 {
    let mut d = impostor.to_vec();
    d.sort_by(f32::total_cmp);
    let allowed = (max_fmr * d.len() as f64).floor() as usize;
    d.get(allowed).copied().unwrap_or(f32::INFINITY)
}

/// Equal error rate (approximate: the threshold where FMR and FNMR are closest).
pub fn equal_error_rate(genuine: &[f32], impostor: &[f32]) -> (f32, f64) {
    let mut candidates: Vec<f32> = genuine.iter().chain(impostor).copied().collect();
    candidates.sort_by(f32::total_cmp);
    let mut best = (0.0, f64::INFINITY, 1.0);
    for t in candidates {
        let r = Rates::at(t, genuine, impostor);
        let gap = (r.fmr() - r.fnmr()).abs();
        if gap < best.1 {
            best = (t, gap, (r.fmr() + r.fnmr()) / 2.0);
        }
    }
    (best.0, best.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_thresholds() {
        let genuine = [0.3, 0.35, 0.4, 0.55];
        let impostor = [0.5, 0.7, 0.8, 0.9];
        let r = Rates::at(0.52, &genuine, &impostor);
        assert_eq!((r.false_matches, r.false_non_matches), (1, 1));
        assert_eq!(threshold_for_fmr(&impostor, 0.0), 0.5);
        assert_eq!(threshold_for_fmr(&impostor, 0.25), 0.7);
        let (t, eer) = equal_error_rate(&genuine, &impostor);
        assert!((0.5..=0.55).contains(&t) && (eer - 0.25).abs() < 1e-9, "{t} {eer}");
    }
}
