//! What the engine must hold before an analysis can run: for each table the spec reads, the
//! columns it names. Analyses look back and forward in time (a funnel's window, retention's
//! later periods, last year's comparison), so every day of the table is loaded.

use crate::load::LoadRequest;
use crate::state::LoadedTable;
use quiver_shared::analysis::AnalysisSpec;
use quiver_shared::catalog::TableInfo;

/// The loads `spec` needs: one per table it reads that the engine does not hold with every
/// column it reads ([`AnalysisSpec::columns_of`]) on every day.
pub(crate) fn loads_needed(spec: &AnalysisSpec, tables: &[TableInfo], loaded: &[LoadedTable]) -> Vec<LoadRequest> {
    let mut requests = Vec::new();
    for (_, name) in spec.tables() {
        let Some(table) = tables.iter().find(|t| t.name == name) else { continue };
        if requests.iter().any(|r: &LoadRequest| r.table == name) {
            continue;
        }
        let columns = spec.columns_of(table);
        let held = loaded
            .iter()
            .find(|t| t.name == name)
            .is_some_and(|t| t.days == (None, None) && columns.iter().all(|c| t.columns.contains(c)));
        if held {
            continue;
        }
        let everything = columns.len() == table.columns.len();
        requests.push(LoadRequest {
            table: name.to_owned(),
            from: None,
            to: None,
            columns: (!everything).then_some(columns),
        });
    }
    requests
}

#[cfg(test)]
mod tests {
    use super::*;
    use quiver_engine::Grid;
    use quiver_shared::analysis::funnel::{FunnelBreakdown, FunnelSpec, FunnelStep};
    use quiver_shared::analysis::leads::LeadFollowUpSpec;
    use quiver_shared::catalog::{ColumnInfo, ColumnRole};
    use quiver_shared::pivot::{Filter, FilterOp};
    use std::sync::Arc;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn table(name: &str, columns: &[&str]) -> TableInfo {
        TableInfo {
            name: name.to_owned(),
            columns: columns
                .iter()
                .map(|c| ColumnInfo {
                    name: (*c).to_owned(),
                    data_type: "Utf8".to_owned(),
                    nullable: true,
                    role: ColumnRole::Dimension,
                })
                .collect(),
            partition_keys: vec!["tenant".to_owned(), "date".to_owned()],
            rows: 0,
            bytes: 0,
            date_range: None,
        }
    }

    fn loaded(
        name: &str,
        columns: &[&str],
        days: (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>),
    ) -> LoadedTable {
        LoadedTable {
            name: name.to_owned(),
            rows: 1,
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            preview: Arc::new(Grid { columns: Vec::new(), rows: Vec::new(), total_rows: 0 }),
            days,
            live_seqs: Default::default(),
            reload: crate::load::LoadRequest { table: name.to_owned(), from: None, to: None, columns: None },
        }
    }

    fn funnel() -> AnalysisSpec {
        let step = |e: &str| FunnelStep { event: Some(e.to_owned()), ..FunnelStep::default() };
        AnalysisSpec::Funnel(FunnelSpec {
            steps: vec![step("view"), step("buy")],
            breakdown: Some(FunnelBreakdown::by("channel")),
            filters: vec![Filter { column: "platform".to_owned(), op: FilterOp::IsNull }],
            ..FunnelSpec::default()
        })
    }

    #[wasm_bindgen_test]
    fn a_funnel_loads_the_columns_it_names_on_every_day() {
        let events = table("events", &["tenant_id", "ts", "user_id", "event_name", "channel", "platform", "price"]);
        let events = [events];
        let requests = loads_needed(&funnel(), &events, &[]);
        assert_eq!(requests.len(), 1);
        assert_eq!((requests[0].from, requests[0].to), (None, None));
        assert_eq!(
            requests[0].columns.as_deref(),
            Some(&["ts", "user_id", "event_name", "channel", "platform"].map(str::to_owned)[..])
        );
        // Held with those columns on every day: nothing to load. Fewer days or columns: a load.
        let all = ["ts", "user_id", "event_name", "channel", "platform", "price"];
        assert!(loads_needed(&funnel(), &events, &[loaded("events", &all, (None, None))]).is_empty());
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 21);
        assert_eq!(loads_needed(&funnel(), &events, &[loaded("events", &all, (today, None))]).len(), 1);
        assert_eq!(loads_needed(&funnel(), &events, &[loaded("events", &all[..3], (None, None))]).len(), 1);
    }

    #[wasm_bindgen_test]
    fn the_lead_follow_up_loads_its_three_tables_whole() {
        let tables = [
            table("leads", &["lead_id", "owner_rep_id"]),
            table("lead_events", &["lead_id"]),
            table("reps", &["rep_id"]),
        ];
        let spec = AnalysisSpec::LeadFollowUp(LeadFollowUpSpec::default());
        let requests = loads_needed(&spec, &tables, &[]);
        let names: Vec<_> = requests.iter().map(|r| (r.table.as_str(), r.columns.is_none())).collect();
        assert_eq!(names, [("leads", true), ("lead_events", true), ("reps", true)]);
    }
}
