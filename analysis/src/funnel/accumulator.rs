//! The accumulators of `window_funnel` (see `udaf.rs` for its arguments and result): every
//! entity's events collected as they arrive, then matched one entity at a time.

use super::matching::{FunnelEvent, MatchRules, match_entity};
use super::udaf::{Attribute, FLAG_CAN_START, FLAG_EXCLUDED, MICROS, WINDOW_FUNNEL, result_fields, step_fields};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Builder, Int32Builder, Int64Builder, ListArray, ListBuilder,
    StringArray, StringBuilder, StructArray, UInt8Builder, UInt32Builder,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Field, Int64Type, TimestampMicrosecondType, UInt8Type, UInt32Type};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{Accumulator, EmitTo, GroupsAccumulator};
use quiver_shared::analysis::funnel::FunnelMode;
use std::sync::Arc;

/// Where events' breakdown values are: the value arrays the aggregate was given, kept whole (a
/// clone of an array shares its buffers), and each event's value as its array and row. Reading
/// only the values of the chains' events is cheaper than hashing every event's value.
#[derive(Debug, Default)]
struct Values {
    arrays: Vec<StringArray>,
    bytes: usize,
}

impl Values {
    /// An event's value when it has none.
    const NONE: u64 = u64::MAX;

    /// Keeps `array`; returns its index.
    fn keep(&mut self, array: &StringArray) -> Result<u64> {
        let Ok(index) = u32::try_from(self.arrays.len()) else {
            return exec_err!("{WINDOW_FUNNEL} keeps at most 2^32 value arrays");
        };
        self.bytes += array.get_array_memory_size();
        self.arrays.push(array.clone());
        Ok(u64::from(index))
    }

    /// The reference to row `row` of the kept array `array`.
    fn at(array: u64, row: usize) -> u64 {
        (array << 32) | row as u64
    }

    fn text(&self, value: u64) -> Option<&str> {
        let (array, row) = ((value >> 32) as usize, (value & u64::from(u32::MAX)) as usize);
        let array = self.arrays.get(array)?;
        (row < array.len() && array.is_valid(row)).then(|| array.value(row))
    }
}

/// Every group's events. Events are appended as they arrive, with their group, one vector for
/// all groups: appending stays sequential however many groups there are (a vector per group
/// made each event a cache miss and each group a few reallocations). Evaluating sorts them into
/// groups once (a stable counting sort, so each group keeps arrival order).
pub(super) struct FunnelGroups {
    rules: MatchRules,
    attribute: Attribute,
    groups: usize,
    group_of: Vec<u32>,
    events: Vec<FunnelEvent>,
    values: Values,
}

/// Some groups' events, sorted into groups: group g's are `events[offsets[g]..offsets[g + 1]]`.
struct Taken {
    offsets: Vec<usize>,
    events: Vec<FunnelEvent>,
}

impl Taken {
    fn groups(&mut self) -> impl Iterator<Item = &mut [FunnelEvent]> {
        let mut rest = self.events.as_mut_slice();
        self.offsets.windows(2).map(move |w| {
            let (group, after) = std::mem::take(&mut rest).split_at_mut(w[1] - w[0]);
            rest = after;
            group
        })
    }
}

impl FunnelGroups {
    pub(super) fn new(rules: MatchRules, attribute: Attribute) -> Self {
        Self { rules, attribute, groups: 0, group_of: Vec::new(), events: Vec::new(), values: Values::default() }
    }

    pub(super) fn resize(&mut self, total_num_groups: usize) -> Result<()> {
        if u32::try_from(total_num_groups).is_err() {
            return exec_err!("{WINDOW_FUNNEL} holds at most 2^32 groups");
        }
        self.groups = self.groups.max(total_num_groups);
        Ok(())
    }

    fn push(&mut self, group: usize, event: FunnelEvent) {
        // `resize` checked that group indices fit.
        self.group_of.push(group as u32);
        self.events.push(event);
    }

    /// Takes the groups `emit_to` asks for, sorted into groups; later groups move down.
    fn take(&mut self, emit_to: EmitTo) -> Taken {
        let taken = match emit_to {
            EmitTo::All => self.groups,
            EmitTo::First(n) => n.min(self.groups),
        };
        let mut offsets = vec![0usize; taken + 1];
        for &g in &self.group_of {
            if let Some(count) = offsets.get_mut(g as usize + 1) {
                *count += 1;
            }
        }
        for g in 0..taken {
            offsets[g + 1] += offsets[g];
        }
        let mut next = offsets.clone();
        let mut events = vec![FunnelEvent::default(); offsets[taken]];
        let mut kept = 0;
        for i in 0..self.events.len() {
            let g = self.group_of[i] as usize;
            if g < taken {
                events[next[g]] = self.events[i];
                next[g] += 1;
            } else {
                self.group_of[kept] = (g - taken) as u32;
                self.events[kept] = self.events[i];
                kept += 1;
            }
        }
        self.group_of.truncate(kept);
        self.events.truncate(kept);
        self.groups -= taken;
        Taken { offsets, events }
    }
}

