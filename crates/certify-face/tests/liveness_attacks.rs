//! Liveness against the attacks a relative holding photographs can make, built from the
//! project's real test photographs — and a live head (the photograph re-rendered in 3-D,
//! see `certify_face::testing::HeadModel`) that must still pass.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use certify_core::liveness::{
    Action, LivenessChallenge, LivenessConfig, LivenessEvent, LivenessMode, LivenessSession, SessionState,
};
use certify_core::time::Timestamp;
use certify_face::testing::{HeadModel, Pose3, edit_eyes_shut, flat_turn, recapture, with_sensor_noise};
use certify_face::{CertificationDecision, FaceEngine, FaceError, LivenessRun};
use common::*;
use image::RgbImage;

fn session(actions: Vec<Action>) -> LivenessSession {
    LivenessSession::new(
        LivenessChallenge {
            actions,
            nonce: [7; 16],
            issued_at: Timestamp::from_unix_seconds(0),
            mode: LivenessMode::Actions,
        },
        LivenessConfig::default(),
    )
}

/// Feed frames 100 ms apart (each with its own sensor noise); every event.
fn feed(run: &mut LivenessRun<&FaceEngine>, frames: &[RgbImage]) -> Vec<LivenessEvent> {
    frames
        .iter()
        .enumerate()
        .map(|(i, f)| {
            run.push_image(&with_sensor_noise(f, i as u32), 100 * (i as u32 + 1))
                .unwrap()
        })
        .collect()
}

/// Poses of a live person: rest, a shake (±24° rendered), rest, a nod, rest.
fn shake_then_nod() -> Vec<Pose3> {
    let mut poses = vec![Pose3::default(); 4];
    let yaw = |y: f32| Pose3 {
        yaw: y,
        ..Pose3::default()
    };
    let pitch = |p: f32| Pose3 {
        pitch: p,
        ..Pose3::default()
    };
    for y in (-6..=0).rev().chain(-6..=6).chain((0..=6).rev()) {
        poses.push(yaw(y as f32 * 4.0));
    }
    poses.extend([Pose3::default(); 2]);
    for p in (0..=5).chain((0..=5).rev()) {
        poses.push(pitch(p as f32 * 4.0));
    }
    poses.extend([Pose3::default(); 3]);
    poses
}

fn failure(d: &CertificationDecision) -> &'static str {
    d.reason().unwrap_or("passed")
}

#[test]
fn a_live_head_passes_and_matches_only_its_owner() {
    let e = engine();
    let head = HeadModel::new(e, &photo("obama.jpg")).unwrap();
    let frames: Vec<RgbImage> = shake_then_nod().into_iter().map(|p| head.render(p)).collect();
    let mut run = e.liveness(session(vec![Action::ShakeHead, Action::Nod])).unwrap();
    let events = feed(&mut run, &frames);
    assert_eq!(events.last(), Some(&LivenessEvent::Passed), "{events:?}");
    assert!(run.held_bytes() <= 512 * 512 * 3);
    let d = run.finish(&e.template(&photo("obama2.jpg")).unwrap()).unwrap();
    assert!(d.passed(), "{d:?}");
    assert!(d.identity_consistent && d.parallax.unwrap() >= 0.02, "{d:?}");
    // The same live run against someone else's template.
    let mut run = e.liveness(session(vec![Action::ShakeHead, Action::Nod])).unwrap();
    feed(&mut run, &frames);
    let d = run.finish(&e.template(&photo("biden.jpg")).unwrap()).unwrap();
    assert_eq!(failure(&d), "face_mismatch", "{d:?}");
    assert!(d.advice_zh().contains("相似度低"));
}

#[test]
fn different_stills_of_one_person_jump() {
    let e = engine();
    let stills = [photo("obama.jpg"), photo("obama2.jpg"), photo("obama3.jpg")];
    // Each still repeated (with its own noise), in the order that would do the actions.
    let frames: Vec<RgbImage> = stills.iter().flat_map(|s| vec![s.clone(); 4]).collect();
    let mut run = e.liveness(session(vec![Action::OpenMouth, Action::Nod])).unwrap();
    let events = feed(&mut run, &frames);
    assert!(
        events
            .iter()
            .any(|ev| matches!(ev, LivenessEvent::Discontinuous { .. })),
        "{events:?}"
    );
    let d = run.finish(&e.template(&stills[0]).unwrap()).unwrap();
    assert_eq!(failure(&d), "discontinuous");
}

