//! Certification (资格认证): the methods that certify, the record each leaves, proxy
//! certification for relatives (替亲友办理), the "may this person certify now?" rule with
//! its reasons, and history (认证信息查询).

use crate::account::Account;
use crate::biometric::Modality;
use crate::cycle::CyclePolicy;
use crate::enrollment::EnrollmentCase;
use crate::evidence::EvidenceClaims;
use crate::id::{IdError, ResidentId};
pub use crate::life_event::{EventTextError, LifeEvidence};
use crate::name::{NameError, PersonName};
use crate::payment::{PaymentStatus, SuspensionReason};
use crate::roster::{RosterEntry, RosterError, Scheme, match_roster};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use time::Date;

/// How a certification was made (seeds 000 §一, 003 §三, §四.1; DESIGN §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// App face liveness + 1:1 match (人脸认证).
    AppFace,
    /// App voiceprint with prompted digits (声纹认证).
    AppVoice,
    /// In person at an office (现场认证).
    OnSite,
    /// Staff visit the bedridden at home (上门认证).
    HomeVisit,
    /// Dated evidence of life from other records (信息比对): the main channel by policy.
    DataComparison,
    /// Consular or overseas channel (境外认证).
    Overseas,
    /// Photo or document evidence reviewed by staff.
    ManualEvidence,
}

impl Method {
    /// A stable snake_case code.
    pub const fn code(self) -> &'static str {
        match self {
            Method::AppFace => "app_face",
            Method::AppVoice => "app_voice",
            Method::OnSite => "on_site",
            Method::HomeVisit => "home_visit",
            Method::DataComparison => "data_comparison",
            Method::Overseas => "overseas",
            Method::ManualEvidence => "manual_evidence",
        }
    }

    /// Parse [`Method::code`].
    pub fn from_code(code: &str) -> Option<Method> {
        [
            Method::AppFace,
            Method::AppVoice,
            Method::OnSite,
            Method::HomeVisit,
            Method::DataComparison,
            Method::Overseas,
            Method::ManualEvidence,
        ]
        .into_iter()
        .find(|m| m.code() == code)
    }
}

/// Who performed a certification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Operator {
    /// The pensioner, on their own account.
    Holder,
    /// A relative, on the relative's account (替亲友办理).
    Proxy {
        /// The account holder who operated.
        account_holder: ResidentId,
    },
    /// Staff (on-site, home visit, manual evidence, overseas).
    Staff {
        /// Staff identifier.
        staff_id: String,
    },
    /// An automated data feed (data comparison).
    DataFeed {
        /// The feed's name (hospital, rail, medical insurance …).
        source: String,
    },
}

/// Outcome of a certification attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Certified.
    Passed,
    /// Not certified, with why.
    Failed {
        /// Reason.
        reason: String,
    },
}

/// One certification, as the host stores it: every attempt with date, method, operator
/// and outcome is what the history query shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificationRecord {
    /// The pensioner certified.
    pub person: ResidentId,
    /// When (for data comparison: when the evidence of life was dated).
    pub at: Timestamp,
    /// How.
    pub method: Method,
    /// By whom.
    pub operator: Operator,
    /// The host's reference to the evidence (token, staff report, feed record).
    pub evidence_ref: Option<String>,
    /// Result.
    pub outcome: Outcome,
}

impl CertificationRecord {
    /// Whether the record certifies.
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }
}

/// The date of the latest passed certification of `person` among `records`.
pub fn last_certified(records: &[CertificationRecord], person: &ResidentId) -> Option<Date> {
    records
        .iter()
        .filter(|r| &r.person == person && r.passed())
        .map(|r| r.at)
        .max()
        .map(Timestamp::china_date)
}

/// The history of `person`, newest first (认证信息查询).
pub fn history<'a>(records: &'a [CertificationRecord], person: &ResidentId) -> Vec<&'a CertificationRecord> {
    let mut mine: Vec<&CertificationRecord> = records.iter().filter(|r| &r.person == person).collect();
    mine.sort_by_key(|r| std::cmp::Reverse(r.at));
    mine
}

