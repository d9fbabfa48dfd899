//! The batch engine's lists equal the core's per-person decisions, computed here the plain
//! way (every row read with the `csv` crate, one person at a time); `run.csv` equals
//! `certify cycle run`; unreadable rows are listed with their lines; a run far over its
//! memory limit spills and gives the same lists.

use certify_batch::generate::{Spec, generate_csv};
use certify_batch::{BatchError, CompareJob, Inputs, Joins, Limits, Summary, run_embedded};
use certify_cli::run::{RegionConfig, load_config};
use certify_core::comparison::{Standing, decide_person};
use certify_core::deadline::RunDecision;
use certify_core::id::ResidentId;
use certify_core::payroll::{PayrollFields, parse_payroll_row, parse_scheme};
use certify_core::time::{format_date, parse_date};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use time::Date;

type Rows = Vec<HashMap<String, String>>;

fn read(path: &Path) -> Rows {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().expect("header").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

fn config(name: &str) -> RegionConfig {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/regions")
        .join(name);
    load_config(&path).expect("region config")
}

fn job(dir: &Path, config: RegionConfig, run_date: Date, out: &str) -> CompareJob {
    let file = |n: &str| dir.join(n).display().to_string();
    CompareJob {
        inputs: Inputs {
            roster: vec![file("roster.csv")],
            certifications: vec![file("certifications.csv")],
            events: vec![file("events.csv")],
        },
        config,
        run_date,
        remind_days: 30,
        out_dir: dir.join(out),
        limits: Limits {
            threads: 2,
            ..Limits::default()
        },
    }
}

/// What the lists should say, decided person by person without the engine.
#[derive(Debug, Default, PartialEq)]
struct Lists {
    certifications: BTreeSet<String>,
    run: BTreeSet<String>,
    uncertified: BTreeSet<String>,
    due_soon: BTreeSet<String>,
}

fn run_key(r: &HashMap<String, String>) -> String {
    [
        "id_number",
        "action",
        "from",
        "deadline",
        "resume_from",
        "back_pay_months",
        "back_pay_yuan",
        "back_pay_review_months",
        "back_pay_review_yuan",
        "certified_on",
    ]
    .iter()
    .map(|k| r.get(*k).map_or("", String::as_str))
    .collect::<Vec<_>>()
    .join("|")
}

fn expected(dir: &Path, cfg: &RegionConfig, run_date: Date, remind_days: i64) -> Lists {
    let key = |t: &str| ResidentId::parse(t).ok().map(|id| id.to_u64());
    let mut last: HashMap<u64, Date> = HashMap::new();
    for r in read(&dir.join("certifications.csv")) {
        let passed = matches!(r.get("outcome").map(|s| s.trim()), None | Some("") | Some("passed"));
        if let (Some(k), Some(d), true) = (key(&r["id_number"]), parse_date(r["date"].trim()), passed) {
            if d <= run_date {
                let e = last.entry(k).or_insert(d);
                *e = (*e).max(d);
            }
        }
    }
    // Newest event per person, ties to the greatest source, reference, kind (as the engine).
    let mut newest: HashMap<u64, (Date, String, String, String)> = HashMap::new();
    for r in read(&dir.join("events.csv")) {
        if let (Some(k), Some(d)) = (key(&r["id_number"]), parse_date(r["date"].trim())) {
            if d > run_date {
                continue;
            }
            let cand = (d, r["source"].clone(), r["reference"].clone(), r["kind"].clone());
            let better = |old: &(Date, String, String, String)| {
                cand.0 > old.0 || (cand.0 == old.0 && (&cand.1, &cand.2, &cand.3) > (&old.1, &old.2, &old.3))
            };
            match newest.get(&k) {
                Some(old) if !better(old) => {}
                _ => {
                    newest.insert(k, cand);
                }
            }
        }
    }
    let mut lists = Lists::default();
    for r in read(&dir.join("roster.csv")) {
        let f = |k: &str| r.get(k).map(|s| s.trim()).filter(|_| true);
        let scheme = f("scheme").unwrap_or("");
        if !scheme.is_empty() && parse_scheme(scheme).ok() != Some(cfg.scheme) {
            continue;
        }
        let fields = PayrollFields {
            id_number: f("id_number").unwrap_or(""),
            name: f("name"),
            scheme: f("scheme"),
            unit: f("unit"),
            monthly_pension: f("monthly_pension").unwrap_or(""),
            pension_start: f("pension_start").unwrap_or(""),
            status: f("status"),
            suspended_from: f("suspended_from"),
            suspension_reason: f("suspension_reason"),
        };
        let Ok(row) = parse_payroll_row(&fields) else { continue };
        let k = row.id.to_u64();
        let event = newest.get(&k);
        let o = decide_person(
            &cfg.cycle,
            &cfg.run,
            run_date,
            &row,
            last.get(&k).copied(),
            event.map(|e| e.0),
        );
        let id = row.id.to_string();
        if let (Some(d), Some(e)) = (o.certified_by_event, event) {
            lists
                .certifications
                .insert(format!("{id}|{}|{}|{}|{}", format_date(d), e.1, e.2, e.3));
        }
        if o.run != RunDecision::Unchanged {
            let line = certify_batch::output::RunLine::new(None, &id, fields.name.unwrap_or(""), &o.run);
            let mut w = csv::Writer::from_writer(Vec::new());
            w.serialize(&line).expect("serialize");
            let text = String::from_utf8(w.into_inner().expect("flush")).expect("utf8");
            let mut rd = csv::Reader::from_reader(text.as_bytes());
            let headers = rd.headers().expect("h").clone();
            let rec = rd.records().next().expect("one").expect("rec");
            let map = headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect();
            lists.run.insert(run_key(&map));
        }
        if o.standing.uncertified() {
            lists.uncertified.insert(format!("{id}|{}", o.standing.code()));
        }
        if o.standing.due_within(run_date, remind_days).is_some() {
            assert!(matches!(o.standing, Standing::Due { .. }));
            lists.due_soon.insert(id.clone());
        }
    }
    lists
}

fn produced(out: &Path) -> Lists {
    Lists {
        certifications: read(&out.join("certifications.csv"))
            .iter()
            .map(|r| {
                assert_eq!(r["method"], "data_comparison");
                format!(
                    "{}|{}|{}|{}|{}",
                    r["id_number"], r["date"], r["source"], r["reference"], r["kind"]
                )
            })
            .collect(),
        run: read(&out.join("run.csv")).iter().map(run_key).collect(),
        uncertified: read(&out.join("uncertified.csv"))
            .iter()
            .map(|r| format!("{}|{}", r["id_number"], r["standing"]))
            .collect(),
        due_soon: read(&out.join("due_soon.csv"))
            .iter()
            .map(|r| r["id_number"].clone())
            .collect(),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn generated(dir: &Path, people: u64, events: f64, run_date: Date, seed: u64) {
    generate_csv(
        &Spec {
            people,
            events_per_person: events,
            run_date,
            seed,
        },
        dir,
    )
    .expect("generate");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]
        #[test]
        fn the_lists_are_the_cores_decisions(
            seed in 0u64..1_000_000,
            people in 1u64..400,
            events in 0.0f64..4.0,
            policy in 0usize..3,
            day in 0i64..365,
        ) {
            let tmp = tempfile::tempdir().expect("tmp");
            let run_date = time::macros::date!(2026 - 01 - 01) + time::Duration::days(day);
            generated(tmp.path(), people, events, run_date, seed);
            let cfg = config(["inner-mongolia.toml", "rolling-12-months.toml", "pucheng.toml"][policy]);
            let want = expected(tmp.path(), &cfg, run_date, 30);
            let job = job(tmp.path(), cfg, run_date, "out");
            let summary = runtime().block_on(run_embedded(&job, None)).expect("run");
            let got = produced(&job.out_dir);
            prop_assert_eq!(&got, &want);
            prop_assert_eq!(summary.certified_by_events, want.certifications.len() as u64);
            prop_assert_eq!(summary.uncertified, want.uncertified.len() as u64);
        }
    }
}

#[test]
fn the_run_list_equals_the_streaming_deadline_run_given_the_new_certifications() {
    let tmp = tempfile::tempdir().expect("tmp");
    let run_date = time::macros::date!(2026 - 11 - 02);
    generated(tmp.path(), 3000, 3.0, run_date, 7);
    let job = job(tmp.path(), config("inner-mongolia.toml"), run_date, "out");
    let summary = runtime().block_on(run_embedded(&job, None)).expect("run");
    assert!(summary.certified_by_events > 100, "{summary:?}");
    assert!(summary.run.suspended > 10 && summary.run.resumed > 10, "{summary:?}");

    // The streaming run over the old certifications plus the batch's new ones.
    let merged = tmp.path().join("merged.csv");
    let mut text = std::fs::read_to_string(tmp.path().join("certifications.csv")).expect("certs");
    for r in read(&job.out_dir.join("certifications.csv")) {
        text.push_str(&format!("{},{},data_comparison,passed\n", r["id_number"], r["date"]));
    }
    std::fs::write(&merged, text).expect("write");
    let streamed = tmp.path().join("streamed.csv");
    certify_cli::run::run(&certify_cli::run::RunArgs {
        config: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/regions/inner-mongolia.toml"),
        roster: tmp.path().join("roster.csv"),
        certifications: merged,
        date: format_date(run_date),
        output: streamed.clone(),
        format: certify_cli::Format::Csv,
        all: false,
        summary: None,
        threads: None,
    })
    .expect("cycle run");
    let stream: BTreeSet<String> = read(&streamed)
        .iter()
        .filter(|r| r["action"] != "invalid_row")
        .map(run_key)
        .collect();
    let batch: BTreeSet<String> = read(&job.out_dir.join("run.csv")).iter().map(run_key).collect();
    assert_eq!(batch.len() as u64, summary.run.suspended + summary.run.resumed);
    assert_eq!(stream, batch);
}

/// Write the three input files into `d` and run the comparison on 2026-06-01 (Inner Mongolia).
fn run_small(d: &Path, roster: &str, certifications: &str, events: &str) -> (CompareJob, Summary) {
    for (name, text) in [
        ("roster.csv", roster),
        ("certifications.csv", certifications),
        ("events.csv", events),
    ] {
        std::fs::write(d.join(name), text).expect(name);
    }
    let job = job(
        d,
        config("inner-mongolia.toml"),
        time::macros::date!(2026 - 06 - 01),
        "out",
    );
    let summary = runtime().block_on(run_embedded(&job, None)).expect("run");
    (job, summary)
}

#[test]
fn unreadable_rows_are_listed_with_file_and_line_and_counted() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (job, s) = run_small(
        tmp.path(),
        "id_number,name,scheme,unit,monthly_pension,pension_start,status\n\
         610526195503011236,王建国,enterprise,单位1,3000.00,2015-03,active\n\
         610526195503011237,李四,enterprise,单位1,3000.00,2015-03,active\n\
         11010519491231002X,赵秀英,enterprise,单位2,三千,2009-12,active\n\
         11010519491231002X,赵秀英,public_institution,单位2,三千,2009-12,active\n",
        "id_number,date\n610526195503011236,2025-13-01\n",
        "source,reference,kind,date,id_number\n\
         rail,r1,travel,2026-03-01,610526195503011236\n\
         rail,r2,travel,2026-03-01,61052619550301123\n\
         rail,r3,travel,2026-02-30,610526195503011236\n\
         rail,r4,travel,2026-03-02,320102195001010012\n",
    );
    assert_eq!((s.roster_rows, s.roster_invalid, s.other_scheme_rows), (4, 2, 1));
    assert_eq!((s.events_read, s.events_invalid_id, s.events_invalid_date), (4, 1, 1));
    assert_eq!((s.certifications_read, s.certifications_invalid), (1, 1));
    // The events file's columns are in another order: read by name. The good event certifies.
    assert_eq!(s.certified_by_events, 1);
    let listed: Vec<String> = read(&job.out_dir.join("invalid_rows.csv"))
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r["table"],
                Path::new(&r["file"])
                    .file_name()
                    .map_or("".into(), |f| f.to_string_lossy().into_owned()),
                r["line"]
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            "roster roster.csv 3",
            "roster roster.csv 4",
            "certifications certifications.csv 2",
            "events events.csv 3",
            "events events.csv 4",
        ]
    );
    assert_eq!(s.invalid_rows_listed, 5);
    // 320102… is a valid number of nobody on the roster.
    assert_eq!((s.unknown_people, s.events_unknown_people), (1, 1));
    let unknown = read(&job.out_dir.join("unknown_people.csv"));
    assert_eq!(unknown[0]["id_number"], "320102195001010012");
}

