//! The load panel: choose a date range and columns, load the table into the browser, and watch
//! the partitions arrive.

use crate::i18n::{Msg, tr, use_i18n};
use crate::infra::format;
use crate::load::{LoadRequest, load_table, preset_range};
use crate::state::{LoadPhase, use_app_state};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use quiver_shared::catalog::TableInfo;
use quiver_shared::partition::parse_api_date;

/// The date presets, in days up to and including the table's last partition.
const PRESETS: [(u64, Msg); 3] = [(7, Msg::Last7), (30, Msg::Last30), (90, Msg::Last90)];
/// The preset chosen when the panel opens.
const DEFAULT_DAYS: u64 = 30;

/// The load form for one table, and the progress of the current load.
#[component]
pub(crate) fn LoadPanel(table: TableInfo) -> impl IntoView {
    let state = use_app_state();
    let all_columns: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
    let chosen = RwSignal::new(all_columns.clone());
    let (default_from, default_to) = match table.date_range {
        Some((first, last)) => preset_range(first, last, DEFAULT_DAYS),
        None => (String::new(), String::new()),
    };
    let from = RwSignal::new(default_from);
    let to = RwSignal::new(default_to);

    let range_ok = move || match (parse_api_date(&from.get()), parse_api_date(&to.get())) {
        (Some(f), Some(t)) => f <= t,
        _ => true,
    };
    let can_load = move || !state.is_loading() && !chosen.with(Vec::is_empty) && range_ok();
    let table = StoredValue::new(table);
    let all = StoredValue::new(all_columns);
    let start = move |_| {
        let table = table.get_value();
        let columns = chosen.get_untracked();
        let everything = all.with_value(|all| *all == columns);
        let request = LoadRequest {
            from: table.date_range.and(parse_api_date(&from.get_untracked())),
            to: table.date_range.and(parse_api_date(&to.get_untracked())),
            columns: (!everything).then_some(columns),
            table: table.name,
        };
        spawn_local(load_table(state, request));
    };

    view! {
        <section class="panel load-panel" id="load-panel">
            <h2 class="panel-title">{tr(Msg::LoadTitle)}</h2>
            {table
                .with_value(|t| t.date_range)
                .map_or_else(
                    || view! { <p class="hint">{tr(Msg::LoadsWhole)}</p> }.into_any(),
                    |(first, last)| view! { <DateRange first last from to /> }.into_any(),
                )}
            <ColumnChooser all chosen />
            <div class="load-actions">
                <button
                    class="button primary"
                    id="load-button"
                    prop:disabled=move || !can_load()
                    on:click=start
                >
                    {move || if state.is_loading() { tr(Msg::Loading)() } else { tr(Msg::Load)() }}
                </button>
                <Show when=move || chosen.with(Vec::is_empty)>
                    <span class="hint warn">{tr(Msg::PickAColumn)}</span>
                </Show>
                <Show when=move || !range_ok()>
                    <span class="hint warn">{tr(Msg::BadRange)}</span>
                </Show>
            </div>
            <LoadProgressView />
        </section>
    }
}

/// From/to date inputs bounded by the table's partitions, with the presets.
#[component]
fn DateRange(first: NaiveDate, last: NaiveDate, from: RwSignal<String>, to: RwSignal<String>) -> impl IntoView {
    let min = first.format("%Y-%m-%d").to_string();
    let max = last.format("%Y-%m-%d").to_string();
    let presets = PRESETS
        .into_iter()
        .map(|(days, label)| {
            let (preset_from, preset_to) = preset_range(first, last, days);
            let active = {
                let (preset_from, preset_to) = (preset_from.clone(), preset_to.clone());
                move || from.get() == preset_from && to.get() == preset_to
            };
            view! {
                <button
                    class="button preset"
                    class:active=active
                    id=format!("preset-{days}")
                    on:click=move |_| {
                        from.set(preset_from.clone());
                        to.set(preset_to.clone());
                    }
                >
                    {tr(label)}
                </button>
            }
        })
        .collect_view();

    view! {
        <div class="date-range">
            <label>
                <span>{tr(Msg::DateFrom)}</span>
                <input
                    type="date"
                    id="load-from"
                    min=min.clone()
                    max=max.clone()
                    prop:value=from
                    on:input:target=move |ev| from.set(ev.target().value())
                />
            </label>
            <label>
                <span>{tr(Msg::DateTo)}</span>
                <input
                    type="date"
                    id="load-to"
                    min=min
                    max=max
                    prop:value=to
                    on:input:target=move |ev| to.set(ev.target().value())
                />
            </label>
            <div class="presets">{presets}</div>
        </div>
    }
}

