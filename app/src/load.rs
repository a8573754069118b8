//! Loading a table into the in-browser engine: the manifest, then the partitions four at a time,
//! each decoded as it arrives, then one registration of all their batches.

use crate::error::AppError;
use crate::infra::api::{self, ApiError, AuthFailure};
use crate::infra::browser;
use crate::query::quote_ident;
use crate::state::{AppState, LoadPhase, LoadProgress, LoadedTable};
use chrono::{Days, NaiveDate};
use futures::StreamExt;
use leptos::prelude::*;
use leptos::task::spawn_local;
use quiver_engine::{Decoded, Engine, decode_ipc_stream};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Downloads in flight at once: enough to hide each request's round trip and the server's
/// Parquet read behind the others (a table of 120 daily partitions is 120 requests), few enough
/// to bound memory and to leave the browser's six connections per host room for the API and
/// the live socket. Batches keep the partitions' order whatever order they arrive in.
const PARALLEL_DOWNLOADS: usize = 4;

/// The longest the load keeps the thread between two painted frames, in milliseconds: often
/// enough for a smooth progress bar, while a frame after every partition would cost a frame
/// (~17 ms) per partition (2 s of 120 days).
const FRAME_BUDGET_MS: f64 = 50.0;

/// Rows of the preview the table browser shows.
const PREVIEW_ROWS: usize = 20;

/// What to load.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LoadRequest {
    /// The table's name.
    pub(crate) table: String,
    /// First day to load (inclusive); `None` for no lower bound.
    pub(crate) from: Option<NaiveDate>,
    /// Last day to load (inclusive); `None` for no upper bound.
    pub(crate) to: Option<NaiveDate>,
    /// Columns to load, or `None` for all of them.
    pub(crate) columns: Option<Vec<String>>,
}

/// Loads a table, reporting progress in `state.load` and failures in the error banner. On
/// success the table is queryable under its own name and listed in `state.loaded`.
pub(crate) async fn load_table(state: AppState, request: LoadRequest) {
    state.error.set(None);
    state.load.set(Some(LoadProgress::start(&request.table)));
    // Rows pushed while the load runs wait for it: the load decides which it already holds.
    state.live.load_started(&request.table);
    match load(state, &request).await {
        Ok(Some(loaded)) => {
            let live_seqs = loaded.live_seqs.clone();
            state.record_loaded(loaded);
            state.live.load_ended(state, &request.table, Some(live_seqs));
        }
        Ok(None) => {
            progress(state, |p| p.phase = LoadPhase::Empty);
            state.live.load_ended(state, &request.table, None);
        }
        Err(error) => {
            progress(state, |p| p.phase = LoadPhase::Failed);
            state.live.load_ended(state, &request.table, None);
            state.fail(error);
        }
    }
}

