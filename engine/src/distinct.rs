//! Exact distinct counts that roll up: `distinct_set(x)` and `distinct_set_union_count(s)`.
//!
//! A pivot's subtotals need the count distinct of every group *and* of every union of groups.
//! Counting each level from the rows reads the table once per level; instead the pivot plan
//! (`quiver_shared::pivot::plan`) collects, at the finest level only, the set of distinct values
//! of each group (`distinct_set`, a Roaring bitmap of value ids) and computes every coarser level
//! by uniting those sets (`distinct_set_union_count`), the way Doris rolls up `BITMAP_UNION`.
//!
//! Values become ids through an [`Interner`] shared by every accumulator of the engine, so the
//! sets of one query agree on their ids whichever accumulator built them. The ids outlive the
//! statement: the ids of every string column of a loaded table are kept per column, so that the
//! next pivot over the same column reads them instead of hashing every string again (most of a
//! pivot's time on 1M user ids). The engine forgets all ids only when there are too many
//! ([`MOST_IDS`]); its id epoch then changes, and sets made before are meaningless. The counts
//! are exact (no sketch): two values share an id only if they are equal, with nulls left out, as
//! in `count(DISTINCT x)`.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BinaryArray, BinaryBuilder, BooleanArray, Int64Array};
use datafusion::arrow::compute::{can_cast_types, cast};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, UInt64Type};
use datafusion::common::{HashMap, Result, ScalarValue, exec_datafusion_err, exec_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, EmitTo, GroupsAccumulator, Signature, Volatility,
};
use roaring::RoaringBitmap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};

/// Past this many ids, the engine forgets them all before its next statement (~40 bytes each).
pub(crate) const MOST_IDS: u32 = 4_000_000;

/// The SQL name of the aggregate that collects a group's distinct values.
pub const DISTINCT_SET: &str = "distinct_set";
/// The SQL name of the aggregate that counts the distinct values of a union of sets.
pub const DISTINCT_SET_UNION_COUNT: &str = "distinct_set_union_count";
/// The SQL name of the aggregate that unites sets into one set (merging a pivot's kept partials
/// with a live delta's).
pub const DISTINCT_SET_UNION: &str = "distinct_set_union";

/// Gives each distinct value an id, the same id every time within one statement.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    bytes: HashMap<Box<[u8]>, u32>,
    words: HashMap<u64, u32>,
    next: u32,
    /// How many times the ids were forgotten: sets made under another epoch do not agree.
    epoch: u64,
    /// The string columns of loaded tables, whose ids are worth keeping, by the address of
    /// their values buffer.
    columns: HashMap<usize, Vec<KeptColumn>>,
    /// The same addresses, by table.
    tables: HashMap<String, Vec<usize>>,
}

/// A string array of a loaded table and, once a statement needed them, the ids of its rows. The
/// array's data keeps its buffers alive, so no other array can have their addresses meanwhile:
/// an array whose offsets lie inside this one's, over the same values buffer, is a slice of it
/// (DataFusion slices batches as it scans them).
#[derive(Debug)]
struct KeptColumn {
    /// Address of the first offset.
    offsets: usize,
    /// Bytes per offset (4 for `Utf8`, 8 for `LargeUtf8`).
    width: usize,
    /// Rows.
    len: usize,
    data: datafusion::arrow::array::ArrayData,
    /// The id of every row's bytes (null rows included, so that any array over the same buffers
    /// finds its values' ids whatever its null mask).
    ids: Option<Arc<[u32]>>,
}

/// The addresses of a `Utf8` or `LargeUtf8` array's values buffer and first offset, and the
/// offset width; `None` for other types.
fn string_buffers(array: &dyn Array) -> Option<(usize, usize, usize)> {
    match array.data_type() {
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            Some((a.values().as_ptr() as usize, a.value_offsets().as_ptr() as usize, 4))
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            Some((a.values().as_ptr() as usize, a.value_offsets().as_ptr() as usize, 8))
        }
        _ => None,
    }
}

