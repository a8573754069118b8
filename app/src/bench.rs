//! Wires the benchmark hook (`infra::bench_hook`) to the app's own load path and engine.

use crate::infra::bench_hook;
use crate::load::{LoadRequest, load_table};
use crate::state::{AppState, LoadPhase};
use futures::FutureExt;
use leptos::prelude::*;
use quiver_engine::GridCell;

/// Installs `window.__quiver_bench` for this page's state.
pub(crate) fn install(state: AppState) {
    let load = move |table: String| {
        async move {
            let request = LoadRequest { table: table.clone(), from: None, to: None, columns: None };
            load_table(state, request).await;
            match state.load.get_untracked().map(|p| p.phase) {
                Some(LoadPhase::Done { rows, .. }) => Ok(rows),
                Some(LoadPhase::Empty) => Ok(0),
                _ => Err(state
                    .error
                    .get_untracked()
                    .map_or_else(|| format!("loading {table} failed"), |e| format!("{e:?}"))),
            }
        }
        .boxed_local()
    };
    let sql = move |query: &str| {
        let engine = state.engine().map_err(|e| format!("{e:?}"))?;
        engine.sql(query).map(|out| out.rows()).map_err(|e| e.to_string())
    };
    let scalar = move |query: &str| {
        let engine = state.engine().map_err(|e| format!("{e:?}"))?;
        let grid = engine.sql(query).map_err(|e| e.to_string())?.to_grid(1);
        Ok(match grid.rows.first().and_then(|row| row.first()) {
            Some(GridCell::Int(i)) => Some(*i as f64),
            Some(GridCell::Float(f)) => Some(*f),
            _ => None,
        })
    };
    bench_hook::install(load, sql, scalar);
}
