//! A scheduler and two executors on loopback (this crate's binary, as separate processes)
//! give the same lists and counts as the embedded engine on the same generated data.

use certify_batch::generate::{Spec, generate_csv};
use certify_batch::{CompareJob, Inputs, Limits, run_embedded};
use object_store::aws::AmazonS3Builder;
use object_store::{ObjectStoreExt, PutPayload};
use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Processes killed when the test ends, however it ends.
struct Processes(Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn wait_for(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not listen on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn spawn(args: &[&str], log: &Path) -> Child {
    let out = std::fs::File::create(log).expect("log file");
    Command::new(env!("CARGO_BIN_EXE_certify-cluster"))
        .args(args)
        .stdout(out.try_clone().expect("log"))
        .stderr(out)
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn certify-cluster")
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| {
                let p = e.path();
                if p.is_dir() { count_files(&p) } else { 1 }
            })
            .sum()
    })
}

fn lines(path: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_cluster_gives_the_embedded_engines_lists() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let run_date = time::macros::date!(2026 - 11 - 02);
    generate_csv(
        &Spec {
            people: 3000,
            events_per_person: 3.0,
            run_date,
            seed: 11,
        },
        d,
    )
    .expect("generate");

    let scheduler = free_port();
    let mut procs = Processes(vec![spawn(
        &["scheduler", "--bind", &format!("127.0.0.1:{scheduler}")],
        &d.join("scheduler.log"),
    )]);
    wait_for(scheduler, "the scheduler");
    for i in 0..2 {
        let (flight, grpc) = (free_port(), free_port());
        let work = d.join(format!("work{i}"));
        std::fs::create_dir_all(&work).expect("work dir");
        procs.0.push(spawn(
            &[
                "executor",
                "--scheduler",
                &format!("127.0.0.1:{scheduler}"),
                "--port",
                &flight.to_string(),
                "--grpc-port",
                &grpc.to_string(),
                "--concurrent-tasks",
                "2",
                "--work-dir",
                &work.display().to_string(),
            ],
            &d.join(format!("executor{i}.log")),
        ));
        wait_for(flight, "an executor");
    }

    let job = |out: &str| CompareJob {
        inputs: Inputs {
            roster: vec![d.join("roster.csv").display().to_string()],
            certifications: vec![d.join("certifications.csv").display().to_string()],
            events: vec![d.join("events.csv").display().to_string()],
        },
        config: certify_cli::run::load_config(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/regions/inner-mongolia.toml"),
        )
        .expect("config"),
        run_date,
        remind_days: 30,
        out_dir: d.join(out),
        limits: Limits {
            threads: 4,
            ..Limits::default()
        },
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let embedded_job = job("embedded");
    let embedded = rt.block_on(run_embedded(&embedded_job, None)).expect("embedded run");
    let cluster_job = job("cluster");
    let url = format!("df://127.0.0.1:{scheduler}");
    // Executors register with the scheduler shortly after they listen: retry briefly.
    let deadline = Instant::now() + Duration::from_secs(60);
    let clustered = loop {
        match rt.block_on(certify_cluster::run_on_cluster(&url, &cluster_job, None)) {
            Ok(s) => break s,
            Err(e) if Instant::now() < deadline => {
                eprintln!("cluster not ready: {e}");
                std::thread::sleep(Duration::from_secs(1));
            }
            Err(e) => {
                let log = std::fs::read_to_string(d.join("scheduler.log")).unwrap_or_default();
                panic!("cluster run failed: {e}\nscheduler log:\n{log}");
            }
        }
    };
    // The executors did the work: both wrote shuffle files.
    for i in 0..2 {
        let files = count_files(&d.join(format!("work{i}")));
        assert!(files > 0, "executor {i} wrote no shuffle files");
    }
    assert!(
        embedded.certified_by_events > 100 && embedded.run.suspended > 10,
        "{embedded:?}"
    );
    assert_eq!(
        serde_json::to_value(&embedded.tally).ok(),
        serde_json::to_value(&clustered.tally).ok()
    );
    for list in [
        "certifications.csv",
        "run.csv",
        "uncertified.csv",
        "due_soon.csv",
        "unknown_people.csv",
        "duplicate_people.csv",
        "units.csv",
        "invalid_rows.csv",
    ] {
        assert_eq!(
            lines(&embedded_job.out_dir.join(list)),
            lines(&cluster_job.out_dir.join(list)),
            "{list}"
        );
    }

    // The same job with its inputs in an S3-compatible store (`scripts/s3_test.sh` runs this
    // test with one): the client, the scheduler and the executors each reach the store.
    let Ok(endpoint) = std::env::var("CERTIFY_TEST_S3_ENDPOINT") else {
        eprintln!("CERTIFY_TEST_S3_ENDPOINT not set: the run over S3 skipped");
        return;
    };
    let store = AmazonS3Builder::from_env()
        .with_endpoint(&endpoint)
        .with_allow_http(true)
        .with_bucket_name("certify-test")
        .build()
        .expect("client");
    rt.block_on(async {
        for file in ["roster.csv", "certifications.csv", "events.csv"] {
            let bytes = std::fs::read(d.join(file)).expect("file");
            store
                .put(
                    &object_store::path::Path::from(format!("cluster/{file}")),
                    PutPayload::from(bytes),
                )
                .await
                .unwrap_or_else(|e| panic!("put {file}: {e}"));
        }
    });
    let mut s3_job = job("cluster-s3");
    let s3 = |f: &str| vec![format!("s3://certify-test/cluster/{f}")];
    s3_job.inputs = Inputs {
        roster: s3("roster.csv"),
        certifications: s3("certifications.csv"),
        events: s3("events.csv"),
    };
    let over_s3 = rt
        .block_on(certify_cluster::run_on_cluster(&url, &s3_job, None))
        .expect("cluster run over S3");
    assert_eq!(
        serde_json::to_value(&embedded.tally).ok(),
        serde_json::to_value(&over_s3.tally).ok()
    );
    for list in ["certifications.csv", "run.csv", "uncertified.csv", "units.csv"] {
        assert_eq!(
            lines(&embedded_job.out_dir.join(list)),
            lines(&s3_job.out_dir.join(list)),
            "{list} over S3"
        );
    }
}
