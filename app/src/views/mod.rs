//! The UI: the root component, which shows the sign-in screen or the workspace.

// `#[component]` derives a typed-builder for each component's props, and the builder's items are
// `pub` whatever the component's own visibility, so `unreachable_pub` fires on every component
// shared between these files with nothing to change on our side.
#![allow(unreachable_pub)]

pub(crate) mod chart_canvas;
mod error_banner;
mod header;
pub(crate) mod live_indicator;
mod load_panel;
pub(crate) mod pivot_result;
mod result_grid;
mod sidebar;
mod sign_in;
mod sql_console;
mod table_browser;

use crate::error::AppError;
use crate::i18n::{I18n, Locale, Msg, tr};
use crate::infra::session::{self, Token};
use crate::infra::{api, browser};
use crate::state::{AppState, Mode, Session, use_app_state};
use error_banner::ErrorBanner;
use header::Header;
use leptos::prelude::*;
use quiver_shared::catalog::Catalog;
use sidebar::Sidebar;
use sign_in::SignIn;
use sql_console::SqlConsole;
use std::sync::Arc;
use table_browser::TableBrowser;

/// The root: sets up the locale and the session, then shows the screen for the session.
#[component]
pub(crate) fn App() -> impl IntoView {
    let locale = browser::stored_locale()
        .and_then(|tag| Locale::from_stored(&tag))
        .or_else(|| browser::navigator_language().map(|tag| Locale::from_tag(&tag)))
        .unwrap_or_default();
    let i18n = I18n::new(locale);
    provide_context(i18n);
    Effect::new(move |_| browser::set_document_language(i18n.locale.get().tag()));
    // Embedded dashboards and share links are pages of their own (no workspace); an embed
    // token never goes to storage, so `initial_token` is not called for them.
    let path = crate::infra::frame::path();
    if let Some(dashboard) = crate::dashboard::embed::dashboard_in_path(&path) {
        provide_context(AppState::new(None));
        return view! { <crate::dashboard::embed::EmbedPage dashboard /> }.into_any();
    }
    if let Some(share_token) = crate::dashboard::share::token_in_path(&path) {
        provide_context(AppState::new(None));
        return view! {
            <Header />
            <ErrorBanner />
            <crate::dashboard::share::SharedPage share_token />
        }
        .into_any();
    }
    let state = AppState::new(session::initial_token());
    provide_context(state);
    crate::bench::install(state);

    view! {
        <Header />
        <ErrorBanner />
        {move || match state.session.get() {
            Session::SignedIn(token) => view! { <Workspace token /> }.into_any(),
            Session::SignedOut(reason) => view! { <SignIn reason /> }.into_any(),
        }}
    }
    .into_any()
}

