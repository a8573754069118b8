//! The analysis views: funnel, retention, event trends, distribution, stickiness, A/B comparison
//! and lead follow-up. Each is a builder editing one [`AnalysisSpec`] that lives in the address,
//! and a result computed by `quiver-analysis` in the browser's engine (the same code the server
//! runs for `POST /api/analyze`).

// `#[component]` props builders are `pub` whatever the component's visibility (see views/mod.rs).
#![allow(unreachable_pub)]

pub(crate) mod address;
mod builder;
pub(crate) mod needs;
pub(crate) mod result;
pub(crate) mod run;
mod widgets;

use crate::i18n::{Msg, tr, use_i18n};
use crate::infra::{format, url::HistoryEntry};
use crate::pivot::sync;
use crate::state::{AppState, Mode, use_app_state};
use leptos::prelude::*;
use quiver_shared::analysis::{AnalysisSpec, KINDS};
use quiver_shared::catalog::Catalog;
use run::{Phase, RunState};
use std::sync::Arc;

/// What the analysis page's parts share.
#[derive(Clone)]
pub(crate) struct ViewContext {
    /// The app's state (the spec is `state.analysis`).
    pub(crate) state: AppState,
    /// The catalogue, for table and column choices.
    pub(crate) catalog: Arc<Catalog>,
    /// The run pipeline's state.
    pub(crate) run: RunState,
}

impl ViewContext {
    /// Changes the spec and records it in the address.
    pub(crate) fn edit(&self, entry: HistoryEntry, f: impl FnOnce(&mut AnalysisSpec)) {
        sync::edit_analysis(self.state, entry, f);
    }
}

pub(crate) fn use_view() -> ViewContext {
    expect_context::<ViewContext>()
}

/// The translated name of an analysis kind.
pub(crate) fn kind_name(kind: &str) -> Msg {
    match kind {
        "funnel" => Msg::KindFunnel,
        "retention" => Msg::KindRetention,
        "trend" => Msg::KindTrend,
        "distribution" => Msg::KindDistribution,
        "stickiness" => Msg::KindStickiness,
        "ab" => Msg::KindAb,
        _ => Msg::KindLeads,
    }
}

/// The help text of an analysis kind: its exact rules, from the team's semantics.
fn kind_help(kind: &str) -> Msg {
    match kind {
        "funnel" => Msg::HelpFunnel,
        "retention" => Msg::HelpRetention,
        "trend" => Msg::HelpTrend,
        "distribution" => Msg::HelpDistribution,
        "stickiness" => Msg::HelpStickiness,
        "ab" => Msg::HelpAb,
        _ => Msg::HelpLeads,
    }
}

/// The analysis page. Stays mounted (hidden) outside Analyze, like the pivot.
#[component]
pub(crate) fn AnalysisPage(catalog: Arc<Catalog>) -> impl IntoView {
    let state = use_app_state();
    let i18n = use_i18n();
    let ctx = ViewContext { state, catalog: catalog.clone(), run: RunState::new() };
    provide_context(ctx.clone());
    run::watch(state, catalog.clone(), ctx.run);
    let kind = Memo::new(move |_| state.analysis.with(|s| s.kind()));
    let choose = move |next: &'static str| {
        if kind.get_untracked() != next {
            sync::edit_analysis(state, HistoryEntry::Push, |spec| *spec = address::fresh(next));
        }
    };
    let phase = ctx.run.phase;
    let status = move || match phase.get() {
        Phase::Idle => String::new(),
        Phase::Loading => i18n.t(Msg::PivotLoading).to_owned(),
        Phase::Running => i18n.t(Msg::PivotRunning).to_owned(),
        Phase::Done(ms) => i18n.f(Msg::QueryTime, &[&format::millis(i18n.locale.get(), ms)]),
        Phase::Invalid(error) => i18n.f(Msg::AnalysisIncomplete, &[&error.field, &error.reason]),
        Phase::Failed => i18n.t(Msg::AnalysisFailed).to_owned(),
    };
    let rerun_catalog = catalog.clone();
    let rerun = move |_| run::rerun(state, rerun_catalog.clone(), ctx.run);

    view! {
        <div class="analysis-page" id="analysis-page" hidden=move || state.mode.get() != Mode::Analyze>
            <nav class="analysis-kinds" role="tablist" aria-label=move || i18n.t(Msg::TabAnalyze)>
                {KINDS
                    .iter()
                    .map(|&k| {
                        view! {
                            <button
                                class="analysis-kind"
                                role="tab"
                                id=format!("kind-{k}")
                                class:active=move || kind.get() == k
                                aria-selected=move || (kind.get() == k).to_string()
                                on:click=move |_| choose(k)
                            >
                                {tr(kind_name(k))}
                            </button>
                        }
                    })
                    .collect_view()}
            </nav>
            <section class="analysis-main">
                <details class="analysis-help" id="analysis-help">
                    <summary>{move || i18n.f(Msg::HowCounted, &[i18n.t(kind_name(kind.get()))])}</summary>
                    <p>{move || i18n.t(kind_help(kind.get()))}</p>
                </details>
                <builder::Builder />
                <crate::dashboard::add::AddToDashboard
                    kind=Signal::stored(quiver_shared::dashboard::TileKind::Analysis)
                    spec=Signal::derive(move || {
                        state.analysis.with(|s| {
                            (serde_json::from_str(&s.to_json()).unwrap_or_default(), i18n.t(kind_name(s.kind())).to_owned())
                        })
                    })
                    prefix="analysis"
                />
                <div
                    class="pivot-status"
                    id="analysis-status"
                    data-state=move || phase.with(Phase::as_str)
                    data-ms=move || match phase.get() {
                        Phase::Done(ms) => Some(format!("{ms:.1}")),
                        _ => None,
                    }
                    role="status"
                >
                    <span class="pivot-status-text">{status}</span>
                    <Show when=move || phase.get() == Phase::Failed>
                        <button class="button" id="analysis-run" on:click=rerun.clone()>
                            {tr(Msg::RunAgain)}
                        </button>
                    </Show>
                </div>
                {move || {
                    ctx.run
                        .output
                        .get()
                        .map(|output| view! { <result::AnalysisResultView output /> })
                }}
            </section>
        </div>
    }
}