/// Every row's bytes, nulls included.
fn raw_values(array: &dyn Array) -> Box<dyn Iterator<Item = &[u8]> + '_> {
    match array.data_type() {
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            Box::new((0..a.len()).map(move |i| a.value(i).as_bytes()))
        }
        _ => {
            let a = array.as_string::<i64>();
            Box::new((0..a.len()).map(move |i| a.value(i).as_bytes()))
        }
    }
}

impl Interner {
    fn fresh(&mut self) -> Result<u32> {
        let id = self.next;
        self.next = id.checked_add(1).ok_or_else(|| exec_datafusion_err!("more than 2^32 distinct values"))?;
        Ok(id)
    }

    fn bytes(&mut self, value: &[u8]) -> Result<u32> {
        if let Some(id) = self.bytes.get(value) {
            return Ok(*id);
        }
        let id = self.fresh()?;
        self.bytes.insert(value.into(), id);
        Ok(id)
    }

    fn word(&mut self, value: u64) -> Result<u32> {
        if let Some(id) = self.words.get(&value) {
            return Ok(*id);
        }
        let id = self.fresh()?;
        self.words.insert(value, id);
        Ok(id)
    }

    /// Forgets every id (between statements).
    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
        self.words.clear();
        for column in self.columns.values_mut().flatten() {
            column.ids = None;
        }
        self.next = 0;
        self.epoch += 1;
    }

    /// Changes whenever the ids are forgotten.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Forgets every id if there are more than [`MOST_IDS`] (between statements).
    pub(crate) fn bound(&mut self) {
        if self.next > MOST_IDS {
            self.clear();
        }
    }

    /// Marks the string columns among `arrays` (a loaded table's) as worth keeping ids for;
    /// `replace` forgets the table's earlier columns (a reload).
    pub(crate) fn mark<'a>(&mut self, table: &str, arrays: impl IntoIterator<Item = &'a dyn Array>, replace: bool) {
        let addresses = self.tables.entry(table.to_owned()).or_default();
        if replace {
            for address in addresses.drain(..) {
                self.columns.remove(&address);
            }
        }
        for array in arrays {
            if let Some((values, offsets, width)) = string_buffers(array) {
                let column = KeptColumn { offsets, width, len: array.len(), data: array.to_data(), ids: None };
                let kept = self.columns.entry(values).or_default();
                if !kept.iter().any(|k| k.offsets == offsets && k.len == column.len) {
                    kept.push(column);
                    addresses.push(values);
                }
            }
        }
    }

    /// The ids of the rows of `array` when it is (a slice of) a loaded table's string column,
    /// made once per column and kept; `None` for any other array.
    fn kept_ids(&mut self, array: &dyn Array) -> Result<Option<(Arc<[u32]>, usize)>> {
        let Some((values, offsets, width)) = string_buffers(array) else { return Ok(None) };
        let Some(columns) = self.columns.get(&values) else { return Ok(None) };
        let found = columns.iter().position(|k| {
            k.width == width
                && offsets >= k.offsets
                && (offsets - k.offsets) % width == 0
                && (offsets - k.offsets) / width + array.len() <= k.len
        });
        let Some(index) = found else { return Ok(None) };
        let start = (offsets - columns[index].offsets) / width;
        if let Some(ids) = &columns[index].ids {
            return Ok(Some((ids.clone(), start)));
        }
        let whole = datafusion::arrow::array::make_array(columns[index].data.clone());
        let mut ids = Vec::with_capacity(whole.len());
        for value in raw_values(whole.as_ref()) {
            ids.push(self.bytes(value)?);
        }
        let ids: Arc<[u32]> = ids.into();
        if let Some(column) = self.columns.get_mut(&values).and_then(|c| c.get_mut(index)) {
            column.ids = Some(ids.clone());
        }
        Ok(Some((ids, start)))
    }
}

