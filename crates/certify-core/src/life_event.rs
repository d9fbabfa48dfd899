//! A dated piece of evidence of life from another record system (信息比对): a hospital
//! stay, a journey, medical-insurance use, a pension collected at a counter.
//!
//! Feeds come from other systems, in files of millions of rows. Their three texts — the
//! kind of record, the feed it came from and the feed's own reference — end up in the
//! certification record (operator and evidence), in lists staff read and in audit logs, so
//! each is checked once here, for every way in (the batch job, the server's feed import,
//! the bindings): at most [`MAX_EVENT_TEXT_CHARS`] characters, no control characters
//! (line breaks, NUL, U+001F …) and no bidirectional controls (which reorder what staff
//! see), and a named source. A row that fails is refused with its reason, never cut short
//! or cleaned quietly.
//!
//! Of several events of one person, the newest is the one with the greatest
//! [`LifeEvidence::recency_key`]: the latest date, then on one day the greatest source,
//! reference and kind. The server's feed import and certify-batch choose the same one.

use crate::id::ResidentId;
use serde::{Deserialize, Serialize};
use time::Date;

/// Characters a life event's kind, source or reference may have at most. A feed's record
/// reference is a short key (an admission number, a ticket number); a longer field is a
/// shifted column or a file made to flood the records.
pub const MAX_EVENT_TEXT_CHARS: usize = 128;

/// Why a life event's text is refused. The message names the field and, for a long one,
/// its length; the value itself is not repeated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventTextError {
    /// The source is empty: the record would not say which feed certified the person.
    #[error("source: empty (name the feed the event came from)")]
    NoSource,
    /// Longer than [`MAX_EVENT_TEXT_CHARS`].
    #[error("{field}: {chars} characters, more than {MAX_EVENT_TEXT_CHARS}")]
    TooLong {
        /// `kind`, `source` or `reference`.
        field: &'static str,
        /// Its length in characters.
        chars: usize,
    },
    /// Holds a control character or a bidirectional control.
    #[error("{field}: holds the control character U+{code:04X}")]
    Control {
        /// `kind`, `source` or `reference`.
        field: &'static str,
        /// The first such character.
        code: u32,
    },
}

/// Whether `c` may not appear in an event text: control characters (C0, DEL, C1) and the
/// bidirectional controls that reorder displayed text.
fn forbidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Check one field. Plain printable ASCII (all real feeds' keys) is checked a byte at a
/// time; other text a character at a time.
fn check_field(field: &'static str, text: &str) -> Result<(), EventTextError> {
    let bytes = text.as_bytes();
    if bytes.len() <= MAX_EVENT_TEXT_CHARS && bytes.iter().all(|&b| (0x20..0x7f).contains(&b)) {
        return Ok(());
    }
    if let Some(c) = text.chars().find(|&c| forbidden(c)) {
        return Err(EventTextError::Control { field, code: c.into() });
    }
    // The length is counted only when the bytes could exceed it.
    if bytes.len() > MAX_EVENT_TEXT_CHARS {
        let chars = text.chars().count();
        if chars > MAX_EVENT_TEXT_CHARS {
            return Err(EventTextError::TooLong { field, chars });
        }
    }
    Ok(())
}

/// Check a life event's kind, source and reference (in that order; the first refusal
/// wins): see the module documentation. Fields are taken as written; callers trim first
/// if they trim.
pub fn check_event_texts(kind: &str, source: &str, reference: &str) -> Result<(), EventTextError> {
    check_field("kind", kind)?;
    check_field("source", source)?;
    if source.trim().is_empty() {
        return Err(EventTextError::NoSource);
    }
    check_field("reference", reference)
}

/// A dated piece of evidence of life from another record system, its texts checked
/// ([`check_event_texts`]). Deserialising checks them too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "LifeEvidenceFields")]
pub struct LifeEvidence {
    person: ResidentId,
    date: Date,
    kind: String,
    source: String,
    reference: String,
}

/// [`LifeEvidence`] as written, before its check: what a host deserialises when it wants
/// the refusal's reason ([`EventTextError`]) rather than a deserialisation error.
/// `LifeEvidence::try_from` checks it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifeEvidenceFields {
    /// Whose.
    pub person: ResidentId,
    /// When the person was seen alive.
    pub date: Date,
    /// Kind of record.
    pub kind: String,
    /// The feed it came from.
    pub source: String,
    /// The feed's record reference.
    pub reference: String,
}

impl TryFrom<LifeEvidenceFields> for LifeEvidence {
    type Error = EventTextError;
    fn try_from(f: LifeEvidenceFields) -> Result<Self, EventTextError> {
        LifeEvidence::new(f.person, f.date, f.kind, f.source, f.reference)
    }
}