#[test]
fn a_field_of_megabytes_is_listed_short_from_csv_and_from_parquet() {
    // A feed or roster with a broken or hostile column (a number of a million digits, an
    // amount of a million characters) must not be copied whole into invalid_rows.csv, by
    // either listing path: the CSV file read again, or the Parquet rows' positions.
    let tmp = tempfile::tempdir().expect("tmp");
    let huge_id = format!("610526195503011236{}", "9".repeat(1 << 20));
    let huge_amount = format!("3000{}", "0".repeat(1 << 20));
    let (mut job, s) = run_small(
        tmp.path(),
        &format!(
            "id_number,name,scheme,unit,monthly_pension,pension_start,status\n\
             610526195503011236,王建国,enterprise,单位1,3000.00,2015-03,active\n\
             11010519491231002X,赵秀英,enterprise,单位2,{huge_amount},2009-12,active\n"
        ),
        "id_number,date\n",
        &format!("id_number,date,kind,source,reference\n{huge_id},2026-03-01,travel,rail,r1\n"),
    );
    assert_eq!((s.roster_invalid, s.events_invalid_id), (1, 1));
    let check = |job: &CompareJob, events_file: &str| {
        let path = job.out_dir.join("invalid_rows.csv");
        let size = std::fs::metadata(&path).expect("list").len();
        assert!(size < 2_000, "invalid_rows.csv is {size} bytes");
        let rows = read(&path);
        let roster = rows.iter().find(|r| r["table"] == "roster").expect("roster row");
        assert_eq!(roster["id_number"], "11010519491231002X");
        assert!(roster["reason"].starts_with("monthly_pension:"), "{roster:?}");
        let event = rows.iter().find(|r| r["table"] == "events").expect("event row");
        assert!(event["file"].ends_with(events_file), "{event:?}");
        assert_eq!(event["id_number"], format!("{}…", &huge_id[..40]));
        assert!(event["reason"].contains(&huge_id.len().to_string()), "{event:?}");
    };
    check(&job, "events.csv");
    let parquet = tmp.path().join("events.parquet");
    to_parquet(&tmp.path().join("events.csv"), &parquet, 1024);
    job.inputs.events = vec![parquet.display().to_string()];
    job.out_dir = tmp.path().join("pq");
    let s = runtime().block_on(run_embedded(&job, None)).expect("run");
    assert_eq!(s.events_invalid_id, 1);
    check(&job, "events.parquet");
}

