//! Query results as a grid of typed cells, ready for locale-aware formatting in the UI.

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type, SchemaRef, TimeUnit, TimestampMicrosecondType};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};

/// One column heading of a grid.
#[derive(Debug, Clone, PartialEq)]
pub struct GridColumn {
    /// The column name.
    pub name: String,
    /// The Arrow type, as Arrow displays it.
    pub data_type: String,
}

/// One cell. Numbers and instants stay typed so the UI formats them for the user's locale and
/// the tenant's time zone.
#[derive(Debug, Clone, PartialEq)]
pub enum GridCell {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A floating-point or decimal number.
    Float(f64),
    /// An instant, as microseconds since the Unix epoch (UTC).
    Timestamp(i64),
    /// Anything else, as text.
    Text(String),
}

/// The first rows of a result.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Column headings.
    pub columns: Vec<GridColumn>,
    /// Row-major cells, at most the limit asked for.
    pub rows: Vec<Vec<GridCell>>,
    /// Rows in the whole result.
    pub total_rows: usize,
}

impl Grid {
    /// Builds a grid of at most `limit` rows.
    pub fn from_batches(schema: &SchemaRef, batches: &[RecordBatch], limit: usize) -> Self {
        let columns = schema
            .fields()
            .iter()
            .map(|f| GridColumn { name: f.name().clone(), data_type: f.data_type().to_string() })
            .collect();
        let total_rows = batches.iter().map(|b| b.num_rows()).sum();
        let mut rows = Vec::with_capacity(limit.min(total_rows));
        for batch in batches {
            if rows.len() >= limit {
                break;
            }
            let take = (limit - rows.len()).min(batch.num_rows());
            let cols: Vec<Vec<GridCell>> = batch.columns().iter().map(|c| cells(c, take)).collect();
            for r in 0..take {
                rows.push(cols.iter().map(|c| c[r].clone()).collect());
            }
        }
        Self { columns, rows, total_rows }
    }
}

fn cells(array: &ArrayRef, take: usize) -> Vec<GridCell> {
    let array = array.slice(0, take);
    match array.data_type() {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32 => typed::<Int64Type>(&array, &DataType::Int64, GridCell::Int),
        DataType::UInt64
        | DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal128(_, _)
        | DataType::Decimal256(_, _) => typed::<Float64Type>(&array, &DataType::Float64, GridCell::Float),
        DataType::Timestamp(_, _) => typed::<TimestampMicrosecondType>(
            &array,
            &DataType::Timestamp(TimeUnit::Microsecond, None),
            GridCell::Timestamp,
        ),
        _ => text(&array),
    }
}

fn typed<T: datafusion::arrow::datatypes::ArrowPrimitiveType>(
    array: &ArrayRef,
    to: &DataType,
    wrap: fn(T::Native) -> GridCell,
) -> Vec<GridCell> {
    match cast(array, to) {
        Ok(casted) => {
            let values = casted.as_primitive::<T>();
            (0..values.len()).map(|i| if values.is_null(i) { GridCell::Null } else { wrap(values.value(i)) }).collect()
        }
        Err(_) => text(array),
    }
}

fn text(array: &ArrayRef) -> Vec<GridCell> {
    let options = FormatOptions::default().with_null("");
    match ArrayFormatter::try_new(array.as_ref(), &options) {
        Ok(fmt) => (0..array.len())
            .map(|i| if array.is_null(i) { GridCell::Null } else { GridCell::Text(fmt.value(i).to_string()) })
            .collect(),
        Err(e) => vec![GridCell::Text(format!("<{e}>")); array.len()],
    }
}
