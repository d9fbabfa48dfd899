//! Data comparison from evidence feeds (信息比对): dated hospital, travel or insurance
//! events certify the people they show alive, by the core's rule. Row by row; the batch
//! engine for province scale is a separate job.

use crate::AppState;
use crate::audit::audit;
use crate::error::{ApiError, domain};
use crate::extract::{Admin, Staff};
use crate::people::{insert_record, known};
use axum::Json;
use axum::extract::State;
use certify::CertifyStatus;
use certify_core::certification::{LifeEvidence, certify_by_data_comparison};
use certify_core::id::ResidentId;
use certify_core::time::parse_date;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

/// What a feed did.
#[derive(Serialize, ToSchema)]
pub(crate) struct FeedResult {
    /// People certified by this feed.
    certified: Vec<String>,
    /// Rows refused: `{line, code, reason}` each.
    #[schema(value_type = Vec<Object>)]
    refused: Vec<Value>,
}

#[derive(Deserialize)]
struct FeedRow {
    id_number: String,
    date: String,
    kind: String,
    source: String,
    reference: String,
}

/// `POST /staff/api/evidence-feed` (text/csv `id_number,date,kind,source,reference`):
/// data-comparison certification from dated hospital/travel/insurance events.
#[utoipa::path(post, path = "/staff/api/evidence-feed", tag = "staff", security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv", description = "id_number,date,kind,source,reference"),
    responses((status = 200, body = FeedResult), (status = "4XX", description = "Refused: the code says why", body = crate::openapi::ErrorBody)))]
pub(crate) async fn evidence_feed(
    State(state): State<AppState>,
    c: Staff<Admin>,
    body: String,
) -> Result<Json<FeedResult>, ApiError> {
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let today = state.now().china_date();
    let (mut certified, mut refused) = (Vec::new(), Vec::new());
    for (i, row) in reader.deserialize::<FeedRow>().enumerate() {
        let line = i + 2;
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                refused.push(
                    json!({"line": line, "code": CertifyStatus::InvalidArgument as u32, "reason": e.to_string()}),
                );
                continue;
            }
        };
        let (Ok(person), Some(date)) = (ResidentId::parse(&row.id_number), parse_date(&row.date)) else {
            refused.push(
                json!({"line": line, "code": CertifyStatus::InvalidArgument as u32, "reason": "bad id_number or date"}),
            );
            continue;
        };
        let k = known(&state, &person.to_string()).await?;
        let evidence = LifeEvidence {
            person,
            date,
            kind: row.kind,
            source: row.source,
            reference: row.reference,
        };
        match certify_by_data_comparison(&k.facts(&state), &evidence, &state.config.region.cycle, today) {
            Ok(record) => {
                let mut tx = state.db.begin_write().await?;
                insert_record(&mut tx, &record).await?;
                audit(
                    &mut tx,
                    state.now(),
                    &c.id,
                    "certification.data_comparison",
                    &person.to_string(),
                    &json!({"evidence": evidence}),
                )
                .await?;
                tx.commit().await?;
                certified.push(person.to_string());
            }
            Err(e) => {
                let e = domain(e);
                refused.push(json!({"line": line, "code": e.code, "reason": e.message}));
            }
        }
    }
    Ok(Json(FeedResult { certified, refused }))
}