#[test]
fn an_event_whose_text_holds_backslashes_is_written_back_whole() {
    // The newest event travels through the query as one `day␟source␟reference␟kind` string
    // with `\` escaped; a backslash (here before a `u`, the escape of U+001F) comes back
    // as written. (A U+001F itself is a control character the core refuses: below.)
    let tmp = tempfile::tempdir().expect("tmp");
    let (job, s) = run_small(
        tmp.path(),
        "id_number,name,scheme,unit,monthly_pension,pension_start,status\n\
         610526195503011236,王建国,enterprise,单位1,3000.00,2015-03,active\n",
        "id_number,date\n",
        "source,reference,kind,date,id_number\n\
         \"rail\\12306\",\"C:\\tickets\\u7\\\",travel,2026-03-01,610526195503011236\n",
    );
    assert_eq!(s.certified_by_events, 1);
    let lines = read(&job.out_dir.join("certifications.csv"));
    assert_eq!(lines.len(), 1);
    assert_eq!(
        (
            lines[0]["source"].as_str(),
            lines[0]["reference"].as_str(),
            lines[0]["kind"].as_str()
        ),
        ("rail\\12306", "C:\\tickets\\u7\\", "travel")
    );
}

#[test]
fn events_whose_texts_the_core_refuses_are_listed_with_the_reason_and_never_certify() {
    // Before: a feed's kind, source and reference went into the records as they came — a
    // reference of any length, a U+001F, a right-to-left override. Now each row is checked as the
    // server's feed import checks it (certify_core::life_event); a refused row is listed
    // with its reason and cannot hide an older good event of the same person.
    let tmp = tempfile::tempdir().expect("tmp");
    let long = "R".repeat(200);
    let (mut job, s) = run_small(
        tmp.path(),
        "id_number,name,scheme,unit,monthly_pension,pension_start,status\n\
         610526195503011236,王建国,enterprise,单位1,3000.00,2015-03,active\n\
         11010519491231002X,赵秀英,enterprise,单位2,3000.00,2009-12,active\n",
        "id_number,date\n",
        &format!(
            "id_number,date,kind,source,reference\n\
             610526195503011236,2026-03-01,travel,rail,r1\n\
             610526195503011236,2026-04-01,travel,\"rail\u{1f}x\",r2\n\
             11010519491231002X,2026-04-02,travel,rail,{long}\n\
             11010519491231002X,2026-04-03,hospital\u{202e}stay,rail,r4\n\
             11010519491231002X,2026-04-04,travel,,r5\n"
        ),
    );
    let check = |job: &CompareJob, s: &Summary, lines: [u64; 4], file: &str| {
        assert_eq!((s.events_read, s.events_invalid_text, s.certified_by_events), (5, 4, 1));
        assert_eq!((s.events_invalid_id, s.events_invalid_date), (0, 0));
        let records = read(&job.out_dir.join("certifications.csv"));
        assert_eq!(records.len(), 1, "{records:?}");
        assert_eq!(
            (
                records[0]["id_number"].as_str(),
                records[0]["date"].as_str(),
                records[0]["reference"].as_str()
            ),
            ("610526195503011236", "2026-03-01", "r1")
        );
        let listed: Vec<(String, String, String)> = read(&job.out_dir.join("invalid_rows.csv"))
            .into_iter()
            .inspect(|r| assert!(r["file"].ends_with(file), "{r:?}"))
            .map(|r| (r["line"].clone(), r["id_number"].clone(), r["reason"].clone()))
            .collect();
        let want = [
            ("610526195503011236", "source: holds the control character U+001F"),
            ("11010519491231002X", "reference: 200 characters, more than 128"),
            ("11010519491231002X", "kind: holds the control character U+202E"),
            (
                "11010519491231002X",
                "source: empty (name the feed the event came from)",
            ),
        ];
        let want: Vec<(String, String, String)> = lines
            .iter()
            .zip(want)
            .map(|(line, (id, why))| (line.to_string(), id.to_owned(), why.to_owned()))
            .collect();
        assert_eq!(listed, want);
    };
    // The CSV file read again.
    check(&job, &s, [3, 4, 5, 6], "events.csv");
    // Parquet: the comparison keeps the rows' positions with the reason; no second read.
    let parquet = tmp.path().join("events.parquet");
    to_parquet(&tmp.path().join("events.csv"), &parquet, 2);
    job.inputs.events = vec![parquet.display().to_string()];
    job.out_dir = tmp.path().join("pq");
    let s = runtime().block_on(run_embedded(&job, None)).expect("run");
    check(&job, &s, [2, 3, 4, 5], "events.parquet");
}

