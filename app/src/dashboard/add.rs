//! "Add to dashboard" in the pivot and analysis builders: the current spec becomes a tile of an
//! existing dashboard (saved as its next version) or of a new one.

use super::{grid, open, use_page_address};
use crate::i18n::{Msg, tr, use_i18n};
use crate::infra::dashboards::{self, DashboardSummary};
use crate::infra::session::Token;
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos::task::spawn_local;
use quiver_shared::dashboard::{DashboardBody, Tile, TileKind};

/// The value of the "new dashboard" choice.
const NEW: &str = "";

/// Adds the tile to dashboard `target` (or a new one titled `title`); returns its id and title.
async fn add_tile(
    token: &Token,
    target: &str,
    title: &str,
    make: impl FnOnce(&[Tile]) -> Tile,
) -> Result<(String, String), crate::infra::api::ApiError> {
    if target == NEW {
        let tile = make(&[]);
        let body = DashboardBody {
            title: title.to_owned(),
            notes: String::new(),
            filters: Default::default(),
            tiles: vec![tile],
        };
        let record = dashboards::create(token, &body).await?;
        return Ok((record.id, record.body.title));
    }
    let record = dashboards::get(token, target, None).await?;
    let mut body = record.body;
    let tile = make(&body.tiles);
    body.tiles.push(tile);
    let saved = dashboards::save(token, target, record.version, &body).await?;
    Ok((saved.id, saved.body.title))
}

/// The button and its small form. `spec` gives the current spec as JSON and a title for the tile.
#[component]
pub(crate) fn AddToDashboard(
    /// What the tile is (a pivot shown as a chart becomes a chart tile).
    kind: Signal<TileKind>,
    spec: Signal<(serde_json::Value, String)>,
    /// The id prefix of the controls (`pivot`, `analysis`), so both builders' are distinct.
    prefix: &'static str,
) -> impl IntoView {
    let state = use_app_state();
    let i18n = use_i18n();
    let page = use_page_address();
    let open_form = RwSignal::new(false);
    let choices = RwSignal::new(Vec::<DashboardSummary>::new());
    let target = RwSignal::new(NEW.to_owned());
    let title = RwSignal::new(String::new());
    let added = RwSignal::new(None::<(String, String)>);
    let can_edit = move || state.me.with(|m| m.as_ref().is_some_and(|m| m.can_edit()));
    let toggle = move |_| {
        let now_open = !open_form.get_untracked();
        open_form.set(now_open);
        added.set(None);
        if now_open && let Some(token) = state.token() {
            spawn_local(async move {
                match dashboards::list(&token).await {
                    Ok(list) => choices.set(list),
                    Err(error) => state.fail(error.into()),
                }
            });
        }
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(token) = state.token() else { return };
        let (spec, tile_title) = spec.get_untracked();
        let kind = kind.get_untracked();
        let (target, title) = (target.get_untracked(), title.get_untracked().trim().to_owned());
        let title = if title.is_empty() { tile_title.clone() } else { title };
        spawn_local(async move {
            let make = move |tiles: &[Tile]| Tile {
                id: grid::new_tile_id(tiles),
                title: tile_title,
                kind,
                spec,
                layout: grid::place_new(tiles, 6, 6),
            };
            match add_tile(&token, &target, &title, make).await {
                Ok(done) => added.set(Some(done)),
                Err(error) => state.fail(error.into()),
            }
        });
    };
    view! {
        <Show when=can_edit>
            <div class="add-to-dashboard">
                <button class="button" id=format!("{prefix}-add-to-dashboard") on:click=toggle>
                    {tr(Msg::AddToDashboard)}
                </button>
                <Show when=move || open_form.get()>
                    <form class="add-to-dashboard-form" id=format!("{prefix}-add-form") on:submit=add>
                        <select class="add-dashboard-select" on:change:target=move |ev| target.set(ev.target().value())>
                            <option value=NEW selected=move || target.get() == NEW>
                                {tr(Msg::NewDashboardOption)}
                            </option>
                            {move || {
                                choices
                                    .get()
                                    .into_iter()
                                    .map(|c| {
                                        let id = c.id.clone();
                                        view! {
                                            <option value=c.id selected=move || target.get() == id>
                                                {c.title}
                                            </option>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </select>
                        <Show when=move || target.get() == NEW>
                            <input
                                class="add-dashboard-title"
                                placeholder=tr(Msg::DashboardTitleLabel)
                                maxlength="200"
                                prop:value=title
                                on:input:target=move |ev| title.set(ev.target().value())
                            />
                        </Show>
                        <button class="button primary add-dashboard-confirm" type="submit">
                            {tr(Msg::Add)}
                        </button>
                        {move || {
                            added
                                .get()
                                .map(|(id, name)| {
                                    view! {
                                        <span class="dashboard-notice add-dashboard-done">
                                            {move || i18n.f(Msg::AddedTo, &[&name])}
                                            <button
                                                class="button subtle add-dashboard-open"
                                                type="button"
                                                on:click=move |_| open(state, page, Some(id.clone()))
                                            >
                                                {tr(Msg::Open)}
                                            </button>
                                        </span>
                                    }
                                })
                        }}
                    </form>
                </Show>
            </div>
        </Show>
    }
}
