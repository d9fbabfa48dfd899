//! One face, one person (1:N): every enrolled template in memory, searched by brute force
//! for faces close to a new enrollment's.
//!
//! Templates are stored as 8-bit integers (128 bytes each instead of 512), which makes a
//! search over a million templates a pass over 128 MB of memory on one core; the
//! quantisation moves a distance by about 0.003 (tested), far below the gap between the
//! same person and another. A host keeps one index per process and adds approved
//! templates as they are approved; keys are the host's own (the server uses the enrolled
//! person's identity number, kept in memory only).

/// Dimensions of a face template (the dlib ResNet embedding).
pub const DIMS: usize = 128;

/// Quantisation step: components are within ±0.5 for this model (clamped otherwise).
const SCALE: f32 = 0.5 / 127.0;

/// Why a template cannot be added or searched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    /// The template has another length than [`DIMS`].
    #[error("a face template has {DIMS} values, this one has {0}")]
    Dimensions(usize),
    /// A value is NaN or infinite.
    #[error("a face template value is not finite")]
    NotFinite,
}

/// A close match found by [`TemplateIndex::nearest`].
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbour<'a> {
    /// The host's key for the enrolled template.
    pub key: &'a str,
    /// Euclidean distance (the engine's same-person measure).
    pub distance: f32,
}

/// Enrolled templates, quantised, with their keys.
#[derive(Debug, Clone, Default)]
pub struct TemplateIndex {
    codes: Vec<i8>,
    keys: Vec<String>,
}

fn quantise(t: &[f32]) -> Result<[i8; DIMS], IndexError> {
    if t.len() != DIMS {
        return Err(IndexError::Dimensions(t.len()));
    }
    let mut out = [0i8; DIMS];
    for (o, v) in out.iter_mut().zip(t) {
        if !v.is_finite() {
            return Err(IndexError::NotFinite);
        }
        *o = (v / SCALE).round().clamp(-127.0, 127.0) as i8;
    }
    Ok(out)
}

/// Squared distance in quantisation steps over a slice (the loop the compiler vectorises).
fn squared_steps(a: &[i8], b: &[i8]) -> i32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            let d = i32::from(*x) - i32::from(*y);
            d * d
        })
        .sum()
}

/// Squared distance if within `limit` (the first half decides for most templates, which
/// are far away: the second half is not computed for them).
fn within(a: &[i8], b: &[i8; DIMS], limit: i32) -> Option<i32> {
    let half = DIMS / 2;
    let first = squared_steps(&a[..half], &b[..half]);
    if first > limit {
        return None;
    }
    let d = first + squared_steps(&a[half..], &b[half..]);
    (d <= limit).then_some(d)
}

impl TemplateIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Templates held.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Bytes of template data held (keys not counted).
    pub fn template_bytes(&self) -> usize {
        self.codes.len()
    }

    /// Add (or replace) the template of `key`.
    pub fn insert(&mut self, key: &str, template: &[f32]) -> Result<(), IndexError> {
        let code = quantise(template)?;
        self.remove(key);
        self.codes.extend_from_slice(&code);
        self.keys.push(key.to_owned());
        Ok(())
    }

    /// Add the template of a `key` known not to be in the index yet (loading at start:
    /// no search for an older entry).
    pub fn insert_new(&mut self, key: &str, template: &[f32]) -> Result<(), IndexError> {
        let code = quantise(template)?;
        self.codes.extend_from_slice(&code);
        self.keys.push(key.to_owned());
        Ok(())
    }

    /// Remove the template of `key` (a revoked enrollment); whether it was there.
    pub fn remove(&mut self, key: &str) -> bool {
        let Some(i) = self.keys.iter().position(|k| k == key) else {
            return false;
        };
        let last = self.keys.len() - 1;
        self.keys.swap_remove(i);
        if i != last {
            let (head, tail) = self.codes.split_at_mut(last * DIMS);
            head[i * DIMS..(i + 1) * DIMS].copy_from_slice(&tail[..DIMS]);
        }
        self.codes.truncate(last * DIMS);
        true
    }

    /// Enrolled templates within `max_distance` of `probe`, nearest first, at most
    /// `limit`, skipping `exclude` (the person's own key).
    pub fn nearest(
        &self,
        probe: &[f32],
        max_distance: f32,
        limit: usize,
        exclude: Option<&str>,
    ) -> Result<Vec<Neighbour<'_>>, IndexError> {
        let p = quantise(probe)?;
        let limit_steps = (max_distance / SCALE).powi(2).min(i32::MAX as f32) as i32;
        let mut found: Vec<(usize, i32)> = self
            .codes
            .chunks_exact(DIMS)
            .enumerate()
            .filter_map(|(i, c)| within(c, &p, limit_steps).map(|d| (i, d)))
            .filter(|&(i, _)| exclude != Some(self.keys[i].as_str()))
            .collect();
        found.sort_by_key(|&(_, d)| d);
        found.truncate(limit);
        Ok(found
            .into_iter()
            .map(|(i, d)| Neighbour {
                key: &self.keys[i],
                distance: (d as f32).sqrt() * SCALE,
            })
            .collect())
    }
}

