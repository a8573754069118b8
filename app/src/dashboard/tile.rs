//! One tile: its title, its result (the builders' own result views), and for editors the
//! buttons that move, resize and remove it.

use super::tile_run::{self, TileOutcome};
use super::{Board, apply, grid};
use crate::i18n::{Msg, tr, use_i18n};
use crate::infra::{clock, frame};
use crate::views::chart_canvas::ChartPick;
use leptos::prelude::*;
use leptos::task::spawn_local;
use quiver_shared::dashboard::{Tile, TileKind, TileLayout};
use quiver_shared::pivot::PivotSpec;

/// Live rows rerun a tile at most this often (each rerun is a full run of the tile's query).
const LIVE_REFRESH_MS: i32 = 1_000;

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
    // Results shown so far (`data-runs`): live refreshes add one each.
    let runs = RwSignal::new(0_u32);
    let generation = StoredValue::new(0_u64);
    // The versions of the tile's tables' rows (live appends and reloads change them), and the
    // versions its shown result was computed from.
    let live = board.state.live;
    let tables = Memo::new(move |_| tile.with(|t| t.as_ref().and_then(|t| t.table().ok()).unwrap_or_default()));
    let versions = Memo::new(move |_| tables.with(|ts| ts.iter().map(|t| live.version(t)).collect::<Vec<_>>()));
    let shown_versions = StoredValue::new(Vec::<u64>::new());
    // Runs the tile; `quietly` keeps the shown result until the new one is in (live refreshes).
    let start = move |quietly: bool| {
        let Some(tile) = tile.get_untracked() else { return None };
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        if !quietly {
            outcome.set(TileOutcome::Working);
        }
        let catalog = board.catalog.get_value();
        let filters = filters.get_untracked();
        Some(async move {
            let stale = move || generation.try_get_value() != Some(mine);
            if let Some(done) = tile_run::run(board.state, catalog, board.turns, tile, filters, stale).await {
                shown_versions.set_value(versions.get_untracked());
                outcome.set(done);
                runs.update(|n| *n += 1);
            }
        })
    };
    Effect::new(move |_| {
        let Some(_) = query.get() else { return };
        filters.track();
        board.state.tenant.track();
        if let Some(run) = start(false) {
            spawn_local(run);
        }
    });
    // New rows in the tile's tables rerun it, coalesced: one rerun at most every
    // `LIVE_REFRESH_MS`, never two at once, and again at once if rows came in during a rerun.
    let live_pending = StoredValue::new(false);
    Effect::new(move |_| {
        let now = versions.get();
        let has_result = outcome.with_untracked(|o| !matches!(o, TileOutcome::Working | TileOutcome::Failed(_)));
        if live_pending.get_value() || !has_result || shown_versions.with_value(|v| *v == now) {
            return;
        }
        live_pending.set_value(true);
        spawn_local(async move {
            loop {
                clock::sleep(LIVE_REFRESH_MS).await;
                match start(true) {
                    Some(run) => run.await,
                    None => break,
                }
                if generation.try_get_value().is_none()
                    || shown_versions.with_value(|v| versions.with_untracked(|now| v == now))
                {
                    break;
                }
            }
            live_pending.try_set_value(false);
        });
    });
    let edit_layout = move |f: fn(TileLayout) -> TileLayout| {
        let id = id.clone();
        move |_| board.relayout(&id, f)
    };
    // Dragging by the handle: the grid (`DashboardView`) works out where it lands.
    let drag_id = tile.with_untracked(|t| t.as_ref().map(|t| t.id.clone())).unwrap_or_default();
    let drag_start = move |ev: leptos::ev::DragEvent| {
        let grab = crate::infra::dnd::offset_in_closest(&ev, ".dashboard-tile").unwrap_or((0.0, 0.0));
        board.dragging.set_value(Some((drag_id.clone(), grab)));
        crate::infra::dnd::start_move(&ev, &drag_id);
    };
    let drag_end = move |_| {
        board.dragging.set_value(None);
        board.drop_preview.set(None);
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
    // A click on a bar (or a heatmap cell, or a point) of a chart tile does the same as a
    // click on its row.
    // (Analysis charts' marks are steps, buckets or days, not groups a dimension filter keeps.)
    if tile.with_untracked(|t| t.as_ref().is_some_and(|t| t.kind != TileKind::Analysis)) {
        provide_context(ChartPick(Callback::new(move |key: String| {
            let Some(tile) = tile.get_untracked() else { return };
            let Ok(spec) = PivotSpec::from_json(&tile.spec.to_string()) else { return };
            let next = apply::cross_from_row(&tile.id, &spec, &key);
            board.cross.update(|current| *current = if *current == next { None } else { next });
        })));
    }
    let is_source = move || board.cross.with(|c| c.as_ref().is_some_and(|c| c.source == source_key));
    view! {
        <section class="dashboard-tile" class:cross-source=is_source data-tile=tile_key data-state=move || outcome.with(TileOutcome::as_str) data-runs=move || runs.get() style=style>
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
                        <span
                            class="tile-button tile-drag"
                            draggable="true"
                            title=tr(Msg::TileDragHint)
                            on:dragstart=drag_start.clone()
                            on:dragend=drag_end
                        >
                            "⠿"
                        </span>
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
