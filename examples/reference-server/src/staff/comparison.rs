//! Data comparison from evidence feeds (信息比对): dated hospital, travel or insurance
//! events certify the people they show alive, by the core's rule.
//!
//! In bulk: the feed is read whole, each person's newest event not after today is kept
//! (the only one that can matter: `certify_core::comparison`), the facts of all those
//! people are loaded with one query per [`CHUNK`] people, the core decides each, and each
//! chunk's records and audit entries are written in one transaction. A province's full
//! feeds (billions of rows) go to `certify-batch` (DataFusion) or `certify-cluster`
//! (Ballista) instead; this endpoint is for the feeds staff upload.

use crate::AppState;
use crate::audit::audit;
use crate::error::{ApiError, domain};
use crate::extract::{Admin, Staff};
use crate::people::{Known, insert_record};
use axum::Json;
use axum::extract::State;
use certify_bridge::CertifyStatus;
use certify_core::certification::{
    CertificationRecord, LifeEvidence, PersonFacts, certify_by_data_comparison, last_certified,
};
use certify_core::id::ResidentId;
use certify_core::payment::PaymentStatus;
use certify_core::time::parse_date;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::Row;
use std::collections::HashMap;
use utoipa::ToSchema;

/// People whose facts are loaded by one query and written by one transaction.
pub(crate) const CHUNK: usize = 500;

/// What a feed did.
#[derive(Serialize, ToSchema)]
pub(crate) struct FeedResult {
    /// People certified by this feed.
    certified: Vec<String>,
    /// Rows refused: `{line, code, reason}` each.
    #[schema(value_type = Vec<Object>)]
    refused: Vec<Value>,
    /// Rows not needed because the same person has a newer event in this feed.
    superseded: u64,
}

#[derive(Deserialize)]
struct FeedRow {
    id_number: String,
    date: String,
    kind: String,
    source: String,
    reference: String,
}

/// One usable row: the evidence and its line.
struct Candidate {
    line: usize,
    evidence: LifeEvidence,
}

/// Whether `a` is newer than `b`, two events of one person: the core's order
/// ([`LifeEvidence::recency_key`]), which certify-batch's newest-event aggregate follows.
fn newer(a: &Candidate, b: &Candidate) -> bool {
    a.evidence.recency_key() > b.evidence.recency_key()
}

fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The facts of `people`, in two queries.
async fn known_many(state: &AppState, people: &[ResidentId]) -> Result<HashMap<ResidentId, Known>, ApiError> {
    let ids: Vec<String> = people.iter().map(ToString::to_string).collect();
    let sql = format!(
        "SELECT id_number, entry_json, payment_json FROM roster WHERE id_number IN ({})",
        placeholders(ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in &ids {
        q = q.bind(id.clone());
    }
    let mut known: HashMap<ResidentId, Known> = people
        .iter()
        .map(|p| {
            (
                *p,
                Known {
                    person: *p,
                    entry: None,
                    payment: PaymentStatus::Active,
                    last: None,
                },
            )
        })
        .collect();
    for row in q.fetch_all(&state.db.pool).await? {
        let id = ResidentId::parse(&row.try_get::<String, _>(0)?)?;
        if let Some(k) = known.get_mut(&id) {
            k.entry = Some(serde_json::from_str(&row.try_get::<String, _>(1)?)?);
            k.payment = serde_json::from_str(&row.try_get::<String, _>(2)?)?;
        }
    }
    let sql = format!(
        "SELECT record_json FROM certifications WHERE person IN ({})",
        placeholders(ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in &ids {
        q = q.bind(id.clone());
    }
    let mut records: Vec<CertificationRecord> = Vec::new();
    for row in q.fetch_all(&state.db.pool).await? {
        records.push(serde_json::from_str(&row.try_get::<String, _>(0)?)?);
    }
    let mut by_person: HashMap<ResidentId, Vec<CertificationRecord>> = HashMap::new();
    for r in records {
        by_person.entry(r.person).or_default().push(r);
    }
    for (p, rs) in by_person {
        if let Some(k) = known.get_mut(&p) {
            k.last = last_certified(&rs, &p);
        }
    }
    Ok(known)
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
    let bad = |line: usize, reason: String| json!({"line": line, "code": CertifyStatus::InvalidArgument as u32, "reason": reason});
    // Each person's newest usable event; the rest are superseded.
    let mut newest: HashMap<ResidentId, Candidate> = HashMap::new();
    let mut superseded = 0u64;
    for (i, row) in reader.deserialize::<FeedRow>().enumerate() {
        let line = i + 2;
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                refused.push(bad(line, e.to_string()));
                continue;
            }
        };
        let (Ok(person), Some(date)) = (ResidentId::parse(&row.id_number), parse_date(row.date.trim())) else {
            refused.push(bad(line, "bad id_number or date".into()));
            continue;
        };
        // Kind, source and reference as the core checks them (length, control characters,
        // a named source): a refused row is listed with its reason, not cut short.
        let evidence = match LifeEvidence::new(person, date, row.kind, row.source, row.reference) {
            Ok(evidence) => evidence,
            Err(e) => {
                refused.push(bad(line, e.to_string()));
                continue;
            }
        };
        let candidate = Candidate { line, evidence };
        if date > today {
            // Not yet usable; the core says so in its own words.
            let e = domain(certify_core::certification::CannotCertify::EvidenceOutOfCycle);
            refused.push(json!({"line": line, "code": e.code, "reason": e.message}));
            continue;
        }
        match newest.get(&person) {
            Some(old) if !newer(&candidate, old) => superseded += 1,
            Some(_) => {
                superseded += 1;
                newest.insert(person, candidate);
            }
            None => {
                newest.insert(person, candidate);
            }
        }
    }
    let mut people: Vec<Candidate> = newest.into_values().collect();
    people.sort_by_key(|c| c.line);
    for chunk in people.chunks(CHUNK) {
        let ids: Vec<ResidentId> = chunk.iter().map(|c| *c.evidence.person()).collect();
        let known = known_many(&state, &ids).await?;
        let mut tx = state.db.begin_write().await?;
        for cand in chunk {
            let Some(k) = known.get(cand.evidence.person()) else {
                continue;
            };
            let facts: PersonFacts<'_> = k.facts(&state);
            match certify_by_data_comparison(&facts, &cand.evidence, &state.config.region.cycle, today) {
                Ok(record) => {
                    insert_record(&mut tx, &record).await?;
                    audit(
                        &mut tx,
                        state.now(),
                        &c.id,
                        "certification.data_comparison",
                        &cand.evidence.person().to_string(),
                        &json!({"evidence": cand.evidence}),
                    )
                    .await?;
                    certified.push(cand.evidence.person().to_string());
                }
                Err(e) => {
                    let e = domain(e);
                    refused.push(json!({"line": cand.line, "code": e.code, "reason": e.message}));
                }
            }
        }
        tx.commit().await?;
    }
    refused.sort_by_key(|r| r["line"].as_u64());
    Ok(Json(FeedResult {
        certified,
        refused,
        superseded,
    }))
}
