//! Tests of the distinct-texts aggregate.

use super::*;
use datafusion::arrow::array::{Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::Schema;
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use std::collections::{BTreeMap, BTreeSet};

/// `(group, text, counts)`: rows of three groups, texts repeated within and across groups
/// and partitions, some NULL, some left out by the FILTER.
fn rows() -> Vec<(i64, Option<String>, bool)> {
    (0..500i64)
        .map(|i| {
            let text = (i % 11 != 0).then(|| format!("t{}", (i * 7) % 23));
            (i % 3, text, i % 5 != 0)
        })
        .collect()
}

async fn session(data: &[(i64, Option<String>, bool)]) -> SessionContext {
    let schema = Arc::new(Schema::new(vec![
        Field::new("g", DataType::Int64, false),
        Field::new("text", DataType::Utf8, true),
        Field::new("counts", DataType::Boolean, false),
    ]));
    // Three partitions of small batches: partial aggregates, then merged.
    let partitions = data
        .chunks(data.len().div_ceil(3))
        .map(|part| {
            part.chunks(9)
                .map(|c| {
                    let columns: Vec<ArrayRef> = vec![
                        Arc::new(c.iter().map(|r| r.0).collect::<Int64Array>()),
                        Arc::new(c.iter().map(|r| r.1.as_deref()).collect::<StringArray>()),
                        Arc::new(c.iter().map(|r| Some(r.2)).collect::<BooleanArray>()),
                    ];
                    RecordBatch::try_new(schema.clone(), columns).expect("batch")
                })
                .collect()
        })
        .collect();
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(3).with_batch_size(4));
    ctx.register_udaf(udaf().as_ref().clone());
    let table = MemTable::try_new(schema, partitions).expect("table");
    ctx.register_table("t", Arc::new(table)).expect("register");
    ctx
}

fn texts(list: &ListArray, i: usize) -> Option<BTreeSet<String>> {
    list.is_valid(i).then(|| {
        let texts = Text::of(&list.value(i)).expect("texts");
        (0..texts.len())
            .filter_map(|j| texts.get(j).map(str::to_owned))
            .collect()
    })
}

#[tokio::test]
async fn each_group_gets_its_distinct_texts_once() -> Result<()> {
    let data = rows();
    let mut want: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    for (g, text, counts) in &data {
        if let (Some(text), true) = (text, counts) {
            want.entry(*g).or_default().insert(text.clone());
        }
    }
    let ctx = session(&data).await;
    let sql = format!("SELECT g, {NAME}(text) FILTER (WHERE counts) FROM t GROUP BY g ORDER BY g");
    let mut got = BTreeMap::new();
    for batch in ctx.sql(&sql).await?.collect().await? {
        let g = batch
            .column(0)
            .as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        let list = batch.column(1).as_list::<i32>();
        for i in 0..batch.num_rows() {
            got.insert(g.value(i), texts(list, i).expect("every group has texts"));
        }
    }
    assert_eq!(got.len(), 3);
    assert_eq!(got, want);
    // A group whose rows the FILTER leaves out, or whose texts are all NULL: NULL.
    let none = ctx
        .sql(&format!(
            "SELECT g, {NAME}(text) FILTER (WHERE g = 0) AS a, {NAME}(CAST(NULL AS VARCHAR)) AS b \
             FROM t GROUP BY g ORDER BY g"
        ))
        .await?
        .collect()
        .await?;
    let a = none[0].column(1).as_list::<i32>();
    let b = none[0].column(2).as_list::<i32>();
    assert_eq!(texts(a, 0), want.get(&0).cloned());
    assert!(a.is_null(1) && a.is_null(2));
    assert!(b.is_null(0) && b.is_null(1) && b.is_null(2));
    // Without GROUP BY.
    let all = ctx.sql(&format!("SELECT {NAME}(text) FROM t")).await?.collect().await?;
    let every: BTreeSet<String> = data.iter().filter_map(|r| r.1.clone()).collect();
    assert_eq!(texts(all[0].column(0).as_list::<i32>(), 0), Some(every));
    Ok(())
}

#[test]
fn a_group_keeps_one_text_more_than_the_limit_and_no_more() {
    let mut groups = Groups {
        groups: 2,
        ..Groups::default()
    };
    for i in 0..LIMIT + 10 {
        groups.add(0, &format!("{i}"));
    }
    groups.add(1, "only");
    groups.add(1, "only");
    let out = groups.emit(EmitTo::All);
    let out = out.as_list::<i32>();
    assert_eq!(out.value(0).len(), LIMIT + 1);
    assert_eq!(texts(out, 1), Some(BTreeSet::from(["only".to_owned()])));
    assert_eq!(groups.held, 0);
}

