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
    let profile = move |query: &str| {
        let engine = state.engine().map_err(|e| format!("{e:?}"))?;
        let grid = engine.sql(&format!("EXPLAIN ANALYZE {query}")).map_err(|e| e.to_string())?.to_grid(usize::MAX);
        // One row: ("Plan with Metrics", the plan's text).
        grid.rows
            .iter()
            .find_map(|row| match row.as_slice() {
                [GridCell::Text(kind), GridCell::Text(plan)] if kind.contains("Metrics") => Some(plan.clone()),
                _ => None,
            })
            .ok_or_else(|| "EXPLAIN ANALYZE gave no plan with metrics".to_owned())
    };
    bench_hook::install(load, sql, scalar, live_pivot, profile);
}

/// The table the live pivot benchmark folds rows into (in an engine of its own).
const LIVE_TABLE: &str = "live_bench";

/// The live pivot benchmark, as the pivot page's incremental refresh does it: `base` (an Arrow
/// IPC stream with columns `id`, `g`, `user_id`, `price`) is loaded and pivoted by `g` with a
/// count, the sum of `price` and the distinct count of `user_id`; then each of `deltas` (IPC
/// streams of new rows) is decoded, appended, folded into the kept partials and the pivot
/// shaped for display. Returns the milliseconds of the first full run and of each refresh.
fn live_pivot(base: Vec<u8>, deltas: Vec<Vec<u8>>) -> Result<Vec<f64>, String> {
    use quiver_shared::catalog::{ColumnInfo, ColumnRole, TableInfo};
    use quiver_shared::pivot::{Agg, Field, PivotSpec, PlanContext, Value};
    let err = |e: quiver_engine::EngineError| e.to_string();
    let column = |name: &str, data_type: &str, role| ColumnInfo {
        name: name.to_owned(),
        data_type: data_type.to_owned(),
        nullable: true,
        role,
    };
    let table = TableInfo {
        name: LIVE_TABLE.to_owned(),
        columns: vec![
            column("id", "Int64", ColumnRole::Key),
            column("g", "Utf8", ColumnRole::Dimension),
            column("user_id", "Utf8", ColumnRole::Key),
            column("price", "Float64", ColumnRole::Measure),
        ],
        partition_keys: Vec::new(),
        rows: 0,
        bytes: 0,
        date_range: None,
    };
    let spec = PivotSpec {
        table: LIVE_TABLE.to_owned(),
        rows: vec![Field::plain("g")],
        values: vec![Value::count_rows(), Value::of(Agg::Sum, "price"), Value::of(Agg::CountDistinct, "user_id")],
        ..PivotSpec::default()
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("no date")?;
    let (planned, incremental) =
        quiver_shared::pivot::plan_incremental(&spec, PlanContext { table: &table, time_zone: "UTC", today })
            .map_err(|e| e.to_string())?;
    let incremental = incremental.ok_or("the benchmark's pivot is not incremental")?;
    let engine = quiver_engine::Engine::new().map_err(err)?;
    let shape = |output: quiver_engine::QueryOutput, shown: Option<&quiver_pivot::PivotOutput>| {
        match shown {
            // As the pivot page does on a live refresh of the same spec.
            Some(shown) => shown.refreshed(output.schema, output.batches),
            None => quiver_pivot::PivotOutput::new(spec.clone(), planned.clone(), output.schema, output.batches),
        }
        .map_err(|e| e.to_string())
    };
    let mut times = Vec::with_capacity(deltas.len() + 1);
    let started = crate::infra::browser::now_ms();
    let decoded = quiver_engine::decode_ipc_stream(&base).map_err(err)?;
    engine.register(LIVE_TABLE, decoded.schema, decoded.batches).map_err(err)?;
    let (output, mut groups) = quiver_engine::refresh_pivot(&engine, &incremental, None).map_err(err)?;
    let mut shown = shape(output, None)?;
    times.push(crate::infra::browser::now_ms() - started);
    for delta in deltas {
        let started = crate::infra::browser::now_ms();
        let decoded = quiver_engine::decode_ipc_stream(&delta).map_err(err)?;
        let appended = engine.append(LIVE_TABLE, &decoded.batches).map_err(err)?;
        let (output, kept) =
            quiver_engine::refresh_pivot(&engine, &incremental, Some((groups, appended))).map_err(err)?;
        groups = kept;
        shown = shape(output, Some(&shown))?;
        times.push(crate::infra::browser::now_ms() - started);
    }
    Ok(times)
}
