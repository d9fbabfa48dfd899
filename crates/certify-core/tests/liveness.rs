//! Liveness: genuine continuous captures pass; stills, repeated frames, jumps, flat
//! pictures, gaps and slow or short runs fail with a reason and Chinese advice.
#![allow(missing_docs, clippy::unwrap_used)]

use certify_core::liveness::continuity::step;
use certify_core::liveness::simulate::{Pose, observe, with_noise};
use certify_core::liveness::{
    Action, ChallengeError, Discontinuity, FaceObservation, Frame, LivenessChallenge, LivenessConfig, LivenessEvent,
    LivenessMode, LivenessSession, SessionState,
};
use certify_core::time::Timestamp;
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

const T: Timestamp = Timestamp::from_unix_seconds(0);

fn challenge(actions: Vec<Action>) -> LivenessChallenge {
    LivenessChallenge {
        actions,
        nonce: [0; 16],
        issued_at: T,
        mode: LivenessMode::Actions,
    }
}

fn silent() -> LivenessChallenge {
    LivenessChallenge {
        actions: vec![],
        nonce: [0; 16],
        issued_at: T,
        mode: LivenessMode::Silent,
    }
}

/// Poses from `a` to `b` in `n` even steps (excluding `a`).
fn glide(a: Pose, b: Pose, n: usize) -> Vec<Pose> {
    (1..=n)
        .map(|i| {
            let t = i as f32 / n as f32;
            let l = |x: f32, y: f32| x + (y - x) * t;
            Pose {
                yaw: l(a.yaw, b.yaw),
                pitch: l(a.pitch, b.pitch),
                eye: l(a.eye, b.eye),
                mouth: l(a.mouth, b.mouth),
                centre: [l(a.centre[0], b.centre[0]), l(a.centre[1], b.centre[1])],
                size: l(a.size, b.size),
            }
        })
        .collect()
}

fn rest() -> Pose {
    Pose::default()
}

/// A real person doing `action` from rest and back, through intermediate poses.
fn perform(action: Action) -> Vec<Pose> {
    let r = rest();
    let with = |f: &dyn Fn(&mut Pose)| {
        let mut p = r;
        f(&mut p);
        p
    };
    match action {
        Action::ShakeHead => {
            let left = with(&|p| p.yaw = -20.0);
            let right = with(&|p| p.yaw = 20.0);
            [glide(r, left, 4), glide(left, right, 7), glide(right, r, 4)].concat()
        }
        Action::Nod => {
            let down = with(&|p| p.pitch = 16.0);
            [glide(r, down, 3), glide(down, r, 3)].concat()
        }
        Action::OpenMouth => {
            let open = with(&|p| p.mouth = 0.5);
            [glide(r, open, 3), glide(open, r, 3)].concat()
        }
        Action::Blink => {
            let shut = with(&|p| p.eye = 0.08);
            [glide(r, shut, 1), glide(shut, r, 2)].concat()
        }
    }
}

/// Feed poses at `interval_ms` as a live camera (with noise), flat or not; events.
fn feed(s: &mut LivenessSession, poses: &[Pose], t: &mut u32, interval_ms: u32, flat: bool) -> Vec<LivenessEvent> {
    poses
        .iter()
        .map(|p| {
            *t += interval_ms;
            s.push(Frame {
                elapsed_ms: *t,
                face: Some(with_noise(observe(*p, flat), *t)),
            })
        })
        .collect()
}

fn genuine_run(actions: &[Action]) -> Vec<Pose> {
    let mut poses = vec![rest(); 4];
    for a in actions {
        poses.extend(perform(*a));
        poses.extend([rest(); 2]);
    }
    poses
}