#[test]
fn a_number_written_several_ways_is_one_person_and_repeated_bad_numbers_are_all_listed() {
    // Events are grouped by the person the core reads in each number: the 15-digit
    // form, the 18-digit form and one with spaces around it must still meet as one person,
    // and the newest of all their events decides; every row of an unreadable number that
    // occurs twice is listed.
    let tmp = tempfile::tempdir().expect("tmp");
    let (job, s) = run_small(
        tmp.path(),
        "id_number,name,scheme,unit,monthly_pension,pension_start,status\n\
         610526195503011236,王建国,enterprise,单位1,3000.00,2015-03,active\n",
        "id_number,date\n",
        "id_number,date,kind,source,reference\n\
         610526195503011236,2026-03-01,travel,rail,r1\n\
         \" 610526550301123 \",2026-04-01,hospital,hosp,h1\n\
         610526550301123,2026-02-01,travel,rail,r0\n\
         12345,2026-03-01,travel,rail,bad1\n\
         12345,2026-03-02,travel,rail,bad2\n\
         610526195503011237,2026-05-01,travel,rail,bad3\n\
         610526195503011237,2026-05-02,travel,rail,bad4\n",
    );
    assert_eq!((s.events_read, s.events_invalid_id, s.events_unknown_people), (7, 4, 0));
    assert_eq!((s.unknown_people, s.certified_by_events), (0, 1));
    let lines = read(&job.out_dir.join("certifications.csv"));
    assert_eq!(lines.len(), 1);
    assert_eq!(
        (
            lines[0]["date"].as_str(),
            lines[0]["source"].as_str(),
            lines[0]["reference"].as_str()
        ),
        ("2026-04-01", "hosp", "h1")
    );
    let listed: Vec<String> = read(&job.out_dir.join("invalid_rows.csv"))
        .iter()
        .map(|r| format!("{} {} {}", r["table"], r["line"], r["id_number"]))
        .collect();
    // The last two are written as valid numbers are (17 digits and a check digit, validated
    // once for the two rows in a row), but their check digit is wrong.
    assert_eq!(
        listed,
        [
            "events 5 12345",
            "events 6 12345",
            "events 7 610526195503011237",
            "events 8 610526195503011237"
        ]
    );
}

