//! Certification by the app (认证): "may I certify now", recording a certification from
//! claims (server liveness, voice, or verified device evidence), and the history.

use crate::AppState;
use crate::accounts::load_account;
use crate::audit::audit;
use crate::contacts::{ActingFor, SubjectArg, contacts_of};
use crate::enrollment::load_case;
use crate::error::{ApiError, domain};

use crate::people::{insert_record, known, records_of};
use axum::Json;
use axum::extract::State;
use certify_bridge::CertifyStatus;
use certify_core::certification::{certify_by_app, history as core_history, last_certified};
use certify_core::enrollment::EnrollmentCase;
use certify_core::evidence::EvidenceClaims;
use certify_core::id::ResidentId;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The certification routes (evidence and liveness have their own modules).
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(may_certify))
        .routes(routes!(history))
}

/// Why a person may not certify now.
#[derive(Serialize, ToSchema)]
pub(crate) struct Refusal {
    /// Stable numeric code.
    code: u32,
    /// English message.
    message: String,
    /// Chinese message.
    message_zh: String,
}

/// Whether a person may certify now.
#[derive(Serialize, ToSchema)]
pub(crate) struct MayCertify {
    /// The rules allow it and the face enrollment is approved.
    may_certify: bool,
    /// The face enrollment is approved.
    enrolled: bool,
    /// Why the rules refuse, if they do.
    refused: Option<Refusal>,
    /// The person's cycle status (roster people only).
    #[schema(value_type = Option<Object>)]
    cycle_status: Option<certify_core::cycle::CycleStatus>,
}

/// A certification was recorded.
#[derive(Serialize, ToSchema)]
pub(crate) struct Certified {
    /// Always true.
    certified: bool,
    /// The record.
    #[schema(value_type = Object)]
    record: certify_core::certification::CertificationRecord,
}

impl Certified {
    /// The answer for a recorded `record`.
    pub(crate) fn of(record: certify_core::certification::CertificationRecord) -> Self {
        Self {
            certified: true,
            record,
        }
    }
}

/// A person's certifications.
#[derive(Serialize, ToSchema)]
pub(crate) struct History {
    /// Newest first.
    #[schema(value_type = Vec<Object>)]
    records: Vec<certify_core::certification::CertificationRecord>,
    /// The latest passed certification (YYYY-MM-DD).
    #[schema(value_type = Option<String>)]
    last_certified: Option<time::Date>,
    /// Refused attempts, newest first (at most 100): `{at, operator, code, message_zh}` —
    /// including attempts others made for the person.
    #[schema(value_type = Vec<Object>)]
    refused: Vec<serde_json::Value>,
}

