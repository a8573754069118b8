//! The pivot's result: the pivot table or one of its charts, per the spec's view.

mod chart;
mod table;
#[cfg(test)]
mod tests;

use crate::i18n::{Locale, Msg};
use crate::infra::format;
use leptos::prelude::*;
use quiver_pivot::{Label, PivotOutput};
use quiver_shared::pivot::ShowAs;
use std::sync::Arc;

/// Shows `output` as `output.spec.view` says: the table, or a chart.
#[component]
pub fn PivotResult(output: Arc<PivotOutput>) -> impl IntoView {
    if output.spec.view.is_chart() {
        view! { <chart::PivotChart output /> }.into_any()
    } else {
        view! { <table::PivotTableView output /> }.into_any()
    }
}

/// A group label for the UI: typed labels as formatted by `quiver-pivot`, the two special groups
/// translated.
fn label_text(locale: Locale, label: &Label) -> String {
    match label {
        Label::Null => Msg::PivotNull.text(locale).to_owned(),
        Label::Other => Msg::PivotOther.text(locale).to_owned(),
        other => other.display(),
    }
}

/// A cell's number for the locale: whole numbers grouped (`12,345`), others with two decimals,
/// shares as percentages.
fn number_text(locale: Locale, value: f64, show_as: ShowAs) -> String {
    if show_as != ShowAs::Value {
        return format!("{}%", format::decimal(locale, value * 100.0));
    }
    // Counts come back as Float64; show them as the integers they are.
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        format::integer(locale, value as i64)
    } else {
        format::decimal(locale, value)
    }
}
