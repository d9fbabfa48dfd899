//! The whole-flow surface shared by every binding: operations on the host's stored state,
//! as JSON in and JSON out.
//!
//! The core is pure functions over state the host keeps (an account, an SMS challenge, an
//! enrollment case, contacts, certification records, payment status). Each operation takes
//! that state and the call's arguments as one JSON object, runs the core function with the
//! binding's `now` and RNG, and returns the new state. This is conversion only: every rule
//! lives in `certify-core`.
//!
//! Two kinds of "no":
//! - the call **fails** (a status code, as an exception or C status) when the request cannot
//!   be processed: not JSON, a missing field, an unknown operation;
//! - the rules **refuse** (`"refused": {"code": 331, "message": "...", "message_zh": "..."}`
//!   in the response) when the request was processed and the answer is no. A refusal may still change state (a
//!   wrong password counts towards the lock; a wrong SMS code counts towards its tries), so
//!   the response carries the new state either way and the host must store it.
//!
//! Every response has a `refused` member (`null` when the operation succeeded). The list of
//! operations is [`OPERATIONS`]; `bindings/c/README.md` documents each request.

use crate::{CertifyStatus, ToStatus};
use certify_core::account::sms::{SmsChallenge, SmsKey, SmsPolicy, SmsPurpose};
use certify_core::account::{
    Account, CaptchaVerifier, CardCheck, CardVerifier, Existing, PhoneOwner, RegistrationForm, first_card_login,
    register, request_registration_code,
};
use certify_core::account::{LockState, password::PasswordParams};
use certify_core::biometric::{MatchDecision, Modality};
use certify_core::certification::{
    self, CertificationRecord, LifeEvidence, Method, PersonFacts, ProxyContact, add_contact, certify_by_app,
    certify_by_data_comparison, certify_by_staff,
};
use certify_core::cycle::CyclePolicy;
use certify_core::deadline::{PayrollRow, RunSummary, decide};
use certify_core::enrollment::{AutomaticReview, EnrollmentCase, ManualDecision};
use certify_core::evidence::EvidenceClaims;
use certify_core::id::ResidentId;
use certify_core::life_event::LifeEvidenceFields;
use certify_core::money::Fen;
use certify_core::payment::{PaymentStatus, PensionSchedule, ResumptionGround, UnitDeclaration, resume};
use certify_core::realname::verify_real_name;
use certify_core::roster::{RosterEntry, Scheme};
use certify_core::time::{Timestamp, YearMonth};
use certify_core::visit::HomeVisit;
use rand_core::{CryptoRng, RngCore};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use time::Date;

/// Why a call failed (not a refusal by the rules: see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The status code.
    pub status: CertifyStatus,
    /// What was wrong with the request (never contains the request's values).
    pub detail: String,
}

/// Every operation [`call`] knows.
pub const OPERATIONS: &[&str] = &[
    "sms.issue",
    "account.register",
    "account.first_card_login",
    "account.login_password",
    "account.login_card",
    "account.lock_state",
    "account.reset_password",
    "account.bind_phone",
    "realname.verify",
    "enrollment.new",
    "enrollment.submit",
    "enrollment.decide",
    "enrollment.revoke",
    "enrollment.advance",
    "contacts.add",
    "contacts.confirm",
    "certification.may_certify",
    "certification.by_app",
    "certification.by_data_comparison",
    "certification.by_staff",
    "certification.history",
    "deadline.run",
    "payment.resume",
    "payment.declare",
    "visit.request",
    "visit.assign",
    "visit.record",
    "visit.cancel",
];

