//! A person as staff see them, and the staff channels of certification: on site at the
//! counter (现场认证), by home visit without a request, for people abroad (境外认证,
//! consular or notarised proof, seed 003 常见问题 6) and by documents staff reviewed.

use crate::AppState;
use crate::audit::audit;
use crate::certification::Certified;
use crate::enrollment::load_case;
use crate::error::ApiError;
use crate::extract::{ApiJson, Reviewer, Staff};
use crate::people::{insert_record, known, records_of, roster_entry};
use axum::Json;
use axum::extract::{Path, State};
use certify_bridge::CertifyStatus;
use certify_core::certification::{Method, certify_by_staff};
use certify_core::id::ResidentId;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;
use utoipa::ToSchema;

/// Everything staff need about one person.
#[derive(Serialize, ToSchema)]
pub(crate) struct Person {
    /// The identity number.
    id_number: String,
    /// The roster entry (name, unit, pension), if on the roster.
    #[schema(value_type = Option<Object>)]
    roster: Option<certify_core::roster::RosterEntry>,
    /// Payment status (active, or suspended with its reason and month).
    #[schema(value_type = Option<Object>)]
    payment: Option<certify_core::payment::PaymentStatus>,
    /// Where the person stands in the current cycle.
    #[schema(value_type = Option<Object>)]
    cycle_status: Option<certify_core::cycle::CycleStatus>,
    /// Face and voice enrollment cases.
    #[schema(value_type = Object)]
    enrollments: serde_json::Value,
    /// Certifications, newest first.
    #[schema(value_type = Vec<Object>)]
    certifications: Vec<certify_core::certification::CertificationRecord>,
    /// Refused certification attempts and home visits from the audit log, newest first
    /// (`{at, actor, action, detail}`).
    #[schema(value_type = Vec<Object>)]
    attempts: Vec<serde_json::Value>,
    /// Home visits, newest first.
    visits: Vec<crate::visits::Visit>,
    /// Accounts that asked to act for the person and have not been confirmed.
    pending_contact_requests: Vec<String>,
    /// Accounts that list the person as a contact, with the consent (`{holder_id,
    /// consent}`): who may act for them.
    #[schema(value_type = Vec<Object>)]
    proxies: Vec<serde_json::Value>,
}

/// `GET /staff/api/people/{id_number}`: look a person up.
#[utoipa::path(get, path = "/staff/api/people/{id_number}", tag = "staff", security(("bearer" = [])),
    params(("id_number" = String, Path, description = "Identity number")),
    responses((status = 200, body = Person), (status = "4XX", description = "Refused: the code says why", body = crate::openapi::ErrorBody)))]
