//! Filter editors (one per chip on the Filters shelf) and the view's date range control.
//!
//! List filters show the column's distinct values with their row counts, queried from the
//! engine once the column is loaded; ranges take min/max; text filters a substring.

use super::use_pivot;
use crate::i18n::{Msg, tr};
use crate::infra::url::HistoryEntry;
use leptos::prelude::*;
use quiver_shared::catalog::ColumnRole;
use quiver_shared::pivot::{DateRange, DateSpan, Filter, FilterOp};

/// How many distinct values a list filter shows (the search narrows them).
const VALUE_LIMIT: usize = 200;

/// The editors of the filters on the shelf.
#[component]
pub(crate) fn FilterEditors() -> impl IntoView {
    let ctx = use_pivot();
    let count = move || ctx.state.pivot.with(|s| s.filters.len());
    view! {
        <div class="filter-editors" id="filter-editors">
            {move || (0..count()).map(|index| view! { <FilterEditor index /> }).collect_view()}
        </div>
    }
}

/// The op names in the select, in order.
const OPS: [(&str, Msg); 6] = [
    ("in", Msg::FilterIn),
    ("not_in", Msg::FilterNotIn),
    ("range", Msg::FilterRange),
    ("contains", Msg::FilterContains),
    ("is_null", Msg::FilterIsNull),
    ("is_not_null", Msg::FilterIsNotNull),
];

fn op_name(op: &FilterOp) -> &'static str {
    match op {
        FilterOp::In { .. } => "in",
        FilterOp::NotIn { .. } => "not_in",
        FilterOp::Range { .. } => "range",
        FilterOp::Contains { .. } => "contains",
        FilterOp::IsNull => "is_null",
        FilterOp::IsNotNull => "is_not_null",
    }
}

/// The op a select choice stands for, keeping the values already picked where they still apply.
fn switch_op(current: &FilterOp, name: &str) -> Option<FilterOp> {
    let picked = match current {
        FilterOp::In { values } | FilterOp::NotIn { values } => values.clone(),
        _ => Vec::new(),
    };
    Some(match name {
        "in" => FilterOp::In { values: picked },
        "not_in" => FilterOp::NotIn { values: picked },
        "range" => FilterOp::Range { min: None, max: None },
        "contains" => FilterOp::Contains { text: String::new() },
        "is_null" => FilterOp::IsNull,
        "is_not_null" => FilterOp::IsNotNull,
        _ => return None,
    })
}