/// The interner shared by an engine's accumulators.
pub(crate) type SharedInterner = Arc<Mutex<Interner>>;

pub(crate) fn lock(interner: &SharedInterner) -> MutexGuard<'_, Interner> {
    // A panic while holding the lock leaves at worst extra ids, which are still consistent.
    interner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Calls `f(row, id)` for every non-null value of `array`.
fn each_id(array: &dyn Array, interner: &mut Interner, f: &mut dyn FnMut(usize, u32)) -> Result<()> {
    fn bytes<'a>(
        values: impl Iterator<Item = Option<&'a [u8]>>,
        interner: &mut Interner,
        f: &mut dyn FnMut(usize, u32),
    ) -> Result<()> {
        for (row, value) in values.enumerate() {
            if let Some(value) = value {
                f(row, interner.bytes(value)?);
            }
        }
        Ok(())
    }
    if let Some((ids, start)) = interner.kept_ids(array)? {
        let ids = &ids[start..start + array.len()];
        match array.nulls() {
            None => ids.iter().enumerate().for_each(|(row, id)| f(row, *id)),
            Some(nulls) => {
                for row in nulls.valid_indices() {
                    f(row, ids[row]);
                }
            }
        }
        return Ok(());
    }
    match array.data_type() {
        DataType::Utf8 => bytes(array.as_string::<i32>().iter().map(|v| v.map(str::as_bytes)), interner, f),
        DataType::LargeUtf8 => bytes(array.as_string::<i64>().iter().map(|v| v.map(str::as_bytes)), interner, f),
        DataType::Utf8View => bytes(array.as_string_view().iter().map(|v| v.map(str::as_bytes)), interner, f),
        DataType::Binary => bytes(array.as_binary::<i32>().iter(), interner, f),
        DataType::LargeBinary => bytes(array.as_binary::<i64>().iter(), interner, f),
        DataType::BinaryView => bytes(array.as_binary_view().iter(), interner, f),
        DataType::Dictionary(_, _) => {
            // Each dictionary value gets its id once; the keys pick them.
            let dictionary = array.as_any_dictionary();
            let mut value_ids = vec![None; dictionary.values().len()];
            each_id(dictionary.values().as_ref(), interner, &mut |row, id| value_ids[row] = Some(id))?;
            let keys = dictionary.keys();
            for (row, key) in dictionary.normalized_keys().into_iter().enumerate() {
                if keys.is_valid(row)
                    && let Some(Some(id)) = value_ids.get(key)
                {
                    f(row, *id);
                }
            }
            Ok(())
        }
        DataType::UInt64 => {
            for (row, value) in array.as_primitive::<UInt64Type>().iter().enumerate() {
                if let Some(value) = value {
                    f(row, interner.word(value)?);
                }
            }
            Ok(())
        }
        DataType::Float16 | DataType::Float32 | DataType::Float64 => {
            let floats = cast(array, &DataType::Float64)?;
            for (row, value) in floats.as_primitive::<datafusion::arrow::datatypes::Float64Type>().iter().enumerate() {
                if let Some(value) = value {
                    // Equal floats share an id: -0 is 0, and every NaN is one value (as in SQL).
                    let canonical = if value == 0.0 {
                        0.0
                    } else if value.is_nan() {
                        f64::NAN
                    } else {
                        value
                    };
                    f(row, interner.word(canonical.to_bits())?);
                }
            }
            Ok(())
        }
        other if other.is_integer() || *other == DataType::Boolean || can_cast_int64(other) => {
            let words = cast(array, &DataType::Int64)?;
            for (row, value) in words.as_primitive::<datafusion::arrow::datatypes::Int64Type>().iter().enumerate() {
                if let Some(value) = value {
                    f(row, interner.word(value as u64)?);
                }
            }
            Ok(())
        }
        other if can_cast_types(other, &DataType::Utf8) => {
            // Decimals and the rest: their text is one-to-one with the value.
            let text = cast(array, &DataType::Utf8)?;
            each_id(text.as_ref(), interner, f)
        }
        other => exec_err!("{DISTINCT_SET} cannot collect values of type {other}"),
    }
}