/// Why a person may not certify now (the greyed-out "确认" button, seed 003 常见问题 7).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CannotCertify {
    /// Not a recipient (or under another name): "查无此人".
    #[error(transparent)]
    Roster(#[from] RosterError),
    /// A recipient, but not of this scheme.
    #[error("not a recipient of this pension scheme")]
    NotThisScheme,
    /// Already certified this cycle ("本年度已经认证通过").
    #[error("already certified on {on} (once a year is enough)")]
    AlreadyCertified {
        /// When.
        on: Date,
    },
    /// Suspended for a reason certification does not lift (death, detention, …).
    #[error("payment is suspended for {0:?}; certification does not lift it — contact the pension office")]
    SuspendedForOtherReason(SuspensionReason),
    /// No approved enrollment for the modality.
    #[error("not enrolled for {0:?} certification yet")]
    NotEnrolled(Modality),
    /// The operating account has not passed real-name verification.
    #[error("complete real-name verification first")]
    RealNameRequired,
    /// The person is neither the account holder nor one of their contacts.
    #[error("add this person as a contact before certifying for them")]
    NotAContact,
    /// The biometric evidence is for someone else (a proxy's own face, say).
    #[error("the face or voice must be the pensioner's own")]
    BiometricsNotSubjects,
    /// The evidence did not pass.
    #[error("the face or voice check did not pass")]
    EvidenceFailed,
    /// The evidence date is outside the cycle or in the future.
    #[error("the evidence date does not fall in the current cycle")]
    EvidenceOutOfCycle,
}

impl CannotCertify {
    /// A stable snake_case code for this reason.
    pub fn code(&self) -> &'static str {
        match self {
            CannotCertify::Roster(e) => e.code(),
            CannotCertify::NotThisScheme => "not_this_scheme",
            CannotCertify::AlreadyCertified { .. } => "already_certified",
            CannotCertify::SuspendedForOtherReason(_) => "suspended_for_other_reason",
            CannotCertify::NotEnrolled(_) => "not_enrolled",
            CannotCertify::RealNameRequired => "real_name_required",
            CannotCertify::NotAContact => "not_a_contact",
            CannotCertify::BiometricsNotSubjects => "biometrics_not_subjects",
            CannotCertify::EvidenceFailed => "evidence_failed",
            CannotCertify::EvidenceOutOfCycle => "evidence_out_of_cycle",
        }
    }
}

/// What the host knows about a person, for the eligibility rule.
#[derive(Debug, Clone, Copy)]
pub struct PersonFacts<'a> {
    /// The person.
    pub person: &'a ResidentId,
    /// Their roster entry, if the number is on the roster.
    pub roster_entry: Option<&'a RosterEntry>,
    /// The scheme the certification is for.
    pub scheme: Scheme,
    /// Their payment status.
    pub payment: &'a PaymentStatus,
    /// Their latest passed certification.
    pub last_certified: Option<Date>,
}

/// May this person certify on `today`? `Ok` or the reason why not.
pub fn may_certify(facts: &PersonFacts<'_>, policy: &CyclePolicy, today: Date) -> Result<(), CannotCertify> {
    let entry = facts
        .roster_entry
        .filter(|e| &e.id == facts.person)
        .ok_or(RosterError::NotFound)?;
    if entry.scheme != facts.scheme {
        return Err(CannotCertify::NotThisScheme);
    }
    payment_allows_certifying(facts.payment, facts.last_certified, entry.pension_start, policy, today)
}

/// The part of [`may_certify`] that needs only payroll facts (no roster entry): a
/// suspension for death or detention is not lifted by certifying; a lapsed person may
/// always certify; anyone else once per cycle.
pub fn payment_allows_certifying(
    payment: &PaymentStatus,
    last_certified: Option<Date>,
    pension_start: crate::time::YearMonth,
    policy: &CyclePolicy,
    today: Date,
) -> Result<(), CannotCertify> {
    if let Some(s) = payment.suspension() {
        if !s.reason.lifted_by_certification() {
            return Err(CannotCertify::SuspendedForOtherReason(s.reason));
        }
        // A lapsed person may always certify: that is how payment resumes.
        return Ok(());
    }
    if let Some(on) = policy.already_certified(last_certified, pension_start, today) {
        return Err(CannotCertify::AlreadyCertified { on });
    }
    Ok(())
}

/// A relative added to an account for proxy certification. Knowing a name and number is
/// not enough: the relative consents ([`Consent`]) before the account may act for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProxyContact {
    /// The relative's identity number.
    pub id: ResidentId,
    /// The relative's name as entered.
    pub name: PersonName,
    /// When added.
    pub added_at: Timestamp,
    /// Whether the relative has agreed (stored contacts from before consent existed are
    /// pending until confirmed).
    #[serde(default)]
    pub consent: Consent,
}

