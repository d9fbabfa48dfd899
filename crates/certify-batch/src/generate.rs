//! Realistic synthetic inputs of any size, from a seed: a roster with units, regions,
//! pension starts and suspensions; certification records; life-event feeds with
//! duplicates, late events (before the cycle), events after the run date, events of
//! people not on the roster, and a few unreadable rows. The same seed gives the same
//! files, so runs on different engines can be compared.

use certify_core::id::check_character;
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use time::{Date, Duration};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    /// People on the roster.
    pub people: u64,
    /// Mean life events per person (before duplicates and unknown people).
    pub events_per_person: f64,
    /// The run date the data is made around.
    pub run_date: Date,
    /// The seed.
    pub seed: u64,
}

/// The files written.
#[derive(Debug, Clone)]
pub struct Generated {
    /// `roster.csv`.
    pub roster: PathBuf,
    /// `certifications.csv`.
    pub certifications: PathBuf,
    /// `events.csv`.
    pub events: PathBuf,
    /// Rows written to each, in that order.
    pub rows: [u64; 3],
}

/// Counties the people live in (GB/T 2260 codes in the core's table).
const REGIONS: [&str; 5] = ["610526", "150102", "110105", "440106", "510104"];
/// A county none of the roster lives in: feeds carry people of other provinces.
const ELSEWHERE: &str = "320102";
const SURNAMES: [&str; 12] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"];
const GIVEN: [&str; 16] = [
    "秀英", "桂英", "建国", "淑珍", "志强", "玉兰", "德明", "凤英", "国华", "丽", "军", "芳", "明", "福", "兰", "平",
];
const FEEDS: [(&str, &str); 4] = [
    ("hospital_stay", "hospital-feed"),
    ("travel", "rail-12306"),
    ("medical_insurance", "medical-insurance"),
    ("counter_pension", "bank-counter"),
];
const BIRTH_DAYS: u64 = 11_680; // 1935-01-01 and 32 years on

struct Rng(ChaCha8Rng);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n.max(1)
    }
    fn chance(&mut self, per_million: u64) -> bool {
        self.below(1_000_000) < per_million
    }
}

/// The `i`-th person's identity number: distinct for every `i` below 58 million.
fn id_number(region: &str, i: u64) -> String {
    let birth = birth_of(i);
    let seq = (i / (5 * BIRTH_DAYS)) % 1000;
    let first = format!(
        "{region}{:04}{:02}{:02}{seq:03}",
        birth.year(),
        u8::from(birth.month()),
        birth.day()
    );
    let bytes: [u8; 17] = first.as_bytes().try_into().unwrap_or([b'0'; 17]);
    format!("{first}{}", check_character(&bytes))
}

fn person_id(i: u64) -> String {
    id_number(REGIONS[(i % 5) as usize], i)
}

fn birth_of(i: u64) -> Date {
    time::macros::date!(1935 - 01 - 01) + Duration::days(((i / 5) % BIRTH_DAYS) as i64)
}

fn month_text(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), u8::from(d.month()))
}

fn io(path: &Path, e: std::io::Error) -> crate::BatchError {
    crate::BatchError::Output {
        path: path.display().to_string(),
        source: e,
    }
}

