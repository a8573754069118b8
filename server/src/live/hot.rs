//! Hot rows: accepted (logged) but not yet compacted into Parquet, kept in memory per tenant,
//! table and day, each batch tagged with the lsn of the record it came from.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Int32Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::{Array, RecordBatch, UInt32Array};
use arrow_schema::{ArrowError, DataType, SchemaRef, TimeUnit};
use chrono::NaiveDate;
use quiver_shared::tenant::TenantId;
use std::collections::{BTreeMap, HashMap};

/// One partition: a tenant's table on one day (`None` for undated tables).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct PartKey {
    pub(crate) tenant: TenantId,
    pub(crate) table: String,
    pub(crate) date: Option<NaiveDate>,
}

/// The hot rows of one partition, oldest first.
#[derive(Debug, Default, Clone)]
pub(crate) struct HotPart {
    pub(crate) batches: Vec<(u64, RecordBatch)>,
}

impl HotPart {
    pub(crate) fn rows(&self) -> u64 {
        self.batches.iter().map(|(_, b)| b.num_rows() as u64).sum()
    }

    pub(crate) fn bytes(&self) -> u64 {
        self.batches.iter().map(|(_, b)| b.get_array_memory_size() as u64).sum()
    }

    pub(crate) fn max_lsn(&self) -> u64 {
        self.batches.last().map_or(0, |(lsn, _)| *lsn)
    }
}

/// All hot rows.
#[derive(Debug, Default)]
pub(crate) struct HotStore(BTreeMap<PartKey, HotPart>);

impl HotStore {
    pub(crate) fn insert(&mut self, key: PartKey, lsn: u64, batch: RecordBatch) {
        self.0.entry(key).or_default().batches.push((lsn, batch));
    }

    pub(crate) fn get(&self, key: &PartKey) -> Option<&HotPart> {
        self.0.get(key)
    }

    /// The hot partitions of one tenant's table.
    pub(crate) fn of_table<'a>(
        &'a self,
        tenant: &'a TenantId,
        table: &'a str,
    ) -> impl Iterator<Item = (&'a PartKey, &'a HotPart)> + 'a {
        self.0.iter().filter(move |(k, _)| &k.tenant == tenant && k.table == table)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&PartKey, &HotPart)> {
        self.0.iter()
    }

    /// Drops a partition's batches up to and including `lsn` (they are in Parquet now).
    pub(crate) fn remove_through(&mut self, key: &PartKey, lsn: u64) {
        if let Some(part) = self.0.get_mut(key) {
            part.batches.retain(|(l, _)| *l > lsn);
            if part.batches.is_empty() {
                self.0.remove(key);
            }
        }
    }

    /// Drops a whole partition (expired).
    pub(crate) fn remove(&mut self, key: &PartKey) {
        self.0.remove(key);
    }
}

/// The values of an integer-like column (timestamps of any unit, dates, integers) as i64.
fn i64_values(column: &dyn Array) -> Option<Vec<Option<i64>>> {
    Some(match column.data_type() {
        DataType::Int64 => column.as_primitive::<Int64Type>().iter().collect(),
        DataType::Int32 => column.as_primitive::<Int32Type>().iter().map(|v| v.map(i64::from)).collect(),
        DataType::Date32 => column.as_primitive::<Date32Type>().iter().map(|v| v.map(i64::from)).collect(),
        DataType::Timestamp(TimeUnit::Second, _) => column.as_primitive::<TimestampSecondType>().iter().collect(),
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            column.as_primitive::<TimestampMillisecondType>().iter().collect()
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            column.as_primitive::<TimestampMicrosecondType>().iter().collect()
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            column.as_primitive::<TimestampNanosecondType>().iter().collect()
        }
        _ => return None,
    })
}

/// The UTC day of each row's value in a timestamp column.
fn days(column: &dyn Array) -> Vec<Option<NaiveDate>> {
    let per_day: i64 = match column.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => 86_400,
        DataType::Timestamp(TimeUnit::Millisecond, _) => 86_400_000,
        DataType::Timestamp(TimeUnit::Microsecond, _) => 86_400_000_000,
        DataType::Timestamp(TimeUnit::Nanosecond, _) => 86_400_000_000_000,
        _ => return vec![None; column.len()],
    };
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    i64_values(column)
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.and_then(|v| epoch.checked_add_signed(chrono::TimeDelta::days(v.div_euclid(per_day)))))
        .collect()
}