/// Run operation `op` on `request` (a JSON object) at `now`, drawing randomness from `rng`.
/// Returns the response JSON.
pub fn call<R: RngCore + CryptoRng>(op: &str, request: &str, now: Timestamp, rng: &mut R) -> Result<String, Failure> {
    let response = match op {
        "sms.issue" => sms_issue(parse(request)?, now, rng),
        "account.register" => account_register(parse(request)?, now, rng),
        "account.first_card_login" => account_first_card_login(parse(request)?, now),
        "account.login_password" => {
            let req: LoginPassword = parse(request)?;
            let mut account = req.account;
            let result = account.login_with_password(&req.password, now);
            respond(
                json!({"account": account, "events": result.events}),
                result.outcome.err(),
            )
        }
        "account.login_card" => {
            let req: LoginCard = parse(request)?;
            let mut account = req.account;
            let result = account.login_with_card("", &FixedCard(req.card_check), now);
            respond(
                json!({"account": account, "events": result.events}),
                result.outcome.err(),
            )
        }
        "account.lock_state" => {
            let req: AccountOnly = parse(request)?;
            match req.account.lock_state(now) {
                LockState::Open => respond(json!({"locked": false, "until": null}), None::<NoRefusal>),
                LockState::Locked(until) => respond(json!({"locked": true, "until": until}), None::<NoRefusal>),
            }
        }
        "account.reset_password" => account_reset_password(parse(request)?, now, rng),
        "account.bind_phone" => account_bind_phone(parse(request)?, now),
        "realname.verify" => {
            let req: RealName = parse(request)?;
            let mut account = req.account;
            let decision = if req.portrait_matches {
                MatchDecision::Match
            } else {
                MatchDecision::NoMatch
            };
            let result = verify_real_name(
                &mut account,
                &req.name,
                &req.id_number,
                req.roster_entry.as_ref(),
                decision,
                now,
            );
            let (events, refused) = split(result);
            respond(json!({"account": account, "events": events}), refused)
        }
        "enrollment.new" => {
            let req: EnrollmentNew = parse(request)?;
            respond(json!({"case": EnrollmentCase::new(req.modality)}), None::<NoRefusal>)
        }
        "enrollment.submit" => {
            let req: EnrollmentSubmit = parse(request)?;
            let mut case = req.case;
            let submitter = req.submitter.unwrap_or(certify_core::enrollment::Submitter::Person);
            let (events, refused) = split(case.submit_by(submitter, req.review, req.holds, now));
            respond(json!({"case": case, "events": events}), refused)
        }
        "enrollment.decide" => {
            let req: EnrollmentDecide = parse(request)?;
            let mut case = req.case;
            let (events, refused) = split(case.decide(req.decision, &req.staff_id, now));
            respond(json!({"case": case, "events": events}), refused)
        }
        "enrollment.revoke" => {
            let req: EnrollmentRevoke = parse(request)?;
            let mut case = req.case;
            let (events, refused) = split(case.revoke(&req.staff_id, &req.reason, now));
            respond(json!({"case": case, "events": events}), refused)
        }
        "enrollment.advance" => {
            let req: EnrollmentAdvance = parse(request)?;
            let mut case = req.case;
            let events = case.advance(now);
            respond(json!({"case": case, "events": events}), None::<NoRefusal>)
        }
        "contacts.add" => {
            let req: ContactsAdd = parse(request)?;
            let mut contacts = req.contacts;
            let result = add_contact(
                &req.account,
                &mut contacts,
                &req.name,
                &req.id_number,
                req.roster_entry.as_ref(),
                now,
            );
            let (_, refused) = split(result);
            respond(json!({"contacts": contacts}), refused)
        }
        "contacts.confirm" => {
            let req: ContactsConfirm = parse(request)?;
            let mut contacts = req.contacts;
            let result = certification::confirm_contact(&mut contacts, &req.relative, req.by, now);
            let (_, refused) = split(result);
            respond(json!({"contacts": contacts}), refused)
        }
        "certification.may_certify" => {
            let req: MayCertify = parse(request)?;
            let refused = certification::may_certify(&req.facts.view(), &req.policy, now.china_date()).err();
            respond(json!({}), refused)
        }
        "certification.by_app" => {
            let req: ByApp = parse(request)?;
            let result = certify_by_app(
                &req.operator,
                &req.contacts,
                &req.facts.view(),
                &req.enrollment,
                &req.evidence,
                req.evidence_ref,
                &req.policy,
                now,
            );
            record_response(result)
        }
        "certification.by_data_comparison" => {
            let req: ByDataComparison = parse(request)?;
            // The core's checks of the feed's texts, with their reason (parse() keeps only
            // serde's position): a long or control-character field is refused by name.
            let evidence = LifeEvidence::try_from(req.evidence).map_err(|e| Failure {
                status: CertifyStatus::InvalidArgument,
                detail: format!("evidence {e}"),
            })?;
            let result = certify_by_data_comparison(&req.facts.view(), &evidence, &req.policy, now.china_date());
            record_response(result)
        }
        "certification.by_staff" => {
            let req: ByStaff = parse(request)?;
            let result = certify_by_staff(
                &req.facts.view(),
                req.method,
                &req.staff_id,
                req.evidence_ref,
                &req.policy,
                now,
            );
            record_response(result)
        }
        "certification.history" => {
            let req: History = parse(request)?;
            let records = certification::history(&req.records, &req.person);
            let last = certification::last_certified(&req.records, &req.person);
            respond(json!({"records": records, "last_certified": last}), None::<NoRefusal>)
        }
        "deadline.run" => deadline_run(parse(request)?, now),
        "payment.resume" => {
            let req: PaymentResume = parse(request)?;
            let schedule = PensionSchedule::from_changes(req.schedule);
            let (resumption, refused) = split(resume(&req.payment, req.ground, req.resume_from, &schedule));
            respond(json!({"resumption": resumption}), refused)
        }
        "visit.request" => {
            let req: VisitRequest = parse(request)?;
            let (visit, refused) = split(HomeVisit::request(req.person, req.requested_by, &req.reason, now));
            respond(json!({"visit": visit}), refused)
        }
        "visit.assign" | "visit.record" | "visit.cancel" => {
            let req: VisitStep = parse(request)?;
            let mut visit = req.visit;
            let result = match (op, req.outcome) {
                ("visit.assign", _) => visit.assign(&req.staff_id, now),
                ("visit.record", Some(outcome)) => visit.record(&req.staff_id, outcome, now),
                ("visit.record", None) => {
                    return Err(Failure {
                        status: CertifyStatus::JsonInvalid,
                        detail: "visit.record needs an outcome".to_owned(),
                    });
                }
                _ => visit.cancel(&req.staff_id, now),
            };
            let (_, refused) = split(result);
            respond(json!({"visit": visit}), refused)
        }
        "payment.declare" => {
            let req: PaymentDeclare = parse(request)?;
            let suspension = req.declaration.suspension();
            let overpayment = req.declaration.overpayment(&req.payments);
            let (suspension, refused) = split(suspension);
            let (overpayment, _) = split(overpayment);
            respond(json!({"suspension": suspension, "overpayment": overpayment}), refused)
        }
        _ => {
            return Err(Failure {
                status: CertifyStatus::UnknownOperation,
                detail: format!("no operation named {op:?}; see OPERATIONS"),
            });
        }
    };
    Ok(response.to_string())
}

