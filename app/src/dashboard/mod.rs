//! Dashboards: the list, a dashboard's grid of tiles (each a saved pivot, chart or analysis run
//! by the same pipelines as the builders), its global filters, versions, sharing; "Add to
//! dashboard" for the builders; and the stand-alone pages for embedding and share links.

// `#[component]` props builders are `pub` whatever the component's visibility (see views/mod.rs).
#![allow(unreachable_pub)]

pub(crate) mod add;
pub(crate) mod address;
mod apply;
mod board;
pub(crate) mod embed;
mod filters_bar;
pub(crate) mod grid;
mod list;
pub(crate) mod protocol;
pub(crate) mod share;
mod tile;
mod tile_run;

use crate::infra::dashboards::DashboardRecord;
use crate::infra::url::{self, HistoryEntry};
use crate::state::{AppState, Mode, use_app_state};
use address::DashboardAddress;
use leptos::prelude::*;
use quiver_shared::catalog::Catalog;
use quiver_shared::dashboard::{DashboardBody, DashboardFilters};
use std::sync::Arc;

pub(crate) use board::DashboardView;

/// An open dashboard: what was saved, what is being edited, and the filters applied.
#[derive(Clone, Copy)]
pub(crate) struct Board {
    /// The app's state.
    pub(crate) state: AppState,
    /// The catalogue (tiles find their tables in it).
    pub(crate) catalog: StoredValue<Arc<Catalog>>,
    /// The dashboard's id.
    pub(crate) id: StoredValue<String>,
    /// The latest version known: saves are based on it.
    pub(crate) base_version: RwSignal<i64>,
    /// The version shown (older than the base while looking at history).
    pub(crate) shown_version: RwSignal<i64>,
    /// The body as edited (title, notes, tiles).
    pub(crate) draft: RwSignal<DashboardBody>,
    /// The filters applied to every tile.
    pub(crate) filters: RwSignal<DashboardFilters>,
    /// Filters an embed token locks.
    pub(crate) locked: StoredValue<Vec<quiver_shared::dashboard::DimensionFilter>>,
    /// Whether the viewer may change and save it.
    pub(crate) editable: Signal<bool>,
    /// Whether filter changes are written into the address.
    pub(crate) filters_in_address: bool,
    /// Tiles take turns running.
    pub(crate) turns: tile_run::Turns,
    /// The group clicked in a tile, filtering the other tiles (cross-filtering).
    pub(crate) cross: RwSignal<Option<apply::CrossFilter>>,
    /// The tile being dragged, and where in it the pointer grabbed it (CSS pixels from its
    /// top-left corner).
    pub(crate) dragging: StoredValue<Option<(String, (f64, f64))>>,
    /// Where the dragged tile would land if dropped now.
    pub(crate) drop_preview: RwSignal<Option<quiver_shared::dashboard::TileLayout>>,
}

impl Board {
    /// A board for `record`, with `filters` applied (the address's or a link's, else the saved).
    pub(crate) fn new(
        state: AppState,
        catalog: Arc<Catalog>,
        record: DashboardRecord,
        filters: Option<DashboardFilters>,
        editable: Signal<bool>,
        filters_in_address: bool,
    ) -> Self {
        let filters = filters.unwrap_or_else(|| record.body.filters.clone());
        Self {
            state,
            catalog: StoredValue::new(catalog),
            id: StoredValue::new(record.id.clone()),
            base_version: RwSignal::new(record.version),
            shown_version: RwSignal::new(record.version),
            draft: RwSignal::new(record.body),
            filters: RwSignal::new(filters),
            locked: StoredValue::new(record.locked_filters),
            editable,
            filters_in_address,
            turns: tile_run::Turns::new(),
            cross: RwSignal::new(None),
            dragging: StoredValue::new(None),
            drop_preview: RwSignal::new(None),
        }
    }

    /// Changes tile `id`'s layout with `change`, pushing the tiles it then covers down.
    pub(crate) fn relayout(
        self,
        id: &str,
        change: impl FnOnce(quiver_shared::dashboard::TileLayout) -> quiver_shared::dashboard::TileLayout,
    ) {
        self.draft.update(|d| {
            if let Some(t) = d.tiles.iter_mut().find(|t| t.id == id) {
                t.layout = change(t.layout);
                grid::settle(&mut d.tiles, id);
            }
        });
    }

    /// Applies new filters to every tile (and records them in the address where that is on).
    pub(crate) fn set_filters(self, filters: DashboardFilters) {
        if self.filters.with_untracked(|f| *f == filters) {
            return;
        }
        self.filters.set(filters.clone());
        if self.filters_in_address {
            let address = DashboardAddress { id: Some(self.id.get_value()), filters: Some(filters) };
            url::set_params(&address::write(&url::current_params(), &address), HistoryEntry::Replace);
        }
    }
}

/// Opens dashboard `id` (or the list) in the workspace, as a new history entry.
pub(crate) fn open(state: AppState, page: PageAddress, id: Option<String>) {
    let address = DashboardAddress { id, filters: None };
    url::set_params(&address::write(&url::current_params(), &address), HistoryEntry::Push);
    state.mode.set(Mode::Dashboards);
    crate::pivot::sync::commit(state, HistoryEntry::Replace);
    page.0.set(address::read(&url::current_params()));
}

/// The address as the dashboards page last read it.
#[derive(Clone, Copy)]
pub(crate) struct PageAddress(RwSignal<DashboardAddress>);

/// The dashboards page's address, for components that open dashboards.
pub(crate) fn use_page_address() -> PageAddress {
    expect_context::<PageAddress>()
}

/// Provides the dashboards page's address early (the workspace calls it), so that "Add to
/// dashboard" in the builders can open a dashboard.
pub(crate) fn provide_address() {
    let page = PageAddress(RwSignal::new(address::read(&url::current_params())));
    provide_context(page);
    url::on_history_move(move || page.0.set(address::read(&url::current_params())));
}

/// The Dashboards tab: the list, or the open dashboard.
#[component]
pub(crate) fn DashboardsPage(catalog: Arc<Catalog>) -> impl IntoView {
    let state = use_app_state();
    let page = expect_context::<PageAddress>();
    let open_id = Memo::new(move |_| page.0.with(|a| a.id.clone()));
    view! {
        <div class="dashboards-page" id="dashboards-page" hidden=move || state.mode.get() != Mode::Dashboards>
            {move || {
                let catalog = catalog.clone();
                match open_id.get() {
                    None => view! { <list::DashboardList /> }.into_any(),
                    Some(id) => {
                        let filters = page.0.with_untracked(|a| a.filters.clone());
                        view! { <board::WorkspaceBoard id filters catalog /> }.into_any()
                    }
                }
            }}
        </div>
    }
}
