//! Print the enrollment review of a selfie photo with a synthetic card: `review_debug <selfie> <portrait-photo> <card px>`.
#![allow(missing_docs)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let e = certify_face::FaceEngine::load(certify_face::FaceEngineConfig::new("models"))?;
    let load = |p: &str| certify_face::image_io::decode(&std::fs::read(p).unwrap_or_default());
    let portrait = certify_face::testing::face_crop(&e, &load(&a[1])?)?.ok_or("no face")?;
    let card = certify_face::testing::card_front(&portrait);
    let selfie = certify_face::testing::selfie_with_card(&load(&a[0])?, &card, a[2].parse()?);
    for d in e.detect_small(&selfie)? {
        println!("face {:?} score {:.2}", d.bbox.map(|v| v.round()), d.score);
    }
    let r = e.review_enrollment(&card, &certify_face::testing::card_back(), &selfie)?;
    println!("{:?} {:?}", r.issues, r.portrait_distance);
    Ok(())
}
