//! The header bar: product name, the signed-in tenant, the live indicator and the language switcher.

use crate::i18n::{Locale, Msg, tr, use_i18n};
use crate::infra::browser;
use crate::state::use_app_state;
use leptos::prelude::*;

/// The header bar.
#[component]
pub(crate) fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let tenant = move || state.tenant.with(|t| t.as_ref().map(|t| t.name.clone()));
    let switch = move |tag: String| {
        let locale = Locale::from_stored(&tag).unwrap_or_default();
        i18n.locale.set(locale);
        browser::store_locale(locale.tag());
    };

    view! {
        <header class="app-header">
            <div class="brand">
                <img class="brand-icon" src="/icon.svg" alt="" width="22" height="22" />
                <span class="brand-name">{tr(Msg::ProductName)}</span>
            </div>
            {move || {
                tenant()
                    .map(|name| {
                        view! {
                            <span class="tenant" id="tenant-name">
                                {name}
                            </span>
                        }
                    })
            }}
            <div class="header-spacer"></div>
            <super::live_indicator::LiveIndicator />
            <label class="locale-switcher">
                <span class="locale-label">{tr(Msg::LanguageLabel)}</span>
                <select id="locale-select" on:change:target=move |ev| switch(ev.target().value())>
                    {Locale::ALL
                        .into_iter()
                        .map(|locale| {
                            view! {
                                <option
                                    value=locale.tag()
                                    prop:selected=move || i18n.locale.get() == locale
                                >
                                    {locale.native_name()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
        </header>
    }
}
