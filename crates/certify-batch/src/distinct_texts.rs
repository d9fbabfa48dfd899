//! `certify_distinct_texts(text)`: the distinct non-NULL texts of each group, as a list,
//! at most [`LIMIT`] + 1 of them (a group with more keeps [`LIMIT`] + 1, enough for the
//! reader to know there were more than [`LIMIT`]); NULL for a group without any.
//!
//! The comparison groups certifications and events by person; the rows whose number the
//! core cannot read all fall in one group (person NULL), and this aggregate carries the
//! numbers as written for the listing of those rows ([`crate::invalid`]). Grouping by
//! `(person, number as written)` instead did the same with a two-column key for every
//! group, which cost about 7 % of a 1M × 20M run.
//!
//! `certify_row_positions(file_index, row_index, id_number, reason)`, the same machinery
//! for the listing of unreadable rows: each row the aggregate's FILTER lets through, with a
//! file index and a row index (a Parquet file's, from `file_row_index()`; NULL for a CSV
//! file, whose rows it skips), is kept as the text `file_index:row_index:reason␟id_number`
//! (the reason where the comparison knows it, else empty; the number as written, empty
//! when missing). The two numbers come first and a reason never holds U+001F, so the split
//! is unambiguous ([`split_position`]). The comparison pass filters it to the rows whose
//! number, date or texts are refused, so the listing can name them without reading the
//! files again ([`crate::invalid`]). One
//! accumulator keeps at most [`LIMIT`] positions in all; the listing notices a shortfall
//! against the counts and reads the files instead.
//!
//! Intermediate state (between partitions, across a cluster, in spill files) is the list.

use crate::functions::Text;
use crate::invalid::MAX_LISTED;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Int64Array, ListArray, ListBuilder, StringBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, EmitTo, GroupsAccumulator, Signature, Volatility,
};
use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::sync::Arc;

/// The aggregate's SQL name.
pub const NAME: &str = "certify_distinct_texts";

/// The row-positions aggregate's SQL name.
pub const POSITIONS: &str = "certify_row_positions";

/// Distinct texts a group keeps in full; it keeps one more when it has more.
pub const LIMIT: usize = MAX_LISTED as usize;

/// The aggregate function, for registration.
pub fn udaf() -> Arc<AggregateUDF> {
    Arc::new(AggregateUDF::from(DistinctTexts {
        signature: Signature::any(1, Volatility::Immutable),
        kind: Kind::Texts,
    }))
}

/// The row-positions aggregate ([`POSITIONS`]), for registration.
pub fn positions_udaf() -> Arc<AggregateUDF> {
    Arc::new(AggregateUDF::from(DistinctTexts {
        signature: Signature::any(4, Volatility::Immutable),
        kind: Kind::Positions,
    }))
}

/// What a row gives its group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
enum Kind {
    /// Its text ([`NAME`]).
    #[default]
    Texts,
    /// `file_index:row_index:reason␟id_number` ([`POSITIONS`]).
    Positions,
}

/// See the module documentation.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DistinctTexts {
    signature: Signature,
    kind: Kind,
}

/// The list type of the result and of the state.
fn list_type() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)))
}

impl AggregateUDFImpl for DistinctTexts {
    fn name(&self) -> &str {
        match self.kind {
            Kind::Texts => NAME,
            Kind::Positions => POSITIONS,
        }
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(list_type())
    }
    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(OneGroup(Groups::new(self.kind))))
    }
    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format!("{}[texts]", args.name),
            list_type(),
            true,
        ))])
    }
    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }
    fn create_groups_accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(Groups::new(self.kind)))
    }
}

/// The texts of the groups that have any (almost no group has), by group index.
#[derive(Debug, Default, Clone)]
struct Groups {
    kind: Kind,
    sets: HashMap<usize, HashSet<Box<str>>>,
    /// Texts held, all groups together.
    count: usize,
    /// Groups so far.
    groups: usize,
    /// Bytes the sets hold (estimated per set and per text as they come and go), for
    /// [`GroupsAccumulator::size`], which runs once per batch and must not visit every group.
    held: usize,
}

