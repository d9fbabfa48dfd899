//! Home visits (上门认证), the pensioner's side: the person, or a relative who may act for
//! them, asks staff to come (the bedridden; after failed attempts); they see their visits
//! and what came of them. The staff side (worklist, assignment, outcome) is
//! `staff::visits`; the rules are `certify_core::visit`.

use crate::AppState;
use crate::audit::audit;
use crate::contacts::{ActingFor, SubjectArg, acting_for};
use crate::error::ApiError;
use crate::extract::{ApiJson, Holder};
use crate::store::{self, Versioned};
use axum::Json;
use axum::extract::State;
use certify_core::id::ResidentId;
use certify_core::visit::HomeVisit;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The pensioner's home-visit routes.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(visits, request_visit))
}

/// A visit with its id.
#[derive(Serialize, ToSchema)]
pub(crate) struct Visit {
    /// Its id.
    pub(crate) visit_id: String,
    /// The request and where it stands.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub(crate) visit: HomeVisit,
}

/// A person's visits, newest first.
#[derive(Serialize, ToSchema)]
pub(crate) struct Visits {
    /// Newest first.
    pub(crate) visits: Vec<Visit>,
}

/// `POST /api/home-visits` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct VisitRequest {
    /// A contact's identity number; absent for the holder.
    #[serde(default)]
    subject: Option<String>,
    /// Why (at most 200 characters): bedridden, failed attempts, …
    #[serde(default)]
    reason: String,
}

/// The visits of `person`, newest first.
pub(crate) async fn visits_of(state: &AppState, person: &str) -> Result<Vec<Visit>, ApiError> {
    let rows = sqlx::query("SELECT visit_id, visit_json FROM home_visits WHERE person = $1 ORDER BY visit_id DESC")
        .bind(person.to_owned())
        .fetch_all(&state.db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Visit {
                visit_id: r.try_get(0)?,
                visit: serde_json::from_str(&r.try_get::<String, _>(1)?)?,
            })
        })
        .collect()
}

/// The status column of a visit (what the worklist filters on).
pub(crate) fn status_of(v: &HomeVisit) -> &'static str {
    match v.state {
        certify_core::visit::VisitState::Requested => "requested",
        certify_core::visit::VisitState::Assigned { .. } => "assigned",
        certify_core::visit::VisitState::Done { .. } => "done",
        certify_core::visit::VisitState::Cancelled { .. } => "cancelled",
    }
}

/// Store visit `id` (compare-and-swap on its version; at most one open visit per person).
pub(crate) async fn save_visit(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    visit: &Versioned<HomeVisit>,
) -> Result<(), ApiError> {
    store::save(
        conn,
        store::VISITS,
        &[id],
        visit,
        &[
            ("person", Some(visit.value.person.to_string())),
            ("status", Some(status_of(&visit.value).to_owned())),
        ],
    )
    .await?;
    Ok(())
}

/// `POST /api/home-visits {subject?, reason}`: ask for a home visit for oneself or a
/// consenting relative. An open request is answered as it stands (one per person).
#[utoipa::path(post, path = "/api/home-visits", tag = "certification", request_body = VisitRequest, security(("bearer" = [])),
    responses((status = 200, body = Visit), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn request_visit(
    State(state): State<AppState>,
    holder: Holder,
    ApiJson(req): ApiJson<VisitRequest>,
) -> Result<Json<Visit>, ApiError> {
    let subject = acting_for(&state, &holder, req.subject.as_deref()).await?;
    if let Some(open) = visits_of(&state, &subject)
        .await?
        .into_iter()
        .find(|v| v.visit.is_open())
    {
        return Ok(Json(open));
    }
    let now = state.now();
    let visit = HomeVisit::request(
        ResidentId::parse(&subject)?,
        ResidentId::parse(&holder.id)?,
        &req.reason,
        now,
    )?;
    let id = format!("{:012}-{}", now.unix_seconds().max(0), state.random_hex(6));
    let mut tx = state.db.begin_write().await?;
    save_visit(&mut tx, &id, &Versioned::new(visit.clone())).await?;
    audit(
        &mut tx,
        now,
        &holder.id,
        "visit.requested",
        &subject,
        &json!({"visit_id": id}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(Visit { visit_id: id, visit }))
}

/// `GET /api/home-visits?subject=`: the person's home visits, newest first.
#[utoipa::path(get, path = "/api/home-visits", tag = "certification", params(SubjectArg), security(("bearer" = [])),
    responses((status = 200, body = Visits), (status = "4XX", description = "Refused: the code says why; message_zh says what to do", body = crate::openapi::ErrorBody)))]
pub(crate) async fn visits(
    State(state): State<AppState>,
    ActingFor { subject }: ActingFor,
) -> Result<Json<Visits>, ApiError> {
    Ok(Json(Visits {
        visits: visits_of(&state, &subject).await?,
    }))
}
