//! JSON lines: one object per line, keys are column names. Times are RFC 3339 strings (or
//! integers in the column's unit), dates `YYYY-MM-DD`.

use super::check::finish;
use super::{IngestError, RowError};
use arrow_array::types::{
    Date32Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type,
    UInt64Type,
};
use arrow_array::{ArrayRef, ArrowPrimitiveType, BooleanArray, PrimitiveArray, StringArray};
use arrow_schema::{DataType, Field, SchemaRef, TimeUnit};
use quiver_shared::tenant::TenantId;
use serde_json::{Map, Value};
use std::sync::Arc;

pub(super) fn decode(
    body: &[u8],
    schema: &SchemaRef,
    tenant: &TenantId,
) -> Result<arrow_array::RecordBatch, IngestError> {
    let text = std::str::from_utf8(body).map_err(|e| IngestError::Malformed(format!("the body is not UTF-8: {e}")))?;
    let mut errors = Vec::new();
    let mut objects: Vec<Map<String, Value>> = Vec::new();
    let mut lines: Vec<usize> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let row = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(map)) => {
                for key in map.keys() {
                    if schema.field_with_name(key).is_err() {
                        errors.push(RowError {
                            row: Some(row),
                            field: Some(key.clone()),
                            reason: "unknown column".to_owned(),
                        });
                    }
                }
                objects.push(map);
                lines.push(row);
            }
            Ok(other) => errors.push(RowError {
                row: Some(row),
                field: None,
                reason: format!("expected a JSON object, found {}", kind(&other)),
            }),
            Err(e) => errors.push(RowError { row: Some(row), field: None, reason: format!("malformed JSON: {e}") }),
        }
    }
    let columns: Vec<ArrayRef> =
        schema.fields().iter().map(|field| column(field, &objects, &lines, &mut errors)).collect();
    finish(schema, columns, objects.len(), tenant, &|i| lines[i], errors)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// One column of `objects`, converted to `field`'s type; unconvertible values become nulls and
/// errors.
fn column(field: &Field, objects: &[Map<String, Value>], lines: &[usize], errors: &mut Vec<RowError>) -> ArrayRef {
    let name = field.name();
    let mut convert = |parse: &dyn Fn(&Value) -> Result<(), String>| {
        for (obj, &row) in objects.iter().zip(lines) {
            if let Some(v) = obj.get(name).filter(|v| !v.is_null())
                && let Err(reason) = parse(v)
            {
                errors.push(RowError { row: Some(row), field: Some(name.clone()), reason });
            }
        }
    };
    let values = || objects.iter().map(|o| o.get(name).filter(|v| !v.is_null()));
    match field.data_type() {
        DataType::Utf8 => {
            convert(&|v| v.as_str().map(drop).ok_or_else(|| format!("expected a string, found {}", kind(v))));
            Arc::new(StringArray::from_iter(values().map(|v| v.and_then(Value::as_str))))
        }
        DataType::Boolean => {
            convert(&|v| v.as_bool().map(drop).ok_or_else(|| format!("expected true or false, found {}", kind(v))));
            Arc::new(BooleanArray::from_iter(values().map(|v| v.and_then(Value::as_bool))))
        }
        DataType::Int8 => int::<Int8Type>(field, objects, &mut convert),
        DataType::Int16 => int::<Int16Type>(field, objects, &mut convert),
        DataType::Int32 => int::<Int32Type>(field, objects, &mut convert),
        DataType::Int64 => int::<Int64Type>(field, objects, &mut convert),
        DataType::UInt8 => int::<UInt8Type>(field, objects, &mut convert),
        DataType::UInt16 => int::<UInt16Type>(field, objects, &mut convert),
        DataType::UInt32 => int::<UInt32Type>(field, objects, &mut convert),
        DataType::UInt64 => int::<UInt64Type>(field, objects, &mut convert),
        DataType::Float32 => {
            convert(&|v| float(v).map(drop));
            Arc::new(PrimitiveArray::<Float32Type>::from_iter(
                values().map(|v| v.and_then(|v| float(v).ok()).map(|f| f as f32)),
            ))
        }
        DataType::Float64 => {
            convert(&|v| float(v).map(drop));
            Arc::new(PrimitiveArray::<Float64Type>::from_iter(values().map(|v| v.and_then(|v| float(v).ok()))))
        }
        DataType::Date32 => {
            convert(&|v| date(v).map(drop));
            Arc::new(PrimitiveArray::<Date32Type>::from_iter(values().map(|v| v.and_then(|v| date(v).ok()))))
        }
        DataType::Timestamp(unit, _) => {
            let unit = *unit;
            convert(&|v| timestamp(v, unit).map(drop));
            let raw = values().map(|v| v.and_then(|v| timestamp(v, unit).ok()));
            let array: ArrayRef = match unit {
                TimeUnit::Second => Arc::new(PrimitiveArray::<TimestampSecondType>::from_iter(raw)),
                TimeUnit::Millisecond => Arc::new(PrimitiveArray::<TimestampMillisecondType>::from_iter(raw)),
                TimeUnit::Microsecond => Arc::new(PrimitiveArray::<TimestampMicrosecondType>::from_iter(raw)),
                TimeUnit::Nanosecond => Arc::new(PrimitiveArray::<TimestampNanosecondType>::from_iter(raw)),
            };
            // The same values, labelled with the column's time zone.
            arrow_array::make_array(
                array.to_data().into_builder().data_type(field.data_type().clone()).build().expect("same layout"),
            )
        }
        other => {
            let reason = format!("columns of type {other} cannot be ingested as JSON; send Arrow instead");
            convert(&|_| Err(reason.clone()));
            arrow_array::new_null_array(other, objects.len())
        }
    }
}

