//! The deadline run (到期处理): a preview lists every roster person's decision on the run
//! date — suspensions, resumptions with back pay — and confirming the preview applies it.
//! Each change is a compare-and-swap on the person's payment version: a person changed
//! since the preview (a death declared, a certification recorded) is skipped and listed,
//! never overwritten. Run dates after today are refused.

use crate::AppState;
use crate::audit::audit;
use crate::error::{ApiError, codes};
use crate::extract::{Admin, ApiJson, IdempotencyKey, Staff};
use crate::idempotency;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use certify_bridge::CertifyStatus;
use certify_core::certification::{CertificationRecord, last_certified};
use certify_core::deadline::{PayrollRow, RunDecision, RunSummary, decide_with};
use certify_core::payment::{PaymentStatus, Suspension, SuspensionReason};
use certify_core::roster::RosterEntry;
use certify_core::time::{format_date, parse_date};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row;
use std::collections::HashMap;
use utoipa::ToSchema;

/// A preview is valid this long.
const PREVIEW_SECONDS: i64 = 3600;

/// One planned change: the person, the payment version it was computed from, the new
/// status, and its line in the report.
#[derive(Debug, Serialize, Deserialize)]
struct Change {
    id: String,
    version: i64,
    status: PaymentStatus,
    line: String,
}

/// A spreadsheet-safe CSV field: quoted when needed, and a leading `=`, `+`, `-`, `@`, tab
/// or carriage return neutralised with an apostrophe so no cell is read as a formula.
pub(crate) fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

const REPORT_HEADER: &str =
    "id_number,name,action,from,deadline,back_pay_months,back_pay_yuan,back_pay_review_months,back_pay_review_yuan\n";

/// A preview: nothing changed yet.
#[derive(Serialize, ToSchema)]
pub(crate) struct Preview {
    /// Confirm with this id within the hour.
    preview_id: String,
    /// The run date.
    run_date: String,
    /// Counts and totals.
    #[schema(value_type = Object)]
    summary: RunSummary,
    /// Planned changes.
    changes: usize,
    /// The first 50 report lines.
    first_changes_csv: Vec<String>,
    /// When the preview expires (Unix seconds).
    expires_at: i64,
}

/// An applied run.
#[derive(Serialize, ToSchema)]
pub(crate) struct Applied {
    /// The run (its report is `/staff/api/deadline-run/{run_id}/report.csv`).
    run_id: String,
    /// The run date.
    run_date: String,
    /// The preview's counts and totals.
    #[schema(value_type = Object)]
    summary: Value,
    /// Changes applied.
    applied: usize,
    /// People changed since the preview, left for the next preview.
    skipped: Vec<String>,
}

/// `POST /staff/api/deadline-run/preview` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct PreviewRequest {
    /// The run date (YYYY-MM-DD, not after today); today when absent.
    #[serde(default)]
    run_date: Option<String>,
}

/// `POST /staff/api/deadline-run/preview`: every decision on the run date, stored for an
/// hour under a `preview_id`; nothing is changed yet.
#[utoipa::path(post, path = "/staff/api/deadline-run/preview", tag = "staff", request_body = PreviewRequest, security(("bearer" = [])),
    responses((status = 200, body = Preview), (status = "4XX", description = "Refused: the code says why", body = crate::openapi::ErrorBody)))]
pub(crate) async fn preview(
    State(state): State<AppState>,
    c: Staff<Admin>,
    ApiJson(req): ApiJson<PreviewRequest>,
) -> Result<Json<Preview>, ApiError> {
    let today = state.now().china_date();
    let run_date = match &req.run_date {
        Some(d) => {
            parse_date(d).ok_or_else(|| ApiError::status(CertifyStatus::DateInvalid, "run_date is YYYY-MM-DD"))?
        }
        None => today,
    };
    if run_date > today {
        return Err(ApiError::status(
            CertifyStatus::DateInvalid,
            "a deadline run cannot be dated after today",
        ));
    }
    let policy = &state.config.region.cycle;
    // Two reads for the whole roster: entries with payment status and version, and every
    // certification record grouped by person.
    let rows = sqlx::query("SELECT id_number, entry_json, payment_json, version FROM roster ORDER BY id_number")
        .fetch_all(&state.db.pool)
        .await?;
    let mut records: HashMap<String, Vec<CertificationRecord>> = HashMap::new();
    for r in sqlx::query("SELECT person, record_json FROM certifications")
        .fetch_all(&state.db.pool)
        .await?
    {
        records
            .entry(r.try_get(0)?)
            .or_default()
            .push(serde_json::from_str(&r.try_get::<String, _>(1)?)?);
    }
    let mut summary = RunSummary::default();
    let mut changes = Vec::new();
    for r in rows {
        let id: String = r.try_get(0)?;
        let entry: RosterEntry = serde_json::from_str(&r.try_get::<String, _>(1)?)?;
        let payment: PaymentStatus = serde_json::from_str(&r.try_get::<String, _>(2)?)?;
        let version: i64 = r.try_get(3)?;
        if entry.scheme != state.config.region.scheme {
            continue;
        }
        let last = records.get(&id).and_then(|recs| last_certified(recs, &entry.id));
        let row = PayrollRow {
            id: entry.id,
            monthly_pension: entry.monthly_pension,
            pension_start: entry.pension_start,
            status: payment,
        };
        let decision = decide_with(policy, &state.config.region.run, run_date, &row, last);
        summary.record(&row, &decision);
        let name = csv_field(&entry.name.for_display());
        let (status, line) = match &decision {
            RunDecision::Unchanged => continue,
            RunDecision::Suspend { from, deadline } => (
                PaymentStatus::Suspended(Suspension {
                    reason: SuspensionReason::CertificationLapse,
                    from: *from,
                }),
                format!("{id},{name},suspend,{from},{},0,0.00,0,0.00\n", format_date(*deadline)),
            ),
            RunDecision::Resume {
                resume_from,
                back_pay_months,
                back_pay,
                review_months,
                review_amount,
                ..
            } => (
                PaymentStatus::Active,
                format!(
                    "{id},{name},resume,{resume_from},,{back_pay_months},{back_pay},{review_months},{review_amount}\n"
                ),
            ),
        };
        changes.push(Change {
            id,
            version,
            status,
            line,
        });
    }
    let preview_id = state.random_hex(12);
    let now = state.now().unix_seconds();
    sqlx::query(
        "INSERT INTO run_previews (preview_id, run_date, created_by, created_at, summary_json, changes_json, applied) VALUES ($1, $2, $3, $4, $5, $6, 0)",
    )
    .bind(preview_id.clone())
    .bind(format_date(run_date))
    .bind(c.id.clone())
    .bind(now)
    .bind(serde_json::to_string(&summary)?)
    .bind(serde_json::to_string(&changes)?)
    .execute(&state.db.pool)
    .await?;
    Ok(Json(Preview {
        preview_id,
        run_date: format_date(run_date),
        summary,
        changes: changes.len(),
        first_changes_csv: changes.iter().take(50).map(|c| c.line.trim_end().to_owned()).collect(),
        expires_at: now + PREVIEW_SECONDS,
    }))
}