/// Bytes a set costs beyond its texts' own.
const PER_SET: usize = size_of::<HashSet<Box<str>>>() + 16;
/// Bytes a text costs in a set beyond its own (pointer, length, control byte, slack).
const PER_TEXT: usize = size_of::<Box<str>>() + 8;

impl Groups {
    fn new(kind: Kind) -> Self {
        Self {
            kind,
            ..Self::default()
        }
    }

    fn set(&mut self, g: usize) -> &mut HashSet<Box<str>> {
        self.sets.entry(g).or_insert_with(|| {
            self.held += PER_SET;
            HashSet::new()
        })
    }

    fn add(&mut self, g: usize, text: &str) {
        if self.kind == Kind::Positions && self.count >= LIMIT {
            return;
        }
        let set = self.set(g);
        if set.len() <= LIMIT && !set.contains(text) {
            set.insert(text.into());
            self.held += PER_TEXT + text.len();
            self.count += 1;
        }
    }

    fn emit(&mut self, emit_to: EmitTo) -> ArrayRef {
        let n = match emit_to {
            EmitTo::All => self.groups,
            EmitTo::First(n) => n.min(self.groups),
        };
        let mut with_texts: Vec<usize> = self.sets.keys().copied().filter(|&g| g < n).collect();
        with_texts.sort_unstable();
        let mut with_texts = with_texts.into_iter().peekable();
        let mut out = ListBuilder::new(StringBuilder::new());
        for g in 0..n {
            match with_texts.next_if_eq(&g).and_then(|g| self.sets.remove(&g)) {
                Some(set) => {
                    self.held -= PER_SET;
                    for text in set.iter() {
                        self.held -= PER_TEXT + text.len();
                        self.count -= 1;
                        out.values().append_value(text);
                    }
                    out.append(true);
                }
                None => out.append_null(),
            }
        }
        // The groups left move to the front.
        self.groups -= n;
        if n > 0 && !self.sets.is_empty() {
            self.sets = self.sets.drain().map(|(g, set)| (g - n, set)).collect();
        }
        Arc::new(out.finish())
    }
}

fn lists(array: &ArrayRef) -> Result<&ListArray> {
    match array.data_type() {
        DataType::List(_) => Ok(array.as_list::<i32>()),
        other => exec_err!("{NAME}: the state must be a list of texts, not {other}"),
    }
}

/// One batch of the aggregate's arguments.
enum Rows {
    /// [`Kind::Texts`]: the texts.
    Texts(Text),
    /// [`Kind::Positions`]: file index, row index, number as written, reason.
    Positions {
        file: Int64Array,
        row: Int64Array,
        id: Box<Text>,
        reason: Box<Text>,
    },
}

fn integers(array: &ArrayRef) -> Result<Int64Array> {
    match array.as_primitive_opt::<Int64Type>() {
        Some(a) => Ok(a.clone()),
        None => exec_err!(
            "{POSITIONS}: file and row index must be BIGINT, not {}",
            array.data_type()
        ),
    }
}

impl Rows {
    fn of(kind: Kind, values: &[ArrayRef]) -> Result<Rows> {
        match (kind, values) {
            (Kind::Texts, [texts]) => Ok(Rows::Texts(Text::of(texts)?)),
            (Kind::Positions, [file, row, id, reason]) => Ok(Rows::Positions {
                file: integers(file)?,
                row: integers(row)?,
                id: Box::new(Text::of(id)?),
                reason: Box::new(Text::of(reason)?),
            }),
            (Kind::Texts, _) => exec_err!("{NAME}: expected one text column"),
            (Kind::Positions, _) => exec_err!("{POSITIONS}: expected (file_index, row_index, id_number, reason)"),
        }
    }

    fn len(&self) -> usize {
        match self {
            Rows::Texts(texts) => texts.len(),
            Rows::Positions { file, .. } => file.len(),
        }
    }

