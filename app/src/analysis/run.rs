//! Running the analysis view: load the tables its spec reads, run it in the engine, show it.
//!
//! Like the pivot's pipeline, every run has a generation number, and a run whose spec changed
//! meanwhile stops at its next step and shows nothing.

use super::needs;
use crate::error::AppError;
use crate::infra::{browser, clock};
use crate::load::load_table;
use crate::state::{AppState, LoadPhase, Mode};
use leptos::prelude::*;
use leptos::task::spawn_local;
use quiver_shared::analysis::{AnalysisContext, AnalysisResult, AnalysisSpec, SpecError};
use quiver_shared::catalog::Catalog;
use std::sync::Arc;

/// Where the current run stands.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Phase {
    /// Not started.
    Idle,
    /// Loading the tables (progress in the load panel's state).
    Loading,
    /// The engine is running the analysis.
    Running,
    /// Shown, with the engine's milliseconds.
    Done(f64),
    /// The spec is not complete or not valid yet: the field and the reason, shown by the builder.
    Invalid(SpecError),
    /// Stopped by an error (shown in the banner).
    Failed,
}

impl Phase {
    /// The `data-state` of `#analysis-status`.
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Loading => "loading",
            Phase::Running => "running",
            Phase::Done(_) => "done",
            Phase::Invalid(_) => "invalid",
            Phase::Failed => "error",
        }
    }
}

/// The pipeline's state.
#[derive(Clone, Copy)]
pub(crate) struct RunState {
    /// The current phase.
    pub(crate) phase: RwSignal<Phase>,
    /// The result shown, with the spec it answers.
    pub(crate) output: RwSignal<Option<Arc<(AnalysisSpec, AnalysisResult)>>>,
    generation: StoredValue<u64>,
    /// A live refresh is scheduled (later deltas ride along with it).
    live_pending: StoredValue<bool>,
    /// When the last live refresh was started (`performance.now()` milliseconds).
    last_live: StoredValue<f64>,
}

/// Live refreshes of an analysis start at most this often: an analysis reads every row again
/// (funnels and retention do not merge from partials), so it refreshes less often than the pivot.
const LIVE_REFRESH_MS: f64 = 1000.0;

