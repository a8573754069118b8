//! Sort, top N, the view switcher and the colour-scale toggle.

use super::shelves::agg_name;
use super::use_pivot;
use crate::i18n::{Msg, tr, use_i18n};
use crate::infra::url::HistoryEntry;
use leptos::prelude::*;
use quiver_shared::pivot::{Sort, TopN, ViewKind};

/// The sort select: by label either way, or by each value either way. Option values:
/// `label:asc`, `label:desc`, `value:<index>:asc`, `value:<index>:desc`.
#[component]
pub(crate) fn SortControl() -> impl IntoView {
    let ctx = use_pivot();
    let i18n = use_i18n();
    let current = move || {
        ctx.state.pivot.with(|s| match s.sort {
            Sort::Label { descending } => format!("label:{}", if descending { "desc" } else { "asc" }),
            Sort::Value { index, descending } => format!("value:{index}:{}", if descending { "desc" } else { "asc" }),
        })
    };
    let change = move |text: String| {
        let parts: Vec<&str> = text.split(':').collect();
        let sort = match parts.as_slice() {
            ["label", dir] => Sort::Label { descending: *dir == "desc" },
            ["value", index, dir] => match index.parse() {
                Ok(index) => Sort::Value { index, descending: *dir == "desc" },
                Err(_) => return,
            },
            _ => return,
        };
        ctx.edit(HistoryEntry::Push, |spec, _| spec.sort = sort);
    };
    let options = move || {
        let values = ctx.state.pivot.with(|s| s.values.clone());
        let mut out = vec![
            ("label:asc".to_owned(), i18n.t(Msg::SortByLabelAsc).to_owned()),
            ("label:desc".to_owned(), i18n.t(Msg::SortByLabelDesc).to_owned()),
        ];
        for (index, value) in values.iter().enumerate() {
            let name = match &value.column {
                Some(column) => format!("{} {column}", i18n.t(agg_name(value.agg))),
                None => i18n.t(Msg::CountOfRows).to_owned(),
            };
            out.push((format!("value:{index}:desc"), i18n.f(Msg::SortByValueDesc, &[&name])));
            out.push((format!("value:{index}:asc"), i18n.f(Msg::SortByValueAsc, &[&name])));
        }
        let selected = current();
        out.into_iter()
            .map(|(value, label)| {
                let is = value == selected;
                view! {
                    <option value=value selected=is>
                        {label}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <label class="pivot-sort">
            <span class="control-label">{tr(Msg::SortLabel)}</span>
            <select id="pivot-sort" prop:value=current on:change:target=move |ev| change(ev.target().value())>
                {options}
            </select>
        </label>
    }
}

/// Top N: a number (empty for all groups) and whether the rest become "Other".
#[component]
pub(crate) fn TopNControl() -> impl IntoView {
    let ctx = use_pivot();
    let top_n = Memo::new(move |_| ctx.state.pivot.with(|s| s.top_n));
    let set_n = move |text: String| {
        let n = text.trim().parse::<u32>().ok().filter(|n| *n > 0);
        ctx.edit(HistoryEntry::Replace, |spec, _| {
            let other = spec.top_n.is_some_and(|t| t.other);
            spec.top_n = n.map(|n| TopN { n, other });
        });
    };
    let set_other = move |other: bool| {
        ctx.edit(HistoryEntry::Push, |spec, _| {
            if let Some(top) = &mut spec.top_n {
                top.other = other;
            }
        });
    };
    view! {
        <div class="pivot-top-n">
            <label>
                <span class="control-label">{tr(Msg::TopNLabel)}</span>
                <input
                    type="number"
                    id="pivot-top-n"
                    min="1"
                    step="1"
                    prop:value=move || top_n.get().map(|t| t.n.to_string()).unwrap_or_default()
                    on:change:target=move |ev| set_n(ev.target().value())
                />
            </label>
            <label>
                <input
                    type="checkbox"
                    id="pivot-top-n-other"
                    prop:disabled=move || top_n.get().is_none()
                    prop:checked=move || top_n.get().is_some_and(|t| t.other)
                    on:change:target=move |ev| set_other(ev.target().checked())
                />
                <span>{tr(Msg::TopNOther)}</span>
            </label>
        </div>
    }
}

fn view_name(kind: ViewKind) -> Msg {
    match kind {
        ViewKind::Table => Msg::ViewTable,
        ViewKind::Bar => Msg::ViewBar,
        ViewKind::StackedBar => Msg::ViewStackedBar,
        ViewKind::Line => Msg::ViewLine,
        ViewKind::Area => Msg::ViewArea,
        ViewKind::Heatmap => Msg::ViewHeatmap,
        ViewKind::Scatter => Msg::ViewScatter,
    }
}

/// A button per view kind, "Chart" (the default chart for the shelves) and the colour scale.
#[component]
pub(crate) fn ViewSwitcher() -> impl IntoView {
    let ctx = use_pivot();
    let current = Memo::new(move |_| ctx.state.pivot.with(|s| s.view));
    let set = move |kind: ViewKind| ctx.edit(HistoryEntry::Push, |spec, _| spec.view = kind);
    let chart = move |_| {
        ctx.edit(HistoryEntry::Push, |spec, table| spec.view = quiver_shared::pivot::default_chart(spec, table));
    };
    view! {
        <div class="view-switcher" id="view-switcher" role="group">
            {ViewKind::ALL
                .into_iter()
                .map(|kind| {
                    view! {
                        <button
                            class="button view-button"
                            class:active=move || current.get() == kind
                            aria-pressed=move || (current.get() == kind).to_string()
                            data-view=kind.as_str()
                            on:click=move |_| set(kind)
                        >
                            {tr(view_name(kind))}
                        </button>
                    }
                })
                .collect_view()}
            <button class="button view-button" id="view-chart" on:click=chart>
                {tr(Msg::ViewChart)}
            </button>
            <label class="color-scale">
                <input
                    type="checkbox"
                    id="color-scale"
                    prop:checked=move || ctx.state.pivot.with(|s| s.color_scale)
                    on:change:target=move |ev| {
                        let on = ev.target().checked();
                        ctx.edit(HistoryEntry::Push, |spec, _| spec.color_scale = on);
                    }
                />
                <span>{tr(Msg::ColorScale)}</span>
            </label>
        </div>
    }
}
