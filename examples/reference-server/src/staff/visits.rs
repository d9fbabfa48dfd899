//! Home visits, the staff side: the worklist (open visits oldest first, with the person's
//! roster name and unit), assignment, and the outcome — certified at home (a certification
//! record by home visit), nobody at home, or deceased (payment suspended from the month
//! after the death, as a unit's declaration would).

use crate::AppState;
use crate::audit::audit;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery, Reviewer, Staff};
use crate::people::{insert_record, known, roster_entry};
use crate::store::{self, Versioned};
use crate::visits::{Visit, save_visit};
use axum::Json;
use axum::extract::{Path, State};
use certify_bridge::CertifyStatus;
use certify_core::certification::{CannotCertify, Method, certify_by_staff};
use certify_core::payment::{SuspensionReason, UnitDeclaration};
use certify_core::visit::{HomeVisit, VisitOutcome};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;
use utoipa::{IntoParams, ToSchema};

/// `GET /staff/api/home-visits` query.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct WorklistQuery {
    /// `open` (default: requested or assigned), `requested`, `assigned`, `done`, `cancelled`.
    #[serde(default)]
    status: Option<String>,
    /// At most this many (default 50, at most 200).
    #[serde(default)]
    limit: Option<i64>,
    /// Skip this many.
    #[serde(default)]
    offset: Option<i64>,
}

/// One line of the worklist.
#[derive(Serialize, ToSchema)]
pub(crate) struct WorkItem {
    /// The visit.
    #[serde(flatten)]
    visit: Visit,
    /// The person's name on the roster.
    name: Option<String>,
    /// The person's unit (参保单位) on the roster.
    unit: Option<String>,
}

/// The worklist.
#[derive(Serialize, ToSchema)]
pub(crate) struct Worklist {
    /// Oldest first.
    items: Vec<WorkItem>,
    /// Visits with this status in all.
    total: i64,
}

/// `GET /staff/api/home-visits?status=&limit=&offset=`: the home-visit worklist.
#[utoipa::path(get, path = "/staff/api/home-visits", tag = "staff", params(WorklistQuery), security(("bearer" = [])),
    responses((status = 200, body = Worklist), (status = "4XX", description = "Refused: the code says why", body = crate::openapi::ErrorBody)))]
pub(crate) async fn worklist(
    State(state): State<AppState>,
    _staff: Staff<Reviewer>,
    ApiQuery(q): ApiQuery<WorklistQuery>,
) -> Result<Json<Worklist>, ApiError> {
    let statuses: &[&str] = match q.status.as_deref().unwrap_or("open") {
        "open" => &["requested", "assigned"],
        "requested" => &["requested"],
        "assigned" => &["assigned"],
        "done" => &["done"],
        "cancelled" => &["cancelled"],
        other => {
            return Err(ApiError::status(
                CertifyStatus::InvalidArgument,
                format!("unknown status {other:?}"),
            ));
        }
    };
    let (a, b) = (statuses[0], statuses[statuses.len() - 1]);
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let offset = q.offset.unwrap_or(0).max(0);
    let rows = sqlx::query(
        "SELECT visit_id, visit_json FROM home_visits WHERE status IN ($1, $2) ORDER BY visit_id LIMIT $3 OFFSET $4",
    )
    .bind(a)
    .bind(b)
    .bind(limit)
    .bind(offset)
    .fetch_all(&state.db.pool)
    .await?;
    let total: i64 = sqlx::query("SELECT COUNT(*) FROM home_visits WHERE status IN ($1, $2)")
        .bind(a)
        .bind(b)
        .fetch_one(&state.db.pool)
        .await?
        .try_get(0)?;
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        let visit: HomeVisit = serde_json::from_str(&r.try_get::<String, _>(1)?)?;
        let entry = roster_entry(&state, &visit.person.to_string()).await?.map(|(e, _)| e);
        items.push(WorkItem {
            name: entry.as_ref().map(|e| e.name.as_str().to_owned()),
            unit: entry.map(|e| e.unit),
            visit: Visit {
                visit_id: r.try_get(0)?,
                visit,
            },
        });
    }
    Ok(Json(Worklist { items, total }))
}

async fn load_visit(state: &AppState, id: &str) -> Result<Versioned<HomeVisit>, ApiError> {
    store::load(&state.db.pool, store::VISITS, &[id])
        .await?
        .ok_or_else(|| ApiError::not_found("home visit"))
}

/// `POST /staff/api/home-visits/{visit_id}/assign` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct AssignRequest {
    /// Who goes (absent: the caller).
    #[serde(default)]
    staff_id: Option<String>,
}

