//! The face engine on real photographs (PyPI face_recognition 1.3.0 test images, and
//! scikit-image's astronaut): matching, quality reasons, pose, mouth, liveness sequences,
//! enrollment review.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use certify_core::biometric::{MatchDecision, ReviewIssue};
use certify_core::liveness::LivenessConfig;
use certify_face::quality::QualityIssue;
use common::*;
use image::RgbImage;

#[test]
fn same_person_matches_and_different_people_do_not() {
    let e = engine();
    let obama: Vec<_> = ["obama.jpg", "obama2.jpg", "obama3.jpg"]
        .iter()
        .map(|f| e.template(&photo(f)).unwrap())
        .collect();
    let others: Vec<_> = ["biden.jpg", "astronaut.png"]
        .iter()
        .map(|f| e.template(&photo(f)).unwrap())
        .collect();
    for i in 0..3 {
        for j in i + 1..3 {
            let c = e.compare(&obama[i], &obama[j]);
            assert_eq!(c.decision, MatchDecision::Match, "obama {i} vs {j}: {}", c.distance);
        }
        for o in &others {
            let c = e.compare(&obama[i], o);
            assert_eq!(c.decision, MatchDecision::NoMatch, "obama {i} vs other: {}", c.distance);
        }
    }
    assert_eq!(e.compare(&others[0], &others[1]).decision, MatchDecision::NoMatch);
}

fn issues_of(img: &RgbImage) -> Vec<QualityIssue> {
    engine().analyze(img).unwrap().issues
}

#[test]
fn a_good_photo_has_no_quality_issue() {
    for f in ["obama.jpg", "astronaut.png"] {
        assert_eq!(issues_of(&photo(f)), vec![], "{f}");
    }
    // A tall portrait with the face near the top: only framing is off.
    assert_eq!(issues_of(&photo("biden.jpg")), vec![QualityIssue::OffCentre]);
}

#[test]
fn darkened_and_overexposed_photos_say_so() {
    let img = photo("obama.jpg");
    let dark = RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let p = img.get_pixel(x, y).0;
        image::Rgb([p[0] / 5, p[1] / 5, p[2] / 5])
    });
    let issues = issues_of(&dark);
    assert!(issues.contains(&QualityIssue::TooDark), "{issues:?}");
    let bright = RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let p = img.get_pixel(x, y).0;
        image::Rgb(p.map(|v| 255 - (255 - v) / 6))
    });
    let issues = issues_of(&bright);
    assert!(
        issues.contains(&QualityIssue::TooBright) || issues.contains(&QualityIssue::NoFace),
        "{issues:?}"
    );
}

#[test]
fn blurred_photo_says_hold_still() {
    let img = photo("obama.jpg");
    let blurred = image::imageops::blur(&img, 6.0);
    let issues = issues_of(&blurred);
    assert!(issues.contains(&QualityIssue::Blurred), "{issues:?}");
    assert!(!issues_of(&img).contains(&QualityIssue::Blurred));
}

#[test]
fn tiny_face_says_come_closer() {
    let face = scaled(&photo("obama.jpg"), 0.2);
    let mut canvas = RgbImage::from_pixel(1200, 1200, image::Rgb([128, 128, 128]));
    image::imageops::overlay(&mut canvas, &face, 500, 450);
    let issues = issues_of(&canvas);
    assert!(
        issues.contains(&QualityIssue::FaceTooSmall) || issues.contains(&QualityIssue::NoFace),
        "{issues:?}"
    );
}

#[test]
fn no_face_says_no_face() {
    let img = photo("obama.jpg");
    let suit = image::imageops::crop_imm(&img, 0, 700, 900, 430).to_image();
    assert_eq!(issues_of(&suit), vec![QualityIssue::NoFace]);
    let grey = RgbImage::from_pixel(640, 480, image::Rgb([120, 120, 120]));
    assert_eq!(issues_of(&grey), vec![QualityIssue::NoFace]);
}

#[test]
fn mirrored_image_flips_the_yaw_sign() {
    for f in ["obama2.jpg", "obama3.jpg", "biden.jpg"] {
        let img = photo(f);
        let a = engine().analyze(&img).unwrap().primary.unwrap().measures;
        let b = engine()
            .analyze(&image::imageops::flip_horizontal(&img))
            .unwrap()
            .primary
            .unwrap()
            .measures;
        assert!(a.pose.yaw.abs() > 5.0, "{f}: yaw {}", a.pose.yaw);
        assert!(a.pose.yaw * b.pose.yaw < 0.0, "{f}: {} vs {}", a.pose.yaw, b.pose.yaw);
        assert!((a.pose.yaw + b.pose.yaw).abs() < 5.0, "{f}: roughly opposite");
    }
}

#[test]
fn open_mouth_measures_open() {
    // obama2.jpg: speaking to Congress, mouth open; biden.jpg: mouth closed.
    let open = engine()
        .analyze(&photo("obama2.jpg"))
        .unwrap()
        .primary
        .unwrap()
        .measures
        .mouth_openness;
    let closed = engine()
        .analyze(&photo("biden.jpg"))
        .unwrap()
        .primary
        .unwrap()
        .measures
        .mouth_openness;
    let c = LivenessConfig::default();
    assert!(open >= c.mouth_open, "open {open}");
    assert!(closed < c.mouth_closed, "closed {closed}");
}

