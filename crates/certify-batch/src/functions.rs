//! The core's parsers as SQL functions, so the engine reads identity numbers and dates
//! exactly as every other part of certify does:
//!
//! - `certify_person(text) → UInt64`: the person key ([`ResidentId::to_u64`]) of a valid
//!   identity number (check digit, birth date, division code; 15-digit numbers upgraded,
//!   full-width digits and lower-case x accepted), NULL otherwise.
//! - `certify_day(text) → Date32`: a `YYYY-MM-DD` date ([`parse_date`]), NULL otherwise.
//! - `certify_event_refusal(kind, source, reference) → Utf8`: [`crate::event_texts`].
//! - `certify_newest_event(day, source, reference, kind)`, an aggregate: [`crate::newest`].
//!
//! Executors of a cluster register them too ([`register`]).

use certify_core::id::ResidentId;
use certify_core::time::parse_date;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Date32Builder, Int32Array, StringArray, StringArrayType, StringViewArray, UInt64Builder,
};
use datafusion::arrow::compute::{cast, take};
use datafusion::arrow::datatypes::{DataType, Int32Type};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use datafusion::prelude::SessionContext;
use std::sync::Arc;

/// Days from 0000-03-01-style Julian day numbering to the Unix epoch (Arrow's Date32).
const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;

/// Arrow's Date32 (days since 1970-01-01) of a date.
pub fn to_date32(date: time::Date) -> i32 {
    date.to_julian_day() - UNIX_EPOCH_JULIAN_DAY
}

/// The date of an Arrow Date32 value.
pub fn from_date32(days: i32) -> Option<time::Date> {
    time::Date::from_julian_day(days.checked_add(UNIX_EPOCH_JULIAN_DAY)?).ok()
}

/// The functions, for registries other than a [`SessionContext`]'s (a cluster's
/// scheduler and executors).
pub fn all() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(CoreParser::new("certify_person", Parser::Person))),
        Arc::new(ScalarUDF::from(CoreParser::new("certify_day", Parser::Day))),
        crate::event_texts::udf(),
    ]
}

/// The aggregate functions, for the same registries.
pub fn aggregates() -> Vec<Arc<datafusion::logical_expr::AggregateUDF>> {
    vec![
        crate::newest::udaf(),
        crate::distinct_texts::udaf(),
        crate::distinct_texts::positions_udaf(),
    ]
}

/// A text column as it comes: plain strings, string views (the Parquet reader's), keys
/// into a dictionary of strings, or anything else cast to plain strings.
pub enum Text {
    /// Plain strings.
    Plain(StringArray),
    /// String views.
    Views(StringViewArray),
    /// Keys into distinct strings (a dictionary-encoded Parquet column read as such).
    Dictionary {
        /// One key per row (NULL: a NULL row).
        keys: Int32Array,
        /// The distinct strings.
        values: StringArray,
    },
}

impl Text {
    /// The column `array` as text.
    pub fn of(array: &ArrayRef) -> Result<Text> {
        Ok(match array.data_type() {
            DataType::Utf8View => Text::Views(array.as_string_view().clone()),
            DataType::Utf8 => Text::Plain(array.as_string::<i32>().clone()),
            DataType::Dictionary(key, value) if **key == DataType::Int32 => {
                let dictionary = array.as_dictionary::<Int32Type>();
                let values = match **value {
                    DataType::Utf8 => dictionary.values().as_string::<i32>().clone(),
                    _ => cast(dictionary.values(), &DataType::Utf8)?.as_string::<i32>().clone(),
                };
                Text::Dictionary {
                    keys: dictionary.keys().clone(),
                    values,
                }
            }
            _ => Text::Plain(cast(array, &DataType::Utf8)?.as_string::<i32>().clone()),
        })
    }

