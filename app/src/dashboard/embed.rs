//! The embedded dashboard (`/embed/{dashboard}?token=qe_…`): chrome-less, the token in memory
//! only, and the `postMessage` protocol of [`super::protocol`] with the framing page.
//!
//! The frame asks for a new token (`quiver:need-token`) a little before the current one expires
//! and keeps asking every few seconds until one comes; when the token has expired with no
//! replacement it says so on the page and to the host (`quiver:token-expired`): never a silent
//! failure.

use super::protocol::{self, HostMessage};
use super::{Board, DashboardView, address};
use crate::error::AppError;
use crate::i18n::{Msg, tr, use_i18n};
use crate::infra::session::{self, Token};
use crate::infra::{account, api, clock, dashboards, frame, url};
use crate::state::{Session, use_app_state};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;

/// The dashboard id in an `/embed/{id}` path.
pub(crate) fn dashboard_in_path(path: &str) -> Option<String> {
    let id = path.strip_prefix("/embed/")?.trim_end_matches('/');
    (!id.is_empty() && !id.contains('/')).then(|| id.to_owned())
}

/// How often the frame asks again while no new token has come.
const ASK_AGAIN_MS: i32 = 3_000;

/// The embed page.
#[component]
pub(crate) fn EmbedPage(dashboard: String) -> impl IntoView {
    let state = use_app_state();
    let i18n = use_i18n();
    // The framing page's origin: the only one whose messages are read and to which ours go.
    let host = frame::referrer_origin();
    let first = session::take_token_from_url();
    let expires_at = RwSignal::new(None::<i64>);
    let issued_for = StoredValue::new(600_i64);
    let expired = RwSignal::new(false);
    let board = RwSignal::new(None::<Board>);
    if let Some(token) = first.clone() {
        state.session.set(Session::SignedIn(token));
    }
    let post = {
        let host = host.clone();
        move |message: String| {
            if let Some(host) = &host {
                frame::post_to_parent(&message, host);
            }
        }
    };

    // Learns the token's expiry (and checks it works) through `GET /api/me`.
    let adopt = move |token: Token| {
        spawn_local(async move {
            match account::me(&token).await {
                Ok(me) if me.kind == "embed" => {
                    state.session.set(Session::SignedIn(token));
                    issued_for.set_value((me.expires_at - frame::now_secs()).max(1));
                    expires_at.set(Some(me.expires_at));
                    expired.set(false);
                }
                // A token that does not work is not adopted; the current one stays until expiry.
                _ => {}
            }
        });
    };
    if let Some(token) = first.clone() {
        adopt(token);
    }

    // Host messages: a new token, new filters.
    {
        let host = host.clone();
        frame::on_message(move |origin, data| match protocol::parse(&origin, host.as_deref(), &data) {
            Ok(HostMessage::Token(token)) => adopt(Token::in_memory(token)),
            Ok(HostMessage::SetFilters(filters)) => {
                if let Some(board) = board.get_untracked() {
                    board.set_filters(filters);
                }
            }
            Err(_) => {}
        });
    }

    // The renewal clock: ask before expiry, and say so when it passes.
    {
        let post = post.clone();
        spawn_local(async move {
            loop {
                clock::sleep(1_000).await;
                let Some(until) = expires_at.get_untracked() else { continue };
                let left = until - frame::now_secs();
                if left <= 0 {
                    if !expired.get_untracked() {
                        expired.set(true);
                        post(protocol::token_expired());
                    }
                } else if left <= protocol::renew_lead_secs(issued_for.get_value()) {
                    post(protocol::need_token(until));
                    clock::sleep(ASK_AGAIN_MS).await;
                }
            }
        });
    }

    // The dashboard itself.
    {
        let post = post.clone();
        let filters = address::read(&url::current_params()).filters;
        spawn_local(async move {
            let Some(token) = state.token() else { return };
            let loaded = async {
                let catalog = api::catalog(&token).await?;
                let record = dashboards::get(&token, &dashboard, None).await?;
                Ok::<_, api::ApiError>((Arc::new(catalog), record))
            };
            match loaded.await {
                Ok((catalog, record)) => {
                    state.tenant.set(Some(catalog.tenant.clone()));
                    board.set(Some(Board::new(state, catalog, record, filters, Signal::stored(false), false)));
                    // Tiles stay live: pushed rows of the dashboard's tables (the token's scope).
                    crate::live::start(state);
                    post(protocol::ready());
                }
                Err(error) => state.error.set(Some(AppError::from(error))),
            }
        });
    }
    frame::on_height_change(move |height| post(protocol::height(height)));

    view! {
        <main class="embed" id="embed" data-expired=move || expired.get().to_string()>
            <Show when=move || first.is_none()>
                <p class="embed-message" role="alert">{tr(Msg::EmbedNoToken)}</p>
            </Show>
            <Show when=move || expired.get()>
                <p class="embed-message" id="embed-expired" role="alert">{tr(Msg::EmbedExpired)}</p>
            </Show>
            {move || {
                state
                    .error
                    .get()
                    .map(|error| {
                        let text = error.detail(i18n).unwrap_or_else(|| error.framing(i18n));
                        view! {
                            <p class="embed-message" id="embed-error" role="alert">
                                {move || i18n.f(Msg::EmbedFailed, &[&text])}
                            </p>
                        }
                    })
            }}
            <Show when=move || board.with(Option::is_some)>
                <crate::views::live_indicator::LiveIndicator />
            </Show>
            {move || board.get().map(|board| view! { <DashboardView board /> })}
        </main>
    }
}
