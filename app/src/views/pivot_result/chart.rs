//! The pivot's chart: its output drawn as `output.spec.view` on a [`CanvasChart`].

use crate::views::chart_canvas::{CanvasChart, Painter};
use leptos::prelude::*;
use quiver_pivot::PivotOutput;
use quiver_pivot::chart::draw_on_canvas;
use std::sync::Arc;

/// The chart of `output` as `output.spec.view`.
#[component]
pub(super) fn PivotChart(output: Arc<PivotOutput>) -> impl IntoView {
    let kind = output.spec.view;
    let paint: Painter = Arc::new(move |canvas, theme| draw_on_canvas(canvas, &output, kind, theme));
    view! { <CanvasChart id="pivot-chart" kind=kind.as_str() paint /> }
}
