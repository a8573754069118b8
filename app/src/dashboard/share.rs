//! Share links: making, listing and revoking them on a dashboard, and the page a link opens
//! (`/share/qs_…`), read-only with the filters still usable.

use super::{Board, DashboardView};
use crate::error::AppError;
use crate::i18n::{Msg, tr, use_i18n};
use crate::infra::dashboards::{self, ShareLink};
use crate::infra::session::{self, Token};
use crate::infra::{api, format, frame};
use crate::state::{Session, use_app_state};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;

/// The share link's token in a `/share/qs_…` path.
pub(crate) fn token_in_path(path: &str) -> Option<String> {
    let token = path.strip_prefix("/share/")?.trim_end_matches('/');
    (token.starts_with("qs_") && !token.contains('/')).then(|| token.to_owned())
}

/// Making, listing and revoking links.
#[component]
pub(crate) fn SharePanel(board: Board) -> impl IntoView {
    let state = board.state;
    let i18n = use_i18n();
    let days = RwSignal::new(7_i64);
    let public = RwSignal::new(false);
    let made = RwSignal::new(None::<String>);
    let links = RwSignal::new(Vec::<ShareLink>::new());
    let refresh = move || {
        let Some(token) = state.token() else { return };
        let id = board.id.get_value();
        spawn_local(async move {
            // Listing needs an editor; viewers simply see no list.
            if let Ok(list) = dashboards::links(&token, &id).await {
                links.set(list);
            }
        });
    };
    refresh();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(token) = state.token() else { return };
        let id = board.id.get_value();
        let filters = board.filters.get_untracked();
        let (secs, public) = (days.get_untracked() * 86_400, public.get_untracked());
        spawn_local(async move {
            match dashboards::create_link(&token, &id, &filters, secs, public).await {
                Ok(link) => {
                    made.set(Some(format!("{}{}", frame::origin(), link.path)));
                    refresh();
                }
                Err(error) => state.fail(error.into()),
            }
        });
    };
    let revoke = move |link: String| {
        let Some(token) = state.token() else { return };
        let id = board.id.get_value();
        spawn_local(async move {
            match dashboards::revoke_link(&token, &id, &link).await {
                Ok(()) => refresh(),
                Err(error) => state.fail(error.into()),
            }
        });
    };
    let time_zone = state.time_zone_untracked();
    view! {
        <section class="share-panel" id="share-panel">
            <form class="share-form" on:submit=create>
                <label>
                    <span>{tr(Msg::ShareExpiry)}</span>
                    <select id="share-expiry" on:change:target=move |ev| days.set(ev.target().value().parse().unwrap_or(7))>
                        <option value="1">{tr(Msg::OneDay)}</option>
                        <option value="7" selected>{tr(Msg::SevenDays)}</option>
                        <option value="30">{tr(Msg::ThirtyDays)}</option>
                    </select>
                </label>
                <Show when=move || board.editable.get()>
                    <label>
                        <input type="checkbox" id="share-public" on:change:target=move |ev| public.set(ev.target().checked()) />
                        <span>{tr(Msg::SharePublic)}</span>
                    </label>
                </Show>
                <button class="button primary" id="share-create" type="submit">
                    {tr(Msg::CreateLink)}
                </button>
            </form>
            {move || made.get().map(|url| view! { <input class="share-url" id="share-url" readonly prop:value=url /> })}
            <Show when=move || !links.with(Vec::is_empty)>
                <h4>{tr(Msg::ShareLinks)}</h4>
                <ul class="share-links" id="share-links">
                    {
                        let time_zone = time_zone.clone();
                        move || {
                            links
                                .get()
                                .into_iter()
                                .map(|link| {
                                    let id = link.id.clone();
                                    let kind = if link.public { Msg::PublicLink } else { Msg::AccountLink };
                                    let until = format::instant(i18n.locale.get_untracked(), &time_zone, link.expires_at * 1_000_000);
                                    let revoked = link.revoked_at.is_some();
                                    view! {
                                        <li data-link=link.id.clone() data-revoked=revoked.to_string()>
                                            <span>{tr(kind)}</span>
                                            " · "
                                            <span>
                                                {move || {
                                                    if revoked { i18n.t(Msg::Revoked).to_owned() } else { i18n.f(Msg::Expires, &[&until]) }
                                                }}
                                            </span>
                                            <Show when=move || !revoked>
                                                <button class="button subtle share-revoke" on:click={
                                                    let id = id.clone();
                                                    move |_| revoke(id.clone())
                                                }>
                                                    {tr(Msg::Revoke)}
                                                </button>
                                            </Show>
                                        </li>
                                    }
                                })
                                .collect_view()
                        }
                    }
                </ul>
            </Show>
        </section>
    }
}

/// The page a share link opens: the dashboard, read-only, with its filters usable. The opener's
/// own sign-in (this tab's token, or the session cookie) is tried first; a public link reads
/// with the link's own token, kept in memory.
#[component]
pub(crate) fn SharedPage(share_token: String) -> impl IntoView {
    let state = use_app_state();
    let i18n = use_i18n();
    let opened = LocalResource::new(move || {
        let share_token = share_token.clone();
        async move {
            let own = session::initial_token().unwrap_or_else(Token::cookie);
            let link = dashboards::open_link(&own, &share_token).await?;
            let data_token = if link.access == "public" { Token::in_memory(share_token) } else { own };
            let catalog = api::catalog(&data_token).await?;
            Ok::<_, api::ApiError>((link, data_token, Arc::new(catalog)))
        }
    });
    view! {
        <Suspense fallback=move || view! { <p class="placeholder">{tr(Msg::TileRunning)}</p> }>
            {move || Suspend::new(async move {
                match opened.await {
                    Ok((link, token, catalog)) => {
                        state.tenant.set(Some(catalog.tenant.clone()));
                        state.session.set(Session::SignedIn(token));
                        crate::live::start(state);
                        let board = Board::new(state, catalog, link.dashboard, Some(link.filters), Signal::stored(false), false);
                        view! {
                            <main class="shared-page">
                                <p class="dashboard-notice" id="shared-note">{tr(Msg::SharedReadOnly)}</p>
                                <DashboardView board />
                            </main>
                        }
                            .into_any()
                    }
                    Err(error) => {
                        let detail = AppError::from(error);
                        let text = detail.detail(i18n).unwrap_or_else(|| detail.framing(i18n));
                        view! {
                            <p class="placeholder" id="share-error" role="alert">
                                {move || i18n.f(Msg::ShareOpenFailed, &[&text])}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
