//! Running the pivot: load what the spec needs, plan, query, shape, show; and the status line.
//!
//! Every run gets a generation number; a run whose generation is no longer current when it
//! finishes a step (the shelves changed meanwhile) stops and shows nothing, so that a slow run on
//! stale shelves never overwrites a newer result. Changes that need no new query (view kind,
//! sort, colour scale, show as) only reshape the last output.

use super::{PivotContext, needs, use_pivot};
use crate::error::AppError;
use crate::i18n::{Msg, tr, use_i18n};
use crate::infra::{browser, clock, format};
use crate::load::load_table;
use crate::state::{LoadPhase, Mode};
use leptos::prelude::*;
use leptos::task::spawn_local;
use quiver_pivot::PivotOutput;
use quiver_shared::pivot::{PivotSpec, PlanContext, Sort, SpecError, ViewKind};
use std::sync::Arc;

/// A change this soon after the previous one waits this long for the next before it runs: a
/// burst of edits (typing in a filter) runs once at its end. A change after a quiet spell (a
/// drop, a click) runs at once.
const DEBOUNCE_MS: i32 = 150;

/// Live refreshes of the pivot start at least this long after the previous one ended (or as
/// long as it took, if longer): 20 deltas a second cause at most four runs, each folding in every
/// delta that arrived since the last one, and a slow refresh (many groups) leaves the page at
/// least as much time as it took for input and for receiving deltas.
const LIVE_REFRESH_MS: f64 = 250.0;

/// The least a live refresh waits: long enough for the browser to deliver the websocket messages
/// already queued (each is its own task), so that one refresh folds them all. Without it, a
/// refresh started by the first of them would run before the others arrive.
const MIN_LIVE_WAIT_MS: f64 = 20.0;

/// Where the current run stands.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RunPhase {
    /// Nothing to run (no table or no fields).
    Idle,
    /// Loading the table.
    Loading,
    /// The query is running.
    Running,
    /// Shown, with the engine's milliseconds (query and shaping).
    Done(f64),
    /// The date range holds no data.
    NoData,
    /// Stopped by an error (shown in the banner).
    Failed,
}

impl RunPhase {
    fn as_str(&self) -> &'static str {
        match self {
            RunPhase::Idle => "idle",
            RunPhase::Loading => "loading",
            RunPhase::Running => "running",
            RunPhase::Done(_) => "done",
            RunPhase::NoData => "empty",
            RunPhase::Failed => "error",
        }
    }
}

/// The pipeline's state.
#[derive(Clone, Copy)]
pub(crate) struct RunState {
    /// The current phase.
    pub(crate) phase: RwSignal<RunPhase>,
    /// The result shown.
    pub(crate) output: RwSignal<Option<Arc<PivotOutput>>>,
    generation: StoredValue<u64>,
    /// When the last run was scheduled (`performance.now()` milliseconds).
    last_change: StoredValue<f64>,
    /// The version of the table's rows the output shows (`LiveState::versions`).
    pub(crate) data_version: RwSignal<u64>,
    /// How the last run computed its output: `full` or `incremental` (`data-refresh`).
    pub(crate) refresh: RwSignal<&'static str>,
    /// What the last run kept to fold the next deltas into.
    kept: StoredValue<Option<KeptLeaf>>,
    /// A live refresh is scheduled (later deltas ride along with it).
    live_pending: StoredValue<bool>,
    /// When the last live refresh ended and how long it took (`performance.now()` milliseconds).
    last_live: StoredValue<(f64, f64)>,
}

/// The groups with their partials a pivot run kept, and what they answer.
#[derive(Debug)]
struct KeptLeaf {
    /// The query they were computed for ([`query_key`]).
    key: PivotSpec,
    /// The table's version they include.
    version: u64,
    /// The engine's id epoch their sets of distinct values belong to.
    epoch: u64,
    /// The groups.
    groups: quiver_engine::KeptGroups,
}

