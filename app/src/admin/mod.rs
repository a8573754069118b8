//! The Admin tab: the tenant's users and their roles, API keys, row-level rules and settings
//! (public share links, the origins allowed to embed dashboards). Shown to admins only; the
//! server checks the role on every call regardless.

// `#[component]` props builders are `pub` whatever the component's visibility (see views/mod.rs).
#![allow(unreachable_pub)]

use crate::error::AppError;
use crate::i18n::{I18n, Msg, tr, use_i18n};
use crate::infra::admin::{self, RuleRecord, RuleSubject, TenantSettings};
use crate::infra::api::ApiError;
use crate::infra::format;
use crate::state::{AppState, Mode, use_app_state};
use leptos::prelude::*;
use leptos::task::spawn_local;
use quiver_shared::catalog::Catalog;
use std::future::Future;
use std::sync::Arc;

/// The roles, as the API names them.
const ROLES: [&str; 3] = ["viewer", "editor", "admin"];

fn role_msg(role: &str) -> Msg {
    match role {
        "admin" => Msg::RoleAdmin,
        "editor" => Msg::RoleEditor,
        _ => Msg::RoleViewer,
    }
}

/// A section's state: its last error, and a counter that reloads its list when bumped.
#[derive(Clone, Copy)]
struct Section {
    error: RwSignal<Option<AppError>>,
    version: RwSignal<u32>,
    state: AppState,
}

impl Section {
    fn new(state: AppState) -> Self {
        Self { error: RwSignal::new(None), version: RwSignal::new(0), state }
    }

    /// Runs a call; on success reloads the list (and hands the answer to `then`), on failure
    /// shows the error, which names the field the server refused.
    fn act<T: 'static, F: Future<Output = Result<T, ApiError>> + 'static>(
        self,
        call: impl FnOnce(crate::infra::session::Token) -> F,
        then: impl FnOnce(T) + 'static,
    ) {
        let Some(token) = self.state.token() else { return };
        let call = call(token);
        spawn_local(async move {
            match call.await {
                Ok(answer) => {
                    self.error.set(None);
                    then(answer);
                    self.version.update(|v| *v += 1);
                }
                Err(error) => self.error.set(Some(AppError::from(error))),
            }
        });
    }

    /// A list fetched by `fetch`, again whenever the section's version changes. (Signals, not
    /// resources: a resource read under the workspace's `Suspense` would blank the whole page
    /// while it reloads.)
    fn load<T, F>(
        self,
        fetch: impl Fn(crate::infra::session::Token) -> F + 'static,
    ) -> RwSignal<Option<Result<T, AppError>>>
    where
        T: Send + Sync + 'static,
        F: Future<Output = Result<T, AppError>> + 'static,
    {
        let out = RwSignal::new(None);
        Effect::new(move |_| {
            self.version.track();
            let Some(token) = self.state.token() else { return };
            let call = fetch(token);
            spawn_local(async move { out.set(Some(call.await)) });
        });
        out
    }

    fn error_view(self, i18n: I18n) -> impl IntoView {
        move || {
            self.error.get().map(|error| {
                let text = error.detail(i18n).unwrap_or_else(|| error.framing(i18n));
                view! { <p class="admin-error" role="alert">{text}</p> }
            })
        }
    }
}

/// The three roles as `<option>`s, `selected` chosen.
fn role_options(selected: &str) -> AnyView {
    ROLES
        .into_iter()
        .map(|r| view! { <option value=r selected=r == selected>{tr(role_msg(r))}</option> })
        .collect_view()
        .into_any()
}

