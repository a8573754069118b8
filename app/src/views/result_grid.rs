//! A grid of query results: locale-formatted cells, each carrying its raw value in `data-value`
//! so that tests (and copy tools) can read exact numbers.

use crate::i18n::{Locale, Msg, use_i18n};
use crate::infra::format;
use crate::state::use_app_state;
use leptos::prelude::*;
use quiver_engine::{Grid, GridCell, GridColumn};
use quiver_shared::catalog::ColumnRole;
use std::sync::Arc;

/// How a column's cells are laid out and formatted.
#[derive(Clone, Copy, PartialEq, Eq)]
struct ColumnStyle {
    /// Right-aligned (numbers).
    numeric: bool,
    /// An identifier (`lead_id`): shown as plain digits, since `1,000,001` reads as a quantity.
    identifier: bool,
}

impl ColumnStyle {
    fn of(column: &GridColumn) -> Self {
        let numeric = ["Int", "UInt", "Float", "Decimal"].iter().any(|p| column.data_type.starts_with(p));
        // A query result has no catalogue roles; the shared naming rule tells ids apart.
        let identifier = ColumnRole::infer(&column.name, &column.data_type) == ColumnRole::Key;
        Self { numeric, identifier }
    }
}

/// A `<table>` of the grid's rows. Numbers are right-aligned and grouped for the locale (ids
/// excepted); instants are shown in the tenant's time zone.
#[component]
pub(crate) fn ResultGrid(grid: Arc<Grid>, id: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let styles: Vec<ColumnStyle> = grid.columns.iter().map(ColumnStyle::of).collect();
    let head = grid
        .columns
        .iter()
        .zip(&styles)
        .map(|(column, style)| {
            view! {
                <th class:num=style.numeric title=column.data_type.clone()>
                    {column.name.clone()}
                </th>
            }
        })
        .collect_view();
    let body = move || {
        let locale = i18n.locale.get();
        let time_zone = state.time_zone();
        let null = Msg::Null.text(locale);
        grid.rows
            .iter()
            .map(|row| {
                let cells = row
                    .iter()
                    .zip(&styles)
                    .map(|(cell, &style)| cell_view(cell, style, locale, &time_zone, null))
                    .collect_view();
                view! { <tr>{cells}</tr> }
            })
            .collect_view()
    };

    view! {
        <div class="grid-scroll">
            <table class="grid" id=id>
                <thead>
                    <tr>{head}</tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

fn cell_view(
    cell: &GridCell,
    style: ColumnStyle,
    locale: Locale,
    time_zone: &str,
    null: &'static str,
) -> impl IntoView + use<> {
    let (class, shown, raw) = match cell {
        // A null in a numeric column keeps to the right edge with the numbers.
        GridCell::Null if style.numeric => ("num null", null.to_owned(), String::new()),
        GridCell::Null => ("null", null.to_owned(), String::new()),
        GridCell::Int(v) if style.identifier => ("num", v.to_string(), v.to_string()),
        GridCell::Int(v) => ("num", format::integer(locale, *v), v.to_string()),
        GridCell::Float(v) => ("num", format::decimal(locale, *v), v.to_string()),
        GridCell::Timestamp(micros) => ("time", format::instant(locale, time_zone, *micros), micros.to_string()),
        GridCell::Text(text) => ("text", text.clone(), text.clone()),
    };
    view! {
        <td class=class data-value=raw>
            {shown}
        </td>
    }
}
