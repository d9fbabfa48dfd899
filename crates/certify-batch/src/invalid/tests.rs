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
fn an_event_row_is_checked_when_its_number_is_known_bad_or_its_date_does_not_read() {
    let mut ids = UnreadableIds::default();
    ids.add(Some("12345"));
    let ids = Some(&ids);
    let good = Some("610526195503011236");
    let reads = |d: Option<&'static str>| move || d.and_then(parse_date).is_some();
    assert!(!may_refuse(Table::Events, ids, good, reads(Some("2026-03-01"))));
    assert!(may_refuse(Table::Events, ids, Some("12345"), reads(Some("2026-03-01"))));
    assert!(may_refuse(Table::Events, ids, good, reads(Some("2026-02-30"))));
    assert!(may_refuse(Table::Events, ids, good, reads(None)));
    assert!(may_refuse(Table::Events, ids, None, reads(Some("2026-03-01"))));
    // Without the comparison's set every row is parsed.
    assert!(may_refuse(Table::Events, None, good, reads(Some("2026-03-01"))));
    assert!(may_refuse(Table::Certifications, None, good, reads(Some("2026-03-01"))));
    assert!(may_refuse(Table::Roster, None, good, reads(Some("2026-03-01"))));
    // A roster row: by its number alone (its other fields are read when it is listed).
    assert!(!may_refuse(Table::Roster, ids, good, reads(None)));
    assert!(may_refuse(Table::Roster, ids, Some("12345"), reads(Some("2026-03-01"))));
    // Records are checked as feeds are.
    assert!(!may_refuse(Table::Certifications, ids, good, reads(Some("2026-03-01"))));
    assert!(may_refuse(Table::Certifications, ids, good, reads(Some("2026-02-30"))));
    assert!(may_refuse(
        Table::Certifications,
        ids,
        Some("12345"),
        reads(Some("2026-03-01"))
    ));
}