#[test]
fn emitting_the_first_groups_moves_the_rest_to_the_front() {
    let mut groups = Groups {
        groups: 6,
        ..Groups::default()
    };
    for (g, text) in [(0, "a"), (3, "b"), (5, "c"), (5, "d")] {
        groups.add(g, text);
    }
    let first = groups.emit(EmitTo::First(4));
    let first = first.as_list::<i32>();
    assert_eq!(first.len(), 4);
    assert_eq!(texts(first, 0), Some(BTreeSet::from(["a".to_owned()])));
    assert!(first.is_null(1) && first.is_null(2));
    assert_eq!(texts(first, 3), Some(BTreeSet::from(["b".to_owned()])));
    let rest = groups.emit(EmitTo::All);
    let rest = rest.as_list::<i32>();
    assert_eq!(rest.len(), 2);
    assert!(rest.is_null(0));
    assert_eq!(texts(rest, 1), Some(BTreeSet::from(["c".to_owned(), "d".to_owned()])));
    assert_eq!((groups.groups, groups.held), (0, 0));
}

/// `(group, file, row, number as written, filtered in)`.
type PositionRow = (i64, Option<i64>, Option<i64>, Option<&'static str>, bool);

#[tokio::test]
async fn positions_are_kept_for_the_filtered_rows_that_have_them() -> Result<()> {
    let data: Vec<PositionRow> = (0..60i64)
        .map(|i| {
            let row = (i % 13 != 0).then_some(i);
            let id = (i % 7 != 0).then_some(if i % 2 == 0 { "12345" } else { "a:b c" });
            (i % 4, Some(i % 2), row, id, i % 3 != 0)
        })
        .collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("g", DataType::Int64, false),
        Field::new("file", DataType::Int64, true),
        Field::new("row", DataType::Int64, true),
        Field::new("id", DataType::Utf8, true),
        Field::new("keep", DataType::Boolean, false),
    ]));
    let partitions = data
        .chunks(20)
        .map(|part| {
            part.chunks(7)
                .map(|c| {
                    let columns: Vec<ArrayRef> = vec![
                        Arc::new(c.iter().map(|r| r.0).collect::<Int64Array>()),
                        Arc::new(c.iter().map(|r| r.1).collect::<Int64Array>()),
                        Arc::new(c.iter().map(|r| r.2).collect::<Int64Array>()),
                        Arc::new(c.iter().map(|r| r.3).collect::<StringArray>()),
                        Arc::new(c.iter().map(|r| Some(r.4)).collect::<BooleanArray>()),
                    ];
                    RecordBatch::try_new(schema.clone(), columns).expect("batch")
                })
                .collect()
        })
        .collect();
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(3).with_batch_size(4));
    ctx.register_udaf(positions_udaf().as_ref().clone());
    ctx.register_table("t", Arc::new(MemTable::try_new(schema, partitions)?))?;
    let mut want: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    for &(g, file, row, id, keep) in &data {
        if let (Some(file), Some(row), true) = (file, row, keep) {
            want.entry(g).or_default().insert(format!(
                "{file}:{row}:{}\u{1f}{}",
                if row % 2 == 0 { "why: even" } else { "" },
                id.unwrap_or("")
            ));
        }
    }
    let sql = format!(
        "SELECT g, {POSITIONS}(file, row, id, CASE WHEN row % 2 = 0 THEN 'why: even' END) FILTER (WHERE keep)
         FROM t GROUP BY g ORDER BY g"
    );
    let mut got = BTreeMap::new();
    for batch in ctx.sql(&sql).await?.collect().await? {
        let g = batch
            .column(0)
            .as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        let list = batch.column(1).as_list::<i32>();
        for i in 0..batch.num_rows() {
            got.insert(g.value(i), texts(list, i).expect("every group has positions"));
        }
    }
    assert_eq!(got, want);
    // Each text reads back as its parts, a number holding ':' and ' ' whole, a reason
    // holding ':' whole.
    assert_eq!(split_position("1:42:\u{1f}a:b c"), Some((1, 42, None, "a:b c")));
    assert_eq!(split_position("0:7:\u{1f}"), Some((0, 7, None, "")));
    assert_eq!(
        split_position("0:7:reference: 200 characters\u{1f}61:0\u{1f}"),
        Some((0, 7, Some("reference: 200 characters"), "61:0\u{1f}"))
    );
    assert_eq!(split_position("x:7:\u{1f}1"), None);
    assert_eq!(split_position("0:7:1"), None);
    Ok(())
}

#[test]
fn one_accumulator_keeps_at_most_the_limit_of_positions() {
    let mut groups = Groups::new(Kind::Positions);
    groups.count = LIMIT - 1;
    groups.add(0, "0:1:x");
    groups.add(1, "0:2:x");
    assert_eq!(groups.count, LIMIT);
    assert_eq!(groups.sets.values().map(HashSet::len).sum::<usize>(), 1);
    // The distinct-texts kind is bounded per group only.
    let mut texts = Groups::new(Kind::Texts);
    texts.count = LIMIT;
    texts.add(0, "x");
    assert_eq!(texts.sets.values().map(HashSet::len).sum::<usize>(), 1);
}