#[test]
fn every_unreadable_certification_row_is_listed_and_no_readable_one() {
    // The listing checks record rows against the numbers the comparison found unreadable
    // (as it does for feeds): each bad row must still be listed, by its line, whether its
    // number repeats, its check digit is wrong, it is blank, or only its date is bad; the
    // 15-digit form of a good number and a spaced one are not refused.
    let tmp = tempfile::tempdir().expect("tmp");
    let (job, s) = run_small(
        tmp.path(),
        "id_number,name,scheme,unit,monthly_pension,pension_start,status\n\
         610526195503011236,王建国,enterprise,单位1,3000.00,2015-03,active\n",
        "id_number,date\n\
         610526195503011236,2025-03-01\n\
         12345,2025-03-01\n\
         610526195503011237,2025-03-02\n\
         610526550301123,2025-03-03\n\
         12345,2025-04-01\n\
         ,2025-04-02\n\
         610526195503011236,2025-02-30\n\
         \" 610526195503011236 \",2025-05-01\n",
        "id_number,date,kind,source,reference\n",
    );
    assert_eq!((s.certifications_read, s.certifications_invalid), (8, 5));
    let listed: Vec<String> = read(&job.out_dir.join("invalid_rows.csv"))
        .iter()
        .map(|r| format!("{} {} {}", r["table"], r["line"], r["id_number"]))
        .collect();
    assert_eq!(
        listed,
        [
            "certifications 3 12345",
            "certifications 4 610526195503011237",
            "certifications 6 12345",
            "certifications 7 ",
            "certifications 8 610526195503011236"
        ]
    );
}

#[test]
fn a_person_on_the_roster_twice_is_reported_and_their_records_counted_once() {
    // Two payroll rows for one person (a pension paid twice): their events and records were
    // counted once per row and their data-comparison certification written twice.
    let tmp = tempfile::tempdir().expect("tmp");
    let (job, s) = run_small(
        tmp.path(),
        "id_number,name,scheme,unit,monthly_pension,pension_start,status\n\
         610526195503011236,王建国,enterprise,单位1,3000.00,2015-03,active\n\
         11010519491231002X,赵秀英,enterprise,单位2,2800.00,2009-12,active\n\
         610526195503011236,王建国,enterprise,单位3,3000.00,2015-03,active\n\
         320102195001010012,钱七,enterprise,单位4,2500.00,2010-01,active\n\
         320102195001010012,钱七,enterprise,单位4,2500.00,2010-01,active\n",
        "id_number,date\n610526195503011236,2025-03-01\n610526195503011236,2024-03-01\n",
        "source,reference,kind,date,id_number\n\
         rail,r1,travel,2026-03-01,610526195503011236\n\
         rail,r2,travel,2026-02-01,610526195503011236\n\
         hospital,h1,stay,2026-01-01,610526195503011236\n\
         rail,r3,travel,2026-03-01,11010519491231002X\n",
    );
    assert_eq!(s.roster_rows, 5);
    assert_eq!((s.events_read, s.certifications_read), (4, 2));
    assert_eq!(s.certified_by_events, 2);
    let lines = read(&job.out_dir.join("certifications.csv"));
    let mut ids: Vec<&str> = lines.iter().map(|l| l["id_number"].as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["11010519491231002X", "610526195503011236"]);
    // 320102… is listed twice with nothing on record: uncertified once, not per row.
    assert_eq!(s.uncertified, 1);
    assert_eq!(read(&job.out_dir.join("uncertified.csv")).len(), 1);
    assert_eq!(s.duplicate_people, 2);
    let mut dup: Vec<(String, String)> = read(&job.out_dir.join("duplicate_people.csv"))
        .into_iter()
        .map(|r| (r["id_number"].clone(), r["roster_rows"].clone()))
        .collect();
    dup.sort();
    assert_eq!(
        dup,
        [
            ("320102195001010012".to_owned(), "2".to_owned()),
            ("610526195503011236".to_owned(), "2".to_owned())
        ]
    );
}

