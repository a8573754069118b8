//! A live pivot's groups, kept between refreshes so that new rows touch only their own groups.
//!
//! `quiver_shared::pivot::IncrementalPivot` describes the queries: `full_leaf_sql` gives the
//! pivot's finest groups with their partial results (counts, sums, minima, maxima, sets of
//! distinct values). [`KeptGroups`] rolls those up to every group of the pivot (each depth of
//! Rows × Columns, down to the grand total) and holds them in memory, indexed by their labels.
//! New rows' finest groups, from the same query over the new rows only (`delta_leaf_sql`), are
//! merged into the groups they fall in, one by one: a refresh costs the groups the new rows
//! touch, not all of them, and nothing is serialized or read back between refreshes. The output
//! is then computed from the kept partials (an average from its sum and count, a count distinct
//! from its set's size).

use crate::{Engine, EngineError, QueryOutput, distinct};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, Int32Array, RecordBatch, UInt32Array, new_empty_array, new_null_array,
};
use datafusion::arrow::compute::{cast, concat, take};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type, Schema};
use datafusion::arrow::row::{RowConverter, SortField};
use quiver_shared::pivot::{DELTA_TABLE, Finish, IncrementalPivot, Merge};
use roaring::RoaringBitmap;
use std::collections::HashMap;
use std::sync::Arc;

/// The incremental pivot's output over the table as it is, and its groups to keep: with `kept`
/// (the groups kept by the last run and the rows appended to the table since), the new rows'
/// groups are merged into them; without, the groups are computed from the whole table. The
/// kept groups must come from this engine under its current [`Engine::id_epoch`].
pub fn refresh_pivot(
    engine: &Engine,
    incremental: &IncrementalPivot,
    kept: Option<(KeptGroups, Vec<RecordBatch>)>,
) -> Result<(QueryOutput, KeptGroups), EngineError> {
    let groups = match kept {
        Some((mut groups, batches)) => {
            if let Some(first) = batches.first() {
                engine.register(DELTA_TABLE, first.schema(), batches)?;
                groups.merge(&engine.sql_keeping_ids(&incremental.delta_leaf_sql)?)?;
            }
            groups
        }
        None => {
            let leaf = engine.sql(&incremental.full_leaf_sql)?;
            KeptGroups::new(&leaf, incremental.row_keys, incremental.column_keys, &incremental.merges)?
        }
    };
    Ok((groups.output(&incremental.finals)?, groups))
}

/// The partials of one column, one entry per kept group.
enum Partials {
    /// Counts, sums, minima or maxima, all as DOUBLE (the pivot casts its inputs), merged so.
    Numbers(Merge, Vec<Option<f64>>),
    /// Sets of distinct values' ids.
    Sets(Vec<RoaringBitmap>),
}

/// A new rollup's partial column, decoded before anything kept changes.
enum Incoming {
    Numbers(Float64Array),
    Sets(Vec<Option<RoaringBitmap>>),
}

/// Every group of a pivot with its partial results; see the module docs.
pub struct KeptGroups {
    /// The labels and depths that identify a group.
    key_fields: Vec<FieldRef>,
    converter: RowConverter,
    /// Each group's labels (in the row format) → its position.
    index: HashMap<Box<[u8]>, usize>,
    /// The groups' labels, one array per key field, in position order.
    keys: Vec<ArrayRef>,
    partials: Vec<Partials>,
    /// How many Rows and Columns labels a finest group has.
    rows: usize,
    columns: usize,
}

impl std::fmt::Debug for KeptGroups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeptGroups").field("groups", &self.len()).field("partials", &self.partials.len()).finish()
    }
}

fn merge_error(reason: impl std::fmt::Display) -> EngineError {
    EngineError::Query(format!("the pivot's kept groups cannot take these partials: {reason}"))
}