/// One filter's editor.
#[component]
fn FilterEditor(index: usize) -> impl IntoView {
    let ctx = use_pivot();
    let filter = Memo::new(move |_| ctx.state.pivot.with(|s| s.filters.get(index).cloned()));
    let set_op = move |entry: HistoryEntry, op: FilterOp| {
        ctx.edit(entry, |spec, _| {
            if let Some(f) = spec.filters.get_mut(index) {
                f.op = op;
            }
        });
    };
    let change_op = move |name: String| {
        if let Some(op) = filter.with_untracked(|f| f.as_ref().and_then(|f| switch_op(&f.op, &name))) {
            set_op(HistoryEntry::Push, op);
        }
    };
    let body = move || {
        let Filter { column, op } = filter.get()?;
        Some(match op {
            FilterOp::In { values } | FilterOp::NotIn { values } => {
                let include = matches!(filter.get_untracked().map(|f| f.op), Some(FilterOp::In { .. }));
                view! { <ValueList index column picked=values include /> }.into_any()
            }
            FilterOp::Range { min, max } => {
                let bound = move |which: &'static str, text: String| {
                    let current = filter.with_untracked(|f| f.as_ref().map(|f| f.op.clone()));
                    if let Some(FilterOp::Range { min, max }) = current {
                        let text = (!text.trim().is_empty()).then(|| text.trim().to_owned());
                        let op = if which == "min" {
                            FilterOp::Range { min: text, max }
                        } else {
                            FilterOp::Range { min, max: text }
                        };
                        set_op(HistoryEntry::Replace, op);
                    }
                };
                view! {
                    <label>
                        <span>{tr(Msg::FilterMin)}</span>
                        <input
                            class="filter-min"
                            type="text"
                            prop:value=min.unwrap_or_default()
                            on:change:target=move |ev| bound("min", ev.target().value())
                        />
                    </label>
                    <label>
                        <span>{tr(Msg::FilterMax)}</span>
                        <input
                            class="filter-max"
                            type="text"
                            prop:value=max.unwrap_or_default()
                            on:change:target=move |ev| bound("max", ev.target().value())
                        />
                    </label>
                }
                .into_any()
            }
            FilterOp::Contains { text } => view! {
                <input
                    class="filter-text"
                    type="text"
                    aria-label=tr(Msg::FilterText)
                    prop:value=text
                    on:input:target=move |ev| {
                        set_op(HistoryEntry::Replace, FilterOp::Contains { text: ev.target().value() })
                    }
                />
            }
            .into_any(),
            FilterOp::IsNull | FilterOp::IsNotNull => {
                let _ = column;
                ().into_any()
            }
        })
    };
    let column = move || filter.with(|f| f.as_ref().map(|f| f.column.clone()).unwrap_or_default());
    let current_op = move || filter.with(|f| f.as_ref().map_or("in", |f| op_name(&f.op)));

    view! {
        <div class="filter-editor" data-field=column data-index=index>
            <span class="filter-column">{column}</span>
            <select class="filter-op" prop:value=current_op on:change:target=move |ev| change_op(ev.target().value())>
                {OPS
                    .into_iter()
                    .map(|(name, label)| {
                        view! {
                            <option value=name selected=move || current_op() == name>
                                {tr(label)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <div class="filter-body">{body}</div>
        </div>
    }
}

/// The distinct values of a list filter's column with their counts, as checkboxes. For "is one
/// of" a tick means kept; for "is none of" a tick also means kept (so that a fresh filter shows
/// everything ticked), i.e. unticked values are the ones listed.
#[component]
fn ValueList(index: usize, column: String, picked: Vec<Option<String>>, include: bool) -> impl IntoView {
    let ctx = use_pivot();
    let search = RwSignal::new(String::new());
    let values = super::run::distinct_values(ctx, column.clone(), index, search, VALUE_LIMIT);
    let picked = StoredValue::new(picked);
    let toggle = move |value: Option<String>, ticked: bool| {
        ctx.edit(HistoryEntry::Push, |spec, _| {
            let Some(filter) = spec.filters.get_mut(index) else {
                return;
            };
            let (FilterOp::In { values } | FilterOp::NotIn { values }) = &mut filter.op else {
                return;
            };
            // "In": ticked = listed. "Not in": ticked = not listed.
            let listed = ticked == include;
            values.retain(|v| *v != value);
            if listed {
                values.push(value);
            }
        });
    };
    let list = move || match values.get() {
        None => view! { <p class="hint">{tr(Msg::ValuesNeedData)}</p> }.into_any(),
        Some(rows) => rows
            .into_iter()
            .map(|(value, count)| {
                let listed = picked.with_value(|p| p.contains(&value));
                let ticked = listed == include;
                let shown = value.clone().unwrap_or_else(|| "NULL".to_owned());
                let raw = value.clone().unwrap_or_default();
                let is_null = value.is_none();
                view! {
                    <label class="filter-value" data-value=raw data-null=is_null>
                        <input
                            type="checkbox"
                            prop:checked=ticked
                            on:change:target=move |ev| toggle(value.clone(), ev.target().checked())
                        />
                        <span class="filter-value-label">{shown}</span>
                        <span class="filter-count num" data-value=count>
                            {count}
                        </span>
                    </label>
                }
            })
            .collect_view()
            .into_any(),
    };
    view! {
        <input
            class="filter-search"
            type="search"
            placeholder=tr(Msg::SearchValues)
            aria-label=tr(Msg::SearchValues)
            prop:value=search
            on:input:target=move |ev| search.set(ev.target().value())
        />
        <div class="filter-values">{list}</div>
    }
}

/// The date range shared by the whole view: a time column, presets and fixed days.
#[component]
pub(crate) fn DateRangeControl() -> impl IntoView {
    let ctx = use_pivot();
    let range = Memo::new(move |_| ctx.state.pivot.with(|s| s.date_range.clone()));
    let time_columns = move || {
        ctx.table.with(|t| {
            t.as_ref()
                .map(|t| t.columns.iter().filter(|c| c.role == ColumnRole::Time).map(|c| c.name.clone()).collect())
                .unwrap_or_else(Vec::<String>::new)
        })
    };
    let set = move |entry: HistoryEntry, range: Option<DateRange>| ctx.edit(entry, |spec, _| spec.date_range = range);
    let column_or_first = move || {
        range.with_untracked(|r| r.as_ref().map(|r| r.column.clone())).or_else(|| time_columns().into_iter().next())
    };
    let choose_column = move |name: String| {
        if name.is_empty() {
            set(HistoryEntry::Push, None);
        } else {
            let span =
                range.with_untracked(|r| r.as_ref().map(|r| r.span.clone())).unwrap_or(DateSpan::Last { days: 30 });
            set(HistoryEntry::Push, Some(DateRange { column: name, span }));
        }
    };
    let preset = move |days: u32| {
        if let Some(column) = column_or_first() {
            set(HistoryEntry::Push, Some(DateRange { column, span: DateSpan::Last { days } }));
        }
    };
    let fixed = move |which: &'static str, text: String| {
        let Some(day) = quiver_shared::partition::parse_api_date(&text) else {
            return;
        };
        let Some(column) = column_or_first() else {
            return;
        };
        let today = crate::infra::clock::today(&ctx.state.time_zone_untracked());
        let (from, to) = range.with_untracked(|r| r.as_ref().map(|r| r.span.resolve(today))).unwrap_or((day, day));
        let (from, to) = if which == "from" { (day, to.max(day)) } else { (from.min(day), day) };
        set(HistoryEntry::Push, Some(DateRange { column, span: DateSpan::Between { from, to } }));
    };
    let shown_days = move || {
        let today = crate::infra::clock::today(&ctx.state.time_zone_untracked());
        range.with(|r| r.as_ref().map(|r| r.span.resolve(today)))
    };
    let day_text = move |which: usize| {
        shown_days().map(|(f, t)| if which == 0 { f } else { t }.format("%Y-%m-%d").to_string()).unwrap_or_default()
    };
    let selected_column = move || range.with(|r| r.as_ref().map(|r| r.column.clone()).unwrap_or_default());

    view! {
        <div class="pivot-date-range" id="pivot-date-range">
            <span class="control-label">{tr(Msg::DateRangeLabel)}</span>
            <select id="pivot-date-column" prop:value=selected_column on:change:target=move |ev| choose_column(ev.target().value())>
                <option value="">{tr(Msg::AllDates)}</option>
                {move || {
                    time_columns()
                        .into_iter()
                        .map(|name| {
                            let selected = {
                                let name = name.clone();
                                move || selected_column() == name
                            };
                            view! {
                                <option value=name.clone() selected=selected>
                                    {name.clone()}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
            {[(7u32, Msg::Last7), (30, Msg::Last30), (90, Msg::Last90)]
                .into_iter()
                .map(|(days, label)| {
                    let active = move || range.with(|r| matches!(r, Some(DateRange { span: DateSpan::Last { days: d }, .. }) if *d == days));
                    view! {
                        <button
                            class="button preset"
                            class:active=active
                            id=format!("pivot-last-{days}")
                            data-days=days
                            on:click=move |_| preset(days)
                        >
                            {tr(label)}
                        </button>
                    }
                })
                .collect_view()}
            <label>
                <span>{tr(Msg::DateFrom)}</span>
                <input
                    type="date"
                    id="pivot-date-from"
                    prop:value=move || day_text(0)
                    on:change:target=move |ev| fixed("from", ev.target().value())
                />
            </label>
            <label>
                <span>{tr(Msg::DateTo)}</span>
                <input
                    type="date"
                    id="pivot-date-to"
                    prop:value=move || day_text(1)
                    on:change:target=move |ev| fixed("to", ev.target().value())
                />
            </label>
        </div>
    }
}
