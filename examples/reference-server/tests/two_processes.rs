//! Two server processes (the real binary, two ports) on one PostgreSQL: real name on one,
//! enrollment on the other, a whole liveness run alternating frame by frame between them on
//! their own clocks (frames as fast as the servers answer them), the decision on the first.
//!
//! Real time decides here (the servers' clocks), so the servers must analyse at least the
//! three frames a second liveness requires: a debug build on a loaded 2-core machine does
//! not (measured: 2.5 frames/s and a 1.26 s gap while another build ran). The test therefore
//! runs an optimised binary named by `CERTIFY_SERVER_BIN` on the PostgreSQL named by
//! `CERTIFY_TEST_POSTGRES_URL` (`scripts/test.sh` does both, with the `ci-server` profile:
//! opt-level 1, built faster than `release`), and is skipped without them:
//!
//! ```sh
//! cargo build --profile ci-server -p certify-server --bin certify-server
//! CERTIFY_SERVER_BIN=target/ci-server/certify-server CERTIFY_TEST_POSTGRES_URL=postgres://… \
//!     cargo test -p certify-server --test two_processes
//! ```
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod process;

use base64::Engine as _;
use process::*;
use serde_json::{Value, json};

const WANG: &str = "610526195503011236";

fn photo(name: &str) -> image::RgbImage {
    certify_face::image_io::decode(&std::fs::read(root().join(".deps/testdata/face").join(name)).unwrap()).unwrap()
}

fn jpeg(img: &image::RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92)
        .encode_image(img)
        .unwrap();
    out
}

fn b64(img: &image::RgbImage) -> String {
    base64::engine::general_purpose::STANDARD.encode(jpeg(img))
}

fn post(port: u16, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    let (st, b) = http(port, "POST", path, token, &[], &body.to_string(), "application/json");
    (st, json(&b))
}

#[test]
fn a_liveness_run_alternates_between_two_server_processes_on_postgres() {
    let (Ok(url), Ok(bin)) = (
        std::env::var("CERTIFY_TEST_POSTGRES_URL"),
        std::env::var("CERTIFY_SERVER_BIN"),
    ) else {
        eprintln!("CERTIFY_TEST_POSTGRES_URL and CERTIFY_SERVER_BIN (a release build) not set: skipped");
        return;
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&url).await.unwrap();
            sqlx::raw_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        });
    let dir = root().join("target/two-processes");
    let portraits = dir.join("portraits");
    std::fs::create_dir_all(&portraits).unwrap();
    std::fs::copy(
        root().join(".deps/testdata/face/obama3.jpg"),
        portraits.join(format!("{WANG}.jpg")),
    )
    .unwrap();
    let demo = std::fs::read_to_string(root().join("examples/reference-server/config/demo.toml")).unwrap();
    let ports = [free_port(), free_port()];
    let servers: Vec<Server> = ports
        .iter()
        .enumerate()
        .map(|(i, port)| {
            let text = demo
                .replace("listen = \"127.0.0.1:8080\"", &format!("listen = \"127.0.0.1:{port}\""))
                .replace("sqlite://target/certify-demo.db?mode=rwc", &url)
                + &format!(
                    "\n[liveness]\nactions = [\"shake_head\", \"nod\"]\n\n[identity]\nreference_portraits_dir = \"{}\"\n",
                    portraits.display()
                );
            let config = dir.join(format!("config-{i}.toml"));
            std::fs::write(&config, text).unwrap();
            start_binary(std::path::Path::new(&bin), &config, *port)
        })
        .collect();
    let [a, b] = ports;
    let (st, r) = post(a, "/api/login/card", None, &json!({"id_number": WANG, "pin": "123456"}));
    assert_eq!(st, 200, "{r}");
    let token = r["token"].as_str().unwrap().to_owned();
    let t = Some(token.as_str());
    let (st, r) = post(
        b,
        "/api/realname",
        t,
        &json!({"name": "王建国", "id_number": WANG, "selfie": b64(&photo("obama2.jpg"))}),
    );
    assert_eq!(st, 200, "{r}");
    let engine = certify_face::FaceEngine::load(certify_face::FaceEngineConfig::new(root().join("models"))).unwrap();
    let portrait = certify_face::testing::face_crop(&engine, &photo("obama3.jpg"))
        .unwrap()
        .unwrap();
    let card = certify_face::testing::card_front(&portrait);
    let selfie = certify_face::testing::selfie_with_card(&photo("obama2.jpg"), &card, 360);
    let (st, r) = post(
        a,
        "/api/enrollment/face",
        t,
        &json!({"card_front": b64(&card), "card_back": b64(&certify_face::testing::card_back()), "selfie": b64(&selfie)}),
    );
    assert_eq!((st, r["state"]["state"].as_str()), (200, Some("approved")), "{r}");
    // Frames are rendered and encoded before the run starts (rendering the 3-D head is slow
    // in a test build), for both orders of the two allowed head movements; a start that
    // draws anything else is started again.
    use certify_core::liveness::Action;
    let head = certify_face::testing::HeadModel::new(&engine, &photo("obama.jpg")).unwrap();
    let render = |actions: &[Action]| -> Vec<Vec<u8>> {
        head.perform(actions)
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, f)| jpeg(&certify_face::testing::with_sensor_noise(f, i as u32)))
            .collect()
    };
    let orders = [
        (
            vec![Action::ShakeHead, Action::Nod],
            render(&[Action::ShakeHead, Action::Nod]),
        ),
        (
            vec![Action::Nod, Action::ShakeHead],
            render(&[Action::Nod, Action::ShakeHead]),
        ),
    ];
    let (session, actions, frames) = (0..20)
        .find_map(|_| {
            let (st, r) = post(b, "/api/liveness/start", t, &json!({}));
            assert_eq!(st, 200, "{r}");
            let actions: Vec<Action> = r["actions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| serde_json::from_value(x["action"].clone()).unwrap())
                .collect();
            orders
                .iter()
                .find(|(o, _)| *o == actions)
                .map(|(_, f)| (r["session_id"].as_str().unwrap().to_owned(), actions, f))
        })
        .expect("a two-movement challenge within 20 starts");
    // Ten frames a second, alternating between the processes, on their own clocks.
    let mut last = Value::Null;
    let started = std::time::Instant::now();
    for (i, f) in frames.iter().enumerate() {
        if let Some(wait) = std::time::Duration::from_millis(100 * i as u64).checked_sub(started.elapsed()) {
            std::thread::sleep(wait);
        }
        let port = ports[i % 2];
        let (st, ev) = http_bytes(port, &format!("/api/liveness/{session}/frame"), &token, f, "image/jpeg");
        assert_eq!(st, 200, "frame {i} on port {port}: {ev}");
        last = json(&ev);
    }
    assert_eq!(last["event"], "passed", "{actions:?}: {last}");
    let (st, r) = post(a, &format!("/api/liveness/{session}/finish"), t, &json!({}));
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["record"]["method"], "app_face", "{r}");
    for s in servers {
        s.kill();
    }
}
