//! Inputs on an S3-compatible store give the same lists as the same files read locally.
//!
//! Needs a store: `CERTIFY_TEST_S3_ENDPOINT` (e.g. `http://127.0.0.1:9000`) with the usual
//! `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`; `scripts/test.sh` starts one (moto's S3
//! server from PyPI, on loopback) and runs this test against it. Without it the test says
//! so and does nothing.

use certify_batch::generate::{Spec, generate_csv, to_parquet};
use certify_batch::{BatchError, CompareJob, Inputs, Limits, run_embedded};
use object_store::aws::AmazonS3Builder;
use object_store::{ObjectStoreExt, PutPayload};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn job(inputs: Inputs, out: &Path) -> CompareJob {
    let config = certify_cli::run::load_config(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/regions/inner-mongolia.toml"),
    )
    .expect("region config");
    CompareJob {
        inputs,
        config,
        run_date: time::macros::date!(2026 - 11 - 02),
        remind_days: 30,
        out_dir: out.to_path_buf(),
        limits: Limits {
            threads: 2,
            ..Limits::default()
        },
    }
}

/// Every list of a run as a set of lines (line order follows the engine's partitions), with
/// file names reduced to their last part (the invalid-row list names each file as it was
/// given: a path or a URL).
fn lists(out: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut all = BTreeMap::new();
    for entry in std::fs::read_dir(out).expect("out") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        if name == "summary.json" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("list");
        let lines = text
            .lines()
            .map(|l| {
                l.split(',')
                    .map(|f| f.rsplit('/').next().unwrap_or(f))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect();
        all.insert(name, lines);
    }
    all
}

#[test]
fn inputs_on_an_s3_compatible_store_give_the_same_lists_as_local_files() {
    let Ok(endpoint) = std::env::var("CERTIFY_TEST_S3_ENDPOINT") else {
        eprintln!("CERTIFY_TEST_S3_ENDPOINT not set: skipped (scripts/test.sh starts a store)");
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = Spec {
        people: 3_000,
        events_per_person: 3.0,
        run_date: time::macros::date!(2026 - 11 - 02),
        seed: 7,
    };
    generate_csv(&spec, tmp.path()).expect("generate");
    // Two unreadable rows, so the invalid-row listing reads the feed from the store too.
    let mut feed = std::fs::OpenOptions::new()
        .append(true)
        .open(tmp.path().join("events.csv"))
        .expect("events");
    std::io::Write::write_all(
        &mut feed,
        b"12345,2026-03-01,travel,rail,bad-number\n610526195503011236,2026-02-30,travel,rail,bad-date\n",
    )
    .expect("append");
    drop(feed);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let events_parquet = rt
        .block_on(to_parquet(&tmp.path().join("events.csv")))
        .expect("parquet");
    // The test's own client puts the files in a new bucket; the job finds the store from
    // the environment (AWS_ENDPOINT …), as a province's would.
    let bucket = "certify-test";
    let store = AmazonS3Builder::from_env()
        .with_endpoint(&endpoint)
        .with_allow_http(true)
        .with_bucket_name(bucket)
        .build()
        .expect("client");
    rt.block_on(async {
        for file in ["roster.csv", "certifications.csv", "events.parquet"] {
            let bytes = std::fs::read(tmp.path().join(file)).expect("file");
            store
                .put(
                    &object_store::path::Path::from(format!("feeds/{file}")),
                    PutPayload::from(bytes),
                )
                .await
                .unwrap_or_else(|e| panic!("put {file}: {e}"));
        }
    });
    let local = job(
        Inputs {
            roster: vec![tmp.path().join("roster.csv").display().to_string()],
            certifications: vec![tmp.path().join("certifications.csv").display().to_string()],
            events: vec![events_parquet.display().to_string()],
        },
        &tmp.path().join("local"),
    );
    let url = |f: &str| format!("s3://{bucket}/feeds/{f}");
    let on_store = |events: &str| Inputs {
        roster: vec![url("roster.csv")],
        certifications: vec![url("certifications.csv")],
        events: vec![url(events)],
    };
    let remote = job(on_store("events.parquet"), &tmp.path().join("remote"));
    let a = rt.block_on(run_embedded(&local, None)).expect("local run");
    let b = rt.block_on(run_embedded(&remote, None)).expect("run over S3");
    let counts = |s: &certify_batch::Summary| {
        (
            s.certified_by_events,
            s.uncertified,
            s.events_read,
            s.events_invalid_date,
            s.invalid_rows_listed,
        )
    };
    assert!(
        a.certified_by_events > 0 && a.events_invalid_id == 1 && a.events_invalid_date == 1,
        "{a:?}"
    );
    assert_eq!(counts(&a), counts(&b));
    let (want, got) = (lists(&local.out_dir), lists(&remote.out_dir));
    assert_eq!(want.keys().collect::<Vec<_>>(), got.keys().collect::<Vec<_>>());
    for (name, lines) in &want {
        let differ = lines.symmetric_difference(&got[name]).take(3).collect::<Vec<_>>();
        assert!(
            differ.is_empty(),
            "{name}: {} vs {} lines, e.g. {differ:?}",
            lines.len(),
            got[name].len()
        );
    }
    assert_eq!(want["invalid_rows.csv"].len(), 3, "{:?}", want["invalid_rows.csv"]);

    // A file the store does not have is an error naming it, not an empty table.
    let missing = job(on_store("no-such-feed.parquet"), &tmp.path().join("missing"));
    let err = rt.block_on(run_embedded(&missing, None)).expect_err("missing file");
    assert!(matches!(err, BatchError::Engine(_)), "{err}");
    assert!(err.to_string().contains("no-such-feed"), "{err}");
}

/// A key pasted into a URL is refused before anything is read or written, and the refusal
/// does not repeat it (errors reach logs; the invalid-row list names every input).
#[test]
fn an_input_url_with_a_password_is_refused_without_repeating_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let secret_url = "s3://AKIAEXAMPLE:wJalrXUtnFEMI@feeds/events.parquet";
    let with_secret = job(
        Inputs {
            roster: vec![tmp.path().join("roster.csv").display().to_string()],
            certifications: vec![tmp.path().join("certifications.csv").display().to_string()],
            events: vec![secret_url.to_owned()],
        },
        &out,
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let err = rt.block_on(run_embedded(&with_secret, None)).expect_err("refused");
    assert!(matches!(err, BatchError::UnsupportedInput(_)), "{err}");
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("wJalrXUtnFEMI") && !shown.contains("AKIAEXAMPLE"),
        "{shown}"
    );
    assert!(
        !out.join("invalid_rows.csv").exists(),
        "nothing is written for a refused input"
    );
}
