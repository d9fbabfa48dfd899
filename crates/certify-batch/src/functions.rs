//! The core's parsers as SQL functions, so the engine reads identity numbers and dates
//! exactly as every other part of certify does:
//!
//! - `certify_person(text) → UInt64`: the person key ([`ResidentId::to_u64`]) of a valid
//!   identity number (check digit, birth date, division code; 15-digit numbers upgraded,
//!   full-width digits and lower-case x accepted), NULL otherwise.
//! - `certify_day(text) → Date32`: a `YYYY-MM-DD` date ([`parse_date`]), NULL otherwise.
//! - `certify_newest_event(day, source, reference, kind)`, an aggregate: [`crate::newest`].
//!
//! Executors of a cluster register them too ([`register`]).

use certify_core::id::ResidentId;
use certify_core::time::parse_date;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Date32Builder, StringArray, StringArrayType, StringViewArray, UInt64Builder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
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
    [
        CoreParser::new("certify_person", Parser::Person),
        CoreParser::new("certify_day", Parser::Day),
    ]
    .into_iter()
    .map(|f| Arc::new(ScalarUDF::from(f)))
    .collect()
}

/// The aggregate functions, for the same registries.
pub fn aggregates() -> Vec<Arc<datafusion::logical_expr::AggregateUDF>> {
    vec![crate::newest::udaf()]
}

/// A text column as it comes: plain strings, string views (the Parquet reader's), or
/// anything else cast to plain strings.
pub enum Text {
    /// Plain strings.
    Plain(StringArray),
    /// String views.
    Views(StringViewArray),
}

impl Text {
    /// The column `array` as text.
    pub fn of(array: &ArrayRef) -> Result<Text> {
        Ok(match array.data_type() {
            DataType::Utf8View => Text::Views(array.as_string_view().clone()),
            DataType::Utf8 => Text::Plain(array.as_string::<i32>().clone()),
            _ => Text::Plain(cast(array, &DataType::Utf8)?.as_string::<i32>().clone()),
        })
    }

    /// Row `i` (`None` if NULL).
    pub fn get(&self, i: usize) -> Option<&str> {
        match self {
            Text::Plain(a) => a.is_valid(i).then(|| a.value(i)),
            Text::Views(a) => a.is_valid(i).then(|| a.value(i)),
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

fn person_keys<'a>(text: impl StringArrayType<'a>) -> ArrayRef {
    let mut out = UInt64Builder::with_capacity(text.len());
    for value in text.iter() {
        out.append_option(value.and_then(|v| ResidentId::parse(v).ok()).map(|id| id.to_u64()));
    }
    Arc::new(out.finish())
}

fn days<'a>(text: impl StringArrayType<'a>) -> ArrayRef {
    let mut out = Date32Builder::with_capacity(text.len());
    for value in text.iter() {
        out.append_option(value.and_then(|v| parse_date(v.trim())).map(to_date32));
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
        let array = arg.to_array(args.number_rows)?;
        let out = match array.data_type() {
            DataType::Utf8View => self.apply(array.as_string_view()),
            DataType::Utf8 => self.apply(array.as_string::<i32>()),
            // CSV readers and files may hand over large strings or numbers.
            _ => self.apply(cast(&array, &DataType::Utf8)?.as_string::<i32>()),
        };
        Ok(ColumnarValue::Array(out))
    }
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
