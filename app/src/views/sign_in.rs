//! The sign-in screen: the e-mail and password form, and why the last sign-in ended.

use crate::i18n::{Msg, tr, use_i18n};
use crate::infra::account;
use crate::infra::api::{ApiError, AuthFailure};
use crate::infra::session::Token;
use crate::state::{Session, use_app_state};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Shown without a token, or after the server refused it. A session cookie from an earlier
/// sign-in is tried first (`GET /api/me`), so a reload stays signed in.
#[component]
pub(crate) fn SignIn(reason: Option<AuthFailure>) -> impl IntoView {
    let state = use_app_state();
    let i18n = use_i18n();
    let reason = reason.map(|failure| match failure {
        AuthFailure::Expired => Msg::SignInExpired,
        AuthFailure::Invalid => Msg::SignInInvalid,
        AuthFailure::Missing => Msg::SignInMissing,
    });
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<Msg>);
    // Only right after a page load: after a refused token or a sign-out there is nothing to try.
    let checking = RwSignal::new(reason.is_none());
    if reason.is_none() {
        spawn_local(async move {
            if account::me(&Token::cookie()).await.is_ok() {
                state.session.set(Session::SignedIn(Token::cookie()));
            } else {
                checking.set(false);
            }
        });
    }
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        failure.set(None);
        let (e, p) = (email.get_untracked(), password.get_untracked());
        spawn_local(async move {
            match account::sign_in(&e, &p).await {
                Ok(()) => {
                    state.error.set(None);
                    state.session.set(Session::SignedIn(Token::cookie()));
                }
                Err(error) => {
                    failure.set(Some(match error {
                        ApiError::Unauthorized(_) => Msg::SignInWrongPassword,
                        ApiError::Http { status: 429, .. } => Msg::SignInTooMany,
                        ApiError::Http { status: 400, .. } => Msg::SignInIncomplete,
                        _ => Msg::SignInUnavailable,
                    }));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <main class="sign-in" id="sign-in">
            <section class="sign-in-card">
                <h1>{tr(Msg::SignInTitle)}</h1>
                {reason.map(|msg| view! { <p class="sign-in-reason">{tr(msg)}</p> })}
                <form id="sign-in-form" class="sign-in-form" on:submit=submit hidden=move || checking.get()>
                    <label>
                        <span>{tr(Msg::EmailLabel)}</span>
                        <input
                            id="sign-in-email"
                            type="email"
                            autocomplete="username"
                            required
                            prop:value=email
                            on:input:target=move |ev| email.set(ev.target().value())
                        />
                    </label>
                    <label>
                        <span>{tr(Msg::PasswordLabel)}</span>
                        <input
                            id="sign-in-password"
                            type="password"
                            autocomplete="current-password"
                            required
                            prop:value=password
                            on:input:target=move |ev| password.set(ev.target().value())
                        />
                    </label>
                    {move || {
                        failure
                            .get()
                            .map(|msg| {
                                view! {
                                    <p class="sign-in-reason" id="sign-in-error" role="alert">
                                        {move || i18n.t(msg)}
                                    </p>
                                }
                            })
                    }}
                    <button class="button primary" id="sign-in-submit" type="submit" disabled=move || busy.get()>
                        {tr(Msg::SignInButton)}
                    </button>
                </form>
                <p class="sign-in-hint">{tr(Msg::SignInBody)}</p>
            </section>
        </main>
    }
}
