//! The `retention` aggregate: one entity's retention cells, in the spirit of Doris `retention`.
//!
//! ```sql
//! retention(start_day, return_day, 'week', 'first_time', 'on', DATE '2024-03-04', DATE '2024-05-26', 12)
//! ```
//!
//! Grouped by entity, over its events: `start_day` is the local day (`Date32`) of a start event
//! in the range (null for other events), `return_day` that of a return event (null for others).
//! The literals are the period (`day`, `week`, `month`), the type, the criterion, the range's
//! first and last day and the number of periods after the cohort's. The result is the entity's
//! cells, `List<Struct<cohort: Date32, period: Int32>>`: the first day of each cohort period it
//! belongs to with period 0, and with each period N it was retained in ([`entity_cells`]).
//! `unnest` and a `GROUP BY` over the cells then count every cell of the retention table.
//!
//! Per entity, the state is two small bitsets: the cohort periods with a start event, and the
//! periods after the first cohort's with a return event (every return past the last period
//! shown shares the last bit, which is all "on or after" needs). A 12-week table needs one
//! 64-bit word for each.

use super::entity::{RetentionRule, entity_cells};
use crate::trend::read::to_epoch_day;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BinaryBuilder, BooleanArray, Date32Array, Int32Array, ListArray, RecordBatch,
    StructArray,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Date32Type, Field, FieldRef, Fields, Schema};
use datafusion::common::{Result, ScalarValue, exec_datafusion_err, exec_err, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, ColumnarValue, EmitTo, GroupsAccumulator, Signature, Volatility,
};
use quiver_shared::analysis::retention::{RetentionCriterion, RetentionPeriod, RetentionSpec, RetentionType};
use std::sync::Arc;

/// The SQL name of the per-entity retention aggregate.
pub const RETENTION: &str = "retention";

/// How many arguments `retention` takes.
const ARGS: usize = 8;

/// The fields of one cell.
fn cell_fields() -> Fields {
    Fields::from(vec![Field::new("cohort", DataType::Date32, false), Field::new("period", DataType::Int32, false)])
}

/// `List<Struct<cohort, period>>`.
fn cells_type() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Struct(cell_fields()), false)))
}

/// `retention(…)`; see the module docs.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct Retention {
    signature: Signature,
}

impl Retention {
    pub(crate) fn udaf() -> AggregateUDF {
        AggregateUDF::from(Self { signature: Signature::any(ARGS, Volatility::Immutable) })
    }
}

impl AggregateUDFImpl for Retention {
    fn name(&self) -> &str {
        RETENTION
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        if arg_types.len() != ARGS || arg_types[0] != DataType::Date32 || arg_types[1] != DataType::Date32 {
            return plan_err!(
                "{RETENTION}(start_day DATE, return_day DATE, period, type, criterion, first_day, last_day, periods), \
                 not {RETENTION}({arg_types:?})"
            );
        }
        Ok(cells_type())
    }

    fn is_nullable(&self) -> bool {
        false
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(format!("{}[bits]", args.name), DataType::Binary, true))])
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(SingleRetention(RetentionGroups::new(Layout::from_args(&args)?))))
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(RetentionGroups::new(Layout::from_args(&args)?)))
    }

    fn default_value(&self, _data_type: &DataType) -> Result<ScalarValue> {
        let empty = Layout::empty_cells();
        Ok(ScalarValue::List(Arc::new(empty)))
    }
}

/// The literal arguments, and where each period goes in a group's bitsets.
#[derive(Clone, Debug)]
struct Layout {
    period: RetentionPeriod,
    rule: RetentionRule,
    /// The period index of the first cohort.
    origin: i32,
    /// Cohort periods in the range.
    cohorts: usize,
    /// Bits for returns: every period from the first cohort's to the last shown, then one for
    /// anything later.
    return_bits: usize,
    start_words: usize,
    return_words: usize,
    /// The first day of each cohort period, as `Date32`.
    cohort_days: Vec<i32>,
}

/// A literal argument's value.
fn literal(args: &AccumulatorArgs, index: usize) -> Result<ScalarValue> {
    let expr = args.exprs.get(index).ok_or_else(|| exec_datafusion_err!("{RETENTION} takes {ARGS} arguments"))?;
    match expr.evaluate(&RecordBatch::new_empty(Arc::new(Schema::empty())))? {
        ColumnarValue::Scalar(value) => Ok(value),
        ColumnarValue::Array(_) => plan_err!("argument {} of {RETENTION} must be a literal", index + 1),
    }
}

fn text_literal(args: &AccumulatorArgs, index: usize) -> Result<String> {
    match literal(args, index)?.try_as_str() {
        Some(Some(text)) => Ok(text.to_owned()),
        _ => plan_err!("argument {} of {RETENTION} must be a text literal", index + 1),
    }
}

