//! The per-row stage: each joined row of [`crate::plan`] goes to the core
//! ([`decide_person`]), and what it decides becomes lines of the output lists and counts
//! of the summary. Runs once per partition, in parallel; [`Tally::merge`] adds partitions.

use crate::functions::{Text, from_date32};
use crate::output::{Lines, RunLine};
use crate::plan::col;
use certify_core::comparison::{Standing, decide_person};
use certify_core::cycle::CyclePolicy;
use certify_core::deadline::{RunDecision, RunRules, RunSummary};
use certify_core::id::ResidentId;
use certify_core::payroll::{PayrollFields, parse_payroll_row, parse_scheme};
use certify_core::roster::Scheme;
use certify_core::time::format_date;
use datafusion::arrow::array::{Array, AsArray, ListArray, PrimitiveArray, RecordBatch};
use datafusion::arrow::datatypes::{ArrowPrimitiveType, Date32Type, Int64Type, UInt64Type};
use datafusion::common::{DataFusionError, Result};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use time::Date;

/// What every partition needs to decide rows.
#[derive(Debug, Clone)]
pub struct Rules {
    /// The region's cycle policy.
    pub policy: CyclePolicy,
    /// What the run does by itself.
    pub run: RunRules,
    /// The scheme this run covers; roster rows of other schemes are counted and skipped.
    pub scheme: Scheme,
    /// The run date.
    pub run_date: Date,
    /// "Due soon": deadline within this many days of the run date.
    pub remind_days: i64,
    /// People on the roster more than once, with their row counts
    /// ([`crate::plan::REPEATED_PEOPLE_SQL`]).
    pub repeated: HashMap<u64, u64>,
}

/// Counts of one partition or of the whole job.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    /// Roster rows read.
    pub roster_rows: u64,
    /// Roster rows the core's parser refused (listed in `invalid_rows.csv`).
    pub roster_invalid: u64,
    /// Roster rows of another scheme, skipped.
    pub other_scheme_rows: u64,
    /// The deadline run's counts and totals.
    #[serde(flatten)]
    pub run: RunSummary,
    /// People certified by a life event in this job.
    pub certified_by_events: u64,
    /// Newest events that did not certify, by the core's reason code.
    pub events_refused: BTreeMap<String, u64>,
    /// People still to certify after the job (due, newly or still suspended).
    pub uncertified: u64,
    /// Of the due, those whose deadline is within the reminder window.
    pub due_soon: u64,
    /// Event rows read.
    pub events_read: u64,
    /// Event rows with an unreadable identity number.
    pub events_invalid_id: u64,
    /// Event rows with an unreadable date.
    pub events_invalid_date: u64,
    /// Event rows whose kind, source or reference the core refuses (too long, a control
    /// character, no source: [`certify_core::life_event`]); listed in `invalid_rows.csv`
    /// with the reason, never used.
    pub events_invalid_text: u64,
    /// Event rows dated after the run date (not used by this run).
    pub events_after_run_date: u64,
    /// Event rows of people not on the roster.
    pub events_unknown_people: u64,
    /// People not on the roster who appear in the feeds.
    pub unknown_people: u64,
    /// Certification rows read.
    pub certifications_read: u64,
    /// Certification rows with an unreadable identity number or date.
    pub certifications_invalid: u64,
    /// Certification rows of people not on the roster.
    pub certifications_unknown_people: u64,
    /// People on the roster more than once (a data error: a pension paid twice; listed in
    /// `duplicate_people.csv`). Their records, events, certification, standing and
    /// reminders are counted and listed once; the deadline run decides each row, as
    /// `certify cycle run` does.
    pub duplicate_people: u64,
    /// Uncertified people per unit (units chase them: seed 003 §四.1).
    pub uncertified_by_unit: BTreeMap<String, u64>,
    /// The unreadable identity numbers of the feeds, as written, for the listing of their
    /// rows (not in the summary).
    #[serde(skip)]
    pub unreadable_event_ids: crate::invalid::UnreadableIds,
    /// The same for the certification records.
    #[serde(skip)]
    pub unreadable_certification_ids: crate::invalid::UnreadableIds,
    /// Where the unreadable event rows are, as far as the comparison found them.
    #[serde(skip)]
    pub unreadable_event_rows: crate::invalid::RowPositions,
    /// The same for the certification records.
    #[serde(skip)]
    pub unreadable_certification_rows: crate::invalid::RowPositions,
    /// Where the refused roster rows are, as far as the comparison found them.
    #[serde(skip)]
    pub refused_roster_rows: crate::invalid::RowPositions,
    /// The identity numbers, as written, of the roster rows the core refused (for any of
    /// their fields).
    #[serde(skip)]
    pub refused_roster_ids: crate::invalid::UnreadableIds,
}