#[test]
fn mirrored_and_edited_copies_of_one_photo_fail() {
    let e = engine();
    let front = photo("obama.jpg");
    let mirrored = image::imageops::flip_horizontal(&front);
    let shut = edit_eyes_shut(e, &front).unwrap();
    for (actions, frames) in [
        (
            vec![Action::ShakeHead, Action::Blink],
            [
                vec![front.clone(); 4],
                vec![mirrored.clone(); 3],
                vec![front.clone(); 3],
            ]
            .concat(),
        ),
        (
            vec![Action::Blink, Action::Nod],
            [vec![front.clone(); 4], vec![shut.clone()], vec![front.clone(); 110]].concat(),
        ),
    ] {
        let mut run = e.liveness(session(actions.clone())).unwrap();
        let events = feed(&mut run, &frames);
        assert_ne!(run.session().state(), SessionState::Passed, "{actions:?}: {events:?}");
        let d = run.finish(&e.template(&front).unwrap()).unwrap();
        assert!(!d.passed());
        println!("{actions:?}: {}", failure(&d));
    }
}

#[test]
fn the_same_frame_repeated_is_frozen() {
    let e = engine();
    let front = photo("obama.jpg");
    let mut run = e.liveness(session(vec![Action::Nod, Action::Blink])).unwrap();
    let mut last = LivenessEvent::FaceMissing;
    for i in 0..5 {
        last = run.push_image(&front, 100 * (i + 1)).unwrap();
    }
    assert_eq!(last, LivenessEvent::Frozen);
}

#[test]
fn another_person_between_actions_fails() {
    let e = engine();
    let a = HeadModel::new(e, &photo("obama.jpg")).unwrap();
    let b = HeadModel::new(e, &photo("biden.jpg")).unwrap();
    let poses = shake_then_nod();
    // Obama shakes; Biden nods.
    let frames: Vec<RgbImage> = poses
        .iter()
        .enumerate()
        .map(|(i, p)| if i < 30 { a.render(*p) } else { b.render(*p) })
        .collect();
    let mut run = e.liveness(session(vec![Action::ShakeHead, Action::Nod])).unwrap();
    let events = feed(&mut run, &frames);
    let d = run.finish(&e.template(&photo("obama2.jpg")).unwrap()).unwrap();
    assert!(!d.passed(), "{events:?} {d:?}");
    assert!(["discontinuous", "identity_changed"].contains(&failure(&d)), "{d:?}");
}

#[test]
fn a_printed_photo_waved_in_front_of_the_camera_fails() {
    let e = engine();
    for name in ["obama.jpg", "biden.jpg", "astronaut.png"] {
        let img = photo(name);
        let mut frames = vec![flat_turn(&img, 0.0, 0.0, 3.0, [0.0, 0.0]); 4];
        for y in (-8..=0).rev().chain(-8..=8).chain((0..=8).rev()) {
            frames.push(flat_turn(&img, y as f32 * 5.0, 0.0, 3.0, [0.0, 0.0]));
        }
        for p in (0..=6).chain((0..=6).rev()) {
            frames.push(flat_turn(&img, 0.0, p as f32 * 5.0, 3.0, [0.0, 0.0]));
        }
        let mut run = e.liveness(session(vec![Action::ShakeHead, Action::Nod])).unwrap();
        let events = feed(&mut run, &frames);
        let d = run.finish(&e.template(&img).unwrap()).unwrap();
        assert!(!d.passed(), "{name}: {events:?}");
        println!("{name}: waved photo → {}", failure(&d));
    }
}

#[test]
fn a_recaptured_still_fails() {
    let e = engine();
    let front = photo("obama.jpg");
    let frames: Vec<RgbImage> = (0..20).map(|i| recapture(&front, i)).collect();
    let mut run = e.liveness(session(vec![Action::Nod, Action::OpenMouth])).unwrap();
    let events = feed(&mut run, &frames);
    assert_ne!(run.session().state(), SessionState::Passed, "{events:?}");
}

