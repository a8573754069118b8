//! The sidebar: the tenant's tables, and the tables loaded into the browser.

use crate::i18n::{Msg, tr, use_i18n};
use crate::infra::format;
use crate::state::use_app_state;
use leptos::prelude::*;
use quiver_shared::catalog::Catalog;
use std::sync::Arc;

/// The table list and the loaded-table list.
#[component]
pub(crate) fn Sidebar(catalog: Arc<Catalog>) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let tables = catalog
        .tables
        .iter()
        .map(|table| {
            let name = table.name.clone();
            let rows = table.rows;
            let dated = table.is_dated();
            let is_selected = {
                let name = name.clone();
                move || state.selected.with(|s| s.as_ref() == Some(&name))
            };
            let select = {
                let name = name.clone();
                move |_| state.selected.set(Some(name.clone()))
            };
            let id = format!("table-{name}");
            let data_table = name.clone();
            view! {
                <li>
                    <button
                        class="table-item"
                        class:selected=is_selected
                        id=id
                        data-table=data_table
                        on:click=select
                    >
                        <span class="table-icon" class:dated=dated aria-hidden="true"></span>
                        <span class="table-name">{name}</span>
                        <span class="table-rows num">
                            {move || format::count(i18n.locale.get(), rows)}
                        </span>
                    </button>
                </li>
            }
        })
        .collect_view();

    view! {
        <aside class="sidebar">
            <h2 class="sidebar-title">{tr(Msg::Tables)}</h2>
            <ul class="table-list" id="table-list">
                {tables}
            </ul>
            <h2 class="sidebar-title">{tr(Msg::LoadedTables)}</h2>
            <ul class="loaded-list" id="loaded-tables">
                <For
                    each=move || state.loaded.get()
                    key=|t| (t.name.clone(), t.rows, t.columns.len())
                    let(table)
                >
                    <li class="loaded-item" data-table=table.name.clone() data-rows=table.rows>
                        <span class="table-name">{table.name.clone()}</span>
                        <span class="loaded-summary">
                            {move || {
                                let locale = i18n.locale.get();
                                i18n.f(
                                    Msg::LoadedTableSummary,
                                    &[
                                        &format::count(locale, table.rows),
                                        &format::count(locale, table.columns.len() as u64),
                                    ],
                                )
                            }}
                        </span>
                    </li>
                </For>
                <Show when=move || state.loaded.with(Vec::is_empty)>
                    <li class="loaded-empty">{tr(Msg::NoLoadedTables)}</li>
                </Show>
            </ul>
        </aside>
    }
}