#[test]
fn draws_two_or_three_distinct_actions_with_a_head_movement() {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let mut orders = std::collections::HashSet::new();
    for _ in 0..500 {
        let c = LivenessChallenge::draw(&mut rng, T);
        assert!((2..=3).contains(&c.actions.len()));
        let unique: std::collections::HashSet<_> = c.actions.iter().collect();
        assert_eq!(unique.len(), c.actions.len());
        assert!(c.actions.iter().any(|a| a.moves_head()), "{:?}", c.actions);
        orders.insert(c.actions.clone());
    }
    assert!(orders.len() > 20, "orders vary: {}", orders.len());
    // A host's allowed set is respected and must contain a head movement.
    let allowed = [Action::Nod, Action::OpenMouth];
    for _ in 0..50 {
        let c = LivenessChallenge::draw_from(&mut rng, T, &allowed).unwrap();
        assert!(c.actions.iter().all(|a| allowed.contains(a)) && c.actions.contains(&Action::Nod));
    }
    assert_eq!(
        LivenessChallenge::draw_from(&mut rng, T, &[Action::Blink, Action::OpenMouth]),
        Err(ChallengeError::NoHeadMovement)
    );
    let s = LivenessChallenge::silent(&mut rng, T);
    assert!(s.actions.is_empty() && s.mode == LivenessMode::Silent);
}

#[test]
fn genuine_continuous_runs_pass_for_every_order() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let mut passed = 0;
    for _ in 0..60 {
        let c = LivenessChallenge::draw(&mut rng, T);
        let mut s = LivenessSession::new(c.clone(), LivenessConfig::default());
        let mut t = 0;
        let events = feed(&mut s, &genuine_run(&c.actions), &mut t, 120, false);
        assert_eq!(
            events.last(),
            Some(&LivenessEvent::Passed),
            "{:?}: {events:?}",
            c.actions
        );
        assert!(s.peak_parallax().unwrap() >= LivenessConfig::default().min_parallax);
        passed += 1;
    }
    assert_eq!(passed, 60);
}

#[test]
fn a_waved_flat_picture_is_refused_as_flat() {
    for actions in [
        vec![Action::ShakeHead, Action::Blink],
        vec![Action::Nod, Action::OpenMouth],
    ] {
        let mut s = LivenessSession::new(challenge(actions.clone()), LivenessConfig::default());
        let mut t = 0;
        let events = feed(&mut s, &genuine_run(&actions), &mut t, 120, true);
        assert!(events.contains(&LivenessEvent::FlatFace), "{actions:?}: {events:?}");
        assert_eq!(s.state(), SessionState::Failed);
    }
}

#[test]
fn stills_of_different_poses_jump() {
    // Three photos: frontal, turned left, turned right, each repeated with camera noise.
    let actions = vec![Action::ShakeHead, Action::OpenMouth];
    let mut s = LivenessSession::new(challenge(actions), LivenessConfig::default());
    let left = Pose { yaw: -20.0, ..rest() };
    let right = Pose { yaw: 20.0, ..rest() };
    let mut t = 0;
    let poses = [vec![rest(); 5], vec![left; 5], vec![right; 5]].concat();
    let events = feed(&mut s, &poses, &mut t, 120, false);
    assert!(
        events.contains(&LivenessEvent::Discontinuous {
            what: Discontinuity::Pose
        }),
        "{events:?}"
    );
}

#[test]
fn repeated_identical_frames_are_frozen() {
    let mut s = LivenessSession::new(challenge(vec![Action::Nod, Action::Blink]), LivenessConfig::default());
    let still = observe(rest(), false);
    let mut last = LivenessEvent::FaceMissing;
    for i in 1..=5 {
        last = s.push(Frame {
            elapsed_ms: 100 * i,
            face: Some(still),
        });
    }
    assert_eq!(last, LivenessEvent::Frozen);
}

#[test]
fn a_still_held_with_camera_noise_times_out() {
    let mut s = LivenessSession::new(challenge(vec![Action::Blink, Action::Nod]), LivenessConfig::default());
    let mut t = 0;
    let events = feed(&mut s, &vec![rest(); 120], &mut t, 100, false);
    assert!(
        events.contains(&LivenessEvent::TimedOut { action: Action::Blink }),
        "{events:?}"
    );
}