impl LifeEvidence {
    /// Evidence that `person` was seen alive on `date`: `kind` of record (`hospital_stay`,
    /// `travel`, `medical_insurance` …), the feed it came from (`source`) and the feed's
    /// record `reference`. Refused when a text is not one ([`check_event_texts`]).
    pub fn new(
        person: ResidentId,
        date: Date,
        kind: impl Into<String>,
        source: impl Into<String>,
        reference: impl Into<String>,
    ) -> Result<Self, EventTextError> {
        let (kind, source, reference) = (kind.into(), source.into(), reference.into());
        check_event_texts(&kind, &source, &reference)?;
        Ok(Self {
            person,
            date,
            kind,
            source,
            reference,
        })
    }

    /// Whose.
    pub fn person(&self) -> &ResidentId {
        &self.person
    }

    /// When the person was seen alive (admission, journey, prescription …).
    pub fn date(&self) -> Date {
        self.date
    }

    /// Kind of record.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The feed it came from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The feed's record reference.
    pub fn reference(&self) -> &str {
        &self.reference
    }

    /// Of several events of one person the newest has the greatest key: the date, then the
    /// source, reference and kind (so a tie on one day has one answer everywhere).
    pub fn recency_key(&self) -> (Date, &str, &str, &str) {
        (self.date, &self.source, &self.reference, &self.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn person() -> ResidentId {
        ResidentId::parse("11010519491231002X").unwrap()
    }

    #[test]
    fn real_feed_texts_pass_in_any_script() {
        let e = LifeEvidence::new(
            person(),
            date!(2026 - 03 - 01),
            "hospital_stay",
            "呼和浩特市第一医院",
            "adm-778",
        )
        .unwrap();
        assert_eq!(e.source(), "呼和浩特市第一医院");
        // Exactly the limit, in three-byte characters (384 bytes): accepted.
        let long = "院".repeat(MAX_EVENT_TEXT_CHARS);
        assert!(check_event_texts("travel", "12306", &long).is_ok());
        assert!(check_event_texts("", "12306", "").is_ok());
    }

    #[test]
    fn long_fields_are_refused_with_their_length_not_their_text() {
        let e = check_event_texts("travel", "12306", &"r".repeat(10_000)).unwrap_err();
        assert_eq!(
            e,
            EventTextError::TooLong {
                field: "reference",
                chars: 10_000
            }
        );
        assert_eq!(e.to_string(), "reference: 10000 characters, more than 128");
        let e = check_event_texts(&"院".repeat(MAX_EVENT_TEXT_CHARS + 1), "12306", "r").unwrap_err();
        assert!(
            matches!(
                e,
                EventTextError::TooLong {
                    field: "kind",
                    chars: 129
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn control_and_bidi_characters_and_a_missing_source_are_refused() {
        for (text, code) in [("a\nb", 0x0a), ("a\u{1f}b", 0x1f), ("\0", 0), ("医院\u{202E}", 0x202e)] {
            let e = check_event_texts("travel", text, "r").unwrap_err();
            assert_eq!(e, EventTextError::Control { field: "source", code }, "{text:?}");
        }
        assert_eq!(check_event_texts("travel", " ", "r"), Err(EventTextError::NoSource));
        assert!(LifeEvidence::new(person(), date!(2026 - 03 - 01), "travel", "12306", "r\r\n").is_err());
    }

    #[test]
    fn deserialising_checks_the_texts() {
        let good =
            r#"{"person":"11010519491231002X","date":"2026-03-01","kind":"travel","source":"12306","reference":"T-1"}"#;
        let e: LifeEvidence = serde_json::from_str(good).unwrap();
        assert_eq!(e.reference(), "T-1");
        assert_eq!(serde_json::to_string(&e).unwrap(), good);
        let bad = good.replace("T-1", &"x".repeat(200));
        let err = serde_json::from_str::<LifeEvidence>(&bad).unwrap_err().to_string();
        assert!(err.contains("reference: 200 characters"), "{err}");
    }

    #[test]
    fn the_newest_of_one_day_is_the_greatest_source_then_reference() {
        let at = |source: &str, reference: &str| {
            LifeEvidence::new(person(), date!(2026 - 03 - 01), "travel", source, reference).unwrap()
        };
        let mut events = [at("12306", "T-9"), at("医保", "A"), at("12306", "T-10")];
        events.sort_by(|a, b| a.recency_key().cmp(&b.recency_key()));
        assert_eq!(events.last().unwrap().source(), "医保");
        assert!(at("12306", "T-9").recency_key() > at("12306", "T-10").recency_key());
    }
}
