//! `certify_event_refusal(kind, source, reference) → Utf8`: why the core refuses a life
//! event's texts ([`check_event_texts`]: length, control characters, a named source), NULL
//! when it takes them. A NULL field reads as empty.
//!
//! The comparison keeps a refused event out of the newest-event aggregate, counts it and
//! carries the reason to the listing of unreadable rows ([`crate::plan`],
//! [`crate::invalid`]): the same refusal as the server's feed import and the bindings, for
//! the same row.

use crate::functions::Text;
use certify_core::life_event::check_event_texts;
use datafusion::arrow::array::StringBuilder;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use std::sync::Arc;

/// The function's SQL name.
pub const NAME: &str = "certify_event_refusal";

/// The function, for registration.
pub fn udf() -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::from(EventRefusal {
        signature: Signature::any(3, Volatility::Immutable),
    }))
}

/// Why the core refuses an event's texts, `None` when it takes them; missing fields read
/// as empty. The listing's second pass asks the same of the rows it reads again.
pub fn refusal(kind: Option<&str>, source: Option<&str>, reference: Option<&str>) -> Option<String> {
    check_event_texts(kind.unwrap_or(""), source.unwrap_or(""), reference.unwrap_or(""))
        .err()
        .map(|e| e.to_string())
}

/// See the module documentation.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct EventRefusal {
    signature: Signature,
}

impl ScalarUDFImpl for EventRefusal {
    fn name(&self) -> &str {
        NAME
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [kind, source, reference] = args.args.as_slice() else {
            return exec_err!("{NAME}: expected (kind, source, reference)");
        };
        let rows = args.number_rows;
        let [kind, source, reference] = [kind, source, reference].map(|a| a.to_array(rows).and_then(|a| Text::of(&a)));
        let (kind, source, reference) = (kind?, source?, reference?);
        // Almost every row is taken: the builder holds NULLs and no text.
        let mut out = StringBuilder::with_capacity(rows, 0);
        for i in 0..rows {
            out.append_option(refusal(kind.get(i), source.get(i), reference.get(i)));
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Array, AsArray, StringArray};
    use datafusion::prelude::SessionContext;

    #[tokio::test]
    async fn refuses_as_the_core_does_and_takes_plain_rows() {
        let ctx = SessionContext::new();
        ctx.register_udf(udf().as_ref().clone());
        let long = "R".repeat(200);
        let sql = format!(
            "SELECT {NAME}(k, s, r) AS why FROM (VALUES
                ('travel', '12306', 'T-1'),
                ('travel', '12306', '{long}'),
                ('travel', '', 'T-3'),
                ('travel', '蒲城县医院', 'H-4'),
                (NULL, '12306', NULL),
                ('trav' || chr(10) || 'el', '12306', 'T-6')) AS t(k, s, r)"
        );
        let batches = ctx.sql(&sql).await.unwrap().collect().await.unwrap();
        let why: &StringArray = batches[0].column(0).as_string::<i32>();
        assert_eq!(why.len(), 6);
        assert!(why.is_null(0) && why.is_null(3) && why.is_null(4), "{why:?}");
        assert_eq!(why.value(1), "reference: 200 characters, more than 128");
        assert!(why.value(2).starts_with("source: empty"), "{}", why.value(2));
        assert_eq!(why.value(5), "kind: holds the control character U+000A");
        assert_eq!(refusal(Some("travel"), None, Some("x")), Some(why.value(2).to_owned()));
    }
}