#[test]
fn gaps_slow_rates_and_the_deadline_fail() {
    let actions = vec![Action::Nod, Action::Blink];
    // A 1.5 s gap between frames.
    let mut s = LivenessSession::new(challenge(actions.clone()), LivenessConfig::default());
    let mut t = 0;
    feed(&mut s, &[rest(); 4], &mut t, 100, false);
    t += 1400;
    let ev = feed(&mut s, &[rest()], &mut t, 100, false);
    assert_eq!(ev, vec![LivenessEvent::FrameGap { gap_ms: 1500 }]);
    // Every frame 900 ms apart: no gap, but under 3 frames a second.
    let mut s = LivenessSession::new(challenge(actions.clone()), LivenessConfig::default());
    let mut t = 0;
    let ev = feed(&mut s, &genuine_run(&actions), &mut t, 900, false);
    assert!(
        matches!(ev.last(), Some(LivenessEvent::TooFewFrames { fps_tenths, .. }) if *fps_tenths < 30),
        "{ev:?}"
    );
    // Frames dated past the run's deadline.
    let mut s = LivenessSession::new(challenge(actions.clone()), LivenessConfig::default());
    let mut t = 44_900;
    let ev = feed(&mut s, &[rest(); 3], &mut t, 100, false);
    assert_eq!(ev.last(), Some(&LivenessEvent::RunExpired));
    // Too few frames: the actions done, then the run waits for more frames.
    let config = LivenessConfig {
        min_frames: 200,
        ..LivenessConfig::default()
    };
    let mut s = LivenessSession::new(challenge(actions.clone()), config);
    let mut t = 0;
    let ev = feed(&mut s, &genuine_run(&actions), &mut t, 100, false);
    assert_eq!(ev.last(), Some(&LivenessEvent::InProgress { current: None }));
    assert_eq!(s.state(), SessionState::Running);
}

#[test]
fn a_clock_going_back_counts_as_no_time() {
    let actions = vec![Action::Nod, Action::Blink];
    let mut s = LivenessSession::new(challenge(actions.clone()), LivenessConfig::default());
    let mut t = 5000;
    feed(&mut s, &[rest(); 4], &mut t, 100, false);
    // A frame claiming an earlier time is taken at the last time seen.
    let ev = s.push(Frame {
        elapsed_ms: 0,
        face: Some(with_noise(observe(rest(), false), 77)),
    });
    assert_eq!(
        ev,
        LivenessEvent::InProgress {
            current: Some(Action::Nod)
        }
    );
}

#[test]
fn wrong_order_and_lost_face_fail() {
    let mut s = LivenessSession::new(challenge(vec![Action::Blink, Action::Nod]), LivenessConfig::default());
    let mut t = 0;
    let poses = [vec![rest(); 4], perform(Action::Nod)].concat();
    let ev = feed(&mut s, &poses, &mut t, 100, false);
    assert!(
        ev.contains(&LivenessEvent::WrongAction {
            expected: Action::Blink,
            performed: Action::Nod
        }),
        "{ev:?}"
    );
    let mut s = LivenessSession::new(challenge(vec![Action::Blink, Action::Nod]), LivenessConfig::default());
    let mut t = 0;
    feed(&mut s, &[rest(); 4], &mut t, 100, false);
    let mut last = LivenessEvent::FaceMissing;
    for _ in 0..20 {
        t += 100;
        last = s.push(Frame {
            elapsed_ms: t,
            face: None,
        });
    }
    assert_eq!(last, LivenessEvent::FaceLost);
}

#[test]
fn an_involuntary_blink_during_another_action_is_not_a_wrong_action() {
    let actions = vec![Action::ShakeHead, Action::OpenMouth];
    let mut s = LivenessSession::new(challenge(actions), LivenessConfig::default());
    let mut t = 0;
    let poses = [
        vec![rest(); 4],
        perform(Action::Blink),
        perform(Action::ShakeHead),
        vec![rest(); 2],
        perform(Action::OpenMouth),
        vec![rest(); 2],
    ]
    .concat();
    let ev = feed(&mut s, &poses, &mut t, 100, false);
    assert!(
        !ev.iter().any(|e| matches!(e, LivenessEvent::WrongAction { .. })),
        "{ev:?}"
    );
    assert_eq!(ev.last(), Some(&LivenessEvent::Passed), "{ev:?}");
}