#[test]
fn silent_mode_needs_an_anti_spoof_model() {
    let e = engine();
    if e.has_antispoof() {
        return;
    }
    let mut s = session(vec![]);
    let mut ch = s.challenge().clone();
    ch.mode = LivenessMode::Silent;
    s = LivenessSession::new(ch, LivenessConfig::default());
    assert!(matches!(e.liveness(s), Err(FaceError::AntispoofRequired)));
}

#[test]
fn a_huge_upload_leaves_only_a_small_crop_in_the_run() {
    let e = engine();
    let big = scaled(&photo("obama.jpg"), 6.0);
    let mut run = e.liveness(session(vec![Action::Nod, Action::Blink])).unwrap();
    run.push_image(&big, 100).unwrap();
    assert!(
        run.held_bytes() > 0 && run.held_bytes() <= 512 * 512 * 3,
        "{}",
        run.held_bytes()
    );
}

#[test]
fn a_live_head_passes_the_head_movements_in_either_order() {
    let e = engine();
    let head = HeadModel::new(e, &photo("astronaut.png")).unwrap();
    for actions in [
        vec![Action::Nod, Action::ShakeHead],
        vec![Action::ShakeHead, Action::Nod],
    ] {
        let frames = head.perform(&actions).unwrap();
        let mut run = e.liveness(session(actions.clone())).unwrap();
        let events = feed(&mut run, &frames);
        assert_eq!(events.last(), Some(&LivenessEvent::Passed), "{actions:?}: {events:?}");
    }
}

/// An engine with the shipped anti-spoof model switched on and the given threshold.
fn engine_with_antispoof(threshold: f32) -> FaceEngine {
    let mut config = certify_face::FaceEngineConfig::new(root().join("models"));
    config.runtime_library = Some(root().join(".deps/onnxruntime/libonnxruntime.so"));
    config.antispoof = Some(certify_face::antispoof::AntispoofKind::HumanAntispoof);
    config.antispoof_threshold = threshold;
    FaceEngine::load(config).unwrap()
}

#[test]
fn the_anti_spoof_score_enters_the_decision_and_its_threshold_decides() {
    let head = HeadModel::new(engine(), &photo("obama.jpg")).unwrap();
    let frames = head.perform(&[Action::ShakeHead, Action::Nod]).unwrap();
    let enrolled = engine().template(&photo("obama2.jpg")).unwrap();
    for (threshold, expect) in [(0.0, None), (0.999, Some("spoof_suspected"))] {
        let e = engine_with_antispoof(threshold);
        let mut run = e.liveness(session(vec![Action::ShakeHead, Action::Nod])).unwrap();
        for (i, f) in frames.iter().enumerate() {
            run.push_image(&with_sensor_noise(f, i as u32), 100 * (i as u32 + 1))
                .unwrap();
        }
        let d = run.finish(&enrolled).unwrap();
        let score = d.antispoof.expect("scored");
        assert!((0.0..=1.0).contains(&score), "{d:?}");
        assert_eq!(d.reason(), expect, "{d:?}");
        let claims = d.claims_for(
            certify_core::id::ResidentId::parse("11010519491231002X").unwrap(),
            certify_core::id::ResidentId::parse("11010519491231002X").unwrap(),
            [1; 16],
            Timestamp::from_unix_seconds(0),
            60,
        );
        assert_eq!(claims.antispoof_milli, Some((score * 1000.0).round() as i32));
        assert_eq!(claims.liveness_mode, Some(LivenessMode::Actions));
        assert_eq!(claims.passed(), expect.is_none());
    }
}

#[test]
fn silent_mode_runs_with_anti_spoof_and_a_still_shows_no_sign_of_life() {
    let e = engine_with_antispoof(0.5);
    let mut ch = session(vec![]).challenge().clone();
    ch.mode = LivenessMode::Silent;
    let mut run = e.liveness(LivenessSession::new(ch, LivenessConfig::default())).unwrap();
    let front = photo("obama.jpg");
    let mut events = Vec::new();
    for i in 0..130u32 {
        events.push(run.push_image(&with_sensor_noise(&front, i), 100 * (i + 1)).unwrap());
        if events.last().is_some_and(|e| e.is_failure()) {
            break;
        }
    }
    assert_eq!(events.last(), Some(&LivenessEvent::NoSignOfLife), "{:?}", events.last());
    let d = run.finish(&e.template(&front).unwrap()).unwrap();
    assert_eq!((d.mode, d.reason()), (LivenessMode::Silent, Some("no_sign_of_life")));
}

