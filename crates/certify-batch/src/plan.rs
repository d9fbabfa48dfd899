//! The one query of a comparison job: every roster row beside the person's latest passed
//! certification and newest life event not after the run date, plus the groups that match
//! no roster row.
//!
//! Events, certifications and the roster are grouped and joined by the person the core's
//! parser reads in each number (a 15-digit number and its 18-digit form are one person;
//! [`crate::functions`] validates a run of rows with the same number once). Rows whose
//! number it cannot read form one group per table, which carries their numbers as written
//! ([`crate::distinct_texts`]).
//!
//! The two narrow aggregates (certifications and events per person) are joined first, so
//! the wide roster rows are shuffled and joined once. Groups that match no roster row stay
//! in the result (events and certifications of unknown people, and of unreadable
//! numbers), so nothing read is lost from the counts.
//!
//! SQL does joins and aggregation only. Which event certifies, and what the deadline run
//! does, the core decides per row ([`crate::decide`]).

use crate::newest::unescape_field;
use certify_core::time::format_date;
use std::borrow::Cow;
use time::Date;

/// Output columns of [`comparison_sql`], by name.
pub mod col {
    /// TRUE on roster rows, NULL on groups without one.
    pub const ON_ROSTER: &str = "on_roster";
    /// Roster text columns (as in [`crate::inputs::Table::Roster`]).
    pub const ROSTER: [&str; 9] = [
        "id_number",
        "name",
        "scheme",
        "unit",
        "monthly_pension",
        "pension_start",
        "status",
        "suspended_from",
        "suspension_reason",
    ];
    /// Where the roster row is: its file index times 2^[`crate::invalid::ROW_BITS`] plus its
    /// row index in the file (NULL: no roster row, or a file whose rows the reader does not
    /// number: [`crate::inputs::position_columns`]). Refused rows are listed from it.
    pub const ROSTER_POSITION: &str = "roster_position";
    /// Person key of the roster row (NULL: unreadable number, or no roster row).
    pub const ROSTER_PERSON: &str = "roster_person";
    /// Person key of the certification group.
    pub const CERT_PERSON: &str = "cert_person";
    /// On the group of certification rows whose number is unreadable (person NULL), the
    /// distinct numbers as written (a list; NULL on the other groups), for the second pass
    /// as [`EVENT_UNREADABLE_IDS`] is.
    pub const CERT_UNREADABLE_IDS: &str = "cert_unreadable_ids";
    /// The positions of the group's certification rows whose number or date is unreadable,
    /// as `file_index:row_index:reason␟id_number` texts ([`crate::distinct_texts`]; a list;
    /// NULL when there are none, or none the reader numbered:
    /// [`crate::inputs::position_columns`]).
    pub const CERT_UNREADABLE_ROWS: &str = "cert_unreadable_rows";
    /// Certification rows of the group (NULL: no certification side).
    pub const CERT_ROWS: &str = "cert_rows";
    /// Of which with an unreadable date.
    pub const CERT_BAD_DATES: &str = "cert_bad_dates";
    /// Latest passed certification not after the run date.
    pub const LAST_CERTIFIED: &str = "last_certified";
    /// Person key of the event group.
    pub const EVENT_PERSON: &str = "event_person";
    /// On the group of event rows whose number is unreadable (person NULL), the distinct
    /// numbers as written (a list, [`crate::distinct_texts`]; NULL on the other groups): the
    /// second pass lists the rows that carry these numbers without parsing every number
    /// again ([`crate::invalid`]).
    pub const EVENT_UNREADABLE_IDS: &str = "event_unreadable_ids";
    /// The same as [`CERT_UNREADABLE_ROWS`] for the group's event rows, with the rows whose
    /// texts the core refuses ([`EVENT_BAD_TEXTS`]) and their reason.
    pub const EVENT_UNREADABLE_ROWS: &str = "event_unreadable_rows";
    /// Event rows of the group (NULL: no event side).
    pub const EVENTS: &str = "events";
    /// Of which with an unreadable date.
    pub const EVENT_BAD_DATES: &str = "event_bad_dates";
    /// Of which with a readable date but texts the core refuses
    /// ([`crate::event_texts`]): not used, listed with the reason.
    pub const EVENT_BAD_TEXTS: &str = "event_bad_texts";
    /// Of which dated after the run date (not yet known to the run; texts taken).
    pub const EVENTS_AFTER_RUN: &str = "events_after_run";
    /// The newest event not after the run date whose texts the core takes, as `day␟source␟reference␟kind`
    /// ([`crate::newest`]; see [`super::split_newest`]). Of several events on that day, the
    /// greatest `source␟reference␟kind`.
    pub const EVENT_NEWEST: &str = "event_newest";
}