/// Temporal types whose value is one 64-bit (or smaller) integer.
fn can_cast_int64(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Date32
            | DataType::Date64
            | DataType::Time32(_)
            | DataType::Time64(_)
            | DataType::Timestamp(_, _)
            | DataType::Duration(_)
    ) && can_cast_types(data_type, &DataType::Int64)
}

fn serialize(set: &RoaringBitmap) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(set.serialized_size());
    // Writing to a Vec cannot fail.
    let _ = set.serialize_into(&mut bytes);
    bytes
}

pub(crate) fn deserialize(bytes: &[u8]) -> Result<RoaringBitmap> {
    RoaringBitmap::deserialize_from(bytes)
        .map_err(|e| exec_datafusion_err!("{DISTINCT_SET_UNION_COUNT} needs sets made by {DISTINCT_SET}: {e}"))
}

fn sets_to_binary(sets: Vec<RoaringBitmap>) -> ArrayRef {
    let bytes: usize = sets.iter().map(RoaringBitmap::serialized_size).sum();
    let mut builder = BinaryBuilder::with_capacity(sets.len(), bytes);
    for set in &sets {
        builder.append_value(serialize(set));
    }
    Arc::new(builder.finish())
}

fn as_sets(array: &dyn Array) -> Result<&BinaryArray> {
    match array.as_binary_opt::<i32>() {
        Some(binary) => Ok(binary),
        None => {
            exec_err!("{DISTINCT_SET_UNION_COUNT} takes the binary sets of {DISTINCT_SET}, not {}", array.data_type())
        }
    }
}

/// Unites every set of `array` into `sets` at its group index; returns how many values the
/// sets gained.
fn unite(
    sets: &mut [RoaringBitmap],
    array: &dyn Array,
    group_indices: &[usize],
    filter: Option<&BooleanArray>,
) -> Result<u64> {
    let binary = as_sets(array)?;
    let mut gained = 0;
    for (row, &group) in group_indices.iter().enumerate() {
        if binary.is_valid(row) && passes(filter, row) {
            let set = &mut sets[group];
            let before = set.len();
            *set |= deserialize(binary.value(row))?;
            gained += set.len() - before;
        }
    }
    Ok(gained)
}

fn passes(filter: Option<&BooleanArray>, row: usize) -> bool {
    filter.is_none_or(|f| f.is_valid(row) && f.value(row))
}

/// `distinct_set(x)`: the set of the distinct non-null values of `x`, as a binary value; with
/// `count`, `distinct_count(x)`: how many there are (what `count(DISTINCT x)` is rewritten to,
/// see [`crate::count_distinct`]).
#[derive(Debug)]
pub(crate) struct DistinctSet {
    signature: Signature,
    interner: SharedInterner,
    count: bool,
}

/// The SQL name of the aggregate that counts distinct values through the interner.
pub(crate) const DISTINCT_COUNT: &str = "distinct_count";

impl DistinctSet {
    pub(crate) fn udaf(interner: SharedInterner) -> AggregateUDF {
        AggregateUDF::from(Self { signature: Signature::any(1, Volatility::Immutable), interner, count: false })
    }

    pub(crate) fn count_udaf(interner: SharedInterner) -> AggregateUDF {
        AggregateUDF::from(Self { signature: Signature::any(1, Volatility::Immutable), interner, count: true })
    }
}

impl PartialEq for DistinctSet {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.interner, &other.interner) && self.count == other.count
    }
}

impl Eq for DistinctSet {}

impl Hash for DistinctSet {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name().hash(state);
    }
}

