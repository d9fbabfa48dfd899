//! Defects of the server's operations, each a test that failed before the reshape: a death
//! declared during a deadline run, roster columns and amounts, future run dates, spreadsheet
//! formulas and bidi spoofing in the report, compare-and-swap on re-serialised JSON, the JSON
//! error contract for malformed bodies, one captcha spent by parallel requests, and the
//! security headers. SQLite (a fresh file per test).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{Value, json};

async fn import(s: &Server, admin: &str, csv: &str) -> Value {
    let (st, r) = s
        .raw(
            Method::POST,
            "/staff/api/roster",
            Some(admin),
            &[],
            Some((csv.as_bytes().to_vec(), "text/csv")),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    r
}

async fn payment_of(s: &Server, id: &str) -> Value {
    let text =
        s.db.text("SELECT payment_json FROM roster WHERE id_number = $1", id)
            .await
            .unwrap()
            .unwrap();
    serde_json::from_str(&text).unwrap()
}

const WANG: &str = "610526195503011236";
const ZHAO: &str = "610526195207152042";

#[tokio::test]
async fn a_death_declared_between_preview_and_confirm_is_not_overwritten() {
    let s = fresh("ops-race").await;
    s.clock.advance(60 * DAY); // 2020-08-04: the demo roster is overdue
    let admin = s.staff_token("admin").await;
    let (st, preview) = s
        .call(
            Method::POST,
            "/staff/api/deadline-run/preview",
            Some(&admin),
            Some(json!({"run_date": "2020-08-01"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{preview}");
    assert_eq!(preview["summary"]["suspended"], 3, "{preview}");
    // Zhao's unit declares her death while the run waits for confirmation.
    let (st, r) = s
        .call(
            Method::POST,
            "/staff/api/declarations",
            Some(&admin),
            Some(
                json!({"id_number": ZHAO, "reason": "death", "event_date": "2020-07-20", "declared_on": "2020-08-03"}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let (st, run) = s
        .call(
            Method::POST,
            "/staff/api/deadline-run",
            Some(&admin),
            Some(json!({"preview_id": preview["preview_id"]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{run}");
    assert_eq!(run["applied"], 2, "{run}");
    assert_eq!(run["skipped"], json!([ZHAO]), "{run}");
    assert_eq!(
        payment_of(&s, ZHAO).await["reason"],
        "death",
        "the death declaration stands"
    );
    assert_eq!(payment_of(&s, WANG).await["reason"], "certification_lapse");
    // A preview applies once.
    let (st, again) = s
        .call(
            Method::POST,
            "/staff/api/deadline-run",
            Some(&admin),
            Some(json!({"preview_id": preview["preview_id"]})),
        )
        .await;
    assert_eq!(
        (st, again["code"].as_u64()),
        (StatusCode::NOT_FOUND, Some(912)),
        "{again}"
    );
}

#[tokio::test]
async fn a_run_dated_after_today_is_refused() {
    let s = fresh("ops-future").await;
    let admin = s.staff_token("admin").await;
    for date in ["9999-12-31", "2020-06-06"] {
        let (st, r) = s
            .call(
                Method::POST,
                "/staff/api/deadline-run/preview",
                Some(&admin),
                Some(json!({"run_date": date})),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{date}: {r}");
    }
    for (_, status) in [(WANG, "active")] {
        assert_eq!(payment_of(&s, WANG).await["status"], status, "nothing changed");
    }
}

#[tokio::test]
async fn roster_import_keeps_suspensions_and_refuses_bad_amounts() {
    let s = fresh("ops-roster").await;
    let admin = s.staff_token("admin").await;
    let dead = "610526194605123453";
    let csv = format!(
        "id_number,name,scheme,unit,monthly_pension,pension_start,status,suspended_from,suspension_reason\n\
         {dead},陈桂兰,public_institution,蒲城县,2000.00,2010-01,suspended,2020-03,death\n\
         610526194801023310,刘德明,public_institution,蒲城县,-3000.00,2008-01,,,\n\
         610526194801023310,刘德明,public_institution,蒲城县,-0.50,2008-01,,,\n\
         610526194801023310,刘德明,public_institution,蒲城县,3000.-5,2008-01,,,\n\
         610526194801023310,刘德明,public_institution,蒲城县,92233720368547759.00,2008-01,,,\n\
         {WANG},王建国,public_institution,蒲城县教育局,3000.00,2012-03,active,,\n"
    );
    let r = import(&s, &admin, &csv).await;
    assert_eq!(r["imported"], 2, "{r}");
    let lines: Vec<u64> = r["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4, 5, 6], "{r}");
    assert!(
        r["rejected"][0]["reason"].as_str().unwrap().contains("monthly_pension"),
        "{r}"
    );
    assert_eq!(
        payment_of(&s, dead).await,
        json!({"status": "suspended", "reason": "death", "from": "2020-03"})
    );
    // The deadline run does not turn the death into a lapse (which a proxy could lift).
    s.clock.advance(60 * DAY);
    let admin = s.staff_token("admin").await;
    let (_, run) = s.deadline_run(&admin, "2020-08-01", "run-1").await;
    assert!(run["applied"].as_u64().unwrap() >= 1, "{run}");
    assert_eq!(payment_of(&s, dead).await["reason"], "death");
}

#[tokio::test]
async fn the_report_neutralises_formulas_and_bidi_spoofing() {
    let s = fresh("ops-report").await;
    let admin = s.staff_token("admin").await;
    let csv = format!(
        "id_number,name,scheme,unit,monthly_pension,pension_start\n\
         {WANG},-NOW(),public_institution,蒲城县,3000.00,2012-03\n\
         {ZHAO},赵\u{202E}英秀,public_institution,蒲城县,2800.00,2012-03\n"
    );
    let r = import(&s, &admin, &csv).await;
    assert_eq!(r["imported"], 2, "{r}");
    s.clock.advance(60 * DAY);
    let admin = s.staff_token("admin").await;
    let (_, run) = s.deadline_run(&admin, "2020-08-01", "run-1").await;
    let (st, report) = s
        .call(
            Method::GET,
            &format!("/staff/api/deadline-run/{}/report.csv", run["run_id"].as_str().unwrap()),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let report = report.as_str().unwrap();
    assert!(report.contains(&format!("{WANG},'-NOW(),suspend")), "{report}");
    assert!(report.contains(&format!("{ZHAO},赵英秀,suspend")), "{report}");
    assert!(!report.contains('\u{202E}'), "{report}");
    // The stored name is untouched.
    let entry =
        s.db.text("SELECT entry_json FROM roster WHERE id_number = $1", ZHAO)
            .await
            .unwrap()
            .unwrap();
    assert!(entry.contains('\u{202E}') || entry.contains("\\u202e") || entry.contains("\\u202E"));
}

#[tokio::test]
async fn stored_state_in_another_serialisation_still_updates() {
    // Compare-and-swap is on a version, not on re-serialised JSON: a row whose JSON text
    // differs from what this build would write (key order, whitespace, a field an older or
    // newer build adds) still updates.
    let s = fresh("ops-cas").await;
    s.card_login(WANG).await;
    let text =
        s.db.text("SELECT account_json FROM accounts WHERE holder_id = $1", WANG)
            .await
            .unwrap()
            .unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["field_a_later_version_adds"] = json!(true);
    sqlx::query("UPDATE accounts SET account_json = $1 WHERE holder_id = $2")
        .bind(serde_json::to_string_pretty(&v).unwrap())
        .bind(WANG)
        .execute(&s.db.pool)
        .await
        .unwrap();
    s.card_login(WANG).await;
}

#[tokio::test]
async fn malformed_bodies_get_the_json_error_contract() {
    let s = fresh("ops-malformed").await;
    for (body, ct) in [
        ("{\"phone\": ", "application/json"),
        ("{\"phone\": 5}", "application/json"),
        ("phone=1", "text/plain"),
    ] {
        let (st, r) = s
            .raw(
                Method::POST,
                "/api/login",
                None,
                &[],
                Some((body.as_bytes().to_vec(), ct)),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{body}: {r}");
        assert_eq!(r["code"], 911, "{body}: {r}");
        assert!(r["message_zh"].as_str().unwrap().contains("格式"), "{r}");
    }
}

#[tokio::test]
async fn json_errors_carry_the_status_tables_texts_and_http_class() {
    // The one table (bindings/bridge) gives the server, C, Java and Python the same codes,
    // Chinese texts and HTTP classes: a server-only code, a core refusal and a wrong
    // captcha each answer with the table's row.
    use certify_bridge::CertifyStatus;
    let s = fresh("ops-table").await;
    let (id, _) = s.captcha().await;
    let wrong_captcha = json!({"phone": "13800138000", "captcha_id": id, "captcha_answer": "xxxx"});
    let stranger = json!({"phone": "13800138009", "password": "abc12345"});
    for (method, path, body, expected) in [
        (Method::GET, "/api/history", None, CertifyStatus::Unauthorized),
        (
            Method::POST,
            "/api/sms/register",
            Some(wrong_captcha),
            CertifyStatus::CaptchaFailed,
        ),
        (
            Method::POST,
            "/api/login",
            Some(stranger),
            CertifyStatus::LoginWrongCredentials,
        ),
    ] {
        let (st, r) = s.call(method, path, None, body).await;
        assert_eq!(r["code"], expected as u32, "{path}: {r}");
        assert_eq!(st.as_u16(), expected.http().status(), "{path}: {r}");
        assert_eq!(r["message_zh"], expected.chinese(), "{path}: {r}");
    }
}

#[tokio::test]
async fn one_captcha_answers_one_request_under_concurrency() {
    let s = fresh("ops-captcha").await;
    let (id, answer) = s.captcha().await;
    let phones = ["13800138001", "13800138002", "13800138003", "13800138004"];
    let calls = phones.map(|p| {
        s.call(
            Method::POST,
            "/api/sms/register",
            None,
            Some(json!({"phone": p, "captcha_id": id, "captcha_answer": answer})),
        )
    });
    let results = join4(calls).await;
    let sent = results.iter().filter(|(st, _)| *st == StatusCode::OK).count();
    assert_eq!(sent, 1, "{results:?}");
    let sms_sent = phones.iter().filter(|p| s.sms.last(p).is_some()).count();
    assert_eq!(sms_sent, 1);
}

#[tokio::test]
async fn answers_are_not_cached_sniffed_or_framed_and_carry_a_request_id() {
    let s = fresh("ops-headers").await;
    for path in ["/staff/review", "/health", "/api/history"] {
        let req = axum::http::Request::builder()
            .uri(path)
            .body(axum::body::Body::empty())
            .unwrap();
        let resp = tower::ServiceExt::oneshot(s.app.clone(), req).await.unwrap();
        let h = resp.headers();
        assert_eq!(h["cache-control"], "no-store", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert_eq!(h["x-request-id"].len(), 36, "{path}");
    }
}

// Before: the review queue read every enrollment of the province and answered every case
// with its images inline (20 cases: 3.69 MB); now a page at a time from an index, images
// by link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_queue_pages_a_thousand_cases_with_images_by_link() {
    let s = fresh("ops-review-queue").await;
    let t0 = s.state.now().unix_seconds();
    let mut tx = s.db.pool.begin().await.unwrap();
    for i in 0..1000i64 {
        let holder = format!("11010519491231{:04}", i);
        queue_for_review(&mut tx, &holder, t0 - 3600 + i).await;
        for name in ["card_back", "card_front", "selfie"] {
            sqlx::query("INSERT INTO held_uploads (holder_id, modality, name, data) VALUES ($1, 'face', $2, $3)")
                .bind(holder.clone())
                .bind(name)
                .bind(vec![0xffu8; 40_000])
                .execute(&mut *tx)
                .await
                .unwrap();
        }
    }
    // And one real person of the roster, to search by name.
    let wang = "610526195503011236";
    queue_for_review(&mut tx, wang, t0).await;
    tx.commit().await.unwrap();
    let reviewer = s.staff_token("reviewer1").await;
    let started = std::time::Instant::now();
    let (st, page) = s
        .call(
            Method::GET,
            "/staff/api/review?limit=20&offset=40",
            Some(&reviewer),
            None,
        )
        .await;
    println!(
        "review queue page of 20 of 1,001: {:?} (debug build)",
        started.elapsed()
    );
    assert_eq!(st, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 1001);
    let cases = page["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 20);
    assert_eq!(cases[0]["holder_id"], "110105194912310040", "oldest first: {page}");
    let size = page.to_string().len();
    println!("page: {size} bytes");
    assert!(size <= 500 * 1024, "{size} bytes");
    let link = cases[0]["images"]["selfie"].as_str().unwrap().to_owned();
    let (st, _) = s.raw(Method::GET, &link, Some(&reviewer), &[], None).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = s.raw(Method::GET, &link, None, &[], None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "images need a staff token");
    // Search: by name (roster), by number prefix; a LIKE wildcard is literal.
    let (_, found) = s
        .call(
            Method::GET,
            "/staff/api/review?q=%E7%8E%8B%E5%BB%BA%E5%9B%BD",
            Some(&reviewer),
            None,
        )
        .await;
    assert_eq!(
        (found["total"].as_i64(), &found["cases"][0]["holder_id"]),
        (Some(1), &json!(wang)),
        "{found}"
    );
    // Wang has an authoritative portrait: it is shown beside his uploads (the others have none).
    let reference = found["cases"][0]["images"]["reference"].as_str().unwrap().to_owned();
    let (st, _) = s.raw(Method::GET, &reference, Some(&reviewer), &[], None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(cases[0]["images"].get("reference").is_none(), "{page}");
    let (_, found) = s
        .call(
            Method::GET,
            "/staff/api/review?q=11010519491231004",
            Some(&reviewer),
            None,
        )
        .await;
    assert_eq!(found["total"], 10, "{found}");
    let (_, found) = s
        .call(Method::GET, "/staff/api/review?q=%25", Some(&reviewer), None)
        .await;
    assert_eq!(found["total"], 0, "{found}");
}

/// A valid identity number of Pucheng for the `i`-th generated person.
fn generated_id(i: u32) -> String {
    let first = format!(
        "610526{}{:02}{:02}{:03}",
        1940 + i % 20,
        1 + i % 12,
        1 + i % 28,
        i / 240
    );
    let bytes: [u8; 17] = first.as_bytes().try_into().unwrap();
    format!("{first}{}", certify_core::id::check_character(&bytes))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_of_thousands_certifies_each_person_once_from_their_newest_event() {
    let s = fresh("ops-feed").await;
    let admin = s.staff_token("admin").await;
    let people = 1_200u32;
    let mut roster = String::from("id_number,name,scheme,unit,monthly_pension,pension_start\n");
    for i in 0..people {
        roster.push_str(&format!(
            "{},王{},public_institution,蒲城县教育局,2500.00,2012-03\n",
            generated_id(i),
            ["建国", "秀英", "志强", "玉兰"][i as usize % 4]
        ));
    }
    assert_eq!(import(&s, &admin, &roster).await["imported"], people);
    // Two events per person (the newer one must be the one recorded), one in the future,
    // an unreadable row and a person not on the roster.
    let mut feed = String::from("id_number,date,kind,source,reference\n");
    for i in 0..people {
        feed.push_str(&format!("{},2020-05-02,travel,12306,T-{i}\n", generated_id(i)));
        feed.push_str(&format!(
            "{},2020-06-01,hospital_stay,蒲城县医院,H-{i}\n",
            generated_id(i)
        ));
    }
    let future_line = 2 + 2 * people as u64;
    feed.push_str(&format!("{},2020-07-01,travel,12306,T-future\n", generated_id(0)));
    feed.push_str("61052619550301123,2020-06-01,travel,12306,T-bad\n");
    feed.push_str(&format!(
        "{},2020-06-01,travel,12306,T-stranger\n",
        generated_id(people + 5)
    ));
    let post = |body: String| s.evidence_feed(&admin, body);
    let started = std::time::Instant::now();
    let (st, r) = post(feed.clone()).await;
    let seconds = started.elapsed().as_secs_f64();
    // A measurement for the record, not an assertion.
    eprintln!(
        "feed import: {} rows in {seconds:.2} s = {:.0} rows/s",
        2 * people + 3,
        f64::from(2 * people + 3) / seconds
    );
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["certified"].as_array().unwrap().len(), people as usize);
    assert_eq!(r["superseded"], people, "{}", r["superseded"]);
    let refused = r["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 3, "{refused:?}");
    assert_eq!(refused[0]["line"], future_line, "{refused:?}");
    assert_eq!(refused[1]["code"], 102, "{refused:?}");
    assert_eq!(refused[2]["code"], 230, "{refused:?}");
    // One record per person, from the newer (hospital) event.
    let count = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM certifications WHERE record_json LIKE $1")
        .bind("%data_comparison%")
        .fetch_one(&s.db.pool)
        .await
        .unwrap();
    assert_eq!(count, i64::from(people));
    let hospital = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM certifications WHERE record_json LIKE $1")
        .bind("%\"H-%")
        .fetch_one(&s.db.pool)
        .await
        .unwrap();
    assert_eq!(hospital, i64::from(people));
    // The same feed again certifies nobody: each is already certified this year.
    let (_, again) = post(feed).await;
    assert_eq!(again["certified"].as_array().unwrap().len(), 0);
    assert_eq!(again["refused"].as_array().unwrap().len(), people as usize + 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_picks_the_same_newest_event_as_the_batch_and_refuses_long_or_control_texts() {
    let s = fresh("ops-feed-texts").await;
    let admin = s.staff_token("admin").await;
    let mut roster = String::from("id_number,name,scheme,unit,monthly_pension,pension_start\n");
    for (i, name) in ["李建国", "李秀英", "李志强"].into_iter().enumerate() {
        roster.push_str(&format!(
            "{},{name},public_institution,蒲城县教育局,2500.00,2012-03\n",
            generated_id(i as u32)
        ));
    }
    assert_eq!(import(&s, &admin, &roster).await["imported"], 3);
    // Person 0: two events on one day. certify-batch keeps the greatest (source, reference,
    // kind): the hospital's, whose source sorts after "12306".
    // Person 1: only a reference of 200 characters. Person 2: a line break in the source.
    let long = "R".repeat(200);
    let feed = format!(
        "id_number,date,kind,source,reference\n\
         {p0},2020-06-01,travel,12306,T-0\n\
         {p0},2020-06-01,hospital_stay,蒲城县医院,H-0\n\
         {p1},2020-06-01,travel,12306,{long}\n\
         {p2},2020-06-01,travel,\"123\n06\",T-2\n",
        p0 = generated_id(0),
        p1 = generated_id(1),
        p2 = generated_id(2),
    );
    let (st, r) = s.evidence_feed(&admin, feed).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["certified"], json!([generated_id(0)]), "{r}");
    let refused = r["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert_eq!(refused[0]["line"], 4, "{refused:?}");
    assert_eq!(refused[0]["code"], 102, "{refused:?}");
    let reason = refused[0].to_string();
    assert!(reason.contains("reference: 200 characters"), "{reason}");
    assert!(!reason.contains(&long), "the long value is not copied back: {reason}");
    assert_eq!(refused[1]["code"], 102, "{refused:?}");
    assert!(refused[1].to_string().contains("U+000A"), "{refused:?}");
    let records: Vec<String> = sqlx::query_scalar("SELECT record_json FROM certifications")
        .fetch_all(&s.db.pool)
        .await
        .unwrap();
    assert_eq!(records.len(), 1, "{records:?}");
    assert!(
        records[0].contains("H-0") && records[0].contains("蒲城县医院"),
        "{records:?}"
    );
}