impl ProxyContact {
    /// The relative has agreed: the account may enrol and certify for them.
    pub fn confirmed(&self) -> bool {
        matches!(self.consent, Consent::Confirmed { .. })
    }
}

/// A relative's consent to be acted for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "consent", rename_all = "snake_case")]
pub enum Consent {
    /// Asked, not yet agreed.
    #[default]
    Pending,
    /// Agreed.
    Confirmed {
        /// When.
        at: Timestamp,
        /// How.
        by: ConsentBy,
    },
}

/// How a relative agreed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum ConsentBy {
    /// In the relative's own (real-name verified) account.
    RelativesAccount,
    /// By the SMS code sent to the relative's own bound phone, which the relative told
    /// the holder.
    RelativesPhone,
    /// In person at the counter, before staff.
    Staff {
        /// Staff identifier.
        staff_id: String,
    },
}

/// Record `relative`'s consent in `contacts` (the account holder's list).
pub fn confirm_contact(
    contacts: &mut [ProxyContact],
    relative: &ResidentId,
    by: ConsentBy,
    now: Timestamp,
) -> Result<(), ContactError> {
    let c = contacts
        .iter_mut()
        .find(|c| &c.id == relative)
        .ok_or(ContactError::NoSuchRequest)?;
    c.consent = Consent::Confirmed { at: now, by };
    Ok(())
}

/// Most contacts one account may hold.
pub const MAX_CONTACTS: usize = 10;