/// The exact (unquantised) search, for comparison in benchmarks and tests.
pub fn nearest_exact<'a>(templates: &'a [(String, Vec<f32>)], probe: &[f32], max_distance: f32) -> Vec<(&'a str, f32)> {
    let mut out: Vec<(&str, f32)> = templates
        .iter()
        .map(|(k, t)| {
            let d: f32 = t.iter().zip(probe).map(|(a, b)| (a - b) * (a - b)).sum();
            (k.as_str(), d.sqrt())
        })
        .filter(|&(_, d)| d <= max_distance)
        .collect();
    out.sort_by(|a, b| a.1.total_cmp(&b.1));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random template with components like the model's.
    pub(crate) fn template(seed: u64) -> Vec<f32> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..DIMS)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ((x % 2001) as f32 / 1000.0 - 1.0) * 0.12
            })
            .collect()
    }

    #[test]
    fn finds_the_near_duplicate_and_reports_its_distance_closely() {
        let mut idx = TemplateIndex::new();
        let all: Vec<(String, Vec<f32>)> = (0..2000).map(|i| (format!("p{i}"), template(i))).collect();
        for (k, t) in &all {
            idx.insert(k, t).unwrap();
        }
        // The same face again, slightly different (another photo of person 1234).
        let probe: Vec<f32> = all[1234]
            .1
            .iter()
            .enumerate()
            .map(|(i, v)| v + if i % 2 == 0 { 0.01 } else { -0.01 })
            .collect();
        let found = idx.nearest(&probe, 0.4, 5, None).unwrap();
        let exact = nearest_exact(&all, &probe, 0.4);
        assert_eq!(found[0].key, "p1234");
        assert_eq!(exact[0].0, "p1234");
        assert!((found[0].distance - exact[0].1).abs() < 0.01, "{found:?} {exact:?}");
        assert_eq!(found.len(), exact.len(), "the same people within the radius");
        // Excluding the person's own key leaves no one that close.
        assert!(idx.nearest(&probe, 0.4, 5, Some("p1234")).unwrap().is_empty());
    }

    #[test]
    fn remove_and_replace_keep_the_rest_intact() {
        let mut idx = TemplateIndex::new();
        for i in 0..10 {
            idx.insert(&format!("p{i}"), &template(i)).unwrap();
        }
        assert!(idx.remove("p3"));
        assert!(!idx.remove("p3"));
        assert_eq!(idx.len(), 9);
        assert_eq!(idx.template_bytes(), 9 * DIMS);
        for i in [0, 9, 5] {
            assert_eq!(
                idx.nearest(&template(i), 0.05, 1, None).unwrap()[0].key,
                format!("p{i}")
            );
        }
        assert!(idx.nearest(&template(3), 0.05, 1, None).unwrap().is_empty());
        idx.insert("p5", &template(77)).unwrap();
        assert_eq!(idx.len(), 9);
        assert!(idx.nearest(&template(5), 0.05, 1, None).unwrap().is_empty());
    }

    #[test]
    fn bad_templates_are_refused() {
        let mut idx = TemplateIndex::new();
        assert_eq!(idx.insert("x", &[0.0; 3]), Err(IndexError::Dimensions(3)));
        let mut t = template(1);
        t[7] = f32::NAN;
        assert_eq!(idx.insert("x", &t), Err(IndexError::NotFinite));
        assert!(idx.is_empty());
    }
}
