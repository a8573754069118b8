//! Row-level rules and the one place they are enforced.
//!
//! **Architecture Invariant:** every row that leaves the server passes through [`restrict`]
//! (directly, or through [`scan`] and [`count_rows`], which call it) with the caller's rules.
//! The partition stream, the manifest's row counts and `POST /api/analyze` do; live pushes and
//! exports must too. Rules come from the metadata store (or a server-signed embed/share token),
//! resolved when the request's caller is ([`crate::auth::Caller`]), never from the request.
//!
//! A rule keeps the rows of `table` whose `column` holds one of `values`; rules on the same
//! table all apply (AND). Values are compared after casting them to the column's Arrow type, so
//! `17` and `"17"` both match an `Int64` 17; a null never matches. A rule whose column is not in
//! the table keeps no row (fail closed).

use crate::warehouse::{PartitionScan, Warehouse, WarehouseError};
use arrow_array::{Array, BooleanArray, RecordBatch, StringArray};
use arrow_schema::{ArrowError, DataType};
use futures::{StreamExt, TryStreamExt};
use quiver_shared::partition::PartitionId;
use quiver_shared::tenant::TenantId;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::Arc;

/// Rows of `table` whose `column` is one of `values`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowRule {
    /// The table the rule restricts.
    pub table: String,
    /// The column compared.
    pub column: String,
    /// The values kept: JSON strings, numbers or booleans.
    pub values: Vec<serde_json::Value>,
}

impl RowRule {
    /// Checks the values' shape; the error is `(field, reason)` relative to the rule.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.table.trim().is_empty() {
            return Err(("table", "name the table the rule restricts".to_owned()));
        }
        if self.column.trim().is_empty() {
            return Err(("column", "name the column the rule compares".to_owned()));
        }
        if self.values.is_empty() || self.values.len() > 1000 {
            return Err(("values", "give 1 to 1000 values".to_owned()));
        }
        if let Some(bad) = self.values.iter().find(|v| value_text(v).is_none()) {
            return Err(("values", format!("{bad} is not a string, number or boolean")));
        }
        Ok(())
    }
}

/// A scalar rule value as text; `None` for null, arrays and objects.
fn value_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The rules among `rules` that restrict `table`.
pub fn rules_for<'a>(rules: &'a [RowRule], table: &str) -> Vec<&'a RowRule> {
    rules.iter().filter(|r| r.table == table).collect()
}

/// A short stable fingerprint of the rules on a table, for ETags and versions: two callers with
/// different rules never share a cached partition.
pub fn fingerprint(rules: &[&RowRule]) -> String {
    let json = serde_json::to_string(rules).unwrap_or_default();
    hex::encode(&Sha256::digest(json)[..6])
}

/// The rows of `batch` that every rule in `rules` keeps (the rules must be for `batch`'s table).
/// A rule whose column `batch` lacks keeps nothing.
pub fn restrict(batch: &RecordBatch, rules: &[&RowRule]) -> Result<RecordBatch, ArrowError> {
    if rules.is_empty() {
        return Ok(batch.clone());
    }
    let mut keep = vec![true; batch.num_rows()];
    for rule in rules {
        let Ok(index) = batch.schema().index_of(&rule.column) else { return Ok(batch.slice(0, 0)) };
        let column = batch.column(index);
        let allowed = allowed_texts(rule, column.data_type())?;
        let text = arrow_cast::cast(column, &DataType::Utf8)?;
        let text = text.as_any().downcast_ref::<StringArray>().expect("cast to Utf8 gives a StringArray");
        for (keep, value) in keep.iter_mut().zip(text.iter()) {
            *keep &= value.is_some_and(|v| allowed.contains(v));
        }
    }
    arrow_select::filter::filter_record_batch(batch, &BooleanArray::from(keep))
}

/// The rule's values as the column's type prints them (`"17"` for an `Int64` column given
/// `17` or `"17"`); values that are not of the column's type match nothing.
fn allowed_texts(rule: &RowRule, data_type: &DataType) -> Result<HashSet<String>, ArrowError> {
    let texts = StringArray::from_iter(rule.values.iter().map(value_text));
    let typed = arrow_cast::cast(&texts, data_type)?;
    let back = arrow_cast::cast(&typed, &DataType::Utf8)?;
    let back = back.as_any().downcast_ref::<StringArray>().expect("cast to Utf8 gives a StringArray");
    Ok(back.iter().flatten().map(str::to_owned).collect())
}

