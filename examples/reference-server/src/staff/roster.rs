//! Roster and payroll import, and units' declarations (deaths, discipline reviews,
//! detentions). Rows are parsed by the core's payroll parser (the same as the CLI's), so
//! every column is kept and amounts are checked once, the same way everywhere.

use crate::AppState;
use crate::audit::audit;
use crate::error::ApiError;
use crate::extract::{Admin, ApiJson, Staff};
use crate::people::roster_entry;
use crate::store::{self, Versioned};
use axum::Json;
use axum::extract::State;
use certify_bridge::CertifyStatus;
use certify_core::id::ResidentId;
use certify_core::money::Fen;
use certify_core::payment::{PaymentStatus, SuspensionReason, UnitDeclaration};
use certify_core::payroll::{PayrollFields, parse_roster_row};
use certify_core::roster::RosterEntry;
use certify_core::time::{YearMonth, parse_date};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

/// What an import did.
#[derive(Serialize, ToSchema)]
pub(crate) struct Imported {
    /// Rows stored.
    imported: usize,
    /// Rows refused: `{line, code, reason, reason_zh}` each.
    #[schema(value_type = Vec<Object>)]
    rejected: Vec<Value>,
}

/// A declaration's effect.
#[derive(Serialize, ToSchema)]
pub(crate) struct Declared {
    /// The suspension now in force.
    #[schema(value_type = Object)]
    suspension: certify_core::payment::Suspension,
    /// For a death: the months paid without entitlement.
    #[schema(value_type = Option<Object>)]
    overpayment: Option<certify_core::payment::Overpayment>,
}

/// The payment status to store for an imported row. New people take the row's status. For
/// people already here the server's status stands unless the row suspends them: a
/// suspension from the payroll (a death, a detention) is never dropped, and a stale file
/// saying "active" never lifts a suspension — lifting follows the certification rules.
fn imported_status(existing: Option<&PaymentStatus>, row: PaymentStatus) -> PaymentStatus {
    match (existing, row) {
        (_, s @ PaymentStatus::Suspended(_)) | (None, s) => s,
        (Some(current), PaymentStatus::Active) => *current,
    }
}

/// Import roster rows (CSV with a header: `id_number,name,scheme,unit,monthly_pension,
/// pension_start` and optionally `status,suspended_from,suspension_reason`) as `actor`:
/// (imported, rejected rows with line and reason). One transaction.
pub(crate) async fn import_roster_csv(
    state: &AppState,
    actor: &str,
    csv_text: &str,
) -> Result<(usize, Vec<Value>), ApiError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ApiError::status(CertifyStatus::InvalidArgument, format!("roster header: {e}")))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(id_col), Some(monthly_col), Some(start_col)) =
        (col("id_number"), col("monthly_pension"), col("pension_start"))
    else {
        return Err(ApiError::status(
            CertifyStatus::InvalidArgument,
            "the roster needs the columns id_number, name, scheme, unit, monthly_pension, pension_start",
        ));
    };
    let optional = [
        col("name"),
        col("scheme"),
        col("unit"),
        col("status"),
        col("suspended_from"),
        col("suspension_reason"),
    ];
    let mut rejected = Vec::new();
    let mut rows: Vec<(RosterEntry, PaymentStatus)> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                rejected.push(
                    json!({"line": line, "reason": e.to_string(), "reason_zh": "该行格式有误（列数与表头不符）"}),
                );
                continue;
            }
        };
        let get = |c: Option<usize>| c.and_then(|c| record.get(c));
        let fields = PayrollFields {
            id_number: record.get(id_col).unwrap_or(""),
            name: get(optional[0]),
            scheme: get(optional[1]),
            unit: get(optional[2]),
            monthly_pension: record.get(monthly_col).unwrap_or(""),
            pension_start: record.get(start_col).unwrap_or(""),
            status: get(optional[3]),
            suspended_from: get(optional[4]),
            suspension_reason: get(optional[5]),
        };
        match parse_roster_row(&fields) {
            Ok(row) => rows.push(row),
            Err(e) => rejected
                .push(json!({"line": line, "code": e.code(), "reason": e.to_string(), "reason_zh": row_error_zh(&e)})),
        }
    }
    let mut tx = state.db.begin_write().await?;
    for (entry, row_status) in &rows {
        let id = entry.id.to_string();
        let existing: Option<Versioned<PaymentStatus>> = store::load(&mut *tx, store::PAYMENT, &[&id]).await?;
        let status = imported_status(existing.as_ref().map(|e| &e.value), *row_status);
        match existing {
            Some(e) => {
                let done = sqlx::query(
                    "UPDATE roster SET entry_json = $1, payment_json = $2, version = version + 1 WHERE id_number = $3 AND version = $4",
                )
                .bind(serde_json::to_string(entry)?)
                .bind(serde_json::to_string(&status)?)
                .bind(id)
                .bind(e.version.unwrap_or(0))
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Err(ApiError::conflict());
                }
            }
            None => {
                sqlx::query("INSERT INTO roster (id_number, entry_json, payment_json, version) VALUES ($1, $2, $3, 0)")
                    .bind(id)
                    .bind(serde_json::to_string(entry)?)
                    .bind(serde_json::to_string(&status)?)
                    .execute(&mut *tx)
                    .await?;
            }
        }
    }
    audit(
        &mut tx,
        state.now(),
        actor,
        "roster.imported",
        "roster",
        &json!({"rows": rows.len(), "rejected": rejected.len()}),
    )
    .await?;
    tx.commit().await?;
    Ok((rows.len(), rejected))
}

