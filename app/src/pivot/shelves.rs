//! The four shelves: drop zones holding chips. A chip can be dragged within its shelf (reorder)
//! or to another, moved with its menu, removed with Delete and reordered with Alt+←/→; value
//! chips choose their aggregation and "show as", time chips their grain.

use super::drag::{DragSource, drop_index};
use super::shelf::{Shelf, add_field, is_numeric, move_chip, remove_chip, shift_chip};
use super::{MenuId, PivotContext, use_pivot};
use crate::i18n::{Msg, tr, use_i18n};
use crate::infra::dnd::{self, Dropped};
use crate::infra::url::HistoryEntry;
use leptos::prelude::*;
use quiver_shared::pivot::{Agg, ShowAs, TimeGrain};

/// The shelves, each with its title.
#[component]
pub(crate) fn Shelves() -> impl IntoView {
    view! {
        <div class="shelves">
            {Shelf::ALL.into_iter().map(|shelf| view! { <ShelfZone shelf /> }).collect_view()}
        </div>
    }
}

fn title(shelf: Shelf) -> Msg {
    match shelf {
        Shelf::Rows => Msg::ShelfRows,
        Shelf::Columns => Msg::ShelfColumns,
        Shelf::Values => Msg::ShelfValues,
        Shelf::Filters => Msg::ShelfFilters,
    }
}

/// A chip as the shelf shows it: enough to draw it and to tell it from the others.
#[derive(Clone, Debug, PartialEq)]
struct ChipModel {
    index: usize,
    /// The column; empty for the count of rows.
    column: String,
    grain: Option<TimeGrain>,
    agg: Option<Agg>,
    show_as: ShowAs,
}

fn chips(ctx: PivotContext, shelf: Shelf) -> Vec<ChipModel> {
    ctx.state.pivot.with(|spec| {
        let plain = |index, column: &str, grain| ChipModel {
            index,
            column: column.to_owned(),
            grain,
            agg: None,
            show_as: ShowAs::Value,
        };
        match shelf {
            Shelf::Rows => spec.rows.iter().enumerate().map(|(i, f)| plain(i, &f.column, f.grain)).collect(),
            Shelf::Columns => spec.columns.iter().enumerate().map(|(i, f)| plain(i, &f.column, f.grain)).collect(),
            Shelf::Values => spec
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| ChipModel {
                    index: i,
                    column: v.column.clone().unwrap_or_default(),
                    grain: None,
                    agg: Some(v.agg),
                    show_as: v.show_as,
                })
                .collect(),
            Shelf::Filters => spec.filters.iter().enumerate().map(|(i, f)| plain(i, &f.column, None)).collect(),
        }
    })
}

/// One shelf: a drop zone with its chips.
#[component]
fn ShelfZone(shelf: Shelf) -> impl IntoView {
    let ctx = use_pivot();
    let over = RwSignal::new(false);
    let drop = move |ev: leptos::ev::DragEvent| {
        over.set(false);
        let (pointer, boxes) = dnd::pointer_and_boxes(&ev, ".chip");
        let at = drop_index(&boxes, pointer);
        let source = match dnd::dropped(&ev) {
            Some(Dropped::Payload(payload)) => DragSource::decode(&payload),
            // A column name dragged from elsewhere (or typed) is taken as a field of the table.
            Some(Dropped::Text(text)) => Some(DragSource::Field(text.trim().to_owned())),
            None => None,
        };
        match source {
            Some(DragSource::Field(column)) => ctx.edit(HistoryEntry::Push, |spec, table| {
                if table.column(&column).is_some() {
                    add_field(spec, table, &column, shelf, Some(at));
                }
            }),
            Some(DragSource::Chip(from, index)) => ctx.edit(HistoryEntry::Push, |spec, table| {
                move_chip(spec, table, from, index, shelf, at);
            }),
            None => {}
        }
    };
    let items = move || {
        let list = chips(ctx, shelf);
        if list.is_empty() {
            return view! { <span class="shelf-empty">{tr(Msg::DropHere)}</span> }.into_any();
        }
        list.into_iter().map(|chip| view! { <Chip shelf chip /> }).collect_view().into_any()
    };

    view! {
        <div class="shelf" data-shelf=shelf.as_str()>
            <h3 class="shelf-title">{tr(title(shelf))}</h3>
            <div
                class="shelf-zone"
                class:drag-over=over
                id=format!("shelf-{}", shelf.as_str())
                on:dragenter=move |ev| {
                    dnd::accept(&ev);
                    over.set(true);
                }
                on:dragover=move |ev| dnd::accept(&ev)
                on:dragleave=move |_| over.set(false)
                on:drop=drop
            >
                {items}
            </div>
        </div>
    }
}

