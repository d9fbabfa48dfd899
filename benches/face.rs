//! Face engine timings on 640×480 frames, one thread (sessions use one intra-op thread):
//! per-frame analysis (detection + landmarks + measures + quality), embedding, full
//! enrollment review, the certification decision after the last liveness frame, and a
//! whole liveness run of a live head (a photograph re-rendered in 3-D) side by side: the
//! detector on every frame (the earlier path) against tracking from landmarks; the mesh
//! crop's warp against its straightforward reference.
//! `cargo bench -p certify-benches --bench face` (needs `scripts/setup.sh`).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use certify_face::{FaceEngine, FaceEngineConfig};
use image::RgbImage;
use std::path::PathBuf;
use std::time::Instant;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn photo(name: &str) -> RgbImage {
    certify_face::image_io::decode(
        &std::fs::read(root().join(".deps/testdata/face").join(name)).expect("run scripts/setup.sh"),
    )
    .unwrap()
}

/// A 640×480 camera-like frame: the photo scaled to 480 px high, centred.
fn frame(img: &RgbImage) -> RgbImage {
    let w = img.width() * 480 / img.height();
    let s = image::imageops::resize(img, w, 480, image::imageops::FilterType::Triangle);
    let mut out = RgbImage::from_pixel(640, 480, image::Rgb([90, 90, 90]));
    image::imageops::overlay(&mut out, &s, (640 - i64::from(w)) / 2, 0);
    out
}

