//! The field list: a table picker, and the table's fields grouped by role, searchable, each
//! draggable onto a shelf or added through its menu (Enter, or the ⋯ button).

use super::drag::DragSource;
use super::shelf::{Shelf, add_field};
use super::{MenuId, use_pivot};
use crate::i18n::{Msg, tr};
use crate::infra::dnd;
use crate::infra::url::HistoryEntry;
use crate::pivot::sync;
use leptos::prelude::*;
use quiver_shared::catalog::{Catalog, ColumnInfo, ColumnRole};
use quiver_shared::pivot::PivotSpec;
use std::sync::Arc;

/// The groups, in the order shown.
const GROUPS: [(ColumnRole, Msg); 4] = [
    (ColumnRole::Dimension, Msg::GroupDimensions),
    (ColumnRole::Measure, Msg::GroupMeasures),
    (ColumnRole::Time, Msg::GroupTime),
    (ColumnRole::Key, Msg::GroupKeys),
];

/// The menu entries: "add to" each shelf.
pub(super) const ADD_TO: [(Shelf, Msg); 4] = [
    (Shelf::Rows, Msg::AddToRows),
    (Shelf::Columns, Msg::AddToColumns),
    (Shelf::Values, Msg::AddToValues),
    (Shelf::Filters, Msg::AddToFilters),
];

/// The table picker and the field groups.
#[component]
pub(crate) fn FieldList(catalog: Arc<Catalog>) -> impl IntoView {
    let ctx = use_pivot();
    let state = ctx.state;
    let search = RwSignal::new(String::new());
    let choose_table = move |name: String| {
        if state.pivot.with_untracked(|s| s.table == name) {
            return;
        }
        // Fields of one table mean nothing on another: a new table starts a new pivot.
        sync::edit(state, HistoryEntry::Push, |spec| *spec = PivotSpec { table: name, ..PivotSpec::default() });
    };
    let options = catalog
        .tables
        .iter()
        .map(|t| {
            let name = t.name.clone();
            let selected = {
                let name = name.clone();
                move || state.pivot.with(|s| s.table == name)
            };
            view! {
                <option value=name.clone() prop:selected=selected>
                    {name.clone()}
                </option>
            }
        })
        .collect_view();
    let groups = move || {
        let table = ctx.table.get()?;
        let needle = search.get().trim().to_lowercase();
        let matching: Vec<ColumnInfo> = table
            .columns
            .iter()
            .filter(|c| !table.is_partition_column(&c.name))
            .filter(|c| needle.is_empty() || c.name.to_lowercase().contains(&needle))
            .cloned()
            .collect();
        if matching.is_empty() {
            return Some(view! { <p class="hint">{tr(Msg::NoFields)}</p> }.into_any());
        }
        let groups = GROUPS
            .into_iter()
            .filter_map(|(role, title)| {
                let fields: Vec<ColumnInfo> = matching.iter().filter(|c| c.role == role).cloned().collect();
                (!fields.is_empty()).then(|| {
                    view! {
                        <div class="field-group" data-role=role.as_str()>
                            <h3 class="field-group-title">{tr(title)}</h3>
                            <ul class="fields">
                                {fields.into_iter().map(|c| view! { <FieldItem column=c /> }).collect_view()}
                            </ul>
                        </div>
                    }
                })
            })
            .collect_view();
        Some(groups.into_any())
    };

    view! {
        <aside class="field-list" id="field-list">
            <label class="pivot-table-picker">
                <span>{tr(Msg::PivotTableLabel)}</span>
                <select id="pivot-table-select" on:change:target=move |ev| choose_table(ev.target().value())>
                    <option value="" disabled=true prop:selected=move || state.pivot.with(|s| s.table.is_empty())>
                        "—"
                    </option>
                    {options}
                </select>
            </label>
            <input
                type="search"
                id="field-search"
                class="field-search"
                placeholder=tr(Msg::FieldSearch)
                aria-label=tr(Msg::FieldSearch)
                prop:value=search
                on:input:target=move |ev| search.set(ev.target().value())
            />
            {groups}
        </aside>
    }
}

/// One field: draggable, focusable, with its menu.
#[component]
fn FieldItem(column: ColumnInfo) -> impl IntoView {
    let ctx = use_pivot();
    let name = column.name.clone();
    let menu_id = MenuId::Field(name.clone());
    let open = {
        let menu_id = menu_id.clone();
        Memo::new(move |_| ctx.open_menu.with(|m| m.as_ref() == Some(&menu_id)))
    };
    let toggle = {
        let menu_id = menu_id.clone();
        move || ctx.open_menu.update(|m| *m = if m.as_ref() == Some(&menu_id) { None } else { Some(menu_id.clone()) })
    };
    let add = {
        let name = name.clone();
        move |shelf: Shelf| {
            ctx.open_menu.set(None);
            ctx.edit(HistoryEntry::Push, |spec, table| add_field(spec, table, &name, shelf, None));
        }
    };
    let drag_start = {
        let name = name.clone();
        move |ev: leptos::ev::DragEvent| dnd::start(&ev, &DragSource::Field(name.clone()).encode(), &name)
    };
    let keydown = {
        let toggle = toggle.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            if dnd::on_itself(&ev) && (ev.key() == "Enter" || ev.key() == " ") {
                ev.prevent_default();
                toggle();
            }
        }
    };
    let menu = move || {
        open.get().then(|| {
            let add = add.clone();
            view! {
                <div class="pivot-menu field-menu" role="menu">
                    {ADD_TO
                        .into_iter()
                        .map(|(shelf, label)| {
                            let add = add.clone();
                            view! {
                                <button role="menuitem" data-action=shelf.as_str() on:click=move |_| add(shelf)>
                                    {tr(label)}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            }
        })
    };

    view! {
        <li
            class="field"
            class:open=open
            data-field=name.clone()
            data-role=column.role.as_str()
            draggable="true"
            tabindex="0"
            title=column.data_type.clone()
            on:dragstart=drag_start
            on:keydown=keydown
        >
            <span class=format!("field-icon role-{}", column.role.as_str()) aria-hidden="true"></span>
            <span class="field-name">{name.clone()}</span>
            <button
                class="menu-button field-menu-button"
                tabindex="-1"
                title=tr(Msg::FieldMenu)
                aria-label=tr(Msg::FieldMenu)
                aria-expanded=move || open.get().to_string()
                on:click=move |ev| {
                    ev.stop_propagation();
                    toggle();
                }
            >
                "⋯"
            </button>
            {menu}
        </li>
    }
}
