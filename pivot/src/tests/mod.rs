//! Tests of shaping, charts and exports, on query outputs built by hand in the planned shape.

mod chart;
mod export;
mod shape;

use crate::{PivotOutput, PivotTable, ShapeError};
use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field as ArrowField, Schema};
use quiver_shared::pivot::{Field, LabelKind, PivotSpec, PlannedField, PlannedPivot, PlannedValue, Value};
use std::sync::Arc;

/// A query output in the planned shape, from one line per output row:
/// `"row labels | column labels | v0, v1"`, labels separated by `/`; an empty side is a total
/// (depth 0), `~` is a null label, `*` (first row label only) the top N "Other" group, and `-` a
/// null value. All fields are text.
pub(crate) fn output(spec: PivotSpec, lines: &[&str]) -> PivotOutput {
    try_output(spec, lines).expect("shapes")
}

/// Like [`output`], keeping the shaping error.
pub(crate) fn try_output(spec: PivotSpec, lines: &[&str]) -> Result<PivotOutput, ShapeError> {
    let planned = |prefix: &str, fields: &[Field]| -> Vec<PlannedField> {
        fields
            .iter()
            .enumerate()
            .map(|(i, f)| PlannedField { output: format!("{prefix}{i}"), field: f.clone(), kind: LabelKind::Text })
            .collect()
    };
    let values = if spec.values.is_empty() { vec![Value::count_rows()] } else { spec.values.clone() };
    let has_other = lines.iter().any(|l| l.starts_with('*'));
    let plan = PlannedPivot {
        sql: String::new(),
        rows: planned("r", &spec.rows),
        columns: planned("c", &spec.columns),
        values: values
            .into_iter()
            .enumerate()
            .map(|(i, value)| PlannedValue { output: format!("v{i}"), value })
            .collect(),
        has_other,
        days: None,
    };
    let parsed: Vec<[&str; 3]> = lines
        .iter()
        .map(|l| {
            let parts: Vec<&str> = l.split('|').map(str::trim).collect();
            [parts[0], parts[1], parts[2]]
        })
        .collect();
    let labels = |side: usize, count: usize| -> (Vec<ArrayRef>, Int32Array, Vec<bool>) {
        let paths: Vec<Vec<&str>> = parsed
            .iter()
            .map(|p| if p[side].is_empty() { Vec::new() } else { p[side].split('/').map(str::trim).collect() })
            .collect();
        let arrays = (0..count)
            .map(|f| {
                let column: StringArray = paths
                    .iter()
                    .map(|p| p.get(f).filter(|l| !matches!(**l, "~" | "*")).map(|l| l.to_string()))
                    .collect();
                Arc::new(column) as ArrayRef
            })
            .collect();
        let depths = paths.iter().map(|p| p.len() as i32).collect();
        let other = paths.iter().map(|p| p.first() == Some(&"*")).collect();
        (arrays, depths, other)
    };
    let (row_arrays, row_depth, other) = labels(0, plan.rows.len());
    let (column_arrays, column_depth, _) = labels(1, plan.columns.len());
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (f, a) in plan.rows.iter().zip(row_arrays).chain(plan.columns.iter().zip(column_arrays)) {
        fields.push(ArrowField::new(&f.output, DataType::Utf8, true));
        arrays.push(a);
    }
    fields.push(ArrowField::new("__row_depth", DataType::Int32, false));
    arrays.push(Arc::new(row_depth));
    fields.push(ArrowField::new("__col_depth", DataType::Int32, false));
    arrays.push(Arc::new(column_depth));
    if has_other {
        fields.push(ArrowField::new("__other", DataType::Boolean, false));
        arrays.push(Arc::new(BooleanArray::from(other)));
    }
    for (k, v) in plan.values.iter().enumerate() {
        let column: Float64Array = parsed
            .iter()
            .map(|p| {
                let text = p[2].split(',').nth(k).map(str::trim).unwrap_or("-");
                text.parse::<f64>().ok()
            })
            .collect();
        fields.push(ArrowField::new(&v.output, DataType::Float64, true));
        arrays.push(Arc::new(column));
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), arrays).expect("test batch");
    PivotOutput::new(spec, plan, schema, vec![batch])
}

/// A spec over table `t` with these Rows and Columns fields (plain) and values.
pub(crate) fn spec(rows: &[&str], columns: &[&str], values: Vec<Value>) -> PivotSpec {
    PivotSpec {
        table: "t".to_owned(),
        rows: rows.iter().map(|c| Field::plain(c)).collect(),
        columns: columns.iter().map(|c| Field::plain(c)).collect(),
        values,
        ..PivotSpec::default()
    }
}

/// The table as aligned plain text: labels left, numbers right, ` | ` between columns.
pub(crate) fn render(table: &PivotTable) -> String {
    let grid = crate::export::grid(table);
    let widths: Vec<usize> = (0..grid[0].len())
        .map(|i| grid.iter().map(|l| l.get(i).map_or(0, |f| f.chars().count())).max().unwrap_or(0))
        .collect();
    let labels = table.row_fields.len();
    grid.iter()
        .map(|line| {
            let fields: Vec<String> = line
                .iter()
                .enumerate()
                .map(
                    |(i, f)| {
                        if i < labels { format!("{f:<w$}", w = widths[i]) } else { format!("{f:>w$}", w = widths[i]) }
                    },
                )
                .collect();
            fields.join(" | ").trim_end().to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