fn parse<T: DeserializeOwned>(request: &str) -> Result<T, Failure> {
    serde_json::from_str(request).map_err(|e| Failure {
        status: CertifyStatus::JsonInvalid,
        // Position and category only: serde's message can quote the offending value.
        detail: format!(
            "the request is not a valid {} ({:?} error at line {}, column {})",
            std::any::type_name::<T>().rsplit("::").next().unwrap_or("request"),
            e.classify(),
            e.line(),
            e.column()
        ),
    })
}

/// Placeholder type for "this operation never refuses".
#[derive(Debug)]
enum NoRefusal {}

impl std::fmt::Display for NoRefusal {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {}
    }
}

impl ToStatus for NoRefusal {
    fn status(&self) -> CertifyStatus {
        match *self {}
    }
}

fn respond<E: ToStatus + std::fmt::Display>(mut body: Value, refused: Option<E>) -> Value {
    let refused = refused.map_or(
        Value::Null,
        |e| json!({"code": e.status() as u32, "message": e.to_string(), "message_zh": e.advice_zh()}),
    );
    if let Value::Object(map) = &mut body {
        map.insert("refused".to_owned(), refused);
    }
    body
}

fn split<T, E>(result: Result<T, E>) -> (Option<T>, Option<E>) {
    match result {
        Ok(v) => (Some(v), None),
        Err(e) => (None, Some(e)),
    }
}

