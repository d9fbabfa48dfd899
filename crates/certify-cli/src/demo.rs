//! `certify demo`: the whole certification story under Pucheng's 2020 rules, step by step.
//!
//! Every decision below is made by certify-core and the face engine (real ONNX models on
//! real photographs: public test images from PyPI `face_recognition` and a synthetic
//! identity card built from them). Nothing is simulated.

use certify_core::account::password::PasswordParams;
use certify_core::account::sms::{SmsChallenge, SmsKey, SmsPolicy, SmsPurpose};
use certify_core::account::{
    CaptchaVerifier, Existing, LoginResult, MobileNumber, PhoneOwner, RegistrationForm, register,
    request_registration_code,
};
use certify_core::biometric::{MatchDecision, Modality};
use certify_core::certification::{
    CertificationRecord, PersonFacts, add_contact, certify_by_app, history, last_certified, may_certify,
};
use certify_core::cycle::CyclePolicy;
use certify_core::deadline::{PayrollRow, RunDecision, decide};
use certify_core::enrollment::EnrollmentCase;
use certify_core::evidence::{Challenge, EvidenceSigner, EvidenceVerifier, MemoryReplayGuard};
use certify_core::id::ResidentId;
use certify_core::liveness::{Action, LivenessChallenge, LivenessConfig, LivenessSession};
use certify_core::money::Fen;
use certify_core::name::PersonName;
use certify_core::payment::{PaymentStatus, Suspension, SuspensionReason, UnitDeclaration};
use certify_core::realname::verify_real_name;
use certify_core::roster::{RosterEntry, Scheme};
use certify_core::time::{Timestamp, YearMonth};
use certify_face::{FaceEngine, FaceEngineConfig};
use image::RgbImage;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::io::Write;
use std::path::PathBuf;

type BoxError = Box<dyn std::error::Error>;

struct DemoCaptcha;
impl CaptchaVerifier for DemoCaptcha {
    fn verify(&self, _id: &str, answer: &str) -> bool {
        answer == "8XK2"
    }
}

fn at(date: &str, hh: i64) -> Result<Timestamp, BoxError> {
    let d = certify_core::time::parse_date(date).ok_or("bad demo date")?;
    Ok(Timestamp::start_of_china_day(d).plus_seconds(hh * 3600))
}

fn login_line(r: &LoginResult) -> String {
    match &r.outcome {
        Ok(()) => "logged in".to_owned(),
        Err(e) => format!("refused: {e}"),
    }
}

/// Where the demo finds the models, ONNX Runtime and the photographs.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// The `models/` folder.
    pub models_dir: PathBuf,
    /// The photographs fetched by `scripts/setup.sh`.
    pub photos_dir: PathBuf,
    /// ONNX Runtime library (`None`: `ORT_DYLIB_PATH`, then `.deps/onnxruntime`).
    pub runtime_library: Option<PathBuf>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            models_dir: PathBuf::from("models"),
            photos_dir: PathBuf::from(".deps/testdata/face"),
            runtime_library: None,
        }
    }
}

fn load_engine(options: &DemoOptions) -> Result<FaceEngine, BoxError> {
    let mut config = FaceEngineConfig::new(&options.models_dir);
    config.runtime_library = options.runtime_library.clone();
    FaceEngine::load(config).map_err(|e| format!("face engine: {e}").into())
}

