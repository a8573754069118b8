//! Running one tile: the pivot and analysis pipelines (load what the spec needs, run it in the
//! browser's engine), one tile at a time, so that two tiles never load the same table over each
//! other.

use super::apply;
use crate::error::AppError;
use crate::infra::{browser, clock};
use crate::load::{LoadRequest, load_table};
use crate::state::{AppState, LoadPhase, LoadedTable};
use leptos::prelude::*;
use quiver_pivot::PivotOutput;
use quiver_shared::analysis::{AnalysisResult, AnalysisSpec};
use quiver_shared::catalog::{Catalog, TableInfo};
use quiver_shared::dashboard::{DashboardFilters, Tile, TileKind};
use quiver_shared::pivot::PivotSpec;
use std::sync::Arc;

/// Where a tile's run stands.
#[derive(Clone, Debug)]
pub(crate) enum TileOutcome {
    /// Waiting for its turn, loading or running.
    Working,
    /// A pivot's result.
    Pivot(Arc<PivotOutput>),
    /// An analysis's result.
    Analysis(Arc<(AnalysisSpec, AnalysisResult)>),
    /// The date range holds no data.
    NoData,
    /// The spec or the run failed.
    Failed(AppError),
}

impl TileOutcome {
    /// The tile's `data-state`.
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            TileOutcome::Working => "running",
            TileOutcome::Pivot(_) | TileOutcome::Analysis(_) => "done",
            TileOutcome::NoData => "empty",
            TileOutcome::Failed(_) => "error",
        }
    }
}

/// Whether a tile is running now: tiles take turns (see the module docs).
#[derive(Clone, Copy)]
pub(crate) struct Turns(StoredValue<bool>);

impl Turns {
    pub(crate) fn new() -> Self {
        Self(StoredValue::new(false))
    }

    async fn take(self, stale: impl Fn() -> bool) -> bool {
        while self.0.get_value() || stale() {
            if stale() {
                return false;
            }
            clock::sleep(50).await;
        }
        self.0.set_value(true);
        true
    }

    fn give_back(self) {
        self.0.set_value(false);
    }
}

/// Runs `tile` under `filters`; `stale` says a newer run of the same tile superseded this one.
pub(crate) async fn run(
    state: AppState,
    catalog: Arc<Catalog>,
    turns: Turns,
    tile: Tile,
    filters: DashboardFilters,
    stale: impl Fn() -> bool + Copy,
) -> Option<TileOutcome> {
    if !turns.take(stale).await {
        return None;
    }
    let outcome = run_in_turn(state, &catalog, &tile, &filters).await;
    turns.give_back();
    (!stale()).then_some(outcome)
}

async fn run_in_turn(state: AppState, catalog: &Catalog, tile: &Tile, filters: &DashboardFilters) -> TileOutcome {
    // Wait for a load already under way (the pivot page's, the Explore panel's).
    while state.load.with_untracked(|l| l.as_ref().is_some_and(|l| l.is_active())) {
        clock::sleep(100).await;
    }
    let outcome = match tile.kind {
        TileKind::Pivot | TileKind::Chart => run_pivot(state, catalog, tile, filters).await,
        TileKind::Analysis => run_analysis(state, catalog, tile, filters).await,
    };
    outcome.unwrap_or_else(TileOutcome::Failed)
}

/// `request` grown to keep what the engine already holds of the table: the columns and days of
/// the last load stay in. A load replaces the table, and the tiles of one dashboard need
/// different columns (and days) of the same table: without this, each tile's load would drop
/// another's columns, whose rerun (after a live update, say) would load again, and so on.
pub(crate) fn widened(request: LoadRequest, table: &TableInfo, loaded: Option<&LoadedTable>) -> LoadRequest {
    let Some(loaded) = loaded else { return request };
    let columns = request.columns.map(|wanted| {
        table
            .columns
            .iter()
            .map(|c| &c.name)
            .filter(|c| wanted.contains(c) || loaded.columns.contains(c))
            .cloned()
            .collect::<Vec<_>>()
    });
    let columns = columns.filter(|c| c.len() < table.columns.len());
    let (held_from, held_to) = loaded.days;
    let from = request.from.zip(held_from).map(|(a, b)| a.min(b));
    let to = request.to.zip(held_to).map(|(a, b)| a.max(b));
    LoadRequest { table: request.table, from, to, columns }
}

async fn loaded_ok(state: AppState, request: crate::load::LoadRequest, empty_is_data: bool) -> Result<bool, AppError> {
    load_table(state, request).await;
    match state.load.with_untracked(|l| l.as_ref().map(|l| l.phase.clone())) {
        Some(LoadPhase::Done { .. }) => Ok(true),
        Some(LoadPhase::Empty) => Ok(empty_is_data),
        _ => Err(AppError::Engine("the table could not be loaded (see the banner)".to_owned())),
    }
}