#[test]
fn enrollment_review_accepts_a_good_set_and_names_what_is_wrong() {
    let e = engine();
    let portrait = face_crop(&photo("obama3.jpg"));
    let front = card(&portrait);
    let back = certify_face::testing::card_back();
    let good = selfie_with_card(&photo("obama.jpg"), &front, 360);
    let r = e.review_enrollment(&front, &back, &good).unwrap();
    assert_eq!(r.issues, vec![], "portrait distance {:?}", r.portrait_distance);
    assert!(r.template.is_some());
    // Someone else's card in hand: the live face does not match the card portrait.
    let biden_card = card(&face_crop(&photo("biden.jpg")));
    let r = e
        .review_enrollment(
            &biden_card,
            &back,
            &selfie_with_card(&photo("obama.jpg"), &biden_card, 360),
        )
        .unwrap();
    assert!(r.issues.contains(&ReviewIssue::FaceMismatch), "{r:?}");
    assert!(r.template.is_none());
    // No card in the selfie.
    let r = e.review_enrollment(&front, &back, &photo("obama.jpg")).unwrap();
    assert!(r.issues.contains(&ReviewIssue::CardUnreadable), "{r:?}");
    // The card front uploaded as the back (a face on it).
    let r = e.review_enrollment(&front, &front, &good).unwrap();
    assert!(r.issues.contains(&ReviewIssue::CardUnreadable), "{r:?}");
}

#[test]
fn a_card_made_with_the_strangers_own_face_fails_against_the_authoritys_portrait() {
    // A stranger who knows Obama's name and number prints a card with his own face on it:
    // card and selfie agree, so only the authority's portrait of the real holder stops him.
    let e = engine();
    let back = certify_face::testing::card_back();
    let forged = card(&face_crop(&photo("biden.jpg")));
    let selfie = selfie_with_card(&photo("biden.jpg"), &forged, 360);
    let alone = e.review_enrollment(&forged, &back, &selfie).unwrap();
    assert_eq!(alone.issues, vec![], "the forged set is consistent in itself");
    let authority = face_crop(&photo("obama2.jpg"));
    let r = e
        .review_enrollment_with_reference(&forged, &back, &selfie, Some(&authority))
        .unwrap();
    assert_eq!(r.review.issues, vec![ReviewIssue::FaceMismatch], "{r:?}");
    assert!(r.review.template.is_none() && r.had_reference);
    assert!(
        r.reference_distance
            .is_some_and(|d| d >= e.config().portrait_match_threshold)
    );
    // The real holder's own set passes against the same portrait.
    let front = card(&face_crop(&photo("obama3.jpg")));
    let own = selfie_with_card(&photo("obama.jpg"), &front, 360);
    let r = e
        .review_enrollment_with_reference(&front, &back, &own, Some(&authority))
        .unwrap();
    assert_eq!(r.review.issues, vec![], "{r:?}");
    assert!(r.review.template.is_some());
    // A reference portrait with no face in it is not a match.
    let r = e
        .review_enrollment_with_reference(&front, &back, &own, Some(&back))
        .unwrap();
    assert_eq!(r.review.issues, vec![ReviewIssue::FaceMismatch], "{r:?}");
    assert_eq!(r.reference_distance, None);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
    // Arbitrary pixels of arbitrary sizes go through the whole analysis without panicking
    // (no face, or whatever the models make of noise, but always a value).
    #[test]
    fn arbitrary_images_never_panic(w in 64u32..300, h in 64u32..300, seed in proptest::prelude::any::<u64>()) {
        let mut s = seed;
        let img = RgbImage::from_fn(w, h, |_, _| {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            image::Rgb([(s >> 56) as u8, (s >> 48) as u8, (s >> 40) as u8])
        });
        let a = engine().analyze(&img);
        proptest::prop_assert!(a.is_ok());
        let _ = engine().review_enrollment(&img, &img, &img);
    }
}

#[test]
fn the_int8_embedding_keeps_the_decisions_but_its_templates_are_its_own() {
    let mut config = certify_face::FaceEngineConfig::new(root().join("models"));
    config.runtime_library = Some(root().join(".deps/onnxruntime/libonnxruntime.so"));
    config.int8_embedding = true;
    let q = certify_face::FaceEngine::load(config).unwrap();
    let t = |e: &certify_face::FaceEngine, n: &str| e.template(&photo(n)).unwrap();
    let (o1, o2, b) = (t(&q, "obama.jpg"), t(&q, "obama2.jpg"), t(&q, "biden.jpg"));
    assert_eq!(q.compare(&o1, &o2).decision, MatchDecision::Match);
    assert_eq!(q.compare(&o1, &b).decision, MatchDecision::NoMatch);
    // A float32 template is not an int8 one: the drift is why the two are never mixed.
    let drift = t(engine(), "obama.jpg").distance(&o1);
    assert!(drift > 0.01, "{drift}");
}

#[test]
fn a_second_person_beside_the_pensioner_is_still_several_faces() {
    // Other detections must now be confirmed by the mesh and be of sensible size (so that a
    // patterned background is not "several faces"): a real second person still counts.
    let e = engine();
    let main = photo("obama.jpg");
    let (w, h) = main.dimensions();
    let face = face_crop(&photo("biden.jpg"));
    let mut two = image::RgbImage::from_pixel(w * 2, h, image::Rgb([120, 120, 120]));
    image::imageops::overlay(&mut two, &main, 0, 0);
    let other = image::imageops::resize(&face, w * 3 / 4, w * 3 / 4, image::imageops::FilterType::Triangle);
    image::imageops::overlay(&mut two, &other, i64::from(w + w / 8), i64::from(h / 8));
    let a = e.analyze(&two).unwrap();
    assert!(
        a.faces.len() >= 2 && a.issues.contains(&QualityIssue::SeveralFaces),
        "{:?}",
        a.faces
    );
    assert!(a.observation().is_none());
    // Alone: one face, an observation.
    let a = e.analyze(&main).unwrap();
    assert_eq!(a.faces.len(), 1);
    assert!(a.observation().is_some());
}
