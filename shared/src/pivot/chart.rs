//! The chart a pivot starts with, from what is on its shelves.

use super::{Agg, PivotSpec, TimeGrain, ViewKind};
use crate::catalog::{ColumnRole, TableInfo};

/// A sensible first chart for the shelves: time on Rows reads as a line (stacked areas when a
/// Columns field splits it); one field on Rows and one on Columns as grouped bars, or a heatmap
/// when both are time or both likely have many values; two values without Columns as a scatter
/// when both are aggregates of measures (one point per row group); bars otherwise.
pub fn default_chart(spec: &PivotSpec, table: &TableInfo) -> ViewKind {
    let is_time = |column: &str| {
        table.column(column).is_some_and(|c| {
            let t = c.data_type.as_str();
            c.role == ColumnRole::Time || t.starts_with("Timestamp") || t.starts_with("Date")
        })
    };
    // Identifiers and hourly or daily buckets tend to have more values than a chart axis holds.
    let likely_large = |field: &super::Field| {
        matches!(field.grain, Some(TimeGrain::Hour | TimeGrain::Day))
            || table.column(&field.column).is_some_and(|c| c.role == ColumnRole::Key)
    };
    if spec.rows.first().is_some_and(|f| is_time(&f.column)) {
        return if spec.columns.is_empty() { ViewKind::Line } else { ViewKind::Area };
    }
    if let ([row], [column]) = (spec.rows.as_slice(), spec.columns.as_slice()) {
        let both_time = is_time(&row.column) && is_time(&column.column);
        return if both_time || (likely_large(row) && likely_large(column)) {
            ViewKind::Heatmap
        } else {
            ViewKind::Bar
        };
    }
    let of_measure = |value: &super::Value| {
        value.agg != Agg::Count
            && value.agg != Agg::CountDistinct
            && value.column.as_deref().and_then(|c| table.column(c)).is_some_and(|c| c.role == ColumnRole::Measure)
    };
    if spec.columns.is_empty()
        && spec.rows.len() == 1
        && spec.values.len() >= 2
        && of_measure(&spec.values[0])
        && of_measure(&spec.values[1])
    {
        return ViewKind::Scatter;
    }
    ViewKind::Bar
}

#[cfg(test)]
mod tests {
    use super::default_chart;
    use crate::catalog::{ColumnRole, TableInfo, test_table};
    use crate::pivot::{PivotSpec, ViewKind};

    fn events() -> TableInfo {
        use ColumnRole::*;
        test_table(
            "events",
            &[
                ("ts", "Timestamp(µs, \"UTC\")", Time),
                ("day", "Date32", Time),
                ("user_id", "Utf8", Key),
                ("session_id", "Utf8", Key),
                ("channel", "Utf8", Dimension),
                ("platform", "Utf8", Dimension),
                ("price", "Float64", Measure),
                ("duration_s", "Int32", Measure),
            ],
        )
    }

    #[track_caller]
    fn check(json: &str, expected: ViewKind) {
        let spec = PivotSpec::from_json(json).unwrap();
        assert_eq!(default_chart(&spec, &events()), expected, "{json}");
    }

    #[test]
    fn the_default_chart_follows_the_shelves() {
        use ViewKind::*;
        check(r#"{"rows":[{"column":"ts","grain":"day"}]}"#, Line);
        check(r#"{"rows":[{"column":"ts","grain":"month"},{"column":"channel"}]}"#, Line);
        check(r#"{"rows":[{"column":"ts","grain":"week"}],"columns":[{"column":"channel"}]}"#, Area);
        check(r#"{"rows":[{"column":"channel"}],"columns":[{"column":"platform"}]}"#, Bar);
        check(r#"{"rows":[{"column":"channel"}],"columns":[{"column":"ts","grain":"month"}]}"#, Bar);
        check(r#"{"rows":[{"column":"day"}],"columns":[{"column":"ts","grain":"hour"}]}"#, Area);
        check(r#"{"rows":[{"column":"user_id"}],"columns":[{"column":"session_id"}]}"#, Heatmap);
        check(r#"{"rows":[{"column":"user_id"}],"columns":[{"column":"ts","grain":"day"}]}"#, Heatmap);
        check(
            r#"{"rows":[{"column":"channel"}],"values":[{"agg":"sum","column":"price"},{"agg":"avg","column":"duration_s"}]}"#,
            Scatter,
        );
        check(r#"{"rows":[{"column":"channel"}],"values":[{"agg":"count"},{"agg":"avg","column":"price"}]}"#, Bar);
        check(
            r#"{"rows":[{"column":"channel"},{"column":"platform"}],"values":[{"agg":"sum","column":"price"},{"agg":"avg","column":"price"}]}"#,
            Bar,
        );
        check(r#"{"rows":[{"column":"channel"}]}"#, Bar);
        check(r#"{}"#, Bar);
    }
}