/// The chip menu's moves to other shelves.
const MOVE_TO: [(Shelf, Msg); 4] = [
    (Shelf::Rows, Msg::MoveToRows),
    (Shelf::Columns, Msg::MoveToColumns),
    (Shelf::Values, Msg::MoveToValues),
    (Shelf::Filters, Msg::MoveToFilters),
];

/// One chip.
#[component]
fn Chip(shelf: Shelf, chip: ChipModel) -> impl IntoView {
    let ctx = use_pivot();
    let i18n = use_i18n();
    let index = chip.index;
    let menu_id = MenuId::Chip(shelf, index);
    let open = {
        let menu_id = menu_id.clone();
        Memo::new(move |_| ctx.open_menu.with(|m| m.as_ref() == Some(&menu_id)))
    };
    let toggle = move || {
        let id = menu_id.clone();
        ctx.open_menu.update(|m| *m = if m.as_ref() == Some(&id) { None } else { Some(id) });
    };
    let act = move |action: &str| {
        ctx.open_menu.set(None);
        match action {
            "left" | "right" => {
                let delta = if action == "left" { -1 } else { 1 };
                ctx.edit(HistoryEntry::Push, |spec, table| {
                    shift_chip(spec, table, shelf, index, delta);
                });
            }
            "remove" => ctx.edit(HistoryEntry::Push, |spec, _| remove_chip(spec, shelf, index)),
            other => {
                if let Some(to) = Shelf::parse(other) {
                    ctx.edit(HistoryEntry::Push, |spec, table| {
                        move_chip(spec, table, shelf, index, to, usize::MAX);
                    });
                }
            }
        }
    };
    let keydown = {
        let toggle = toggle.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            if !dnd::on_itself(&ev) {
                return;
            }
            match ev.key().as_str() {
                "Delete" | "Backspace" => {
                    ev.prevent_default();
                    act("remove");
                }
                "ArrowLeft" if ev.alt_key() => {
                    ev.prevent_default();
                    act("left");
                }
                "ArrowRight" if ev.alt_key() => {
                    ev.prevent_default();
                    act("right");
                }
                "Enter" | " " => {
                    ev.prevent_default();
                    toggle();
                }
                _ => {}
            }
        }
    };
    let drag_start = {
        let column = chip.column.clone();
        move |ev: leptos::ev::DragEvent| dnd::start(&ev, &DragSource::Chip(shelf, index).encode(), &column)
    };
    let label = if chip.column.is_empty() {
        view! { <span class="chip-label">{tr(Msg::CountOfRows)}</span> }.into_any()
    } else {
        view! { <span class="chip-label">{chip.column.clone()}</span> }.into_any()
    };
    let numeric = ctx
        .table
        .with_untracked(|t| t.as_ref().and_then(|t| t.column(&chip.column)).is_some_and(|c| is_numeric(&c.data_type)));
    let agg_select = chip.agg.map(|agg| view! { <AggSelect index agg numeric column=chip.column.clone() /> });
    let show_as = chip.agg.map(|_| view! { <ShowAsSelect index show_as=chip.show_as /> });
    let grain = chip.grain.map(|grain| view! { <GrainSelect shelf index grain /> });
    let menu = move || {
        open.get().then(|| {
            let len = ctx.state.pivot.with_untracked(|s| shelf.len(s));
            let moves = MOVE_TO
                .into_iter()
                .filter(|(to, _)| *to != shelf)
                .map(|(to, label)| {
                    view! {
                        <button role="menuitem" data-action=to.as_str() on:click=move |_| act(to.as_str())>
                            {tr(label)}
                        </button>
                    }
                })
                .collect_view();
            view! {
                <div class="pivot-menu chip-menu" role="menu">
                    <button role="menuitem" data-action="left" disabled={index == 0} on:click=move |_| act("left")>
                        {tr(Msg::MoveLeft)}
                    </button>
                    <button
                        role="menuitem"
                        data-action="right"
                        disabled={index + 1 >= len}
                        on:click=move |_| act("right")
                    >
                        {tr(Msg::MoveRight)}
                    </button>
                    {moves}
                    <button role="menuitem" data-action="remove" on:click=move |_| act("remove")>
                        {tr(Msg::RemoveChip)}
                    </button>
                </div>
            }
        })
    };

    view! {
        <div
            class="chip"
            class:open=open
            data-field=chip.column.clone()
            data-index=index
            draggable="true"
            tabindex="0"
            on:dragstart=drag_start
            on:keydown=keydown
        >
            {label}
            {grain}
            {agg_select}
            {show_as}
            <button
                class="menu-button chip-menu-button"
                tabindex="-1"
                title=move || i18n.t(Msg::FieldMenu)
                aria-label=move || i18n.t(Msg::FieldMenu)
                on:click=move |ev| {
                    ev.stop_propagation();
                    toggle();
                }
            >
                "⋯"
            </button>
            {menu}
        </div>
    }
}