async fn load(state: AppState, request: &LoadRequest) -> Result<Option<LoadedTable>, AppError> {
    let token = state.token().ok_or(ApiError::Unauthorized(AuthFailure::Missing))?;
    let started = browser::now_ms();
    let engine = state.engine()?;
    let name = request.table.as_str();

    let manifest = api::manifest(&token, name, request.from, request.to).await?;
    progress(state, |p| {
        p.phase = LoadPhase::Downloading;
        p.partitions_total = manifest.partitions.len();
    });
    if manifest.partitions.is_empty() {
        return Ok(None);
    }
    warm_up(state, engine.clone());

    let columns = request.columns.as_deref();
    let downloads =
        futures::stream::iter(&manifest.partitions)
            .map(|partition| {
                let size_hint = usize::try_from(partition.bytes).unwrap_or(0);
                let on_bytes = move |n: usize| progress(state, |p| p.bytes_received += n as u64);
                let id = partition.id.to_string();
                let token = &token;
                async move {
                    api::partition(token, name, &partition.id, columns, size_hint, on_bytes).await.map(|b| (id, b))
                }
            })
            .buffered(PARALLEL_DOWNLOADS);
    let mut downloads = std::pin::pin!(downloads);

    let mut schema = None;
    let mut batches = Vec::new();
    let mut rows = 0u64;
    let mut live_seqs = BTreeMap::new();
    let mut painted = browser::now_ms();
    while let Some(download) = downloads.next().await {
        let (id, (body, live_seq)) = download?;
        live_seqs.extend(live_seq.map(|seq| (id, seq)));
        let Decoded { schema: part_schema, batches: part_batches } =
            decode_ipc_stream(&body).map_err(|e| AppError::Decode { table: name.to_owned(), detail: e.to_string() })?;
        rows += part_batches.iter().map(|b| b.num_rows() as u64).sum::<u64>();
        schema.get_or_insert(part_schema);
        batches.extend(part_batches);
        progress(state, |p| {
            p.partitions_done += 1;
            p.rows_decoded = rows;
        });
        // Let the progress bar paint (and input through) when the thread has been busy for a
        // while; waiting on the network also lets the page paint.
        if browser::now_ms() - painted >= FRAME_BUDGET_MS {
            browser::next_frame().await;
            painted = browser::now_ms();
        }
    }
    let Some(schema) = schema else {
        return Ok(None);
    };

    progress(state, |p| p.phase = LoadPhase::Registering);
    browser::next_frame().await;
    engine.register(name, schema, batches).map_err(|e| AppError::Engine(e.to_string()))?;
    let preview = engine
        .sql(&format!("SELECT * FROM {} LIMIT {PREVIEW_ROWS}", quote_ident(name)))
        .map_err(|e| AppError::Engine(e.to_string()))?
        .to_grid(PREVIEW_ROWS);
    let seconds = (browser::now_ms() - started) / 1000.0;
    progress(state, |p| p.phase = LoadPhase::Done { rows, seconds });
    Ok(Some(LoadedTable {
        name: name.to_owned(),
        rows,
        columns: preview.columns.iter().map(|c| c.name.clone()).collect(),
        preview: Arc::new(preview),
        days: (request.from, request.to),
        live_seqs,
        reload: request.clone(),
    }))
}

/// Runs a trivial query once per page view while partitions download: V8 compiles the engine's
/// wasm lazily, and the first query pays for it (2–3× slower than later ones).
fn warm_up(state: AppState, engine: Arc<Engine>) {
    if !state.take_warm_up() {
        return;
    }
    spawn_local(async move {
        // After the first downloads are under way, not before.
        browser::next_frame().await;
        // The result does not matter; a real failure will show on the real query.
        let _ = engine.sql("SELECT 1");
    });
}

fn progress(state: AppState, f: impl FnOnce(&mut LoadProgress)) {
    state.load.update(|load| {
        if let Some(load) = load {
            f(load);
        }
    });
}

/// The preset's first and last day as `YYYY-MM-DD`: the `days` days up to `last`, but not before
/// the table's first partition.
pub(crate) fn preset_range(first: NaiveDate, last: NaiveDate, days: u64) -> (String, String) {
    let from = last.checked_sub_days(Days::new(days.saturating_sub(1))).unwrap_or(first).max(first);
    (from.format("%Y-%m-%d").to_string(), last.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::preset_range;
    use chrono::NaiveDate;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[track_caller]
    fn check(first: &str, last: &str, days: u64, expected: (&str, &str)) {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (from, to) = preset_range(day(first), day(last), days);
        assert_eq!((from.as_str(), to.as_str()), expected, "{days} days of {first}..{last}");
    }

    #[wasm_bindgen_test]
    fn presets_count_back_from_the_last_partition() {
        check("2026-08-01", "2026-11-28", 30, ("2026-10-30", "2026-11-28"));
        check("2026-08-01", "2026-11-28", 7, ("2026-11-22", "2026-11-28"));
        check("2026-08-01", "2026-08-01", 30, ("2026-08-01", "2026-08-01"));
        // Across a leap day.
        check("2020-01-01", "2020-03-01", 2, ("2020-02-29", "2020-03-01"));
        // Never before the first partition.
        check("2026-11-01", "2026-11-28", 90, ("2026-11-01", "2026-11-28"));
    }
}
