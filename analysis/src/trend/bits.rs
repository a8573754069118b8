//! Per-group bitsets for the event analyses' aggregates (`retention`, `trailing_days`): every
//! group's words one after the other, their binary state for DataFusion's partial aggregation,
//! and the adapter that runs a groups accumulator as a plain one (an aggregate without
//! `GROUP BY`).

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BinaryBuilder, BooleanArray, RecordBatch};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::function::AccumulatorArgs;
use datafusion::logical_expr::{Accumulator, ColumnarValue, EmitTo, GroupsAccumulator};
use std::sync::Arc;

/// `words` 64-bit words per group.
#[derive(Clone, Debug)]
pub(crate) struct GroupBits {
    words: usize,
    bits: Vec<u64>,
}

impl GroupBits {
    /// Room for `bits` bits per group.
    pub(crate) fn new(bits: usize) -> Self {
        Self { words: bits.div_ceil(64).max(1), bits: Vec::new() }
    }

    /// Words per group.
    pub(crate) fn words(&self) -> usize {
        self.words
    }

    /// Makes room for `groups` groups.
    pub(crate) fn grow(&mut self, groups: usize) {
        let words = groups * self.words;
        if self.bits.len() < words {
            self.bits.resize(words, 0);
        }
    }

    /// Sets bit `bit` of group `group`.
    pub(crate) fn set(&mut self, group: usize, bit: usize) {
        self.bits[group * self.words + bit / 64] |= 1 << (bit % 64);
    }

    /// Takes the words of the groups `emit_to` names, first group first.
    pub(crate) fn take(&mut self, emit_to: EmitTo) -> Vec<u64> {
        match emit_to {
            EmitTo::All => std::mem::take(&mut self.bits),
            EmitTo::First(n) => self.bits.drain(..n * self.words).collect(),
        }
    }

    /// The groups `emit_to` names as binary states (little-endian words).
    pub(crate) fn state(&mut self, emit_to: EmitTo) -> ArrayRef {
        let bits = self.take(emit_to);
        let mut builder = BinaryBuilder::with_capacity(bits.len() / self.words, bits.len() * 8);
        for group in bits.chunks_exact(self.words) {
            let bytes: Vec<u8> = group.iter().flat_map(|w| w.to_le_bytes()).collect();
            builder.append_value(bytes);
        }
        Arc::new(builder.finish())
    }

    /// Unites binary states into their groups.
    pub(crate) fn merge(&mut self, states: &dyn Array, group_indices: &[usize], total_num_groups: usize) -> Result<()> {
        self.grow(total_num_groups);
        let Some(states) = states.as_binary_opt::<i32>() else {
            return exec_err!("bitset states are binary, not {}", states.data_type());
        };
        for (row, &group) in group_indices.iter().enumerate() {
            if !states.is_valid(row) {
                continue;
            }
            let bytes = states.value(row);
            if bytes.len() != self.words * 8 {
                return exec_err!("a bitset state of {} bytes, not {}", bytes.len(), self.words * 8);
            }
            for (w, chunk) in bytes.chunks_exact(8).enumerate() {
                let mut word = [0; 8];
                word.copy_from_slice(chunk);
                self.bits[group * self.words + w] |= u64::from_le_bytes(word);
            }
        }
        Ok(())
    }

    /// Bytes held.
    pub(crate) fn size(&self) -> usize {
        self.bits.capacity() * 8
    }
}

/// The set bits of `words`, lowest first.
pub(crate) fn set_bits(words: &[u64]) -> impl Iterator<Item = usize> + '_ {
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

/// Whether row `row` passes an aggregate's `FILTER`.
pub(crate) fn passes(filter: Option<&BooleanArray>, row: usize) -> bool {
    filter.is_none_or(|f| f.is_valid(row) && f.value(row))
}

/// A literal argument's value.
pub(crate) fn literal(name: &str, args: &AccumulatorArgs, index: usize) -> Result<ScalarValue> {
    let Some(expr) = args.exprs.get(index) else {
        return exec_err!("{name} takes more than {index} arguments");
    };
    match expr.evaluate(&RecordBatch::new_empty(Arc::new(datafusion::arrow::datatypes::Schema::empty())))? {
        ColumnarValue::Scalar(value) => Ok(value),
        ColumnarValue::Array(_) => exec_err!("argument {} of {name} must be a literal", index + 1),
    }
}

/// A whole-number literal argument from `min` to `max`.
pub(crate) fn count_literal(name: &str, args: &AccumulatorArgs, index: usize, min: i64, max: i64) -> Result<usize> {
    match literal(name, args, index)? {
        ScalarValue::Int64(Some(n)) if (min..=max).contains(&n) => Ok(n as usize),
        other => exec_err!("argument {} of {name} must be {min} to {max}, not {other}", index + 1),
    }
}

/// A groups accumulator that can make room for groups before any row comes.
pub(crate) trait Grow: GroupsAccumulator + Clone + Sync + std::fmt::Debug {
    /// Makes room for `groups` groups.
    fn grow(&mut self, groups: usize);
}

/// A groups accumulator run with one group: the aggregate without `GROUP BY`.
#[derive(Debug)]
pub(crate) struct OneGroup<G>(pub(crate) G);

impl<G: Grow> OneGroup<G> {
    /// Makes sure the one group exists even when no row came.
    fn ensure(&mut self) -> Result<()> {
        self.0.grow(1);
        Ok(())
    }
}

impl<G: Grow> Accumulator for OneGroup<G> {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let groups = vec![0; values.first().map_or(0, |v| v.len())];
        self.0.update_batch(values, &groups, None, 1)
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        self.ensure()?;
        // Evaluating takes the groups out; a copy keeps the state for a later call.
        let values = self.0.clone().evaluate(EmitTo::All)?;
        ScalarValue::try_from_array(&values, 0)
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.0.size()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        self.ensure()?;
        let states = self.0.clone().state(EmitTo::All)?;
        states.iter().map(|state| ScalarValue::try_from_array(state, 0)).collect()
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let groups = vec![0; states.first().map_or(0, |s| s.len())];
        self.0.merge_batch(states, &groups, 1)
    }
}