/// A run stored after every frame and continued from the stored data (as a server with
/// several instances does) decides exactly as one run in memory.
#[test]
fn a_run_continued_from_its_snapshot_after_every_frame_decides_the_same() {
    let e = engine();
    let head = HeadModel::new(e, &photo("obama.jpg")).unwrap();
    let frames: Vec<RgbImage> = shake_then_nod().into_iter().map(|p| head.render(p)).collect();
    let enrolled = e.template(&photo("obama2.jpg")).unwrap();
    let mut whole = e.liveness(session(vec![Action::ShakeHead, Action::Nod])).unwrap();
    let expected = feed(&mut whole, &frames);
    let mut stored = e
        .liveness(session(vec![Action::ShakeHead, Action::Nod]))
        .unwrap()
        .into_snapshot();
    let mut events = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        let mut run = LivenessRun::restore(e, stored).unwrap();
        events.push(
            run.push_image(&with_sensor_noise(f, i as u32), 100 * (i as u32 + 1))
                .unwrap(),
        );
        stored = run.into_snapshot();
        // The stored state is plain JSON.
        let json = serde_json::to_string(&stored.state).unwrap();
        stored.state = serde_json::from_str(&json).unwrap();
    }
    assert_eq!(events, expected);
    let a = whole.finish(&enrolled).unwrap();
    let b = LivenessRun::restore(e, stored).unwrap().finish(&enrolled).unwrap();
    assert!(a.passed() && b.passed(), "{a:?} {b:?}");
    assert_eq!(a.comparison, b.comparison);
    assert_eq!(a.max_sample_distance, b.max_sample_distance);
}

// A host that keeps the crop apart pushes frames without loading it (a frame only needs
// the kept crop's score) and loads it for the decision: the same events and decision.
#[test]
fn a_run_restored_without_its_crop_for_frames_decides_as_a_whole_run() {
    let e = engine();
    let head = HeadModel::new(e, &photo("obama.jpg")).unwrap();
    let frames: Vec<RgbImage> = shake_then_nod().into_iter().map(|p| head.render(p)).collect();
    let enrolled = e.template(&photo("obama2.jpg")).unwrap();
    let mut whole = e.liveness(session(vec![Action::ShakeHead, Action::Nod])).unwrap();
    let expected = feed(&mut whole, &frames);
    let mut stored = e
        .liveness(session(vec![Action::ShakeHead, Action::Nod]))
        .unwrap()
        .into_snapshot();
    let mut kept: Option<RgbImage> = None;
    let mut events = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        let mut run = LivenessRun::restore(e, stored).unwrap();
        events.push(
            run.push_image(&with_sensor_noise(f, i as u32), 100 * (i as u32 + 1))
                .unwrap(),
        );
        stored = run.into_snapshot();
        if let Some(crop) = stored.best.take() {
            kept = Some(crop);
        }
    }
    assert_eq!(events, expected);
    assert!(kept.is_some() && stored.state.best_score.is_some());
    // Without the crop the decision is refused, not made on nothing.
    assert!(matches!(
        LivenessRun::restore(e, stored.clone()).unwrap().finish(&enrolled),
        Err(FaceError::BadSnapshot(_))
    ));
    stored.best = kept;
    let a = whole.finish(&enrolled).unwrap();
    let b = LivenessRun::restore(e, stored).unwrap().finish(&enrolled).unwrap();
    assert!(a.passed() && b.passed(), "{a:?} {b:?}");
    assert_eq!(a.comparison, b.comparison);
}

#[test]
fn an_inconsistent_snapshot_is_refused() {
    let e = engine();
    let mut s = e
        .liveness(session(vec![Action::ShakeHead, Action::Nod]))
        .unwrap()
        .into_snapshot();
    s.samples.push(vec![0; 10]);
    assert!(matches!(
        LivenessRun::restore(e, s.clone()),
        Err(FaceError::BadSnapshot(_))
    ));
    s.samples.clear();
    s.best = Some(RgbImage::new(2000, 2000));
    s.state.best_score = Some(1.0);
    assert!(matches!(LivenessRun::restore(e, s), Err(FaceError::BadSnapshot(_))));
}
