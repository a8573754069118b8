//! The header's live indicator: the connection's state, the time of the last pushed rows (in the
//! tenant's time zone and the user's locale), and Pause/Resume.

use crate::i18n::{Msg, tr, use_i18n};
use crate::infra::format;
use crate::live::LiveStatus;
use crate::state::use_app_state;
use leptos::prelude::*;

/// `#live-status` (with `data-state`), `#live-updated` and `#live-toggle`.
#[component]
pub(crate) fn LiveIndicator() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let live = state.live;
    let status = live.status;
    let label = move || {
        i18n.t(match status.get() {
            LiveStatus::Off => Msg::LiveOff,
            LiveStatus::Connecting => Msg::LiveConnecting,
            LiveStatus::Connected => Msg::LiveConnected,
            LiveStatus::Reconnecting => Msg::LiveReconnecting,
            LiveStatus::Paused => Msg::LivePaused,
        })
    };
    let updated = move || {
        live.last_update.get().map(|micros| {
            let when = format::instant(i18n.locale.get(), &state.time_zone(), micros);
            view! {
                <span class="live-updated" id="live-updated" data-value=micros>
                    {i18n.f(Msg::LiveUpdated, &[&when])}
                </span>
            }
        })
    };
    let toggle = move |_| {
        if live.status.get_untracked() == LiveStatus::Paused { live.resume() } else { live.pause() }
    };
    view! {
        <div
            class="live-indicator"
            id="live-status"
            data-state=move || status.get().as_str()
            data-rows=move || live.rows_received.get()
            role="status"
        >
            <span class="live-dot" aria-hidden="true"></span>
            <span class="live-label">{label}</span>
            {updated}
            <Show when=move || status.get() != LiveStatus::Off>
                <button class="button live-toggle" id="live-toggle" title=tr(Msg::LivePauseHint) on:click=toggle>
                    {move || i18n.t(if live.is_paused() { Msg::LiveResume } else { Msg::LivePause })}
                </button>
            </Show>
        </div>
    }
}