fn record_response(result: Result<CertificationRecord, certification::CannotCertify>) -> Value {
    let (record, refused) = split(result);
    respond(json!({"record": record}), refused)
}

/// A 32-byte key as 64 hex digits.
#[derive(Clone)]
struct HexKey([u8; 32]);

impl<'de> Deserialize<'de> for HexKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let bad = || serde::de::Error::custom("a key is 64 hexadecimal digits");
        if text.len() != 64 || !text.is_ascii() {
            return Err(bad());
        }
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(HexKey(key))
    }
}

impl HexKey {
    fn sms_key(&self) -> SmsKey {
        SmsKey::from_bytes(self.0)
    }
}

struct FixedCaptcha(bool);

impl CaptchaVerifier for FixedCaptcha {
    fn verify(&self, _: &str, _: &str) -> bool {
        self.0
    }
}

/// The host already asked the card system; the answer is passed in.
struct FixedCard(CardCheck);

impl CardVerifier for FixedCard {
    fn check(&self, _: &ResidentId, _: &str) -> CardCheck {
        self.0
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SmsIssue {
    phone: String,
    purpose: SmsPurpose,
    sms_key: HexKey,
    #[serde(default)]
    previous: Option<SmsChallenge>,
    #[serde(default)]
    sms_policy: Option<SmsPolicy>,
    /// Registration only: the host checked the picture captcha.
    #[serde(default)]
    captcha_passed: bool,
    /// Registration only: an account already uses this phone.
    #[serde(default)]
    phone_registered: bool,
}

fn sms_issue<R: RngCore + CryptoRng>(req: SmsIssue, now: Timestamp, rng: &mut R) -> Value {
    let policy = req.sms_policy.unwrap_or_default();
    let key = req.sms_key.sms_key();
    let issued = if req.purpose == SmsPurpose::Register {
        request_registration_code(
            &req.phone,
            &FixedCaptcha(req.captcha_passed),
            "",
            "",
            req.phone_registered,
            req.previous.as_ref(),
            &key,
            &policy,
            now,
            rng,
        )
        .map_err(|e| e.status_and_message())
    } else {
        certify_core::account::MobileNumber::parse(&req.phone)
            .map_err(|e| e.status_and_message())
            .and_then(|phone| {
                SmsChallenge::issue(phone, req.purpose, req.previous.as_ref(), &key, &policy, now, rng)
                    .map_err(|e| e.status_and_message())
            })
    };
    match issued {
        // The code goes to the host's SMS sender, which must not log it.
        Ok((challenge, code)) => respond(
            json!({"challenge": challenge, "code": code.expose()}),
            None::<NoRefusal>,
        ),
        Err(refusal) => respond(json!({"challenge": req.previous, "code": null}), Some(refusal)),
    }
}

/// A refusal already reduced to its code and message (for operations whose steps have
/// different error types).
#[derive(Debug)]
struct Refusal(CertifyStatus, String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.1)
    }
}

impl ToStatus for Refusal {
    fn status(&self) -> CertifyStatus {
        self.0
    }
}

trait IntoRefusal {
    fn status_and_message(&self) -> Refusal;
}