impl AggregateUDFImpl for DistinctSet {
    fn name(&self) -> &str {
        if self.count { DISTINCT_COUNT } else { DISTINCT_SET }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(if self.count { DataType::Int64 } else { DataType::Binary })
    }

    fn is_nullable(&self) -> bool {
        false
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(format!("{}[set]", args.name), DataType::Binary, true))])
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(SetAccumulator {
            interner: Some(self.interner.clone()),
            set: RoaringBitmap::new(),
            count: self.count,
        }))
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(SetsAccumulator::new(Some(self.interner.clone()), self.count)))
    }

    fn default_value(&self, _data_type: &DataType) -> Result<ScalarValue> {
        Ok(if self.count {
            ScalarValue::Int64(Some(0))
        } else {
            ScalarValue::Binary(Some(serialize(&RoaringBitmap::new())))
        })
    }
}

/// `distinct_set_union_count(s)`: how many distinct values the union of the sets holds; with
/// `count` false, `distinct_set_union(s)`: the union itself.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct DistinctSetUnionCount {
    signature: Signature,
    count: bool,
}

impl DistinctSetUnionCount {
    pub(crate) fn udaf() -> AggregateUDF {
        AggregateUDF::from(Self {
            signature: Signature::exact(vec![DataType::Binary], Volatility::Immutable),
            count: true,
        })
    }

    pub(crate) fn union_udaf() -> AggregateUDF {
        AggregateUDF::from(Self {
            signature: Signature::exact(vec![DataType::Binary], Volatility::Immutable),
            count: false,
        })
    }
}

impl AggregateUDFImpl for DistinctSetUnionCount {
    fn name(&self) -> &str {
        if self.count { DISTINCT_SET_UNION_COUNT } else { DISTINCT_SET_UNION }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(if self.count { DataType::Int64 } else { DataType::Binary })
    }

    fn is_nullable(&self) -> bool {
        false
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(format!("{}[set]", args.name), DataType::Binary, true))])
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(SetAccumulator { interner: None, set: RoaringBitmap::new(), count: self.count }))
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(SetsAccumulator::new(None, self.count)))
    }

    fn default_value(&self, _data_type: &DataType) -> Result<ScalarValue> {
        Ok(if self.count {
            ScalarValue::Int64(Some(0))
        } else {
            ScalarValue::Binary(Some(serialize(&RoaringBitmap::new())))
        })
    }
}

/// One set per group. With an interner it collects values (`distinct_set`); without, it unites
/// sets (`distinct_set_union_count`). `count` says whether it evaluates to the count or the set.
struct SetsAccumulator {
    interner: Option<SharedInterner>,
    sets: Vec<RoaringBitmap>,
    /// Ids collected but not yet in `sets`, per group: appending is cheap, while inserting one
    /// by one into a Roaring array container shifts it each time (4× slower on 1M rows).
    pending: Vec<Vec<u32>>,
    count: bool,
    /// Values over all sets and pending ids, for [`GroupsAccumulator::size`] (which must not
    /// visit every group).
    values: u64,
}

/// Pending ids of a group past this are folded into its set, to bound the memory of repeats.
const MOST_PENDING: usize = 16 * 1024;

fn fold(set: &mut RoaringBitmap, pending: &mut Vec<u32>) {
    if pending.is_empty() {
        return;
    }
    pending.sort_unstable();
    pending.dedup();
    // Sorted and deduplicated just above, so this cannot fail.
    if let Ok(more) = RoaringBitmap::from_sorted_iter(pending.drain(..)) {
        *set |= more;
    }
}

impl SetsAccumulator {
    fn new(interner: Option<SharedInterner>, count: bool) -> Self {
        Self { interner, sets: Vec::new(), pending: Vec::new(), count, values: 0 }
    }