/// Opens a partition like [`Warehouse::scan`] with the rows `rules` keep only. The rules'
/// columns are read even when `columns` leaves them out, and dropped after filtering.
pub async fn scan(
    warehouse: &dyn Warehouse,
    tenant: &TenantId,
    table: &str,
    partition: &PartitionId,
    columns: Option<&[String]>,
    rules: &[RowRule],
) -> Result<PartitionScan, WarehouseError> {
    let rules: Vec<RowRule> = rules_for(rules, table).into_iter().cloned().collect();
    if rules.is_empty() {
        return warehouse.scan(tenant, table, partition, columns).await;
    }
    let Some(columns) = columns else {
        let scan = warehouse.scan(tenant, table, partition, None).await?;
        return Ok(filtered(scan, rules, None));
    };
    let mut read: Vec<String> = columns.to_vec();
    for rule in &rules {
        if !read.contains(&rule.column) {
            read.push(rule.column.clone());
        }
    }
    let scan = warehouse.scan(tenant, table, partition, Some(&read)).await?;
    let keep: Vec<usize> = (0..columns.len()).collect();
    let schema = Arc::new(scan.schema.project(&keep).map_err(|e| WarehouseError::Format(e.to_string()))?);
    let mut scan = filtered(scan, rules, Some(keep));
    scan.schema = schema;
    Ok(scan)
}

/// `scan` with its batches filtered by `rules` and then projected to `keep`.
fn filtered(scan: PartitionScan, rules: Vec<RowRule>, keep: Option<Vec<usize>>) -> PartitionScan {
    let version = format!("{}-r{}", scan.version, fingerprint(&rules.iter().collect::<Vec<_>>()));
    let live_seq = scan.live_seq;
    let batches = scan
        .batches
        .map(move |batch| {
            let refs: Vec<&RowRule> = rules.iter().collect();
            let batch = restrict(&batch?, &refs).map_err(|e| WarehouseError::Format(e.to_string()))?;
            match &keep {
                Some(keep) => batch.project(keep).map_err(|e| WarehouseError::Format(e.to_string())),
                None => Ok(batch),
            }
        })
        .boxed();
    PartitionScan { schema: scan.schema, version, batches, live_seq }
}

/// How many rows of a partition `rules` keep, reading only the rules' columns; `None` when no
/// rule restricts `table` (the stored count is right).
pub async fn count_rows(
    warehouse: &dyn Warehouse,
    tenant: &TenantId,
    table: &str,
    partition: &PartitionId,
    rules: &[RowRule],
) -> Result<Option<u64>, WarehouseError> {
    let on_table = rules_for(rules, table);
    if on_table.is_empty() {
        return Ok(None);
    }
    let mut columns: Vec<String> = on_table.iter().map(|r| r.column.clone()).collect();
    columns.sort();
    columns.dedup();
    let scan = self::scan(warehouse, tenant, table, partition, Some(&columns), rules).await?;
    let rows = scan.batches.try_fold(0u64, |n, b| async move { Ok(n + b.num_rows() as u64) }).await?;
    Ok(Some(rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Int64Array;
    use arrow_schema::{Field, Schema};

    fn batch() -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("rep", DataType::Int64, true),
            Field::new("region", DataType::Utf8, false),
        ]));
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from(vec![Some(17), Some(3), None, Some(17)])),
                Arc::new(StringArray::from(vec!["East", "East", "West", "West"])),
            ],
        )
        .unwrap()
    }

    fn check(rules: serde_json::Value, expected_rows: usize) {
        let rules: Vec<RowRule> = serde_json::from_value(rules).unwrap();
        let refs: Vec<&RowRule> = rules.iter().collect();
        assert_eq!(restrict(&batch(), &refs).unwrap().num_rows(), expected_rows, "{rules:?}");
    }

    #[test]
    fn keeps_only_matching_rows_and_fails_closed() {
        check(serde_json::json!([]), 4);
        check(serde_json::json!([{"table": "t", "column": "rep", "values": [17]}]), 2);
        check(serde_json::json!([{"table": "t", "column": "rep", "values": ["17"]}]), 2);
        check(serde_json::json!([{"table": "t", "column": "rep", "values": ["x"]}]), 0);
        check(serde_json::json!([{"table": "t", "column": "region", "values": ["East", "North"]}]), 2);
        check(
            serde_json::json!([
                {"table": "t", "column": "rep", "values": [17]},
                {"table": "t", "column": "region", "values": ["West"]}
            ]),
            1,
        );
        check(serde_json::json!([{"table": "t", "column": "missing", "values": [1]}]), 0);
    }
}