#[test]
fn a_missing_column_stops_the_job_before_any_row_is_read() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    generated(d, 10, 1.0, time::macros::date!(2026 - 06 - 01), 1);
    std::fs::write(d.join("events.csv"), "id_number,date,kind,source\n").expect("events");
    let job = job(
        d,
        config("inner-mongolia.toml"),
        time::macros::date!(2026 - 06 - 01),
        "out",
    );
    let err = runtime().block_on(run_embedded(&job, None)).expect_err("refused");
    assert!(
        matches!(
            err,
            BatchError::MissingColumn {
                column: "reference",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("events.csv"), "{err}");
    assert!(!job.out_dir.join("summary.json").exists());
}

#[test]
fn a_run_far_over_its_memory_limit_spills_and_gives_the_same_lists() {
    let tmp = tempfile::tempdir().expect("tmp");
    let run_date = time::macros::date!(2026 - 11 - 02);
    generated(tmp.path(), 60_000, 10.0, run_date, 3);
    let roomy = job(tmp.path(), config("inner-mongolia.toml"), run_date, "roomy");
    let mut tight = job(tmp.path(), config("inner-mongolia.toml"), run_date, "tight");
    tight.limits.memory_bytes = 128 << 20;
    tight.limits.joins = Joins::SortMerge;
    let spill: PathBuf = tmp.path().join("spill");
    std::fs::create_dir_all(&spill).expect("spill dir");
    tight.limits.spill_dir = Some(spill);
    let rt = runtime();
    let a = rt.block_on(run_embedded(&roomy, None)).expect("roomy run");
    let b = rt.block_on(run_embedded(&tight, None)).expect("tight run");
    assert!(b.spilled_bytes > 0, "the tight run did not spill: {b:?}");
    assert_eq!(a.spilled_bytes, 0);
    // The roomy run's roster fits: hash joins, whose lists equal the sort-merge joins'.
    assert_eq!((a.joins, b.joins), (Joins::Hash, Joins::SortMerge));
    assert_eq!(produced(&roomy.out_dir), produced(&tight.out_dir));
    assert_eq!(serde_json::to_value(&a.tally).ok(), serde_json::to_value(&b.tally).ok());
}

#[test]
fn hash_joins_over_the_limit_fail_as_exhausted_and_auto_does_not_plan_them_there() {
    let tmp = tempfile::tempdir().expect("tmp");
    let run_date = time::macros::date!(2026 - 11 - 02);
    generated(tmp.path(), 60_000, 2.0, run_date, 5);
    let mut hash = job(tmp.path(), config("inner-mongolia.toml"), run_date, "hash");
    // Below the roster's own size (a hash-join plan's pool is first come, first served, so
    // at 32 MiB the aggregations left the joins enough room).
    hash.limits.memory_bytes = 4 << 20;
    hash.limits.joins = Joins::Hash;
    let err = runtime()
        .block_on(run_embedded(&hash, None))
        .expect_err("a hash join cannot spill");
    // The error on which an automatic choice starts again with sort-merge joins, as the
    // engine reports it.
    assert!(certify_batch::joins::is_memory_exhausted(&err), "{err:?}");
    // The estimate would not have planned hash joins at this limit; at the default it does.
    assert!(!certify_batch::joins::hash_joins_fit(
        &hash.inputs,
        hash.limits.memory_bytes
    ));
    assert!(certify_batch::joins::hash_joins_fit(
        &hash.inputs,
        Limits::default().memory_bytes
    ));
}

#[test]
fn a_one_thread_run_plans_joins_that_can_spill() {
    // With one partition DataFusion plans hash joins, which cannot spill: a one-thread run
    // over 10M people with 1 GB stopped with "Resources exhausted … HashJoinInput" instead
    // of spilling as runs on two threads do. Every join must be a sort-merge join.
    let tmp = tempfile::tempdir().expect("tmp");
    let run_date = time::macros::date!(2026 - 11 - 02);
    generated(tmp.path(), 50, 2.0, run_date, 3);
    let mut one = job(tmp.path(), config("inner-mongolia.toml"), run_date, "one");
    one.limits.threads = 1;
    let plan_of = |job: &CompareJob| {
        runtime().block_on(async {
            let ctx = certify_batch::job::session(&job.limits).expect("session");
            certify_batch::inputs::register_all(&ctx, &job.inputs, true)
                .await
                .expect("inputs");
            let frame = ctx
                .sql(&certify_batch::plan::comparison_sql(run_date))
                .await
                .expect("sql");
            let physical = frame.create_physical_plan().await.expect("plan");
            datafusion::physical_plan::displayable(physical.as_ref())
                .indent(true)
                .to_string()
        })
    };
    let plan = plan_of(&one);
    assert!(!plan.contains("HashJoinExec"), "{plan}");
    assert_eq!(plan.matches("SortMergeJoin").count(), 2, "{plan}");
    // Each table aggregated once, whole (not a partial pass per half and a final pass that
    // merges a state per person), and only then split for the joins.
    assert_eq!(plan.matches("AggregateExec: mode=Single,").count(), 2, "{plan}");
    assert!(!plan.contains("RoundRobin"), "{plan}");
    // On two threads the halves are aggregated in parallel, then merged.
    let mut two = job(tmp.path(), config("inner-mongolia.toml"), run_date, "two");
    two.limits.threads = 2;
    let plan = plan_of(&two);
    assert_eq!(plan.matches("AggregateExec: mode=Partial,").count(), 2, "{plan}");
    // Hash joins on one thread: one partition, nothing repartitioned by hash.
    one.limits.joins = Joins::Hash;
    let plan = plan_of(&one);
    assert_eq!(plan.matches("HashJoinExec").count(), 2, "{plan}");
    assert!(!plan.contains("SortMergeJoin") && !plan.contains("Hash(["), "{plan}");
}

#[test]
fn unreadable_rows_of_parquet_read_in_parallel_keep_their_row_numbers() {
    // The listing reads a Parquet file's row groups on several threads; each row must still
    // be named by its own row number. Row groups of three rows, so the bad rows fall in
    // different groups and threads.
    let tmp = tempfile::tempdir().expect("tmp");
    let mut events = String::from("id_number,date,kind,source,reference\n");
    let bad = [2usize, 7, 9, 10];
    for row in 1..=11 {
        let (id, date) = match row {
            2 | 9 => ("12345", "2026-03-01"),
            7 | 10 => ("610526195503011236", "2026-02-30"),
            _ => ("610526195503011236", "2026-03-01"),
        };
        events.push_str(&format!("{id},{date},travel,rail,r{row}\n"));
    }
    run_small(
        tmp.path(),
        "id_number,name,scheme,unit,monthly_pension,pension_start,status\n\
         610526195503011236,王建国,enterprise,单位1,3000.00,2015-03,active\n",
        "id_number,date\n",
        &events,
    );
    let parquet = tmp.path().join("events.parquet");
    to_parquet(&tmp.path().join("events.csv"), &parquet, 3);
    // The writer stores the dates dictionary-encoded, so the listing reads them as keys
    // into their distinct texts: that path is the one checked here.
    let metadata = datafusion::parquet::file::metadata::ParquetMetaDataReader::new()
        .parse_and_finish(&std::fs::File::open(&parquet).expect("open"))
        .expect("metadata");
    assert!(metadata.num_row_groups() > 2);
    assert!(
        metadata
            .row_groups()
            .iter()
            .all(|g| g.column(1).dictionary_page_offset().is_some())
    );
    let mut job = job(
        tmp.path(),
        config("inner-mongolia.toml"),
        time::macros::date!(2026 - 06 - 01),
        "pq",
    );
    job.inputs.events = vec![parquet.display().to_string()];
    let s = runtime().block_on(run_embedded(&job, None)).expect("run");
    assert_eq!((s.events_read, s.events_invalid_id, s.events_invalid_date), (11, 2, 2));
    let lines: Vec<String> = read(&job.out_dir.join("invalid_rows.csv"))
        .iter()
        .map(|r| format!("{} {}", r["line"], r["id_number"]))
        .collect();
    let want: Vec<String> = bad
        .iter()
        .map(|&row| {
            format!(
                "{row} {}",
                if row == 2 || row == 9 {
                    "12345"
                } else {
                    "610526195503011236"
                }
            )
        })
        .collect();
    assert_eq!(lines, want);
    // Those rows were listed from where the comparison found them (no Parquet file read
    // again). With a second feed in CSV that has an unreadable row of its own (CSV rows
    // have no row numbers from the reader) the listing reads the files instead: the same
    // Parquet lines, then the CSV file's.
    let csv = tmp.path().join("more.csv");
    std::fs::write(
        &csv,
        "id_number,date,kind,source,reference\n610526195503011236,2026-03-01,travel,bus,b1\n,2026-03-01,travel,bus,b2\n",
    )
    .expect("csv");
    job.inputs.events.push(csv.display().to_string());
    job.out_dir = tmp.path().join("mixed");
    let s = runtime().block_on(run_embedded(&job, None)).expect("run");
    assert_eq!((s.events_read, s.events_invalid_id, s.events_invalid_date), (13, 3, 2));
    let lines: Vec<String> = read(&job.out_dir.join("invalid_rows.csv"))
        .iter()
        .map(|r| format!("{} {}", r["line"], r["id_number"]))
        .collect();
    assert_eq!(lines, [want.clone(), vec!["3 ".to_owned()]].concat());
}

/// `csv` written as a Parquet file at `parquet`, `rows_per_group` rows to a row group.
fn to_parquet(csv: &Path, parquet: &Path, rows_per_group: usize) {
    runtime().block_on(async {
        let ctx = datafusion::prelude::SessionContext::new();
        ctx.sql(&format!(
            "SET datafusion.execution.parquet.max_row_group_size = {rows_per_group}"
        ))
        .await
        .expect("set");
        certify_batch::inputs::register_file(&ctx, "t", &csv.display().to_string())
            .await
            .expect("csv");
        ctx.table("t")
            .await
            .expect("table")
            .write_parquet(
                &parquet.display().to_string(),
                datafusion::dataframe::DataFrameWriteOptions::new().with_single_file_output(true),
                None,
            )
            .await
            .expect("parquet");
    });
}

#[test]
fn refused_roster_rows_of_parquet_are_listed_as_the_csv_ones_are() {
    // The same roster as CSV and as Parquet (two files, the refused rows in the second):
    // the same rows refused for the same reasons, named by CSV line and by row number.
    let tmp = tempfile::tempdir().expect("tmp");
    let header = "id_number,name,scheme,unit,monthly_pension,pension_start,status\n";
    let good = "610526195503011236,王建国,enterprise,单位1,3000.00,2015-03,active\n";
    let second = format!(
        "{header}{good}11010519491231002X,赵秀英,enterprise,单位2,三千,2009-12,active\n\
         11010519491231002X,赵秀英,public_institution,单位2,三千,2009-12,active\n\
         12345,钱七,enterprise,单位3,2000.00,2010-01,active\n\
         320102195001010012,孙八,enterprise,单位3,2000.00,2010-13,active\n"
    );
    let (job, s) = run_small(
        tmp.path(),
        &second,
        "id_number,date\n",
        "id_number,date,kind,source,reference\n",
    );
    assert_eq!(s.roster_invalid, 3);
    let listed = |dir: &Path| -> Vec<(String, String, String, String)> {
        read(&dir.join("invalid_rows.csv"))
            .iter()
            .map(|r| {
                let file = Path::new(&r["file"])
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned();
                (file, r["line"].clone(), r["id_number"].clone(), r["reason"].clone())
            })
            .collect()
    };
    let from_csv = listed(&job.out_dir);
    assert_eq!(from_csv.len(), 3);
    let first = tmp.path().join("first.csv");
    std::fs::write(&first, format!("{header}{good}")).expect("first");
    to_parquet(&first, &tmp.path().join("first.parquet"), 1);
    to_parquet(&tmp.path().join("roster.csv"), &tmp.path().join("second.parquet"), 2);
    let mut pq = job;
    pq.inputs.roster = ["first.parquet", "second.parquet"]
        .map(|f| tmp.path().join(f).display().to_string())
        .to_vec();
    pq.out_dir = tmp.path().join("pq");
    let s = runtime().block_on(run_embedded(&pq, None)).expect("run");
    assert_eq!(s.roster_invalid, 3);
    let want: Vec<_> = from_csv
        .into_iter()
        .map(|(_, line, id, reason)| {
            let row = line.parse::<u64>().expect("line") - 1;
            ("second.parquet".to_owned(), row.to_string(), id, reason)
        })
        .collect();
    assert_eq!(listed(&pq.out_dir), want);
}

#[test]
fn positions_found_by_the_comparison_are_listed_without_reading_the_file() {
    // The listing names rows from the positions alone: here the file no longer exists.
    let mut positions = certify_batch::invalid::RowPositions::default();
    for text in [
        "0:9:\u{1f}610526195503011236",
        "0:1:\u{1f}12345",
        "1:0:\u{1f}",
        "0:4:reference: 200 characters, more than 128\u{1f}610526195503011236",
    ] {
        assert!(positions.add(text));
    }
    assert!(!positions.add("not a position"));
    let files = ["gone.parquet".to_owned(), "gone-too.parquet".to_owned()];
    let mut out = Vec::new();
    let listed = runtime()
        .block_on(certify_batch::invalid::list(
            certify_batch::inputs::Table::Events,
            &files,
            certify_core::roster::Scheme::Enterprise,
            &mut out,
            10,
            None,
            Some(&positions),
            1,
        ))
        .expect("listed");
    assert_eq!(listed, 4);
    let text = String::from_utf8(out).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[0].starts_with("events,gone.parquet,2,12345,\"id_number:"),
        "{text}"
    );
    // The reason the comparison gave (texts refused) is listed as it gave it.
    assert_eq!(
        lines[1],
        "events,gone.parquet,5,610526195503011236,\"reference: 200 characters, more than 128\""
    );
    assert_eq!(
        lines[2],
        "events,gone.parquet,10,610526195503011236,date: expected YYYY-MM-DD"
    );
    assert!(lines[3].starts_with("events,gone-too.parquet,1,,id_number:"), "{text}");
    // Without positions the same call reads the file, and says it cannot.
    let failed = runtime().block_on(certify_batch::invalid::list(
        certify_batch::inputs::Table::Events,
        &files,
        certify_core::roster::Scheme::Enterprise,
        &mut Vec::new(),
        10,
        None,
        None,
        1,
    ));
    assert!(failed.is_err());
}