/// `POST /staff/api/deadline-run` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct ConfirmRequest {
    /// The preview to apply.
    preview_id: String,
}

/// `POST /staff/api/deadline-run {preview_id}` (`Idempotency-Key` recommended): apply a
/// preview once, in one transaction with its report and audit entry. People changed since
/// the preview are skipped and listed (`skipped`): preview again to decide them.
#[utoipa::path(post, path = "/staff/api/deadline-run", tag = "staff", request_body = ConfirmRequest, security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer")),
    responses((status = 200, body = Applied), (status = "4XX", description = "Refused: the code says why", body = crate::openapi::ErrorBody)))]
pub(crate) async fn confirm(
    State(state): State<AppState>,
    c: Staff<Admin>,
    idem: IdempotencyKey,
    ApiJson(req): ApiJson<ConfirmRequest>,
) -> Result<Response, ApiError> {
    let key = idem.scoped(&c.id);
    if let Some(r) = idempotency::replay(&state, key.as_deref()).await? {
        return Ok(r);
    }
    let now = state.now().unix_seconds();
    let mut tx = state.db.begin_write().await?;
    // Claim the preview: of parallel confirmations exactly one applies it.
    let claimed = sqlx::query(
        "UPDATE run_previews SET applied = 1 WHERE preview_id = $1 AND applied = 0 AND created_at > $2 RETURNING run_date, summary_json, changes_json",
    )
    .bind(req.preview_id.clone())
    .bind(now - PREVIEW_SECONDS)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            codes::PREVIEW_UNKNOWN,
            "no such preview, or it expired or was applied; preview again",
        )
    })?;
    let run_date: String = claimed.try_get(0)?;
    let summary: Value = serde_json::from_str(&claimed.try_get::<String, _>(1)?)?;
    let changes: Vec<Change> = serde_json::from_str(&claimed.try_get::<String, _>(2)?)?;
    let mut report = String::from(REPORT_HEADER);
    let mut skipped = Vec::new();
    for change in &changes {
        let done = sqlx::query(
            "UPDATE roster SET payment_json = $1, version = version + 1 WHERE id_number = $2 AND version = $3",
        )
        .bind(serde_json::to_string(&change.status)?)
        .bind(change.id.clone())
        .bind(change.version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            report.push_str(&change.line);
        } else {
            skipped.push(change.id.clone());
        }
    }
    let run_id = state.random_hex(8);
    let body = serde_json::to_value(Applied {
        run_id: run_id.clone(),
        run_date: run_date.clone(),
        summary: summary.clone(),
        applied: changes.len() - skipped.len(),
        skipped,
    })?;
    sqlx::query("INSERT INTO deadline_runs (run_id, run_date, summary_json, report_csv) VALUES ($1, $2, $3, $4)")
        .bind(run_id.clone())
        .bind(run_date)
        .bind(serde_json::to_string(&summary)?)
        .bind(report)
        .execute(&mut *tx)
        .await?;
    audit(&mut tx, state.now(), &c.id, "deadline.run", &run_id, &body).await?;
    idempotency::store(&mut tx, key.as_deref(), &body).await?;
    tx.commit().await?;
    Ok(Json(body).into_response())
}

/// `GET /staff/api/deadline-run/{id}/report.csv`: the changes the run applied.
#[utoipa::path(get, path = "/staff/api/deadline-run/{id}/report.csv", tag = "staff", security(("bearer" = [])),
    params(("id" = String, Path, description = "The run")),
    responses((status = 200, content_type = "text/csv", body = String), (status = "4XX", description = "Refused: the code says why", body = crate::openapi::ErrorBody)))]
pub(crate) async fn report(
    State(state): State<AppState>,
    _c: Staff<Admin>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let csv = state
        .db
        .text("SELECT report_csv FROM deadline_runs WHERE run_id = $1", &id)
        .await?
        .ok_or_else(|| ApiError::not_found("run"))?;
    let safe_id: String = id.chars().filter(char::is_ascii_alphanumeric).collect();
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"deadline-run-{safe_id}.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn formulas_are_neutralised_and_quotes_escaped() {
        assert_eq!(csv_field("-NOW()"), "'-NOW()");
        assert_eq!(csv_field("=1+1"), "'=1+1");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("王建国"), "王建国");
        assert_eq!(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
    }
}