impl RunState {
    pub(crate) fn new() -> Self {
        Self {
            phase: RwSignal::new(RunPhase::Idle),
            output: RwSignal::new(None),
            generation: StoredValue::new(0),
            last_change: StoredValue::new(f64::NEG_INFINITY),
            data_version: RwSignal::new(0),
            refresh: RwSignal::new("full"),
            kept: StoredValue::new(None),
            live_pending: StoredValue::new(false),
            last_live: StoredValue::new((f64::NEG_INFINITY, 0.0)),
        }
    }

    fn next_generation(self) -> u64 {
        self.generation.update_value(|g| *g += 1);
        self.generation.get_value()
    }

    fn is_current(self, generation: u64) -> bool {
        self.generation.get_value() == generation
    }
}

/// The part of a spec that decides the query: everything but how the result is shown. The sort
/// decides the query only through top N (which groups are kept).
pub(crate) fn query_key(spec: &PivotSpec) -> PivotSpec {
    let mut key = spec.clone();
    key.view = ViewKind::default();
    key.color_scale = false;
    for value in &mut key.values {
        value.show_as = Default::default();
    }
    if key.top_n.is_none() {
        key.sort = Sort::default();
    }
    key
}

/// Runs (or reshapes) on every change of the spec while the pivot is shown.
pub(crate) fn watch(ctx: PivotContext) {
    Effect::new(move |_| {
        let shown = ctx.state.mode.get() == Mode::Pivot;
        let spec = ctx.state.pivot.get();
        // Known once the catalogue is in; bucketing depends on it.
        ctx.state.tenant.track();
        if shown {
            schedule(ctx, spec, false);
        }
    });
    // New rows in the pivot's table (live deltas, reloads) refresh the open pivot.
    Effect::new(move |_| {
        let table = ctx.state.pivot.with(|p| p.table.clone());
        let version = ctx.state.live.version(&table);
        let shown = ctx.state.mode.get() == Mode::Pivot;
        let behind = ctx.run.output.with_untracked(|o| o.as_ref().is_some_and(|o| o.spec.table == table))
            && version != ctx.run.data_version.get_untracked();
        if shown && behind {
            refresh_live(ctx);
        }
    });
}

/// Re-runs the current spec over the table's new rows, coalesced: at most one live refresh every
/// [`LIVE_REFRESH_MS`], never two at once, and never instead of a run the user started (that run
/// sees the new rows anyway).
fn refresh_live(ctx: PivotContext) {
    let run = ctx.run;
    if run.live_pending.get_value() {
        return;
    }
    run.live_pending.set_value(true);
    spawn_local(async move {
        let (ended, took) = run.last_live.get_value();
        let wait = (ended + LIVE_REFRESH_MS.max(took) - browser::now_ms()).max(MIN_LIVE_WAIT_MS);
        clock::sleep(wait.ceil() as i32).await;
        while matches!(run.phase.get_untracked(), RunPhase::Loading | RunPhase::Running) {
            clock::sleep(50).await;
        }
        run.live_pending.set_value(false);
        let started = browser::now_ms();
        let spec = ctx.state.pivot.get_untracked();
        let up_to_date = ctx.state.live.versions.with_untracked(|v| v.get(&spec.table).copied().unwrap_or(0))
            == run.data_version.get_untracked();
        let same_table = run.output.with_untracked(|o| o.as_ref().is_some_and(|o| o.spec.table == spec.table));
        if up_to_date || !same_table {
            return;
        }
        let generation = run.next_generation();
        execute(ctx, spec, generation, true).await;
        let now = browser::now_ms();
        run.last_live.set_value((now, now - started));
    });
}