/// Write `roster.csv`, `certifications.csv` and `events.csv` into `dir`.
pub fn generate_csv(spec: &Spec, dir: &Path) -> Result<Generated, crate::BatchError> {
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let paths = ["roster.csv", "certifications.csv", "events.csv"].map(|n| dir.join(n));
    let open = |p: &Path| {
        File::create(p)
            .map(|f| BufWriter::with_capacity(1 << 20, f))
            .map_err(|e| io(p, e))
    };
    let (mut roster, mut certs, mut events) = (open(&paths[0])?, open(&paths[1])?, open(&paths[2])?);
    let mut rows = [0u64; 3];
    let mut rng = Rng(ChaCha8Rng::seed_from_u64(spec.seed));
    let run = spec.run_date;
    let units = (spec.people / 400).max(1);
    let mut reference = 0u64;
    let mut w = |out: &mut BufWriter<File>, k: usize, line: std::fmt::Arguments<'_>| -> Result<(), crate::BatchError> {
        rows[k] += 1;
        out.write_fmt(line).map_err(|e| io(&paths[k], e))
    };
    w(
        &mut roster,
        0,
        format_args!(
            "id_number,name,scheme,unit,monthly_pension,pension_start,status,suspended_from,suspension_reason\n"
        ),
    )?;
    w(&mut certs, 1, format_args!("id_number,date,method,outcome\n"))?;
    w(&mut events, 2, format_args!("id_number,date,kind,source,reference\n"))?;
    for i in 0..spec.people {
        let id = person_id(i);
        let name = format!("{}{}", SURNAMES[rng.below(12) as usize], GIVEN[rng.below(16) as usize]);
        let scheme = if rng.chance(30_000) {
            "urban_rural_resident"
        } else {
            "enterprise"
        };
        let unit = format!("单位{:05}", rng.below(units));
        let pension = 1500 + rng.below(4500);
        let start = (birth_of(i) + Duration::days(60 * 365 + 15)).min(run);
        let status = match rng.below(100) {
            0..=4 => {
                let from = run - Duration::days(30 + rng.below(700) as i64);
                format!("suspended,{},certification_lapse", month_text(from.max(start)))
            }
            5..=6 => format!("suspended,{},death", month_text((run - Duration::days(40)).max(start))),
            _ => "active,,".to_owned(),
        };
        // One roster row in a million is unreadable (a mistyped amount).
        let amount = if rng.chance(1) {
            "三千".to_owned()
        } else {
            format!("{pension}.00")
        };
        w(
            &mut roster,
            0,
            format_args!("{id},{name},{scheme},{unit},{amount},{},{status}\n", month_text(start)),
        )?;
        // Certifications: most people certified at some time in the last three years.
        if rng.below(100) < 70 {
            for _ in 0..1 + rng.below(2) {
                let day = run - Duration::days(rng.below(3 * 365) as i64) + Duration::days(10);
                let outcome = if rng.chance(30_000) { "failed" } else { "passed" };
                let date = if rng.chance(20) {
                    "2026-13-01".to_owned()
                } else {
                    certify_core::time::format_date(day)
                };
                w(&mut certs, 1, format_args!("{id},{date},app_face,{outcome}\n"))?;
            }
        }
        // Life events: 0..2×mean per person, over the last eighteen months and a month after.
        let n = (rng.below(1_000_000) as f64 / 1_000_000.0 * 2.0 * spec.events_per_person).round() as u64;
        for _ in 0..n {
            let (kind, source) = FEEDS[rng.below(4) as usize];
            let day = run - Duration::days(540) + Duration::days(rng.below(570) as i64);
            reference += 1;
            let id_text = if rng.chance(10) {
                // A wrong check character.
                format!("{}{}", &id[..17], if id.ends_with('0') { '1' } else { '0' })
            } else {
                id.clone()
            };
            let date = if rng.chance(10) {
                "2026-02-30".to_owned()
            } else {
                certify_core::time::format_date(day)
            };
            let copies = if rng.chance(20_000) { 2 } else { 1 };
            for _ in 0..copies {
                w(
                    &mut events,
                    2,
                    format_args!("{id_text},{date},{kind},{source},{source}-{reference}\n"),
                )?;
            }
        }
        // People of other provinces in the feeds: about one event row in a hundred.
        if rng.chance((10_000.0 * spec.events_per_person) as u64) {
            let other = id_number(ELSEWHERE, i);
            reference += 1;
            let day = run - Duration::days(rng.below(300) as i64);
            w(
                &mut events,
                2,
                format_args!(
                    "{other},{},travel,rail-12306,rail-12306-{reference}\n",
                    certify_core::time::format_date(day)
                ),
            )?;
        }
    }
    for (out, p) in [
        (&mut roster, &paths[0]),
        (&mut certs, &paths[1]),
        (&mut events, &paths[2]),
    ] {
        out.flush().map_err(|e| io(p, e))?;
    }
    let rows = rows.map(|r| r - 1); // without the header lines
    let [roster, certifications, events] = paths;
    Ok(Generated {
        roster,
        certifications,
        events,
        rows,
    })
}

/// Convert a generated CSV file to Parquet beside it (all columns text, as the CSV), with
/// the engine; returns the new path.
pub async fn to_parquet(csv: &Path) -> Result<PathBuf, crate::BatchError> {
    use datafusion::dataframe::DataFrameWriteOptions;
    let ctx = datafusion::prelude::SessionContext::new();
    let text = csv.display().to_string();
    crate::inputs::register_file(&ctx, "t", &text).await?;
    let out = csv.with_extension("parquet");
    ctx.table("t")
        .await?
        .write_parquet(
            &out.display().to_string(),
            DataFrameWriteOptions::new().with_single_file_output(true),
            None,
        )
        .await?;
    Ok(out)
}
