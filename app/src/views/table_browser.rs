//! The table browser: a table's columns, size, date range and, once loaded, its first rows.

use super::result_grid::ResultGrid;
use crate::i18n::{Msg, tr, use_i18n};
use crate::infra::format;
use crate::state::use_app_state;
use leptos::prelude::*;
use quiver_shared::catalog::{ColumnRole, TableInfo};

/// Describes one table of the catalogue.
#[component]
pub(crate) fn TableBrowser(table: TableInfo) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let TableInfo { name, columns, partition_keys, rows, bytes, date_range } = table;

    let date_range = move || {
        let locale = i18n.locale.get();
        match date_range {
            Some((from, to)) => format!("{} – {}", format::date(locale, from), format::date(locale, to)),
            None => i18n.t(Msg::Undated).to_owned(),
        }
    };
    let column_rows = columns
        .into_iter()
        .map(|column| {
            let role = column.role;
            let data_column = column.name.clone();
            view! {
                <tr data-column=data_column>
                    <td class="column-name">{column.name}</td>
                    <td class="column-type">
                        <code>{column.data_type}</code>
                    </td>
                    <td>
                        <span class=format!("role role-{}", role.as_str())>{tr(role_name(role))}</span>
                    </td>
                    <td>{tr(if column.nullable { Msg::Yes } else { Msg::No })}</td>
                </tr>
            }
        })
        .collect_view();
    let preview = {
        let name = name.clone();
        move || state.loaded.with(|loaded| loaded.iter().find(|t| t.name == name).map(|t| t.preview.clone()))
    };

    let data_table = name.clone();
    view! {
        <section class="panel table-browser" id="table-browser" data-table=data_table>
            <h2 class="panel-title">{name}</h2>
            <dl class="stats">
                <div>
                    <dt>{tr(Msg::StatRows)}</dt>
                    <dd class="num" id="table-rows" data-value=rows>
                        {move || format::count(i18n.locale.get(), rows)}
                    </dd>
                </div>
                <div>
                    <dt>{tr(Msg::StatSize)}</dt>
                    <dd class="num" id="table-bytes" data-value=bytes>
                        {move || format::bytes(i18n.locale.get(), bytes)}
                    </dd>
                </div>
                <div>
                    <dt>{tr(Msg::StatDateRange)}</dt>
                    <dd id="table-date-range">{date_range}</dd>
                </div>
                <div>
                    <dt>{tr(Msg::StatPartitionKeys)}</dt>
                    <dd>
                        <code>{partition_keys.join(", ")}</code>
                    </dd>
                </div>
            </dl>
            <h3 class="section-title">{tr(Msg::Columns)}</h3>
            <table class="columns-table" id="column-list">
                <thead>
                    <tr>
                        <th>{tr(Msg::ColumnName)}</th>
                        <th>{tr(Msg::ColumnType)}</th>
                        <th>{tr(Msg::ColumnRole)}</th>
                        <th>{tr(Msg::Nullable)}</th>
                    </tr>
                </thead>
                <tbody>{column_rows}</tbody>
            </table>
            <h3 class="section-title">{tr(Msg::FirstRows)}</h3>
            {move || match preview() {
                Some(grid) => view! { <ResultGrid grid id="preview-grid" /> }.into_any(),
                None => view! { <p class="hint">{tr(Msg::FirstRowsHint)}</p> }.into_any(),
            }}
        </section>
    }
}

/// The translated name of a column role.
fn role_name(role: ColumnRole) -> Msg {
    match role {
        ColumnRole::Dimension => Msg::RoleDimension,
        ColumnRole::Measure => Msg::RoleMeasure,
        ColumnRole::Time => Msg::RoleTime,
        ColumnRole::Key => Msg::RoleKey,
    }
}