/// Starts a run for `spec`, or only reshapes the last output when the query would be the same.
pub(crate) fn schedule(ctx: PivotContext, spec: PivotSpec, force: bool) {
    let run = ctx.run;
    let same_query = run.output.with_untracked(|o| o.as_ref().is_some_and(|o| query_key(&o.spec) == query_key(&spec)));
    if same_query && !force {
        let unchanged = run.output.with_untracked(|o| o.as_ref().is_some_and(|o| o.spec == spec));
        if unchanged {
            return;
        }
        // A newer reshape supersedes any run still going for older shelves.
        run.next_generation();
        let reshaped = run.output.with_untracked(|o| o.as_ref().map(|o| o.reshape(spec)));
        match reshaped {
            Some(Ok(output)) => run.output.set(Some(Arc::new(output))),
            Some(Err(error)) => {
                run.phase.set(RunPhase::Failed);
                ctx.state.fail(AppError::Shape(error.to_string()));
            }
            None => {}
        }
        return;
    }
    let generation = run.next_generation();
    let now = browser::now_ms();
    let in_a_burst = now - run.last_change.get_value() < f64::from(DEBOUNCE_MS);
    run.last_change.set_value(now);
    spawn_local(async move {
        if in_a_burst {
            clock::sleep(DEBOUNCE_MS).await;
        }
        if run.is_current(generation) {
            execute(ctx, spec, generation, false).await;
        }
    });
}

/// Runs `spec`; a `live` run (new rows, same shelves) does not show "running" meanwhile.
async fn execute(ctx: PivotContext, spec: PivotSpec, generation: u64, live: bool) {
    let state = ctx.state;
    let run = ctx.run;
    let stale = move || !run.is_current(generation);
    let Some(table) = ctx.table.get_untracked().filter(|t| t.name == spec.table) else {
        if !spec.table.is_empty() {
            run.phase.set(RunPhase::Failed);
            state.fail(AppError::Spec(SpecError::new("table", format!("there is no table named {:?}", spec.table))));
        }
        return;
    };
    let time_zone = state.time_zone_untracked();
    let today = clock::today(&time_zone);

    // Wait for a load already under way (ours or the Explore panel's) before deciding.
    while state.load.with_untracked(|l| l.as_ref().is_some_and(|l| l.is_active())) {
        clock::sleep(100).await;
        if stale() {
            return;
        }
    }
    let loaded = state.loaded.with_untracked(|l| l.iter().find(|t| t.name == table.name).cloned());
    if let Some(request) = needs::load_needed(&spec, &table, loaded.as_ref(), today) {
        if is_empty(&spec) {
            // Nothing asked for yet: do not download a table for a count of rows.
            run.phase.set(RunPhase::Idle);
            run.output.set(None);
            return;
        }
        run.phase.set(RunPhase::Loading);
        load_table(state, request).await;
        if stale() {
            return;
        }
        match state.load.with_untracked(|l| l.as_ref().map(|l| l.phase.clone())) {
            Some(LoadPhase::Done { .. }) => {}
            Some(LoadPhase::Empty) => {
                run.phase.set(RunPhase::NoData);
                run.output.set(None);
                return;
            }
            // The load has put its error in the banner.
            _ => {
                run.phase.set(RunPhase::Failed);
                return;
            }
        }
    }

    if !live {
        run.phase.set(RunPhase::Running);
        // Paint "running" before the engine takes the thread.
        browser::next_frame().await;
        if stale() {
            return;
        }
    }
    let started = browser::now_ms();
    let version = state.live.versions.with_untracked(|v| v.get(&table.name).copied().unwrap_or(0));
    let outcome = run_query(ctx, &spec, &table, &time_zone, today);
    let millis = browser::now_ms() - started;
    if stale() {
        return;
    }
    match outcome {
        Ok(output) => {
            run.output.set(Some(Arc::new(output)));
            run.data_version.set(version);
            run.phase.set(RunPhase::Done(millis));
        }
        Err(error) => {
            run.phase.set(RunPhase::Failed);
            state.fail(error);
        }
    }
}

