//! Staff endpoints (`/staff/*`): login, the manual review console, roster import, unit
//! declarations, the deadline run and its report, data-comparison feeds, the audit log.

use crate::error::{ApiError, domain};
use crate::pensioner::{discard_held, insert_record, known, roster_entry, save_case};
use crate::{AppState, Caller, audit, caller, idempotency_key, idempotent_replay, idempotent_store, open_session};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use certify::CertifyStatus;
use certify_core::certification::{LifeEvidence, certify_by_data_comparison};
use certify_core::deadline::{PayrollRow, RunDecision, RunSummary, decide};
use certify_core::enrollment::{EnrollmentCase, EnrollmentState, ManualDecision};
use certify_core::id::ResidentId;
use certify_core::money::Fen;
use certify_core::name::PersonName;
use certify_core::payment::{PaymentStatus, SuspensionReason, UnitDeclaration};
use certify_core::roster::{RosterEntry, Scheme};
use certify_core::time::{YearMonth, parse_date};
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::Row;

type ApiResult = Result<Response, ApiError>;

fn ok(body: Value) -> ApiResult {
    Ok(Json(body).into_response())
}

/// A staff caller with one of `roles` (`admin` may do everything).
async fn staff(state: &AppState, headers: &HeaderMap, roles: &[&str]) -> Result<Caller, ApiError> {
    let c = caller(state, headers).await?;
    let role = c.kind.strip_prefix("staff:").ok_or_else(ApiError::forbidden)?;
    if role == "admin" || roles.contains(&role) {
        Ok(c)
    } else {
        Err(ApiError::forbidden())
    }
}

#[derive(Deserialize)]
pub(crate) struct LoginRequest {
    staff_id: String,
    password: String,
}

/// `POST /staff/login` → `{token, role}` (8-hour session), separate from pensioners'.
pub(crate) async fn login(State(state): State<AppState>, Json(req): Json<LoginRequest>) -> ApiResult {
    let row = sqlx::query("SELECT role, password_hash FROM staff WHERE staff_id = $1")
        .bind(req.staff_id.clone())
        .fetch_optional(&state.db.pool)
        .await?;
    let wrong = || ApiError::status(CertifyStatus::LoginWrongCredentials, "wrong staff id or password");
    let row = row.ok_or_else(wrong)?;
    let (role, hash): (String, String) = (row.try_get(0)?, row.try_get(1)?);
    if !certify_core::account::password::verify_password(&req.password, &hash).map_err(domain)? {
        let mut tx = state.db.pool.begin().await?;
        audit(
            &mut tx,
            state.now(),
            &req.staff_id,
            "staff.login_failed",
            &req.staff_id,
            &json!({}),
        )
        .await?;
        tx.commit().await?;
        return Err(wrong());
    }
    let token = open_session(&state, &format!("staff:{role}"), &req.staff_id, 8).await?;
    ok(json!({"token": token, "role": role}))
}

/// `GET /staff/review`: the review console (a page that logs in and calls the API).
pub(crate) async fn review_page() -> Html<&'static str> {
    Html(include_str!("review.html"))
}

