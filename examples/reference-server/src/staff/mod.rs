//! Staff routes (`/staff/*`): login, the manual review console, roster import and unit
//! declarations, the deadline run (preview, then confirm), data comparison from evidence
//! feeds, and the audit log. Each area is its own module.

mod auth;
mod comparison;
mod review;
mod roster;
mod runs;

pub(crate) use roster::import_roster_csv;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};

/// The staff routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/login", post(auth::login))
        .route("/staff/review", get(review::review_page))
        .route("/staff/api/review", get(review::review_queue))
        .route("/staff/api/review/{holder}/{modality}", post(review::review_decide))
        .route("/staff/api/roster", post(roster::roster_import))
        .route("/staff/api/declarations", post(roster::declare))
        .route("/staff/api/deadline-run/preview", post(runs::preview))
        .route("/staff/api/deadline-run", post(runs::confirm))
        .route("/staff/api/deadline-run/{id}/report.csv", get(runs::report))
        .route("/staff/api/evidence-feed", post(comparison::evidence_feed))
        .route("/staff/api/audit", get(crate::audit::audit_log))
}