fn day_literal(args: &AccumulatorArgs, index: usize) -> Result<i32> {
    match literal(args, index)? {
        ScalarValue::Date32(Some(day)) => Ok(day),
        other => plan_err!("argument {} of {RETENTION} must be a DATE literal, not {other}", index + 1),
    }
}

impl Layout {
    fn from_args(args: &AccumulatorArgs) -> Result<Self> {
        let period = text_literal(args, 2)?;
        let period =
            RetentionPeriod::parse(&period).ok_or_else(|| exec_datafusion_err!("{RETENTION}: no period `{period}`"))?;
        let kind = text_literal(args, 3)?;
        let retention_type =
            RetentionType::parse(&kind).ok_or_else(|| exec_datafusion_err!("{RETENTION}: no type `{kind}`"))?;
        let criterion = text_literal(args, 4)?;
        let criterion = RetentionCriterion::parse(&criterion)
            .ok_or_else(|| exec_datafusion_err!("{RETENTION}: no criterion `{criterion}`"))?;
        let (first, last) = (day_literal(args, 5)?, day_literal(args, 6)?);
        let periods = match literal(args, 7)? {
            ScalarValue::Int64(Some(n)) if (1..=i64::from(RetentionSpec::MAX_PERIODS)).contains(&n) => n as u32,
            other => {
                return plan_err!("{RETENTION}: periods must be 1 to {}, not {other}", RetentionSpec::MAX_PERIODS);
            }
        };
        let origin = period.index_of_epoch_day(first);
        let end = period.index_of_epoch_day(last);
        if end < origin {
            return plan_err!("{RETENTION}: the last day is before the first");
        }
        let cohorts = (end - origin) as usize + 1;
        let cohort_days = (origin..=end)
            .map(|index| period.start(index).map(to_epoch_day))
            .collect::<Option<Vec<i32>>>()
            .ok_or_else(|| exec_datafusion_err!("{RETENTION}: dates out of range"))?;
        let return_bits = cohorts + periods as usize + 1;
        Ok(Self {
            period,
            rule: RetentionRule { retention_type, criterion, periods },
            origin,
            cohorts,
            return_bits,
            start_words: cohorts.div_ceil(64),
            return_words: return_bits.div_ceil(64),
            cohort_days,
        })
    }

    fn words(&self) -> usize {
        self.start_words + self.return_words
    }

    /// The bit of a start event on `day`, if its period is a cohort.
    fn start_bit(&self, day: i32) -> Option<usize> {
        let offset = self.period.index_of_epoch_day(day).checked_sub(self.origin)?;
        usize::try_from(offset).ok().filter(|&bit| bit < self.cohorts)
    }

    /// The bit of a return event on `day` (after the start words), if it can matter.
    fn return_bit(&self, day: i32) -> Option<usize> {
        let offset = self.period.index_of_epoch_day(day).checked_sub(self.origin)?;
        let bit = usize::try_from(offset).ok()?.min(self.return_bits - 1);
        Some(self.start_words * 64 + bit)
    }

    /// The cells of one group from its words, appended to `cohorts` and `periods`.
    fn cells(&self, words: &[u64], cohorts: &mut Vec<i32>, periods: &mut Vec<i32>) {
        let (start_words, return_words) = words.split_at(self.start_words);
        let starts: Vec<i32> = set_bits(start_words).map(|bit| self.origin + bit as i32).collect();
        if starts.is_empty() {
            return;
        }
        let returns: Vec<i32> = set_bits(return_words).map(|bit| self.origin + bit as i32).collect();
        for (cohort, n) in entity_cells(&starts, &returns, self.rule) {
            cohorts.push(self.cohort_days[(cohort - self.origin) as usize]);
            periods.push(n as i32);
        }
    }

    fn empty_cells() -> ListArray {
        build_cells(vec![0], Vec::new(), Vec::new())
    }
}

fn set_bits(words: &[u64]) -> impl Iterator<Item = usize> + '_ {
    words.iter().enumerate().flat_map(|(w, &word)| {
        let mut rest = word;
        std::iter::from_fn(move || {
            (rest != 0).then(|| {
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                w * 64 + bit
            })
        })
    })
}

fn build_cells(offsets: Vec<i32>, cohorts: Vec<i32>, periods: Vec<i32>) -> ListArray {
    let cells = StructArray::new(
        cell_fields(),
        vec![Arc::new(Date32Array::from(cohorts)) as ArrayRef, Arc::new(Int32Array::from(periods))],
        None,
    );
    let field = Arc::new(Field::new_list_field(DataType::Struct(cell_fields()), false));
    ListArray::new(field, OffsetBuffer::new(offsets.into()), Arc::new(cells), None)
}

fn passes(filter: Option<&BooleanArray>, row: usize) -> bool {
    filter.is_none_or(|f| f.is_valid(row) && f.value(row))
}