/// What is wrong with a roster row, in Chinese for the clerk.
fn row_error_zh(e: &certify_core::payroll::PayrollRowError) -> &'static str {
    match e.code() {
        "payroll_id" => "身份证号码有误",
        "payroll_name" => "姓名缺失或有误",
        "payroll_scheme" => "险种应为 enterprise、public_institution 或 urban_rural_resident",
        "payroll_amount" => "月养老金应为正数金额（元，至多两位小数），如 3000.00",
        "payroll_month" => "月份应为 YYYY-MM",
        "payroll_status" => "状态应为 active 或 suspended",
        _ => "暂停原因代码有误",
    }
}

/// `POST /staff/api/roster` (text/csv): roster and payroll import.
#[utoipa::path(post, path = "/staff/api/roster", tag = "staff", security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv", description = "Roster CSV with a header row"),
    responses((status = 200, body = Imported), (status = "4XX", description = "Refused: the code says why", body = crate::openapi::ErrorBody)))]
pub(crate) async fn roster_import(
    State(state): State<AppState>,
    c: Staff<Admin>,
    body: String,
) -> Result<Json<Imported>, ApiError> {
    let (imported, rejected) = import_roster_csv(&state, &c.id, &body).await?;
    Ok(Json(Imported { imported, rejected }))
}

/// `POST /staff/api/declarations` body.
#[derive(Deserialize, ToSchema)]
pub(crate) struct DeclarationRequest {
    id_number: String,
    /// `death`, `discipline_review`, `supervision_investigation`, `criminal_detention`.
    #[schema(value_type = String)]
    reason: SuspensionReason,
    event_date: String,
    declared_on: String,
}

/// `POST /staff/api/declarations`: a unit declares a death, discipline review or
/// detention: payment is suspended from the month after the event (compare-and-swap, so a
/// deadline run confirmed meanwhile cannot overwrite it); for a death the overpayment
/// (months already paid) is reported.
#[utoipa::path(post, path = "/staff/api/declarations", tag = "staff", request_body = DeclarationRequest, security(("bearer" = [])),
    responses((status = 200, body = Declared), (status = "4XX", description = "Refused: the code says why", body = crate::openapi::ErrorBody)))]
pub(crate) async fn declare(
    State(state): State<AppState>,
    c: Staff<Admin>,
    ApiJson(req): ApiJson<DeclarationRequest>,
) -> Result<Json<Declared>, ApiError> {
    let bad_date = || ApiError::status(CertifyStatus::DateInvalid, "dates are YYYY-MM-DD");
    let declaration = UnitDeclaration {
        reason: req.reason,
        event_date: parse_date(&req.event_date).ok_or_else(bad_date)?,
        declared_on: parse_date(&req.declared_on).ok_or_else(bad_date)?,
    };
    let id = ResidentId::parse(&req.id_number)?.to_string();
    let mut tx = state.db.begin_write().await?;
    let declared = apply_declaration(&state, &mut tx, &c.id, &id, &declaration).await?;
    tx.commit().await?;
    Ok(Json(declared))
}

/// Suspend `id`'s payment for `declaration` inside the caller's transaction (a unit's
/// declaration, or a death found on a home visit), audited as `actor`'s.
pub(crate) async fn apply_declaration(
    state: &AppState,
    tx: &mut sqlx::AnyConnection,
    actor: &str,
    id: &str,
    declaration: &UnitDeclaration,
) -> Result<Declared, ApiError> {
    let (entry, _) = roster_entry(state, id)
        .await?
        .ok_or_else(|| ApiError::status(CertifyStatus::RosterNotFound, "not on the roster"))?;
    let suspension = declaration.suspension()?;
    // Paid through the month of the declaration.
    let paid: Vec<(YearMonth, Fen)> = suspension
        .from
        .until(YearMonth::of(declaration.declared_on).next())
        .map(|m| (m, entry.monthly_pension))
        .collect();
    let overpayment = declaration.overpayment(&paid).ok();
    let mut payment: Versioned<PaymentStatus> = store::load(&mut *tx, store::PAYMENT, &[id])
        .await?
        .ok_or_else(|| ApiError::status(CertifyStatus::RosterNotFound, "not on the roster"))?;
    payment.value = PaymentStatus::Suspended(suspension);
    store::save(tx, store::PAYMENT, &[id], &payment, &[]).await?;
    audit(
        tx,
        state.now(),
        actor,
        "payment.suspended_by_declaration",
        id,
        &json!({"declaration": declaration}),
    )
    .await?;
    Ok(Declared {
        suspension,
        overpayment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use certify_core::payment::Suspension;

    #[test]
    fn a_payroll_suspension_is_kept_and_a_stale_active_lifts_nothing() {
        let death = PaymentStatus::Suspended(Suspension {
            reason: SuspensionReason::Death,
            from: YearMonth::new(2020, 8).unwrap(),
        });
        assert_eq!(imported_status(None, death), death);
        assert_eq!(imported_status(Some(&PaymentStatus::Active), death), death);
        assert_eq!(imported_status(Some(&death), PaymentStatus::Active), death);
        assert_eq!(imported_status(None, PaymentStatus::Active), PaymentStatus::Active);
    }
}
