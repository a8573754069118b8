//! One tile: its title, its result (the builders' own result views), and for editors the
//! buttons that move, resize and remove it.

use super::tile_run::{self, TileOutcome};
use super::{Board, apply, grid};
use crate::i18n::{Msg, tr, use_i18n};
use crate::infra::frame;
use leptos::prelude::*;
use leptos::task::spawn_local;
use quiver_shared::dashboard::{Tile, TileLayout};
use quiver_shared::pivot::PivotSpec;

/// A tile of `board`, found by id (so that edits to the body reach it).
#[component]
pub(crate) fn TileView(board: Board, id: String) -> impl IntoView {
    let i18n = use_i18n();
    let tile_id = id.clone();
    let tile = Memo::new(move |_| board.draft.with(|d| d.tiles.iter().find(|t| t.id == tile_id).cloned()));
    // Only a change of what is computed reruns the tile; moving or renaming it does not.
    let query = Memo::new(move |_| tile.with(|t| t.as_ref().map(|t| (t.kind, t.spec.clone()))));
    let filters_id = id.clone();
    // The filters this tile runs with; a cross filter from itself leaves them unchanged, so the
    // clicked tile does not rerun.
    let filters =
        Memo::new(move |_| board.filters.with(|f| board.cross.with(|c| apply::for_tile(f, c.as_ref(), &filters_id))));
    let outcome = RwSignal::new(TileOutcome::Working);
    let generation = StoredValue::new(0_u64);
    Effect::new(move |_| {
        let Some(_) = query.get() else { return };
        let filters = filters.get();
        board.state.tenant.track();
        let Some(tile) = tile.get_untracked() else { return };
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        outcome.set(TileOutcome::Working);
        let catalog = board.catalog.get_value();
        spawn_local(async move {
            let stale = move || generation.try_get_value() != Some(mine);
            if let Some(done) = tile_run::run(board.state, catalog, board.turns, tile, filters, stale).await {
                outcome.set(done);
            }
        });
    });
    let edit_layout = move |f: fn(TileLayout) -> TileLayout| {
        let id = id.clone();
        move |_| {
            board.draft.update(|d| {
                if let Some(t) = d.tiles.iter_mut().find(|t| t.id == id) {
                    t.layout = f(t.layout);
                }
            });
        }
    };
    let remove = {
        let id = tile.with_untracked(|t| t.as_ref().map(|t| t.id.clone())).unwrap_or_default();
        move |_| board.draft.update(|d| d.tiles.retain(|t| t.id != id))
    };
    let rename = {
        let id = tile.with_untracked(|t| t.as_ref().map(|t| t.id.clone())).unwrap_or_default();
        move |title: String| {
            board.draft.update(|d| {
                if let Some(t) = d.tiles.iter_mut().find(|t| t.id == id) {
                    t.title = title.trim().to_owned();
                }
            })
        }
    };
    let style = move || tile.with(|t| t.as_ref().map(|t| grid::grid_style(t.layout)).unwrap_or_default());
    let title = move || {
        tile.with(|t: &Option<Tile>| {
            t.as_ref()
                .map(|t| t.title.clone())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| i18n.t(Msg::TileUntitled).to_owned())
        })
    };
    let body = move || match outcome.get() {
        TileOutcome::Working => view! { <p class="tile-status">{tr(Msg::TileRunning)}</p> }.into_any(),
        TileOutcome::NoData => view! { <p class="tile-status">{tr(Msg::TileNoData)}</p> }.into_any(),
        TileOutcome::Failed(error) => {
            let detail = error.detail(i18n).unwrap_or_else(|| error.framing(i18n));
            view! { <p class="tile-status tile-error">{move || i18n.f(Msg::TileFailed, &[&detail])}</p> }.into_any()
        }
        TileOutcome::Pivot(output) => view! { <crate::views::pivot_result::PivotResult output /> }.into_any(),
        TileOutcome::Analysis(output) => {
            view! { <crate::analysis::result::AnalysisResultView output in_tile=true /> }.into_any()
        }
    };
    let tile_key = tile.with_untracked(|t| t.as_ref().map(|t| t.id.clone())).unwrap_or_default();
    let source_key = tile_key.clone();
    // A click on a pivot cell filters the other tiles to its row group; again clears it.
    let cross = move |ev: leptos::ev::MouseEvent| {
        let Some(row) = frame::clicked_cell_row(&ev) else { return };
        let Some(tile) = tile.get_untracked() else { return };
        let Ok(spec) = PivotSpec::from_json(&tile.spec.to_string()) else { return };
        let next = apply::cross_from_row(&tile.id, &spec, &row);
        board.cross.update(|current| *current = if *current == next { None } else { next });
    };
    let is_source = move || board.cross.with(|c| c.as_ref().is_some_and(|c| c.source == source_key));
    view! {
        <section class="dashboard-tile" class:cross-source=is_source data-tile=tile_key data-state=move || outcome.with(TileOutcome::as_str) style=style>
            <header class="tile-head">
                {move || {
                    if board.editable.get() {
                        let rename = rename.clone();
                        view! {
                            <input
                                class="tile-title-input"
                                maxlength="200"
                                placeholder=tr(Msg::TileUntitled)
                                prop:value=move || tile.with(|t| t.as_ref().map(|t| t.title.clone()).unwrap_or_default())
                                on:change:target=move |ev| rename(ev.target().value())
                            />
                        }
                            .into_any()
                    } else {
                        view! { <h3 class="tile-title">{title}</h3> }.into_any()
                    }
                }}
                <Show when=move || board.editable.get()>
                    <div class="tile-controls">
                        <button class="tile-button" title=tr(Msg::TileMoveLeft) on:click=edit_layout(|l| grid::moved(l, -1, 0))>"←"</button>
                        <button class="tile-button" title=tr(Msg::TileMoveRight) on:click=edit_layout(|l| grid::moved(l, 1, 0))>"→"</button>
                        <button class="tile-button" title=tr(Msg::TileMoveUp) on:click=edit_layout(|l| grid::moved(l, 0, -1))>"↑"</button>
                        <button class="tile-button" title=tr(Msg::TileMoveDown) on:click=edit_layout(|l| grid::moved(l, 0, 1))>"↓"</button>
                        <button class="tile-button" title=tr(Msg::Narrower) on:click=edit_layout(|l| grid::resized(l, -1, 0))>"⇤"</button>
                        <button class="tile-button" title=tr(Msg::Wider) on:click=edit_layout(|l| grid::resized(l, 1, 0))>"⇥"</button>
                        <button class="tile-button" title=tr(Msg::Shorter) on:click=edit_layout(|l| grid::resized(l, 0, -1))>"⤒"</button>
                        <button class="tile-button" title=tr(Msg::Taller) on:click=edit_layout(|l| grid::resized(l, 0, 1))>"⤓"</button>
                        <button class="tile-button tile-remove" title=tr(Msg::RemoveTile) on:click=remove.clone()>"×"</button>
                    </div>
                </Show>
            </header>
            <div class="tile-body" on:click=cross>{body}</div>
        </section>
    }
}