impl<E: ToStatus + std::fmt::Display> IntoRefusal for E {
    fn status_and_message(&self) -> Refusal {
        Refusal(self.status(), self.to_string())
    }
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(deny_unknown_fields)]
struct ExistingJson {
    #[serde(default)]
    phone_registered: bool,
    #[serde(default)]
    id_registered: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Register {
    phone: String,
    sms_code: String,
    name: String,
    id_number: String,
    password: String,
    password_repeat: String,
    #[serde(default = "holder")]
    phone_owner: PhoneOwner,
    challenge: SmsChallenge,
    #[serde(default)]
    existing: ExistingJson,
    roster_entry: Option<RosterEntry>,
    sms_key: HexKey,
    #[serde(default)]
    sms_policy: Option<SmsPolicy>,
}

fn holder() -> PhoneOwner {
    PhoneOwner::Holder
}

fn account_register<R: RngCore + CryptoRng>(req: Register, now: Timestamp, rng: &mut R) -> Value {
    let form = RegistrationForm {
        phone: &req.phone,
        sms_code: &req.sms_code,
        name: &req.name,
        id_number: &req.id_number,
        password: &req.password,
        password_repeat: &req.password_repeat,
        phone_owner: req.phone_owner,
    };
    let mut challenge = req.challenge;
    let result = register(
        &form,
        &mut challenge,
        Existing {
            phone_registered: req.existing.phone_registered,
            id_registered: req.existing.id_registered,
        },
        req.roster_entry.as_ref(),
        &req.sms_key.sms_key(),
        &req.sms_policy.unwrap_or_default(),
        &PasswordParams::default(),
        now,
        rng,
    );
    let (created, refused) = split(result);
    let (account, events) = created.map_or((None, Vec::new()), |(a, e)| (Some(a), e));
    respond(
        json!({"account": account, "challenge": challenge, "events": events}),
        refused,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FirstCardLogin {
    id_number: String,
    /// What the card system answered for the PIN.
    card_check: CardCheck,
    roster_entry: Option<RosterEntry>,
}

fn account_first_card_login(req: FirstCardLogin, now: Timestamp) -> Value {
    let result = first_card_login(
        &req.id_number,
        "",
        &FixedCard(req.card_check),
        req.roster_entry.as_ref(),
        now,
    );
    let (created, refused) = split(result);
    let (account, events) = created.map_or((None, Vec::new()), |(a, e)| (Some(a), e));
    respond(json!({"account": account, "events": events}), refused)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginPassword {
    account: Account,
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginCard {
    account: Account,
    /// What the card system answered for the PIN.
    card_check: CardCheck,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountOnly {
    account: Account,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetPassword {
    account: Account,
    challenge: SmsChallenge,
    sms_code: String,
    new_password: String,
    password_repeat: String,
    sms_key: HexKey,
    #[serde(default)]
    sms_policy: Option<SmsPolicy>,
}

fn account_reset_password<R: RngCore + CryptoRng>(req: ResetPassword, now: Timestamp, rng: &mut R) -> Value {
    let mut account = req.account;
    let mut challenge = req.challenge;
    let result = account.reset_password(
        &mut challenge,
        &req.sms_code,
        &req.new_password,
        &req.password_repeat,
        &req.sms_key.sms_key(),
        &req.sms_policy.unwrap_or_default(),
        &PasswordParams::default(),
        now,
        rng,
    );
    let (events, refused) = split(result);
    respond(
        json!({"account": account, "challenge": challenge, "events": events.unwrap_or_default()}),
        refused,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BindPhone {
    account: Account,
    phone: String,
    #[serde(default = "holder")]
    phone_owner: PhoneOwner,
    #[serde(default)]
    phone_registered: bool,
    challenge: SmsChallenge,
    sms_code: String,
    sms_key: HexKey,
    #[serde(default)]
    sms_policy: Option<SmsPolicy>,
}

fn account_bind_phone(req: BindPhone, now: Timestamp) -> Value {
    let mut account = req.account;
    let mut challenge = req.challenge;
    let result = account.bind_phone(
        &req.phone,
        req.phone_owner,
        req.phone_registered,
        &mut challenge,
        &req.sms_code,
        &req.sms_key.sms_key(),
        &req.sms_policy.unwrap_or_default(),
        now,
    );
    let (events, refused) = split(result);
    respond(
        json!({"account": account, "challenge": challenge, "events": events.unwrap_or_default()}),
        refused,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RealName {
    account: Account,
    name: String,
    id_number: String,
    roster_entry: Option<RosterEntry>,
    /// The face engine's decision on the live face against the card portrait.
    portrait_matches: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnrollmentNew {
    modality: Modality,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnrollmentSubmit {
    case: EnrollmentCase,
    review: AutomaticReview,
    /// Who uploaded (absent: the person); a proxy's passing upload waits for staff.
    #[serde(default)]
    submitter: Option<certify_core::enrollment::Submitter>,
    /// The host's reasons to hold a passing upload for staff (no authoritative portrait,
    /// a duplicate face).
    #[serde(default)]
    holds: Vec<certify_core::enrollment::HoldReason>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VisitRequest {
    person: ResidentId,
    requested_by: ResidentId,
    #[serde(default)]
    reason: String,
}

/// `visit.assign`, `visit.record` (with `outcome`) and `visit.cancel` (`staff_id`: who
/// cancels).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VisitStep {
    visit: HomeVisit,
    staff_id: String,
    #[serde(default)]
    outcome: Option<certify_core::visit::VisitOutcome>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnrollmentRevoke {
    case: EnrollmentCase,
    staff_id: String,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnrollmentDecide {
    case: EnrollmentCase,
    decision: ManualDecision,
    staff_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnrollmentAdvance {
    case: EnrollmentCase,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactsAdd {
    account: Account,
    #[serde(default)]
    contacts: Vec<ProxyContact>,
    name: String,
    id_number: String,
    roster_entry: Option<RosterEntry>,
}

#[derive(Deserialize)]
struct ContactsConfirm {
    contacts: Vec<ProxyContact>,
    relative: ResidentId,
    by: certification::ConsentBy,
}

/// What the host knows about the person to certify.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Facts {
    person: ResidentId,
    roster_entry: Option<RosterEntry>,
    scheme: Scheme,
    payment: PaymentStatus,
    #[serde(default)]
    last_certified: Option<Date>,
}

impl Facts {
    fn view(&self) -> PersonFacts<'_> {
        PersonFacts {
            person: &self.person,
            roster_entry: self.roster_entry.as_ref(),
            scheme: self.scheme,
            payment: &self.payment,
            last_certified: self.last_certified,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MayCertify {
    facts: Facts,
    policy: CyclePolicy,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ByApp {
    operator: Account,
    #[serde(default)]
    contacts: Vec<ProxyContact>,
    facts: Facts,
    enrollment: EnrollmentCase,
    /// Claims of evidence the host verified (signature, challenge, expiry, single use).
    evidence: EvidenceClaims,
    #[serde(default)]
    evidence_ref: Option<String>,
    policy: CyclePolicy,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ByDataComparison {
    facts: Facts,
    evidence: LifeEvidenceFields,
    policy: CyclePolicy,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ByStaff {
    facts: Facts,
    method: Method,
    staff_id: String,
    #[serde(default)]
    evidence_ref: Option<String>,
    policy: CyclePolicy,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct History {
    records: Vec<CertificationRecord>,
    person: ResidentId,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunRow {
    id: ResidentId,
    monthly_pension: Fen,
    pension_start: YearMonth,
    payment: PaymentStatus,
    #[serde(default)]
    last_certified: Option<Date>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeadlineRun {
    policy: CyclePolicy,
    /// The run date; today (China time) when absent.
    #[serde(default)]
    run_date: Option<Date>,
    rows: Vec<RunRow>,
}

fn deadline_run(req: DeadlineRun, now: Timestamp) -> Value {
    let run_date = req.run_date.unwrap_or_else(|| now.china_date());
    let mut summary = RunSummary::default();
    let decisions: Vec<Value> = req
        .rows
        .into_iter()
        .map(|r| {
            let row = PayrollRow {
                id: r.id,
                monthly_pension: r.monthly_pension,
                pension_start: r.pension_start,
                status: r.payment,
            };
            let decision = decide(&req.policy, run_date, &row, r.last_certified);
            summary.record(&row, &decision);
            json!({"id": row.id, "decision": decision})
        })
        .collect();
    respond(
        json!({"run_date": run_date, "decisions": decisions, "summary": summary}),
        None::<NoRefusal>,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentResume {
    payment: PaymentStatus,
    ground: ResumptionGround,
    resume_from: YearMonth,
    /// `[[month, monthly amount in fen], ...]`: the pension from each month on.
    schedule: Vec<(YearMonth, Fen)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentDeclare {
    declaration: UnitDeclaration,
    /// `[[month, amount paid in fen], ...]`: what was paid, for the overpayment.
    #[serde(default)]
    payments: Vec<(YearMonth, Fen)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::OsRng;

    #[test]
    fn unknown_operations_and_bad_json_fail_with_their_codes() {
        let now = Timestamp::from_unix_seconds(1_700_000_000);
        let err = call("nope", "{}", now, &mut OsRng).unwrap_err();
        assert_eq!(err.status, CertifyStatus::UnknownOperation);
        let err = call("account.lock_state", "{", now, &mut OsRng).unwrap_err();
        assert_eq!(err.status, CertifyStatus::JsonInvalid);
        let err = call(
            "account.login_password",
            r#"{"password":"secret-value-1"}"#,
            now,
            &mut OsRng,
        )
        .unwrap_err();
        assert_eq!(err.status, CertifyStatus::JsonInvalid);
        assert!(!err.detail.contains("secret-value-1"), "{}", err.detail);
    }

    #[test]
    fn every_listed_operation_is_dispatched() {
        let now = Timestamp::from_unix_seconds(1_700_000_000);
        for op in OPERATIONS {
            let err = call(op, "[]", now, &mut OsRng).unwrap_err();
            assert_eq!(err.status, CertifyStatus::JsonInvalid, "{op}");
        }
    }

    // Before: the evidence's texts went into the record unchecked (any length, line breaks).
    #[test]
    fn data_comparison_refuses_a_long_or_control_text_by_name() {
        let now = Timestamp::from_unix_seconds(1_600_000_000);
        let request = |reference: &str| {
            serde_json::json!({
                "facts": {"person": "610526194801023310", "roster_entry": null,
                    "scheme": serde_json::to_value(certify_core::roster::Scheme::Enterprise).unwrap(),
                    "payment": serde_json::to_value(PaymentStatus::Active).unwrap()},
                "evidence": {"person": "610526194801023310", "date": "2020-06-01",
                    "kind": "travel", "source": "12306", "reference": reference},
                "policy": serde_json::to_value(CyclePolicy::pucheng_yearly()).unwrap(),
            })
            .to_string()
        };
        let long = "R".repeat(200);
        let err = call("certification.by_data_comparison", &request(&long), now, &mut OsRng).unwrap_err();
        assert_eq!(err.status, CertifyStatus::InvalidArgument);
        assert!(err.detail.contains("reference: 200 characters"), "{}", err.detail);
        assert!(!err.detail.contains(&long));
        let err = call(
            "certification.by_data_comparison",
            &request("T-1\u{202e}"),
            now,
            &mut OsRng,
        )
        .unwrap_err();
        assert_eq!(err.status, CertifyStatus::InvalidArgument);
        assert!(err.detail.contains("U+202E"), "{}", err.detail);
        // A short plain reference passes the check and reaches the rule (no roster entry).
        let ok = call("certification.by_data_comparison", &request("T-1"), now, &mut OsRng).unwrap();
        let ok: serde_json::Value = serde_json::from_str(&ok).unwrap();
        assert_eq!(ok["refused"]["code"], 230, "{ok}");
    }

    fn op(name: &str, request: serde_json::Value, at: i64) -> serde_json::Value {
        let now = Timestamp::from_unix_seconds(at);
        serde_json::from_str(&call(name, &request.to_string(), now, &mut OsRng).unwrap()).unwrap()
    }

    // Before: `enrollment.submit` knew no submitter and no hold reasons, so a proxy's
    // passing upload was approved by itself in every binding; and nothing revoked.
    #[test]
    fn a_proxys_passing_upload_waits_for_staff_and_staff_revoke_an_approval() {
        let t0 = 1_700_000_000;
        let case = op("enrollment.new", serde_json::json!({"modality": "face"}), t0)["case"].clone();
        let passed = serde_json::json!({"result": "passed", "template_ref": "t-1"});
        let held = op(
            "enrollment.submit",
            serde_json::json!({"case": case, "review": passed,
                "submitter": {"by": "proxy", "id": "610526194801023310"},
                "holds": [{"hold": "no_authoritative_portrait"}]}),
            t0 + 10,
        );
        assert_eq!(held["case"]["state"]["state"], "manual_review", "{held}");
        let reasons: Vec<&str> = held["case"]["state"]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["hold"].as_str().unwrap())
            .collect();
        assert_eq!(reasons, ["enrolled_by_proxy", "no_authoritative_portrait"], "{held}");
        let own = op(
            "enrollment.submit",
            serde_json::json!({"case": case, "review": passed}),
            t0 + 10,
        );
        assert_eq!(own["case"]["state"]["state"], "approved", "{own}");
        let revoked = op(
            "enrollment.revoke",
            serde_json::json!({"case": own["case"], "staff_id": "staff-7", "reason": "reported fraud"}),
            t0 + 20,
        );
        assert_eq!(revoked["refused"], serde_json::Value::Null, "{revoked}");
        assert_eq!(revoked["case"]["state"]["state"], "must_reenroll", "{revoked}");
        let again = op(
            "enrollment.revoke",
            serde_json::json!({"case": revoked["case"], "staff_id": "staff-7", "reason": "twice"}),
            t0 + 30,
        );
        assert!(again["refused"]["code"].is_u64(), "{again}");
    }

    // The home-visit rules reach every binding: request, assign, record by the assigned
    // staff member only, then closed.
    #[test]
    fn a_home_visit_runs_through_the_operations() {
        let t0 = 1_700_000_000;
        let liu = "610526194801023310";
        let v = op(
            "visit.request",
            serde_json::json!({"person": liu, "requested_by": liu, "reason": "卧床"}),
            t0,
        );
        assert_eq!(v["visit"]["state"]["state"], "requested", "{v}");
        let v = op(
            "visit.assign",
            serde_json::json!({"visit": v["visit"], "staff_id": "clerk-1"}),
            t0 + 1,
        );
        let wrong = op(
            "visit.record",
            serde_json::json!({"visit": v["visit"], "staff_id": "clerk-2", "outcome": {"outcome": "certified"}}),
            t0 + 2,
        );
        assert_eq!(wrong["refused"]["code"], 452, "{wrong}");
        let done = op(
            "visit.record",
            serde_json::json!({"visit": v["visit"], "staff_id": "clerk-1", "outcome": {"outcome": "deceased", "died_on": "2023-11-01"}}),
            t0 + 3,
        );
        assert_eq!(done["visit"]["state"]["outcome"], "deceased", "{done}");
        let closed = op(
            "visit.cancel",
            serde_json::json!({"visit": done["visit"], "staff_id": "clerk-1"}),
            t0 + 4,
        );
        assert_eq!(closed["refused"]["code"], 451, "{closed}");
        let long = op(
            "visit.request",
            serde_json::json!({"person": liu, "requested_by": liu, "reason": "病".repeat(201)}),
            t0,
        );
        assert_eq!(long["refused"]["code"], 450, "{long}");
    }
}
