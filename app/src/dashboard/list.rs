//! The dashboard list, and creating an empty dashboard.

use super::{open, use_page_address};
use crate::error::AppError;
use crate::i18n::{Msg, tr};
use crate::infra::dashboards;
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos::task::spawn_local;
use quiver_shared::dashboard::DashboardBody;

/// Every dashboard of the tenant, with a form to make a new one (editors).
#[component]
pub(crate) fn DashboardList() -> impl IntoView {
    let state = use_app_state();
    let page = use_page_address();
    let list = LocalResource::new(move || {
        let token = state.token();
        async move {
            match token {
                Some(token) => dashboards::list(&token).await.map_err(AppError::from),
                None => Ok(Vec::new()),
            }
        }
    });
    let can_edit = move || state.me.with(|m| m.as_ref().is_some_and(|m| m.can_edit()));
    let title = RwSignal::new(String::new());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(token) = state.token() else { return };
        let body = DashboardBody {
            title: title.get_untracked().trim().to_owned(),
            notes: String::new(),
            filters: Default::default(),
            tiles: Vec::new(),
        };
        spawn_local(async move {
            match dashboards::create(&token, &body).await {
                Ok(record) => open(state, page, Some(record.id)),
                Err(error) => state.fail(error.into()),
            }
        });
    };
    view! {
        <section class="dashboard-list" id="dashboard-list">
            <h2>{tr(Msg::DashboardsTitle)}</h2>
            <Show when=can_edit>
                <form class="dashboard-new" on:submit=create>
                    <input
                        id="new-dashboard-title"
                        required
                        maxlength="200"
                        placeholder=tr(Msg::DashboardTitleLabel)
                        prop:value=title
                        on:input:target=move |ev| title.set(ev.target().value())
                    />
                    <button class="button primary" id="new-dashboard" type="submit">
                        {tr(Msg::NewDashboard)}
                    </button>
                </form>
            </Show>
            <Suspense>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(items) if items.is_empty() => {
                            view! { <p class="placeholder">{tr(Msg::NoDashboards)}</p> }.into_any()
                        }
                        Ok(items) => {
                            view! {
                                <ul class="dashboard-items">
                                    {items
                                        .into_iter()
                                        .map(|item| {
                                            let id = item.id.clone();
                                            view! {
                                                <li>
                                                    <a
                                                        href="#"
                                                        class="dashboard-link"
                                                        data-id=item.id.clone()
                                                        on:click=move |ev| {
                                                            ev.prevent_default();
                                                            open(state, page, Some(id.clone()));
                                                        }
                                                    >
                                                        {item.title}
                                                    </a>
                                                    <span class="muted">{format!(" v{}", item.version)}</span>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(error) => {
                            state.fail(error);
                            ().into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
