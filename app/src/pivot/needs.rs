//! What the engine must hold before a pivot can run: which columns of which days, and whether
//! the table as loaded already covers them.

use crate::load::LoadRequest;
use crate::state::LoadedTable;
use chrono::{Days, NaiveDate};
use quiver_shared::catalog::TableInfo;
use quiver_shared::pivot::PivotSpec;

/// The table's columns the spec uses (shelves, filters, date range), in the table's order.
/// Names the table does not have are left out: planning reports them with the field named.
pub(crate) fn spec_columns(spec: &PivotSpec, table: &TableInfo) -> Vec<String> {
    let used = spec
        .rows
        .iter()
        .chain(&spec.columns)
        .map(|f| f.column.as_str())
        .chain(spec.values.iter().filter_map(|v| v.column.as_deref()))
        .chain(spec.filters.iter().map(|f| f.column.as_str()))
        .chain(spec.date_range.iter().map(|d| d.column.as_str()))
        .collect::<Vec<_>>();
    table.columns.iter().filter(|c| used.contains(&c.name.as_str())).map(|c| c.name.clone()).collect()
}

/// The days to load for the spec: its date range widened by a day on each side, because
/// partitions are UTC days and the range is in the tenant's calendar (up to 14 hours off either
/// way). No date range, or a table not split by day, means everything.
pub(crate) fn spec_days(
    spec: &PivotSpec,
    table: &TableInfo,
    today: NaiveDate,
) -> (Option<NaiveDate>, Option<NaiveDate>) {
    match (&spec.date_range, table.is_dated()) {
        (Some(range), true) => {
            let (from, to) = range.span.resolve(today);
            (from.checked_sub_days(Days::new(1)), to.checked_add_days(Days::new(1)))
        }
        _ => (None, None),
    }
}