/// `GET /staff/api/review`: cases in manual review, oldest first, with the held images
/// (data URLs) and the time left of the week; cases past the week expire here.
pub(crate) async fn review_queue(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let c = staff(&state, &headers, &["reviewer"]).await?;
    let rows = sqlx::query("SELECT holder_id, modality, case_json FROM enrollments")
        .fetch_all(&state.db.pool)
        .await?;
    let now = state.now();
    let mut cases = Vec::new();
    for r in rows {
        let (holder, modality, text): (String, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        let mut case: EnrollmentCase = serde_json::from_str(&text)?;
        let case_before = case.clone();
        let events = case.advance(now);
        if !events.is_empty() {
            let mut tx = state.db.pool.begin().await?;
            save_case(&mut tx, &holder, &modality, &case_before, &case).await?;
            discard_held(&mut tx, &holder, &modality).await?;
            audit(
                &mut tx,
                now,
                &c.subject,
                "enrollment.expired",
                &holder,
                &json!({"events": events}),
            )
            .await?;
            tx.commit().await?;
            continue;
        }
        let EnrollmentState::ManualReview { since } = case.state else {
            continue;
        };
        let name = roster_entry(&state, &holder)
            .await?
            .map(|(e, _)| e.name.as_str().to_owned())
            .unwrap_or_default();
        let held =
            sqlx::query("SELECT name, data FROM held_uploads WHERE holder_id = $1 AND modality = $2 ORDER BY name")
                .bind(holder.clone())
                .bind(modality.clone())
                .fetch_all(&state.db.pool)
                .await?;
        let mut images = serde_json::Map::new();
        for h in held {
            let (n, data): (String, Vec<u8>) = (h.try_get(0)?, h.try_get(1)?);
            let mime = if data.starts_with(&[0x89, b'P']) {
                "image/png"
            } else {
                "image/jpeg"
            };
            images.insert(
                n,
                json!(format!(
                    "data:{mime};base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(&data)
                )),
            );
        }
        cases.push(json!({
            "holder_id": holder,
            "name": name,
            "modality": modality,
            "since": since,
            "expires_in_seconds": (since.unix_seconds() + certify_core::enrollment::MANUAL_REVIEW_SECONDS) - now.unix_seconds(),
            "images": images,
        }));
    }
    cases.sort_by_key(|c| c["since"].as_i64());
    ok(json!({"cases": cases}))
}

#[derive(Deserialize)]
pub(crate) struct DecideRequest {
    /// `approve` or `reject`.
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /staff/api/review/{holder}/{modality}`: approve (the template is taken from the
/// held selfie) or reject; the held images are deleted either way.
pub(crate) async fn review_decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((holder, modality)): Path<(String, String)>,
    Json(req): Json<DecideRequest>,
) -> ApiResult {
    let c = staff(&state, &headers, &["reviewer"]).await?;
    let text: String = sqlx::query("SELECT case_json FROM enrollments WHERE holder_id = $1 AND modality = $2")
        .bind(holder.clone())
        .bind(modality.clone())
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(|| ApiError::not_found("enrollment case"))?
        .try_get(0)?;
    let mut case: EnrollmentCase = serde_json::from_str(&text)?;
    let case_before = case.clone();
    let now = state.now();
    let mut template = None;
    let decision = match req.decision.as_str() {
        "approve" if modality != "face" => {
            // Recordings are not held: a voice case is re-recorded, not approved by hand.
            return Err(ApiError::status(
                CertifyStatus::InvalidArgument,
                "voice cases cannot be approved by hand; reject so the person records again",
            ));
        }
        "approve" => {
            let selfie: Vec<u8> =
                sqlx::query("SELECT data FROM held_uploads WHERE holder_id = $1 AND modality = $2 AND name = 'selfie'")
                    .bind(holder.clone())
                    .bind(modality.clone())
                    .fetch_optional(&state.db.pool)
                    .await?
                    .ok_or_else(|| ApiError::not_found("held selfie"))?
                    .try_get(0)?;
            let img = certify_face::image_io::decode(&selfie).map_err(domain)?;
            // Staff accepted the photos: the live (largest) face is embedded even when the
            // automatic quality gate refused it (too dark, blurred …).
            let analysis = state.face.analyze(&img).map_err(domain)?;
            let face = analysis.primary.ok_or_else(|| {
                ApiError::status(CertifyStatus::FaceQuality, "no face in the held selfie; reject instead")
            })?;
            let t = state.face.embed(&img, &face).map_err(domain)?;
            let r = state.random_hex(16);
            template = Some((r.clone(), t));
            ManualDecision::Approve { template_ref: r }
        }
        "reject" => ManualDecision::Reject {
            reason: if req.reason.is_empty() {
                "rejected by staff".into()
            } else {
                req.reason.clone()
            },
        },
        _ => {
            return Err(ApiError::status(
                CertifyStatus::InvalidArgument,
                "decision is approve or reject",
            ));
        }
    };
    let result = case.decide(decision, &c.subject, now);
    let mut tx = state.db.pool.begin().await?;
    let events = match result {
        Ok(e) => e,
        Err(e) => {
            // An expired case is closed too: save it and drop its images.
            save_case(&mut tx, &holder, &modality, &case_before, &case).await?;
            if !matches!(case.state, EnrollmentState::ManualReview { .. }) {
                discard_held(&mut tx, &holder, &modality).await?;
            }
            tx.commit().await?;
            return Err(domain(e));
        }
    };
    if let Some((r, t)) = template {
        sqlx::query("INSERT INTO templates (template_ref, modality, template_json) VALUES ($1, $2, $3)")
            .bind(r)
            .bind(modality.clone())
            .bind(serde_json::to_string(&t.embedding)?)
            .execute(&mut *tx)
            .await?;
    }
    save_case(&mut tx, &holder, &modality, &case_before, &case).await?;
    discard_held(&mut tx, &holder, &modality).await?;
    audit(
        &mut tx,
        now,
        &c.subject,
        &format!("enrollment.{}", req.decision),
        &holder,
        &json!({"events": events}),
    )
    .await?;
    tx.commit().await?;
    ok(json!({"state": case.state}))
}

#[derive(Deserialize)]
struct RosterRow {
    id_number: String,
    name: String,
    scheme: Scheme,
    unit: String,
    /// Yuan, two decimals.
    monthly_pension: String,
    pension_start: String,
}

fn fen_of(yuan: &str) -> Option<Fen> {
    let (whole, frac) = yuan.trim().split_once('.').unwrap_or((yuan.trim(), "0"));
    let frac = format!("{frac:0<2}");
    if frac.len() != 2 {
        return None;
    }
    Some(Fen(whole.parse::<i64>().ok()? * 100 + frac.parse::<i64>().ok()?))
}

/// Import roster rows (CSV `id_number,name,scheme,unit,monthly_pension,pension_start`);
/// existing people keep their payment status. Returns (imported, rejected rows with reasons).
pub(crate) async fn import_roster_csv(
    state: &AppState,
    actor: &str,
    csv_text: &str,
) -> Result<(usize, Vec<Value>), ApiError> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let mut rejected = Vec::new();
    let mut entries = Vec::new();
    for (i, row) in reader.deserialize::<RosterRow>().enumerate() {
        let line = i + 2;
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                rejected.push(json!({"line": line, "reason": e.to_string()}));
                continue;
            }
        };
        let id = match ResidentId::parse(&row.id_number) {
            Ok(id) => id,
            Err(e) => {
                rejected.push(json!({"line": line, "reason": e.to_string()}));
                continue;
            }
        };
        let name = match PersonName::new(&row.name) {
            Ok(n) => n,
            Err(e) => {
                rejected.push(json!({"line": line, "reason": e.to_string()}));
                continue;
            }
        };
        let (Some(monthly), Ok(start)) = (fen_of(&row.monthly_pension), row.pension_start.parse::<YearMonth>()) else {
            rejected.push(
                json!({"line": line, "reason": "monthly_pension is yuan (e.g. 3000.00), pension_start is YYYY-MM"}),
            );
            continue;
        };
        entries.push(RosterEntry {
            id,
            name,
            scheme: row.scheme,
            unit: row.unit,
            monthly_pension: monthly,
            pension_start: start,
        });
    }
    let mut tx = state.db.pool.begin().await?;
    for e in &entries {
        let id = e.id.to_string();
        let payment: Option<String> = sqlx::query("SELECT payment_json FROM roster WHERE id_number = $1")
            .bind(id.clone())
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        sqlx::query("DELETE FROM roster WHERE id_number = $1")
            .bind(id.clone())
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO roster (id_number, entry_json, payment_json) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(serde_json::to_string(e)?)
            .bind(payment.unwrap_or_else(|| r#"{"status":"active"}"#.to_owned()))
            .execute(&mut *tx)
            .await?;
    }
    audit(
        &mut tx,
        state.now(),
        actor,
        "roster.imported",
        "roster",
        &json!({"rows": entries.len(), "rejected": rejected.len()}),
    )
    .await?;
    tx.commit().await?;
    Ok((entries.len(), rejected))
}

/// `POST /staff/api/roster` (text/csv): roster and payroll import.
pub(crate) async fn roster_import(State(state): State<AppState>, headers: HeaderMap, body: String) -> ApiResult {
    let c = staff(&state, &headers, &[]).await?;
    let (imported, rejected) = import_roster_csv(&state, &c.subject, &body).await?;
    ok(json!({"imported": imported, "rejected": rejected}))
}

#[derive(Deserialize)]
pub(crate) struct DeclarationRequest {
    id_number: String,
    /// `death`, `discipline_review`, `supervision_investigation`, `criminal_detention`.
    reason: SuspensionReason,
    event_date: String,
    declared_on: String,
}

/// `POST /staff/api/declarations`: a unit declares a death, discipline review or
/// detention: payment is suspended from the month after the event; for a death the
/// overpayment (months already paid) is reported.
pub(crate) async fn declare(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<DeclarationRequest>,
) -> ApiResult {
    let c = staff(&state, &headers, &[]).await?;
    let bad_date = || ApiError::status(CertifyStatus::DateInvalid, "dates are YYYY-MM-DD");
    let declaration = UnitDeclaration {
        reason: req.reason,
        event_date: parse_date(&req.event_date).ok_or_else(bad_date)?,
        declared_on: parse_date(&req.declared_on).ok_or_else(bad_date)?,
    };
    let id = ResidentId::parse(&req.id_number).map_err(domain)?.to_string();
    let (entry, _) = roster_entry(&state, &id)
        .await?
        .ok_or_else(|| ApiError::status(CertifyStatus::RosterNotFound, "not on the roster"))?;
    let suspension = declaration.suspension().map_err(domain)?;
    // Paid through the month of the declaration.
    let paid: Vec<(YearMonth, Fen)> = suspension
        .from
        .until(YearMonth::of(declaration.declared_on).next())
        .map(|m| (m, entry.monthly_pension))
        .collect();
    let overpayment = declaration.overpayment(&paid).ok();
    let mut tx = state.db.pool.begin().await?;
    sqlx::query("UPDATE roster SET payment_json = $1 WHERE id_number = $2")
        .bind(serde_json::to_string(&PaymentStatus::Suspended(suspension))?)
        .bind(id.clone())
        .execute(&mut *tx)
        .await?;
    audit(
        &mut tx,
        state.now(),
        &c.subject,
        "payment.suspended_by_declaration",
        &id,
        &json!({"declaration": declaration}),
    )
    .await?;
    tx.commit().await?;
    ok(json!({"suspension": suspension, "overpayment": overpayment}))
}

#[derive(Deserialize)]
pub(crate) struct RunRequest {
    /// The run date (YYYY-MM-DD); today when absent.
    #[serde(default)]
    run_date: Option<String>,
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// `POST /staff/api/deadline-run` (`Idempotency-Key` recommended): every roster person's
/// decision on the run date — suspensions, resumptions with back pay — applied in one
/// transaction with the report; a retried run returns the same result, applied once.
pub(crate) async fn deadline_run(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<RunRequest>,
) -> ApiResult {
    let c = staff(&state, &headers, &[]).await?;
    let key = idempotency_key(&headers, &c.subject);
    if let Some(r) = idempotent_replay(&state, key.as_deref()).await? {
        return Ok(r);
    }
    let run_date = match &req.run_date {
        Some(d) => {
            parse_date(d).ok_or_else(|| ApiError::status(CertifyStatus::DateInvalid, "run_date is YYYY-MM-DD"))?
        }
        None => state.now().china_date(),
    };
    let policy = &state.config.region.cycle;
    // Two reads for the whole roster: the entries with their payment status, and every
    // certification record grouped by person.
    let rows = sqlx::query("SELECT id_number, entry_json, payment_json FROM roster ORDER BY id_number")
        .fetch_all(&state.db.pool)
        .await?;
    let mut records: std::collections::HashMap<String, Vec<certify_core::certification::CertificationRecord>> =
        std::collections::HashMap::new();
    for r in sqlx::query("SELECT person, record_json FROM certifications")
        .fetch_all(&state.db.pool)
        .await?
    {
        let person: String = r.try_get(0)?;
        records
            .entry(person)
            .or_default()
            .push(serde_json::from_str(&r.try_get::<String, _>(1)?)?);
    }
    let mut summary = RunSummary::default();
    let mut report = String::from("id_number,name,action,from,deadline,back_pay_months,back_pay_yuan\n");
    let mut changes = Vec::new();
    for r in rows {
        let id: String = r.try_get(0)?;
        let entry: RosterEntry = serde_json::from_str(&r.try_get::<String, _>(1)?)?;
        let payment: PaymentStatus = serde_json::from_str(&r.try_get::<String, _>(2)?)?;
        if entry.scheme != state.config.region.scheme {
            continue;
        }
        let last = records
            .get(&id)
            .and_then(|recs| certify_core::certification::last_certified(recs, &entry.id));
        let row = PayrollRow {
            id: entry.id,
            monthly_pension: entry.monthly_pension,
            pension_start: entry.pension_start,
            status: payment,
        };
        let decision = decide(policy, run_date, &row, last);
        summary.record(&row, &decision);
        let line = match &decision {
            RunDecision::Unchanged => continue,
            RunDecision::Suspend { from, deadline } => {
                changes.push((
                    id.clone(),
                    PaymentStatus::Suspended(certify_core::payment::Suspension {
                        reason: SuspensionReason::CertificationLapse,
                        from: *from,
                    }),
                ));
                format!(
                    "{id},{},suspend,{from},{},0,0.00\n",
                    csv_field(entry.name.as_str()),
                    certify_core::time::format_date(*deadline)
                )
            }
            RunDecision::Resume {
                resume_from,
                back_pay_months,
                back_pay,
                ..
            } => {
                changes.push((id.clone(), PaymentStatus::Active));
                format!(
                    "{id},{},resume,{resume_from},,{back_pay_months},{}.{:02}\n",
                    csv_field(entry.name.as_str()),
                    back_pay.0 / 100,
                    back_pay.0 % 100
                )
            }
        };
        report.push_str(&line);
    }
    let run_id = state.random_hex(8);
    let body = json!({"run_id": run_id, "run_date": certify_core::time::format_date(run_date), "summary": summary});
    let mut tx = state.db.pool.begin().await?;
    for (id, payment) in &changes {
        sqlx::query("UPDATE roster SET payment_json = $1 WHERE id_number = $2")
            .bind(serde_json::to_string(payment)?)
            .bind(id.clone())
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("INSERT INTO deadline_runs (run_id, run_date, summary_json, report_csv) VALUES ($1, $2, $3, $4)")
        .bind(run_id.clone())
        .bind(certify_core::time::format_date(run_date))
        .bind(serde_json::to_string(&summary)?)
        .bind(report)
        .execute(&mut *tx)
        .await?;
    audit(&mut tx, state.now(), &c.subject, "deadline.run", &run_id, &body).await?;
    idempotent_store(&mut tx, key.as_deref(), &body).await?;
    tx.commit().await?;
    ok(body)
}

/// `GET /staff/api/deadline-run/{id}/report.csv`: the suspension list and back-pay report.
pub(crate) async fn deadline_report(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    staff(&state, &headers, &[]).await?;
    let csv = state
        .db
        .text("SELECT report_csv FROM deadline_runs WHERE run_id = $1", &id)
        .await?
        .ok_or_else(|| ApiError::not_found("run"))?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"deadline-run-{id}.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
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
pub(crate) async fn evidence_feed(State(state): State<AppState>, headers: HeaderMap, body: String) -> ApiResult {
    let c = staff(&state, &headers, &[]).await?;
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
                let mut tx = state.db.pool.begin().await?;
                insert_record(&mut tx, &record).await?;
                audit(
                    &mut tx,
                    state.now(),
                    &c.subject,
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
    ok(json!({"certified": certified, "refused": refused}))
}

#[derive(Deserialize)]
pub(crate) struct AuditQuery {
    #[serde(default)]
    limit: Option<i64>,
}

/// `GET /staff/api/audit?limit=`: the newest audit entries.
pub(crate) async fn audit_log(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<AuditQuery>,
) -> ApiResult {
    staff(&state, &headers, &[]).await?;
    let rows =
        sqlx::query("SELECT id, at, actor, action, subject, detail_json FROM audit_log ORDER BY id DESC LIMIT $1")
            .bind(q.limit.unwrap_or(100).clamp(1, 1000))
            .fetch_all(&state.db.pool)
            .await?;
    let entries = rows
        .iter()
        .map(|r| {
            Ok(json!({
                "id": r.try_get::<i64, _>(0)?,
                "at": r.try_get::<i64, _>(1)?,
                "actor": r.try_get::<String, _>(2)?,
                "action": r.try_get::<String, _>(3)?,
                "subject": r.try_get::<String, _>(4)?,
                "detail": serde_json::from_str::<Value>(&r.try_get::<String, _>(5)?)?,
            }))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    ok(json!({"entries": entries}))
}
