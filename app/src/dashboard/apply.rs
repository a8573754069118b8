//! Global filters onto a tile's spec: the dashboard's date range replaces the spec's, and each
//! dimension filter is added (AND) to every tile whose table has the column.

use quiver_shared::analysis::AnalysisSpec;
use quiver_shared::catalog::{ColumnRole, TableInfo};
use quiver_shared::dashboard::{DashboardFilters, DimensionFilter};
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

/// The analysis tile's spec under the dashboard's filters: the date range replaces the spec's,
/// and each dimension filter joins the spec's own filters (which every event, or every lead of a
/// lead follow-up, must pass) when the table they apply to has the column.
pub(crate) fn analysis(mut spec: AnalysisSpec, tables: &[TableInfo], filters: &DashboardFilters) -> AnalysisSpec {
    if let Some(span) = span(filters) {
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
    }
    let (table, spec_filters) = match &mut spec {
        AnalysisSpec::Funnel(f) => (f.source.table.clone(), &mut f.filters),
        AnalysisSpec::Retention(r) => (r.source.table.clone(), &mut r.filters),
        AnalysisSpec::Trend(t) => (t.source.table.clone(), &mut t.filters),
        AnalysisSpec::Distribution(d) => (d.source.table.clone(), &mut d.filters),
        AnalysisSpec::Stickiness(s) => (s.source.table.clone(), &mut s.filters),
        AnalysisSpec::Ab(ab) => (ab.source.table.clone(), &mut ab.filters),
        AnalysisSpec::LeadFollowUp(l) => (l.tables.leads.clone(), &mut l.filters),
    };
    let Some(table) = tables.iter().find(|t| t.name == table) else { return spec };
    for dimension in &filters.dimensions {
        if table.column(&dimension.column).is_some() && !dimension.values.is_empty() {
            let values = dimension.values.iter().cloned().map(Some).collect();
            spec_filters.push(Filter { column: dimension.column.clone(), op: FilterOp::In { values } });
        }
    }
    spec
}

/// A click on a group of one tile: the other tiles keep only that group's rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CrossFilter {
    /// The tile clicked (it is not filtered itself).
    pub(crate) source: String,
    /// The column of the group.
    pub(crate) column: String,
    /// The group's value.
    pub(crate) value: String,
}

/// The cross filter a click on a pivot cell makes: the cell's row key (raw labels joined by
/// U+001F) names the outermost row group. Time buckets, nulls, "Other" and totals make none
/// (they are not values a dimension filter can keep).
pub(crate) fn cross_from_row(tile_id: &str, spec: &PivotSpec, row_key: &str) -> Option<CrossFilter> {
    let field = spec.rows.first()?;
    if field.grain.is_some() {
        return None;
    }
    let value = row_key.split('\u{1f}').next()?;
    if value.is_empty() || value.starts_with("__") {
        return None;
    }
    Some(CrossFilter { source: tile_id.to_owned(), column: field.column.clone(), value: value.to_owned() })
}

/// The filters tile `tile_id` runs with: the dashboard's, and a cross filter from another tile
/// (replacing a dashboard filter on the same column).
pub(crate) fn for_tile(filters: &DashboardFilters, cross: Option<&CrossFilter>, tile_id: &str) -> DashboardFilters {
    let mut out = filters.clone();
    if let Some(cross) = cross.filter(|c| c.source != tile_id) {
        out.dimensions.retain(|d| d.column != cross.column);
        out.dimensions.push(DimensionFilter { column: cross.column.clone(), values: vec![cross.value.clone()] });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use quiver_shared::catalog::ColumnInfo;
    use quiver_shared::pivot::{Field, TimeGrain};
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
        assert_eq!(analysis(analysis_spec.clone(), &[events()], &DashboardFilters::default()), analysis_spec);
    }

    #[wasm_bindgen_test]
    fn an_analysis_gets_the_range_and_the_dimensions_its_events_have() {
        let out = analysis(
            AnalysisSpec::default_of("trend").unwrap(),
            &[events()],
            &filters(&[("channel", &["ads"]), ("region", &["eu"])]),
        );
        let AnalysisSpec::Trend(t) = out else { panic!("kind kept") };
        assert!(matches!(t.date_range, DateSpan::Between { .. }));
        assert_eq!(t.filters.len(), 1, "region is not a column of events: {:?}", t.filters);
        assert_eq!(t.filters[0].column, "channel");
        assert!(matches!(&t.filters[0].op, FilterOp::In { values } if values == &[Some("ads".to_owned())]));
    }

    #[wasm_bindgen_test]
    fn a_lead_follow_up_is_filtered_on_its_leads_table() {
        let mut leads = events();
        leads.name = "leads".into();
        leads.columns[1].name = "region".into();
        let out = analysis(
            AnalysisSpec::default_of("lead_follow_up").unwrap(),
            &[events(), leads],
            &filters(&[("channel", &["ads"]), ("region", &["eu"])]),
        );
        let AnalysisSpec::LeadFollowUp(l) = out else { panic!("kind kept") };
        assert_eq!(l.filters.iter().map(|f| f.column.as_str()).collect::<Vec<_>>(), ["region"]);
    }

    #[wasm_bindgen_test]
    fn a_click_on_a_group_filters_the_other_tiles() {
        let spec = PivotSpec {
            table: "events".into(),
            rows: vec![Field { column: "channel".into(), grain: None }],
            ..PivotSpec::default()
        };
        let cross = cross_from_row("t1", &spec, "ads\u{1f}de").expect("a cross filter");
        assert_eq!((cross.column.as_str(), cross.value.as_str()), ("channel", "ads"));
        for key in ["__total__", "__null__", "__other__", ""] {
            assert_eq!(cross_from_row("t1", &spec, key), None, "{key}");
        }
        let by_day = PivotSpec { rows: vec![Field::time("ts", TimeGrain::Day)], ..spec.clone() };
        assert_eq!(cross_from_row("t1", &by_day, "2026-08-01T00:00:00"), None, "time buckets make none");

        let base = filters(&[("channel", &["seo", "ads"])]);
        assert_eq!(for_tile(&base, Some(&cross), "t1"), base, "the clicked tile is not filtered");
        let other = for_tile(&base, Some(&cross), "t2");
        assert_eq!(other.dimensions, vec![DimensionFilter { column: "channel".into(), values: vec!["ads".into()] }]);
        assert_eq!(for_tile(&base, None, "t2"), base);
    }
}