/// A section's list: three headed columns and an action column over `rows`.
fn list_table(headings: [Msg; 3], rows: impl IntoView) -> impl IntoView {
    view! {
        <table class="result-table admin-table">
            <thead>
                <tr>
                    {headings.into_iter().map(|h| view! { <th>{tr(h)}</th> }).collect_view()}
                    <th></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// A list row's last cell: a button that runs `call` with the row's id (remove, revoke).
fn action_cell<F>(
    section: Section,
    label: Msg,
    id: String,
    call: fn(crate::infra::session::Token, String) -> F,
) -> impl IntoView
where
    F: Future<Output = Result<(), ApiError>> + 'static,
{
    view! {
        <td>
            <button
                class="button subtle admin-remove"
                type="button"
                on:click=move |_| {
                    let id = id.clone();
                    section.act(move |token| call(token, id), |_| {});
                }
            >
                {tr(label)}
            </button>
        </td>
    }
}

/// A list's row saying why it could not be read.
fn error_row(i18n: I18n, error: &AppError) -> AnyView {
    let text = error.detail(i18n).unwrap_or_else(|| error.framing(i18n));
    view! { <tr><td colspan="4" class="admin-error">{text}</td></tr> }.into_any()
}

/// A cell with the day of `secs` (seconds since the epoch), in the current locale.
fn day_cell(i18n: I18n, secs: i64) -> impl IntoView {
    let day = chrono::DateTime::from_timestamp(secs, 0).map(|d| d.date_naive()).unwrap_or_default();
    view! { <td>{move || format::date(i18n.locale.get(), day)}</td> }
}

/// Turns the comma-separated `text` into a rule's values for a column of `data_type` (Arrow's
/// name): numbers for numeric columns, `true`/`false` for booleans, text otherwise.
pub(crate) fn rule_values(text: &str, column: &str, data_type: &str) -> Result<Vec<serde_json::Value>, String> {
    let numeric = ["Int", "UInt", "Float", "Decimal"].iter().any(|p| data_type.starts_with(p));
    let values: Vec<&str> = text.split(',').map(str::trim).filter(|v| !v.is_empty()).collect();
    if values.is_empty() {
        return Err("enter at least one value".to_owned());
    }
    values
        .into_iter()
        .map(|v| {
            if numeric {
                v.parse::<i64>()
                    .map(serde_json::Value::from)
                    .or_else(|_| v.parse::<f64>().map(serde_json::Value::from))
                    .map_err(|_| format!("'{v}' is not a number ({column} is numeric)"))
            } else if data_type == "Boolean" {
                v.parse::<bool>().map(serde_json::Value::from).map_err(|_| format!("'{v}' is not true or false"))
            } else {
                Ok(serde_json::Value::from(v))
            }
        })
        .collect()
}

/// The Admin tab.
#[component]
pub(crate) fn AdminPage(catalog: Arc<Catalog>) -> impl IntoView {
    let state = use_app_state();
    let is_admin = move || state.me.with(|m| m.as_ref().is_some_and(|m| m.role == "admin"));
    view! {
        <div class="admin-page" id="admin-page" hidden=move || state.mode.get() != Mode::Admin>
            <Show
                when=move || state.mode.get() == Mode::Admin && is_admin()
                fallback=|| view! { <p class="placeholder">{tr(Msg::AdminOnly)}</p> }
            >
                <Users />
                <Keys />
                <Rules catalog=catalog.clone() />
                <Settings />
            </Show>
        </div>
    }
}

#[component]
fn Users() -> impl IntoView {
    let state = use_app_state();
    let i18n = use_i18n();
    let section = Section::new(state);
    let list = section.load(|token| async move { admin::users(&token).await.map_err(AppError::from) });
    let (email, password, role) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new("viewer".to_owned()));
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (e, p, r) = (email.get_untracked(), password.get_untracked(), role.get_untracked());
        section.act(
            move |token| async move { admin::create_user(&token, &e, &p, &r).await },
            move |_| {
                email.set(String::new());
                password.set(String::new());
            },
        );
    };
    let rows = move || {
        list.get().map(|answer| match answer {
            Ok(users) => users
                .into_iter()
                .map(|user| {
                    let id = user.id.clone();
                    let current = user.role.clone();
                    view! {
                        <tr data-user=user.email.clone()>
                            <td>{user.email.clone()}</td>
                            <td>
                                <select
                                    class="admin-role"
                                    aria-label=tr(Msg::ColumnRole)
                                    on:change:target=move |ev| {
                                        let (id, role) = (id.clone(), ev.target().value());
                                        section.act(move |token| async move { admin::set_role(&token, &id, &role).await }, |_| {});
                                    }
                                >
                                    {role_options(&current)}
                                </select>
                            </td>
                            {day_cell(i18n, user.created_at)}
                            {action_cell(section, Msg::AdminRemove, user.id.clone(), |token, id| async move {
                                admin::delete_user(&token, &id).await
                            })}
                        </tr>
                    }
                })
                .collect_view()
                .into_any(),
            Err(error) => error_row(i18n, &error),
        })
    };
    view! {
        <section class="admin-section" id="admin-users">
            <h2>{tr(Msg::AdminUsers)}</h2>
            {list_table([Msg::EmailLabel, Msg::ColumnRole, Msg::AdminCreatedColumn], rows)}
            <form class="admin-form" id="admin-add-user" on:submit=add>
                <label>
                    {tr(Msg::EmailLabel)}
                    <input type="email" name="email" required prop:value=email on:input:target=move |ev| email.set(ev.target().value()) />
                </label>
                <label>
                    {tr(Msg::PasswordLabel)}
                    <input type="password" name="password" autocomplete="new-password" prop:value=password on:input:target=move |ev| password.set(ev.target().value()) />
                </label>
                <label>
                    {tr(Msg::ColumnRole)}
                    <select name="role" on:change:target=move |ev| role.set(ev.target().value())>
                        {role_options("viewer")}
                    </select>
                </label>
                <button class="button" type="submit">{tr(Msg::AdminAddUser)}</button>
            </form>
            {section.error_view(i18n)}
        </section>
    }
}