    fn take(&mut self, emit_to: EmitTo) -> Vec<RoaringBitmap> {
        let mut sets = emit_to.take_needed(&mut self.sets);
        if !self.pending.is_empty() {
            let mut pending = emit_to.take_needed(&mut self.pending);
            for (set, ids) in sets.iter_mut().zip(&mut pending) {
                self.values = self.values.saturating_sub(ids.len() as u64);
                fold(set, ids);
            }
        }
        let taken: u64 = sets.iter().map(RoaringBitmap::len).sum();
        self.values = self.values.saturating_sub(taken);
        sets
    }
}

impl GroupsAccumulator for SetsAccumulator {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.sets.resize_with(total_num_groups, RoaringBitmap::new);
        let Some(interner) = &self.interner else {
            self.values += unite(&mut self.sets, values[0].as_ref(), group_indices, opt_filter)?;
            return Ok(());
        };
        self.pending.resize_with(total_num_groups, Vec::new);
        let (sets, pending, added) = (&mut self.sets, &mut self.pending, &mut self.values);
        each_id(values[0].as_ref(), &mut lock(interner), &mut |row, id| {
            if passes(opt_filter, row) {
                let group = group_indices[row];
                let ids = &mut pending[group];
                ids.push(id);
                *added += 1;
                if ids.len() >= MOST_PENDING {
                    let before = ids.len() as u64 + sets[group].len();
                    fold(&mut sets[group], ids);
                    *added -= before - sets[group].len();
                }
            }
        })
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let sets = self.take(emit_to);
        if self.count {
            Ok(Arc::new(Int64Array::from_iter_values(sets.iter().map(|s| s.len() as i64))))
        } else {
            Ok(sets_to_binary(sets))
        }
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        Ok(vec![sets_to_binary(self.take(emit_to))])
    }

    fn merge_batch(&mut self, values: &[ArrayRef], group_indices: &[usize], total_num_groups: usize) -> Result<()> {
        self.sets.resize_with(total_num_groups, RoaringBitmap::new);
        self.values += unite(&mut self.sets, values[0].as_ref(), group_indices, None)?;
        Ok(())
    }

    /// Each input row as its own group's state: a set of its one value (or none).
    fn convert_to_state(&self, values: &[ArrayRef], opt_filter: Option<&BooleanArray>) -> Result<Vec<ArrayRef>> {
        let rows = values[0].len();
        let mut sets = vec![RoaringBitmap::new(); rows];
        match &self.interner {
            Some(interner) => each_id(values[0].as_ref(), &mut lock(interner), &mut |row, id| {
                if passes(opt_filter, row) {
                    sets[row].insert(id);
                }
            })?,
            None => {
                let groups: Vec<usize> = (0..rows).collect();
                unite(&mut sets, values[0].as_ref(), &groups, opt_filter)?;
            }
        }
        Ok(vec![sets_to_binary(sets)])
    }

    fn size(&self) -> usize {
        // At most four bytes per value (pending ids; Roaring's containers take two), plus the sets.
        (self.sets.capacity() * std::mem::size_of::<RoaringBitmap>())
            + (self.pending.capacity() * std::mem::size_of::<Vec<u32>>())
            + 4 * self.values as usize
    }
}

/// [`SetsAccumulator`] for an aggregate without GROUP BY.
#[derive(Debug)]
struct SetAccumulator {
    interner: Option<SharedInterner>,
    set: RoaringBitmap,
    count: bool,
}

impl Accumulator for SetAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let Some(interner) = &self.interner else {
            return self.merge_batch(values);
        };
        let set = &mut self.set;
        each_id(values[0].as_ref(), &mut lock(interner), &mut |_, id| {
            set.insert(id);
        })
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        if self.count {
            Ok(ScalarValue::Int64(Some(self.set.len() as i64)))
        } else {
            Ok(ScalarValue::Binary(Some(serialize(&self.set))))
        }
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.set.serialized_size()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Binary(Some(serialize(&self.set)))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let groups = vec![0; states[0].len()];
        unite(std::slice::from_mut(&mut self.set), states[0].as_ref(), &groups, None)?;
        Ok(())
    }
}
