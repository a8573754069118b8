//! Exports: the table as the user sees it (CSV, TSV for the clipboard) and the tidy leaf-level
//! data as Parquet.

use crate::shape::PivotOutput;
use crate::table::{PivotTable, field_name, value_name};
use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, BooleanArray, RecordBatch};
use arrow_schema::{ArrowError, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use std::collections::HashSet;
use std::sync::Arc;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The output lacks a column the plan promises. Our bug: planner and export disagree.
    #[error("query output: column `{column}` is missing or has the wrong type")]
    BadColumn {
        /// The output column.
        column: String,
    },
    /// Arrow refused to filter or assemble the batches. Our bug.
    #[error("arrow: {0}")]
    Arrow(#[from] ArrowError),
    /// The Parquet writer failed. Our bug (it writes to memory).
    #[error("parquet: {0}")]
    Parquet(#[from] ParquetError),
}

/// The word for totals in exports (header and row labels).
const TOTAL: &str = "Total";

/// The table as comma-separated values (RFC 4180: CRLF line ends, fields with commas, quotes or
/// line breaks quoted, quotes doubled).
pub fn to_csv(table: &PivotTable) -> String {
    let mut out = String::new();
    for line in grid(table) {
        let fields: Vec<String> = line.iter().map(|f| csv_field(f)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The table as tab-separated values, for the clipboard: tabs, line breaks and backslashes in
/// labels are escaped as `\t`, `\n`, `\r`, `\\` so that each row stays one line.
pub fn to_tsv(table: &PivotTable) -> String {
    let mut out = String::new();
    for line in grid(table) {
        let fields: Vec<String> = line.iter().map(|f| tsv_field(f)).collect();
        out.push_str(&fields.join("\t"));
        out.push('\n');
    }
    out
}

fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

fn tsv_field(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    for c in field.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// The table as lines of fields: one header line, then every row group (nothing collapsed).
///
/// The header has the Rows fields' names, then per data column its column group's labels and the
/// value's name joined by ` / `. A subtotal row has its labels, then "Total" in the next label
/// column; the grand total row has "Total" in the first. Numbers are unformatted, with every
/// digit (Rust's shortest round-trip form); a missing number is an empty field.
pub(crate) fn grid(table: &PivotTable) -> Vec<Vec<String>> {
    let leaves = table.column_leaves();
    let mut header: Vec<String> = table.row_fields.clone();
    for leaf in &leaves {
        let node = table.column(leaf.node);
        let mut parts: Vec<String> = node.path.iter().map(|l| l.display()).collect();
        if table.is_column_total(leaf.node) && !table.column_fields.is_empty() {
            parts.push(TOTAL.to_owned());
        }
        parts.push(table.value_names[leaf.value].clone());
        header.push(parts.join(" / "));
    }
    let mut lines = vec![header];
    let fields = table.row_fields.len();
    for &row in table.rows_in_order() {
        let node = table.row(row);
        let mut line: Vec<String> = node.path.iter().map(|l| l.display()).collect();
        if table.is_row_total(row) && fields > 0 {
            line.push(TOTAL.to_owned());
        }
        line.resize(fields, String::new());
        for leaf in &leaves {
            line.push(table.cell(row, leaf.node, leaf.value).shown.map(|v| v.to_string()).unwrap_or_default());
        }
        lines.push(line);
    }
    lines
}

/// The leaf-level data as a Parquet file (Snappy): one row per innermost row group × innermost
/// column group, with the Rows fields, the Columns fields and the values (as aggregated, not as
/// shares) under readable names such as `count_distinct(user_id)`. With top N's "Other" group, an
/// `other` column says which row that is.
pub fn to_parquet(output: &PivotOutput) -> Result<Vec<u8>, ExportError> {
    let plan = &output.plan;
    let mut sources: Vec<(String, String)> = Vec::new();
    sources.extend(plan.rows.iter().map(|f| (f.output.clone(), field_name(&f.field))));
    sources.extend(plan.columns.iter().map(|f| (f.output.clone(), field_name(&f.field))));
    if plan.has_other {
        sources.push(("__other".to_owned(), "other".to_owned()));
    }
    sources.extend(plan.values.iter().map(|v| (v.output.clone(), value_name(v))));

    // Two identical values on the shelf would give two columns of one name, which readers
    // merge or refuse; number the repeats.
    let mut seen = HashSet::new();
    let mut indices = Vec::new();
    let mut fields = Vec::new();
    for (output_name, name) in &sources {
        let index =
            output.schema.index_of(output_name).map_err(|_| ExportError::BadColumn { column: output_name.clone() })?;
        let mut unique = name.clone();
        let mut n = 1;
        while !seen.insert(unique.clone()) {
            n += 1;
            unique = format!("{name} #{n}");
        }
        let source = output.schema.field(index);
        fields.push(Field::new(unique, source.data_type().clone(), true));
        indices.push(index);
    }
    let schema = Arc::new(Schema::new(fields));

    let mut bytes = Vec::new();
    let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
    let mut writer = ArrowWriter::try_new(&mut bytes, schema.clone(), Some(props))?;
    for batch in &output.batches {
        let leaf = leaf_mask(output, batch)?;
        let columns = indices
            .iter()
            .map(|&i| arrow_select::filter::filter(batch.column(i), &leaf))
            .collect::<Result<Vec<ArrayRef>, _>>()?;
        writer.write(&RecordBatch::try_new(schema.clone(), columns)?)?;
    }
    writer.close()?;
    Ok(bytes)
}

/// Which rows of `batch` are leaf cells (grouped by every Rows and every Columns field).
fn leaf_mask(output: &PivotOutput, batch: &RecordBatch) -> Result<BooleanArray, ExportError> {
    let depth = |name: &str| {
        output
            .schema
            .index_of(name)
            .ok()
            .and_then(|i| batch.column(i).as_primitive_opt::<Int32Type>())
            .ok_or_else(|| ExportError::BadColumn { column: name.to_owned() })
    };
    let (rows, columns) = (depth("__row_depth")?, depth("__col_depth")?);
    let (r, c) = (output.plan.rows.len() as i32, output.plan.columns.len() as i32);
    Ok(rows.iter().zip(columns.iter()).map(|(rd, cd)| Some(rd == Some(r) && cd == Some(c))).collect())
}