#[component]
fn Keys() -> impl IntoView {
    let state = use_app_state();
    let i18n = use_i18n();
    let section = Section::new(state);
    let list = section.load(|token| async move { admin::keys(&token).await.map_err(AppError::from) });
    let (name, role) = (RwSignal::new(String::new()), RwSignal::new("editor".to_owned()));
    let created = RwSignal::new(None::<String>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (n, r) = (name.get_untracked(), role.get_untracked());
        section.act(
            move |token| async move { admin::create_key(&token, &n, &r).await },
            move |answer| {
                created.set(Some(answer.key));
                name.set(String::new());
            },
        );
    };
    let rows = move || {
        list.get().map(|answer| match answer {
            Ok(keys) => keys
                .into_iter()
                .map(|key| {
                    view! {
                        <tr data-key=key.name.clone()>
                            <td>{key.name.clone()}</td>
                            <td>{tr(role_msg(&key.role))}</td>
                            {day_cell(i18n, key.created_at)}
                            {action_cell(section, Msg::Revoke, key.id.clone(), |token, id| async move {
                                admin::revoke_key(&token, &id).await
                            })}
                        </tr>
                    }
                })
                .collect_view()
                .into_any(),
            Err(error) => error_row(i18n, &error),
        })
    };
    view! {
        <section class="admin-section" id="admin-keys">
            <h2>{tr(Msg::AdminKeys)}</h2>
            <p class="admin-help">{tr(Msg::AdminKeysHelp)}</p>
            {list_table([Msg::AdminName, Msg::ColumnRole, Msg::AdminCreatedColumn], rows)}
            <form class="admin-form" id="admin-add-key" on:submit=add>
                <label>
                    {tr(Msg::AdminName)}
                    <input name="name" required maxlength="100" prop:value=name on:input:target=move |ev| name.set(ev.target().value()) />
                </label>
                <label>
                    {tr(Msg::ColumnRole)}
                    <select name="role" on:change:target=move |ev| role.set(ev.target().value())>
                        {role_options("editor")}
                    </select>
                </label>
                <button class="button" type="submit">{tr(Msg::AdminCreateKey)}</button>
            </form>
            {move || {
                created
                    .get()
                    .map(|key| {
                        view! {
                            <p class="admin-help">{tr(Msg::AdminKeyOnce)}</p>
                            <input class="share-url" id="admin-new-key" readonly prop:value=key />
                        }
                    })
            }}
            {section.error_view(i18n)}
        </section>
    }
}

