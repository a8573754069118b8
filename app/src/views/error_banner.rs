//! The error banner: every failure, in words, with the details its source gave.

use crate::i18n::{Msg, tr, use_i18n};
use crate::state::use_app_state;
use leptos::prelude::*;

/// Shows the current failure, if any, until dismissed or replaced.
#[component]
pub(crate) fn ErrorBanner() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    move || {
        state.error.get().map(|error| {
            let detail = error.detail(i18n);
            view! {
                <div id="error-banner" class="error-banner" role="alert">
                    <div class="error-text">
                        <strong class="error-framing">{move || error.framing(i18n)}</strong>
                        {detail.map(|detail| view! { <span class="error-detail">{detail}</span> })}
                    </div>
                    <button
                        class="error-dismiss"
                        title=tr(Msg::Dismiss)
                        aria-label=tr(Msg::Dismiss)
                        on:click=move |_| state.error.set(None)
                    >
                        "×"
                    </button>
                </div>
            }
        })
    }
}
