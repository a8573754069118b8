//! The pivot builder: the field list, the four shelves, filters, sort and top N, the view
//! switcher and exports, all editing one [`PivotSpec`] that lives in the address; and the
//! pipeline that loads, plans, runs and shapes it.

// `#[component]` props builders are `pub` whatever the component's visibility (see views/mod.rs).
#![allow(unreachable_pub)]

pub(crate) mod address;
mod controls;
mod drag;
mod export;
mod field_list;
mod filters;
pub(crate) mod needs;
pub(crate) mod run;
pub(crate) mod shelf;
mod shelves;

pub(crate) use shelves::agg_name;
pub(crate) mod sync;

use crate::infra::url::HistoryEntry;
use crate::state::{AppState, Mode, use_app_state};
use leptos::prelude::*;
use quiver_shared::catalog::{Catalog, TableInfo};
use quiver_shared::pivot::PivotSpec;
use std::sync::Arc;

/// What the pivot builder's parts share.
#[derive(Clone, Copy)]
pub(crate) struct PivotContext {
    /// The app's state (the spec is `state.pivot`).
    pub(crate) state: AppState,
    /// The spec's table, from the catalogue (`None` until one is chosen, or for an unknown name).
    pub(crate) table: Memo<Option<TableInfo>>,
    /// The menu open now, if any (at most one, so that its buttons are unambiguous).
    pub(crate) open_menu: RwSignal<Option<MenuId>>,
    /// The run pipeline's state.
    pub(crate) run: run::RunState,
}

/// Which menu is open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum MenuId {
    /// A field's menu in the field list.
    Field(String),
    /// A chip's menu.
    Chip(shelf::Shelf, usize),
}

impl PivotContext {
    /// Changes the spec (given the spec's table) and records it in the address.
    pub(crate) fn edit(self, entry: HistoryEntry, f: impl FnOnce(&mut PivotSpec, &TableInfo)) {
        let Some(table) = self.table.get_untracked() else {
            return;
        };
        sync::edit(self.state, entry, |spec| f(spec, &table));
    }
}

fn use_pivot() -> PivotContext {
    expect_context::<PivotContext>()
}

/// The pivot page. It stays mounted while Explore is shown (hidden), so that switching back is
/// instant; it only runs queries while shown.
#[component]
pub(crate) fn PivotPage(catalog: Arc<Catalog>) -> impl IntoView {
    let state = use_app_state();
    let tables = catalog.clone();
    let list_catalog = catalog.clone();
    let table = Memo::new(move |_| {
        let name = state.pivot.with(|s| s.table.clone());
        tables.tables.iter().find(|t| t.name == name).cloned()
    });
    let ctx = PivotContext { state, table, open_menu: RwSignal::new(None), run: run::RunState::new() };
    provide_context(ctx);

    // An empty pivot starts on the table chosen in Explore (or the catalogue's first), written in
    // place so that Back does not return to a pivot without a table.
    Effect::new(move |_| {
        if state.mode.get() != Mode::Pivot || state.pivot.with(|s| !s.table.is_empty()) {
            return;
        }
        let first = state.selected.get_untracked().or_else(|| catalog.tables.first().map(|t| t.name.clone()));
        if let Some(name) = first {
            sync::edit(state, HistoryEntry::Replace, |spec| spec.table = name);
        }
    });
    run::watch(ctx);
    // Escape closes any open menu.
    let close_menus = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ctx.open_menu.set(None);
        }
    };

    view! {
        <div class="pivot-page" id="pivot-page" hidden=move || state.mode.get() != Mode::Pivot on:keydown=close_menus>
            <field_list::FieldList catalog=list_catalog />
            <section class="pivot-main">
                <shelves::Shelves />
                <filters::FilterEditors />
                <div class="pivot-controls">
                    <filters::DateRangeControl />
                    <controls::SortControl />
                    <controls::TopNControl />
                </div>
                <div class="pivot-toolbar">
                    <controls::ViewSwitcher />
                    <export::ExportButtons />
                    <crate::dashboard::add::AddToDashboard
                        kind=Signal::derive(move || {
                            if state.pivot.with(|s| s.view.is_chart()) {
                                quiver_shared::dashboard::TileKind::Chart
                            } else {
                                quiver_shared::dashboard::TileKind::Pivot
                            }
                        })
                        spec=Signal::derive(move || {
                            state.pivot.with(|s| (serde_json::from_str(&s.to_json()).unwrap_or_default(), s.table.clone()))
                        })
                        prefix="pivot"
                    />
                </div>
                <run::RunStatus />
                <run::ResultView />
            </section>
        </div>
    }
}