impl KeptGroups {
    /// The groups of `leaf`, the output of `full_leaf_sql`: `rows` Rows labels and `columns`
    /// Columns labels identify a finest group, and one partial column follows per entry of
    /// `merges`. Every coarser group (each depth of Rows × Columns, down to the grand total) is
    /// rolled up from them; the grand total is there even without rows (its counts are 0).
    pub fn new(leaf: &QueryOutput, rows: usize, columns: usize, merges: &[Merge]) -> Result<Self, EngineError> {
        let fields = leaf.schema.fields();
        if fields.len() != rows + columns + merges.len() {
            return Err(merge_error(format!(
                "{} columns, where {} labels and {} partials were planned",
                fields.len(),
                rows + columns,
                merges.len()
            )));
        }
        let mut key_fields: Vec<FieldRef> =
            fields[..rows + columns].iter().map(|f| Arc::new(f.as_ref().clone().with_nullable(true))).collect();
        key_fields.push(Arc::new(Field::new("__row_depth", DataType::Int32, false)));
        key_fields.push(Arc::new(Field::new("__col_depth", DataType::Int32, false)));
        let converter = RowConverter::new(key_fields.iter().map(|f| SortField::new(f.data_type().clone())).collect())
            .map_err(merge_error)?;
        let partials = merges
            .iter()
            .map(|merge| match merge {
                Merge::Union => Partials::Sets(Vec::new()),
                other => Partials::Numbers(*other, Vec::new()),
            })
            .collect();
        let keys = key_fields.iter().map(|f| new_empty_array(f.data_type())).collect();
        let mut kept = Self { key_fields, converter, index: HashMap::new(), keys, partials, rows, columns };
        // The grand total, with no partials yet.
        let total = kept.set_keys(&[], 1, 0, 0)?;
        let label = kept.converter.convert_columns(&total).map_err(merge_error)?;
        kept.slot(label.row(0).as_ref());
        kept.keys = total;
        kept.merge(leaf)?;
        Ok(kept)
    }

    /// How many groups are kept.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether no group is kept.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Merges `leaf` (`delta_leaf_sql`'s output: the new rows' finest groups, from the same
    /// engine and id epoch) into every kept group it falls in, at every depth; groups not kept
    /// yet are added. A batch that fails to decode changes nothing; the caller drops the kept
    /// groups on any error (the next run is a full one).
    pub fn merge(&mut self, leaf: &QueryOutput) -> Result<(), EngineError> {
        leaf.batches.iter().try_for_each(|batch| self.merge_batch(batch))
    }

    /// The key columns of the group at depths (`dr`, `dc`) of each of `labels`' `n` rows: the
    /// first `dr` Rows labels and `dc` Columns labels, nulls for the rest, then the depths.
    fn set_keys(&self, labels: &[ArrayRef], n: usize, dr: usize, dc: usize) -> Result<Vec<ArrayRef>, EngineError> {
        let mut columns = Vec::with_capacity(self.key_fields.len());
        for (i, field) in self.key_fields[..self.rows + self.columns].iter().enumerate() {
            let kept = if i < self.rows { i < dr } else { i - self.rows < dc };
            columns.push(match labels.get(i) {
                Some(label) if kept && label.data_type() == field.data_type() => label.clone(),
                Some(label) if kept => cast(label, field.data_type()).map_err(merge_error)?,
                _ => new_null_array(field.data_type(), n),
            });
        }
        let depth = |d: usize| Arc::new(Int32Array::from(vec![d as i32; n])) as ArrayRef;
        columns.push(depth(dr));
        columns.push(depth(dc));
        Ok(columns)
    }

    /// The position of the group with `label` (in the row format), added without partials if new.
    fn slot(&mut self, label: &[u8]) -> (usize, bool) {
        if let Some(at) = self.index.get(label) {
            return (*at, false);
        }
        let at = self.index.len();
        self.index.insert(label.into(), at);
        for partials in &mut self.partials {
            match partials {
                Partials::Numbers(_, values) => values.push(None),
                Partials::Sets(sets) => sets.push(RoaringBitmap::new()),
            }
        }
        (at, true)
    }

