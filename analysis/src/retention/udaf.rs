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
//! one shown: cohorts + periods + 1 of them. The planner works these out in the tenant's zone,
//! so that each event needs a binary search here instead of a time-zone conversion. The result is the entity's cells, `List<Struct<cohort: Int32, period: Int32>>`:
//! each cohort it belongs to (numbered from 0 for the first) with period 0, and with each period
//! N it was retained in ([`entity_cells`](super::entity_cells)). `unnest` and a `GROUP BY` over
//! the cells then count every cell of the retention table.
//!
//! Per entity, the state is two small bitsets: the cohorts with a start event, and the periods
//! with a return event (every return past the last period shown shares the last bit, which is
//! all "on or after" needs). A 12-week table needs one 64-bit word for each.

use super::entity::{RetentionRule, for_each_cell};
use crate::trend::bits::{GroupBits, Grow, OneGroup, count_literal, literal, passes, set_bits};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Int32Array, ListArray, StructArray};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields, TimeUnit, TimestampMicrosecondType};
use datafusion::common::{Result, ScalarValue, exec_datafusion_err, exec_err, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, EmitTo, GroupsAccumulator, Signature, Volatility,
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
        Ok(Box::new(OneGroup(RetentionGroups::new(Layout::from_args(&args)?))))
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
    /// Words of the cohorts' bitset; the periods' follows.
    start_words: usize,
}

fn text_literal(args: &AccumulatorArgs, index: usize) -> Result<String> {
    match literal(RETENTION, args, index)?.try_as_str() {
        Some(Some(text)) => Ok(text.to_owned()),
        _ => plan_err!("argument {} of {RETENTION} must be a text literal", index + 1),
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
        let cohorts = count_literal(RETENTION, args, 4, 1, RetentionSpec::MAX_COHORTS.into())?;
        let periods = count_literal(RETENTION, args, 5, 1, RetentionSpec::MAX_PERIODS.into())?;
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
        Ok(Self {
            rule: RetentionRule { retention_type, criterion, periods: periods as u32 },
            cohorts,
            starts,
            start_words: cohorts.div_ceil(64),
        })
    }

    /// Bits per group: the cohorts' (in whole words), then the periods'.
    fn bits(&self) -> usize {
        self.start_words * 64 + self.starts.len()
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

fn build_cells(offsets: Vec<i32>, cohorts: Vec<i32>, periods: Vec<i32>) -> ListArray {
    let cells = StructArray::new(
        cell_fields(),
        vec![Arc::new(Int32Array::from(cohorts)) as ArrayRef, Arc::new(Int32Array::from(periods))],
        None,
    );
    let field = Arc::new(Field::new_list_field(DataType::Struct(cell_fields()), false));
    ListArray::new(field, OffsetBuffer::new(offsets.into()), Arc::new(cells), None)
}

/// Every group's bitsets.
#[derive(Clone, Debug)]
struct RetentionGroups {
    layout: Layout,
    bits: GroupBits,
}

impl RetentionGroups {
    fn new(layout: Layout) -> Self {
        let bits = GroupBits::new(layout.bits());
        Self { layout, bits }
    }
}

impl Grow for RetentionGroups {
    fn grow(&mut self, groups: usize) {
        self.bits.grow(groups);
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
        self.bits.grow(total_num_groups);
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
                self.bits.set(group, bit);
            }
            if returns.is_valid(row)
                && let Some(bit) = self.layout.return_bit(returns.value(row))
            {
                self.bits.set(group, bit);
            }
        }
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let words = self.bits.words();
        let bits = self.bits.take(emit_to);
        let (mut offsets, mut cohorts, mut periods) = (vec![0], Vec::new(), Vec::new());
        let mut scratch = (Vec::new(), Vec::new());
        for group in bits.chunks_exact(words) {
            self.layout.cells(group, &mut scratch, &mut cohorts, &mut periods);
            offsets.push(i32::try_from(cohorts.len()).map_err(|_| exec_datafusion_err!("too many cells"))?);
        }
        Ok(Arc::new(build_cells(offsets, cohorts, periods)))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.bits.state(emit_to)])
    }

    fn merge_batch(&mut self, values: &[ArrayRef], group_indices: &[usize], total_num_groups: usize) -> Result<()> {
        self.bits.merge(values[0].as_ref(), group_indices, total_num_groups)
    }

    /// Each input row as its own group's state.
    fn convert_to_state(&self, values: &[ArrayRef], opt_filter: Option<&BooleanArray>) -> Result<Vec<ArrayRef>> {
        let rows = values[0].len();
        let mut each = RetentionGroups::new(self.layout.clone());
        each.update_batch(values, &(0..rows).collect::<Vec<_>>(), opt_filter, rows)?;
        each.state(EmitTo::All)
    }

    fn size(&self) -> usize {
        self.bits.size() + self.layout.starts.capacity() * 8
    }
}
