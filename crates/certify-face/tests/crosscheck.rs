//! The Rust pipeline against the Python reference (models/reference/facepipe.py, OpenCV +
//! onnxruntime): same detections, landmarks, measures and embeddings within tolerances
//! that allow for JPEG decoder rounding and least-squares vs LMEDS alignment.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::Value;

#[test]
fn matches_the_python_reference_pipeline() {
    let text = std::fs::read_to_string(root().join("crates/certify-face/tests/fixtures/facepipe.json")).unwrap();
    let fixture: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
    let e = engine();
    let f32s = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap() as f32)
            .collect::<Vec<f32>>()
    };
    let mut worst = (0f32, 0f32, 0f32);
    for (name, reference) in &fixture {
        let img = photo(name);
        let a = e.analyze(&img).unwrap();
        let p = a.primary.as_ref().unwrap();
        let face = p.detection.width();
        // Detection box and score.
        for (r, v) in f32s(&reference["box"]).iter().zip(p.detection.bbox) {
            assert!((r - v).abs() < 0.01 * face, "{name}: box {r} vs {v}");
            worst.0 = worst.0.max((r - v).abs() / face);
        }
        assert!(
            (reference["score"].as_f64().unwrap() as f32 - p.detection.score).abs() < 0.01,
            "{name}: score"
        );
        // Landmarks (x, y) within 1% of the face size.
        for (idx, r) in reference["landmarks"].as_object().unwrap() {
            let r = f32s(r);
            let v = p.landmarks.points[idx.parse::<usize>().unwrap()];
            let d = ((r[0] - v[0]).powi(2) + (r[1] - v[1]).powi(2)).sqrt();
            assert!(d < 0.01 * face, "{name}: landmark {idx} off by {d} px");
            worst.1 = worst.1.max(d / face);
        }
        let ear = f32s(&reference["ear"]);
        let lm = &p.landmarks;
        assert!(
            (lm.eye_aspect_ratio(&[33, 160, 158, 133, 153, 144]) - ear[0]).abs() < 0.02,
            "{name}: EAR"
        );
        assert!(
            (p.measures.mouth_openness - reference["mar"].as_f64().unwrap() as f32).abs() < 0.02,
            "{name}: MAR"
        );
        assert!(
            (p.measures.yaw_ratio - reference["yaw_ratio"].as_f64().unwrap() as f32).abs() < 0.03,
            "{name}: yaw ratio"
        );
        // Embedding: the two pipelines' vectors are far closer than any same-person pair.
        let t = e.embed(&img, p).unwrap();
        let r = f32s(&reference["embedding"]);
        let d = t
            .embedding
            .iter()
            .zip(&r)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f32>()
            .sqrt();
        assert!(d < 0.06, "{name}: embedding distance to the reference {d}");
        worst.2 = worst.2.max(d);
    }
    println!(
        "worst box error {:.4} of face, landmark {:.4} of face, embedding distance {:.4}",
        worst.0, worst.1, worst.2
    );
}