/// `GET /api/may-certify?subject=`: whether the person may certify now, and why not.
#[utoipa::path(get, path = "/api/may-certify", tag = "certification", params(SubjectArg), security(("bearer" = [])),
    responses((status = 200, body = MayCertify), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn may_certify(
    State(state): State<AppState>,
    ActingFor { subject }: ActingFor,
) -> Result<Json<MayCertify>, ApiError> {
    let k = known(&state, &subject).await?;
    let now = state.now();
    let enrolled = load_case(&state, &subject, "face").await?.value.may_certify();
    let answer =
        certify_core::certification::may_certify(&k.facts(&state), &state.config.region.cycle, now.china_date());
    let status = k.entry.as_ref().map(|e| {
        state
            .config
            .region
            .cycle
            .status_on(k.last, e.pension_start, now.china_date())
    });
    Ok(Json(MayCertify {
        may_certify: answer.is_ok() && enrolled,
        enrolled,
        refused: answer.err().map(|e| {
            let a = domain(e);
            Refusal {
                code: a.code,
                message_zh: crate::message_zh(a.code).to_owned(),
                message: a.message,
            }
        }),
        cycle_status: status,
    }))
}

/// The approved face template of a case.
pub(crate) async fn face_template(
    state: &AppState,
    case: &EnrollmentCase,
) -> Result<certify_face::embed::FaceTemplate, ApiError> {
    let r = case
        .template_ref
        .clone()
        .ok_or_else(|| ApiError::status(CertifyStatus::NotEnrolled, "no approved face template"))?;
    let embedding: Vec<f32> = state
        .db
        .json("SELECT template_json FROM templates WHERE template_ref = $1", &r)
        .await?
        .ok_or_else(|| ApiError::not_found("template"))?;
    Ok(certify_face::embed::FaceTemplate { embedding })
}

/// Record an app certification from claims against the subject's `modality` enrollment;
/// a refusal is audited too.
pub(crate) async fn certify_with_claims(
    state: &AppState,
    operator: &str,
    subject: &str,
    claims: &EvidenceClaims,
    evidence_ref: String,
    modality: &str,
) -> Result<Json<Certified>, ApiError> {
    certify_claiming(state, operator, subject, claims, evidence_ref, modality, None).await
}

/// [`certify_with_claims`], first claiming evidence challenge `claim` in the same
/// transaction as the record and its audit entry (one commit; a second use is `505`).
pub(crate) async fn certify_claiming(
    state: &AppState,
    operator: &str,
    subject: &str,
    claims: &EvidenceClaims,
    evidence_ref: String,
    modality: &str,
    claim: Option<&str>,
) -> Result<Json<Certified>, ApiError> {
    let account = load_account(state, operator).await?;
    let contacts = contacts_of(state, operator).await?;
    let k = known(state, subject).await?;
    let case = load_case(state, subject, modality).await?;
    let now = state.now();
    let result = certify_by_app(
        &account.value,
        &contacts.value,
        &k.facts(state),
        &case.value,
        claims,
        Some(evidence_ref),
        &state.config.region.cycle,
        now,
    );
    let mut tx = state.db.begin_write().await?;
    if let Some(challenge_id) = claim {
        let claimed = sqlx::query("UPDATE challenges SET used = 1 WHERE challenge_id = $1 AND used = 0")
            .bind(challenge_id.to_owned())
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if !claimed {
            return Err(ApiError::status(
                CertifyStatus::EvidenceReplayed,
                "this evidence challenge was already used",
            ));
        }
    }
    match result {
        Ok(record) => {
            insert_record(&mut tx, &record).await?;
            audit(
                &mut tx,
                now,
                operator,
                "certification.app",
                subject,
                &json!({"method": record.method, "operator": record.operator}),
            )
            .await?;
            tx.commit().await?;
            Ok(Json(Certified {
                certified: true,
                record,
            }))
        }
        Err(e) => {
            let e = domain(e);
            audit(
                &mut tx,
                now,
                operator,
                "certification.refused",
                subject,
                &json!({"code": e.code}),
            )
            .await?;
            tx.commit().await?;
            Err(e)
        }
    }
}

/// `GET /api/history?subject=`: the person's certifications, newest first.
#[utoipa::path(get, path = "/api/history", tag = "certification", params(SubjectArg), security(("bearer" = [])),
    responses((status = 200, body = History), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn history(
    State(state): State<AppState>,
    ActingFor { subject }: ActingFor,
) -> Result<Json<History>, ApiError> {
    let records = records_of(&state, &subject).await?;
    let id = ResidentId::parse(&subject)?;
    let refused = sqlx::query(
        "SELECT at, actor, detail_json FROM audit_log WHERE subject = $1 AND action = 'certification.refused' ORDER BY id DESC LIMIT 100",
    )
    .bind(subject.clone())
    .fetch_all(&state.db.pool)
    .await?
    .iter()
    .map(|r| {
        let detail: serde_json::Value = serde_json::from_str(&sqlx::Row::try_get::<String, _>(r, 2)?)?;
        let code = detail["code"].as_u64().unwrap_or(0);
        Ok(json!({
            "at": sqlx::Row::try_get::<i64, _>(r, 0)?,
            "operator": sqlx::Row::try_get::<String, _>(r, 1)?,
            "code": code,
            "message_zh": crate::message_zh(u32::try_from(code).unwrap_or(0)),
        }))
    })
    .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Json(History {
        records: core_history(&records, &id).into_iter().cloned().collect(),
        last_certified: last_certified(&records, &id),
        refused,
    }))
}