fn run_query(
    ctx: PivotContext,
    spec: &PivotSpec,
    table: &quiver_shared::catalog::TableInfo,
    time_zone: &str,
    today: chrono::NaiveDate,
) -> Result<PivotOutput, AppError> {
    let (planned, incremental) = quiver_shared::pivot::plan_incremental(spec, PlanContext { table, time_zone, today })
        .map_err(AppError::Spec)?;
    let engine = ctx.state.engine()?;
    let run = ctx.run;
    let sql_error = |e: quiver_engine::EngineError| AppError::Sql(e.to_string());
    // The output shown, when the new one may have the same groups (a live refresh of the same
    // spec): shaping then reuses its header trees.
    let mut previous = None;
    let output = match incremental {
        Some(incremental) => {
            let version = ctx.state.live.versions.with_untracked(|v| v.get(&table.name).copied().unwrap_or(0));
            let key = query_key(spec);
            // Fold in just the deltas when the kept partials are this query's, their sets of
            // distinct values still mean the same ids, and every delta since is still kept.
            let mut kept = None;
            run.kept.update_value(|k| kept = k.take());
            let kept =
                kept.filter(|kept| kept.key == key && kept.epoch == engine.id_epoch() && kept.version <= version);
            let batches = kept.and_then(|kept| {
                let deltas = ctx.state.live.deltas_since(&table.name, kept.version)?;
                Some((kept.groups, deltas.into_iter().flat_map(|d| d.batches).collect()))
            });
            run.refresh.set(if batches.is_some() { "incremental" } else { "full" });
            if batches.is_some() {
                previous = run.output.get_untracked().filter(|shown| shown.spec == *spec && shown.plan == planned);
            }
            let (output, groups) = quiver_engine::refresh_pivot(&engine, &incremental, batches).map_err(sql_error)?;
            run.kept.set_value(Some(KeptLeaf { key, version, epoch: engine.id_epoch(), groups }));
            output
        }
        None => {
            run.kept.set_value(None);
            run.refresh.set("full");
            engine.sql(&planned.sql).map_err(sql_error)?
        }
    };
    match previous {
        Some(previous) => previous.refreshed(output.schema, output.batches),
        None => PivotOutput::new(spec.clone(), planned, output.schema, output.batches),
    }
    .map_err(|e| AppError::Shape(e.to_string()))
}

/// Plans, queries and shapes `spec` over the table as loaded, in one full query (dashboard
/// tiles: they keep no partials between runs).
pub(crate) fn run_plain(
    state: crate::state::AppState,
    spec: &PivotSpec,
    table: &quiver_shared::catalog::TableInfo,
    time_zone: &str,
    today: chrono::NaiveDate,
) -> Result<PivotOutput, AppError> {
    let planned = quiver_shared::pivot::plan(spec, PlanContext { table, time_zone, today }).map_err(AppError::Spec)?;
    let engine = state.engine()?;
    let output = engine.sql(&planned.sql).map_err(|e| AppError::Sql(e.to_string()))?;
    PivotOutput::new(spec.clone(), planned, output.schema, output.batches).map_err(|e| AppError::Shape(e.to_string()))
}

/// Whether the spec asks for nothing but a count of all rows.
pub(crate) fn is_empty(spec: &PivotSpec) -> bool {
    spec.rows.is_empty()
        && spec.columns.is_empty()
        && spec.values.is_empty()
        && spec.filters.is_empty()
        && spec.date_range.is_none()
}

/// A distinct value of a column (`None` for null) and its rows.
pub(crate) type ValueCount = (Option<String>, i64);

