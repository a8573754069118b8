//! Group labels as typed values: read from the query's `r*`/`c*` columns, ordered the way users
//! expect (time chronologically, numbers numerically) and shown per time grain.

use crate::shape::ShapeError;
use arrow_array::cast::AsArray;
use arrow_array::timezone::Tz;
use arrow_array::types::{
    Date32Type, Date64Type, Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, TimeUnit};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone};
use quiver_shared::pivot::{LabelKind, TimeGrain};
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

/// One group label of a Rows or Columns field.
#[derive(Clone, Debug)]
pub enum Label {
    /// The group of rows where the field is null: shown as "(null)", distinct from any text.
    Null,
    /// The "Other" group that top N folds the remaining groups into.
    Other,
    /// Text (shared: a label is copied into every header path below it).
    Text(std::sync::Arc<str>),
    /// A whole number.
    Int(i64),
    /// A decimal number.
    Float(f64),
    /// True or false.
    Bool(bool),
    /// A calendar date.
    Date(NaiveDate),
    /// The start of a time bucket.
    Time {
        /// Microseconds since the Unix epoch.
        micros: i64,
        /// The same instant on the wall clock of the column's time zone (the tenant's).
        local: NaiveDateTime,
        /// The bucket's grain, for display; `None` for raw instants.
        grain: Option<TimeGrain>,
    },
}

impl Label {
    /// The label as shown to users: time by grain (`2026-11`, `2026-Q4`, `2026-W47`), "(null)" for
    /// null and "Other" for the top N remainder.
    pub fn display(&self) -> String {
        match self {
            Label::Null => "(null)".to_owned(),
            Label::Other => "Other".to_owned(),
            Label::Text(text) => text.to_string(),
            Label::Int(v) => v.to_string(),
            Label::Float(v) => v.to_string(),
            Label::Bool(v) => v.to_string(),
            Label::Date(day) => day.format("%Y-%m-%d").to_string(),
            Label::Time { local, grain, .. } => match grain {
                Some(TimeGrain::Hour) => local.format("%Y-%m-%d %H:00").to_string(),
                Some(TimeGrain::Day) => local.format("%Y-%m-%d").to_string(),
                Some(TimeGrain::Week) => {
                    let week = local.iso_week();
                    format!("{}-W{:02}", week.year(), week.week())
                }
                Some(TimeGrain::Month) => local.format("%Y-%m").to_string(),
                Some(TimeGrain::Quarter) => format!("{}-Q{}", local.year(), local.month0() / 3 + 1),
                Some(TimeGrain::Year) => local.year().to_string(),
                None => local.format("%Y-%m-%d %H:%M:%S").to_string(),
            },
        }
    }

    /// A stable machine form for element attributes and test assertions: text as is, numbers in
    /// Rust's shortest form, time as the local ISO date-time of the bucket start, `__null__` and
    /// `__other__` for the two special groups.
    pub fn raw(&self) -> String {
        match self {
            Label::Null => "__null__".to_owned(),
            Label::Other => "__other__".to_owned(),
            Label::Time { local, .. } => local.format("%Y-%m-%dT%H:%M:%S").to_string(),
            other => other.display(),
        }
    }

    /// Where the label sorts among its kind: regular values first, then null, then "Other".
    fn rank(&self) -> u8 {
        match self {
            Label::Null => 1,
            Label::Other => 2,
            _ => 0,
        }
    }

    /// The order of labels of one field, ascending: chronological for time, numeric for numbers.
    /// Null and "Other" come after every value (see [`Label::cmp_for_sort`] for descending).
    fn cmp_values(&self, other: &Label) -> Ordering {
        use Label::*;
        match (self, other) {
            (Text(a), Text(b)) => a.cmp(b),
            (Int(a), Int(b)) => a.cmp(b),
            (Float(a), Float(b)) => a.total_cmp(b),
            (Int(a), Float(b)) => (*a as f64).total_cmp(b),
            (Float(a), Int(b)) => a.total_cmp(&(*b as f64)),
            (Bool(a), Bool(b)) => a.cmp(b),
            (Date(a), Date(b)) => a.cmp(b),
            (Time { micros: a, .. }, Time { micros: b, .. }) => a.cmp(b),
            // Mixed kinds cannot come from one column; order them by display to stay total.
            _ => self.rank().cmp(&other.rank()).then_with(|| self.display().cmp(&other.display())),
        }
    }

    /// Order for a label sort: values ascending or descending, null and "Other" last either way
    /// (a user sorting Z→A still expects the leftovers at the bottom).
    pub(crate) fn cmp_for_sort(&self, other: &Label, descending: bool) -> Ordering {
        self.rank().cmp(&other.rank()).then_with(|| {
            let ord = self.cmp_values(other);
            if descending { ord.reverse() } else { ord }
        })
    }
}

impl PartialEq for Label {
    fn eq(&self, other: &Self) -> bool {
        use Label::*;
        match (self, other) {
            (Null, Null) | (Other, Other) => true,
            (Text(a), Text(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Float(a), Float(b)) => a.to_bits() == b.to_bits(),
            (Bool(a), Bool(b)) => a == b,
            (Date(a), Date(b)) => a == b,
            (Time { micros: a, .. }, Time { micros: b, .. }) => a == b,
            _ => false,
        }
    }
}

impl Eq for Label {}

impl Hash for Label {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Label::Null | Label::Other => {}
            Label::Text(v) => v.hash(state),
            Label::Int(v) => v.hash(state),
            Label::Float(v) => v.to_bits().hash(state),
            Label::Bool(v) => v.hash(state),
            Label::Date(v) => v.hash(state),
            Label::Time { micros, .. } => micros.hash(state),
        }
    }
}

