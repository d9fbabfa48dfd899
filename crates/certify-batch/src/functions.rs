//! The core's parsers as SQL functions, so the engine reads identity numbers and dates
//! exactly as every other part of certify does:
//!
//! - `certify_person(text) → UInt64`: the person key ([`ResidentId::to_u64`]) of a valid
//!   identity number (check digit, birth date, division code; 15-digit numbers upgraded,
//!   full-width digits and lower-case x accepted), NULL otherwise.
//! - `certify_day(text) → Date32`: a `YYYY-MM-DD` date ([`parse_date`]), NULL otherwise.
//!
//! Executors of a cluster register them too ([`register`]).

use certify_core::id::ResidentId;
use certify_core::time::parse_date;
use datafusion::arrow::array::{Array, ArrayRef, Date32Builder, StringArray, UInt64Builder};
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

/// Both functions, for registries other than a [`SessionContext`]'s (a cluster's
/// scheduler and executors).
pub fn all() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(PersonKey::new())),
        Arc::new(ScalarUDF::from(Day::new())),
    ]
}

/// Register both functions on a session.
pub fn register(ctx: &SessionContext) {
    for f in all() {
        ctx.register_udf(f.as_ref().clone());
    }
}

/// The argument as a plain UTF-8 string array (CSV and Parquet readers may hand over
/// views, large strings or numbers).
fn strings(args: &ScalarFunctionArgs) -> Result<(ArrayRef, usize)> {
    let [arg] = args.args.as_slice() else {
        return exec_err!("expected one argument");
    };
    let array = arg.to_array(args.number_rows)?;
    let array = cast(&array, &DataType::Utf8)?;
    Ok((array, args.number_rows))
}

/// `certify_person(text)`: see the module documentation.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PersonKey {
    signature: Signature,
}

impl PersonKey {
    /// The function.
    pub fn new() -> Self {
        Self {
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

impl Default for PersonKey {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for PersonKey {
    fn name(&self) -> &str {
        "certify_person"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::UInt64)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (array, rows) = strings(&args)?;
        let Some(text) = array.as_any().downcast_ref::<StringArray>() else {
            return exec_err!("certify_person: not text");
        };
        let mut out = UInt64Builder::with_capacity(rows);
        for value in text.iter() {
            out.append_option(value.and_then(|v| ResidentId::parse(v).ok()).map(|id| id.to_u64()));
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish()) as ArrayRef))
    }
}

/// `certify_day(text)`: see the module documentation.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Day {
    signature: Signature,
}

impl Day {
    /// The function.
    pub fn new() -> Self {
        Self {
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

impl Default for Day {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for Day {
    fn name(&self) -> &str {
        "certify_day"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Date32)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (array, rows) = strings(&args)?;
        let Some(text) = array.as_any().downcast_ref::<StringArray>() else {
            return exec_err!("certify_day: not text");
        };
        let mut out = Date32Builder::with_capacity(rows);
        for value in text.iter() {
            out.append_option(value.and_then(|v| parse_date(v.trim())).map(to_date32));
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish()) as ArrayRef))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