    fn merge_batch(&mut self, batch: &RecordBatch) -> Result<(), EngineError> {
        let width = self.rows + self.columns;
        if batch.num_columns() != width + self.partials.len() {
            return Err(merge_error(format!("{} columns, not {}", batch.num_columns(), width + self.partials.len())));
        }
        let incoming = self
            .partials
            .iter()
            .zip(&batch.columns()[width..])
            .map(|(kept, column)| match kept {
                Partials::Numbers(..) => {
                    let numbers = cast(column, &DataType::Float64).map_err(merge_error)?;
                    Ok(Incoming::Numbers(numbers.as_primitive::<Float64Type>().clone()))
                }
                Partials::Sets(_) => {
                    let binary = column
                        .as_binary_opt::<i32>()
                        .ok_or_else(|| merge_error(format!("a set column of type {}", column.data_type())))?;
                    let sets = (0..binary.len())
                        .map(|row| binary.is_valid(row).then(|| distinct::deserialize(binary.value(row))).transpose())
                        .collect::<datafusion::common::Result<Vec<_>>>()
                        .map_err(merge_error)?;
                    Ok(Incoming::Sets(sets))
                }
            })
            .collect::<Result<Vec<_>, EngineError>>()?;
        // Every set's labels first, so that nothing kept changes unless all of them convert.
        let n = batch.num_rows();
        let labels = &batch.columns()[..width];
        let mut sets = Vec::new();
        for dr in (0..=self.rows).rev() {
            for dc in (0..=self.columns).rev() {
                let keys = self.set_keys(labels, n, dr, dc)?;
                let rows = self.converter.convert_columns(&keys).map_err(merge_error)?;
                sets.push((keys, rows));
            }
        }

        // Nothing below fails but the appending of new groups' labels, which cannot.
        for (keys, rows) in &sets {
            let mut added: Vec<u32> = Vec::new();
            for row in 0..n {
                let (at, new) = self.slot(rows.row(row).as_ref());
                if new {
                    added.push(row as u32);
                }
                for (kept, incoming) in self.partials.iter_mut().zip(&incoming) {
                    match (kept, incoming) {
                        (Partials::Numbers(merge, values), Incoming::Numbers(numbers)) => {
                            if numbers.is_valid(row) {
                                values[at] = Some(merged(*merge, values[at], numbers.value(row)));
                            }
                        }
                        (Partials::Sets(sets), Incoming::Sets(new)) => {
                            if let Some(set) = &new[row] {
                                sets[at] |= set;
                            }
                        }
                        // Decoded from the kept kind just above.
                        _ => unreachable!("incoming partials are decoded per kept column"),
                    }
                }
            }
            if !added.is_empty() {
                let added = UInt32Array::from(added);
                for (kept, new) in self.keys.iter_mut().zip(keys) {
                    // Taking rows that exist and concatenating arrays of one type cannot fail.
                    let new = take(new.as_ref(), &added, None).map_err(merge_error)?;
                    *kept = concat(&[kept.as_ref(), new.as_ref()]).map_err(merge_error)?;
                }
            }
        }
        Ok(())
    }

    /// The pivot's output (see `quiver_shared::pivot`): every kept group's labels and depths,
    /// then the values `v0…` computed from its partials by `finals`.
    pub fn output(&self, finals: &[Finish]) -> Result<QueryOutput, EngineError> {
        let numbers = |p: usize| match self.partials.get(p) {
            Some(Partials::Numbers(_, values)) => Ok(values),
            _ => Err(merge_error(format!("partial {p} is not a number"))),
        };
        let mut fields: Vec<FieldRef> = self.key_fields.clone();
        let mut columns: Vec<ArrayRef> = self.keys.clone();
        for (i, finish) in finals.iter().enumerate() {
            let values: Float64Array = match *finish {
                Finish::Count(p) => numbers(p)?.iter().map(|v| Some(v.unwrap_or(0.0))).collect(),
                Finish::Value(p) => numbers(p)?.iter().copied().collect(),
                Finish::Mean(sum, count) => numbers(sum)?
                    .iter()
                    .zip(numbers(count)?)
                    .map(|(sum, count)| match (sum, count) {
                        (Some(sum), Some(count)) if *count != 0.0 => Some(sum / count),
                        _ => None,
                    })
                    .collect(),
                Finish::Distinct(p) => match self.partials.get(p) {
                    Some(Partials::Sets(sets)) => sets.iter().map(|s| Some(s.len() as f64)).collect(),
                    _ => return Err(merge_error(format!("partial {p} is not a set"))),
                },
            };
            fields.push(Arc::new(Field::new(format!("v{i}"), DataType::Float64, true)));
            columns.push(Arc::new(values));
        }
        let schema = Arc::new(Schema::new(fields));
        let batch = RecordBatch::try_new(schema.clone(), columns).map_err(merge_error)?;
        Ok(QueryOutput { schema, batches: vec![batch] })
    }
}

fn merged(merge: Merge, kept: Option<f64>, new: f64) -> f64 {
    match (merge, kept) {
        (_, None) => new,
        (Merge::Min, Some(kept)) => kept.min(new),
        (Merge::Max, Some(kept)) => kept.max(new),
        (Merge::Add | Merge::Union, Some(kept)) => kept + new,
    }
}
