//! 1:N face search at province scale, side by side: the quantised brute-force index
//! (`certify_face::index::TemplateIndex`, what the server uses) and the exact f32 scan, at
//! 100,000 and 1,000,000 generated templates, one core. Prints milliseconds per search
//! and bytes per template.
//!
//! `cargo bench -p certify-benches --bench face_index`

use certify_face::index::{DIMS, TemplateIndex, nearest_exact};
use std::hint::black_box;
use std::time::Instant;

fn template(seed: u64) -> Vec<f32> {
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

fn main() {
    for n in [100_000usize, 1_000_000] {
        let all: Vec<(String, Vec<f32>)> = (0..n as u64).map(|i| (format!("{i:018}"), template(i))).collect();
        let mut idx = TemplateIndex::new();
        let t = Instant::now();
        for (k, v) in &all {
            idx.insert_new(k, v).expect("valid template");
        }
        let build = t.elapsed();
        let probes: Vec<Vec<f32>> = (0..20u64).map(|i| template(i * 7919 + 3)).collect();
        let t = Instant::now();
        for p in &probes {
            black_box(idx.nearest(p, 0.45, 5, None).expect("valid probe"));
        }
        let quantised = t.elapsed().as_secs_f64() * 1000.0 / probes.len() as f64;
        let t = Instant::now();
        for p in &probes[..5] {
            black_box(nearest_exact(&all, p, 0.45));
        }
        let exact = t.elapsed().as_secs_f64() * 1000.0 / 5.0;
        println!(
            "{n:>9} templates: quantised index {quantised:6.1} ms/search ({} B/template, built in {:.1} s) | exact f32 scan {exact:6.1} ms/search ({} B/template)",
            idx.template_bytes() / n,
            build.as_secs_f64(),
            DIMS * 4
        );
    }
}
