//! Global filters onto a tile's spec: the dashboard's date range replaces the spec's, and each
//! dimension filter is added (AND) to every tile whose table has the column.

use quiver_shared::analysis::AnalysisSpec;
use quiver_shared::catalog::{ColumnRole, TableInfo};
use quiver_shared::dashboard::DashboardFilters;
use quiver_shared::pivot::{DateRange, DateSpan, Filter, FilterOp, PivotSpec};

/// The span the filters' date range stands for, when they set both ends.
fn span(filters: &DashboardFilters) -> Option<DateSpan> {
    Some(DateSpan::Between { from: filters.from?, to: filters.to? })
}

/// The pivot tile's spec under the dashboard's filters.
pub(crate) fn pivot(mut spec: PivotSpec, table: &TableInfo, filters: &DashboardFilters) -> PivotSpec {
    if let Some(span) = span(filters) {
        let column = spec
            .date_range
            .as_ref()
            .map(|d| d.column.clone())
            .or_else(|| table.columns.iter().find(|c| c.role == ColumnRole::Time).map(|c| c.name.clone()));
        if let Some(column) = column {
            spec.date_range = Some(DateRange { column, span });
        }
    }
    for dimension in &filters.dimensions {
        if table.column(&dimension.column).is_some() && !dimension.values.is_empty() {
            let values = dimension.values.iter().cloned().map(Some).collect();
            spec.filters.push(Filter { column: dimension.column.clone(), op: FilterOp::In { values } });
        }
    }
    spec
}

/// The analysis tile's spec under the dashboard's date range. Dimension filters are not
/// applied to analyses (their step filters have another shape); the tile says so.
pub(crate) fn analysis(mut spec: AnalysisSpec, filters: &DashboardFilters) -> AnalysisSpec {
    let Some(span) = span(filters) else { return spec };
    match &mut spec {
        AnalysisSpec::Funnel(f) => {
            let column = f.date_range.as_ref().map_or_else(|| f.source.time.clone(), |d| d.column.clone());
            f.date_range = Some(DateRange { column, span });
        }
        AnalysisSpec::Retention(r) => r.date_range = span,
        AnalysisSpec::Trend(t) => t.date_range = span,
        AnalysisSpec::Distribution(d) => d.date_range = span,
        AnalysisSpec::Stickiness(s) => s.date_range = span,
        AnalysisSpec::Ab(ab) => ab.date_range = Some(span),
        AnalysisSpec::LeadFollowUp(l) => l.date_range = Some(span),
    }
    spec
}

#[cfg(test)]
mod tests {
    use super::*;
    use quiver_shared::catalog::ColumnInfo;
    use quiver_shared::dashboard::DimensionFilter;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn events() -> TableInfo {
        let column =
            |name: &str, role| ColumnInfo { name: name.into(), data_type: "Utf8".into(), nullable: true, role };
        TableInfo {
            name: "events".into(),
            columns: vec![column("ts", ColumnRole::Time), column("channel", ColumnRole::Dimension)],
            partition_keys: vec!["tenant".into(), "date".into()],
            rows: 0,
            bytes: 0,
            date_range: None,
        }
    }

    fn filters(dims: &[(&str, &[&str])]) -> DashboardFilters {
        DashboardFilters {
            from: Some("2026-08-01".parse().unwrap()),
            to: Some("2026-08-07".parse().unwrap()),
            dimensions: dims
                .iter()
                .map(|(c, v)| DimensionFilter { column: (*c).into(), values: v.iter().map(|s| (*s).into()).collect() })
                .collect(),
        }
    }

    #[wasm_bindgen_test]
    fn a_pivot_gets_the_range_on_its_time_column_and_the_dimensions_its_table_has() {
        let spec = PivotSpec { table: "events".into(), ..PivotSpec::default() };
        let out = pivot(spec, &events(), &filters(&[("channel", &["ads"]), ("region", &["eu"])]));
        let range = out.date_range.expect("a date range");
        assert_eq!(range.column, "ts");
        assert_eq!(range.span.resolve("2030-01-01".parse().unwrap()).0.to_string(), "2026-08-01");
        assert_eq!(out.filters.len(), 1, "region is not a column of events: {:?}", out.filters);
        assert_eq!(out.filters[0].column, "channel");
    }

    #[wasm_bindgen_test]
    fn no_filters_leave_the_spec_alone() {
        let spec = PivotSpec { table: "events".into(), ..PivotSpec::default() };
        assert_eq!(pivot(spec.clone(), &events(), &DashboardFilters::default()), spec);
        let analysis_spec = AnalysisSpec::default_of("retention").unwrap();
        assert_eq!(analysis(analysis_spec.clone(), &DashboardFilters::default()), analysis_spec);
    }

    #[wasm_bindgen_test]
    fn an_analysis_gets_the_range() {
        let out = analysis(AnalysisSpec::default_of("trend").unwrap(), &filters(&[]));
        let AnalysisSpec::Trend(t) = out else { panic!("kind kept") };
        assert!(matches!(t.date_range, DateSpan::Between { .. }));
    }
}
