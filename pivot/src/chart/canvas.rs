//! Drawing on an HTML canvas in the browser, sharp on high-density screens.

use super::{ChartData, ChartError, ChartLayout, ChartTheme, draw, draw_series};
use crate::PivotOutput;
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use quiver_shared::pivot::ViewKind;
use web_sys::HtmlCanvasElement;

/// Draws `output` as a `kind` chart on `canvas`, sized to the canvas' CSS box times
/// `devicePixelRatio` (so text and lines stay crisp); `theme.scale` is set from that ratio.
/// Hit regions are in canvas pixels: use [`ChartLayout::hit_css`] with a mouse event's offset.
pub fn draw_on_canvas(
    canvas: &HtmlCanvasElement,
    output: &PivotOutput,
    kind: ViewKind,
    theme: &ChartTheme,
) -> Result<ChartLayout, ChartError> {
    on_canvas(canvas, theme, |area, theme| draw(area, output, kind, theme))
}

/// Like [`draw_on_canvas`], for a chart of categories and series ([`draw_series`]).
pub fn draw_series_on_canvas(
    canvas: &HtmlCanvasElement,
    data: &ChartData,
    kind: ViewKind,
    theme: &ChartTheme,
) -> Result<ChartLayout, ChartError> {
    on_canvas(canvas, theme, |area, theme| draw_series(area, data, kind, theme))
}

fn on_canvas(
    canvas: &HtmlCanvasElement,
    theme: &ChartTheme,
    paint: impl FnOnce(
        &plotters::drawing::DrawingArea<CanvasBackend, plotters::coord::Shift>,
        &ChartTheme,
    ) -> Result<ChartLayout, ChartError>,
) -> Result<ChartLayout, ChartError> {
    let ratio = web_sys::window().map(|w| w.device_pixel_ratio()).filter(|r| *r > 0.0).unwrap_or(1.0);
    let (css_width, css_height) = (canvas.client_width().max(0), canvas.client_height().max(0));
    // A canvas not laid out yet (display: none) reports 0: keep its attribute size instead.
    if css_width > 0 && css_height > 0 {
        canvas.set_width((f64::from(css_width) * ratio).round() as u32);
        canvas.set_height((f64::from(css_height) * ratio).round() as u32);
    }
    let scale = if css_width > 0 { f64::from(canvas.width()) / f64::from(css_width) } else { ratio };
    let theme = ChartTheme { scale, ..theme.clone() };
    let backend = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or_else(|| ChartError::Backend("the canvas has no 2D context".to_owned()))?;
    let area = backend.into_drawing_area();
    let layout = paint(&area, &theme)?;
    area.present()?;
    Ok(layout)
}