/// The column a dated table's rows are partitioned by: its first timestamp column.
pub(crate) fn day_column(schema: &SchemaRef) -> Option<usize> {
    schema.fields().iter().position(|f| matches!(f.data_type(), DataType::Timestamp(..)))
}

/// Splits a batch into one batch per partition day, days in order.
pub(crate) fn split_by_day(
    batch: &RecordBatch,
    day_column: Option<usize>,
) -> Result<Vec<(Option<NaiveDate>, RecordBatch)>, ArrowError> {
    let Some(column) = day_column else { return Ok(vec![(None, batch.clone())]) };
    let mut groups: BTreeMap<Option<NaiveDate>, Vec<u32>> = BTreeMap::new();
    for (i, day) in days(batch.column(column).as_ref()).into_iter().enumerate() {
        groups.entry(day).or_default().push(i as u32);
    }
    if groups.len() == 1 {
        let day = *groups.keys().next().expect("one group");
        return Ok(vec![(day, batch.clone())]);
    }
    groups
        .into_iter()
        .map(|(day, rows)| Ok((day, arrow_select::take::take_record_batch(batch, &UInt32Array::from(rows))?)))
        .collect()
}

/// Column positions of an upsert rule in a schema.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UpsertColumns {
    pub(crate) key: usize,
    pub(crate) version: usize,
}

/// One row per key: the one with the greatest version, the later one on ties. Rows keep their
/// relative order.
pub(crate) fn latest_by_key(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    upsert: UpsertColumns,
) -> Result<RecordBatch, ArrowError> {
    let all = arrow_select::concat::concat_batches(schema, batches)?;
    let key = all.column(upsert.key);
    let keys: Vec<Option<String>> = match key.data_type() {
        DataType::Utf8 => key.as_string::<i32>().iter().map(|v| v.map(str::to_owned)).collect(),
        _ => i64_values(key.as_ref())
            .ok_or_else(|| ArrowError::InvalidArgumentError(format!("upsert key of type {}", key.data_type())))?
            .into_iter()
            .map(|v| v.map(|v| v.to_string()))
            .collect(),
    };
    let versions = i64_values(all.column(upsert.version).as_ref()).ok_or_else(|| {
        ArrowError::InvalidArgumentError(format!("upsert version of type {}", all.column(upsert.version).data_type()))
    })?;
    let mut best: HashMap<Option<&str>, (Option<i64>, usize)> = HashMap::with_capacity(keys.len());
    for (i, (k, v)) in keys.iter().zip(&versions).enumerate() {
        let slot = best.entry(k.as_deref()).or_insert((*v, i));
        if *v >= slot.0 {
            *slot = (*v, i);
        }
    }
    let mut keep: Vec<u32> = best.into_values().map(|(_, i)| i as u32).collect();
    keep.sort_unstable();
    if keep.len() == all.num_rows() {
        return Ok(all);
    }
    arrow_select::take::take_record_batch(&all, &UInt32Array::from(keep))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int64Array, StringArray, TimestampMicrosecondArray};
    use arrow_schema::{Field, Schema};
    use std::sync::Arc;

    #[test]
    fn latest_version_wins_and_later_rows_win_ties() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("v", DataType::Timestamp(TimeUnit::Microsecond, None), false),
            Field::new("s", DataType::Utf8, false),
        ]));
        let batch = |ids: Vec<i64>, vs: Vec<i64>, ss: Vec<&str>| {
            RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(Int64Array::from(ids)),
                    Arc::new(TimestampMicrosecondArray::from(vs)),
                    Arc::new(StringArray::from(ss)),
                ],
            )
            .unwrap()
        };
        let merged = latest_by_key(
            &schema,
            &[
                batch(vec![1, 2, 3], vec![10, 10, 10], vec!["a", "b", "c"]),
                batch(vec![2, 1, 3], vec![20, 5, 10], vec!["B", "x", "C"]),
            ],
            UpsertColumns { key: 0, version: 1 },
        )
        .unwrap();
        let s: Vec<&str> = merged.column(2).as_string::<i32>().iter().map(Option::unwrap).collect();
        // Lead 1 keeps "a" (5 < 10), lead 2 takes "B" (20 > 10), lead 3 takes "C" (a tie: later wins).
        assert_eq!(s, ["a", "B", "C"]);
    }

    #[test]
    fn days_are_utc_days_also_before_1970() {
        let ts = TimestampMicrosecondArray::from(vec![0, 86_400_000_000 - 1, -1]);
        let d = |s: &str| Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
        assert_eq!(days(&ts), vec![d("1970-01-01"), d("1970-01-01"), d("1969-12-31")]);
    }
}
