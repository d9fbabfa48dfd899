//! Load test on loopback (bounded): the server runs in this process on 127.0.0.1 with a
//! fresh SQLite file (or `--database URL`), clients connect over TCP with keep-alive, and
//! three phases report requests per second and p50/p99 latency:
//! password logins (argon2id), liveness frame uploads (a 640×480 JPEG through detection
//! and landmarks), and certifications by client-signed evidence (challenge + verification
//! + rules + record + audit).
//!
//! `cargo run --release -p certify-server --bin certify-server-load [-- --clients 4 --requests 200]`

use certify_core::account::password::{PasswordParams, hash_password};
use certify_core::biometric::{MatchDecision, Modality};
use certify_core::enrollment::{ApprovedBy, EnrollmentCase, EnrollmentState};
use certify_core::evidence::{Challenge, EvidenceClaims, EvidenceSigner};
use certify_core::id::ResidentId;
use certify_core::time::Timestamp;
use certify_server::{AppState, CapturingSmsSender, Config, Db, SystemClock};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A keep-alive HTTP/1.1 connection.
struct Conn(BufReader<TcpStream>);

impl Conn {
    fn open(port: u16) -> Result<Conn, BoxError> {
        let s = TcpStream::connect(("127.0.0.1", port))?;
        s.set_nodelay(true)?;
        Ok(Conn(BufReader::new(s)))
    }

    fn call(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        ct: &str,
        body: &[u8],
    ) -> Result<(u16, Vec<u8>), BoxError> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n",
            body.len()
        );
        if let Some(t) = token {
            head.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        head.push_str("\r\n");
        let s = self.0.get_mut();
        s.write_all(head.as_bytes())?;
        s.write_all(body)?;
        let mut line = String::new();
        self.0.read_line(&mut line)?;
        let status: u16 = line.get(9..12).ok_or("no status line")?.parse()?;
        let mut len = 0usize;
        loop {
            line.clear();
            self.0.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse()?;
                }
            }
        }
        let mut buf = vec![0u8; len];
        self.0.read_exact(&mut buf)?;
        Ok((status, buf))
    }
}