#[test]
fn silent_mode_passes_on_a_natural_blink_and_fails_without() {
    let mut s = LivenessSession::new(silent(), LivenessConfig::default());
    let mut t = 0;
    let poses = [vec![rest(); 12], perform(Action::Blink), vec![rest(); 25]].concat();
    let ev = feed(&mut s, &poses, &mut t, 120, false);
    assert_eq!(ev.last(), Some(&LivenessEvent::Passed), "{ev:?}");
    let mut s = LivenessSession::new(silent(), LivenessConfig::default());
    let mut t = 0;
    let ev = feed(&mut s, &vec![rest(); 120], &mut t, 120, false);
    assert!(ev.contains(&LivenessEvent::NoSignOfLife), "{ev:?}");
    // A flat picture tilted in silent mode, with an edited blink, is still flat.
    let mut s = LivenessSession::new(silent(), LivenessConfig::default());
    let mut t = 0;
    let tilt = Pose { yaw: 12.0, ..rest() };
    let poses = [
        vec![rest(); 5],
        glide(rest(), tilt, 3),
        glide(tilt, rest(), 3),
        perform(Action::Blink),
        vec![rest(); 30],
    ]
    .concat();
    let ev = feed(&mut s, &poses, &mut t, 120, true);
    assert!(ev.contains(&LivenessEvent::FlatFace), "{ev:?}");
}

#[test]
fn every_failure_has_a_reason_and_chinese_advice() {
    let failures = [
        LivenessEvent::FaceLost,
        LivenessEvent::WrongAction {
            expected: Action::Nod,
            performed: Action::Blink,
        },
        LivenessEvent::TimedOut { action: Action::Blink },
        LivenessEvent::Discontinuous {
            what: Discontinuity::SceneLight,
        },
        LivenessEvent::FrameGap { gap_ms: 1500 },
        LivenessEvent::Frozen,
        LivenessEvent::FlatFace,
        LivenessEvent::TooFewFrames {
            frames: 4,
            fps_tenths: 12,
        },
        LivenessEvent::RunExpired,
        LivenessEvent::NoSignOfLife,
    ];
    let mut reasons = std::collections::HashSet::new();
    for f in &failures {
        assert!(f.is_failure());
        assert!(reasons.insert(f.reason().unwrap()));
        let zh = f.advice_zh();
        assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{zh}");
        assert!(zh.contains('请'), "says what to do: {zh}");
        assert!(!f.advice_en().is_empty());
    }
    assert!(!LivenessEvent::Passed.is_failure());
    assert!(!LivenessEvent::InProgress { current: None }.is_failure());
}

fn arb_observation() -> impl Strategy<Value = FaceObservation> {
    (
        (-40f32..40.0, -40f32..40.0, 0f32..0.5, 0f32..0.8),
        (0.3f32..0.7, 0.3f32..0.6, 0.2f32..0.5, 80f32..160.0, 80f32..140.0),
        proptest::collection::vec(-0.01f32..0.01, 28),
    )
        .prop_map(|((yaw, pitch, eye, mouth), (cx, cy, size, fl, sl), jitter)| {
            let mut o = observe(
                Pose {
                    yaw,
                    pitch,
                    eye,
                    mouth,
                    centre: [cx, cy],
                    size,
                },
                false,
            );
            o.face_luma = fl;
            o.scene_luma = sl;
            for (p, j) in o.points.iter_mut().zip(jitter.chunks(2)) {
                p[0] += j[0];
                p[1] += j[1];
            }
            o
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Arbitrary frame sequences never panic, and a pass implies that every rule held:
    /// continuity between consecutive faces, no long gap, enough frames.
    #[test]
    fn arbitrary_frames_never_pass_without_continuity(
        frames in proptest::collection::vec((0u32..400, proptest::option::weighted(0.9, arb_observation())), 0..80),
        actions in proptest::sample::subsequence(Action::ALL.to_vec(), 1..=3),
        silent_mode in any::<bool>(),
    ) {
        let c = LivenessConfig::default();
        let ch = if silent_mode { silent() } else { challenge(actions) };
        let mut s = LivenessSession::new(ch, c);
        let mut t = 0u32;
        let mut faces: Vec<FaceObservation> = Vec::new();
        let mut times = Vec::new();
        for (dt, face) in frames {
            t += dt;
            let ev = s.push(Frame { elapsed_ms: t, face });
            times.push(t);
            if let Some(f) = face { faces.push(f); }
            if ev == LivenessEvent::Passed { break; }
        }
        if s.state() == SessionState::Passed {
            prop_assert!(faces.len() as u32 >= c.min_frames);
            for w in faces.windows(2) {
                prop_assert_eq!(step(&w[0], &w[1], &c), None);
            }
            for w in times.windows(2) {
                prop_assert!(w[1] - w[0] <= c.max_gap_ms);
            }
        }
    }
}
