//! The header bar: product name, the signed-in tenant, the live indicator and the language switcher.

use crate::i18n::{Locale, Msg, tr, use_i18n};
use crate::infra::{account, browser, frame, session};
use crate::state::{Session, use_app_state};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The header bar.
#[component]
pub(crate) fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let tenant = move || state.tenant.with(|t| t.as_ref().map(|t| t.name.clone()));
    // Who is signed in, fetched whenever the credentials change.
    Effect::new(move |_| match state.session.get() {
        Session::SignedIn(token) => spawn_local(async move {
            if let Ok(me) = account::me(&token).await {
                state.me.set(Some(me));
            }
        }),
        Session::SignedOut(_) => state.me.set(None),
    });
    let sign_out = move |_| {
        spawn_local(async move {
            // A failure leaves a session the server will expire; the tab forgets it either way.
            let _ = account::sign_out().await;
            session::clear_token();
            // A fresh page drops every row of the tenant held in the engine.
            frame::go_to("/");
        });
    };
    let user = move || {
        state.me.get().map(|me| {
            let role = match me.role.as_str() {
                "admin" => Msg::RoleAdmin,
                "editor" => Msg::RoleEditor,
                _ => Msg::RoleViewer,
            };
            let name = me.user.as_ref().map_or_else(|| me.kind.clone(), |u| u.email.clone());
            // Share links and embed tokens have no session to end.
            let can_sign_out = matches!(me.kind.as_str(), "session" | "token");
            view! {
                <span class="signed-in-user" id="signed-in-user" data-role=me.role.clone()>
                    {name}
                    " · "
                    <span class="signed-in-role">{tr(role)}</span>
                </span>
                <Show when=move || can_sign_out>
                    <button class="header-button" id="sign-out" on:click=sign_out>
                        {tr(Msg::SignOut)}
                    </button>
                </Show>
            }
        })
    };
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
            {user}
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