/// The signed-in screen: the catalogue in the sidebar, the chosen table, the SQL console.
#[component]
fn Workspace(token: Token) -> impl IntoView {
    let state = use_app_state();
    let catalog = LocalResource::new(move || {
        let token = token.clone();
        async move { api::catalog(&token).await.map(Arc::new).map_err(AppError::from) }
    });
    Effect::new(move |_| match catalog.get() {
        Some(Ok(catalog)) => {
            state.tenant.set(Some(catalog.tenant.clone()));
            crate::live::start(state);
            if state.selected.get_untracked().is_none() {
                state.selected.set(first_table(&catalog));
            }
        }
        Some(Err(error)) => state.fail(error),
        None => {}
    });
    let retry = move |_| {
        state.error.set(None);
        catalog.refetch();
    };
    // The mode and the pivot live in the address (reload, back/forward, shared links).
    crate::pivot::sync::start(state);
    crate::dashboard::provide_address();
    let explore = move || state.mode.get() == Mode::Explore;
    let tab = move |mode: Mode| crate::pivot::sync::set_mode(state, mode);

    view! {
        <nav class="mode-tabs" role="tablist">
            <button
                id="tab-explore"
                class="mode-tab"
                role="tab"
                class:active=explore
                aria-selected=move || explore().to_string()
                on:click=move |_| tab(Mode::Explore)
            >
                {tr(Msg::TabExplore)}
            </button>
            <button
                id="tab-pivot"
                class="mode-tab"
                role="tab"
                class:active=move || state.mode.get() == Mode::Pivot
                aria-selected=move || (state.mode.get() == Mode::Pivot).to_string()
                on:click=move |_| tab(Mode::Pivot)
            >
                {tr(Msg::TabPivot)}
            </button>
            <button
                id="tab-analyze"
                class="mode-tab"
                role="tab"
                class:active=move || state.mode.get() == Mode::Analyze
                aria-selected=move || (state.mode.get() == Mode::Analyze).to_string()
                on:click=move |_| tab(Mode::Analyze)
            >
                {tr(Msg::TabAnalyze)}
            </button>
            <button
                id="tab-dashboards"
                class="mode-tab"
                role="tab"
                class:active=move || state.mode.get() == Mode::Dashboards
                aria-selected=move || (state.mode.get() == Mode::Dashboards).to_string()
                on:click=move |_| tab(Mode::Dashboards)
            >
                {tr(Msg::TabDashboards)}
            </button>
            <Show when=move || state.me.with(|m| m.as_ref().is_some_and(|m| m.role == "admin"))>
                <button
                    id="tab-admin"
                    class="mode-tab"
                    role="tab"
                    class:active=move || state.mode.get() == Mode::Admin
                    aria-selected=move || (state.mode.get() == Mode::Admin).to_string()
                    on:click=move |_| tab(Mode::Admin)
                >
                    {tr(Msg::TabAdmin)}
                </button>
            </Show>
        </nav>
        <div class="workspace">
            <Suspense fallback=move || {
                view! { <p class="placeholder">{tr(Msg::LoadingCatalog)}</p> }
            }>
                {move || Suspend::new(async move {
                    match catalog.await {
                        Ok(catalog) => {
                            view! {
                                <div class="explore-pane" hidden=move || !explore()>
                                    <Sidebar catalog=catalog.clone() />
                                    <main class="main">
                                        <SelectedTable catalog=catalog.clone() />
                                        <SqlConsole catalog=catalog.clone() />
                                    </main>
                                </div>
                                <crate::pivot::PivotPage catalog=catalog.clone() />
                                <crate::analysis::AnalysisPage catalog=catalog.clone() />
                                <crate::admin::AdminPage catalog=catalog.clone() />
                                <crate::dashboard::DashboardsPage catalog />
                            }
                                .into_any()
                        }
                        Err(_) => {
                            view! {
                                <div class="placeholder">
                                    <p>{tr(Msg::CatalogUnavailable)}</p>
                                    <button class="button" on:click=retry>
                                        {tr(Msg::Retry)}
                                    </button>
                                </div>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </div>
    }
}

/// The table browser and load panel of the table chosen in the sidebar. Choosing another table
/// builds them afresh, so that the date range and columns start from that table's defaults.
#[component]
fn SelectedTable(catalog: Arc<Catalog>) -> impl IntoView {
    let state = use_app_state();
    // A memo, so that clicking the table already shown does not reset its load form.
    let selected = Memo::new(move |_| state.selected.get());
    move || {
        let name = selected.get();
        match catalog.tables.iter().find(|t| Some(&t.name) == name.as_ref()) {
            Some(table) => view! {
                <div class="table-row">
                    <TableBrowser table=table.clone() />
                    <load_panel::LoadPanel table=table.clone() />
                </div>
            }
            .into_any(),
            None => view! { <p class="placeholder">{tr(Msg::ChooseTable)}</p> }.into_any(),
        }
    }
}

/// The table to show first: the biggest date-partitioned (fact) table, where the analysis
/// usually starts; else the first table.
fn first_table(catalog: &Catalog) -> Option<String> {
    catalog
        .tables
        .iter()
        .filter(|t| t.is_dated())
        .max_by_key(|t| t.rows)
        .or_else(|| catalog.tables.first())
        .map(|t| t.name.clone())
}