/// The load the spec needs, or `None` when `loaded` (the table as it is in the engine, if it
/// is) already has every column the spec uses for every day it covers.
///
/// A new load replaces the old one, so it asks for the spec's columns only (the whole table when
/// that is all of them): fewer bytes than keeping what an earlier view needed.
pub(crate) fn load_needed(
    spec: &PivotSpec,
    table: &TableInfo,
    loaded: Option<&LoadedTable>,
    today: NaiveDate,
) -> Option<LoadRequest> {
    let mut columns = spec_columns(spec, table);
    let (from, to) = spec_days(spec, table, today);
    if let Some(loaded) = loaded {
        let has_columns = columns.iter().all(|c| loaded.columns.contains(c));
        let (loaded_from, loaded_to) = loaded.days;
        // An unbounded side of the load covers anything; a bounded one only a bounded need inside it.
        let covers_from = loaded_from.is_none_or(|lf| from.is_some_and(|f| lf <= f));
        let covers_to = loaded_to.is_none_or(|lt| to.is_some_and(|t| t <= lt));
        if has_columns && covers_from && covers_to {
            return None;
        }
    }
    if columns.is_empty() {
        // Counting rows needs some column; the first is as good as any.
        columns.extend(table.columns.first().map(|c| c.name.clone()));
    }
    let everything = columns.len() == table.columns.len();
    Some(LoadRequest { table: table.name.clone(), from, to, columns: (!everything).then_some(columns) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quiver_engine::Grid;
    use quiver_shared::catalog::{ColumnInfo, ColumnRole};
    use quiver_shared::pivot::{Agg, DateRange, DateSpan, Field, Filter, FilterOp, TimeGrain, Value};
    use std::sync::Arc;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn events(dated: bool) -> TableInfo {
        let column =
            |name: &str, role| ColumnInfo { name: name.to_owned(), data_type: "Utf8".to_owned(), nullable: true, role };
        TableInfo {
            name: "events".to_owned(),
            columns: vec![
                column("ts", ColumnRole::Time),
                column("user_id", ColumnRole::Key),
                column("channel", ColumnRole::Dimension),
                column("event_name", ColumnRole::Dimension),
                column("price", ColumnRole::Measure),
            ],
            partition_keys: if dated { vec!["tenant".into(), "date".into()] } else { vec!["tenant".into()] },
            rows: 0,
            bytes: 0,
            date_range: dated.then(|| (day("2026-08-01"), day("2026-11-21"))),
        }
    }

    fn loaded(columns: &[&str], days: (Option<&str>, Option<&str>)) -> LoadedTable {
        LoadedTable {
            name: "events".to_owned(),
            rows: 10,
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            preview: Arc::new(Grid { columns: Vec::new(), rows: Vec::new(), total_rows: 0 }),
            days: (days.0.map(day), days.1.map(day)),
            live_seqs: Default::default(),
            reload: crate::load::LoadRequest { table: "events".to_owned(), from: None, to: None, columns: None },
        }
    }

    /// The spec: channel on Rows, ts by day on Columns, count distinct user_id, a filter on
    /// event_name, and the last 7 days of ts.
    fn spec() -> PivotSpec {
        PivotSpec {
            table: "events".to_owned(),
            rows: vec![Field::plain("channel")],
            columns: vec![Field::time("ts", TimeGrain::Day)],
            values: vec![Value::of(Agg::CountDistinct, "user_id"), Value::count_rows()],
            filters: vec![Filter { column: "event_name".to_owned(), op: FilterOp::IsNotNull }],
            date_range: Some(DateRange { column: "ts".to_owned(), span: DateSpan::Last { days: 7 } }),
            ..PivotSpec::default()
        }
    }

    /// The load needed (as `from..to columns`, or `none`) on 2026-11-21.
    #[track_caller]
    fn check(spec: &PivotSpec, dated: bool, already: Option<LoadedTable>, expected: &str) {
        let request = load_needed(spec, &events(dated), already.as_ref(), day("2026-11-21"));
        let shown = request.map_or_else(
            || "none".to_owned(),
            |r| {
                let day = |d: Option<NaiveDate>| d.map_or_else(|| "*".to_owned(), |d| d.to_string());
                let columns = r.columns.map_or_else(|| "all".to_owned(), |c| c.join(","));
                format!("{}..{} {columns}", day(r.from), day(r.to))
            },
        );
        assert_eq!(shown, expected);
    }

    #[wasm_bindgen_test]
    fn loads_only_the_columns_and_days_the_spec_uses() {
        let s = spec();
        // Seven days up to today, widened by one UTC day each side.
        check(&s, true, None, "2026-11-14..2026-11-22 ts,user_id,channel,event_name");
        check(&s, false, None, "*..* ts,user_id,channel,event_name");
        let mut all = s.clone();
        all.values.push(Value::of(Agg::Sum, "price"));
        check(&all, true, None, "2026-11-14..2026-11-22 all");
        // An empty pivot counts rows and needs some column.
        check(&PivotSpec { table: "events".into(), ..PivotSpec::default() }, true, None, "*..* ts");
        // Names the table does not have are not requested.
        let mut unknown = PivotSpec { table: "events".into(), ..PivotSpec::default() };
        unknown.rows.push(Field::plain("nope"));
        unknown.rows.push(Field::plain("channel"));
        check(&unknown, false, None, "*..* channel");
    }

    #[wasm_bindgen_test]
    fn a_load_that_covers_the_spec_is_reused() {
        let s = spec();
        let cols = ["ts", "user_id", "channel", "event_name"];
        check(&s, true, Some(loaded(&cols, (Some("2026-11-14"), Some("2026-11-22")))), "none");
        check(&s, true, Some(loaded(&cols, (None, None))), "none");
        check(
            &s,
            true,
            Some(loaded(&["ts", "user_id", "channel", "event_name", "price"], (Some("2026-11-01"), None))),
            "none",
        );
        // A missing column, or a day short on either side, means loading again.
        check(
            &s,
            true,
            Some(loaded(&["ts", "user_id", "channel"], (None, None))),
            "2026-11-14..2026-11-22 ts,user_id,channel,event_name",
        );
        check(
            &s,
            true,
            Some(loaded(&cols, (Some("2026-11-15"), Some("2026-11-22")))),
            "2026-11-14..2026-11-22 ts,user_id,channel,event_name",
        );
        check(
            &s,
            true,
            Some(loaded(&cols, (Some("2026-11-14"), Some("2026-11-21")))),
            "2026-11-14..2026-11-22 ts,user_id,channel,event_name",
        );
        // Without a date range the whole table is needed: a bounded load does not cover it.
        let mut no_range = s.clone();
        no_range.date_range = None;
        check(
            &no_range,
            true,
            Some(loaded(&cols, (Some("2026-11-14"), Some("2026-11-22")))),
            "*..* ts,user_id,channel,event_name",
        );
        check(&no_range, true, Some(loaded(&cols, (None, None))), "none");
        // A fixed range.
        let mut between = s;
        between.date_range = Some(DateRange {
            column: "ts".into(),
            span: DateSpan::Between { from: day("2026-09-01"), to: day("2026-09-30") },
        });
        check(&between, true, None, "2026-08-31..2026-10-01 ts,user_id,channel,event_name");
    }
}
