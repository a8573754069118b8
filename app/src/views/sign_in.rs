//! The sign-in screen: how to sign in, and why the last sign-in ended.

use crate::i18n::{Msg, tr};
use crate::infra::api::AuthFailure;
use leptos::prelude::*;

/// Shown without a token, or after the server refused it.
#[component]
pub(crate) fn SignIn(reason: Option<AuthFailure>) -> impl IntoView {
    let reason = reason.map(|failure| match failure {
        AuthFailure::Expired => Msg::SignInExpired,
        AuthFailure::Invalid => Msg::SignInInvalid,
        AuthFailure::Missing => Msg::SignInMissing,
    });
    view! {
        <main class="sign-in" id="sign-in">
            <section class="sign-in-card">
                <h1>{tr(Msg::SignInTitle)}</h1>
                {reason.map(|msg| view! { <p class="sign-in-reason">{tr(msg)}</p> })}
                <p>{tr(Msg::SignInBody)}</p>
            </section>
        </main>
    }
}
