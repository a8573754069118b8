//! The checks every ingest format shares once its columns are typed: the tenant column, required
//! fields and enumerated values; then the batch in the table's exact schema.

use super::{ENUM_METADATA_KEY, IngestError, RowError, TENANT_COLUMN};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions, StringArray};
use arrow_schema::{DataType, SchemaRef};
use quiver_shared::tenant::TenantId;
use std::sync::Arc;

/// Checks `columns` (one per field of `schema`, already of the field's type, `rows` long) and
/// builds the batch. `row_number` maps a row index to the number errors show; `errors` holds what
/// the format's decoder found already.
pub(super) fn finish(
    schema: &SchemaRef,
    mut columns: Vec<ArrayRef>,
    rows: usize,
    tenant: &TenantId,
    row_number: &dyn Fn(usize) -> usize,
    mut errors: Vec<RowError>,
) -> Result<RecordBatch, IngestError> {
    // A value the decoder could not convert is null now; it was reported already.
    let reported: std::collections::HashSet<(Option<usize>, Option<String>)> =
        errors.iter().map(|e| (e.row, e.field.clone())).collect();
    for (field, column) in schema.fields().iter().zip(columns.iter_mut()) {
        let name = field.name();
        if name == TENANT_COLUMN && matches!(field.data_type(), DataType::Utf8) {
            let values = column.as_string::<i32>();
            for (i, value) in values.iter().enumerate() {
                if let Some(v) = value
                    && v != tenant.as_str()
                {
                    errors.push(RowError {
                        row: Some(row_number(i)),
                        field: Some(name.clone()),
                        reason: format!("row belongs to tenant '{v}', but the token is for '{tenant}'"),
                    });
                }
            }
            *column = Arc::new(StringArray::from_iter_values(std::iter::repeat_n(tenant.as_str(), rows)));
            continue;
        }
        if !field.is_nullable() && column.null_count() > 0 {
            for i in (0..rows).filter(|&i| column.is_null(i)) {
                if reported.contains(&(Some(row_number(i)), Some(name.clone()))) {
                    continue;
                }
                errors.push(RowError {
                    row: Some(row_number(i)),
                    field: Some(name.clone()),
                    reason: "required: a value must be given (not null)".to_owned(),
                });
            }
        }
        if let Some(allowed) = field.metadata().get(ENUM_METADATA_KEY)
            && let Some(values) = column.as_string_opt::<i32>()
        {
            let allowed: Vec<&str> = allowed.split(',').map(str::trim).collect();
            for (i, value) in values.iter().enumerate() {
                if let Some(v) = value
                    && !allowed.contains(&v)
                {
                    errors.push(RowError {
                        row: Some(row_number(i)),
                        field: Some(name.clone()),
                        reason: format!("'{v}' is not one of: {}", allowed.join(", ")),
                    });
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(IngestError::rows(errors));
    }
    if rows == 0 {
        return Err(IngestError::Malformed("the body holds no rows".to_owned()));
    }
    RecordBatch::try_new_with_options(schema.clone(), columns, &RecordBatchOptions::new().with_row_count(Some(rows)))
        .map_err(|e| IngestError::Malformed(format!("rows do not fit the table: {e}")))
}