impl RunState {
    pub(crate) fn new() -> Self {
        Self {
            phase: RwSignal::new(Phase::Idle),
            output: RwSignal::new(None),
            generation: StoredValue::new(0),
            live_pending: StoredValue::new(false),
            last_live: StoredValue::new(f64::NEG_INFINITY),
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

/// Runs on every change of the spec while an analysis is shown, and after new rows.
pub(crate) fn watch(state: AppState, catalog: Arc<Catalog>, run: RunState) {
    watch_live(state, catalog.clone(), run);
    Effect::new(move |_| {
        let shown = state.mode.get() == Mode::Analyze;
        let spec = state.analysis.get();
        state.tenant.track();
        if shown {
            let catalog = catalog.clone();
            let generation = run.next_generation();
            spawn_local(async move { execute(state, catalog, run, spec, generation).await });
        }
    });
}

/// Re-runs the shown analysis when rows of any loaded table change (live deltas, reloads),
/// coalesced: at most one run every [`LIVE_REFRESH_MS`], and never while one is going.
fn watch_live(state: AppState, catalog: Arc<Catalog>, run: RunState) {
    Effect::new(move |first: Option<()>| {
        state.live.versions.track();
        let shown = state.mode.get_untracked() == Mode::Analyze;
        let has_output = run.output.with_untracked(Option::is_some);
        if first.is_none() || !shown || !has_output || run.live_pending.get_value() {
            return;
        }
        run.live_pending.set_value(true);
        let catalog = catalog.clone();
        spawn_local(async move {
            // At least a short wait: websocket messages already queued arrive first (each is its
            // own task), so that one run sees them all.
            let wait = (run.last_live.get_value() + LIVE_REFRESH_MS - browser::now_ms()).max(20.0);
            clock::sleep(wait.ceil() as i32).await;
            while matches!(run.phase.get_untracked(), Phase::Loading | Phase::Running) {
                clock::sleep(50).await;
            }
            run.live_pending.set_value(false);
            run.last_live.set_value(browser::now_ms());
            rerun(state, catalog, run);
        });
    });
}

/// Runs `spec` again (the Run again button, or after new data).
pub(crate) fn rerun(state: AppState, catalog: Arc<Catalog>, run: RunState) {
    let spec = state.analysis.get_untracked();
    let generation = run.next_generation();
    spawn_local(async move { execute(state, catalog, run, spec, generation).await });
}

async fn execute(state: AppState, catalog: Arc<Catalog>, run: RunState, spec: AnalysisSpec, generation: u64) {
    let stale = move || !run.is_current(generation);
    while state.load.with_untracked(|l| l.as_ref().is_some_and(|l| l.is_active())) {
        clock::sleep(100).await;
        if stale() {
            return;
        }
    }
    let requests = state.loaded.with_untracked(|loaded| needs::loads_needed(&spec, &catalog.tables, loaded));
    for request in requests {
        run.phase.set(Phase::Loading);
        load_table(state, request).await;
        if stale() {
            return;
        }
        match state.load.with_untracked(|l| l.as_ref().map(|l| l.phase.clone())) {
            // An empty table is still a table: the analysis says there is nothing in it.
            Some(LoadPhase::Done { .. } | LoadPhase::Empty) => {}
            _ => {
                run.phase.set(Phase::Failed);
                return;
            }
        }
    }
    // A spec that cannot run yet (a funnel with one step) is the builder's business, not an
    // error; its tables are loaded all the same, so that the builder can offer their values.
    if let Err(error) = ready(&spec) {
        run.output.set(None);
        run.phase.set(Phase::Invalid(error));
        return;
    }
    run.phase.set(Phase::Running);
    browser::next_frame().await;
    if stale() {
        return;
    }
    let started = browser::now_ms();
    let outcome = compute(state, &catalog, &spec);
    let millis = browser::now_ms() - started;
    if stale() {
        return;
    }
    match outcome {
        Ok(result) => {
            run.output.set(Some(Arc::new((spec, result))));
            run.phase.set(Phase::Done(millis));
        }
        Err(AppError::Spec(error)) => {
            run.output.set(None);
            run.phase.set(Phase::Invalid(error));
        }
        Err(error) => {
            run.phase.set(Phase::Failed);
            state.fail(error);
        }
    }
}

/// Runs `spec` in the engine over the tables as loaded (dashboard tiles call it too).
pub(crate) fn compute(state: AppState, catalog: &Catalog, spec: &AnalysisSpec) -> Result<AnalysisResult, AppError> {
    let time_zone = state.time_zone_untracked();
    let engine = state.engine()?;
    let ctx = AnalysisContext {
        tables: &catalog.tables,
        time_zone: &time_zone,
        today: clock::today(&time_zone),
        now_micros: (js_sys::Date::now() * 1000.0) as i64,
    };
    quiver_analysis::run(&engine, spec, ctx).map(|output| output.result).map_err(|error| match error {
        quiver_analysis::AnalysisError::Spec(error) => AppError::Spec(error),
        other => AppError::Engine(other.to_string()),
    })
}

/// Whether the spec has what its kind needs before anything is loaded: the checks a user meets
/// while building, worded for the builder.
pub(crate) fn ready(spec: &AnalysisSpec) -> Result<(), SpecError> {
    match spec {
        AnalysisSpec::Funnel(f) if f.steps.len() < 2 => Err(SpecError::new("steps", "add at least two steps")),
        AnalysisSpec::Trend(t) if t.events.is_empty() => Err(SpecError::new("events", "add an event")),
        AnalysisSpec::Trend(t) if t.measures.is_empty() => Err(SpecError::new("measures", "choose a measure")),
        AnalysisSpec::Ab(ab) if ab.bucket.is_empty() => Err(SpecError::new("bucket", "choose the bucket column")),
        AnalysisSpec::Ab(ab) if ab.control.is_empty() => Err(SpecError::new("control", "choose the control bucket")),
        _ => Ok(()),
    }
}