fn json(b: &[u8]) -> serde_json::Value {
    serde_json::from_slice(b).unwrap_or(serde_json::Value::Null)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Run `per_client` requests on each of `clients` threads; print rps, p50, p99.
fn phase<F>(name: &str, clients: usize, per_client: usize, port: u16, work: F) -> Result<(), BoxError>
where
    F: Fn(usize, usize, &mut Conn) -> Result<(), BoxError> + Send + Sync + 'static,
{
    let work = Arc::new(work);
    let start = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let work = Arc::clone(&work);
            std::thread::spawn(move || -> Result<Vec<f64>, BoxError> {
                let mut conn = Conn::open(port)?;
                let mut times = Vec::with_capacity(per_client);
                for i in 0..per_client {
                    let t = Instant::now();
                    work(c, i, &mut conn)?;
                    times.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                Ok(times)
            })
        })
        .collect();
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.join().map_err(|_| "client thread panicked")??);
    }
    let wall = start.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    println!(
        "{name:<34} {:>5} requests, {clients} clients: {:>7.1} req/s   p50 {:>7.1} ms   p99 {:>7.1} ms",
        all.len(),
        all.len() as f64 / wall,
        percentile(&all, 0.5),
        percentile(&all, 0.99)
    );
    Ok(())
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), BoxError> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let clients = arg("--clients", 4);
    let requests = arg("--requests", 200);
    let args: Vec<String> = std::env::args().collect();
    let db_path = root.join("target/server-load.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db_path.display()));
    }
    let url = args
        .iter()
        .position(|a| a == "--database")
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", db_path.display()));
    let mut config = Config::load(&root.join("examples/reference-server/config/demo.toml"))?;
    config.database_url = url.clone();
    config.engines.models_dir = root.join("models");
    let signer = Arc::new(EvidenceSigner::from_seed([5; 32]));
    config.keys.trusted_device_keys_hex = vec![signer.public_key().iter().map(|b| format!("{b:02x}")).collect()];
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let face = Arc::new(certify_face::FaceEngine::load(certify_face::FaceEngineConfig::new(
        root.join("models"),
    ))?);
    let frame = {
        let img = certify_face::image_io::decode(&std::fs::read(root.join(".deps/testdata/face/obama.jpg"))?)?;
        let w = img.width() * 480 / img.height();
        let scaled = image::imageops::resize(&img, w, 480, image::imageops::FilterType::Triangle);
        let mut f = image::RgbImage::from_pixel(640, 480, image::Rgb([90, 90, 90]));
        image::imageops::overlay(&mut f, &scaled, (640 - i64::from(w)) / 2, 0);
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&f)?;
        out
    };
    let template = face.template(&certify_face::image_io::decode(&std::fs::read(
        root.join(".deps/testdata/face/obama2.jpg"),
    )?)?)?;

    // Seed: the demo roster plus generated pensioners, each with an account (password
    // "pension2020"), real name verified, and an approved face enrollment.
    let clients = clients.max(1);
    let per_client = (requests / clients).max(1);
    let people = clients * per_client;
    // A natural-year cycle (Inner Mongolia's): everyone may certify once this year.
    config.region.cycle = certify_core::cycle::CyclePolicy::inner_mongolia();
    config.region.scheme = certify_core::roster::Scheme::PublicInstitution;
    let (port, ids) = runtime.block_on(async {
        let db = Db::connect(&url).await?;
        let state = AppState::new(
            db.clone(),
            config,
            (
                Arc::clone(&face),
                Arc::new(certify_voice::VoiceEngine::load(
                    certify_voice::VoiceEngineConfig::new(root.join("models")),
                )?),
            ),
            Arc::new(SystemClock),
            std::sync::Arc::new(certify_server::OsRngSource),
            Arc::new(CapturingSmsSender::default()),
        );
        certify_server::bootstrap(&state).await.map_err(|e| e.message)?;
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let mut csv = String::from("id_number,name,scheme,unit,monthly_pension,pension_start\n");
        let mut ids = Vec::new();
        for k in 0..people {
            let body = format!(
                "61052619{:02}{:02}{:02}{:03}",
                30 + k / 336,
                1 + k / 28 % 12,
                1 + k % 28,
                100 + k % 800
            );
            let sum: u32 = body.chars().zip(W).map(|(c, w)| c.to_digit(10).unwrap_or(0) * w).sum();
            let id = format!(
                "{body}{}",
                ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize]
            );
            csv.push_str(&format!("{id},王建国,public_institution,蒲城县,3000.00,2012-03\n"));
            ids.push(id);
        }
        let mut tx = db.pool.begin().await?;
        sqlx::query("INSERT INTO templates (template_ref, modality, template_json) VALUES ('load-t', 'face', $1)")
            .bind(serde_json::to_string(&template.embedding)?)
            .execute(&mut *tx)
            .await?;
        let hash = hash_password("pension2020", &PasswordParams::default(), &mut rand_core::OsRng)?;
        let now = Timestamp::from_unix_seconds(1_600_000_000);
        for (k, id) in ids.iter().enumerate() {
            let rid = ResidentId::parse(id)?;
            let account = certify_core::account::Account {
                holder_id: rid,
                holder_name: certify_core::name::PersonName::new("王建国")?,
                phone: Some(certify_core::account::MobileNumber::parse(&format!("139{:08}", k))?),
                phone_owner: certify_core::account::PhoneOwner::Holder,
                password_hash: Some(hash.clone()),
                failed_logins: 0,
                locked_until: None,
                created_at: now,
                real_name_verified_at: Some(now),
                failed_pins: 0,
                pin_locked_until: None,
            };
            sqlx::query("INSERT INTO accounts (holder_id, phone, account_json) VALUES ($1, $2, $3)")
                .bind(id.clone())
                .bind(format!("139{:08}", k))
                .bind(serde_json::to_string(&account)?)
                .execute(&mut *tx)
                .await?;
            let case = EnrollmentCase {
                modality: Modality::Face,
                state: EnrollmentState::Approved {
                    at: now,
                    by: ApprovedBy::Automatic,
                },
                template_ref: Some("load-t".into()),
            };
            sqlx::query("INSERT INTO enrollments (holder_id, modality, case_json) VALUES ($1, 'face', $2)")
                .bind(id.clone())
                .bind(serde_json::to_string(&case)?)
                .execute(&mut *tx)
                .await?;
        }
        // Sessions for every account (the login phase measures logins separately).
        let expires = SystemClock.now_unix() + 86_400;
        for (k, id) in ids.iter().enumerate() {
            sqlx::query("INSERT INTO sessions (token, kind, subject, expires_at) VALUES ($1, 'pensioner', $2, $3)")
                .bind(format!("load-token-{k}"))
                .bind(id.clone())
                .bind(expires)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        certify_server::import_roster(&state, "load-test", &csv)
            .await
            .map_err(|e| e.message)?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        tokio::spawn(async move {
            let _ = axum::serve(listener, certify_server::router(state)).await;
        });
        Ok::<_, BoxError>((port, ids))
    })?;
    let _guard = runtime.enter();
    println!(
        "certify-server load test: {} on 127.0.0.1:{port}, {clients} clients, {} cores",
        if url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let ids = Arc::new(ids);

    let logins = Arc::clone(&ids);
    phase(
        "login (argon2id password)",
        clients,
        per_client,
        port,
        move |c, i, conn| {
            let k = (c * per_client + i) % logins.len();
            let body = format!(r#"{{"phone":"139{:08}","password":"pension2020"}}"#, k);
            let (st, b) = conn.call("POST", "/api/login", None, "application/json", body.as_bytes())?;
            if st != 200 {
                return Err(format!("login {st}: {}", String::from_utf8_lossy(&b)).into());
            }
            Ok(())
        },
    )?;

    let frame = Arc::new(frame);
    phase(
        "liveness frame upload (640x480 JPEG)",
        clients,
        per_client,
        port,
        move |c, i, conn| {
            let token = format!("load-token-{}", c * per_client);
            let token = token.as_str();
            if i % 20 == 0 {
                let (_, b) = conn.call("POST", "/api/liveness/start", Some(token), "application/json", b"{}")?;
                let id = json(&b)["session_id"].as_str().unwrap_or_default().to_owned();
                SESSION.with(|s| *s.borrow_mut() = id);
            }
            let id = SESSION.with(|s| s.borrow().clone());
            let (st, b) = conn.call(
                "POST",
                &format!("/api/liveness/{id}/frame?elapsed_ms={}", 100 * (i % 20)),
                Some(token),
                "image/jpeg",
                &frame,
            )?;
            if st != 200 {
                return Err(format!("frame {st}: {}", String::from_utf8_lossy(&b)).into());
            }
            Ok(())
        },
    )?;

    // Certification by client-signed evidence: every request certifies a different person.
    let cert_ids = Arc::clone(&ids);
    phase(
        "certification (signed evidence)",
        clients,
        per_client,
        port,
        move |c, i, conn| {
            let k = c * per_client + i;
            let token = format!("load-token-{k}");
            let token = token.as_str();
            let (_, b) = conn.call(
                "POST",
                "/api/evidence/challenge",
                Some(token),
                "application/json",
                b"{}",
            )?;
            let v = json(&b);
            let ch: Challenge = serde_json::from_value(v["challenge"].clone())?;
            let operator = ResidentId::parse(&cert_ids[k])?;
            let now = Timestamp::from_unix_seconds(ch.issued_at.unix_seconds() + 1);
            let claims = EvidenceClaims::for_challenge(&ch, operator, true, MatchDecision::Match, 400, now, 120);
            let token_b64 = base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                signer.sign(&claims).as_bytes(),
            );
            let body = format!(
                r#"{{"challenge_id":"{}","token":"{token_b64}"}}"#,
                v["challenge_id"].as_str().unwrap_or_default()
            );
            let (st, b) = conn.call(
                "POST",
                "/api/evidence",
                Some(token),
                "application/json",
                body.as_bytes(),
            )?;
            if st != 200 {
                return Err(format!("evidence {st}: {}", String::from_utf8_lossy(&b)).into());
            }
            Ok(())
        },
    )?;
    Ok(())
}

thread_local! {
    static SESSION: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

trait NowUnix {
    fn now_unix(&self) -> i64;
}

impl NowUnix for SystemClock {
    fn now_unix(&self) -> i64 {
        certify_server::Clock::now(self).unix_seconds()
    }
}