fn passes(filter: Option<&BooleanArray>, row: usize) -> bool {
    filter.is_none_or(|f| f.is_valid(row) && f.value(row))
}

impl GroupsAccumulator for FunnelGroups {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.resize(total_num_groups)?;
        let Some(ts) = values[3].as_primitive_opt::<TimestampMicrosecondType>() else {
            return exec_err!("{WINDOW_FUNNEL} needs microsecond timestamps, not {}", values[3].data_type());
        };
        let (Some(masks), Some(flags)) =
            (values[4].as_primitive_opt::<Int64Type>(), values[5].as_primitive_opt::<Int64Type>())
        else {
            return exec_err!("{WINDOW_FUNNEL} needs BIGINT step masks and flags");
        };
        let texts = match values.get(6) {
            Some(array) => match array.as_string_opt::<i32>() {
                Some(texts) => Some(texts),
                None => return exec_err!("{WINDOW_FUNNEL} needs text values, not {}", array.data_type()),
            },
            None => None,
        };
        if group_indices.len() > u32::MAX as usize {
            return exec_err!("{WINDOW_FUNNEL} takes batches of at most 2^32 rows");
        }
        let source = match texts {
            Some(texts) => Some(self.values.keep(texts)?),
            None => None,
        };
        // Outside strict mode an event that is neither a step nor an exclusion changes no chain.
        let keep_all = self.rules.mode == FunnelMode::Strict;
        self.group_of.reserve(group_indices.len());
        self.events.reserve(group_indices.len());
        for (row, &group) in group_indices.iter().enumerate() {
            if !passes(opt_filter, row) || ts.is_null(row) {
                continue;
            }
            let flag = if flags.is_valid(row) { flags.value(row) } else { 0 };
            // Steps past the 32nd cannot be asked for; the mask's upper half is unused.
            let steps = if masks.is_valid(row) { masks.value(row) as u32 } else { 0 };
            let excluded = flag & FLAG_EXCLUDED != 0;
            if steps == 0 && !excluded && !keep_all {
                continue;
            }
            let value = source.map_or(Values::NONE, |source| Values::at(source, row));
            let event =
                FunnelEvent { ts: ts.value(row), steps, excluded, can_start: flag & FLAG_CAN_START != 0, value };
            self.push(group, event);
        }
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let mut taken = self.take(emit_to);
        let groups = taken.offsets.len() - 1;
        let mut level = Int32Builder::with_capacity(groups);
        let mut value = StringBuilder::new();
        let mut to_convert = Float64Builder::with_capacity(groups);
        let mut lengths = Vec::with_capacity(groups);
        let (mut k, mut ts, mut gap, mut step_value) =
            (Int32Builder::new(), Int64Builder::new(), Float64Builder::new(), StringBuilder::new());
        let secs = |micros: i64| micros as f64 / MICROS as f64;
        for events in taken.groups() {
            // Stable: events at the same instant keep their arrival order. Tables written in
            // time order arrive sorted, and checking is cheaper than sorting.
            if !events.is_sorted_by_key(|e| e.ts) {
                events.sort_by_key(|e| e.ts);
            }
            let chain = match_entity(events, &self.rules).events;
            level.append_value(chain.len() as i32);
            let attributed = match self.attribute {
                Attribute::FirstTouch => chain.first(),
                Attribute::LastTouch => chain.last(),
                Attribute::Step(i) => chain.get(i),
            };
            value.append_option(attributed.and_then(|&i| self.values.text(events[i].value)));
            let (first, last) = (chain.first().map(|&i| events[i].ts), chain.last().map(|&i| events[i].ts));
            let complete = chain.len() == self.rules.steps;
            to_convert.append_option(first.zip(last).filter(|_| complete).map(|(a, b)| secs(b - a)));
            lengths.push(chain.len());
            for (n, &i) in chain.iter().enumerate() {
                k.append_value(n as i32 + 1);
                ts.append_value(events[i].ts);
                gap.append_option(n.checked_sub(1).map(|p| secs(events[i].ts - events[chain[p]].ts)));
                step_value.append_option(self.values.text(events[i].value));
            }
        }
        let steps = StructArray::try_new(
            step_fields(),
            vec![Arc::new(k.finish()), Arc::new(ts.finish()), Arc::new(gap.finish()), Arc::new(step_value.finish())],
            None,
        )?;
        let item = Arc::new(Field::new("item", DataType::Struct(step_fields()), true));
        let steps = ListArray::try_new(item, OffsetBuffer::from_lengths(lengths), Arc::new(steps), None)?;
        let array = StructArray::try_new(
            result_fields(),
            vec![Arc::new(level.finish()), Arc::new(value.finish()), Arc::new(to_convert.finish()), Arc::new(steps)],
            None,
        )?;
        Ok(Arc::new(array))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let mut taken = self.take(emit_to);
        let mut ts = ListBuilder::new(Int64Builder::new());
        let mut steps = ListBuilder::new(UInt32Builder::new());
        let mut flags = ListBuilder::new(UInt8Builder::new());
        let mut texts = ListBuilder::new(StringBuilder::new());
        for events in taken.groups() {
            for e in events.iter() {
                ts.values().append_value(e.ts);
                steps.values().append_value(e.steps);
                flags.values().append_value(u8::from(e.excluded) | (u8::from(e.can_start) << 1));
                texts.values().append_option(self.values.text(e.value));
            }
            ts.append(true);
            steps.append(true);
            flags.append(true);
            texts.append(true);
        }
        Ok(vec![Arc::new(ts.finish()), Arc::new(steps.finish()), Arc::new(flags.finish()), Arc::new(texts.finish())])
    }

    fn merge_batch(&mut self, values: &[ArrayRef], group_indices: &[usize], total_num_groups: usize) -> Result<()> {
        self.resize(total_num_groups)?;
        let lists: Vec<_> = values.iter().map(|v| v.as_list_opt::<i32>()).collect();
        let [Some(ts), Some(steps), Some(flags), Some(texts)] = lists[..] else {
            return exec_err!("{WINDOW_FUNNEL}'s state must be four lists");
        };
        // The values of every state are kept once, as the list's whole child array.
        let Some(all_texts) = texts.values().as_string_opt::<i32>() else {
            return exec_err!("{WINDOW_FUNNEL}'s state values must be text");
        };
        if all_texts.len() > u32::MAX as usize {
            return exec_err!("{WINDOW_FUNNEL} takes states of at most 2^32 events");
        }
        let source = self.values.keep(all_texts)?;
        for (row, &group) in group_indices.iter().enumerate() {
            if ts.is_null(row) {
                continue;
            }
            let (t, s, f) = (ts.value(row), steps.value(row), flags.value(row));
            let (t, s, f) =
                (t.as_primitive::<Int64Type>(), s.as_primitive::<UInt32Type>(), f.as_primitive::<UInt8Type>());
            let first_text = texts.value_offsets()[row] as usize;
            for i in 0..t.len() {
                let flag = f.value(i);
                let event = FunnelEvent {
                    ts: t.value(i),
                    steps: s.value(i),
                    excluded: flag & 1 != 0,
                    can_start: flag & 2 != 0,
                    value: Values::at(source, first_text + i),
                };
                self.push(group, event);
            }
        }
        Ok(())
    }

    /// Each input row as its own group's state: lists of one event (when the engine skips
    /// partial aggregation). Merging appends them in input order, so ties keep arrival order.
    fn convert_to_state(&self, values: &[ArrayRef], opt_filter: Option<&BooleanArray>) -> Result<Vec<ArrayRef>> {
        let rows = values.first().map_or(0, |v| v.len());
        let mut single = FunnelGroups::new(self.rules, self.attribute);
        single.update_batch(values, &(0..rows).collect::<Vec<_>>(), opt_filter, rows)?;
        single.state(EmitTo::All)
    }

    fn size(&self) -> usize {
        self.events.capacity() * size_of::<FunnelEvent>()
            + self.group_of.capacity() * size_of::<u32>()
            + self.values.bytes
            + self.values.arrays.capacity() * size_of::<StringArray>()
    }
}

