//! Reading the event analyses' query results into Rust values, and writing their tidy tables.
//!
//! A result column that is missing or of an unexpected type is our bug (the query was planned
//! here), reported as [`AnalysisError::Result`].

use crate::AnalysisError;
use chrono::NaiveDate;
use datafusion::arrow::array::{ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use quiver_engine::QueryOutput;

fn column(batch: &RecordBatch, name: &str, to: &DataType) -> Result<ArrayRef, AnalysisError> {
    let array = batch
        .column_by_name(name)
        .ok_or_else(|| AnalysisError::Result(format!("the result has no column `{name}`")))?;
    cast(array, to).map_err(|e| AnalysisError::Result(format!("column `{name}`: {e}")))
}

/// A column as whole numbers.
pub(crate) fn ints(batch: &RecordBatch, name: &str) -> Result<Vec<Option<i64>>, AnalysisError> {
    Ok(column(batch, name, &DataType::Int64)?.as_primitive::<Int64Type>().iter().collect())
}

/// A column of lists of whole numbers (an empty list for null).
pub(crate) fn int_lists(batch: &RecordBatch, name: &str) -> Result<Vec<Vec<i64>>, AnalysisError> {
    let list_type =
        DataType::List(std::sync::Arc::new(datafusion::arrow::datatypes::Field::new_list_field(DataType::Int64, true)));
    let lists = column(batch, name, &list_type)?;
    Ok(lists
        .as_list::<i32>()
        .iter()
        .map(|list| list.map(|l| l.as_primitive::<Int64Type>().iter().map(Option::unwrap_or_default).collect()))
        .map(Option::unwrap_or_default)
        .collect())
}

/// A column as text.
pub(crate) fn texts(batch: &RecordBatch, name: &str) -> Result<Vec<Option<String>>, AnalysisError> {
    Ok(column(batch, name, &DataType::Utf8)?.as_string::<i32>().iter().map(|v| v.map(str::to_owned)).collect())
}

/// A column as booleans.
pub(crate) fn bools(batch: &RecordBatch, name: &str) -> Result<Vec<Option<bool>>, AnalysisError> {
    Ok(column(batch, name, &DataType::Boolean)?.as_boolean().iter().collect())
}

/// Days from 1970-01-01 to `day` (Arrow's `Date32`).
pub(crate) fn to_epoch_day(day: NaiveDate) -> i32 {
    (day - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()).num_days() as i32
}

/// Every row of every batch of `output`, through `read` (one call per batch).
pub(crate) fn each_batch<T>(
    output: &QueryOutput,
    mut read: impl FnMut(&RecordBatch) -> Result<Vec<T>, AnalysisError>,
) -> Result<Vec<T>, AnalysisError> {
    let mut rows = Vec::new();
    for batch in &output.batches {
        rows.extend(read(batch)?);
    }
    Ok(rows)
}

/// A tidy table of these columns (all of one length).
pub(crate) fn tidy(columns: Vec<(&str, ArrayRef)>) -> Result<QueryOutput, AnalysisError> {
    let batch = RecordBatch::try_from_iter(columns).map_err(|e| AnalysisError::Result(e.to_string()))?;
    Ok(QueryOutput { schema: batch.schema(), batches: vec![batch] })
}
