//! A chart on a canvas that fills its container: redrawn when the container is resized or the
//! locale changes, with a tooltip from the drawn marks' hit regions. The pivot's chart and the
//! analysis views' charts differ only in what they draw.
//!
//! The canvas and `ResizeObserver` are browser APIs outside `infra/`: the drawing itself lives in
//! `quiver_pivot::chart` (shared with the server), and this file only wires it to the element.

use crate::i18n::{Locale, Msg, use_i18n};
use leptos::html::Canvas;
use leptos::prelude::*;
use quiver_pivot::chart::{ChartError, ChartLabels, ChartLayout, ChartTheme};
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::HtmlCanvasElement;

/// Draws a chart on a canvas with a theme; returns where its marks are.
pub(crate) type Painter = Arc<dyn Fn(&HtmlCanvasElement, &ChartTheme) -> Result<ChartLayout, ChartError> + Send + Sync>;

/// Provided by a container that acts on a click on a chart's mark (a dashboard tile
/// cross-filters by it); called with the mark's [`quiver_pivot::chart::Hit::key`].
#[derive(Clone, Copy)]
pub(crate) struct ChartPick(pub(crate) Callback<String>);

/// A canvas `id` with `data-kind`, painted by `paint`.
#[component]
pub(crate) fn CanvasChart(id: &'static str, kind: &'static str, paint: Painter) -> impl IntoView {
    let i18n = use_i18n();
    let canvas = NodeRef::<Canvas>::new();
    let layout = StoredValue::new(ChartLayout::default());
    let tooltip = RwSignal::new(None::<(f64, f64, String)>);
    // Bumped by the resize observer; the drawing effect reads it.
    let resized = RwSignal::new(0_u32);

    Effect::new(move |_| {
        let locale = i18n.locale.get();
        resized.track();
        let Some(canvas) = canvas.get() else { return };
        let theme = ChartTheme {
            labels: labels(locale),
            font_family: "system-ui, sans-serif".to_owned(),
            ..ChartTheme::default()
        };
        match paint(&canvas, &theme) {
            Ok(drawn) => layout.set_value(drawn),
            // A canvas without a 2D context cannot show anything; the empty canvas says enough.
            Err(error) => leptos::logging::warn!("chart: {error}"),
        }
    });

    // Redraw when the container changes size (window resize, sidebar toggles).
    let observer = StoredValue::new_local(None::<(web_sys::ResizeObserver, Closure<dyn FnMut()>)>);
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        if observer.with_value(Option::is_some) {
            return;
        }
        let callback = Closure::<dyn FnMut()>::new(move || resized.update(|n| *n = n.wrapping_add(1)));
        let Ok(watcher) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) else { return };
        let target: &web_sys::Element = canvas.as_ref();
        watcher.observe(target.parent_element().as_ref().unwrap_or(target));
        observer.set_value(Some((watcher, callback)));
    });
    on_cleanup(move || {
        observer.try_with_value(|o| {
            if let Some((watcher, _)) = o {
                watcher.disconnect();
            }
        });
    });

    let pick = use_context::<ChartPick>();
    let click = move |ev: web_sys::MouseEvent| {
        let Some(ChartPick(pick)) = pick else { return };
        let (x, y) = (f64::from(ev.offset_x()), f64::from(ev.offset_y()));
        if let Some(key) = layout.with_value(|l| l.hit_css(x, y).map(|hit| hit.key.clone())) {
            pick.run(key);
        }
    };
    let hover = move |ev: web_sys::MouseEvent| {
        let (x, y) = (f64::from(ev.offset_x()), f64::from(ev.offset_y()));
        let text = layout.with_value(|l| l.hit_css(x, y).map(tooltip_text));
        tooltip.set(text.map(|text| (x, y, text)));
    };
    // The keyboard reaches every mark too: arrows move between them (showing the tooltip),
    // Enter or Space picks one, Escape hides the tooltip.
    let focused = StoredValue::new(None::<usize>);
    let key = move |ev: web_sys::KeyboardEvent| {
        let count = layout.with_value(|l| l.regions.len());
        if count == 0 {
            return;
        }
        let next = match (ev.key().as_str(), focused.get_value()) {
            ("ArrowRight" | "ArrowDown", None) => Some(0),
            ("ArrowRight" | "ArrowDown", Some(i)) => Some((i + 1) % count),
            ("ArrowLeft" | "ArrowUp", None) => Some(count - 1),
            ("ArrowLeft" | "ArrowUp", Some(i)) => Some((i + count - 1) % count),
            ("Enter" | " ", Some(i)) => {
                ev.prevent_default();
                if let (Some(ChartPick(pick)), Some(key)) =
                    (pick, layout.with_value(|l| l.mark_css(i).map(|(_, hit)| hit.key.clone())))
                {
                    pick.run(key);
                }
                return;
            }
            ("Escape", _) => {
                focused.set_value(None);
                tooltip.set(None);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        focused.set_value(next);
        let shown =
            next.and_then(|i| layout.with_value(|l| l.mark_css(i).map(|((x, y), hit)| (x, y, tooltip_text(hit)))));
        tooltip.set(shown);
    };

    view! {
        <div class="pivot-chart-box">
            <canvas
                id=id
                data-kind=kind
                node_ref=canvas
                class:pickable=pick.is_some()
                tabindex="0"
                on:mousemove=hover
                on:click=click
                on:keydown=key
                on:blur=move |_| {
                    focused.set_value(None);
                    tooltip.set(None);
                }
                on:mouseleave=move |_| tooltip.set(None)
            ></canvas>
            {move || {
                tooltip
                    .get()
                    .map(|(x, y, text)| {
                        view! {
                            <div
                                class="chart-tooltip"
                                id=format!("{id}-tooltip")
                                style=format!("left: {}px; top: {}px", x + 12.0, y + 12.0)
                            >
                                {text}
                            </div>
                        }
                    })
            }}
        </div>
    }
}

fn tooltip_text(hit: &quiver_pivot::chart::Hit) -> String {
    if hit.series.is_empty() {
        format!("{}: {}", hit.category, hit.formatted)
    } else {
        format!("{} · {}: {}", hit.category, hit.series, hit.formatted)
    }
}

fn labels(locale: Locale) -> ChartLabels {
    let t = |m: Msg| m.text(locale).to_owned();
    ChartLabels {
        total: t(Msg::PivotTotal),
        null: t(Msg::PivotNull),
        other: t(Msg::PivotOther),
        empty: t(Msg::ChartNoData),
        truncated: t(Msg::ChartTruncated),
        scatter_needs_two_values: t(Msg::ChartScatterNeedsTwo),
    }
}
