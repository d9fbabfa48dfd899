//! Staff routes (`/staff/*`): login, the manual review console, roster import and unit
//! declarations, the deadline run (preview, then confirm), data comparison from evidence
//! feeds, and the audit log. Each area is its own module.

mod auth;
mod comparison;
mod counter;
mod people;
mod queue;
mod review;
mod roster;
mod runs;
mod visits;

pub(crate) use roster::import_roster_csv;

use crate::AppState;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The staff routes (the console page itself is not part of the API document).
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/staff", get(review::review_page))
        .route("/staff/review", get(review::review_page))
        .routes(routes!(auth::login))
        .route("/staff/logout", axum::routing::post(crate::extract::logout))
        .routes(routes!(queue::review_queue))
        .routes(routes!(review::review_decide))
        .routes(routes!(queue::held_image))
        .routes(routes!(review::revoke))
        .routes(routes!(counter::confirm_contact))
        .routes(routes!(counter::unlock_account))
        .routes(routes!(people::person))
        .routes(routes!(people::certify))
        .routes(routes!(visits::worklist))
        .routes(routes!(visits::assign))
        .routes(routes!(visits::outcome))
        .routes(routes!(roster::roster_import))
        .routes(routes!(roster::declare))
        .routes(routes!(runs::preview))
        .routes(routes!(runs::confirm))
        .routes(routes!(runs::report))
        .routes(routes!(comparison::evidence_feed))
        .routes(routes!(crate::audit::audit_log))
}
