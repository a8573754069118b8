//! Export buttons: CSV and Parquet downloads, TSV to the clipboard.

use super::use_pivot;
use crate::error::AppError;
use crate::i18n::{Msg, tr};
use crate::infra::{clipboard, clock, download};
use leptos::prelude::*;
use leptos::task::spawn_local;
use quiver_pivot::export;

/// `pivot-<table>-<today>.<extension>`, the day in the tenant's calendar.
pub(crate) fn file_name(table: &str, today: chrono::NaiveDate, extension: &str) -> String {
    let safe: String =
        table.chars().map(|c| if c.is_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
    format!("pivot-{safe}-{}.{extension}", today.format("%Y-%m-%d"))
}

/// The three buttons, enabled once there is a result.
#[component]
pub(crate) fn ExportButtons() -> impl IntoView {
    let ctx = use_pivot();
    let state = ctx.state;
    let copied = RwSignal::new(false);
    let none = move || ctx.run.output.with(Option::is_none);
    let save = move |kind: &'static str| {
        let Some(output) = ctx.run.output.get_untracked() else {
            return;
        };
        let today = clock::today(&state.time_zone_untracked());
        let name = file_name(&output.spec.table, today, kind);
        let result = match kind {
            "csv" => Ok(export::to_csv(&output.table).into_bytes()),
            _ => export::to_parquet(&output).map_err(|e| e.to_string()),
        };
        let mime = if kind == "csv" { "text/csv;charset=utf-8" } else { "application/vnd.apache.parquet" };
        if let Err(error) = result.and_then(|bytes| download::save(&bytes, mime, &name)) {
            state.fail(AppError::Export(error));
        }
    };
    let copy = move |_| {
        let Some(output) = ctx.run.output.get_untracked() else {
            return;
        };
        let text = export::to_tsv(&output.table);
        spawn_local(async move {
            match clipboard::write_text(&text).await {
                Ok(()) => {
                    copied.set(true);
                    clock::sleep(3000).await;
                    copied.set(false);
                }
                Err(error) => state.fail(AppError::Export(error)),
            }
        });
    };
    view! {
        <div class="export-buttons">
            <button class="button" id="export-csv" prop:disabled=none on:click=move |_| save("csv")>
                {tr(Msg::ExportCsv)}
            </button>
            <button class="button" id="export-parquet" prop:disabled=none on:click=move |_| save("parquet")>
                {tr(Msg::ExportParquet)}
            </button>
            <button class="button" id="copy-tsv" prop:disabled=none on:click=copy>
                {tr(Msg::CopyTsv)}
            </button>
            <Show when=move || copied.get()>
                <span class="copy-confirm" id="copy-confirm" role="status">
                    {tr(Msg::Copied)}
                </span>
            </Show>
        </div>
    }
}