/// Print the story to `out`.
pub fn run(out: &mut dyn Write, options: &DemoOptions) -> Result<(), BoxError> {
    let mut rng = ChaCha20Rng::seed_from_u64(2020);
    let sms_key = SmsKey::generate(&mut rng);
    let sms_policy = SmsPolicy::default();
    let params = PasswordParams::default();
    let policy = CyclePolicy::pucheng_2020();
    let mut step = 0;
    let mut say = |out: &mut dyn Write, title: &str, body: String| -> Result<(), BoxError> {
        step += 1;
        writeln!(out, "\n[{step:02}] {title}\n     {}", body.replace('\n', "\n     "))?;
        Ok(())
    };

    writeln!(
        out,
        "certify demo — Pucheng county 2020 rules: window 2020-06-03..2020-07-31, suspension from 2020-08"
    )?;

    let pensioner = RosterEntry {
        id: ResidentId::parse("610526195203041230")?,
        name: PersonName::new("刘晓瑜")?,
        scheme: Scheme::PublicInstitution,
        unit: "蒲城县教育局".into(),
        monthly_pension: Fen::yuan(3210, 0),
        pension_start: YearMonth::new(2012, 3)?,
    };
    let parent = RosterEntry {
        id: ResidentId::parse("610526192801010422")?,
        name: PersonName::new("刘桂兰")?,
        pension_start: YearMonth::new(1988, 1)?,
        monthly_pension: Fen::yuan(2875, 40),
        ..pensioner.clone()
    };

    // 1. Identity.
    let legacy = ResidentId::parse("610526280101042")?;
    say(
        out,
        "Identity numbers (GB 11643-1999)",
        format!(
            "{} → valid, born {}, {:?}, region {} {}\nlegacy 15-digit 610526280101042 upgrades to {}",
            pensioner.id.masked(),
            pensioner.id.birth_date(),
            pensioner.id.sex(),
            pensioner.id.region_code(),
            pensioner.id.region().map_or("?", |r| r.name),
            legacy,
        ),
    )?;

    // 2. Registration.
    let t = at("2020-06-22", 9)?;
    let phone = "13892506598";
    let (mut challenge, code) = request_registration_code(
        phone,
        &DemoCaptcha,
        "c1",
        "8XK2",
        false,
        None,
        &sms_key,
        &sms_policy,
        t,
        &mut rng,
    )?;
    say(
        out,
        "Registration: picture captcha, then SMS code",
        format!(
            "[demo SMS sender — not a real SMS] code {} sent to {}",
            code.expose(),
            MobileNumber::parse(phone)?.masked()
        ),
    )?;
    let form = RegistrationForm {
        phone,
        sms_code: code.expose(),
        name: "劉曉瑜",
        id_number: pensioner.id.as_str(),
        password: "laoli1952",
        password_repeat: "laoli1952",
        phone_owner: PhoneOwner::Holder,
    };
    let (mut account, _) = register(
        &form,
        &mut challenge,
        Existing::default(),
        Some(&pensioner),
        &sms_key,
        &sms_policy,
        &params,
        t,
        &mut rng,
    )?;
    say(
        out,
        "Registered with a name typed in traditional characters",
        format!(
            "typed 劉曉瑜, roster 刘晓瑜 → same key {:?}; stored name kept as typed: {}",
            account.holder_name.comparison_key().as_str(),
            account.holder_name
        ),
    )?;

    // 3. Lockout.
    let mut lines = Vec::new();
    for (i, pw) in ["laoli1925", "laoli1295", "laoli2019"].iter().enumerate() {
        let r = account.login_with_password(pw, t.plus_seconds(60 * (i as i64 + 1)));
        lines.push(format!("wrong password {}: {}", i + 1, login_line(&r)));
    }
    let r = account.login_with_password("laoli1952", t.plus_seconds(23 * 3600));
    lines.push(format!("right password 23 h later: {}", login_line(&r)));
    let r = account.login_with_password("laoli1952", t.plus_seconds(180 + 24 * 3600));
    lines.push(format!("right password 24 h after the lock: {}", login_line(&r)));
    say(
        out,
        "Three wrong passwords lock the account for 24 hours",
        lines.join("\n"),
    )?;

    // 4. Forgot password.
    let t = at("2020-06-24", 10)?;
    for i in 0..3 {
        let _ = account.login_with_password("wrong-again1", t.plus_seconds(i));
    }
    let (mut reset, code) = SmsChallenge::issue(
        MobileNumber::parse(phone)?,
        SmsPurpose::ResetPassword,
        None,
        &sms_key,
        &sms_policy,
        t.plus_seconds(60),
        &mut rng,
    )?;
    account.reset_password(
        &mut reset,
        code.expose(),
        "xinmima2020",
        "xinmima2020",
        &sms_key,
        &sms_policy,
        &params,
        t.plus_seconds(90),
        &mut rng,
    )?;
    let r = account.login_with_password("xinmima2020", t.plus_seconds(100));
    say(
        out,
        "Locked again; forgot-password (SMS re-proof + new password) unlocks at once",
        login_line(&r),
    )?;

    // 5. Real-name verification: the card portrait against a live photo, by the engine.
    let engine = load_engine(options)?;
    let photo = |name: &str| -> Result<RgbImage, BoxError> {
        let path = options.photos_dir.join(name);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e} (run scripts/setup.sh)", path.display()))?;
        Ok(certify_face::image_io::decode(&bytes)?)
    };
    let portrait =
        certify_face::testing::face_crop(&engine, &photo("obama3.jpg")?)?.ok_or("no face in the portrait photo")?;
    let card_front = certify_face::testing::card_front(&portrait);
    let card_back = certify_face::testing::card_back();
    let card_t = engine
        .card_portrait_template(&card_front)?
        .ok_or("no portrait found on the card")?;
    let live_t = engine.template(&photo("obama2.jpg")?)?;
    let d = card_t.distance(&live_t);
    let portrait_match = if d < engine.config().card_match_threshold {
        MatchDecision::Match
    } else {
        MatchDecision::NoMatch
    };
    verify_real_name(
        &mut account,
        "刘晓瑜",
        pensioner.id.as_str(),
        Some(&pensioner),
        portrait_match,
        t.plus_seconds(200),
    )?;
    say(
        out,
        "Real-name verification (实名认证): card portrait vs live face",
        format!(
            "roster match ✓; distance {d:.3} (threshold {:.2}) → {portrait_match:?}",
            engine.config().card_match_threshold
        ),
    )?;

    // 6. Face enrollment: the automatic review runs on the uploads.
    let mut face = EnrollmentCase::new(Modality::Face);
    let good_selfie = certify_face::testing::selfie_with_card(&photo("obama2.jpg")?, &card_front, 360);
    let dark_selfie = RgbImage::from_fn(good_selfie.width(), good_selfie.height(), |x, y| {
        image::Rgb(good_selfie.get_pixel(x, y).0.map(|v| v / 5))
    });
    let first = engine.review_enrollment(&card_front, &card_back, &dark_selfie)?;
    face.submit(first.to_core("unused"), t.plus_seconds(300))?;
    let second = engine.review_enrollment(&card_front, &card_back, &good_selfie)?;
    // Templates live apart from identity: the host keys them by an opaque reference.
    let mut template_store: std::collections::HashMap<String, certify_face::embed::FaceTemplate> = Default::default();
    let template_ref = "template-0001".to_owned();
    if let Some(t) = &second.template {
        template_store.insert(template_ref.clone(), t.clone());
    }
    face.submit(second.to_core(template_ref.clone()), t.plus_seconds(400))?;
    say(
        out,
        "Face enrollment (人脸建模): automatic review of card front, back and selfie with card",
        format!(
            "upload 1 (darkened): refused: {:?}\nupload 2: passed (live face vs card portrait {:.3}) → may certify: {}",
            first.issues,
            second.portrait_distance.unwrap_or(f32::NAN),
            face.may_certify()
        ),
    )?;

    // 7. Proxy contact.
    let mut contacts = Vec::new();
    add_contact(
        &account,
        &mut contacts,
        "劉桂蘭",
        parent.id.as_str(),
        Some(&parent),
        t.plus_seconds(500),
    )?;
    let pending = contacts[0].confirmed();
    certify_core::certification::confirm_contact(
        &mut contacts,
        &parent.id,
        certify_core::certification::ConsentBy::Staff {
            staff_id: "counter-1".into(),
        },
        t.plus_seconds(600),
    )?;
    say(
        out,
        "Adds a relative as a contact (替亲友办理); she consents at the counter",
        format!(
            "contact {} {}: may act for her before consent: {pending}; after: {}",
            contacts[0].name.masked(),
            contacts[0].id.masked(),
            contacts[0].confirmed()
        ),
    )?;

    // 8. Missed deadline.
    let mut payment = PaymentStatus::Active;
    let row = |status: PaymentStatus| PayrollRow {
        id: pensioner.id,
        monthly_pension: pensioner.monthly_pension,
        pension_start: pensioner.pension_start,
        status,
    };
    let on_deadline = decide(
        &policy,
        certify_core::time::parse_date("2020-07-31").ok_or("date")?,
        &row(payment),
        None,
    );
    let after = decide(
        &policy,
        certify_core::time::parse_date("2020-08-01").ok_or("date")?,
        &row(payment),
        None,
    );
    if let RunDecision::Suspend { from, .. } = after {
        payment = PaymentStatus::Suspended(Suspension {
            reason: SuspensionReason::CertificationLapse,
            from,
        });
    }
    let describe = |d: &RunDecision| match d {
        RunDecision::Unchanged => "no change".to_owned(),
        RunDecision::Suspend { from, deadline } => format!("suspended from {from} (deadline {deadline} missed)"),
        RunDecision::Resume { resume_from, .. } => format!("resumed from {resume_from}"),
    };
    say(
        out,
        "Did not certify in the window; the deadline run",
        format!(
            "run on 2020-07-31: {}\nrun on 2020-08-01: {}",
            describe(&on_deadline),
            describe(&after)
        ),
    )?;

    // 9. Certifies by face in October.
    let mut records: Vec<CertificationRecord> = Vec::new();
    let t = at("2020-10-12", 15)?;
    let suspended = payment;
    let facts = PersonFacts {
        person: &pensioner.id,
        roster_entry: Some(&pensioner),
        scheme: Scheme::PublicInstitution,
        payment: &suspended,
        last_certified: last_certified(&records, &pensioner.id),
    };
    may_certify(&facts, &policy, t.china_date())?;
    // The server draws the challenge from the actions it allows; the demo's live person is
    // a real photograph re-rendered as a turning 3-D head (no video is on a registry), so
    // it allows the head movements.
    let live = LivenessChallenge::draw_from(&mut rng, t, &[Action::ShakeHead, Action::Nod])?;
    let actions = live.actions.clone();
    let head = certify_face::testing::HeadModel::new(&engine, &photo("obama.jpg")?)?;
    let frames = head.perform(&actions).ok_or("the demo renders head movements only")?;
    let mut run = engine.liveness(LivenessSession::new(live, LivenessConfig::default()))?;
    let mut events = Vec::new();
    for (i, frame) in frames.iter().enumerate() {
        let frame = certify_face::testing::with_sensor_noise(frame, i as u32);
        let event = run.push_image(&frame, 100 * (i as u32 + 1))?;
        if !matches!(event, certify_core::liveness::LivenessEvent::InProgress { .. }) && events.last() != Some(&event) {
            events.push(event);
        }
    }
    // A relative's photographs instead of the person: three stills of different moments.
    let mut attack = engine.liveness(LivenessSession::new(
        LivenessChallenge::draw_from(&mut rng, t, &[Action::ShakeHead, Action::Nod])?,
        LivenessConfig::default(),
    ))?;
    let mut refused = None;
    for (i, still) in ["obama.jpg", "obama2.jpg", "obama3.jpg"].iter().enumerate() {
        let img = photo(still)?;
        for k in 0..4u32 {
            let ev = attack.push_image(
                &certify_face::testing::with_sensor_noise(&img, k),
                100 * (4 * i as u32 + k + 1),
            )?;
            if ev.is_failure() && refused.is_none() {
                refused = Some(ev);
            }
        }
    }
    let refused = refused.map_or("not refused?!".to_owned(), |e| {
        format!("{} — {}", e.reason().unwrap_or(""), e.advice_zh())
    });
    let enrolled = template_store.get(&template_ref).ok_or("enrolled template missing")?;
    let decision = run.finish(enrolled)?;
    let device = EvidenceSigner::generate(&mut rng);
    let server = EvidenceVerifier::from_public_key(device.public_key())?;
    let ch = Challenge::issue(pensioner.id, Modality::Face, t, 120, &mut rng);
    let token = device.sign(&decision.claims(&ch, account.holder_id, t.plus_seconds(9), 120));
    let mut guard = MemoryReplayGuard::default();
    let verified = server.verify(&token, &ch, t.plus_seconds(10), &mut guard)?;
    let replay = server.verify(&token, &ch, t.plus_seconds(11), &mut guard);
    let rec = certify_by_app(
        &account,
        &contacts,
        &facts,
        &face,
        &verified,
        Some(format!("evidence:{}", &token.to_hex()[..16])),
        &policy,
        t.plus_seconds(10),
    )?;
    records.push(rec);
    say(
        out,
        "Certifies by face on 2020-10-12 (actions, then 1:1 match; signed, single-use evidence)",
        format!(
            "actions {:?}, {} frames: {}\nthree photographs of the pensioner instead: refused ({refused})\nmatch distance {:.3} → passed: {}\nserver verified the signed evidence ({} bytes) ✓; replaying it: {}",
            actions,
            frames.len(),
            events.iter().map(|e| format!("{e:?}")).collect::<Vec<_>>().join(" → "),
            decision.comparison.map_or(f32::NAN, |c| c.distance),
            decision.passed(),
            token.as_bytes().len(),
            replay.err().map_or("accepted?!".into(), |e| e.to_string())
        ),
    )?;

    // 10. Resumed with back pay.
    let run = decide(
        &policy,
        certify_core::time::parse_date("2020-11-01").ok_or("date")?,
        &row(payment),
        last_certified(&records, &pensioner.id),
    );
    if let RunDecision::Resume {
        back_pay,
        back_pay_months,
        back_pay_from,
        resume_from,
        ..
    } = &run
    {
        say(
            out,
            "The November run resumes payment and pays back from the suspension month (从停发之月起续发)",
            format!("resume from {resume_from}; back pay {back_pay_months} months from {back_pay_from}: ¥{back_pay}"),
        )?;
        payment = PaymentStatus::Active;
    }

    // 11. Once a year is enough.
    let facts = PersonFacts {
        person: &pensioner.id,
        roster_entry: Some(&pensioner),
        scheme: Scheme::PublicInstitution,
        payment: &payment,
        last_certified: last_certified(&records, &pensioner.id),
    };
    let again = may_certify(&facts, &policy, at("2020-12-01", 9)?.china_date());
    say(
        out,
        "Tries to certify again in December",
        again.err().map_or("allowed?!".into(), |e| e.to_string()),
    )?;

    // 12. History.
    let h: Vec<String> = history(&records, &pensioner.id)
        .iter()
        .map(|r| {
            format!(
                "{} {:?} by {:?}: {:?}",
                r.at.china_date(),
                r.method,
                r.operator,
                r.outcome
            )
        })
        .collect();
    say(out, "History (认证信息查询)", h.join("\n"))?;

    // 13. Unit declares a death late: overpayment.
    let decl = UnitDeclaration {
        reason: SuspensionReason::Death,
        event_date: certify_core::time::parse_date("2020-03-15").ok_or("date")?,
        declared_on: certify_core::time::parse_date("2020-06-20").ok_or("date")?,
    };
    let paid: Vec<(YearMonth, Fen)> = (1..=6)
        .map(|m| Ok((YearMonth::new(2020, m)?, Fen::yuan(2875, 40))))
        .collect::<Result<_, BoxError>>()?;
    let o = decl.overpayment(&paid)?;
    say(
        out,
        "Another unit declares a death three months late (seed 003 §四.3)",
        format!(
            "entitled through 2020-03; paid {} months after: overpayment ¥{} for the unit to recover (or advance)",
            o.months.len(),
            o.total
        ),
    )?;

    writeln!(out, "\ndemo complete: {step} steps")?;
    Ok(())
}
