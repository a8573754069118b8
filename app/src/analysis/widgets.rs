//! Controls the builders share: a date span, an event picker offering the loaded table's event
//! names, a column picker, a number field.

use super::use_view;
use crate::i18n::{Msg, tr, use_i18n};
use crate::infra::format;
use leptos::prelude::*;
use quiver_shared::catalog::ColumnRole;
use quiver_shared::pivot::DateSpan;
use quiver_shared::sql::quote_ident;

/// The spans offered besides fixed days.
const LAST_DAYS: [u32; 6] = [7, 14, 30, 90, 180, 365];

/// Up to this many distinct values are offered in a picker, the most frequent first.
const MAX_CHOICES: usize = 300;

/// The distinct values of `table.column` in the engine, most frequent first, with their rows;
/// empty until the table is loaded with that column. Re-read when loads change.
pub(crate) fn distinct_values(
    table: impl Fn() -> String + Send + Sync + 'static,
    column: impl Fn() -> String + Send + Sync + 'static,
) -> Memo<Vec<(String, i64)>> {
    let ctx = use_view();
    let state = ctx.state;
    Memo::new(move |_| {
        let (table, column) = (table(), column());
        let loaded = state.loaded.with(|l| l.iter().any(|t| t.name == table && t.columns.contains(&column)));
        if !loaded || column.is_empty() {
            return Vec::new();
        }
        let sql = format!(
            "SELECT CAST({c} AS VARCHAR) AS v, COUNT(*) AS n FROM {t} WHERE {c} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {MAX_CHOICES}",
            c = quote_ident(&column),
            t = quote_ident(&table)
        );
        let Ok(output) =
            state.engine().and_then(|e| e.sql(&sql).map_err(|e| crate::error::AppError::Sql(e.to_string())))
        else {
            return Vec::new();
        };
        output
            .to_grid(MAX_CHOICES)
            .rows
            .into_iter()
            .filter_map(|row| {
                let mut cells = row.into_iter();
                let value = match cells.next()? {
                    quiver_engine::GridCell::Text(text) => text,
                    _ => return None,
                };
                let rows = match cells.next()? {
                    quiver_engine::GridCell::Int(n) => n,
                    _ => 0,
                };
                Some((value, rows))
            })
            .collect()
    })
}

/// A `<select>` of event names (with their row counts) plus "any event" (`None`).
#[component]
pub(crate) fn EventPicker(
    id: String,
    choices: Memo<Vec<(String, i64)>>,
    value: Signal<Option<String>>,
    on_pick: Callback<Option<String>>,
    #[prop(optional)] any_label: Option<Msg>,
) -> impl IntoView {
    let i18n = use_i18n();
    let any = any_label.unwrap_or(Msg::AnyEvent);
    view! {
        <select
            class="select event-picker"
            id=id
            prop:value=move || value.get().unwrap_or_default()
            on:change=move |ev| {
                let picked = event_target_value(&ev);
                on_pick.run((!picked.is_empty()).then_some(picked));
            }
        >
            <option value="">{tr(any)}</option>
            // The current value stays choosable while the table loads, or when it is not in the data.
            {move || {
                let current = value.get().filter(|v| choices.with(|c| !c.iter().any(|(name, _)| name == v)));
                current.map(|v| view! { <option value=v.clone()>{v.clone()}</option> })
            }}
            {move || {
                let locale = i18n.locale.get();
                choices
                    .get()
                    .into_iter()
                    .map(|(name, rows)| {
                        let text = format!("{name} ({})", format::integer(locale, rows));
                        view! { <option value=name.clone() selected=value.get() == Some(name.clone())>{text}</option> }
                    })
                    .collect_view()
            }}
        </select>
    }
}