/// Every group's bitsets, one after the other.
#[derive(Debug)]
struct RetentionGroups {
    layout: Layout,
    bits: Vec<u64>,
}

impl RetentionGroups {
    fn new(layout: Layout) -> Self {
        Self { layout, bits: Vec::new() }
    }

    fn grow(&mut self, groups: usize) {
        let words = groups * self.layout.words();
        if self.bits.len() < words {
            self.bits.resize(words, 0);
        }
    }

    fn take(&mut self, emit_to: EmitTo) -> Vec<u64> {
        match emit_to {
            EmitTo::All => std::mem::take(&mut self.bits),
            EmitTo::First(n) => self.bits.drain(..n * self.layout.words()).collect(),
        }
    }

    fn set(&mut self, group: usize, bit: usize) {
        self.bits[group * self.layout.words() + bit / 64] |= 1 << (bit % 64);
    }
}

impl GroupsAccumulator for RetentionGroups {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.grow(total_num_groups);
        let (Some(starts), Some(returns)) =
            (values[0].as_primitive_opt::<Date32Type>(), values[1].as_primitive_opt::<Date32Type>())
        else {
            return exec_err!("{RETENTION} takes DATE days");
        };
        for (row, &group) in group_indices.iter().enumerate() {
            if !passes(opt_filter, row) {
                continue;
            }
            if starts.is_valid(row)
                && let Some(bit) = self.layout.start_bit(starts.value(row))
            {
                self.set(group, bit);
            }
            if returns.is_valid(row)
                && let Some(bit) = self.layout.return_bit(returns.value(row))
            {
                self.set(group, bit);
            }
        }
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let bits = self.take(emit_to);
        let words = self.layout.words();
        let (mut offsets, mut cohorts, mut periods) = (vec![0], Vec::new(), Vec::new());
        for group in bits.chunks_exact(words) {
            self.layout.cells(group, &mut cohorts, &mut periods);
            offsets.push(i32::try_from(cohorts.len()).map_err(|_| exec_datafusion_err!("too many cells"))?);
        }
        Ok(Arc::new(build_cells(offsets, cohorts, periods)))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let bits = self.take(emit_to);
        let words = self.layout.words();
        let mut builder = BinaryBuilder::with_capacity(bits.len() / words.max(1), bits.len() * 8);
        for group in bits.chunks_exact(words) {
            let bytes: Vec<u8> = group.iter().flat_map(|w| w.to_le_bytes()).collect();
            builder.append_value(bytes);
        }
        Ok(vec![Arc::new(builder.finish())])
    }

    fn merge_batch(&mut self, values: &[ArrayRef], group_indices: &[usize], total_num_groups: usize) -> Result<()> {
        self.grow(total_num_groups);
        let Some(states) = values[0].as_binary_opt::<i32>() else {
            return exec_err!("{RETENTION} merges binary states");
        };
        let words = self.layout.words();
        for (row, &group) in group_indices.iter().enumerate() {
            if !states.is_valid(row) {
                continue;
            }
            let bytes = states.value(row);
            if bytes.len() != words * 8 {
                return exec_err!("{RETENTION}: a state of {} bytes, not {}", bytes.len(), words * 8);
            }
            for (w, chunk) in bytes.chunks_exact(8).enumerate() {
                let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
                self.bits[group * words + w] |= word;
            }
        }
        Ok(())
    }

    /// Each input row as its own group's state.
    fn convert_to_state(&self, values: &[ArrayRef], opt_filter: Option<&BooleanArray>) -> Result<Vec<ArrayRef>> {
        let rows = values[0].len();
        let mut each = RetentionGroups::new(self.layout.clone());
        each.update_batch(values, &(0..rows).collect::<Vec<_>>(), opt_filter, rows)?;
        each.state(EmitTo::All)
    }

    fn size(&self) -> usize {
        self.bits.capacity() * 8 + self.layout.cohort_days.capacity() * 4
    }
}

/// [`RetentionGroups`] with one group, for `retention` without `GROUP BY`.
#[derive(Debug)]
struct SingleRetention(RetentionGroups);

impl Accumulator for SingleRetention {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let groups = vec![0; values[0].len()];
        self.0.update_batch(values, &groups, None, 1)
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        self.0.grow(1);
        let words = self.0.bits.clone();
        let cells = self.0.evaluate(EmitTo::All)?;
        self.0.bits = words;
        ScalarValue::try_from_array(&cells, 0)
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.0.size()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        self.0.grow(1);
        let words = self.0.bits.clone();
        let state = self.0.state(EmitTo::All)?;
        self.0.bits = words;
        Ok(vec![ScalarValue::try_from_array(&state[0], 0)?])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let groups = vec![0; states[0].len()];
        self.0.merge_batch(states, &groups, 1)
    }
}