pub(crate) async fn person(
    State(state): State<AppState>,
    _staff: Staff<Reviewer>,
    Path(id_number): Path<String>,
) -> Result<Json<Person>, ApiError> {
    let id = ResidentId::parse(&id_number)?.to_string();
    let found = roster_entry(&state, &id).await?;
    let mut certifications = records_of(&state, &id).await?;
    certifications.reverse();
    let last = certify_core::certification::last_certified(&certifications, &ResidentId::parse(&id)?);
    let today = state.now().china_date();
    let cycle_status = found
        .as_ref()
        .map(|(e, _)| state.config.region.cycle.status_on(last, e.pension_start, today));
    let mut enrollments = serde_json::Map::new();
    for modality in ["face", "voice"] {
        enrollments.insert(
            modality.to_owned(),
            serde_json::to_value(load_case(&state, &id, modality).await?.value)?,
        );
    }
    let attempts = sqlx::query(
        "SELECT at, actor, action, detail_json FROM audit_log WHERE subject = $1 AND (action = 'certification.refused' OR action LIKE 'visit.%') ORDER BY id DESC LIMIT 200",
    )
    .bind(id.clone())
    .fetch_all(&state.db.pool)
    .await?
    .iter()
    .map(|r| {
        Ok(json!({
            "at": r.try_get::<i64, _>(0)?,
            "actor": r.try_get::<String, _>(1)?,
            "action": r.try_get::<String, _>(2)?,
            "detail": serde_json::from_str::<serde_json::Value>(&r.try_get::<String, _>(3)?).unwrap_or_default(),
        }))
    })
    .collect::<Result<Vec<_>, ApiError>>()?;
    let pending_contact_requests = sqlx::query("SELECT holder_id FROM contact_requests WHERE relative_id = $1")
        .bind(id.clone())
        .fetch_all(&state.db.pool)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<Vec<_>, _>>()?;
    // Contacts are stored per account; the person's number in the JSON narrows the scan.
    let mut proxies = Vec::new();
    for r in sqlx::query("SELECT holder_id, contacts_json FROM contacts WHERE contacts_json LIKE '%' || $1 || '%'")
        .bind(id.clone())
        .fetch_all(&state.db.pool)
        .await?
    {
        let list: Vec<certify_core::certification::ProxyContact> = serde_json::from_str(&r.try_get::<String, _>(1)?)?;
        if let Some(c) = list.iter().find(|c| c.id.as_str() == id) {
            proxies.push(json!({"holder_id": r.try_get::<String, _>(0)?, "consent": c.consent}));
        }
    }
    let (roster, payment) = match found {
        Some((e, p)) => (Some(e), Some(p)),
        None => (None, None),
    };
    Ok(Json(Person {
        visits: crate::visits::visits_of(&state, &id).await?,
        id_number: id,
        roster,
        payment,
        cycle_status,
        enrollments: serde_json::Value::Object(enrollments),
        certifications,
        attempts,
        pending_contact_requests,
        proxies,
    }))
}

/// `POST /staff/api/people/{id_number}/certify` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct StaffCertifyRequest {
    /// `on_site`, `home_visit`, `overseas` or `manual_evidence`.
    method: String,
    /// What the certification rests on (a consular certificate's number, a document's
    /// reference); required for `overseas` and `manual_evidence`.
    #[serde(default)]
    evidence_ref: Option<String>,
}

/// `POST /staff/api/people/{id_number}/certify`: staff certify a person they saw or whose
/// proof they checked.
#[utoipa::path(post, path = "/staff/api/people/{id_number}/certify", tag = "staff", request_body = StaffCertifyRequest, security(("bearer" = [])),
    params(("id_number" = String, Path, description = "Identity number")),
    responses((status = 200, body = Certified), (status = "4XX", description = "Refused: the code says why", body = crate::openapi::ErrorBody)))]
pub(crate) async fn certify(
    State(state): State<AppState>,
    staff: Staff<Reviewer>,
    Path(id_number): Path<String>,
    ApiJson(req): ApiJson<StaffCertifyRequest>,
) -> Result<Json<Certified>, ApiError> {
    let method = match Method::from_code(&req.method) {
        Some(m @ (Method::OnSite | Method::HomeVisit | Method::Overseas | Method::ManualEvidence)) => m,
        _ => {
            return Err(ApiError::status(
                CertifyStatus::InvalidArgument,
                "method is on_site, home_visit, overseas or manual_evidence",
            ));
        }
    };
    let evidence_ref = req
        .evidence_ref
        .map(|r| {
            r.trim()
                .chars()
                .filter(|c| !c.is_control())
                .take(200)
                .collect::<String>()
        })
        .filter(|r| !r.is_empty());
    if matches!(method, Method::Overseas | Method::ManualEvidence) && evidence_ref.is_none() {
        return Err(ApiError::status(
            CertifyStatus::InvalidArgument,
            "overseas and manual_evidence certifications name their proof (evidence_ref)",
        ));
    }
    let id = ResidentId::parse(&id_number)?.to_string();
    let k = known(&state, &id).await?;
    let now = state.now();
    let record = certify_by_staff(
        &k.facts(&state),
        method,
        &staff.id,
        evidence_ref,
        &state.config.region.cycle,
        now,
    )?;
    let mut tx = state.db.begin_write().await?;
    insert_record(&mut tx, &record).await?;
    audit(
        &mut tx,
        now,
        &staff.id,
        "certification.staff",
        &id,
        &json!({"method": record.method, "evidence_ref": record.evidence_ref}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(Certified::of(record)))
}