    /// Rows in the column.
    pub fn len(&self) -> usize {
        match self {
            Text::Plain(a) => a.len(),
            Text::Views(a) => a.len(),
            Text::Dictionary { keys, .. } => keys.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i` (`None` if NULL).
    pub fn get(&self, i: usize) -> Option<&str> {
        match self {
            Text::Plain(a) => a.is_valid(i).then(|| a.value(i)),
            Text::Views(a) => a.is_valid(i).then(|| a.value(i)),
            Text::Dictionary { keys, values } => {
                let k = keys.is_valid(i).then(|| keys.value(i))?;
                let k = usize::try_from(k).ok().filter(|&k| k < values.len())?;
                values.is_valid(k).then(|| values.value(k))
            }
        }
    }
}

/// Register the functions on a session.
pub fn register(ctx: &SessionContext) {
    for f in all() {
        ctx.register_udf(f.as_ref().clone());
    }
    for f in aggregates() {
        ctx.register_udaf(f.as_ref().clone());
    }
}

/// Person keys of a column of identity numbers ([`ResidentId::parse`]). A run of rows
/// with the same text, as a feed exported person by person has them, is parsed once (ten
/// events of one person: one parse and nine comparisons of 18 bytes).
fn person_keys<'a>(text: impl StringArrayType<'a>) -> ArrayRef {
    let mut out = UInt64Builder::with_capacity(text.len());
    // The last text parsed, and its person.
    let mut last: Option<(&str, Option<u64>)> = None;
    for value in text.iter() {
        let person = value.and_then(|v| match last {
            Some((same, person)) if same == v => person,
            _ => {
                let person = ResidentId::parse(v).ok().map(|id| id.to_u64());
                last = Some((v, person));
                person
            }
        });
        out.append_option(person);
    }
    Arc::new(out.finish())
}

/// Date32 of a date as written ([`parse_date`]), `None` if it does not read.
fn day_of(text: &str) -> Option<i32> {
    parse_date(text).map(to_date32)
}

fn days<'a>(text: impl StringArrayType<'a>) -> ArrayRef {
    let mut out = Date32Builder::with_capacity(text.len());
    for value in text.iter() {
        out.append_option(value.and_then(day_of));
    }
    Arc::new(out.finish())
}

/// Slots of [`days_of_views`]' cache (a power of two).
const DAY_CACHE_SLOTS: usize = 1024;

/// [`days`] over string views (the Parquet reader's), parsing each distinct short text
/// once per batch. A feed's dates are few (hundreds of days over tens of millions of
/// rows) and short: a text of at most 12 bytes lies whole inside its 16-byte view, so the
/// view itself (length and bytes) names the text and serves as the key of a small
/// direct-mapped cache. Longer texts are parsed as they come. The parser decides every
/// value; the cache only remembers its answers.
fn days_of_views(text: &StringViewArray) -> ArrayRef {
    // No inline view has this value: its length field (u32::MAX) exceeds 12.
    const EMPTY: u128 = u128::MAX;
    let mut cache = vec![(EMPTY, None::<i32>); DAY_CACHE_SLOTS];
    let mut out = Date32Builder::with_capacity(text.len());
    for (i, &view) in text.views().iter().enumerate() {
        if text.is_null(i) {
            out.append_null();
            continue;
        }
        if view as u32 > 12 {
            out.append_option(day_of(text.value(i)));
            continue;
        }
        let mixed = (view as u64 ^ (view >> 64) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let slot = &mut cache[(mixed >> 54) as usize % DAY_CACHE_SLOTS];
        if slot.0 != view {
            *slot = (view, day_of(text.value(i)));
        }
        out.append_option(slot.1);
    }
    Arc::new(out.finish())
}

/// Which core parser a [`CoreParser`] applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Parser {
    /// `certify_person`: [`ResidentId::parse`] → the person key.
    Person,
    /// `certify_day`: [`parse_date`] → Date32.
    Day,
}

/// A core parser as a one-argument SQL function of text: NULL where the parser refuses.
/// Plain strings and string views (the Parquet reader's) are read as they come, without a
/// copy; other types are cast to text first. Functions are equal by name.
#[derive(Debug)]
pub struct CoreParser {
    name: &'static str,
    parser: Parser,
    signature: Signature,
}

impl CoreParser {
    /// The function `name`, computed by `parser`.
    pub fn new(name: &'static str, parser: Parser) -> Self {
        Self {
            name,
            parser,
            signature: Signature::any(1, Volatility::Immutable),
        }
    }

    /// The parser over text, plain strings or views alike.
    fn apply<'a>(&self, text: impl StringArrayType<'a>) -> ArrayRef {
        match self.parser {
            Parser::Person => person_keys(text),
            Parser::Day => days(text),
        }
    }
}

impl PartialEq for CoreParser {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.parser == other.parser
    }
}

impl Eq for CoreParser {}

impl std::hash::Hash for CoreParser {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        self.parser.hash(state);
    }
}

impl ScalarUDFImpl for CoreParser {
    fn name(&self) -> &str {
        self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(match self.parser {
            Parser::Person => DataType::UInt64,
            Parser::Day => DataType::Date32,
        })
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [arg] = args.args.as_slice() else {
            return exec_err!("{}: expected one argument", self.name);
        };
        Ok(ColumnarValue::Array(self.parse(&arg.to_array(args.number_rows)?)?))
    }
}

impl CoreParser {
    /// The parser over a column: plain strings and views as they come; a dictionary's
    /// distinct values parsed once each and spread over its rows by their keys; anything
    /// else cast to text first (CSV readers and files may hand over large strings or
    /// numbers).
    pub fn parse(&self, array: &ArrayRef) -> Result<ArrayRef> {
        Ok(match array.data_type() {
            DataType::Utf8View if self.parser == Parser::Day => days_of_views(array.as_string_view()),
            DataType::Utf8View => self.apply(array.as_string_view()),
            DataType::Utf8 => self.apply(array.as_string::<i32>()),
            DataType::Dictionary(_, _) => {
                let dictionary = array.as_any_dictionary();
                take(&self.parse(dictionary.values())?, dictionary.keys(), None)?
            }
            _ => self.apply(cast(array, &DataType::Utf8)?.as_string::<i32>()),
        })
    }
}

/// `certify_day` over a column ([`CoreParser::parse`]): Date32, NULL where the date does
/// not read.
pub fn days_of(array: &ArrayRef) -> Result<ArrayRef> {
    CoreParser::new("certify_day", Parser::Day).parse(array)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn string_views_are_read_as_they_come() -> Result<()> {
        let ctx = SessionContext::new();
        register(&ctx);
        let batches = ctx
            .sql(
                "SELECT certify_person(arrow_cast('11010519491231002x', 'Utf8View')) AS a, \
                 certify_day(arrow_cast('2026-02-28', 'Utf8View')) AS d",
            )
            .await?
            .collect()
            .await?;
        let b = &batches[0];
        let key = ResidentId::parse("11010519491231002X").map(|id| id.to_u64()).ok();
        assert_eq!(
            b.column(0)
                .as_primitive_opt::<datafusion::arrow::datatypes::UInt64Type>()
                .map(|a| a.value(0)),
            key
        );
        assert_eq!(
            b.column(1)
                .as_primitive_opt::<datafusion::arrow::datatypes::Date32Type>()
                .map(|d| d.value(0)),
            Some(to_date32(time::macros::date!(2026 - 02 - 28)))
        );
        Ok(())
    }

    #[test]
    fn dates_read_from_views_equal_dates_read_one_by_one() {
        // Repeats (cache hits), more distinct short texts than the cache has slots
        // (collisions), texts longer than a view holds, blanks, nulls and non-dates.
        let mut values: Vec<Option<String>> = Vec::new();
        for i in 0..6000u32 {
            let day = 1 + i % 28;
            let month = 1 + (i / 28) % 12;
            let year = 1990 + i % 40;
            values.push(Some(match i % 7 {
                0 => format!("{year}-{month:02}-{day:02}"),
                1 => format!(" {year}-{month:02}-{day:02}  "),
                2 => format!("{year}-{month:02}-{}", 29 + i % 4),
                3 => format!("{year}/{month:02}/{day:02}"),
                4 => "\u{3000}2026-03-01".to_owned(),
                5 => String::new(),
                _ => "2026-03-01".to_owned(),
            }));
            if i % 11 == 0 {
                values.push(None);
            }
        }
        let views: StringViewArray = values.iter().map(|v| v.as_deref()).collect();
        let plain: StringArray = values.iter().map(|v| v.as_deref()).collect();
        let (a, b) = (days_of_views(&views), days(&plain));
        assert_eq!(a.as_ref(), b.as_ref());
        // Not all NULL and not all read: the check compares real answers.
        assert!(a.null_count() > 0 && a.null_count() < a.len());
    }

    #[test]
    fn runs_of_one_number_read_as_each_row_would_alone() {
        // Runs of one number (valid, wrong check digit, unknown division, other spellings
        // of the same person), broken by other numbers and by NULLs.
        let numbers = [
            "11010519491231002X",
            "110105194912310021",
            "11010519491231002x",
            "110105491231002",
            " 610526195503011236",
            "610526195503011236",
            "99999919491231002X",
        ];
        let values: Vec<Option<&str>> = (0..300usize)
            .map(|i| (i % 13 != 0).then(|| numbers[(i / 3 + (i / 7) * (i % 2)) % numbers.len()]))
            .collect();
        let expected: ArrayRef = Arc::new(
            values
                .iter()
                .map(|v| v.and_then(|v| ResidentId::parse(v).ok()).map(|id| id.to_u64()))
                .collect::<datafusion::arrow::array::UInt64Array>(),
        );
        let plain: StringArray = values.iter().copied().collect();
        let views: StringViewArray = values.iter().copied().collect();
        assert_eq!(person_keys(&plain).as_ref(), expected.as_ref());
        assert_eq!(person_keys(&views).as_ref(), expected.as_ref());
        assert!(expected.null_count() > 30 && expected.null_count() < 200);
    }

    #[test]
    fn a_dictionary_column_reads_as_its_rows_would() -> Result<()> {
        use datafusion::arrow::array::DictionaryArray;
        let values = StringArray::from(vec![Some("2026-03-01"), Some("2026-02-30"), None, Some(" 2026-03-02")]);
        // Keys: each value, repeats and a NULL row.
        let keys = Int32Array::from(vec![
            Some(0),
            Some(1),
            Some(2),
            Some(3),
            Some(0),
            None,
            Some(1),
            Some(3),
        ]);
        let rows: StringArray = keys
            .iter()
            .map(|k| k.and_then(|k| values.is_valid(k as usize).then(|| values.value(k as usize))))
            .collect();
        let dictionary: ArrayRef = Arc::new(DictionaryArray::<Int32Type>::new(keys, Arc::new(values)));
        let plain: ArrayRef = Arc::new(rows);
        assert_eq!(days_of(&dictionary)?.as_ref(), days_of(&plain)?.as_ref());
        assert_eq!(days_of(&dictionary)?.null_count(), 4);
        Ok(())
    }

    #[test]
    fn date32_round_trips() {
        let d = time::macros::date!(2026 - 11 - 01);
        assert_eq!(from_date32(to_date32(d)), Some(d));
        assert_eq!(to_date32(time::macros::date!(1970 - 01 - 01)), 0);
    }

    #[tokio::test]
    async fn the_functions_read_numbers_and_dates_as_the_core_does() -> Result<()> {
        let ctx = SessionContext::new();
        register(&ctx);
        let batches = ctx
            .sql(
                "SELECT certify_person('11010519491231002x') AS a, certify_person('110105194912310021') AS b, \
                 certify_person(NULL) AS c, certify_day('2026-02-28') AS d, certify_day('2026-02-30') AS e",
            )
            .await?
            .collect()
            .await?;
        let b = &batches[0];
        let key = ResidentId::parse("11010519491231002X").map(|id| id.to_u64()).ok();
        let a = b
            .column(0)
            .as_any()
            .downcast_ref::<datafusion::arrow::array::UInt64Array>();
        assert_eq!(a.map(|a| a.value(0)), key);
        // The wrong check digit, the NULL and the impossible date are NULL.
        assert!(b.column(1).is_null(0));
        assert!(b.column(2).is_null(0));
        let d = b
            .column(3)
            .as_any()
            .downcast_ref::<datafusion::arrow::array::Date32Array>();
        assert_eq!(
            d.map(|d| d.value(0)),
            Some(to_date32(time::macros::date!(2026 - 02 - 28)))
        );
        assert!(b.column(4).is_null(0));
        Ok(())
    }
}
