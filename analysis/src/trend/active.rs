//! DAU, WAU and MAU as two aggregates: `trailing_days` per entity, `bit_counts` over entities.
//!
//! `trailing_days(day, '1,7,30', lead, days)`, grouped by entity over its events: `day` is the
//! `Int32` number of the event's local day, from 0 for the `lead` days before the range to
//! `lead + days - 1` for its last day (as `bucket_index` gives it over daily starts). For each
//! window (ascending, each at most `lead + 1` days) and each range day `d` (0 for the first),
//! the entity counts when it has an event on one of the window's days ending on `d`. The result
//! is a bitset (`Binary`, little-endian 64-bit words): bit `w * days + d` for window number `w`.
//!
//! `bit_counts(bits)` adds bitsets up: `List<Int64>` whose item `p` is how many of the group's
//! bitsets have bit `p` set. Over the entities' `trailing_days`, item `w * days + d` is the
//! active entities of window `w` on day `d`, and the per-entity sets never leave the aggregation
//! (unnesting every entity's days would make millions of rows).
//!
//! Per entity, the state is a bitset of its active days: for 30 days and a 29-day lead-in, one
//! 64-bit word.

use super::bits::{GroupBits, Grow, OneGroup, count_literal, literal, passes, set_bits};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, BinaryBuilder, BooleanArray, Int64Array, ListArray};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Int32Type};
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, EmitTo, GroupsAccumulator, Signature, Volatility,
};
use std::sync::Arc;

/// The SQL name of the per-entity trailing-window aggregate.
pub const TRAILING_DAYS: &str = "trailing_days";
/// The SQL name of the aggregate that adds bitsets up.
pub const BIT_COUNTS: &str = "bit_counts";

/// Most days in a range or before it (a year and a bit).
const MAX_DAYS: i64 = 400;

/// `trailing_days(…)`; see the module docs.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct TrailingDays {
    signature: Signature,
}

impl TrailingDays {
    pub(crate) fn udaf() -> AggregateUDF {
        AggregateUDF::from(Self { signature: Signature::any(4, Volatility::Immutable) })
    }
}

impl AggregateUDFImpl for TrailingDays {
    fn name(&self) -> &str {
        TRAILING_DAYS
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        if arg_types.len() != 4 || arg_types[0] != DataType::Int32 {
            return plan_err!("{TRAILING_DAYS}(day INT, windows, lead, days), not {TRAILING_DAYS}({arg_types:?})");
        }
        Ok(DataType::Binary)
    }

    fn is_nullable(&self) -> bool {
        false
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(format!("{}[days]", args.name), DataType::Binary, true))])
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(OneGroup(ActiveDays::new(Windows::from_args(&args)?))))
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(ActiveDays::new(Windows::from_args(&args)?)))
    }
}

/// The literal arguments.
#[derive(Clone, Debug)]
struct Windows {
    windows: Vec<usize>,
    lead: usize,
    days: usize,
}

impl Windows {
    fn from_args(args: &AccumulatorArgs) -> Result<Self> {
        let lead = count_literal(TRAILING_DAYS, args, 2, 0, MAX_DAYS)?;
        let days = count_literal(TRAILING_DAYS, args, 3, 1, MAX_DAYS)?;
        let windows = match literal(TRAILING_DAYS, args, 1)?.try_as_str() {
            Some(Some(text)) => text.split(',').map(|w| w.trim().parse::<usize>()).collect::<Result<Vec<_>, _>>().ok(),
            _ => None,
        };
        match windows {
            Some(windows)
                if !windows.is_empty()
                    && windows.windows(2).all(|w| w[0] < w[1])
                    && windows.iter().all(|&w| (1..=lead + 1).contains(&w)) =>
            {
                Ok(Self { windows, lead, days })
            }
            _ => plan_err!("{TRAILING_DAYS}: windows are ascending day counts from 1 to lead + 1 ({})", lead + 1),
        }
    }

    /// The range days each window covers from the active days in `words`, as bits of `out`.
    fn covered(&self, words: &[u64], out: &mut [u64]) {
        out.fill(0);
        for (w, &window) in self.windows.iter().enumerate() {
            // Each active day covers itself and the window - 1 days after it; the spans arrive
            // in order, so each day is visited once.
            let mut next = self.lead;
            for active in set_bits(words) {
                let from = active.max(next);
                let to = (active + window).min(self.lead + self.days);
                for day in from..to {
                    let bit = w * self.days + day - self.lead;
                    out[bit / 64] |= 1 << (bit % 64);
                }
                next = next.max(to);
            }
        }
    }
}

/// Every entity's active days.
#[derive(Clone, Debug)]
struct ActiveDays {
    windows: Windows,
    bits: GroupBits,
}

impl ActiveDays {
    fn new(windows: Windows) -> Self {
        let bits = GroupBits::new(windows.lead + windows.days);
        Self { windows, bits }
    }
}

impl Grow for ActiveDays {
    fn grow(&mut self, groups: usize) {
        self.bits.grow(groups);
    }
}