fn time<T>(n: usize, mut f: impl FnMut() -> T) -> (f64, f64) {
    let mut v: Vec<f64> = (0..n)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[(v.len() * 9 / 10).min(v.len() - 1)])
}

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let n = if measuring { 50 } else { 2 };
    let mut config = FaceEngineConfig::new(root().join("models"));
    let shared = root().join("../shared/models");
    let antispoof = shared.join("minifasnet_v2_2.7_80x80.onnx").exists();
    if antispoof {
        config.antispoof_dir = Some(shared);
    }
    let e = FaceEngine::load(config).expect("engine");
    let f1 = frame(&photo("obama.jpg"));
    let f2 = frame(&photo("obama2.jpg"));
    let analysis = e.analyze(&f1).unwrap();
    let face = analysis.primary.clone().unwrap();
    let enrolled = e.template(&f2).unwrap();
    let report = |name: &str, (p50, p90): (f64, f64)| println!("face {name:<40} p50 {p50:7.1} ms  p90 {p90:7.1} ms");
    report(
        "frame: detect+landmarks+measures+quality",
        time(n, || e.analyze(&f1).unwrap()),
    );
    report("detection only (short range)", time(n, || e.detect(&f1).unwrap()));
    report("embedding (align + ResNet)", time(n, || e.embed(&f1, &face).unwrap()));
    let card = {
        let mut c = RgbImage::from_pixel(856, 540, image::Rgb([222, 226, 230]));
        let p = image::imageops::resize(&photo("obama3.jpg"), 260, 420, image::imageops::FilterType::Triangle);
        image::imageops::overlay(&mut c, &p, 540, 60);
        c
    };
    let back = RgbImage::from_fn(856, 540, |x, y| {
        if (y / 30) % 2 == 0 && (x / 5) % 4 != 0 {
            image::Rgb([60, 60, 60])
        } else {
            image::Rgb([230, 230, 230])
        }
    });
    report(
        "enrollment review (card front, back, selfie)",
        time(n.min(10), || e.review_enrollment(&card, &back, &f1).unwrap()),
    );
    // As enrollment really looks: the selfie holds the card, so the whole-image pass can
    // find both faces and the tiles are skipped.
    let holding = certify_face::testing::selfie_with_card(&f1, &card, 260);
    report(
        "enrollment review (selfie holding the card)",
        time(n.min(10), || e.review_enrollment(&card, &back, &holding).unwrap()),
    );
    // After the last liveness frame: analyse it, embed the best frame, compare with the
    // enrolled template, and (when configured) score anti-spoofing.
    let last = {
        let mut v: Vec<f64> = (0..n)
            .map(|_| {
                let t = Instant::now();
                let a = e.analyze(&f1).unwrap();
                let p = a.primary.unwrap();
                let probe = e.embed(&f1, &p).unwrap();
                let _ = e.compare(&enrolled, &probe);
                let _ = e.antispoof_score(&f1, &p.detection).unwrap();
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        v.sort_by(f64::total_cmp);
        (v[v.len() / 2], v[(v.len() * 9 / 10).min(v.len() - 1)])
    };
    report(
        if antispoof {
            "last frame → decision (+ anti-spoof)"
        } else {
            "last frame → decision"
        },
        last,
    );
    liveness_run(&e, n);
}

/// A whole liveness run (shake, nod) of a live head at 640×480: per-frame cost with the
/// detector on every frame against the run's tracking, then the decision after the last
/// frame. Also the mesh crop's warp, fast against reference.
fn liveness_run(e: &FaceEngine, n: usize) {
    use certify_core::liveness::{Action, LivenessChallenge, LivenessConfig, LivenessMode, LivenessSession};
    let head = certify_face::testing::HeadModel::new(e, &frame(&photo("obama.jpg"))).unwrap();
    let frames: Vec<RgbImage> = head
        .perform(&[Action::ShakeHead, Action::Nod])
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, f)| certify_face::testing::with_sensor_noise(f, i as u32))
        .collect();
    let enrolled = e.template(&frame(&photo("obama2.jpg"))).unwrap();
    let session = || {
        LivenessSession::new(
            LivenessChallenge {
                actions: vec![Action::ShakeHead, Action::Nod],
                nonce: [0; 16],
                issued_at: certify_core::time::Timestamp::from_unix_seconds(0),
                mode: LivenessMode::Actions,
            },
            LivenessConfig::default(),
        )
    };
    let runs = n.clamp(2, 10);
    let (mut every, mut tracked, mut decide) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        // Interleaved, so both paths see the same machine state; each stops at the pass.
        let t = Instant::now();
        let mut s = session();
        let mut pushed = 0;
        for (i, f) in frames.iter().enumerate() {
            let a = e.analyze(f).unwrap();
            pushed += 1;
            let ev = s.push(certify_core::liveness::Frame {
                elapsed_ms: 100 * (i as u32 + 1),
                face: a.observation(),
            });
            if ev == certify_core::liveness::LivenessEvent::Passed {
                break;
            }
        }
        every.push(t.elapsed().as_secs_f64() * 1000.0 / f64::from(pushed));
        let t = Instant::now();
        let mut run = e.liveness(session()).unwrap();
        let mut pushed = 0;
        for (i, f) in frames.iter().enumerate() {
            pushed += 1;
            if run.push_image(f, 100 * (i as u32 + 1)).unwrap() == certify_core::liveness::LivenessEvent::Passed {
                break;
            }
        }
        tracked.push(t.elapsed().as_secs_f64() * 1000.0 / f64::from(pushed));
        let t = Instant::now();
        let d = run.finish(&enrolled).unwrap();
        decide.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(d.passed(), "{d:?}");
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (a, b) = (med(&mut every), med(&mut tracked));
    println!(
        "face liveness run (shake + nod, median of {runs}): detector every frame {a:6.2} ms/frame, run with tracking, identity samples{} {b:6.2} ms/frame (ratio {:.2})",
        if e.has_antispoof() { ", anti-spoof" } else { "" },
        b / a
    );
    println!(
        "face decision after the last frame (crop analysis, identity samples, match{}) {:6.1} ms",
        if e.has_antispoof() { ", anti-spoof" } else { "" },
        med(&mut decide)
    );
    let m = [[0.9, 0.1, -40.0], [-0.1, 0.9, -30.0]];
    let (fast, _) = time(n.max(20), || {
        certify_face::geometry::warp_affine(&frames[0], &m, 192, 192, certify_face::geometry::Border::Zero)
    });
    let (slow, _) = time(n.max(20), || {
        certify_face::geometry::warp_affine_reference(&frames[0], &m, 192, 192, certify_face::geometry::Border::Zero)
    });
    println!(
        "face mesh-crop warp 192×192: fast {fast:.3} ms, reference {slow:.3} ms (ratio {:.2})",
        fast / slow
    );
}
