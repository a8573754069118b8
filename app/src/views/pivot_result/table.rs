//! The pivot table: hierarchical row headers with collapsible groups, multi-level column
//! headers, subtotals and totals, an optional colour scale, and virtual scrolling so that only
//! the rows in view are in the DOM.

use super::{label_text, number_text};
use crate::i18n::{Msg, tr, use_i18n};
use leptos::prelude::*;
use quiver_pivot::{HeaderText, PivotOutput, RowPath, VisibleRow};
use quiver_shared::pivot::ShowAs;
use std::collections::HashSet;
use std::sync::Arc;

/// Every body row is exactly this tall (CSS enforces it), which is what lets the scroll offset
/// say which rows are in view without measuring any.
const ROW_HEIGHT: f64 = 28.0;
/// The scroll container's height (CSS `.pivot-table-scroll`).
const VIEWPORT_HEIGHT: f64 = 480.0;
/// Rows rendered above and below the viewport, so that fast scrolling does not show blanks.
const OVERSCAN: usize = 12;

/// The table of `output`, with collapsed groups remembered while it is shown.
#[component]
pub(super) fn PivotTableView(output: Arc<PivotOutput>) -> impl IntoView {
    let i18n = use_i18n();
    let collapsed = RwSignal::new(HashSet::<RowPath>::new());
    let scroll_top = RwSignal::new(0.0_f64);
    let rows = {
        let output = output.clone();
        Memo::new(move |_| collapsed.with(|c| output.table.visible_rows(c)))
    };
    let table = &output.table;
    let label_columns = table.row_fields.len().max(1);
    let values = table.value_names.len();
    let leaves = Arc::new(table.column_leaves());

    let head = {
        let output = output.clone();
        move || {
            let locale = i18n.locale.get();
            let table = &output.table;
            let header_rows = table.column_header_rows();
            let depth = header_rows.len() + 1;
            let field_names: Vec<String> =
                if table.row_fields.is_empty() { vec![String::new()] } else { table.row_fields.clone() };
            let names = field_names
                .into_iter()
                .map(|name| view! { <th class="pivot-field" rowspan=depth>{name}</th> })
                .collect_view();
            let levels = header_rows
                .into_iter()
                .enumerate()
                .map(|(level, spans)| {
                    let cells = spans
                        .into_iter()
                        .map(|span| {
                            let (text, class) = match &span.text {
                                HeaderText::Label(label) => (label_text(locale, label), "pivot-col"),
                                HeaderText::Total => (Msg::PivotTotal.text(locale).to_owned(), "pivot-col total"),
                                HeaderText::Blank => (String::new(), "pivot-col total"),
                            };
                            view! { <th class=class colspan=span.columns * values>{text}</th> }
                        })
                        .collect_view();
                    let lead = (level == 0).then(|| names.clone());
                    view! { <tr>{lead}{cells}</tr> }
                })
                .collect_view();
            let value_names = table
                .column_groups()
                .iter()
                .flat_map(|_| output.plan.values.iter().zip(&table.show_as))
                .map(|(planned, show)| {
                    view! { <th class="pivot-value-name">{value_label(locale, &planned.value, *show)}</th> }
                })
                .collect_view();
            let lead = table.column_fields.is_empty().then(|| names.clone());
            view! {
                {levels}
                <tr>{lead}{value_names}</tr>
            }
        }
    };

    let body = {
        let output = output.clone();
        move || {
            let locale = i18n.locale.get();
            let top = scroll_top.get();
            rows.with(|all| {
                let first = ((top / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN).min(all.len());
                let count = (VIEWPORT_HEIGHT / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN;
                let last = (first + count).min(all.len());
                let width = label_columns + leaves.len();
                let spacer = |rows: usize| {
                    (rows > 0).then(|| {
                        view! {
                            <tr class="pivot-spacer" style=format!("height: {}px", rows as f64 * ROW_HEIGHT)>
                                <td colspan=width></td>
                            </tr>
                        }
                    })
                };
                let shown = all[first..last]
                    .iter()
                    .map(|row| row_view(&output, row, label_columns, &leaves, locale, collapsed))
                    .collect_view();
                let below = all.len() - last;
                view! {
                    {spacer(first)}
                    {shown}
                    {spacer(below)}
                }
            })
        }
    };

    view! {
        <div
            class="pivot-table-scroll"
            on:scroll=move |ev| scroll_top.set(event_target::<web_sys::Element>(&ev).scroll_top().into())
        >
            <table
                id="pivot-table"
                class="pivot-table"
                class:color-scale=output.spec.color_scale
                data-rows=move || rows.with(Vec::len)
            >
                <thead>{head}</thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

/// One body row: its label cells (with a toggle on groups) and its data cells.
fn row_view(
    output: &PivotOutput,
    row: &VisibleRow,
    label_columns: usize,
    leaves: &[quiver_pivot::ColumnLeaf],
    locale: crate::i18n::Locale,
    collapsed: RwSignal<HashSet<RowPath>>,
) -> impl IntoView + use<> {
    let table = &output.table;
    let node = table.row(row.node);
    let is_total = table.is_row_total(row.node);
    let row_key = table.row_key(row.node);
    // The group's own label sits in its level's column; outer levels are left blank so that the
    // hierarchy reads as an outline.
    let own_column = row.depth.saturating_sub(1);
    let labels = (0..label_columns)
        .map(|column| {
            if row.node == 0 {
                let text = (column == 0).then(|| Msg::PivotTotal.text(locale));
                return view! { <th class="pivot-row-label total">{text}</th> }.into_any();
            }
            if column != own_column {
                return view! { <th class="pivot-row-label"></th> }.into_any();
            }
            let text = node.label().map(|l| label_text(locale, l)).unwrap_or_default();
            let toggle = row.expandable.then(|| {
                let path = node.path.clone();
                let is_collapsed = row.collapsed;
                let title = if is_collapsed { Msg::PivotExpand } else { Msg::PivotCollapse };
                view! {
                    <button
                        class="pivot-toggle"
                        aria-expanded=(!is_collapsed).to_string()
                        title=tr(title)
                        on:click=move |_| {
                            collapsed
                                .update(|set| {
                                    if !set.remove(&path) {
                                        set.insert(path.clone());
                                    }
                                })
                        }
                    >
                        {if is_collapsed { "▸" } else { "▾" }}
                    </button>
                }
            });
            view! {
                <th class="pivot-row-label" class:total=is_total>
                    {toggle}
                    {text}
                </th>
            }
            .into_any()
        })
        .collect_view();
    let cells = leaves
        .iter()
        .map(|leaf| {
            let cell = table.cell(row.node, leaf.node, leaf.value);
            let show_as = table.show_as[leaf.value];
            let text = cell.shown.map(|v| number_text(locale, v, show_as)).unwrap_or_default();
            let total = is_total || table.is_column_total(leaf.node);
            let shade = (output.spec.color_scale && !total)
                .then(|| {
                    let (lo, hi) = table.value_range(leaf.value)?;
                    let v = cell.shown?;
                    let t = if hi > lo { (v - lo) / (hi - lo) } else { 1.0 };
                    Some(format!("background-color: rgba(29, 78, 216, {:.3})", 0.06 + 0.54 * t))
                })
                .flatten();
            view! {
                <td
                    class="pivot-cell"
                    class:total=total
                    style=shade
                    data-row=row_key.clone()
                    data-col=table.column_key(leaf.node)
                    data-value-index=leaf.value
                    data-value=cell.shown.map(|v| v.to_string()).unwrap_or_default()
                >
                    {text}
                </td>
            }
        })
        .collect_view();
    view! {
        <tr class="pivot-row" class:total=is_total data-depth=row.depth>
            {labels}
            {cells}
        </tr>
    }
}

/// A value's column header in the user's language: `user_id (count distinct, % of total)`, or
/// just the aggregation for the count of rows.
fn value_label(locale: crate::i18n::Locale, value: &quiver_shared::pivot::Value, show: ShowAs) -> String {
    let agg = crate::pivot::agg_name(value.agg).text(locale);
    let share = match show {
        ShowAs::Value => None,
        ShowAs::PercentOfTotal => Some(Msg::ShowAsTotal),
        ShowAs::PercentOfRow => Some(Msg::ShowAsRow),
        ShowAs::PercentOfColumn => Some(Msg::ShowAsColumn),
    };
    let how = match share {
        Some(share) => format!("{agg}, {}", share.text(locale)),
        None => agg.to_owned(),
    };
    match &value.column {
        Some(column) => format!("{column} ({how})"),
        None => how,
    }
}