impl Tally {
    /// Add another partition's counts.
    pub fn merge(&mut self, o: Tally) {
        self.roster_rows += o.roster_rows;
        self.roster_invalid += o.roster_invalid;
        self.other_scheme_rows += o.other_scheme_rows;
        self.run.merge(&o.run);
        self.certified_by_events += o.certified_by_events;
        for (k, v) in o.events_refused {
            *self.events_refused.entry(k).or_default() += v;
        }
        self.uncertified += o.uncertified;
        self.due_soon += o.due_soon;
        self.events_read += o.events_read;
        self.events_invalid_id += o.events_invalid_id;
        self.events_invalid_date += o.events_invalid_date;
        self.events_invalid_text += o.events_invalid_text;
        self.events_after_run_date += o.events_after_run_date;
        self.events_unknown_people += o.events_unknown_people;
        self.unknown_people += o.unknown_people;
        self.certifications_read += o.certifications_read;
        self.certifications_invalid += o.certifications_invalid;
        self.certifications_unknown_people += o.certifications_unknown_people;
        self.duplicate_people += o.duplicate_people;
        for (k, v) in o.uncertified_by_unit {
            *self.uncertified_by_unit.entry(k).or_default() += v;
        }
        self.unreadable_event_ids.merge(o.unreadable_event_ids);
        self.unreadable_certification_ids.merge(o.unreadable_certification_ids);
        self.refused_roster_ids.merge(o.refused_roster_ids);
        self.refused_roster_rows.merge(o.refused_roster_rows);
        self.unreadable_event_rows.merge(o.unreadable_event_rows);
        self.unreadable_certification_rows
            .merge(o.unreadable_certification_rows);
    }
}

/// People on the roster more than once, as one partition has met them. Every row of a
/// person is in the same partition (the query's last join partitions by person), so what
/// is counted once per person here is counted once in the job.
#[derive(Debug, Default)]
pub struct Repeats {
    /// Met at least once: their records and events are counted.
    met: HashSet<u64>,
    /// An in-scheme, readable row was decided: the event's refusal and the person's
    /// standing (uncertified, due soon) are counted from it.
    decided: HashSet<u64>,
    /// Certified by an event: the certification line is written.
    certified: HashSet<u64>,
}

/// A text column as it comes (plain strings or the Parquet reader's views, read without
/// a copy; other types cast to text).
fn text(batch: &RecordBatch, name: &str) -> Result<Text> {
    Text::of(batch.column_by_name(name).ok_or_else(|| missing(name))?)
}

/// A numeric or date column of the comparison query.
fn primitive<T: ArrowPrimitiveType>(batch: &RecordBatch, name: &str) -> Result<PrimitiveArray<T>> {
    let c = batch.column_by_name(name).ok_or_else(|| missing(name))?;
    c.as_primitive_opt::<T>()
        .cloned()
        .ok_or_else(|| DataFusionError::Internal(format!("comparison query: {name} has type {}", c.data_type())))
}

/// A list-of-texts column of the comparison query.
fn lists<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a ListArray> {
    let column = batch.column_by_name(name).ok_or_else(|| missing(name))?;
    column
        .as_list_opt::<i32>()
        .ok_or_else(|| DataFusionError::Internal(format!("{name}: expected a list, found {}", column.data_type())))
}

/// Note the texts of row `i` of `lists` (none if it is NULL).
fn add_texts(ids: &mut crate::invalid::UnreadableIds, lists: &ListArray, i: usize) -> Result<()> {
    if lists.is_valid(i) {
        let texts = Text::of(&lists.value(i))?;
        for j in 0..texts.len() {
            ids.add(texts.get(j));
        }
    }
    Ok(())
}

/// Note the positions of row `i` of `lists` (none if it is NULL).
fn add_positions(positions: &mut crate::invalid::RowPositions, lists: &ListArray, i: usize) -> Result<()> {
    if lists.is_valid(i) {
        let texts = Text::of(&lists.value(i))?;
        for j in 0..texts.len() {
            if !texts.get(j).is_some_and(|t| positions.add(t)) {
                return Err(DataFusionError::Internal(format!(
                    "not a row position: {:?}",
                    texts.get(j)
                )));
            }
        }
    }
    Ok(())
}