/// `POST /staff/api/home-visits/{visit_id}/assign`: assign (or reassign) a visit.
#[utoipa::path(post, path = "/staff/api/home-visits/{visit_id}/assign", tag = "staff", request_body = AssignRequest, security(("bearer" = [])),
    params(("visit_id" = String, Path, description = "The visit")),
    responses((status = 200, body = Visit), (status = "4XX", description = "Refused: the code says why", body = crate::openapi::ErrorBody)))]
pub(crate) async fn assign(
    State(state): State<AppState>,
    staff: Staff<Reviewer>,
    Path(visit_id): Path<String>,
    ApiJson(req): ApiJson<AssignRequest>,
) -> Result<Json<Visit>, ApiError> {
    let mut visit = load_visit(&state, &visit_id).await?;
    let to = req.staff_id.unwrap_or_else(|| staff.id.clone());
    let now = state.now();
    visit.value.assign(&to, now)?;
    let mut tx = state.db.begin_write().await?;
    save_visit(&mut tx, &visit_id, &visit).await?;
    let person = visit.value.person.to_string();
    audit(
        &mut tx,
        now,
        &staff.id,
        "visit.assigned",
        &person,
        &json!({"visit_id": visit_id, "to": to}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(Visit {
        visit_id,
        visit: visit.value,
    }))
}

/// `POST /staff/api/home-visits/{visit_id}/outcome` body: `{"outcome": "certified"}`,
/// `{"outcome": "not_at_home"}` or `{"outcome": "deceased", "died_on": "YYYY-MM-DD"}`.
#[derive(Deserialize, ToSchema)]
#[schema(value_type = Object)]
pub(crate) struct OutcomeRequest(VisitOutcome);

/// What the visit did.
#[derive(Serialize, ToSchema)]
pub(crate) struct VisitDone {
    /// The visit as closed.
    visit: Visit,
    /// The certification record, when the person was certified.
    #[schema(value_type = Option<Object>)]
    record: Option<certify_core::certification::CertificationRecord>,
    /// Why no record was made although the person was seen alive (e.g. already
    /// certified this cycle by data comparison).
    #[schema(value_type = Option<Object>)]
    not_recorded: Option<serde_json::Value>,
    /// The suspension, when the person had died.
    #[schema(value_type = Option<Object>)]
    suspension: Option<serde_json::Value>,
}

/// `POST /staff/api/home-visits/{visit_id}/outcome`: what the assigned staff member found.
#[utoipa::path(post, path = "/staff/api/home-visits/{visit_id}/outcome", tag = "staff", request_body = OutcomeRequest, security(("bearer" = [])),
    params(("visit_id" = String, Path, description = "The visit")),
    responses((status = 200, body = VisitDone), (status = "4XX", description = "Refused: the code says why", body = crate::openapi::ErrorBody)))]
pub(crate) async fn outcome(
    State(state): State<AppState>,
    staff: Staff<Reviewer>,
    Path(visit_id): Path<String>,
    ApiJson(OutcomeRequest(outcome)): ApiJson<OutcomeRequest>,
) -> Result<Json<VisitDone>, ApiError> {
    let mut visit = load_visit(&state, &visit_id).await?;
    let now = state.now();
    visit.value.record(&staff.id, outcome.clone(), now)?;
    let person = visit.value.person.to_string();
    let k = known(&state, &person).await?;
    let (mut record, mut not_recorded, mut suspension) = (None, None, None);
    let mut tx = state.db.begin_write().await?;
    save_visit(&mut tx, &visit_id, &visit).await?;
    match &outcome {
        VisitOutcome::Certified => {
            let evidence = Some(format!("home_visit:{visit_id}"));
            match certify_by_staff(
                &k.facts(&state),
                Method::HomeVisit,
                &staff.id,
                evidence,
                &state.config.region.cycle,
                now,
            ) {
                Ok(r) => {
                    insert_record(&mut tx, &r).await?;
                    record = Some(r);
                }
                // Seen alive but nothing to record this cycle: the visit still closes.
                Err(e @ CannotCertify::AlreadyCertified { .. }) => {
                    not_recorded = Some(json!({"code": crate::error::domain(e).code, "reason": "already_certified"}));
                }
                Err(e) => return Err(e.into()),
            }
        }
        VisitOutcome::Deceased { died_on } => {
            let declaration = UnitDeclaration {
                reason: SuspensionReason::Death,
                event_date: *died_on,
                declared_on: now.china_date(),
            };
            let declared =
                crate::staff::roster::apply_declaration(&state, &mut tx, &staff.id, &person, &declaration).await?;
            suspension = Some(serde_json::to_value(declared)?);
        }
        VisitOutcome::NotAtHome => {}
    }
    audit(
        &mut tx,
        now,
        &staff.id,
        "visit.done",
        &person,
        &json!({"visit_id": visit_id, "outcome": outcome}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(VisitDone {
        visit: Visit {
            visit_id,
            visit: visit.value,
        },
        record,
        not_recorded,
        suspension,
    }))
}