#[component]
fn Rules(catalog: Arc<Catalog>) -> impl IntoView {
    let state = use_app_state();
    let i18n = use_i18n();
    let section = Section::new(state);
    let list = section.load(|token| async move {
        let rules = admin::rules(&token).await.map_err(AppError::from)?;
        // Users by id, to name the subjects of per-user rules.
        let users = admin::users(&token).await.map_err(AppError::from)?;
        Ok((rules, users))
    });
    let tables = StoredValue::new(catalog.tables.clone());
    let subject = RwSignal::new("role:viewer".to_owned());
    let table = RwSignal::new(catalog.tables.first().map(|t| t.name.clone()).unwrap_or_default());
    let column = RwSignal::new(String::new());
    let values = RwSignal::new(String::new());
    let local_error = RwSignal::new(None::<String>);
    let columns = Memo::new(move |_| {
        let name = table.get();
        tables.with_value(|ts| {
            ts.iter()
                .find(|t| t.name == name)
                .map(|t| t.columns.iter().map(|c| (c.name.clone(), c.data_type.clone())).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let column_name = column.get_untracked();
        let Some((_, data_type)) = columns.with_untracked(|cs| cs.iter().find(|(c, _)| *c == column_name).cloned())
        else {
            local_error.set(Some(i18n.t(Msg::ChooseColumn).to_owned()));
            return;
        };
        let parsed = match rule_values(&values.get_untracked(), &column_name, &data_type) {
            Ok(parsed) => parsed,
            Err(reason) => {
                local_error.set(Some(i18n.f(Msg::AdminBadValues, &[&reason])));
                return;
            }
        };
        local_error.set(None);
        let subject = match subject.get_untracked().split_once(':') {
            Some(("user", id)) => RuleSubject::User(id.to_owned()),
            Some((_, role)) => RuleSubject::Role(role.to_owned()),
            None => RuleSubject::Role("viewer".to_owned()),
        };
        let rule = RuleRecord {
            id: String::new(),
            subject,
            table: table.get_untracked(),
            column: column_name,
            values: parsed,
        };
        section.act(
            move |token| async move { admin::create_rule(&token, &rule).await },
            move |_| values.set(String::new()),
        );
    };
    let subject_text = move |subject: &RuleSubject, users: &[admin::UserRecord]| match subject {
        RuleSubject::Role(role) => i18n.f(Msg::AdminEveryoneWithRole, &[i18n.t(role_msg(role))]),
        RuleSubject::User(id) => users.iter().find(|u| &u.id == id).map_or_else(|| id.clone(), |u| u.email.clone()),
    };
    let rows = move || {
        list.get().map(|answer| match answer {
            Ok((rules, users)) => rules
                .into_iter()
                .map(|rule| {
                    let values = rule
                        .values
                        .iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                        .collect::<Vec<_>>()
                        .join(", ");
                    view! {
                        <tr class="admin-rule">
                            <td>{subject_text(&rule.subject, &users)}</td>
                            <td>{format!("{}.{}", rule.table, rule.column)}</td>
                            <td>{values}</td>
                            {action_cell(section, Msg::AdminRemove, rule.id.clone(), |token, id| async move {
                                admin::delete_rule(&token, &id).await
                            })}
                        </tr>
                    }
                })
                .collect_view()
                .into_any(),
            Err(error) => error_row(i18n, &error),
        })
    };
    let user_options = move || {
        list.get().and_then(Result::ok).map(|(_, users)| {
            users
                .into_iter()
                .map(|u| view! { <option value=format!("user:{}", u.id)>{u.email}</option> })
                .collect_view()
        })
    };
    view! {
        <section class="admin-section" id="admin-rules">
            <h2>{tr(Msg::AdminRules)}</h2>
            <p class="admin-help">{tr(Msg::AdminRulesHelp)}</p>
            {list_table([Msg::AdminSubject, Msg::AdminColumn, Msg::AdminValues], rows)}
            <form class="admin-form" id="admin-add-rule" on:submit=add>
                <label>
                    {tr(Msg::AdminSubject)}
                    <select name="subject" on:change:target=move |ev| subject.set(ev.target().value())>
                        {ROLES
                            .into_iter()
                            .map(|r| {
                                view! {
                                    <option value=format!("role:{r}") selected=r == "viewer">
                                        {move || i18n.f(Msg::AdminEveryoneWithRole, &[i18n.t(role_msg(r))])}
                                    </option>
                                }
                            })
                            .collect_view()}
                        {user_options}
                    </select>
                </label>
                <label>
                    {tr(Msg::PivotTableLabel)}
                    <select name="table" on:change:target=move |ev| {
                        table.set(ev.target().value());
                        column.set(String::new());
                    }>
                        {tables
                            .get_value()
                            .into_iter()
                            .map(|t| view! { <option value=t.name.clone() selected=move || table.get() == t.name>{t.name.clone()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {tr(Msg::AdminColumn)}
                    <select name="column" prop:value=move || column.get() on:change:target=move |ev| column.set(ev.target().value())>
                        <option value="">{tr(Msg::ChooseColumn)}</option>
                        {move || columns.get().into_iter().map(|(c, _)| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    {tr(Msg::AdminValues)}
                    <input name="values" prop:value=values on:input:target=move |ev| values.set(ev.target().value()) />
                </label>
                <button class="button" type="submit">{tr(Msg::AdminAddRule)}</button>
            </form>
            {move || local_error.get().map(|text| view! { <p class="admin-error" role="alert">{text}</p> })}
            {section.error_view(i18n)}
        </section>
    }
}

#[component]
fn Settings() -> impl IntoView {
    let state = use_app_state();
    let i18n = use_i18n();
    let section = Section::new(state);
    let public = RwSignal::new(false);
    let origins = RwSignal::new(String::new());
    let saved = RwSignal::new(false);
    let loaded = section.load(|token| async move { admin::settings(&token).await.map_err(AppError::from) });
    Effect::new(move |_| match loaded.get() {
        Some(Ok(settings)) => {
            public.set(settings.allow_public_links);
            origins.set(settings.frame_ancestors.join("\n"));
        }
        Some(Err(error)) => section.error.set(Some(error)),
        None => {}
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let settings = TenantSettings {
            allow_public_links: public.get_untracked(),
            frame_ancestors: origins
                .get_untracked()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
        };
        saved.set(false);
        section.act(
            move |token| async move { admin::save_settings(&token, &settings).await },
            move |answer| {
                origins.set(answer.frame_ancestors.join("\n"));
                saved.set(true);
            },
        );
    };
    view! {
        <section class="admin-section" id="admin-settings">
            <h2>{tr(Msg::AdminSettings)}</h2>
            <form class="admin-form admin-settings" on:submit=save>
                <label class="admin-check">
                    <input type="checkbox" id="admin-public-links" prop:checked=public on:change:target=move |ev| public.set(ev.target().checked()) />
                    {tr(Msg::AdminAllowPublic)}
                </label>
                <label class="admin-wide">
                    {tr(Msg::AdminFrameAncestors)}
                    <textarea id="admin-frame-ancestors" rows="3" prop:value=origins on:input:target=move |ev| origins.set(ev.target().value())></textarea>
                </label>
                <button class="button" type="submit" id="admin-save-settings">{tr(Msg::Save)}</button>
                <Show when=move || saved.get()>
                    <span class="dashboard-notice" id="admin-settings-saved">{tr(Msg::AdminSaved)}</span>
                </Show>
            </form>
            {section.error_view(i18n)}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::rule_values;
    use serde_json::json;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn rule_values_follow_the_column_type_and_name_a_bad_value() {
        assert_eq!(rule_values("17, 18 ,", "owner_rep_id", "Int64"), Ok(vec![json!(17), json!(18)]));
        assert_eq!(rule_values("1.5", "price", "Float64"), Ok(vec![json!(1.5)]));
        assert_eq!(rule_values("East, West", "region", "Utf8"), Ok(vec![json!("East"), json!("West")]));
        assert_eq!(rule_values("true", "won", "Boolean"), Ok(vec![json!(true)]));
        assert_eq!(
            rule_values("17, x", "owner_rep_id", "Int64"),
            Err("'x' is not a number (owner_rep_id is numeric)".to_owned())
        );
        assert_eq!(rule_values(" , ", "region", "Utf8"), Err("enter at least one value".to_owned()));
    }
}
