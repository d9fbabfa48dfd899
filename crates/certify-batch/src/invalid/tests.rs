//! Tests of the invalid-row listing's helpers.

use super::*;

#[test]
fn the_set_answers_for_its_numbers_and_for_every_number_once_incomplete() {
    let mut a = UnreadableIds::default();
    a.add(Some("12345"));
    a.add(None);
    assert!(a.may_be_unreadable(Some("12345")));
    assert!(a.may_be_unreadable(None));
    assert!(!a.may_be_unreadable(Some("610526195503011236")));
    let mut b = UnreadableIds::default();
    b.add(Some("x1"));
    a.merge(b);
    assert!(a.may_be_unreadable(Some("x1")) && a.may_be_unreadable(Some("12345")));
    // A partition that stopped collecting makes the whole set answer "check it".
    a.merge(UnreadableIds {
        ids: HashSet::new(),
        complete: false,
    });
    assert!(a.may_be_unreadable(Some("610526195503011236")));
    a.add(Some("later"));
    assert!(a.ids.is_empty());
}

#[test]
fn an_event_row_is_checked_when_its_number_is_known_bad_or_its_other_fields_are_refused() {
    let mut ids = UnreadableIds::default();
    ids.add(Some("12345"));
    let ids = Some(&ids);
    let good = Some("610526195503011236");
    let bad_date = |d: Option<&'static str>| move || d.and_then(parse_date).is_none();
    assert!(!may_refuse(Table::Events, ids, good, bad_date(Some("2026-03-01"))));
    assert!(may_refuse(
        Table::Events,
        ids,
        Some("12345"),
        bad_date(Some("2026-03-01"))
    ));
    assert!(may_refuse(Table::Events, ids, good, bad_date(Some("2026-02-30"))));
    assert!(may_refuse(Table::Events, ids, good, bad_date(None)));
    assert!(may_refuse(Table::Events, ids, None, bad_date(Some("2026-03-01"))));
    // Without the comparison's set every row is parsed.
    assert!(may_refuse(Table::Events, None, good, bad_date(Some("2026-03-01"))));
    assert!(may_refuse(
        Table::Certifications,
        None,
        good,
        bad_date(Some("2026-03-01"))
    ));
    assert!(may_refuse(Table::Roster, None, good, bad_date(Some("2026-03-01"))));
    // A roster row: by its number alone (its other fields are read when it is listed).
    assert!(!may_refuse(Table::Roster, ids, good, bad_date(None)));
    assert!(may_refuse(
        Table::Roster,
        ids,
        Some("12345"),
        bad_date(Some("2026-03-01"))
    ));
    // Records are checked as feeds are.
    assert!(!may_refuse(
        Table::Certifications,
        ids,
        good,
        bad_date(Some("2026-03-01"))
    ));
    assert!(may_refuse(
        Table::Certifications,
        ids,
        good,
        bad_date(Some("2026-02-30"))
    ));
    assert!(may_refuse(
        Table::Certifications,
        ids,
        Some("12345"),
        bad_date(Some("2026-03-01"))
    ));
    // An event whose texts are refused: asked only when the number is not known bad.
    assert!(may_refuse(Table::Events, ids, good, || true));
}

#[test]
fn an_event_is_refused_for_its_texts_after_its_number_and_date() {
    let s = Scheme::Enterprise;
    let long = "R".repeat(129);
    let row = |id: &'static str, date: &'static str, source: &'static str, reference: &str| {
        refusal(
            Table::Events,
            &[Some(id), Some(date), Some("travel"), Some(source), Some(reference)],
            s,
        )
    };
    let good = "610526195503011236";
    assert_eq!(row(good, "2026-03-01", "12306", "T-1"), None);
    assert_eq!(
        row(good, "2026-03-01", "12306", &long).as_deref(),
        Some("reference: 129 characters, more than 128")
    );
    assert!(row(good, "2026-03-01", "", "T-1").unwrap().starts_with("source: empty"));
    assert!(row(good, "2026-02-30", "", &long).unwrap().starts_with("date:"));
    assert!(row("12345", "2026-03-01", "", &long).unwrap().starts_with("id_number:"));
    // Records have no such texts: the same fields are not checked there.
    let record = refusal(
        Table::Certifications,
        &[Some(good), Some("2026-03-01"), Some("travel"), Some(""), Some(&long)],
        s,
    );
    assert_eq!(record, None);
    // The Parquet path's per-row question agrees.
    let texts: Vec<Option<Text>> = ["travel", "", "T-1"]
        .iter()
        .map(|t| {
            let array: datafusion::arrow::array::ArrayRef =
                std::sync::Arc::new(datafusion::arrow::array::StringArray::from(vec![*t]));
            Some(Text::of(&array).unwrap())
        })
        .collect();
    assert!(texts_refused(Table::Events, &texts, 0));
    assert!(!texts_refused(Table::Certifications, &texts, 0));
}
