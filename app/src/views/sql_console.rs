//! The SQL console: a query box over the loaded tables, the Run button, and the result.

use super::result_grid::ResultGrid;
use crate::i18n::{Msg, tr, use_i18n};
use crate::infra::{browser, format};
use crate::query::{default_query, run_query};
use crate::state::{QueryState, use_app_state};
use leptos::prelude::*;
use leptos::task::spawn_local;
use quiver_shared::catalog::Catalog;
use std::sync::Arc;

/// The console and its result.
#[component]
pub(crate) fn SqlConsole(catalog: Arc<Catalog>) -> impl IntoView {
    let state = use_app_state();
    // Until the user types, the box holds a query over the latest loaded table (or, before any
    // load, over the chosen table, which is what a load would register).
    Effect::new(move |_| {
        let latest = state.loaded.with(|l| l.last().map(|t| (t.name.clone(), t.columns.clone())));
        let selected = state.selected.get();
        if state.sql_edited.get_untracked() {
            return;
        }
        let (name, columns) = match latest {
            Some((name, columns)) => (Some(name), Some(columns)),
            None => (selected, None),
        };
        if let Some(table) = catalog.tables.iter().find(|t| Some(&t.name) == name.as_ref()) {
            state.sql.set(default_query(table, columns.as_deref()));
        }
    });
    let run = move || spawn_local(run_query(state));
    let running = move || state.query.with(|q| *q == QueryState::Running);

    view! {
        <section class="panel sql-console" id="sql-console">
            <h2 class="panel-title">{tr(Msg::SqlTitle)}</h2>
            <textarea
                id="sql-input"
                class="sql-input"
                rows="8"
                spellcheck="false"
                autocomplete="off"
                prop:value=move || state.sql.get()
                on:input:target=move |ev| {
                    state.sql.set(ev.target().value());
                    state.sql_edited.set(true);
                }
                on:keydown=move |ev| {
                    if browser::is_run_chord(&ev) {
                        ev.prevent_default();
                        run();
                    }
                }
            ></textarea>
            <div class="sql-actions">
                <button
                    class="button primary"
                    id="sql-run"
                    prop:disabled=running
                    on:click=move |_| run()
                >
                    {move || if running() { tr(Msg::Running)() } else { tr(Msg::Run)() }}
                </button>
                <span class="hint">{tr(Msg::RunHint)}</span>
            </div>
            <QueryResultView />
        </section>
    }
}

/// The last result: its size, its time, and the grid.
#[component]
fn QueryResultView() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    move || match state.query.get() {
        QueryState::Idle | QueryState::Failed => view! { <p class="hint">{tr(Msg::NoResultYet)}</p> }.into_any(),
        QueryState::Running => view! { <p class="hint running">{tr(Msg::Running)}</p> }.into_any(),
        QueryState::Done(result) => {
            let total = result.grid.total_rows;
            let shown = result.grid.rows.len();
            let millis = result.millis;
            let rows = move || {
                let locale = i18n.locale.get();
                if shown < total {
                    i18n.f(
                        Msg::ShowingOf,
                        &[&format::count(locale, shown as u64), &format::count(locale, total as u64)],
                    )
                } else {
                    i18n.f(Msg::NRows, &[&format::count(locale, total as u64)])
                }
            };
            let time = move || i18n.f(Msg::QueryTime, &[&format::millis(i18n.locale.get(), millis)]);
            let grid = result.grid.clone();
            view! {
                <div class="result-meta">
                    <span id="result-rows" data-value=total data-shown=shown>
                        {rows}
                    </span>
                    <span id="query-time" data-value=millis>
                        {time}
                    </span>
                </div>
                // An empty result still shows its columns.
                <ResultGrid grid id="result-grid" />
                {(total == 0).then(|| view! { <p class="hint">{tr(Msg::EmptyResult)}</p> })}
            }
            .into_any()
        }
    }
}