/// [`FunnelGroups`] with one group, for `window_funnel` without GROUP BY.
pub(super) struct FunnelAccumulator(pub(super) FunnelGroups);

impl std::fmt::Debug for FunnelAccumulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FunnelAccumulator").field("events", &self.0.events.len()).finish()
    }
}

impl FunnelAccumulator {
    /// Runs `f` on a copy of the events, so that the accumulator can go on after `evaluate`.
    fn on_copy<T>(&mut self, f: impl FnOnce(&mut FunnelGroups) -> Result<T>) -> Result<T> {
        self.0.resize(1)?;
        let (group_of, events, groups) = (self.0.group_of.clone(), self.0.events.clone(), self.0.groups);
        let out = f(&mut self.0);
        (self.0.group_of, self.0.events, self.0.groups) = (group_of, events, groups);
        out
    }
}

impl Accumulator for FunnelAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let rows = values.first().map_or(0, |v| v.len());
        self.0.update_batch(values, &vec![0; rows], None, 1)
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let array = self.on_copy(|groups| groups.evaluate(EmitTo::All))?;
        ScalarValue::try_from_array(&array, 0)
    }

    fn size(&self) -> usize {
        size_of_val(self) + self.0.size()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let arrays = self.on_copy(|groups| groups.state(EmitTo::All))?;
        arrays.iter().map(|a| ScalarValue::try_from_array(a, 0)).collect()
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let rows = states.first().map_or(0, |s| s.len());
        self.0.merge_batch(states, &vec![0; rows], 1)
    }
}