/// A `<select>` of a table's dimension columns (and `None`: "none").
#[component]
pub(crate) fn ColumnPicker(
    id: &'static str,
    table: Signal<String>,
    value: Signal<Option<String>>,
    on_pick: Callback<Option<String>>,
    #[prop(optional)] none_label: Option<Msg>,
) -> impl IntoView {
    let ctx = use_view();
    let catalog = ctx.catalog.clone();
    let columns = move || {
        let name = table.get();
        catalog
            .tables
            .iter()
            .find(|t| t.name == name)
            .map(|t| {
                t.columns
                    .iter()
                    .filter(|c| c.role == ColumnRole::Dimension && !t.is_partition_column(&c.name))
                    .map(|c| c.name.clone())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    view! {
        <select
            class="select"
            id=id
            prop:value=move || value.get().unwrap_or_default()
            on:change=move |ev| {
                let picked = event_target_value(&ev);
                on_pick.run((!picked.is_empty()).then_some(picked));
            }
        >
            <option value="">{tr(none_label.unwrap_or(Msg::NoBreakdown))}</option>
            {move || {
                columns()
                    .into_iter()
                    .map(|c| view! { <option value=c.clone() selected=value.get() == Some(c.clone())>{c.clone()}</option> })
                    .collect_view()
            }}
        </select>
    }
}

/// The days analysed: the last N days (up to today in the tenant's time zone) or fixed days.
#[component]
pub(crate) fn DateSpanPicker(id: &'static str, value: Signal<DateSpan>, on_pick: Callback<DateSpan>) -> impl IntoView {
    let i18n = use_i18n();
    let choice = move || match value.get() {
        DateSpan::Last { days } => days.to_string(),
        DateSpan::Between { .. } => "between".to_owned(),
    };
    let today = move || crate::infra::clock::today(&use_view().state.time_zone_untracked());
    let pick = move |ev: leptos::ev::Event| {
        let picked = event_target_value(&ev);
        let span = match picked.parse::<u32>() {
            Ok(days) => DateSpan::Last { days },
            Err(_) => {
                let (from, to) = value.get_untracked().resolve(today());
                DateSpan::Between { from, to }
            }
        };
        on_pick.run(span);
    };
    let bound = move |which: usize| {
        move || match value.get() {
            DateSpan::Between { from, to } => [from, to][which].to_string(),
            DateSpan::Last { .. } => String::new(),
        }
    };
    let set_bound = move |which: usize, ev: leptos::ev::Event| {
        let Ok(day) = chrono::NaiveDate::parse_from_str(&event_target_value(&ev), "%Y-%m-%d") else { return };
        let (mut from, mut to) = value.get_untracked().resolve(today());
        if which == 0 {
            from = day;
        } else {
            to = day;
        }
        on_pick.run(DateSpan::Between { from: from.min(to), to: to.max(from) });
    };
    view! {
        <span class="date-span" id=id>
            <select class="select" prop:value=choice on:change=pick>
                {LAST_DAYS
                    .iter()
                    .map(|&days| {
                        view! {
                            <option value=days.to_string()>
                                {move || i18n.f(Msg::LastNDays, &[&days.to_string()])}
                            </option>
                        }
                    })
                    .collect_view()}
                <option value="between">{tr(Msg::FixedDays)}</option>
            </select>
            <Show when=move || matches!(value.get(), DateSpan::Between { .. })>
                <input class="input" type="date" prop:value=bound(0) on:change=move |ev| set_bound(0, ev) />
                <span>"–"</span>
                <input class="input" type="date" prop:value=bound(1) on:change=move |ev| set_bound(1, ev) />
            </Show>
        </span>
    }
}

/// A whole-number field; input outside `min..=max` or not a number is ignored (the field keeps
/// what the user typed, the spec keeps its last good value).
#[component]
pub(crate) fn NumberField(
    id: &'static str,
    value: Signal<u64>,
    min: u64,
    max: u64,
    on_set: Callback<u64>,
) -> impl IntoView {
    view! {
        <input
            class="input number-field"
            type="number"
            id=id
            min=min
            max=max
            prop:value=move || value.get().to_string()
            on:change=move |ev| {
                if let Ok(n) = event_target_value(&ev).trim().parse::<u64>()
                    && (min..=max).contains(&n)
                {
                    on_set.run(n);
                }
            }
        />
    }
}

/// A labelled control.
#[component]
pub(crate) fn Labeled(label: Msg, children: Children) -> impl IntoView {
    view! {
        <label class="builder-field">
            <span class="builder-label">{tr(label)}</span>
            {children()}
        </label>
    }
}
