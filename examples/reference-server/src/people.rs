//! What the server knows about a person: the roster entry with payment status, and the
//! certification records; the facts the core's certification rules take.

use crate::AppState;
use crate::error::ApiError;
use certify_core::certification::{CertificationRecord, PersonFacts, last_certified};
use certify_core::id::ResidentId;
use certify_core::payment::PaymentStatus;
use certify_core::roster::RosterEntry;
use sqlx::Row;

/// The roster entry and payment status of identity number `id`.
pub(crate) async fn roster_entry(state: &AppState, id: &str) -> Result<Option<(RosterEntry, PaymentStatus)>, ApiError> {
    let row = sqlx::query("SELECT entry_json, payment_json FROM roster WHERE id_number = $1")
        .bind(id.to_owned())
        .fetch_optional(&state.db.pool)
        .await?;
    match row {
        Some(r) => Ok(Some((
            serde_json::from_str(&r.try_get::<String, _>(0)?)?,
            serde_json::from_str(&r.try_get::<String, _>(1)?)?,
        ))),
        None => Ok(None),
    }
}

/// Every certification record of `person`, oldest first.
pub(crate) async fn records_of(state: &AppState, person: &str) -> Result<Vec<CertificationRecord>, ApiError> {
    let rows = sqlx::query("SELECT record_json FROM certifications WHERE person = $1 ORDER BY at")
        .bind(person.to_owned())
        .fetch_all(&state.db.pool)
        .await?;
    rows.iter()
        .map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>(0)?)?))
        .collect()
}

/// Add a certification record (inside the caller's transaction).
pub(crate) async fn insert_record(
    conn: &mut sqlx::AnyConnection,
    record: &CertificationRecord,
) -> Result<(), ApiError> {
    sqlx::query("INSERT INTO certifications (person, at, record_json) VALUES ($1, $2, $3)")
        .bind(record.person.to_string())
        .bind(record.at.unix_seconds())
        .bind(serde_json::to_string(record)?)
        .execute(conn)
        .await?;
    Ok(())
}

/// What is known about a person, for the certification rules.
pub(crate) struct Known {
    pub(crate) person: ResidentId,
    pub(crate) entry: Option<RosterEntry>,
    pub(crate) payment: PaymentStatus,
    pub(crate) last: Option<time::Date>,
}

impl Known {
    /// The core's view of these facts under the configured scheme.
    pub(crate) fn facts(&self, state: &AppState) -> PersonFacts<'_> {
        PersonFacts {
            person: &self.person,
            roster_entry: self.entry.as_ref(),
            scheme: state.config.region.scheme,
            payment: &self.payment,
            last_certified: self.last,
        }
    }
}

/// Load what is known about `person`.
pub(crate) async fn known(state: &AppState, person: &str) -> Result<Known, ApiError> {
    let id = ResidentId::parse(person)?;
    let (entry, payment) = match roster_entry(state, &id.to_string()).await? {
        Some((e, p)) => (Some(e), p),
        None => (None, PaymentStatus::Active),
    };
    let records = records_of(state, &id.to_string()).await?;
    Ok(Known {
        person: id,
        entry,
        payment,
        last: last_certified(&records, &id),
    })
}