/// Runs a value check over a column's present values, collecting the errors.
type Convert<'a> = dyn FnMut(&dyn Fn(&Value) -> Result<(), String>) + 'a;

fn int<T: ArrowPrimitiveType>(field: &Field, objects: &[Map<String, Value>], convert: &mut Convert<'_>) -> ArrayRef
where
    T::Native: TryFrom<i64> + TryFrom<u64>,
{
    let parse = |v: &Value| -> Result<T::Native, String> {
        let out_of_range = || format!("{v} does not fit in {}", T::DATA_TYPE);
        if let Some(i) = v.as_i64() {
            T::Native::try_from(i).map_err(|_| out_of_range())
        } else if let Some(u) = v.as_u64() {
            T::Native::try_from(u).map_err(|_| out_of_range())
        } else {
            Err(format!("expected an integer, found {}", if v.is_number() { "a fraction" } else { kind(v) }))
        }
    };
    convert(&|v| parse(v).map(drop));
    let name = field.name();
    Arc::new(PrimitiveArray::<T>::from_iter(
        objects.iter().map(|o| o.get(name).filter(|v| !v.is_null()).and_then(|v| parse(v).ok())),
    ))
}

fn float(v: &Value) -> Result<f64, String> {
    v.as_f64().ok_or_else(|| format!("expected a number, found {}", kind(v)))
}

fn date(v: &Value) -> Result<i32, String> {
    let s = v.as_str().ok_or_else(|| format!("expected a date 'YYYY-MM-DD', found {}", kind(v)))?;
    let d = quiver_shared::partition::parse_api_date(s).ok_or_else(|| format!("'{s}' is not a date 'YYYY-MM-DD'"))?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    Ok((d - epoch).num_days() as i32)
}

fn timestamp(v: &Value, unit: TimeUnit) -> Result<i64, String> {
    if let Some(i) = v.as_i64() {
        return Ok(i);
    }
    let s = v
        .as_str()
        .ok_or_else(|| format!("expected an RFC 3339 time such as '2026-08-01T12:00:00Z', found {}", kind(v)))?;
    let t = chrono::DateTime::parse_from_rfc3339(s)
        .map_err(|e| format!("'{s}' is not an RFC 3339 time such as '2026-08-01T12:00:00Z': {e}"))?;
    let out_of_range = || format!("'{s}' is out of range");
    match unit {
        TimeUnit::Second => Ok(t.timestamp()),
        TimeUnit::Millisecond => Ok(t.timestamp_millis()),
        TimeUnit::Microsecond => Ok(t.timestamp_micros()),
        TimeUnit::Nanosecond => t.timestamp_nanos_opt().ok_or_else(out_of_range),
    }
}
