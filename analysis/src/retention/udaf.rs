//! The `retention` aggregate: one entity's retention cells, in the spirit of Doris `retention`.
//!
//! ```sql
//! retention(start_time, return_time, 'first_time', 'on', 12, 12, '1708876800000000,1709481600000000,…')
//! ```
//!
//! Grouped by entity, over its events: `start_time` is the time (a timestamp in microseconds) of
//! a start event in the range (null for other events), `return_time` that of a return event
//! (null for others). The literals are the type, the criterion, the number of cohort periods,
//! the number of periods shown after the cohort's, and the instants (microseconds since the
//! epoch, ascending) at which each period begins, from the first cohort's to the end of the last
//! one shown: cohorts + periods + 1 of them. The planner has the engine work these out in the
//! tenant's zone, so that each event needs a binary search here instead of a time-zone
//! conversion. The result is the entity's cells, `List<Struct<cohort: Int32, period: Int32>>`:
//! each cohort it belongs to (numbered from 0 for the first) with period 0, and with each period
//! N it was retained in ([`entity_cells`](super::entity_cells)). `unnest` and a `GROUP BY` over
//! the cells then count every cell of the retention table.
//!
//! Per entity, the state is two small bitsets: the cohorts with a start event, and the periods
//! with a return event (every return past the last period shown shares the last bit, which is
//! all "on or after" needs). A 12-week table needs one 64-bit word for each.

use super::entity::{RetentionRule, for_each_cell};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BinaryBuilder, BooleanArray, Int32Array, ListArray, RecordBatch, StructArray,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields, Schema, TimeUnit, TimestampMicrosecondType};
use datafusion::common::{Result, ScalarValue, exec_datafusion_err, exec_err, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, ColumnarValue, EmitTo, GroupsAccumulator, Signature, Volatility,
};
use quiver_shared::analysis::retention::{RetentionCriterion, RetentionSpec, RetentionType};
use std::sync::Arc;

/// The SQL name of the per-entity retention aggregate.
pub const RETENTION: &str = "retention";

/// How many arguments `retention` takes.
const ARGS: usize = 7;

/// The fields of one cell.
fn cell_fields() -> Fields {
    Fields::from(vec![Field::new("cohort", DataType::Int32, false), Field::new("period", DataType::Int32, false)])
}

/// `List<Struct<cohort, period>>`.
fn cells_type() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Struct(cell_fields()), false)))
}

fn is_micros(data_type: &DataType) -> bool {
    matches!(data_type, DataType::Timestamp(TimeUnit::Microsecond, _))
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
        if arg_types.len() != ARGS || !is_micros(&arg_types[0]) || !is_micros(&arg_types[1]) {
            return plan_err!(
                "{RETENTION}(start_time, return_time, type, criterion, cohorts, periods, period_starts) with \
                 microsecond timestamps, not {RETENTION}({arg_types:?})"
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
        Ok(ScalarValue::List(Arc::new(build_cells(vec![0], Vec::new(), Vec::new()))))
    }
}

/// The literal arguments, and where each period goes in a group's bitsets.
#[derive(Clone, Debug)]
struct Layout {
    rule: RetentionRule,
    /// Cohort periods.
    cohorts: usize,
    /// When each period begins, from the first cohort's; the last is the end of the last
    /// period shown. A return bit per period, and the last bit for anything later.
    starts: Vec<i64>,
    start_words: usize,
    return_words: usize,
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

fn count_literal(args: &AccumulatorArgs, index: usize, max: u32) -> Result<usize> {
    match literal(args, index)? {
        ScalarValue::Int64(Some(n)) if (1..=i64::from(max)).contains(&n) => Ok(n as usize),
        other => plan_err!("argument {} of {RETENTION} must be 1 to {max}, not {other}", index + 1),
    }
}

impl Layout {
    fn from_args(args: &AccumulatorArgs) -> Result<Self> {
        let kind = text_literal(args, 2)?;
        let retention_type =
            RetentionType::parse(&kind).ok_or_else(|| exec_datafusion_err!("{RETENTION}: no type `{kind}`"))?;
        let criterion = text_literal(args, 3)?;
        let criterion = RetentionCriterion::parse(&criterion)
            .ok_or_else(|| exec_datafusion_err!("{RETENTION}: no criterion `{criterion}`"))?;
        let cohorts = count_literal(args, 4, RetentionSpec::MAX_COHORTS)?;
        let periods = count_literal(args, 5, RetentionSpec::MAX_PERIODS)?;
        let starts = text_literal(args, 6)?
            .split(',')
            .map(|n| n.trim().parse::<i64>())
            .collect::<Result<Vec<i64>, _>>()
            .map_err(|e| exec_datafusion_err!("{RETENTION}: period starts are whole numbers: {e}"))?;
        if starts.len() != cohorts + periods + 1 || !starts.windows(2).all(|w| w[0] < w[1]) {
            return plan_err!(
                "{RETENTION}: {} ascending period starts for {cohorts} cohorts and {periods} periods, not {}",
                cohorts + periods + 1,
                starts.len()
            );
        }
        let return_bits = starts.len();
        Ok(Self {
            rule: RetentionRule { retention_type, criterion, periods: periods as u32 },
            cohorts,
            starts,
            start_words: cohorts.div_ceil(64),
            return_words: return_bits.div_ceil(64),
        })
    }

    fn words(&self) -> usize {
        self.start_words + self.return_words
    }

    /// The period (0 for the first cohort's) holding the instant `at`; the last for anything
    /// from the end of the last period shown on; none before the first.
    fn period(&self, at: i64) -> Option<usize> {
        self.starts.partition_point(|&start| start <= at).checked_sub(1)
    }

    /// The bit of a start event at `at`, if its period is a cohort.
    fn start_bit(&self, at: i64) -> Option<usize> {
        self.period(at).filter(|&period| period < self.cohorts)
    }

    /// The bit of a return event at `at` (after the start words), if it can matter.
    fn return_bit(&self, at: i64) -> Option<usize> {
        Some(self.start_words * 64 + self.period(at)?)
    }

    /// The cells of one group from its words, appended to `cohorts` and `periods`; `starts`
    /// and `returns` are scratch space.
    fn cells(&self, words: &[u64], scratch: &mut (Vec<i32>, Vec<i32>), cohorts: &mut Vec<i32>, periods: &mut Vec<i32>) {
        let (start_words, return_words) = words.split_at(self.start_words);
        let (starts, returns) = scratch;
        starts.clear();
        starts.extend(set_bits(start_words).map(|bit| bit as i32));
        if starts.is_empty() {
            return;
        }
        returns.clear();
        returns.extend(set_bits(return_words).map(|bit| bit as i32));
        for_each_cell(starts, returns, self.rule, |cohort, n| {
            cohorts.push(cohort);
            periods.push(n as i32);
        });
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
        vec![Arc::new(Int32Array::from(cohorts)) as ArrayRef, Arc::new(Int32Array::from(periods))],
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
        let (Some(starts), Some(returns)) = (
            values[0].as_primitive_opt::<TimestampMicrosecondType>(),
            values[1].as_primitive_opt::<TimestampMicrosecondType>(),
        ) else {
            return exec_err!("{RETENTION} takes microsecond timestamps");
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
        let mut scratch = (Vec::new(), Vec::new());
        for group in bits.chunks_exact(words) {
            self.layout.cells(group, &mut scratch, &mut cohorts, &mut periods);
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
        self.bits.capacity() * 8 + self.layout.starts.capacity() * 8
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
