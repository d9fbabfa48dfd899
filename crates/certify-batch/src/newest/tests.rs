//! Tests of the newest-event aggregate.

use super::*;
use certify_core::time::format_date;
use datafusion::arrow::array::{Int64Array, RecordBatch};
use datafusion::arrow::datatypes::Schema;
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use std::collections::BTreeMap;

const TEXTS: [&str; 5] = ["a", "b", "a\u{1f}", "\\", ""];

/// `(group, day, source, reference, kind)`.
type Row = (
    i64,
    Option<i32>,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

/// Rows from a fixed linear congruential sequence.
fn rows(n: usize) -> Vec<Row> {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |m: u64| {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 33) % m
    };
    (0..n)
        .map(|_| {
            let text = |r: u64| (r < 5).then(|| TEXTS[r as usize]);
            let g = next(30) as i64;
            let day = (next(8) != 0).then(|| 20_000 + next(6) as i32);
            (g, day, text(next(6)), text(next(6)), text(next(6)))
        })
        .collect()
}

/// The value `max(concat(day, ␟, escaped source, ␟, escaped reference, ␟, kind))` gives.
fn concatenated(day: i32, s: Option<&str>, r: Option<&str>, k: Option<&str>) -> String {
    let d = crate::functions::from_date32(day).map(format_date).unwrap_or_default();
    let mut out = format!("{d}\u{1f}");
    escape_into(s.unwrap_or(""), &mut out);
    out.push('\u{1f}');
    escape_into(r.unwrap_or(""), &mut out);
    out.push('\u{1f}');
    out.push_str(k.unwrap_or(""));
    out
}

async fn session(data: &[Row]) -> SessionContext {
    let schema = Arc::new(Schema::new(vec![
        Field::new("g", DataType::Int64, false),
        Field::new("day", DataType::Date32, true),
        Field::new("source", DataType::Utf8, true),
        Field::new("reference", DataType::Utf8, true),
        Field::new("kind", DataType::Utf8, true),
    ]));
    // Four partitions of small batches: partial aggregates, then merged.
    let partitions = data
        .chunks(data.len().div_ceil(4))
        .map(|part| {
            part.chunks(7)
                .map(|c| {
                    let columns: Vec<ArrayRef> = vec![
                        Arc::new(c.iter().map(|r| r.0).collect::<Int64Array>()),
                        Arc::new(c.iter().map(|r| r.1).collect::<Date32Array>()),
                        Arc::new(c.iter().map(|r| r.2).collect::<StringArray>()),
                        Arc::new(c.iter().map(|r| r.3).collect::<StringArray>()),
                        Arc::new(c.iter().map(|r| r.4).collect::<StringArray>()),
                    ];
                    RecordBatch::try_new(schema.clone(), columns).expect("batch")
                })
                .collect()
        })
        .collect();
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(3).with_batch_size(5));
    ctx.register_udaf(udaf().as_ref().clone());
    let table = MemTable::try_new(schema, partitions).expect("table");
    ctx.register_table("t", Arc::new(table)).expect("register");
    ctx
}

#[tokio::test]
async fn it_keeps_what_max_over_the_concatenated_text_kept() -> Result<()> {
    let data = rows(600);
    let last_day = 20_003;
    let mut want: BTreeMap<i64, String> = BTreeMap::new();
    for &(g, day, s, r, k) in &data {
        if let Some(day) = day.filter(|&d| d <= last_day) {
            let value = concatenated(day, s, r, k);
            let entry = want.entry(g).or_default();
            if value > *entry {
                *entry = value;
            }
        }
    }
    let ctx = session(&data).await;
    // Views as the Parquet reader hands them over, for one of the columns.
    let sql = format!(
        "SELECT g, {NAME}(day, source, arrow_cast(reference, 'Utf8View'), kind) \
         FILTER (WHERE day <= arrow_cast({last_day}, 'Date32')) AS newest FROM t GROUP BY g ORDER BY g"
    );
    let mut got = BTreeMap::new();
    for batch in ctx.sql(&sql).await?.collect().await? {
        let (g, newest) = (
            batch
                .column(0)
                .as_primitive::<datafusion::arrow::datatypes::Int64Type>(),
            batch.column(1).as_string::<i32>(),
        );
        for i in 0..batch.num_rows() {
            if newest.is_valid(i) {
                got.insert(g.value(i), newest.value(i).to_owned());
            }
        }
    }
    assert_eq!(got.len(), 30);
    assert_eq!(got, want);
    // Without GROUP BY (the one-group accumulator), and with nothing left by the filter.
    let overall = ctx
        .sql(&format!("SELECT {NAME}(day, source, reference, kind) FROM t"))
        .await?
        .collect()
        .await?;
    let best = data
        .iter()
        .filter_map(|&(_, d, s, r, k)| d.map(|d| concatenated(d, s, r, k)))
        .max();
    assert_eq!(
        overall[0].column(0).as_string::<i32>().iter().next().flatten(),
        best.as_deref()
    );
    let none = ctx
        .sql(&format!(
            "SELECT {NAME}(day, source, reference, kind) FILTER (WHERE g < 0) FROM t"
        ))
        .await?
        .collect()
        .await?;
    assert!(none[0].column(0).is_null(0));
    // Other arguments than an event's four are an error, not a wrong answer.
    let bad = ctx.sql(&format!("SELECT {NAME}(source) FROM t")).await;
    assert!(bad.is_err());
    Ok(())
}

#[test]
fn texts_replaced_many_times_are_compacted_and_kept_right() {
    // Group 0 gets ever newer events (each replacing the last: dead arena bytes pile
    // up); group 1 keeps its first; group 2 gets ties on one day, the greatest text
    // winning. Several rebuilds of the arena happen on the way.
    let mut groups = Groups::default();
    groups.grow(3);
    let pack = |t: String| move |out: &mut String| out.push_str(&t);
    groups.offer(1, 5, pack("keep␟me␟travel".to_owned()));
    let mut peak = 0;
    for i in 0..100_000 {
        groups.offer(0, 10 + i, pack(format!("source-{i:06}␟reference␟travel")));
        groups.offer(2, 7, pack(format!("tie-{:06}", (i * 7919) % 100_000)));
        peak = peak.max(groups.arena.len());
    }
    assert!(peak <= ARENA_SLACK + 1024, "arena grew to {peak} bytes");
    let out = groups.evaluate(EmitTo::All).unwrap();
    let out = out.as_string::<i32>();
    let date = |d: i32| format_date(crate::functions::from_date32(d).unwrap());
    assert_eq!(
        out.value(0),
        format!("{}\u{1f}source-099999␟reference␟travel", date(10 + 99_999))
    );
    assert_eq!(out.value(1), format!("{}\u{1f}keep␟me␟travel", date(5)));
    assert_eq!(out.value(2), format!("{}\u{1f}tie-099999", date(7)));
    // Everything emitted: nothing kept.
    assert_eq!((groups.arena.capacity(), groups.live), (0, 0));
}

#[test]
fn escaped_text_reads_back_whole() {
    for text in ["rail", "a\u{1f}b\\c", "\\u", "\u{1f}\u{1f}\\", ""] {
        let mut out = String::new();
        escape_into(text, &mut out);
        assert!(!out.contains('\u{1f}'));
        assert_eq!(unescape_field(&out), text);
    }
}
