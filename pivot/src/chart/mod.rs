//! Charts of a pivot result, drawn with plotters on any backend (the browser's canvas, SVG or
//! bitmaps on the server), with the hit regions needed for hover tooltips.

#[cfg(target_arch = "wasm32")]
mod canvas;
mod data;
mod draw;

#[cfg(target_arch = "wasm32")]
pub use canvas::{draw_on_canvas, draw_series_on_canvas};
pub use data::{
    ChartData, ChartLabels, MAX_CATEGORIES, MAX_LINE_POINTS, MAX_POINTS, MAX_SERIES, Series, compact, full,
};
pub use draw::{draw, draw_series};

/// Colours, font and words for a chart. Sizes are in CSS pixels and multiplied by `scale`.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartTheme {
    /// Series colours, used in turn.
    pub palette: Vec<(u8, u8, u8)>,
    /// Fill behind everything.
    pub background: (u8, u8, u8),
    /// Text and axes.
    pub foreground: (u8, u8, u8),
    /// Grid lines.
    pub grid: (u8, u8, u8),
    /// Heatmap colours from the smallest to the largest value.
    pub ramp: [(u8, u8, u8); 2],
    /// CSS font family.
    pub font_family: String,
    /// Font size in CSS pixels.
    pub font_size: f64,
    /// Backend pixels per CSS pixel (the canvas' `devicePixelRatio`), for crisp text and lines.
    pub scale: f64,
    /// Translated words.
    pub labels: ChartLabels,
}

impl Default for ChartTheme {
    fn default() -> Self {
        Self {
            // Tableau 10 and two more, one per series up to `MAX_SERIES`: distinguishable, and readable
            // for the common colour-vision deficiencies.
            palette: vec![
                (78, 121, 167),
                (242, 142, 43),
                (225, 87, 89),
                (118, 183, 178),
                (89, 161, 79),
                (237, 201, 72),
                (176, 122, 161),
                (255, 157, 167),
                (156, 117, 95),
                (186, 176, 172),
                (47, 75, 124),
                (160, 81, 149),
            ],
            background: (255, 255, 255),
            foreground: (51, 51, 51),
            grid: (230, 230, 230),
            ramp: [(239, 246, 255), (29, 78, 216)],
            font_family: "sans-serif".to_owned(),
            font_size: 12.0,
            scale: 1.0,
            labels: ChartLabels::default(),
        }
    }
}

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The view asked for is the table. The caller's mistake.
    #[error("view: `table` is not a chart")]
    NotAChart,
    /// The drawing backend failed (a canvas without a 2D context, a full disk). An outside system.
    #[error("drawing: {0}")]
    Backend(String),
}

impl<E: std::error::Error + Send + Sync> From<plotters::drawing::DrawingAreaErrorKind<E>> for ChartError {
    fn from(error: plotters::drawing::DrawingAreaErrorKind<E>) -> Self {
        ChartError::Backend(error.to_string())
    }
}

/// What the pointer is over.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The series' name (column group and/or value), or the column group on a heatmap.
    pub series: String,
    /// The category (row group labels joined by ` / `).
    pub category: String,
    /// The category's machine key: on a pivot's chart, its row key as the table's cells carry it
    /// ([`crate::PivotTable::row_key`]), so that a click on a bar can act like a click on the
    /// row; on series drawn from [`ChartData::new`], the category itself.
    pub key: String,
    /// The number, as shown (a share as a fraction).
    pub value: Option<f64>,
    /// The number for a tooltip (see [`full`]); on a scatter plot, both values.
    pub formatted: String,
}

/// The area of a drawn mark, in backend pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum HitShape {
    /// A bar or heatmap cell: `x0 <= x < x1`, `y0 <= y < y1`.
    Rect {
        /// Left.
        x0: i32,
        /// Top.
        y0: i32,
        /// Right.
        x1: i32,
        /// Bottom.
        y1: i32,
    },
    /// A point, hit within `radius`.
    Point {
        /// Centre x.
        x: i32,
        /// Centre y.
        y: i32,
        /// How near counts.
        radius: i32,
    },
}

/// A drawn chart's geometry: its marks' hit regions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartLayout {
    /// The marks, in drawing order.
    pub regions: Vec<(HitShape, Hit)>,
    /// Backend pixels per CSS pixel, as drawn.
    pub scale: f64,
    /// Whether the input was cut to the drawing caps (the chart says so).
    pub truncated: bool,
}

impl ChartLayout {
    /// The mark under backend pixel (`x`, `y`): the last drawn rectangle containing it, else the
    /// nearest point within its radius.
    pub fn hit(&self, x: i32, y: i32) -> Option<&Hit> {
        let rect = self.regions.iter().rev().find(|(shape, _)| match *shape {
            HitShape::Rect { x0, y0, x1, y1 } => {
                (x0.min(x1)..x0.max(x1).max(x0.min(x1) + 1)).contains(&x)
                    && (y0.min(y1)..y0.max(y1).max(y0.min(y1) + 1)).contains(&y)
            }
            HitShape::Point { .. } => false,
        });
        if let Some((_, hit)) = rect {
            return Some(hit);
        }
        self.regions
            .iter()
            .filter_map(|(shape, hit)| match *shape {
                HitShape::Point { x: px, y: py, radius } => {
                    let d2 = i64::from(px - x).pow(2) + i64::from(py - y).pow(2);
                    (d2 <= i64::from(radius).pow(2)).then_some((d2, hit))
                }
                HitShape::Rect { .. } => None,
            })
            .min_by_key(|(d2, _)| *d2)
            .map(|(_, hit)| hit)
    }

    /// The centre of mark `i` in CSS pixels, with its hit (for moving between marks with the
    /// keyboard); `None` past the last mark.
    pub fn mark_css(&self, i: usize) -> Option<((f64, f64), &Hit)> {
        let scale = if self.scale > 0.0 { self.scale } else { 1.0 };
        let (shape, hit) = self.regions.get(i)?;
        let (x, y) = match *shape {
            HitShape::Rect { x0, y0, x1, y1 } => (f64::from(x0 + x1) / 2.0, f64::from(y0 + y1) / 2.0),
            HitShape::Point { x, y, .. } => (f64::from(x), f64::from(y)),
        };
        Some(((x / scale, y / scale), hit))
    }

    /// Like [`ChartLayout::hit`], for a position in CSS pixels (a mouse event's offset).
    pub fn hit_css(&self, x: f64, y: f64) -> Option<&Hit> {
        let scale = if self.scale > 0.0 { self.scale } else { 1.0 };
        self.hit((x * scale).round() as i32, (y * scale).round() as i32)
    }
}