/// Why a contact could not be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    /// Bad identity number.
    #[error(transparent)]
    Id(#[from] IdError),
    /// Bad name.
    #[error(transparent)]
    Name(#[from] NameError),
    /// Not on the roster or under another name.
    #[error(transparent)]
    Roster(#[from] RosterError),
    /// The holder cannot be their own contact.
    #[error("you cannot add yourself as a contact")]
    IsHolder,
    /// Already in the list.
    #[error("this person is already a contact")]
    Duplicate,
    /// The account holder has not asked to act for this person.
    #[error("there is no such contact request")]
    NoSuchRequest,
    /// [`MAX_CONTACTS`] reached.
    #[error("at most {MAX_CONTACTS} contacts")]
    TooMany,
}

/// Add a relative (name + identity number, checked against the roster) to `contacts`.
pub fn add_contact(
    account: &Account,
    contacts: &mut Vec<ProxyContact>,
    name: &str,
    id_number: &str,
    roster_entry: Option<&RosterEntry>,
    now: Timestamp,
) -> Result<ProxyContact, ContactError> {
    let id = ResidentId::parse(id_number)?;
    let name = PersonName::new(name)?;
    if id == account.holder_id {
        return Err(ContactError::IsHolder);
    }
    if contacts.iter().any(|c| c.id == id) {
        return Err(ContactError::Duplicate);
    }
    if contacts.len() >= MAX_CONTACTS {
        return Err(ContactError::TooMany);
    }
    match_roster(&name, &id, roster_entry)?;
    let contact = ProxyContact {
        id,
        name,
        added_at: now,
        consent: Consent::Pending,
    };
    contacts.push(contact.clone());
    Ok(contact)
}

/// Record an app certification (face or voice) from evidence the server has verified
/// (see [`crate::evidence::EvidenceVerifier::verify`]). The operator is the logged-in
/// account; the subject is the holder or one of their contacts, and the biometrics in
/// the evidence must be the subject's own.
pub fn certify_by_app(
    operator: &Account,
    contacts: &[ProxyContact],
    subject: &PersonFacts<'_>,
    enrollment: &EnrollmentCase,
    evidence: &EvidenceClaims,
    evidence_ref: Option<String>,
    policy: &CyclePolicy,
    now: Timestamp,
) -> Result<CertificationRecord, CannotCertify> {
    if operator.real_name_verified_at.is_none() {
        return Err(CannotCertify::RealNameRequired);
    }
    let op = if subject.person == &operator.holder_id {
        Operator::Holder
    } else if contacts.iter().any(|c| &c.id == subject.person && c.confirmed()) {
        Operator::Proxy {
            account_holder: operator.holder_id,
        }
    } else {
        return Err(CannotCertify::NotAContact);
    };
    if &evidence.subject != subject.person || evidence.operator != operator.holder_id {
        return Err(CannotCertify::BiometricsNotSubjects);
    }
    if !enrollment.may_certify() || enrollment.modality != evidence.modality {
        return Err(CannotCertify::NotEnrolled(evidence.modality));
    }
    may_certify(subject, policy, now.china_date())?;
    if !evidence.passed() {
        return Err(CannotCertify::EvidenceFailed);
    }
    Ok(CertificationRecord {
        person: *subject.person,
        at: now,
        method: match evidence.modality {
            Modality::Face => Method::AppFace,
            Modality::Voice => Method::AppVoice,
        },
        operator: op,
        evidence_ref,
        outcome: Outcome::Passed,
    })
}

/// Certify from dated evidence of life when it falls in the person's current cycle and
/// not after `today`.
pub fn certify_by_data_comparison(
    facts: &PersonFacts<'_>,
    evidence: &LifeEvidence,
    policy: &CyclePolicy,
    today: Date,
) -> Result<CertificationRecord, CannotCertify> {
    if evidence.person() != facts.person {
        return Err(CannotCertify::BiometricsNotSubjects);
    }
    may_certify(facts, policy, today)?;
    let pension_start = facts
        .roster_entry
        .map(|e| e.pension_start)
        .ok_or(RosterError::NotFound)?;
    evidence_in_cycle(
        facts.payment,
        facts.last_certified,
        pension_start,
        policy,
        evidence.date(),
        today,
    )?;
    Ok(data_comparison_record(evidence))
}

/// The data-comparison rule on payroll facts alone, for batch engines that have joined
/// a payroll row with the person's latest certification and a dated life event: `Ok` if
/// an event on `event_date` certifies the person on `today`. The same checks as
/// [`certify_by_data_comparison`] after its roster lookup.
pub fn life_event_certifies(
    payment: &PaymentStatus,
    last_certified: Option<Date>,
    pension_start: crate::time::YearMonth,
    policy: &CyclePolicy,
    event_date: Date,
    today: Date,
) -> Result<(), CannotCertify> {
    payment_allows_certifying(payment, last_certified, pension_start, policy, today)?;
    evidence_in_cycle(payment, last_certified, pension_start, policy, event_date, today)
}

/// Evidence counts from the start of the current cycle, or for a lapsed person from the
/// first unpaid month if earlier, up to `today`.
fn evidence_in_cycle(
    payment: &PaymentStatus,
    last_certified: Option<Date>,
    pension_start: crate::time::YearMonth,
    policy: &CyclePolicy,
    event_date: Date,
    today: Date,
) -> Result<(), CannotCertify> {
    let cycle = policy.cycle_on(last_certified, pension_start, today);
    let counts_from = match payment.suspension() {
        // For a lapsed person any evidence since payment stopped lifts the suspension.
        Some(s) => s.from.first_day().min(cycle.counts_from),
        None => cycle.counts_from,
    };
    if event_date > today || event_date < counts_from {
        return Err(CannotCertify::EvidenceOutOfCycle);
    }
    Ok(())
}

/// The record a certifying life event leaves: method data comparison, operator the feed,
/// the feed's reference as evidence, dated the day the person was seen alive.
pub fn data_comparison_record(evidence: &LifeEvidence) -> CertificationRecord {
    CertificationRecord {
        person: *evidence.person(),
        at: Timestamp::start_of_china_day(evidence.date()),
        method: Method::DataComparison,
        operator: Operator::DataFeed {
            source: evidence.source().to_owned(),
        },
        evidence_ref: Some(evidence.reference().to_owned()),
        outcome: Outcome::Passed,
    }
}

/// Record a certification made by staff (on-site, home visit, overseas, manual evidence).
pub fn certify_by_staff(
    facts: &PersonFacts<'_>,
    method: Method,
    staff_id: &str,
    evidence_ref: Option<String>,
    policy: &CyclePolicy,
    now: Timestamp,
) -> Result<CertificationRecord, CannotCertify> {
    may_certify(facts, policy, now.china_date())?;
    Ok(CertificationRecord {
        person: *facts.person,
        at: now,
        method,
        operator: Operator::Staff {
            staff_id: staff_id.to_owned(),
        },
        evidence_ref,
        outcome: Outcome::Passed,
    })
}