impl GroupsAccumulator for ActiveDays {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.bits.grow(total_num_groups);
        let Some(days) = values[0].as_primitive_opt::<Int32Type>() else {
            return exec_err!("{TRAILING_DAYS} takes INT days");
        };
        let span = self.windows.lead + self.windows.days;
        for (row, &group) in group_indices.iter().enumerate() {
            if passes(opt_filter, row)
                && days.is_valid(row)
                && let Ok(day) = usize::try_from(days.value(row))
                && day < span
            {
                self.bits.set(group, day);
            }
        }
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let words = self.bits.words();
        let bits = self.bits.take(emit_to);
        let mut covered = vec![0u64; (self.windows.windows.len() * self.windows.days).div_ceil(64)];
        let mut builder = BinaryBuilder::with_capacity(bits.len() / words, bits.len() / words * covered.len() * 8);
        for group in bits.chunks_exact(words) {
            self.windows.covered(group, &mut covered);
            let bytes: Vec<u8> = covered.iter().flat_map(|w| w.to_le_bytes()).collect();
            builder.append_value(bytes);
        }
        Ok(Arc::new(builder.finish()))
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
        let mut each = ActiveDays::new(self.windows.clone());
        each.update_batch(values, &(0..rows).collect::<Vec<_>>(), opt_filter, rows)?;
        each.state(EmitTo::All)
    }

    fn size(&self) -> usize {
        self.bits.size()
    }
}

/// `bit_counts(bits)`; see the module docs.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct BitCounts {
    signature: Signature,
}

impl BitCounts {
    pub(crate) fn udaf() -> AggregateUDF {
        AggregateUDF::from(Self { signature: Signature::exact(vec![DataType::Binary], Volatility::Immutable) })
    }
}

fn counts_type() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Int64, false)))
}

impl AggregateUDFImpl for BitCounts {
    fn name(&self) -> &str {
        BIT_COUNTS
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(counts_type())
    }

    fn is_nullable(&self) -> bool {
        false
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(format!("{}[counts]", args.name), counts_type(), true))])
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(OneGroup(Counts::default())))
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(Counts::default()))
    }
}

/// Each group's count per bit.
#[derive(Clone, Debug, Default)]
struct Counts {
    counts: Vec<Vec<i64>>,
}

impl Counts {
    fn take(&mut self, emit_to: EmitTo) -> ArrayRef {
        let counts = emit_to.take_needed(&mut self.counts);
        let mut offsets = vec![0i32];
        let mut values = Vec::new();
        for group in counts {
            values.extend(group);
            offsets.push(values.len() as i32);
        }
        let field = Arc::new(Field::new_list_field(DataType::Int64, false));
        Arc::new(ListArray::new(field, OffsetBuffer::new(offsets.into()), Arc::new(Int64Array::from(values)), None))
    }
}

fn add(counts: &mut Vec<i64>, position: usize, n: i64) {
    if counts.len() <= position {
        counts.resize(position + 1, 0);
    }
    counts[position] += n;
}

impl Grow for Counts {
    fn grow(&mut self, groups: usize) {
        self.counts.resize_with(groups.max(self.counts.len()), Vec::new);
    }
}

impl GroupsAccumulator for Counts {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.grow(total_num_groups);
        let Some(sets) = values[0].as_binary_opt::<i32>() else {
            return exec_err!("{BIT_COUNTS} takes binary bitsets");
        };
        for (row, &group) in group_indices.iter().enumerate() {
            if !passes(opt_filter, row) || !sets.is_valid(row) {
                continue;
            }
            for (w, chunk) in sets.value(row).chunks(8).enumerate() {
                let mut word = [0; 8];
                word[..chunk.len()].copy_from_slice(chunk);
                for bit in set_bits(&[u64::from_le_bytes(word)]) {
                    add(&mut self.counts[group], w * 64 + bit, 1);
                }
            }
        }
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        Ok(self.take(emit_to))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.take(emit_to)])
    }

    fn merge_batch(&mut self, values: &[ArrayRef], group_indices: &[usize], total_num_groups: usize) -> Result<()> {
        self.grow(total_num_groups);
        let Some(lists) = values[0].as_list_opt::<i32>() else {
            return exec_err!("{BIT_COUNTS} merges lists of counts");
        };
        for (row, &group) in group_indices.iter().enumerate() {
            if !lists.is_valid(row) {
                continue;
            }
            let list = lists.value(row);
            let Some(counts) = list.as_primitive_opt::<datafusion::arrow::datatypes::Int64Type>() else {
                return exec_err!("{BIT_COUNTS} merges Int64 counts");
            };
            for (position, n) in counts.values().iter().enumerate() {
                add(&mut self.counts[group], position, *n);
            }
        }
        Ok(())
    }

    /// Each input row as its own group's state.
    fn convert_to_state(&self, values: &[ArrayRef], opt_filter: Option<&BooleanArray>) -> Result<Vec<ArrayRef>> {
        let rows = values[0].len();
        let mut each = Counts::default();
        each.update_batch(values, &(0..rows).collect::<Vec<_>>(), opt_filter, rows)?;
        each.state(EmitTo::All)
    }

    fn size(&self) -> usize {
        self.counts.iter().map(|c| c.capacity() * 8).sum::<usize>() + self.counts.capacity() * 24
    }
}