/// The name of an aggregation in the menu.
pub(crate) fn agg_name(agg: Agg) -> Msg {
    match agg {
        Agg::Count => Msg::AggCount,
        Agg::CountDistinct => Msg::AggCountDistinct,
        Agg::Sum => Msg::AggSum,
        Agg::Avg => Msg::AggAvg,
        Agg::Min => Msg::AggMin,
        Agg::Max => Msg::AggMax,
        Agg::Median => Msg::AggMedian,
        Agg::P90 => Msg::AggP90,
    }
}

/// A value chip's aggregation; those needing numbers are disabled for other columns, and the
/// count of rows offers nothing else.
#[component]
fn AggSelect(index: usize, agg: Agg, numeric: bool, column: String) -> impl IntoView {
    let ctx = use_pivot();
    let rows_only = column.is_empty();
    let change = move |name: String| {
        if let Some(agg) = Agg::ALL.into_iter().find(|a| a.as_str() == name) {
            ctx.edit(HistoryEntry::Push, |spec, _| {
                if let Some(value) = spec.values.get_mut(index) {
                    value.agg = agg;
                }
            });
        }
    };
    let options = Agg::ALL
        .into_iter()
        .map(|a| {
            let disabled = (a.needs_number() && !numeric) || (rows_only && a != Agg::Count);
            view! {
                <option value=a.as_str() selected={a == agg} disabled=disabled>
                    {tr(agg_name(a))}
                </option>
            }
        })
        .collect_view();
    view! {
        <select class="agg-select" prop:value=agg.as_str() on:change:target=move |ev| change(ev.target().value())>
            {options}
        </select>
    }
}

/// A value chip's "show as".
#[component]
fn ShowAsSelect(index: usize, show_as: ShowAs) -> impl IntoView {
    let ctx = use_pivot();
    const CHOICES: [(ShowAs, &str, Msg); 4] = [
        (ShowAs::Value, "value", Msg::ShowAsValue),
        (ShowAs::PercentOfTotal, "percent_of_total", Msg::ShowAsTotal),
        (ShowAs::PercentOfRow, "percent_of_row", Msg::ShowAsRow),
        (ShowAs::PercentOfColumn, "percent_of_column", Msg::ShowAsColumn),
    ];
    let change = move |name: String| {
        if let Some((choice, _, _)) = CHOICES.into_iter().find(|(_, n, _)| *n == name) {
            ctx.edit(HistoryEntry::Push, |spec, _| {
                if let Some(value) = spec.values.get_mut(index) {
                    value.show_as = choice;
                }
            });
        }
    };
    let current = CHOICES.into_iter().find(|(s, _, _)| *s == show_as).map_or("value", |(_, n, _)| n);
    view! {
        <select class="show-as-select" prop:value=current on:change:target=move |ev| change(ev.target().value())>
            {CHOICES
                .into_iter()
                .map(|(s, name, label)| {
                    view! {
                        <option value=name selected={s == show_as}>
                            {tr(label)}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}

/// The name of a grain.
fn grain_name(grain: TimeGrain) -> Msg {
    match grain {
        TimeGrain::Hour => Msg::GrainHour,
        TimeGrain::Day => Msg::GrainDay,
        TimeGrain::Week => Msg::GrainWeek,
        TimeGrain::Month => Msg::GrainMonth,
        TimeGrain::Quarter => Msg::GrainQuarter,
        TimeGrain::Year => Msg::GrainYear,
    }
}

/// A time chip's grain.
#[component]
fn GrainSelect(shelf: Shelf, index: usize, grain: TimeGrain) -> impl IntoView {
    let ctx = use_pivot();
    let change = move |name: String| {
        let Some(grain) = TimeGrain::ALL.into_iter().find(|g| g.as_str() == name) else {
            return;
        };
        ctx.edit(HistoryEntry::Push, |spec, _| {
            let fields = if shelf == Shelf::Rows { &mut spec.rows } else { &mut spec.columns };
            if let Some(field) = fields.get_mut(index) {
                field.grain = Some(grain);
            }
        });
    };
    view! {
        <select class="grain-select" prop:value=grain.as_str() on:change:target=move |ev| change(ev.target().value())>
            {TimeGrain::ALL
                .into_iter()
                .map(|g| {
                    view! {
                        <option value=g.as_str() selected={g == grain}>
                            {tr(grain_name(g))}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}
