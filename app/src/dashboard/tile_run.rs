//! Running one tile: the pivot and analysis pipelines (load what the spec needs, run it in the
//! browser's engine), one tile at a time, so that two tiles never load the same table over each
//! other.

use super::apply;
use crate::error::AppError;
use crate::infra::{browser, clock};
use crate::load::load_table;
use crate::state::{AppState, LoadPhase};
use leptos::prelude::*;
use quiver_pivot::PivotOutput;
use quiver_shared::analysis::{AnalysisResult, AnalysisSpec};
use quiver_shared::catalog::Catalog;
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
        && !loaded_ok(state, request, false).await?
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
    let requests =
        state.loaded.with_untracked(|loaded| crate::analysis::needs::loads_needed(&spec, &catalog.tables, loaded));
    for request in requests {
        loaded_ok(state, request, true).await?;
    }
    crate::analysis::run::ready(&spec).map_err(AppError::Spec)?;
    browser::next_frame().await;
    let result = crate::analysis::run::compute(state, catalog, &spec)?;
    Ok(TileOutcome::Analysis(Arc::new((spec, result))))
}
