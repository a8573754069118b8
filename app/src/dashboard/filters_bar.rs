//! The global filters: a date range and dimension values, applied to every tile. Usable by
//! everyone who sees the dashboard (viewers, share links, embeds); only saving needs an editor.

use super::Board;
use crate::i18n::{Msg, tr, use_i18n};
use leptos::prelude::*;
use quiver_shared::catalog::ColumnRole;
use quiver_shared::dashboard::{DashboardFilters, DimensionFilter};

/// The dimension columns of the tables the tiles read, each once, sorted.
fn dimension_columns(board: Board) -> Vec<String> {
    let tables = board.draft.with(|d| d.tables());
    let catalog = board.catalog.get_value();
    let mut columns: Vec<String> = catalog
        .tables
        .iter()
        .filter(|t| tables.contains(&t.name))
        .flat_map(|t| t.columns.iter().filter(|c| c.role == ColumnRole::Dimension).map(|c| c.name.clone()))
        .collect();
    columns.sort();
    columns.dedup();
    columns
}

/// The filter bar.
#[component]
pub(crate) fn FiltersBar(board: Board) -> impl IntoView {
    let i18n = use_i18n();
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let column = RwSignal::new(String::new());
    let values = RwSignal::new(String::new());
    // The inputs follow the applied filters (a host's set-filters message, a version opened).
    Effect::new(move |_| {
        let f = board.filters.get();
        from.set(f.from.map(|d| d.to_string()).unwrap_or_default());
        to.set(f.to.map(|d| d.to_string()).unwrap_or_default());
        if let Some(d) = f.dimensions.first() {
            column.set(d.column.clone());
            values.set(d.values.join(", "));
        } else {
            values.set(String::new());
        }
    });
    let columns = Memo::new(move |_| dimension_columns(board));
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let day = |s: String| s.trim().parse().ok();
        let mut dimensions: Vec<DimensionFilter> = Vec::new();
        let chosen = column.get_untracked();
        let list: Vec<String> =
            values.get_untracked().split(',').map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).collect();
        if !chosen.is_empty() && !list.is_empty() {
            dimensions.push(DimensionFilter { column: chosen, values: list });
        }
        let filters = DashboardFilters { from: day(from.get_untracked()), to: day(to.get_untracked()), dimensions };
        if filters.validate("filters").is_ok() {
            board.set_filters(filters);
        }
    };
    let clear = move |_| board.set_filters(DashboardFilters::default());
    let locked = board.locked.get_value();
    view! {
        <form class="dashboard-filters" id="dashboard-filters" on:submit=apply>
            <label>
                <span>{tr(Msg::FiltersFrom)}</span>
                <input type="date" id="filter-from" prop:value=from on:input:target=move |ev| from.set(ev.target().value()) />
            </label>
            <label>
                <span>{tr(Msg::FiltersTo)}</span>
                <input type="date" id="filter-to" prop:value=to on:input:target=move |ev| to.set(ev.target().value()) />
            </label>
            <label>
                <span>{tr(Msg::FilterColumn)}</span>
                <select id="filter-column" on:change:target=move |ev| column.set(ev.target().value())>
                    <option value="">"—"</option>
                    {move || {
                        columns
                            .get()
                            .into_iter()
                            .map(|c| {
                                let selected = column.get() == c;
                                view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <label>
                <span>{tr(Msg::FilterValues)}</span>
                <input id="filter-values" prop:value=values on:input:target=move |ev| values.set(ev.target().value()) />
            </label>
            <button class="button" id="filter-apply" type="submit">
                {tr(Msg::ApplyFilters)}
            </button>
            <button class="button subtle" id="filter-clear" type="button" on:click=clear>
                {tr(Msg::ClearFilters)}
            </button>
            {move || {
                board
                    .cross
                    .get()
                    .map(|c| {
                        let text = format!("{} = {}", c.column, c.value);
                        view! {
                            <span class="badge cross-filter" id="cross-filter">
                                {move || i18n.f(Msg::CrossFilter, &[&text])}
                                <button class="tile-button" type="button" title=tr(Msg::ClearFilters) on:click=move |_| board.cross.set(None)>
                                    "×"
                                </button>
                            </span>
                        }
                    })
            }}
            {locked
                .into_iter()
                .map(|l| {
                    let values = l.values.join(", ");
                    view! { <span class="badge locked-filter">{move || i18n.f(Msg::LockedFilter, &[&l.column, &values])}</span> }
                })
                .collect_view()}
        </form>
    }
}
