//! The `certify` binary, driven as an operator would.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn certify(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_certify"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn certify");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// `certify cycle run` over the given files, with extra arguments.
fn cycle_run(
    config: &std::path::Path,
    roster: &std::path::Path,
    certs: &std::path::Path,
    date: &str,
    extra: &[&str],
) -> Output {
    let mut args = vec![
        "cycle",
        "run",
        "--config",
        config.to_str().unwrap(),
        "--roster",
        roster.to_str().unwrap(),
        "--certifications",
        certs.to_str().unwrap(),
        "--date",
        date,
    ];
    args.extend_from_slice(extra);
    certify(&args, "")
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("certify-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/regions")
}

#[test]
fn id_check_writes_one_json_object_per_line() {
    let out = certify(
        &["id", "check"],
        "11010519491231002X\n110105194912310021\n110105491231002\n\n",
    );
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[0]["normalized"], "11010519491231002X");
    assert_eq!(lines[0]["birth_date"], "1949-12-31");
    assert_eq!(lines[0]["sex"], "female");
    assert_eq!(lines[0]["region_code"], "110105");
    assert_eq!(lines[0]["error"], serde_json::Value::Null);
    assert_eq!(lines[1]["valid"], false);
    assert_eq!(lines[1]["error"], "bad_check_digit");
    assert_eq!(lines[2]["normalized"], "11010519491231002X");
    assert_eq!(lines[3]["error"], "empty");
    for l in &lines {
        for key in [
            "input",
            "valid",
            "normalized",
            "error",
            "birth_date",
            "sex",
            "region_code",
        ] {
            assert!(l.get(key).is_some(), "missing {key} in {l}");
        }
    }
}

