//! Crash test: the server process is killed (SIGKILL) during uploads and during the
//! deadline run over a 20,000-person roster, then restarted on the same SQLite file. What
//! was committed is still there, nothing is half-applied, and retrying with the same
//! idempotency key applies the request exactly once.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod process;

use process::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

/// `n` valid identity numbers of Pucheng county.
fn ids(n: usize) -> Vec<String> {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let start = time::Date::from_calendar_date(1940, time::Month::January, 1).unwrap();
    (0..n)
        .map(|k| {
            let d = start + time::Duration::days((k / 500) as i64);
            let body = format!(
                "610526{:04}{:02}{:02}{:03}",
                d.year(),
                u8::from(d.month()),
                d.day(),
                100 + k % 500
            );
            let sum: u32 = body.chars().zip(W).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
            format!(
                "{body}{}",
                ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize]
            )
        })
        .collect()
}

fn staff_token(port: u16) -> String {
    let (st, b) = http(
        port,
        "POST",
        "/staff/login",
        None,
        &[],
        r#"{"staff_id":"admin","password":"admin-demo-1"}"#,
        "application/json",
    );
    assert_eq!(st, 200, "{b}");
    json(&b)["token"].as_str().unwrap().to_owned()
}

fn count(port: u16, admin: &str, action: &str) -> usize {
    let (_, b) = http(
        port,
        "GET",
        "/staff/api/audit?limit=1000",
        Some(admin),
        &[],
        "",
        "application/json",
    );
    json(&b)["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action)
        .count()
}

#[test]
fn killed_during_uploads_and_the_deadline_run_nothing_is_lost_or_applied_twice() {
    let dir = root().join("target/crash-test");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let demo = std::fs::read_to_string(root().join("examples/reference-server/config/demo.toml")).unwrap();
    let config_text = demo
        .replace("listen = \"127.0.0.1:8080\"", &format!("listen = \"127.0.0.1:{port}\""))
        .replace(
            "sqlite://target/certify-demo.db?mode=rwc",
            &format!("sqlite://{}/crash.db?mode=rwc", dir.display()),
        )
        .replace("seed_demo_roster = true", "seed_demo_roster = false");
    let config = dir.join("config.toml");
    std::fs::write(&config, config_text).unwrap();

    // A 20,000-person roster, committed before any crash.
    let server = start(&config, port);
    let admin = staff_token(port);
    let people = ids(20_000);
    let mut csv = String::from("id_number,name,scheme,unit,monthly_pension,pension_start\n");
    for id in &people {
        csv.push_str(&format!("{id},王建国,public_institution,蒲城县,2000.00,2010-01\n"));
    }
    let (st, b) = http(port, "POST", "/staff/api/roster", Some(&admin), &[], &csv, "text/csv");
    assert_eq!(st, 200, "{b}");
    assert_eq!(json(&b)["imported"], 20_000);

    // Killed during an upload (sent, not answered): after the restart the retry with the
    // same key counts the upload once.
    let (st, b) = http(
        port,
        "POST",
        "/api/login/card",
        None,
        &[],
        &format!(r#"{{"id_number":"{}","pin":"123456"}}"#, people[0]),
        "application/json",
    );
    assert_eq!(st, 200, "{b}");
    let token = json(&b)["token"].as_str().unwrap().to_owned();
    // Enrollment needs real name first; this test is about crashes, so the account is
    // marked verified in the database directly.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&format!("sqlite://{}/crash.db", dir.display()))
                .await
                .unwrap();
            sqlx::query(
                "UPDATE accounts SET account_json = REPLACE(account_json, '\"real_name_verified_at\":null', '\"real_name_verified_at\":1591322400')",
            )
            .execute(&pool)
            .await
            .unwrap();
            pool.close().await;
        });
    let grey = {
        let img = image::RgbImage::from_pixel(640, 480, image::Rgb([40, 40, 40]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut out)
            .encode_image(&img)
            .unwrap();
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, out)
    };
    let upload = format!(r#"{{"card_front":"{grey}","card_back":"{grey}","selfie":"{grey}"}}"#);
    let sender = {
        let (upload, token) = (upload.clone(), token.clone());
        std::thread::spawn(move || {
            http(
                port,
                "POST",
                "/api/enrollment/face",
                Some(&token),
                &[("Idempotency-Key", "upload-1")],
                &upload,
                "application/json",
            )
        })
    };
    std::thread::sleep(Duration::from_millis(150));
    server.kill();
    let _ = sender.join();

    let server = start(&config, port);
    let admin = staff_token(port);
    let (st, b) = http(
        port,
        "POST",
        "/api/enrollment/face",
        Some(&token),
        &[("Idempotency-Key", "upload-1")],
        &upload,
        "application/json",
    );
    assert_eq!(st, 200, "{b}");
    let (_, again) = http(
        port,
        "POST",
        "/api/enrollment/face",
        Some(&token),
        &[("Idempotency-Key", "upload-1")],
        &upload,
        "application/json",
    );
    assert_eq!(json(&again), json(&b), "a retried upload returns the stored answer");
    assert_eq!(
        json(&b)["state"],
        serde_json::json!({"state": "collecting", "failures": 1}),
        "{b}"
    );
    assert_eq!(
        count(port, &admin, "enrollment.face_submitted"),
        1,
        "the upload is applied once"
    );

    // Killed during the deadline run: nothing or everything is applied; the retry with the
    // same key completes it once.
    let (st, b) = http(
        port,
        "POST",
        "/staff/api/deadline-run/preview",
        Some(&admin),
        &[],
        r#"{"run_date":"2020-08-01"}"#,
        "application/json",
    );
    assert_eq!(st, 200, "{b}");
    let preview = json(&b);
    assert_eq!(preview["summary"]["suspended"], 20_000, "{preview}");
    let run = format!(r#"{{"preview_id":"{}"}}"#, preview["preview_id"].as_str().unwrap());
    let sender = std::thread::spawn({
        let admin = admin.clone();
        let run = run.clone();
        move || {
            http(
                port,
                "POST",
                "/staff/api/deadline-run",
                Some(&admin),
                &[("Idempotency-Key", "run-1")],
                &run,
                "application/json",
            )
        }
    });
    std::thread::sleep(Duration::from_millis(300));
    server.kill();
    let _ = sender.join();

    let server = start(&config, port);
    let admin = staff_token(port);
    let before = count(port, &admin, "deadline.run");
    assert!(before <= 1, "a run is applied at most once");
    let t = Instant::now();
    let (st, b) = http(
        port,
        "POST",
        "/staff/api/deadline-run",
        Some(&admin),
        &[("Idempotency-Key", "run-1")],
        &run,
        "application/json",
    );
    assert_eq!(st, 200, "{b}");
    let first = json(&b);
    eprintln!(
        "crash test: {} the run when killed; the retried run took {:.1} s",
        if before == 0 {
            "before committing"
        } else {
            "after committing"
        },
        t.elapsed().as_secs_f64()
    );
    assert_eq!(first["summary"]["suspended"], 20_000, "{first}");
    assert_eq!(first["applied"], 20_000, "{first}");
    let (_, b) = http(
        port,
        "POST",
        "/staff/api/deadline-run",
        Some(&admin),
        &[("Idempotency-Key", "run-1")],
        &run,
        "application/json",
    );
    assert_eq!(json(&b)["run_id"], first["run_id"]);
    assert_eq!(count(port, &admin, "deadline.run"), 1, "one run, applied once");
    // The roster survived every crash.
    let (st, b) = http(
        port,
        "POST",
        "/api/login/card",
        None,
        &[],
        &format!(r#"{{"id_number":"{}","pin":"123456"}}"#, people[19_999]),
        "application/json",
    );
    assert_eq!(st, 200, "{b}");
    server.kill();
}

#[test]
fn sigterm_lets_the_request_in_flight_finish_then_stops() {
    let dir = root().join("target/sigterm-test");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let demo = std::fs::read_to_string(root().join("examples/reference-server/config/demo.toml")).unwrap();
    let config_text = demo
        .replace("listen = \"127.0.0.1:8080\"", &format!("listen = \"127.0.0.1:{port}\""))
        .replace(
            "sqlite://target/certify-demo.db?mode=rwc",
            &format!("sqlite://{}/term.db?mode=rwc", dir.display()),
        );
    let config = dir.join("config.toml");
    std::fs::write(&config, config_text).unwrap();
    let mut server = start(&config, port);
    let admin = staff_token(port);
    // A roster import of 20,000 rows, and SIGTERM while it is in flight: the request asks
    // `Expect: 100-continue`, so the server's "100 Continue" proves it has accepted the
    // connection and the handler is reading the body before the signal is sent (a fixed
    // sleep did not: on a loaded machine the signal could arrive before the accept, and
    // the connection was closed unanswered).
    let mut csv = String::from("id_number,name,scheme,unit,monthly_pension,pension_start\n");
    for id in ids(20_000) {
        csv.push_str(&format!("{id},王建国,public_institution,蒲城县,2000.00,2010-01\n"));
    }
    let mut conn = TcpStream::connect(("127.0.0.1", port)).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(300))).unwrap();
    let head = format!(
        "POST /staff/api/roster HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
         Content-Type: text/csv\r\nContent-Length: {}\r\nAuthorization: Bearer {admin}\r\n\
         Expect: 100-continue\r\n\r\n",
        csv.len()
    );
    conn.write_all(head.as_bytes()).unwrap();
    let mut interim = Vec::new();
    let mut byte = [0u8; 1];
    while !interim.ends_with(b"\r\n\r\n") {
        assert_eq!(conn.read(&mut byte).unwrap(), 1, "closed before 100 Continue");
        interim.push(byte[0]);
    }
    let interim = String::from_utf8_lossy(&interim);
    assert!(interim.starts_with("HTTP/1.1 100"), "{interim}");
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    conn.write_all(csv.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = conn.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out);
    let st: u16 = text.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let b = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    assert_eq!(st, 200, "the request in flight is answered: {text}");
    assert_eq!(json(b)["imported"], 20_000);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the server did not stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "a clean exit after SIGTERM: {status:?}");
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "no longer listening");
}
