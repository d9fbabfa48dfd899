#![allow(missing_docs, clippy::unwrap_used)]
use certify_face::detect::*;
use certify_face::embed::*;
use certify_face::mesh::*;
use certify_face::runtime::*;
use std::path::PathBuf;

#[test]
fn explore() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let rt = Runtime::load(Some(&root.join(".deps/onnxruntime/libonnxruntime.so"))).unwrap();
    let models = root.join("models");
    let det = Detector::new(Model::load(&rt, &models, SHORT_RANGE).unwrap(), DetectorKind::ShortRange);
    let det2 = Detector::new(Model::load(&rt, &models, BACK_256).unwrap(), DetectorKind::Back256);
    let mesh = FaceMesh::new(Model::load(&rt, &models, FACE_LANDMARK).unwrap());
    let emb = Embedder::new(Model::load(&rt, &models, FACE_EMBEDDING).unwrap());
    let mut temps = vec![];
    for f in ["obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg", "astronaut.png"] {
        let bytes = std::fs::read(root.join(".deps/testdata/face").join(f)).unwrap();
        let img = certify_face::image_io::decode(&bytes).unwrap();
        let t = std::time::Instant::now();
        let d = det.detect(&img, 0.5, 0.3).unwrap();
        let d2 = det2.detect(&img, 0.5, 0.3).unwrap();
        println!("{f} {:?} short={} back={} {:?}", img.dimensions(), d.len(), d2.len(), t.elapsed());
        let best = d.first().or(d2.first()).cloned();
        if let Some(b) = best {
            println!("  box {:?} score {}", b.bbox, b.score);
            let lm = mesh.landmarks(&img, &b).unwrap();
            println!("  presence {} {:?}", lm.presence, lm.measures());
            let flipped = image::imageops::flip_horizontal(&img);
            let fd = det.detect(&flipped, 0.5, 0.3).unwrap();
            let fd = fd.first().or(d2.first()).cloned();
            if let Some(fd) = fd { let flm = mesh.landmarks(&flipped, &fd).unwrap(); println!("  flipped {:?}", flm.measures()); }
            temps.push((f, emb.embed(&img, &lm).unwrap()));
        }
    }
    for i in 0..temps.len() { for j in i+1..temps.len() { println!("{} {} {:.3}", temps[i].0, temps[j].0, temps[i].1.distance(&temps[j].1)); } }
}