async fn run_pivot(
    state: AppState,
    catalog: &Catalog,
    tile: &Tile,
    filters: &DashboardFilters,
) -> Result<TileOutcome, AppError> {
    let spec = PivotSpec::from_json(&tile.spec.to_string()).map_err(AppError::Spec)?;
    let table = catalog
        .tables
        .iter()
        .find(|t| t.name == spec.table)
        .ok_or_else(|| AppError::Engine(format!("there is no table named {:?}", spec.table)))?;
    let spec = apply::pivot(spec, table, filters);
    let time_zone = state.time_zone_untracked();
    let today = clock::today(&time_zone);
    let loaded = state.loaded.with_untracked(|l| l.iter().find(|t| t.name == table.name).cloned());
    if let Some(request) = crate::pivot::needs::load_needed(&spec, table, loaded.as_ref(), today)
        && !loaded_ok(state, widened(request, table, loaded.as_ref()), false).await?
    {
        return Ok(TileOutcome::NoData);
    }
    browser::next_frame().await;
    let output = crate::pivot::run::run_plain(state, &spec, table, &time_zone, today)?;
    Ok(TileOutcome::Pivot(Arc::new(output)))
}

async fn run_analysis(
    state: AppState,
    catalog: &Catalog,
    tile: &Tile,
    filters: &DashboardFilters,
) -> Result<TileOutcome, AppError> {
    let spec = AnalysisSpec::from_json(&tile.spec.to_string()).map_err(AppError::Spec)?;
    let spec = apply::analysis(spec, &catalog.tables, filters);
    let requests = state.loaded.with_untracked(|loaded| {
        crate::analysis::needs::loads_needed(&spec, &catalog.tables, loaded)
            .into_iter()
            .map(|request| {
                let held = loaded.iter().find(|t| t.name == request.table);
                match catalog.tables.iter().find(|t| t.name == request.table) {
                    Some(table) => widened(request, table, held),
                    None => request,
                }
            })
            .collect::<Vec<_>>()
    });
    for request in requests {
        loaded_ok(state, request, true).await?;
    }
    crate::analysis::run::ready(&spec).map_err(AppError::Spec)?;
    browser::next_frame().await;
    let result = crate::analysis::run::compute(state, catalog, &spec)?;
    Ok(TileOutcome::Analysis(Arc::new((spec, result))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quiver_engine::Grid;
    use quiver_shared::catalog::{ColumnInfo, ColumnRole};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn events() -> TableInfo {
        let column = |name: &str| ColumnInfo {
            name: name.into(),
            data_type: "Utf8".into(),
            nullable: true,
            role: ColumnRole::Dimension,
        };
        TableInfo {
            name: "events".into(),
            columns: ["ts", "channel", "event_name", "user_id"].into_iter().map(column).collect(),
            partition_keys: vec!["tenant".into(), "date".into()],
            rows: 0,
            bytes: 0,
            date_range: None,
        }
    }

    fn day(d: u32) -> Option<chrono::NaiveDate> {
        chrono::NaiveDate::from_ymd_opt(2026, 11, d)
    }

    fn request(
        columns: Option<&[&str]>,
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
    ) -> LoadRequest {
        LoadRequest {
            table: "events".into(),
            from,
            to,
            columns: columns.map(|c| c.iter().map(|s| (*s).to_owned()).collect()),
        }
    }

    fn held(request: &LoadRequest, columns: &[&str]) -> LoadedTable {
        LoadedTable {
            name: "events".into(),
            rows: 10,
            columns: columns.iter().map(|s| (*s).to_owned()).collect(),
            preview: std::sync::Arc::new(Grid { columns: Vec::new(), rows: Vec::new(), total_rows: 0 }),
            days: (request.from, request.to),
            live_seqs: Default::default(),
            reload: request.clone(),
        }
    }

    #[wasm_bindgen_test]
    fn a_tile_load_keeps_the_columns_and_days_another_tile_loaded() {
        let table = events();
        let first = request(Some(&["ts", "channel"]), day(10), day(20));
        let loaded = held(&first, &["ts", "channel"]);
        assert_eq!(widened(first.clone(), &table, None), first, "nothing held: as asked");
        let second = widened(request(Some(&["ts", "event_name"]), day(5), day(12)), &table, Some(&loaded));
        assert_eq!(second, request(Some(&["ts", "channel", "event_name"]), day(5), day(20)));
        // All columns, or an unbounded side, asked or held, stays so.
        let all = widened(request(Some(&["event_name", "user_id"]), None, day(12)), &table, Some(&loaded));
        assert_eq!(all, request(None, None, day(20)));
        let whole = held(&request(None, None, None), &["ts", "channel", "event_name", "user_id"]);
        assert_eq!(widened(request(Some(&["ts"]), day(1), day(2)), &table, Some(&whole)), request(None, None, None));
    }
}
