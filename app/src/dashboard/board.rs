//! An open dashboard: title, notes, global filters, the grid of tiles, and (in the workspace)
//! saving, versions, duplicating, deleting and sharing.

use super::{Board, filters_bar::FiltersBar, grid, open, tile::TileView, use_page_address};
use crate::error::AppError;
use crate::i18n::{Msg, tr, use_i18n};
use crate::infra::api::ApiError;
use crate::infra::dashboards::{self, VersionSummary};
use crate::infra::format;
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos::task::spawn_local;
use quiver_shared::catalog::Catalog;
use quiver_shared::dashboard::DashboardFilters;
use std::sync::Arc;

/// A dashboard opened from the workspace's list or address.
#[component]
pub(crate) fn WorkspaceBoard(id: String, filters: Option<DashboardFilters>, catalog: Arc<Catalog>) -> impl IntoView {
    let state = use_app_state();
    let record = LocalResource::new(move || {
        let (token, id) = (state.token(), id.clone());
        async move {
            let token = token.ok_or(ApiError::Unauthorized(crate::infra::api::AuthFailure::Missing))?;
            dashboards::get(&token, &id, None).await.map_err(AppError::from)
        }
    });
    view! {
        <Suspense fallback=move || view! { <p class="placeholder">{tr(Msg::TileRunning)}</p> }>
            {move || {
                let (catalog, filters) = (catalog.clone(), filters.clone());
                Suspend::new(async move {
                    match record.await {
                        Ok(record) => {
                            let editable = Signal::derive(move || {
                                state.me.with(|m| m.as_ref().is_some_and(|m| m.can_edit()))
                            });
                            let board = Board::new(state, catalog, record, filters, editable, true);
                            view! {
                                <Toolbar board />
                                <DashboardView board />
                            }
                                .into_any()
                        }
                        Err(error) => {
                            state.fail(error);
                            view! { <BackToList /> }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn BackToList() -> impl IntoView {
    let state = use_app_state();
    let page = use_page_address();
    view! {
        <button class="button subtle" id="dashboard-back" on:click=move |_| open(state, page, None)>
            {"← "}
            {tr(Msg::BackToList)}
        </button>
    }
}

/// What the toolbar last did.
#[derive(Clone, Debug, PartialEq)]
enum Notice {
    Saved(i64),
    Conflict(String),
}

/// Save, versions, duplicate, delete, share.
#[component]
fn Toolbar(board: Board) -> impl IntoView {
    let state = board.state;
    let i18n = use_i18n();
    let page = use_page_address();
    let notice = RwSignal::new(None::<Notice>);
    let versions = RwSignal::new(None::<Vec<VersionSummary>>);
    let confirm_delete = RwSignal::new(false);
    let share_open = RwSignal::new(false);
    let id = board.id.get_value();

    let save = move |_| {
        let Some(token) = state.token() else { return };
        let mut body = board.draft.get_untracked();
        body.filters = board.filters.get_untracked();
        let (id, base) = (board.id.get_value(), board.base_version.get_untracked());
        spawn_local(async move {
            match dashboards::save(&token, &id, base, &body).await {
                Ok(record) => {
                    board.base_version.set(record.version);
                    board.shown_version.set(record.version);
                    notice.set(Some(Notice::Saved(record.version)));
                }
                Err(ApiError::Http { status: 409, message, .. }) => notice.set(Some(Notice::Conflict(message))),
                Err(error) => state.fail(error.into()),
            }
        });
    };
    let reload = move |_| {
        let Some(token) = state.token() else { return };
        let id = board.id.get_value();
        spawn_local(async move {
            match dashboards::get(&token, &id, None).await {
                Ok(record) => {
                    board.base_version.set(record.version);
                    board.shown_version.set(record.version);
                    board.draft.set(record.body);
                    notice.set(None);
                }
                Err(error) => state.fail(error.into()),
            }
        });
    };
    let toggle_versions = move |_| {
        if versions.get_untracked().is_some() {
            versions.set(None);
            return;
        }
        let Some(token) = state.token() else { return };
        let id = board.id.get_value();
        spawn_local(async move {
            match dashboards::versions(&token, &id).await {
                Ok(list) => versions.set(Some(list)),
                Err(error) => state.fail(error.into()),
            }
        });
    };
    let show_version = move |version: i64| {
        let Some(token) = state.token() else { return };
        let id = board.id.get_value();
        spawn_local(async move {
            match dashboards::get(&token, &id, Some(version)).await {
                Ok(record) => {
                    board.shown_version.set(record.version);
                    board.draft.set(record.body);
                }
                Err(error) => state.fail(error.into()),
            }
        });
    };
    let duplicate = move |_| {
        let Some(token) = state.token() else { return };
        let id = board.id.get_value();
        spawn_local(async move {
            match dashboards::duplicate(&token, &id).await {
                Ok(record) => open(state, page, Some(record.id)),
                Err(error) => state.fail(error.into()),
            }
        });
    };
    let delete = move |_| {
        if !confirm_delete.get_untracked() {
            confirm_delete.set(true);
            return;
        }
        let Some(token) = state.token() else { return };
        let id = board.id.get_value();
        spawn_local(async move {
            match dashboards::delete(&token, &id).await {
                Ok(()) => open(state, page, None),
                Err(error) => state.fail(error.into()),
            }
        });
    };
    let editable = board.editable;
    let notice_view = move || {
        notice.get().map(|n| match n {
            Notice::Saved(v) => {
                view! { <span class="dashboard-notice" id="dashboard-saved">{move || i18n.f(Msg::SavedVersion, &[&v.to_string()])}</span> }
                    .into_any()
            }
            Notice::Conflict(message) => {
                let latest = message
                    .split("version ")
                    .nth(1)
                    .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
                    .unwrap_or("?")
                    .to_owned();
                view! {
                    <span class="dashboard-notice conflict" id="dashboard-conflict" role="alert">
                        {move || i18n.f(Msg::VersionConflict, &[&latest])}
                        <button class="button subtle" on:click=reload>
                            {tr(Msg::Reload)}
                        </button>
                    </span>
                }
                    .into_any()
            }
        })
    };
    view! {
        <div class="dashboard-toolbar" id="dashboard-toolbar" data-dashboard=id>
            <BackToList />
            <Show when=move || editable.get()>
                <button class="button primary" id="dashboard-save" on:click=save>
                    {tr(Msg::Save)}
                </button>
            </Show>
            <button class="button" id="dashboard-versions" on:click=toggle_versions>
                {tr(Msg::Versions)}
            </button>
            <Show when=move || editable.get()>
                <button class="button" id="dashboard-duplicate" on:click=duplicate>
                    {tr(Msg::Duplicate)}
                </button>
                <button class="button" id="dashboard-delete" on:click=delete>
                    {move || if confirm_delete.get() { i18n.t(Msg::ConfirmDelete) } else { i18n.t(Msg::Delete) }}
                </button>
            </Show>
            <button class="button" id="dashboard-share" on:click=move |_| share_open.update(|o| *o = !*o)>
                {tr(Msg::Share)}
            </button>
            <Show when=move || !editable.get()>
                <span class="badge">{tr(Msg::ReadOnly)}</span>
            </Show>
            <span class="dashboard-version" id="dashboard-version" data-version=move || board.base_version.get()>
                {move || format!("v{}", board.shown_version.get())}
            </span>
            {notice_view}
        </div>
        <Show when=move || { board.shown_version.get() != board.base_version.get() }>
            <p class="dashboard-notice" id="dashboard-old-version">
                {move || i18n.f(Msg::ShowingVersion, &[&board.shown_version.get().to_string()])}
            </p>
        </Show>
        {move || {
            versions
                .get()
                .map(|list| {
                    view! {
                        <ul class="dashboard-version-list" id="dashboard-version-list">
                            {list
                                .into_iter()
                                .map(|v| {
                                    let version = v.version;
                                    let when = format::instant(i18n.locale.get_untracked(), &state.time_zone_untracked(), v.saved_at * 1_000_000);
                                    view! {
                                        <li>
                                            <a
                                                href="#"
                                                data-version=version
                                                on:click=move |ev| {
                                                    ev.prevent_default();
                                                    show_version(version);
                                                }
                                            >
                                                {move || {
                                                    i18n.f(Msg::VersionLine, &[&version.to_string(), &v.title, &when])
                                                }}
                                            </a>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })
        }}
        <Show when=move || share_open.get()>
            <super::share::SharePanel board />
        </Show>
    }
}

/// Where the tile being dragged would land with the pointer where `event` has it.
fn drop_target(board: Board, event: &leptos::ev::DragEvent) -> Option<quiver_shared::dashboard::TileLayout> {
    let (id, (grab_x, grab_y)) = board.dragging.get_value()?;
    let layout = board.draft.with_untracked(|d| d.tiles.iter().find(|t| t.id == id).map(|t| t.layout))?;
    let (width, (x, y)) = crate::infra::dnd::pointer_in_zone(event)?;
    Some(grid::placed_at(layout, grid::snap(width, x - grab_x, y - grab_y)))
}

/// Title, notes, filters and the grid: the same in the workspace, on share links and embedded.
#[component]
pub(crate) fn DashboardView(board: Board) -> impl IntoView {
    let editable = board.editable;
    let title = move || board.draft.with(|d| d.title.clone());
    let notes = move || board.draft.with(|d| d.notes.clone());
    let tile_ids = Memo::new(move |_| board.draft.with(|d| d.tiles.iter().map(|t| t.id.clone()).collect::<Vec<_>>()));
    view! {
        <article class="dashboard" id="dashboard" data-dashboard=board.id.get_value()>
            <header class="dashboard-head">
                {move || {
                    if editable.get() {
                        view! {
                            <input
                                class="dashboard-title-input"
                                id="dashboard-title"
                                maxlength="200"
                                prop:value=title
                                on:change:target=move |ev| board.draft.update(|d| d.title = ev.target().value())
                            />
                            <textarea
                                class="dashboard-notes-input"
                                id="dashboard-notes"
                                placeholder=tr(Msg::NotesLabel)
                                prop:value=notes
                                on:change:target=move |ev| board.draft.update(|d| d.notes = ev.target().value())
                            ></textarea>
                        }
                            .into_any()
                    } else {
                        view! {
                            <h2 class="dashboard-title" id="dashboard-title">{title}</h2>
                            <p class="dashboard-notes" id="dashboard-notes">{notes}</p>
                        }
                            .into_any()
                    }
                }}
            </header>
            <FiltersBar board />
            <div
                class="dashboard-grid"
                id="dashboard-grid"
                on:dragover=move |ev| {
                    if let Some(layout) = drop_target(board, &ev) {
                        crate::infra::dnd::accept(&ev);
                        board.drop_preview.set(Some(layout));
                    }
                }
                on:drop=move |ev| {
                    let target = drop_target(board, &ev);
                    if let (Some(layout), Some((id, _))) = (target, board.dragging.get_value()) {
                        ev.prevent_default();
                        board.relayout(&id, |_| layout);
                    }
                    board.dragging.set_value(None);
                    board.drop_preview.set(None);
                }
            >
                <For each=move || tile_ids.get() key=|id| id.clone() let:id>
                    <TileView board id />
                </For>
                {move || {
                    board
                        .drop_preview
                        .get()
                        .map(|layout| {
                            view! { <div class="tile-drop-preview" aria-hidden="true" style=grid::grid_style(layout)></div> }
                        })
                }}
            </div>
        </article>
    }
}