/// The distinct values (with row counts) of the column of the filter at `index`, under the other
/// filters, matching `search`; `None` until the table holds the column. Re-queried when the
/// search, the other filters or the loaded tables change.
pub(crate) fn distinct_values(
    ctx: PivotContext,
    column: String,
    index: usize,
    search: RwSignal<String>,
    limit: usize,
) -> Memo<Option<Vec<ValueCount>>> {
    Memo::new(move |_| {
        let spec = ctx.state.pivot.get();
        let search = search.get();
        let table = ctx.table.get()?;
        let loaded = ctx.state.loaded.with(|l| l.iter().any(|t| t.name == table.name && t.columns.contains(&column)));
        if !loaded {
            return None;
        }
        let others: Vec<_> =
            spec.filters.iter().enumerate().filter(|(i, _)| *i != index).map(|(_, f)| f.clone()).collect();
        let time_zone = ctx.state.time_zone_untracked();
        let today = clock::today(&time_zone);
        let sql = quiver_shared::pivot::distinct_values_sql(
            PlanContext { table: &table, time_zone: &time_zone, today },
            &column,
            &others,
            Some(search.as_str()),
            limit,
        )
        .ok()?;
        let output = ctx.state.engine().ok()?.sql(&sql).ok()?;
        Some(quiver_engine_rows(&output))
    })
}

/// The `(value, rows)` pairs of a distinct-values query.
fn quiver_engine_rows(output: &quiver_engine::QueryOutput) -> Vec<ValueCount> {
    use quiver_engine::GridCell;
    let grid = output.to_grid(usize::MAX);
    grid.rows
        .into_iter()
        .map(|row| {
            let mut cells = row.into_iter();
            let value = match cells.next() {
                Some(GridCell::Text(text)) => Some(text),
                Some(GridCell::Int(v)) => Some(v.to_string()),
                Some(GridCell::Float(v)) => Some(v.to_string()),
                Some(GridCell::Timestamp(v)) => Some(v.to_string()),
                Some(GridCell::Null) | None => None,
            };
            let count = match cells.next() {
                Some(GridCell::Int(n)) => n,
                _ => 0,
            };
            (value, count)
        })
        .collect()
}

/// `#pivot-status` (with `data-state`) and `#pivot-time`.
#[component]
pub(crate) fn RunStatus() -> impl IntoView {
    let ctx = use_pivot();
    let i18n = use_i18n();
    let phase = ctx.run.phase;
    let text = move || match phase.get() {
        RunPhase::Idle => i18n.t(Msg::PivotIdle).to_owned(),
        RunPhase::Loading => i18n.t(Msg::PivotLoading).to_owned(),
        RunPhase::Running => i18n.t(Msg::PivotRunning).to_owned(),
        RunPhase::Done(_) => String::new(),
        RunPhase::NoData => i18n.t(Msg::PivotNoData).to_owned(),
        RunPhase::Failed => i18n.t(Msg::PivotFailed).to_owned(),
    };
    let millis = move || match phase.get() {
        RunPhase::Done(ms) => Some(ms),
        _ => None,
    };
    let rerun = move |_| {
        let spec = ctx.state.pivot.get_untracked();
        schedule(ctx, spec, true);
    };
    view! {
        <div
            class="pivot-status"
            id="pivot-status"
            data-state=move || phase.with(RunPhase::as_str)
            data-version=move || ctx.run.data_version.get()
            data-refresh=move || ctx.run.refresh.get()
            role="status"
        >
            <span class="pivot-status-text">{text}</span>
            {move || {
                millis()
                    .map(|ms| {
                        view! {
                            <span id="pivot-time" data-value=ms>
                                {move || i18n.f(Msg::QueryTime, &[&format::millis(i18n.locale.get(), ms)])}
                            </span>
                        }
                    })
            }}
            <Show when=move || phase.get() == RunPhase::Failed>
                <button class="button" id="pivot-run" on:click=rerun>
                    {tr(Msg::RunAgain)}
                </button>
            </Show>
        </div>
    }
}

/// The result: the pivot table or chart.
#[component]
pub(crate) fn ResultView() -> impl IntoView {
    let ctx = use_pivot();
    move || ctx.run.output.get().map(|output| view! { <crate::views::pivot_result::PivotResult output /> })
}
