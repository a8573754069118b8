//! Arrow IPC streams: the body's columns are matched to the table's by name; a missing nullable
//! column is all nulls, and the end-of-stream marker must be there (a stream cut short at a
//! message boundary would otherwise look complete).

use super::check::finish;
use super::{IngestError, RowError};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_ipc::reader::StreamReader;
use arrow_schema::{DataType, SchemaRef};
use quiver_shared::tenant::TenantId;

/// The IPC end-of-stream marker: continuation token, then a zero length.
const END_OF_STREAM: [u8; 8] = [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0];

pub(super) fn decode(body: &[u8], schema: &SchemaRef, tenant: &TenantId) -> Result<RecordBatch, IngestError> {
    if !body.ends_with(&END_OF_STREAM) {
        return Err(IngestError::Malformed(
            "the Arrow stream has no end-of-stream marker: it was cut short or is not an Arrow IPC stream".to_owned(),
        ));
    }
    let malformed = |e: arrow_schema::ArrowError| IngestError::Malformed(format!("not a valid Arrow IPC stream: {e}"));
    let reader = StreamReader::try_new(std::io::Cursor::new(body), None).map_err(malformed)?;
    let body_schema = reader.schema();
    let batches = reader.collect::<Result<Vec<_>, _>>().map_err(malformed)?;
    let batch = arrow_select::concat::concat_batches(&body_schema, &batches).map_err(malformed)?;
    let rows = batch.num_rows();

    let mut errors = Vec::new();
    for field in body_schema.fields() {
        match schema.field_with_name(field.name()) {
            Err(_) => {
                errors.push(RowError { row: None, field: Some(field.name().clone()), reason: "unknown column".into() })
            }
            Ok(ours) if !same_type(ours.data_type(), field.data_type()) => errors.push(RowError {
                row: None,
                field: Some(field.name().clone()),
                reason: format!("expected type {}, found {}", ours.data_type(), field.data_type()),
            }),
            Ok(_) => {}
        }
    }
    if !errors.is_empty() {
        return Err(IngestError::rows(errors));
    }
    let columns: Vec<ArrayRef> = schema
        .fields()
        .iter()
        .map(|field| match batch.column_by_name(field.name()) {
            // The same values under the table's exact type (its time zone label).
            Some(column) => arrow_array::make_array(
                column.to_data().into_builder().data_type(field.data_type().clone()).build().expect("same layout"),
            ),
            None => arrow_array::new_null_array(field.data_type(), rows),
        })
        .collect();
    finish(schema, columns, rows, tenant, &|i| i + 1, errors)
}

/// Types equal up to a timestamp's time zone label (the stored instants are UTC either way).
fn same_type(ours: &DataType, theirs: &DataType) -> bool {
    match (ours, theirs) {
        (DataType::Timestamp(a, _), DataType::Timestamp(b, _)) => a == b,
        _ => ours == theirs,
    }
}