#[cfg(test)]
mod tests {
    //! The aggregate's paths that one-partition SQL does not take: emitting the first groups
    //! only, and partial states merged (from `state` and from `convert_to_state`).

    use super::*;
    use datafusion::arrow::array::{Int64Array, TimestampMicrosecondArray};
    use datafusion::arrow::compute::concat;

    const S: i64 = MICROS;

    /// Five events of three entities: 0 completes both steps (x then y), 1 has step 2 before
    /// step 1, 2 has only step 1.
    fn input() -> (Vec<ArrayRef>, Vec<usize>) {
        let values: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(vec![10; 5])),
            Arc::new(StringArray::from(vec!["ordered"; 5])),
            Arc::new(Int64Array::from(vec![2; 5])),
            Arc::new(TimestampMicrosecondArray::from(vec![0, S, 2 * S, 3 * S, 5 * S])),
            Arc::new(Int64Array::from(vec![1, 2, 1, 1, 2])),
            Arc::new(Int64Array::from(vec![FLAG_CAN_START; 5])),
            Arc::new(StringArray::from(vec![Some("x"), None, Some("z"), Some("w"), Some("y")])),
        ];
        (values, vec![0, 1, 1, 2, 0])
    }

    fn accumulator() -> FunnelGroups {
        let rules = MatchRules { steps: 2, window: 10 * S, mode: FunnelMode::Ordered, dedup: false, increase: false };
        FunnelGroups::new(rules, Attribute::LastTouch)
    }

    fn evaluated_at_once() -> ArrayRef {
        let (values, groups) = input();
        let mut all = accumulator();
        all.update_batch(&values, &groups, None, 3).unwrap();
        all.evaluate(EmitTo::All).unwrap()
    }

    #[test]
    fn the_result_reads_as_documented() {
        let result = evaluated_at_once();
        let result = result.as_struct();
        let levels: Vec<i32> =
            result.column(0).as_primitive::<datafusion::arrow::datatypes::Int32Type>().values().to_vec();
        assert_eq!(levels, [2, 1, 1]);
        let values: Vec<Option<&str>> = result.column(1).as_string::<i32>().iter().collect();
        assert_eq!(values, [Some("y"), Some("z"), Some("w")]);
        let to_convert: Vec<Option<f64>> =
            result.column(2).as_primitive::<datafusion::arrow::datatypes::Float64Type>().iter().collect();
        assert_eq!(to_convert, [Some(5.0), None, None]);
    }

    #[test]
    fn emitting_the_first_groups_leaves_the_others_in_order() {
        let (values, groups) = input();
        let mut first = accumulator();
        first.update_batch(&values, &groups, None, 3).unwrap();
        let head = first.evaluate(EmitTo::First(1)).unwrap();
        let tail = first.evaluate(EmitTo::All).unwrap();
        assert_eq!((head.len(), tail.len()), (1, 2));
        assert_eq!(&concat(&[head.as_ref(), tail.as_ref()]).unwrap(), &evaluated_at_once());
    }

    #[test]
    fn merged_states_give_the_same_result() {
        let (values, groups) = input();
        let mut partial = accumulator();
        partial.update_batch(&values, &groups, None, 3).unwrap();
        let state = partial.state(EmitTo::All).unwrap();
        let mut merged = accumulator();
        merged.merge_batch(&state, &[0, 1, 2], 3).unwrap();
        assert_eq!(&merged.evaluate(EmitTo::All).unwrap(), &evaluated_at_once());

        // Each row as its own state (skipped partial aggregation), merged into its group.
        let rows = accumulator().convert_to_state(&values, None).unwrap();
        let mut merged = accumulator();
        merged.merge_batch(&rows, &groups, 3).unwrap();
        assert_eq!(&merged.evaluate(EmitTo::All).unwrap(), &evaluated_at_once());
    }
}