fn missing(name: &str) -> DataFusionError {
    DataFusionError::Internal(format!("comparison query lost column {name}"))
}

fn get(a: &Text, i: usize) -> Option<&str> {
    a.get(i).map(str::trim)
}

/// Decide every row of one batch, appending list lines to `lines` and counts to `tally`.
pub fn decide_batch(
    rules: &Rules,
    batch: &RecordBatch,
    lines: &mut Lines,
    tally: &mut Tally,
    repeats: &mut Repeats,
) -> Result<()> {
    let r: Vec<Text> = col::ROSTER.iter().map(|n| text(batch, n)).collect::<Result<_>>()?;
    let [id, name, scheme, unit, monthly, start, status, susp_from, susp_reason] =
        [0, 1, 2, 3, 4, 5, 6, 7, 8].map(|i| &r[i]);
    let on_roster = batch
        .column_by_name(col::ON_ROSTER)
        .ok_or_else(|| missing(col::ON_ROSTER))?;
    let roster_person = primitive::<UInt64Type>(batch, col::ROSTER_PERSON)?;
    let roster_position = primitive::<Int64Type>(batch, col::ROSTER_POSITION)?;
    let cert_person = primitive::<UInt64Type>(batch, col::CERT_PERSON)?;
    let cert_unreadable_ids = lists(batch, col::CERT_UNREADABLE_IDS)?;
    let cert_unreadable_rows = lists(batch, col::CERT_UNREADABLE_ROWS)?;
    let cert_rows = primitive::<Int64Type>(batch, col::CERT_ROWS)?;
    let cert_bad = primitive::<Int64Type>(batch, col::CERT_BAD_DATES)?;
    let last_certified = primitive::<Date32Type>(batch, col::LAST_CERTIFIED)?;
    let event_person = primitive::<UInt64Type>(batch, col::EVENT_PERSON)?;
    let event_unreadable_ids = lists(batch, col::EVENT_UNREADABLE_IDS)?;
    let event_unreadable_rows = lists(batch, col::EVENT_UNREADABLE_ROWS)?;
    let events = primitive::<Int64Type>(batch, col::EVENTS)?;
    let ev_bad = primitive::<Int64Type>(batch, col::EVENT_BAD_DATES)?;
    let ev_bad_texts = primitive::<Int64Type>(batch, col::EVENT_BAD_TEXTS)?;
    let ev_after = primitive::<Int64Type>(batch, col::EVENTS_AFTER_RUN)?;
    let event_newest = text(batch, col::EVENT_NEWEST)?;
    let count = |a: &datafusion::arrow::array::Int64Array, i: usize| if a.is_valid(i) { a.value(i) as u64 } else { 0 };

    for i in 0..batch.num_rows() {
        // A person on the roster more than once: the side groups are joined to every row.
        let copies = roster_person
            .is_valid(i)
            .then(|| {
                rules
                    .repeated
                    .get(&roster_person.value(i))
                    .map(|n| (roster_person.value(i), *n))
            })
            .flatten();
        let repeated = copies.map(|(key, _)| key);
        let first_row = repeated.is_none_or(|key| repeats.met.insert(key));
        if let (Some((key, rows)), true) = (copies, first_row) {
            tally.duplicate_people += 1;
            let number = ResidentId::from_u64(key).map(|id| id.to_string()).unwrap_or_default();
            lines.duplicate_person(&number, rows);
        }
        // Certification and event groups: counted whether or not a roster row matched.
        if cert_rows.is_valid(i) && first_row {
            tally.certifications_read += count(&cert_rows, i);
            add_positions(&mut tally.unreadable_certification_rows, cert_unreadable_rows, i)?;
            if cert_person.is_null(i) {
                tally.certifications_invalid += count(&cert_rows, i);
                add_texts(&mut tally.unreadable_certification_ids, cert_unreadable_ids, i)?;
            } else {
                tally.certifications_invalid += count(&cert_bad, i);
            }
        }
        if events.is_valid(i) && first_row {
            tally.events_read += count(&events, i);
            add_positions(&mut tally.unreadable_event_rows, event_unreadable_rows, i)?;
            if event_person.is_null(i) {
                tally.events_invalid_id += count(&events, i);
                add_texts(&mut tally.unreadable_event_ids, event_unreadable_ids, i)?;
            } else {
                tally.events_invalid_date += count(&ev_bad, i);
                tally.events_invalid_text += count(&ev_bad_texts, i);
                tally.events_after_run_date += count(&ev_after, i);
            }
        }
        if on_roster.is_null(i) {
            // No roster row: people the feeds or records know and the roster does not.
            let person = if event_person.is_valid(i) {
                Some(event_person.value(i))
            } else if cert_person.is_valid(i) {
                Some(cert_person.value(i))
            } else {
                None
            };
            if let Some(key) = person {
                if events.is_valid(i) && event_person.is_valid(i) {
                    tally.events_unknown_people += count(&events, i) - count(&ev_bad, i) - count(&ev_bad_texts, i);
                }
                if cert_rows.is_valid(i) && cert_person.is_valid(i) {
                    tally.certifications_unknown_people += count(&cert_rows, i) - count(&cert_bad, i);
                }
                tally.unknown_people += 1;
                let number = ResidentId::from_u64(key).map(|id| id.to_string()).unwrap_or_default();
                lines.unknown_person(&number, count(&events, i), count(&cert_rows, i));
            }
            continue;
        }

        tally.roster_rows += 1;
        let scheme_text = get(scheme, i).unwrap_or("");
        if !scheme_text.is_empty() && parse_scheme(scheme_text).ok() != Some(rules.scheme) {
            tally.other_scheme_rows += 1;
            continue;
        }
        let fields = PayrollFields {
            id_number: get(id, i).unwrap_or(""),
            name: get(name, i),
            scheme: get(scheme, i),
            unit: get(unit, i),
            monthly_pension: get(monthly, i).unwrap_or(""),
            pension_start: get(start, i).unwrap_or(""),
            status: get(status, i),
            suspended_from: get(susp_from, i),
            suspension_reason: get(susp_reason, i),
        };
        let row = match parse_payroll_row(&fields) {
            Ok(row) => row,
            Err(e) => {
                // Listed with file and line from its position, or by the second pass
                // (crate::invalid), which parses only the rows whose number is written as
                // this one's.
                tally.roster_invalid += 1;
                tally.refused_roster_ids.add(id.get(i));
                if roster_position.is_valid(i) {
                    let position = roster_position.value(i) as u64;
                    tally
                        .refused_roster_rows
                        .add_refused(position, id.get(i).unwrap_or(""), e.to_string());
                }
                continue;
            }
        };
        let last = if last_certified.is_valid(i) {
            from_date32(last_certified.value(i))
        } else {
            None
        };
        let newest = get(&event_newest, i).and_then(crate::plan::split_newest);
        let outcome = decide_person(
            &rules.policy,
            &rules.run,
            rules.run_date,
            &row,
            last,
            newest.as_ref().map(|n| n.0),
        );
        tally.run.record(&row, &outcome.run);
        let id_text = row.id.to_string();
        let name_text = fields.name.unwrap_or("");
        let unit_text = fields.unit.unwrap_or("");
        let once = |set: &mut HashSet<u64>| repeated.is_none_or(|key| set.insert(key));
        if let (Some(date), Some((_, source, reference, kind))) = (outcome.certified_by_event, newest) {
            if once(&mut repeats.certified) {
                tally.certified_by_events += 1;
                lines.certification(&id_text, date, &source, &reference, kind);
            }
        }
        if outcome.run != RunDecision::Unchanged {
            lines.run(&RunLine::new(None, &id_text, name_text, &outcome.run));
        }
        // What is said of the person, not of the payroll row: once, from their first row.
        if !once(&mut repeats.decided) {
            continue;
        }
        if let Some(reason) = &outcome.event_refused {
            // A key string only the first time a reason is met.
            match tally.events_refused.get_mut(reason.code()) {
                Some(n) => *n += 1,
                None => {
                    tally.events_refused.insert(reason.code().to_owned(), 1);
                }
            }
        }
        if outcome.standing.uncertified() {
            tally.uncertified += 1;
            *tally.uncertified_by_unit.entry(unit_text.to_owned()).or_default() += 1;
            let deadline = match outcome.standing {
                Standing::Due { deadline, .. } => format_date(deadline),
                _ => String::new(),
            };
            lines.uncertified(unit_text, &id_text, name_text, outcome.standing.code(), &deadline);
        }
        if let Some(days_left) = outcome.standing.due_within(rules.run_date, rules.remind_days) {
            tally.due_soon += 1;
            if let Standing::Due { deadline, .. } = outcome.standing {
                lines.due_soon(&id_text, name_text, unit_text, deadline, days_left);
            }
        }
    }
    Ok(())
}