    /// Row `i`'s text (`None`: it gives none), written into `scratch` where it is made.
    fn text<'a>(&'a self, i: usize, scratch: &'a mut String) -> Option<&'a str> {
        match self {
            Rows::Texts(texts) => texts.get(i),
            Rows::Positions { file, row, id, reason } => {
                if file.is_null(i) || row.is_null(i) {
                    return None;
                }
                scratch.clear();
                write!(scratch, "{}:{}:", file.value(i), row.value(i)).ok()?;
                // A reason holding the separator (none does) is left out, not mis-split.
                scratch.push_str(reason.get(i).filter(|r| !r.contains(SEPARATOR)).unwrap_or(""));
                scratch.push(SEPARATOR);
                scratch.push_str(id.get(i).unwrap_or(""));
                Some(scratch)
            }
        }
    }
}

/// Between a [`POSITIONS`] text's reason and number.
const SEPARATOR: char = '\u{1f}';

/// A [`POSITIONS`] text's parts: file index, row index, the reason the comparison gave
/// (`None`: none), the number as written.
pub fn split_position(text: &str) -> Option<(usize, u64, Option<&str>, &str)> {
    let mut parts = text.splitn(3, ':');
    let (file, row) = (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    let (reason, id) = parts.next()?.split_once(SEPARATOR)?;
    Some((file, row, (!reason.is_empty()).then_some(reason), id))
}

impl GroupsAccumulator for Groups {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        let rows = Rows::of(self.kind, values)?;
        self.groups = self.groups.max(total_num_groups);
        let mut scratch = String::new();
        for (i, &g) in group_indices.iter().enumerate() {
            if opt_filter.is_none_or(|f| f.is_valid(i) && f.value(i))
                && let Some(text) = rows.text(i, &mut scratch)
            {
                self.add(g, text);
            }
        }
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        Ok(self.emit(emit_to))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.emit(emit_to)])
    }

    fn merge_batch(&mut self, values: &[ArrayRef], group_indices: &[usize], total_num_groups: usize) -> Result<()> {
        let [state] = values else {
            return exec_err!("{NAME}: expected the state (texts)");
        };
        let state = lists(state)?;
        self.groups = self.groups.max(total_num_groups);
        for (i, &g) in group_indices.iter().enumerate() {
            if state.is_valid(i) {
                let texts = Text::of(&state.value(i))?;
                self.set(g);
                for j in 0..texts.len() {
                    if let Some(text) = texts.get(j) {
                        self.add(g, text);
                    }
                }
            }
        }
        Ok(())
    }

    fn convert_to_state(&self, values: &[ArrayRef], opt_filter: Option<&BooleanArray>) -> Result<Vec<ArrayRef>> {
        let rows = Rows::of(self.kind, values)?;
        let mut out = ListBuilder::new(StringBuilder::new());
        let mut scratch = String::new();
        for i in 0..rows.len() {
            match rows.text(i, &mut scratch) {
                Some(text) if opt_filter.is_none_or(|f| f.is_valid(i) && f.value(i)) => {
                    out.values().append_value(text);
                    out.append(true);
                }
                _ => out.append_null(),
            }
        }
        Ok(vec![Arc::new(out.finish())])
    }

    fn size(&self) -> usize {
        self.sets.capacity() * (size_of::<(usize, HashSet<Box<str>>)>() + 1) + self.held
    }
}

/// The same for one group (an aggregate without GROUP BY); evaluating it leaves it as it
/// was.
#[derive(Debug)]
struct OneGroup(Groups);

impl OneGroup {
    fn value(&self) -> Result<ScalarValue> {
        let mut copy = self.0.clone();
        copy.groups = 1;
        ScalarValue::try_from_array(&copy.emit(EmitTo::All), 0)
    }
}

impl Accumulator for OneGroup {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let rows = values.first().map_or(0, |v| v.len());
        self.0.update_batch(values, &vec![0; rows], None, 1)
    }
    fn evaluate(&mut self) -> Result<ScalarValue> {
        self.value()
    }
    fn size(&self) -> usize {
        size_of::<Self>() + self.0.size()
    }
    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![self.value()?])
    }
    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let rows = states.first().map_or(0, |v| v.len());
        self.0.merge_batch(states, &vec![0; rows], 1)
    }
}

#[cfg(test)]
mod tests;