/// The comparison query for `run_date` over the views `roster`, `certifications`,
/// `events` ([`crate::inputs`]).
pub fn comparison_sql(run_date: Date) -> String {
    let run = format!("DATE '{}'", format_date(run_date));
    let file_unit = 1u64 << crate::invalid::ROW_BITS;
    format!(
        "WITH evn AS (
            SELECT person, certify_distinct_texts(id_number) FILTER (WHERE person IS NULL) AS event_unreadable_ids,
                   certify_row_positions(file_index, row_index, id_number,
                                         CASE WHEN person IS NOT NULL AND day IS NOT NULL THEN text_refusal END)
                       FILTER (WHERE person IS NULL OR day IS NULL OR text_refusal IS NOT NULL)
                       AS event_unreadable_rows,
                   count(*) AS events,
                   count(*) FILTER (WHERE day IS NULL) AS event_bad_dates,
                   count(*) FILTER (WHERE day IS NOT NULL AND text_refusal IS NOT NULL) AS event_bad_texts,
                   count(*) FILTER (WHERE day > {run} AND text_refusal IS NULL) AS events_after_run,
                   certify_newest_event(day, source, reference, kind) FILTER (WHERE day <= {run} AND text_refusal IS NULL)
                       AS event_newest
            FROM (SELECT certify_person(id_number) AS person, id_number, certify_day(date) AS day, kind, source, reference,
                         certify_event_refusal(kind, source, reference) AS text_refusal, file_index, row_index
                  FROM events)
            GROUP BY person
        ), ce AS (
            SELECT person, certify_distinct_texts(raw) FILTER (WHERE person IS NULL) AS cert_unreadable_ids,
                   certify_row_positions(file_index, row_index, raw, CAST(NULL AS VARCHAR)) FILTER (WHERE person IS NULL OR day IS NULL)
                       AS cert_unreadable_rows,
                   count(*) AS cert_rows,
                   count(*) FILTER (WHERE day IS NULL) AS cert_bad_dates,
                   max(day) FILTER (WHERE day <= {run} AND passed) AS last_certified
            FROM (
                SELECT certify_person(id_number) AS person, id_number AS raw, certify_day(date) AS day,
                       (outcome IS NULL OR trim(outcome) IN ('', 'passed')) AS passed, file_index, row_index
                FROM certifications
            ) GROUP BY person
        ), side AS (
            SELECT coalesce(ce.person, evn.person) AS person,
                   ce.person AS cert_person, ce.cert_unreadable_ids, ce.cert_unreadable_rows, ce.cert_rows, ce.cert_bad_dates, ce.last_certified,
                   evn.person AS event_person, evn.event_unreadable_ids, evn.event_unreadable_rows, evn.events, evn.event_bad_dates,
                   evn.event_bad_texts, evn.events_after_run, evn.event_newest
            FROM ce FULL JOIN evn ON ce.person = evn.person
        ), ro AS (
            SELECT certify_person(id_number) AS person, TRUE AS on_roster, id_number, name, scheme, unit,
                   monthly_pension, pension_start, status, suspended_from, suspension_reason,
                   file_index * {file_unit} + row_index AS roster_position
            FROM roster
        )
        SELECT ro.on_roster, ro.person AS roster_person, ro.roster_position, ro.id_number, ro.name, ro.scheme, ro.unit, ro.monthly_pension, ro.pension_start,
               ro.status, ro.suspended_from, ro.suspension_reason,
               side.cert_person, side.cert_unreadable_ids, side.cert_unreadable_rows, side.cert_rows, side.cert_bad_dates, side.last_certified,
               side.event_person, side.event_unreadable_ids, side.event_unreadable_rows, side.events, side.event_bad_dates,
               side.event_bad_texts, side.events_after_run, side.event_newest
        FROM ro FULL JOIN side ON ro.person = side.person"
    )
}

/// People on the roster more than once, with their row counts: a roster-only aggregate of
/// one column, run before the comparison (a window over the wide rows would sort them once
/// more, under the same memory limit).
pub const REPEATED_PEOPLE_SQL: &str = "SELECT certify_person(id_number) AS person, count(*) AS roster_rows
    FROM roster WHERE certify_person(id_number) IS NOT NULL
    GROUP BY certify_person(id_number) HAVING count(*) > 1";

/// The parts of an [`col::EVENT_NEWEST`] value: day, source, reference (unescaped), kind
/// (the rest, U+001F and all).
pub fn split_newest(value: &str) -> Option<(Date, Cow<'_, str>, Cow<'_, str>, &str)> {
    let mut parts = value.splitn(4, '\u{1f}');
    let day = certify_core::time::parse_date(parts.next()?)?;
    Some((
        day,
        unescape_field(parts.next()?),
        unescape_field(parts.next()?),
        parts.next()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_holding_the_separator_or_backslashes_come_back_whole() {
        let value = "2026-03-01\u{1f}rail\\u\u{1f}\\\\x\\u\u{1f}travel\u{1f}x";
        let (day, source, reference, kind) = split_newest(value).unwrap();
        assert_eq!(day, time::macros::date!(2026 - 03 - 01));
        assert_eq!(
            (&*source, &*reference, kind),
            ("rail\u{1f}", "\\x\u{1f}", "travel\u{1f}x")
        );
        let (_, plain, _, _) = split_newest("2026-03-01\u{1f}rail\u{1f}r1\u{1f}travel").unwrap();
        assert!(matches!(plain, Cow::Borrowed("rail")));
        assert!(split_newest("2026-03-01\u{1f}rail").is_none());
    }
}
