//! Reading a query's columns by name into plain vectors, whatever numeric type DataFusion gave
//! them (counts are Int64, sums of integers may be Int64 or Decimal).

use crate::AnalysisError;
use datafusion::arrow::array::{ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type};
use quiver_engine::QueryOutput;

/// The column `name` of every batch, cast to `to`.
fn cast_column(out: &QueryOutput, name: &str, to: &DataType) -> Result<Vec<ArrayRef>, AnalysisError> {
    let index = out.schema.index_of(name).map_err(|_| AnalysisError::Result(format!("no column `{name}`")))?;
    out.batches
        .iter()
        .map(|b| cast(b.column(index), to).map_err(|e| AnalysisError::Result(format!("column `{name}`: {e}"))))
        .collect()
}

/// A number column as floats.
pub(crate) fn f64s(out: &QueryOutput, name: &str) -> Result<Vec<Option<f64>>, AnalysisError> {
    let arrays = cast_column(out, name, &DataType::Float64)?;
    Ok(arrays.iter().flat_map(|a| a.as_primitive::<Float64Type>().iter().collect::<Vec<_>>()).collect())
}

/// A whole-number column.
pub(crate) fn i64s(out: &QueryOutput, name: &str) -> Result<Vec<Option<i64>>, AnalysisError> {
    let arrays = cast_column(out, name, &DataType::Int64)?;
    Ok(arrays.iter().flat_map(|a| a.as_primitive::<Int64Type>().iter().collect::<Vec<_>>()).collect())
}

/// A column as text.
pub(crate) fn strings(out: &QueryOutput, name: &str) -> Result<Vec<Option<String>>, AnalysisError> {
    let arrays = cast_column(out, name, &DataType::Utf8)?;
    Ok(arrays
        .iter()
        .flat_map(|a| a.as_string::<i32>().iter().map(|s| s.map(str::to_owned)).collect::<Vec<_>>())
        .collect())
}

/// A count column: whole and never negative; a null count (an empty sum) is 0.
pub(crate) fn counts(out: &QueryOutput, name: &str) -> Result<Vec<u64>, AnalysisError> {
    i64s(out, name)?
        .into_iter()
        .map(|v| {
            u64::try_from(v.unwrap_or(0)).map_err(|_| AnalysisError::Result(format!("negative count in `{name}`")))
        })
        .collect()
}