#[test]
fn cycle_run_suspends_resumes_and_reports_bad_rows() {
    let dir = temp_dir("run");
    let roster = dir.join("roster.csv");
    let certs = dir.join("certs.csv");
    // A: certified in the window → unchanged. B: never certified → suspend from 2020-08.
    // C: suspended since August, certified October 12 → resume, 3 months back pay.
    // D: detained → unchanged. E: malformed ID → listed as invalid. F: other scheme → skipped.
    std::fs::write(
        &roster,
        "id_number,name,scheme,unit,monthly_pension,pension_start,status,suspended_from,suspension_reason\n\
         610526195203041230,刘晓瑜,public_institution,教育局,3210.00,2012-03,active,,\n\
         610526192801010422,刘桂兰,public_institution,教育局,2875.40,1988-01,active,,\n\
         11010519491231002X,张伟,public_institution,卫生局,3000.50,2009-12,suspended,2020-08,certification_lapse\n\
         150102194907010151,巴特尔,public_institution,公安局,4000,2009-07,suspended,2020-03,criminal_detention\n\
         110105194912310021,王五,public_institution,教育局,3000,2010-01,active,,\n\
         44030519500101001X,陈六,enterprise,公司,3000,2010-01,active,,\n",
    )
    .unwrap();
    std::fs::write(
        &certs,
        "id_number,date,method,outcome\n610526195203041230,2020-06-10,app_face,passed\n\
         11010519491231002X,2020-10-12,app_voice,passed\n610526192801010422,2020-07-01,app_face,failed\nnot-an-id,2020-07-01,app_face,passed\n",
    )
    .unwrap();
    let summary = dir.join("summary.json");
    let config = examples().join("pucheng-2020.toml");
    let out = cycle_run(
        &config,
        &roster,
        &certs,
        "2020-11-01",
        &["--format", "jsonl", "--summary", summary.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[0]["name"], "刘桂兰");
    assert_eq!(rows[0]["action"], "suspend");
    assert_eq!(rows[0]["from"], "2020-08");
    assert_eq!(rows[1]["action"], "resume");
    assert_eq!(rows[1]["back_pay_months"], 3);
    assert_eq!(rows[1]["back_pay_yuan"], "9001.50");
    assert_eq!(rows[1]["resume_from"], "2020-11");
    assert_eq!(rows[2]["action"], "invalid_row");
    assert!(rows[2]["error"].as_str().unwrap().contains("check character"));
    let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(s["rows"], 4);
    assert_eq!(s["suspended"], 1);
    assert_eq!(s["resumed"], 1);
    assert_eq!(s["invalid_rows"], 1);
    assert_eq!(s["other_scheme_rows"], 1);
    assert_eq!(s["certifications_invalid"], 1);
    assert_eq!(s["back_pay_total_yuan"], "9001.50");
    // CSV output, with every row.
    let out = cycle_run(&config, &roster, &certs, "2020-07-31", &["--all"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("row,id_number,name,action,"), "{text}");
    assert_eq!(text.lines().count(), 6, "{text}");
    assert!(
        !text.contains(",suspend,"),
        "nobody is suspended on the deadline day itself: {text}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// The yearly Pucheng window in 2026: a person suspended since August 2020 and certified in
/// June 2026 is resumed with the newest 12 months paid and the older 60 listed for staff;
/// a negative amount is an invalid row, not a refund.
#[test]
fn a_yearly_window_years_later_pays_a_year_and_lists_the_rest() {
    let dir = temp_dir("yearly");
    let roster = dir.join("roster.csv");
    let certs = dir.join("certs.csv");
    std::fs::write(
        &roster,
        "id_number,name,scheme,unit,monthly_pension,pension_start,status,suspended_from,suspension_reason
         11010519491231002X,张伟,public_institution,卫生局,3000.00,2009-12,suspended,2020-08,certification_lapse
         610526195203041230,刘晓瑜,public_institution,教育局,-3210.00,2012-03,active,,
",
    )
    .unwrap();
    std::fs::write(
        &certs,
        "id_number,date
11010519491231002X,2026-06-10
",
    )
    .unwrap();
    let out = cycle_run(
        &examples().join("pucheng.toml"),
        &roster,
        &certs,
        "2026-08-01",
        &["--format", "jsonl"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows[0]["action"], "resume", "{rows:?}");
    assert_eq!(rows[0]["from"], "2025-08");
    assert_eq!(rows[0]["back_pay_months"], 12);
    assert_eq!(rows[0]["back_pay_yuan"], "36000.00");
    assert_eq!(rows[0]["back_pay_review_months"], 60);
    assert_eq!(rows[0]["back_pay_review_yuan"], "180000.00");
    assert_eq!(rows[1]["action"], "invalid_row", "{rows:?}");
    assert!(rows[1]["error"].as_str().unwrap().contains("monthly_pension"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn cycle_run_refuses_bad_configuration_and_dates() {
    let dir = temp_dir("bad");
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "name='x'\nregion_code='610526'\nscheme='enterprise'\n[cycle]\nkind='window'\nopens='2020-07-31'\ncloses='2020-06-03'\nsuspend_from='2020-08'\n").unwrap();
    let roster = dir.join("r.csv");
    std::fs::write(&roster, "id_number,monthly_pension,pension_start\n").unwrap();
    let out = cycle_run(&bad, &roster, &roster, "2020-08-01", &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("window must open before it closes"));
    let good = examples().join("inner-mongolia.toml");
    let out = cycle_run(&good, &roster, &roster, "2020/08/01", &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--date"));
    let out = cycle_run(&good, &roster, &roster, "2020-08-01", &[]);
    assert!(!out.status.success(), "the certification file lacks a date column");
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing column \"date\""));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn every_example_region_configuration_loads() {
    for entry in std::fs::read_dir(examples()).unwrap() {
        let path = entry.unwrap().path();
        certify_cli::run::load_config(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn demo_tells_the_whole_story() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let (models, photos) = (root.join("models"), root.join(".deps/testdata/face"));
    let out = certify(
        &[
            "demo",
            "--models",
            models.to_str().unwrap(),
            "--photos",
            photos.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "right password 23 h later: refused",
        "right password 24 h after the lock: logged in",
        "run on 2020-07-31: no change",
        "run on 2020-08-01: suspended from 2020-08",
        "replaying it: the evidence was already used",
        "upload 1 (darkened): refused: [TooDark]",
        "→ passed: true",
        "→ Match",
        "back pay 3 months from 2020-08: ¥9630.00",
        "already certified on 2020-10-12",
        "overpayment ¥8626.20",
        "demo complete: 14 steps",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn cycle_run_on_several_threads_lists_the_same_lines_in_roster_order() {
    // 20,000 rows, a few of them unreadable or of another scheme, decided in chunks on
    // three threads: the list (every row, with --all) and the summary must be those of one
    // thread, byte for byte.
    let dir = temp_dir("threads");
    let (roster, certs) = (dir.join("roster.csv"), dir.join("certs.csv"));
    let mut r = String::from("id_number,name,scheme,monthly_pension,pension_start,status,suspended_from\n");
    let mut c = String::from("id_number,date\n");
    for i in 0..20_000u32 {
        let birth = format!("19{:02}{:02}{:02}", 30 + i % 40, 1 + i % 12, 1 + i % 28);
        let first17 = format!("610526{birth}{:03}", i % 1000);
        let bytes: [u8; 17] = first17.as_bytes().try_into().unwrap();
        let id = format!("{first17}{}", certify_core::id::check_character(&bytes));
        let (scheme, amount) = match i % 997 {
            0 => ("public_institution", "3000.00"),
            1 => ("enterprise", "三千"),
            _ => ("enterprise", "3000.00"),
        };
        let (status, from) = if i % 13 == 0 {
            ("suspended", "2019-08")
        } else {
            ("active", "")
        };
        r.push_str(&format!("{id},人{i},{scheme},{amount},2010-01,{status},{from}\n"));
        if i % 3 != 0 {
            c.push_str(&format!("{id},2019-{:02}-15\n", 1 + i % 12));
        }
        if i % 4999 == 0 {
            c.push_str(&format!("{id},2019-02-30\n"));
        }
    }
    std::fs::write(&roster, r).unwrap();
    std::fs::write(&certs, c).unwrap();
    let config = examples().join("inner-mongolia.toml");
    let mut outputs = Vec::new();
    for threads in ["1", "3"] {
        let list = dir.join(format!("list-{threads}.csv"));
        let out = cycle_run(
            &config,
            &roster,
            &certs,
            "2019-11-01",
            &["--all", "--threads", threads, "--output", list.to_str().unwrap()],
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let messages = String::from_utf8_lossy(&out.stderr).into_owned();
        outputs.push((std::fs::read_to_string(&list).unwrap(), messages));
    }
    let (one, three) = (&outputs[0], &outputs[1]);
    assert_eq!(
        one.0.lines().count(),
        20_000 - 21 + 1,
        "every row but the other scheme's, and the header"
    );
    assert!(one.0.contains(",invalid_row,"), "the unreadable amounts are listed");
    assert!(one.1.contains("\"suspended\":"), "{}", one.1);
    // The unreadable certification rows, named by line, in file order.
    assert_eq!(
        one.1.matches("invalid certification row skipped").count(),
        5,
        "{}",
        one.1
    );
    assert_eq!(one.0, three.0);
    assert_eq!(one.1, three.1);
}