/// Reads the labels of one `r*`/`c*` column of a batch.
pub(crate) struct LabelReader<'a> {
    array: &'a ArrayRef,
    grain: Option<TimeGrain>,
    tz: Option<Tz>,
    fallback: Option<ArrayFormatter<'a>>,
}

impl<'a> LabelReader<'a> {
    /// A reader for `array`, the output column `name` of a field of `kind`.
    pub(crate) fn new(name: &str, array: &'a ArrayRef, kind: LabelKind) -> Result<Self, ShapeError> {
        let grain = match kind {
            LabelKind::Time(grain) => Some(grain),
            _ => None,
        };
        let tz = match array.data_type() {
            DataType::Timestamp(_, Some(tz)) => Some(tz.parse::<Tz>().map_err(|e| ShapeError::WrongType {
                column: name.to_owned(),
                expected: "a timestamp with a known time zone".to_owned(),
                found: format!("{} ({e})", array.data_type()),
            })?),
            _ => None,
        };
        let fallback = match array.data_type() {
            dt if is_native(dt) => None,
            _ => Some(ArrayFormatter::try_new(array.as_ref(), &FormatOptions::default()).map_err(|e| {
                ShapeError::WrongType {
                    column: name.to_owned(),
                    expected: "a type that can be shown".to_owned(),
                    found: format!("{} ({e})", array.data_type()),
                }
            })?),
        };
        Ok(Self { array, grain, tz, fallback })
    }

    /// The label at `row`.
    pub(crate) fn get(&self, row: usize) -> Label {
        let a = self.array;
        if a.is_null(row) {
            return Label::Null;
        }
        if let Some(formatter) = &self.fallback {
            return Label::Text(formatter.value(row).to_string().into());
        }
        match a.data_type() {
            DataType::Utf8 => Label::Text(a.as_string::<i32>().value(row).into()),
            DataType::LargeUtf8 => Label::Text(a.as_string::<i64>().value(row).into()),
            DataType::Utf8View => Label::Text(a.as_string_view().value(row).into()),
            DataType::Boolean => Label::Bool(a.as_boolean().value(row)),
            DataType::Int8 => Label::Int(a.as_primitive::<Int8Type>().value(row).into()),
            DataType::Int16 => Label::Int(a.as_primitive::<Int16Type>().value(row).into()),
            DataType::Int32 => Label::Int(a.as_primitive::<Int32Type>().value(row).into()),
            DataType::Int64 => Label::Int(a.as_primitive::<Int64Type>().value(row)),
            DataType::UInt8 => Label::Int(a.as_primitive::<UInt8Type>().value(row).into()),
            DataType::UInt16 => Label::Int(a.as_primitive::<UInt16Type>().value(row).into()),
            DataType::UInt32 => Label::Int(a.as_primitive::<UInt32Type>().value(row).into()),
            DataType::UInt64 => {
                let v = a.as_primitive::<UInt64Type>().value(row);
                i64::try_from(v).map(Label::Int).unwrap_or(Label::Float(v as f64))
            }
            DataType::Float16 => Label::Float(a.as_primitive::<Float16Type>().value(row).to_f64()),
            DataType::Float32 => Label::Float(a.as_primitive::<Float32Type>().value(row).into()),
            DataType::Float64 => Label::Float(a.as_primitive::<Float64Type>().value(row)),
            DataType::Date32 => {
                let days = a.as_primitive::<Date32Type>().value(row);
                Date32Type::to_naive_date_opt(days).map(Label::Date).unwrap_or(Label::Null)
            }
            DataType::Date64 => {
                let millis = a.as_primitive::<Date64Type>().value(row);
                Date64Type::to_naive_date_opt(millis).map(Label::Date).unwrap_or(Label::Null)
            }
            DataType::Timestamp(unit, _) => {
                let micros = timestamp_micros(a, *unit, row);
                let utc = DateTime::from_timestamp_micros(micros).unwrap_or_default().naive_utc();
                let local = match &self.tz {
                    Some(tz) => tz.from_utc_datetime(&utc).naive_local(),
                    None => utc,
                };
                Label::Time { micros, local, grain: self.grain }
            }
            // `is_native` lists exactly the types above.
            _ => Label::Null,
        }
    }
}

fn is_native(dt: &DataType) -> bool {
    use DataType::*;
    matches!(
        dt,
        Utf8 | LargeUtf8
            | Utf8View
            | Boolean
            | Int8
            | Int16
            | Int32
            | Int64
            | UInt8
            | UInt16
            | UInt32
            | UInt64
            | Float16
            | Float32
            | Float64
            | Date32
            | Date64
            | Timestamp(_, _)
    )
}

fn timestamp_micros(a: &ArrayRef, unit: TimeUnit, row: usize) -> i64 {
    use arrow_array::types::{
        TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType,
    };
    match unit {
        TimeUnit::Second => a.as_primitive::<TimestampSecondType>().value(row).saturating_mul(1_000_000),
        TimeUnit::Millisecond => a.as_primitive::<TimestampMillisecondType>().value(row).saturating_mul(1000),
        TimeUnit::Microsecond => a.as_primitive::<TimestampMicrosecondType>().value(row),
        TimeUnit::Nanosecond => a.as_primitive::<TimestampNanosecondType>().value(row).div_euclid(1000),
    }
}