/// Checkboxes for the columns to load; all are checked at first.
#[component]
fn ColumnChooser(all: StoredValue<Vec<String>>, chosen: RwSignal<Vec<String>>) -> impl IntoView {
    let toggle = move |name: &str, checked: bool| {
        let current = chosen.get_untracked();
        // Rebuilt from the full list so that the chosen columns keep the table's order.
        let next = all.with_value(|all| {
            all.iter().filter(|c| if *c == name { checked } else { current.contains(c) }).cloned().collect()
        });
        chosen.set(next);
    };
    let boxes = all
        .get_value()
        .into_iter()
        .map(|name| {
            let checked = {
                let name = name.clone();
                move || chosen.with(|c| c.contains(&name))
            };
            let id = format!("load-col-{name}");
            let value = name.clone();
            let toggled = name.clone();
            view! {
                <label class="column-choice">
                    <input
                        type="checkbox"
                        id=id
                        value=value
                        prop:checked=checked
                        on:change:target=move |ev| toggle(&toggled, ev.target().checked())
                    />
                    <span>{name}</span>
                </label>
            }
        })
        .collect_view();

    view! {
        <fieldset class="column-chooser" id="column-chooser">
            <legend>
                {tr(Msg::ColumnsToLoad)}
                <button class="link" id="columns-all" on:click=move |_| chosen.set(all.get_value())>
                    {tr(Msg::SelectAll)}
                </button>
                <button class="link" id="columns-none" on:click=move |_| chosen.set(Vec::new())>
                    {tr(Msg::SelectNone)}
                </button>
            </legend>
            <div class="column-choices">{boxes}</div>
        </fieldset>
    }
}

/// The progress bar and figures of the current or last load, and its outcome.
///
/// The elements stay in place while the figures change (only their attributes and text update),
/// so that assistive technology and tests can follow one progress bar from start to end.
#[component]
fn LoadProgressView() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let load = Memo::new(move |_| state.load.get());
    let done = move || load.with(|l| l.as_ref().map_or(0, |l| l.partitions_done));
    let total = move || load.with(|l| l.as_ref().map_or(0, |l| l.partitions_total));
    let bytes = move || load.with(|l| l.as_ref().map_or(0, |l| l.bytes_received));
    let rows = move || load.with(|l| l.as_ref().map_or(0, |l| l.rows_decoded));
    let table = move || load.with(|l| l.as_ref().map(|l| l.table.clone()).unwrap_or_default());
    let phase = move || load.with(|l| l.as_ref().map(|l| l.phase.clone()));
    let finished = move || load.with(|l| l.as_ref().is_some_and(|l| !l.is_active()));

    let percent = move || {
        let total = total();
        let share = if total == 0 { 0.0 } else { 100.0 * done() as f64 / total as f64 };
        format!("{share:.1}%")
    };
    let partitions = move || {
        let locale = i18n.locale.get();
        i18n.f(
            Msg::ProgressPartitions,
            &[&format::count(locale, done() as u64), &format::count(locale, total() as u64)],
        )
    };
    let figures = move || {
        let locale = i18n.locale.get();
        [
            partitions(),
            i18n.f(Msg::ProgressBytes, &[&format::bytes(locale, bytes())]),
            i18n.f(Msg::ProgressRows, &[&format::count(locale, rows())]),
        ]
        .join(" · ")
    };
    let heading = move || match phase() {
        Some(LoadPhase::Manifest) => i18n.t(Msg::FetchingManifest).to_owned(),
        Some(LoadPhase::Downloading | LoadPhase::Registering) => i18n.f(Msg::LoadingTable, &[&table()]),
        Some(LoadPhase::Done { .. } | LoadPhase::Empty | LoadPhase::Failed) | None => table(),
    };

    view! {
        <Show when=move || load.with(Option::is_some)>
            <div class="load-progress-block" data-table=table>
                <div class="progress-heading">{heading}</div>
                <div
                    id="load-progress"
                    class="progress"
                    class:done=finished
                    role="progressbar"
                    aria-valuemin="0"
                    aria-valuemax=total
                    aria-valuenow=done
                    aria-valuetext=partitions
                    data-bytes=bytes
                    data-rows=rows
                >
                    <div class="progress-fill" style:width=percent></div>
                </div>
                <div class="progress-figures">{figures}</div>
                {move || phase().and_then(|phase| outcome(&phase, i18n))}
            </div>
        </Show>
    }
}

/// The `load-status` line, once a load has ended.
fn outcome(phase: &LoadPhase, i18n: crate::i18n::I18n) -> Option<impl IntoView + use<>> {
    let locale = i18n.locale.get();
    let (state, rows, seconds, text) = match phase {
        LoadPhase::Done { rows, seconds } => (
            "done",
            *rows,
            *seconds,
            i18n.f(Msg::LoadDone, &[&format::count(locale, *rows), &format::seconds(locale, *seconds)]),
        ),
        LoadPhase::Empty => ("empty", 0, 0.0, i18n.t(Msg::NoPartitions).to_owned()),
        LoadPhase::Failed => ("failed", 0, 0.0, i18n.t(Msg::LoadFailed).to_owned()),
        LoadPhase::Manifest | LoadPhase::Downloading | LoadPhase::Registering => return None,
    };
    Some(view! {
        <p class="load-status" class:failed=state == "failed" id="load-status" data-state=state data-rows=rows data-seconds=seconds>
            {text}
        </p>
    })
}
