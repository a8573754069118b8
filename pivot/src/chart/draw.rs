//! Drawing each chart kind with plotters, recording every mark's hit region.

use super::data::{
    ChartData, MAX_CATEGORIES, MAX_LINE_POINTS, MAX_POINTS, MAX_SERIES, Series, compact, full, series_data,
};
use super::{ChartError, ChartLayout, ChartTheme, Hit, HitShape};
use crate::PivotOutput;
use crate::label::Label;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use quiver_shared::pivot::ViewKind;
use std::ops::Range;

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Draws `output` as a `kind` chart filling `area`, and returns where its marks are.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    output: &PivotOutput,
    kind: ViewKind,
    theme: &ChartTheme,
) -> Result<ChartLayout, ChartError> {
    let pen = Pen::new(area, theme);
    area.fill(&pen.background)?;
    let mut layout = ChartLayout { regions: Vec::new(), scale: theme.scale, truncated: false };
    let (width, height) = area.dim_in_pixel();
    // Below this there is no room for axes; an empty frame beats a panic on negative sizes.
    if f64::from(width) < 120.0 * theme.scale || f64::from(height) < 90.0 * theme.scale {
        return Ok(layout);
    }
    let table = &output.table;
    match kind {
        ViewKind::Table => return Err(ChartError::NotAChart),
        ViewKind::Scatter => scatter(area, output, &pen, &mut layout)?,
        ViewKind::Heatmap => heatmap(area, output, &pen, &mut layout)?,
        ViewKind::Bar | ViewKind::StackedBar | ViewKind::Line | ViewKind::Area => {
            let cap = if matches!(kind, ViewKind::Line | ViewKind::Area) { MAX_LINE_POINTS } else { MAX_CATEGORIES };
            let data = series_data(table, &theme.labels, cap);
            layout.truncated = data.is_truncated();
            if !has_numbers(&data.series) {
                pen.message(area, &theme.labels.empty)?;
            } else {
                series_chart(area, &data, kind, &pen, &mut layout)?;
            }
        }
    }
    Ok(layout)
}

/// Draws `data` as a bar, stacked bar, line or area chart filling `area` (any other `kind` is
/// [`ChartError::NotAChart`]), capped like a pivot's chart, and returns where its marks are.
/// The analysis views build their [`ChartData`] themselves and draw through here.
pub fn draw_series<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ChartData,
    kind: ViewKind,
    theme: &ChartTheme,
) -> Result<ChartLayout, ChartError> {
    if !matches!(kind, ViewKind::Bar | ViewKind::StackedBar | ViewKind::Line | ViewKind::Area) {
        return Err(ChartError::NotAChart);
    }
    let pen = Pen::new(area, theme);
    area.fill(&pen.background)?;
    let mut layout = ChartLayout { regions: Vec::new(), scale: theme.scale, truncated: false };
    let (width, height) = area.dim_in_pixel();
    if f64::from(width) < 120.0 * theme.scale || f64::from(height) < 90.0 * theme.scale {
        return Ok(layout);
    }
    let cap = if matches!(kind, ViewKind::Line | ViewKind::Area) { MAX_LINE_POINTS } else { MAX_CATEGORIES };
    let shown = data.categories.len().min(cap);
    let capped = ChartData {
        categories: data.categories[..shown].to_vec(),
        series: data
            .series
            .iter()
            .take(MAX_SERIES)
            .map(|s| Series { name: s.name.clone(), values: s.values.iter().take(shown).copied().collect() })
            .collect(),
        total_categories: data.total_categories.max(data.categories.len()),
        total_series: data.total_series.max(data.series.len()),
        ..data.clone()
    };
    layout.truncated = capped.is_truncated();
    if has_numbers(&capped.series) {
        series_chart(area, &capped, kind, &pen, &mut layout)?;
    } else {
        pen.message(area, &theme.labels.empty)?;
    }
    Ok(layout)
}

/// Colours, sizes and text styles at the theme's scale.
struct Pen<'t> {
    theme: &'t ChartTheme,
    background: RGBColor,
    foreground: RGBColor,
    grid: RGBColor,
    /// Font size in backend pixels.
    font: f64,
}

impl<'t> Pen<'t> {
    fn new<DB: DrawingBackend>(_area: &DrawingArea<DB, Shift>, theme: &'t ChartTheme) -> Self {
        let rgb = |(r, g, b): (u8, u8, u8)| RGBColor(r, g, b);
        Self {
            theme,
            background: rgb(theme.background),
            foreground: rgb(theme.foreground),
            grid: rgb(theme.grid),
            font: theme.font_size * theme.scale,
        }
    }

    fn px(&self, css: f64) -> i32 {
        (css * self.theme.scale).round() as i32
    }

    fn text(&self) -> TextStyle<'_> {
        (self.theme.font_family.as_str(), self.font).into_font().color(&self.foreground)
    }

    fn colour(&self, i: usize) -> RGBColor {
        let palette = &self.theme.palette;
        let (r, g, b) = if palette.is_empty() { (78, 121, 167) } else { palette[i % palette.len()] };
        RGBColor(r, g, b)
    }

    fn ramp(&self, t: f64) -> RGBColor {
        let [(r0, g0, b0), (r1, g1, b1)] = self.theme.ramp;
        let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t.clamp(0.0, 1.0)).round() as u8;
        RGBColor(mix(r0, r1), mix(g0, g1), mix(b0, b1))
    }

    /// Approximate width of `text` in backend pixels.
    fn width<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, text: &str) -> i32 {
        area.estimate_text_size(text, &self.text())
            .map(|(w, _)| w as i32)
            .unwrap_or((text.len() as f64 * self.font * 0.6) as i32)
    }

    /// `text` cut with an ellipsis to fit `max` backend pixels.
    fn fit<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, text: &str, max: i32) -> String {
        if self.width(area, text) <= max {
            return text.to_owned();
        }
        let chars: Vec<char> = text.chars().collect();
        let mut keep = chars.len();
        while keep > 0 {
            keep -= 1;
            let candidate: String = chars[..keep].iter().collect::<String>() + "…";
            if self.width(area, &candidate) <= max {
                return candidate;
            }
        }
        String::new()
    }

    /// A sentence in the middle of the area (no data, a scatter without two values).
    fn message<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, text: &str) -> Result<(), ChartError> {
        let (w, h) = area.dim_in_pixel();
        let style = self.text().pos(Pos::new(HPos::Center, VPos::Center));
        area.draw(&Text::new(text.to_owned(), ((w / 2) as i32, (h / 2) as i32), style))?;
        Ok(())
    }

    /// The legend (and the truncation note) in a strip at the top; returns the rest of the area.
    fn legend<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        names: &[String],
        note: Option<String>,
    ) -> Result<DrawingArea<DB, Shift>, ChartError> {
        let (width, _) = area.dim_in_pixel();
        let (line, swatch, gap, pad) =
            (self.px(self.theme.font_size * 1.6), self.px(10.0), self.px(16.0), self.px(8.0));
        let max_item = (width as i32 - 2 * pad).max(1) / 2;
        let mut items = Vec::new();
        let (mut x, mut row) = (pad, 0);
        for (i, name) in names.iter().enumerate() {
            let label = self.fit(area, name, max_item - swatch - self.px(4.0));
            let item = swatch + self.px(4.0) + self.width(area, &label);
            if x > pad && x + item > width as i32 - pad {
                (x, row) = (pad, row + 1);
            }
            items.push((x, row, i, label));
            x += item + gap;
        }
        let rows = if names.is_empty() { 0 } else { row + 1 } + i32::from(note.is_some());
        let height = rows * line + pad;
        let (strip, rest) = area.split_vertically(height);
        for (x, row, i, label) in items {
            let y = pad + row * line;
            strip.draw(&Rectangle::new(
                [(x, y + (line - swatch) / 2 - self.px(2.0)), (x + swatch, y + (line + swatch) / 2 - self.px(2.0))],
                self.colour(i).filled(),
            ))?;
            let style = self.text().pos(Pos::new(HPos::Left, VPos::Center));
            strip.draw(&Text::new(label, (x + swatch + self.px(4.0), y + line / 2 - self.px(2.0)), style))?;
        }
        if let Some(note) = note {
            let y = pad + (rows - 1) * line + line / 2 - self.px(2.0);
            let style = self.text().pos(Pos::new(HPos::Right, VPos::Center));
            strip.draw(&Text::new(note, (width as i32 - pad, y), style))?;
        }
        Ok(rest)
    }

    fn truncation_note(&self, shown: (usize, usize), total: (usize, usize), truncated: bool) -> Option<String> {
        truncated.then(|| {
            let args = [shown.0, total.0, shown.1, total.1].map(|n| n.to_string());
            let mut text = self.theme.labels.truncated.clone();
            for (i, arg) in args.iter().enumerate() {
                text = text.replace(&format!("{{{i}}}"), arg);
            }
            text
        })
    }
}

fn has_numbers(series: &[Series]) -> bool {
    series.iter().any(|s| s.values.iter().any(|v| v.is_some_and(f64::is_finite)))
}

/// The y range for the values (stacked when `stacked`), with zero in it for bars and areas and
/// some headroom.
fn y_range(data: &ChartData, kind: ViewKind) -> Range<f64> {
    let stacked = matches!(kind, ViewKind::StackedBar | ViewKind::Area);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for i in 0..data.categories.len() {
        let (mut pos, mut neg) = (0.0, 0.0);
        for v in data.series.iter().filter_map(|s| s.values[i]).filter(|v| v.is_finite()) {
            if stacked {
                if v >= 0.0 { pos += v } else { neg += v }
            } else {
                (lo, hi) = (lo.min(v), hi.max(v));
            }
        }
        if stacked {
            (lo, hi) = (lo.min(neg), hi.max(pos));
        }
    }
    if kind != ViewKind::Line {
        (lo, hi) = (lo.min(0.0), hi.max(0.0));
    }
    pad_range(lo, hi)
}

fn pad_range(lo: f64, hi: f64) -> Range<f64> {
    if !lo.is_finite() || !hi.is_finite() {
        return 0.0..1.0;
    }
    if hi - lo < f64::EPSILON * hi.abs().max(1.0) {
        return (lo - 1.0)..(hi + 1.0);
    }
    let pad = (hi - lo) * 0.05;
    (if lo < 0.0 { lo - pad } else { lo })..(hi + pad)
}

fn build<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    pen: &Pen<'_>,
    x: Range<f64>,
    y: Range<f64>,
    left: i32,
    bottom: i32,
) -> Result<Chart<'a, DB>, ChartError> {
    Ok(ChartBuilder::on(area)
        .margin(pen.px(8.0))
        .margin_right(pen.px(16.0))
        .x_label_area_size(bottom)
        .y_label_area_size(left)
        .build_cartesian_2d(x, y)?)
}

/// Category labels under the x axis, every `step`-th so that they do not overlap.
fn category_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart<'_, DB>,
    pen: &Pen<'_>,
    categories: &[String],
    y: f64,
) -> Result<(), ChartError> {
    let n = categories.len();
    let (x0, _) = chart.backend_coord(&(0.0, y));
    let (x1, y_px) = chart.backend_coord(&(n as f64, y));
    let slot = ((x1 - x0) as f64 / n.max(1) as f64).max(1.0);
    let widest = categories.iter().map(|c| pen.width(area, c)).max().unwrap_or(0).min(pen.px(160.0));
    let step = ((f64::from(widest + pen.px(8.0)) / slot).ceil() as usize).max(1);
    let base = area.get_base_pixel();
    let style = pen.text().pos(Pos::new(HPos::Center, VPos::Top));
    for i in (0..n).step_by(step) {
        let (x, _) = chart.backend_coord(&(i as f64 + 0.5, y));
        let label = pen.fit(area, &categories[i], (slot * step as f64) as i32 - pen.px(4.0));
        area.draw(&Text::new(label, (x - base.0, y_px - base.1 + pen.px(4.0)), style.clone()))?;
    }
    Ok(())
}

fn series_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ChartData,
    kind: ViewKind,
    pen: &Pen<'_>,
    layout: &mut ChartLayout,
) -> Result<(), ChartError> {
    let names: Vec<String> = data.series.iter().map(|s| s.name.clone()).collect();
    let note = pen.truncation_note(
        (data.categories.len(), data.series.len()),
        (data.total_categories, data.total_series),
        data.is_truncated(),
    );
    let rest = pen.legend(area, &names, note)?;
    let n = data.categories.len();
    let y = y_range(data, kind);
    let left = pen.px(64.0);
    let bottom = pen.px(48.0);
    let mut chart = build(&rest, pen, 0.0..n as f64, y.clone(), left, bottom)?;
    let percent = data.percent;
    let y_format = |v: &f64| compact(*v, percent);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(6)
        .y_label_formatter(&y_format)
        .label_style(pen.text())
        .axis_desc_style(pen.text())
        .x_desc(data.x_title.clone())
        .y_desc(data.y_title.clone())
        .light_line_style(pen.grid)
        .bold_line_style(pen.grid)
        .axis_style(pen.foreground)
        .draw()?;
    category_labels(&rest, &chart, pen, &data.categories, y.start)?;

    let hit = |s: &Series, i: usize, value: f64| Hit {
        series: s.name.clone(),
        category: data.categories[i].clone(),
        key: data.key(i),
        value: Some(value),
        formatted: full(value, percent),
    };
    let rect = |chart: &Chart<'_, DB>, x0: f64, x1: f64, y0: f64, y1: f64| {
        let (a, b) = (chart.backend_coord(&(x0, y0)), chart.backend_coord(&(x1, y1)));
        HitShape::Rect { x0: a.0.min(b.0), y0: a.1.min(b.1), x1: a.0.max(b.0), y1: a.1.max(b.1) }
    };
    let radius = pen.px(6.0);
    match kind {
        ViewKind::Bar => {
            let width = 0.8 / data.series.len() as f64;
            for (k, s) in data.series.iter().enumerate() {
                let colour = pen.colour(k);
                let mut bars = Vec::new();
                for (i, v) in s.values.iter().enumerate() {
                    let Some(v) = v.filter(|v| v.is_finite()) else { continue };
                    let x0 = i as f64 + 0.1 + k as f64 * width;
                    bars.push(Rectangle::new([(x0, 0.0), (x0 + width, v)], colour.filled()));
                    layout.regions.push((rect(&chart, x0, x0 + width, 0.0, v), hit(s, i, v)));
                }
                chart.draw_series(bars)?;
            }
        }
        ViewKind::StackedBar => {
            let (mut pos, mut neg) = (vec![0.0; n], vec![0.0; n]);
            for (k, s) in data.series.iter().enumerate() {
                let colour = pen.colour(k);
                let mut bars = Vec::new();
                for (i, v) in s.values.iter().enumerate() {
                    let Some(v) = v.filter(|v| v.is_finite()) else { continue };
                    let base = if v >= 0.0 { &mut pos[i] } else { &mut neg[i] };
                    let (y0, y1) = (*base, *base + v);
                    *base = y1;
                    bars.push(Rectangle::new([(i as f64 + 0.15, y0), (i as f64 + 0.85, y1)], colour.filled()));
                    layout.regions.push((rect(&chart, i as f64 + 0.15, i as f64 + 0.85, y0, y1), hit(s, i, v)));
                }
                chart.draw_series(bars)?;
            }
        }
        ViewKind::Line => {
            for (k, s) in data.series.iter().enumerate() {
                let colour = pen.colour(k);
                // A missing value breaks the line rather than drawing a fake zero.
                let mut segment: Vec<(f64, f64)> = Vec::new();
                let mut segments = Vec::new();
                for (i, v) in s.values.iter().enumerate() {
                    match v.filter(|v| v.is_finite()) {
                        Some(v) => {
                            segment.push((i as f64 + 0.5, v));
                            let (x, y) = chart.backend_coord(&(i as f64 + 0.5, v));
                            layout.regions.push((HitShape::Point { x, y, radius }, hit(s, i, v)));
                        }
                        None => segments.push(std::mem::take(&mut segment)),
                    }
                }
                segments.push(segment);
                let stroke = colour.stroke_width(pen.px(2.0).max(1) as u32);
                chart
                    .draw_series(segments.into_iter().filter(|s| !s.is_empty()).map(|s| PathElement::new(s, stroke)))?;
                if n <= 100 {
                    let dots = s.values.iter().enumerate().filter_map(|(i, v)| {
                        v.filter(|v| v.is_finite())
                            .map(|v| Circle::new((i as f64 + 0.5, v), pen.px(3.0), colour.filled()))
                    });
                    chart.draw_series(dots)?;
                }
            }
        }
        ViewKind::Area => {
            // Stacked areas: each series sits on the ones before it; a missing value counts as 0.
            let mut below = vec![0.0; n];
            for (k, s) in data.series.iter().enumerate() {
                let colour = pen.colour(k);
                let above: Vec<f64> =
                    below.iter().zip(&s.values).map(|(b, v)| b + v.filter(|v| v.is_finite()).unwrap_or(0.0)).collect();
                let mut outline: Vec<(f64, f64)> =
                    above.iter().enumerate().map(|(i, y)| (i as f64 + 0.5, *y)).collect();
                outline.extend(below.iter().enumerate().rev().map(|(i, y)| (i as f64 + 0.5, *y)));
                chart.draw_series(std::iter::once(Polygon::new(outline, colour.mix(0.75).filled())))?;
                let tops: Vec<(f64, f64)> = above.iter().enumerate().map(|(i, y)| (i as f64 + 0.5, *y)).collect();
                chart.draw_series(std::iter::once(PathElement::new(
                    tops,
                    colour.stroke_width(pen.px(1.5).max(1) as u32),
                )))?;
                for (i, v) in s.values.iter().enumerate() {
                    if let Some(v) = v.filter(|v| v.is_finite()) {
                        let (x, y) = chart.backend_coord(&(i as f64 + 0.5, above[i]));
                        layout.regions.push((HitShape::Point { x, y, radius }, hit(s, i, v)));
                    }
                }
                below = above;
            }
        }
        _ => {}
    }
    Ok(())
}

fn heatmap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    output: &PivotOutput,
    pen: &Pen<'_>,
    layout: &mut ChartLayout,
) -> Result<(), ChartError> {
    let table = &output.table;
    let labels = &pen.theme.labels;
    let all_rows = table.row_leaves();
    let all_columns = table.column_group_leaves();
    let rows = &all_rows[..all_rows.len().min(MAX_CATEGORIES)];
    let columns = &all_columns[..all_columns.len().min(MAX_CATEGORIES)];
    let path = |p: &[Label]| {
        if p.is_empty() {
            labels.total.clone()
        } else {
            p.iter().map(|l| labels.label(l)).collect::<Vec<_>>().join(" / ")
        }
    };
    let row_names: Vec<String> = rows.iter().map(|&r| path(&table.row(r).path)).collect();
    let column_names: Vec<String> = columns.iter().map(|&c| path(&table.column(c).path)).collect();
    let cells: Vec<Vec<Option<f64>>> = rows
        .iter()
        .map(|&r| columns.iter().map(|&c| table.cell(r, c, 0).shown.filter(|v| v.is_finite())).collect())
        .collect();
    let (lo, hi) = cells
        .iter()
        .flatten()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    if !lo.is_finite() {
        return pen.message(area, &labels.empty);
    }
    let truncated = rows.len() < all_rows.len() || columns.len() < all_columns.len();
    layout.truncated = truncated;
    let percent = table.show_as.first().is_some_and(|s| *s != quiver_shared::pivot::ShowAs::Value);
    let value_name = table.value_names.first().cloned().unwrap_or_default();
    let scale_note = format!("{value_name}: {} – {}", compact(lo, percent), compact(hi, percent));
    let note = pen.truncation_note((rows.len(), columns.len()), (all_rows.len(), all_columns.len()), truncated);
    let rest = pen.legend(
        area,
        &[],
        Some(match note {
            Some(note) => format!("{scale_note} · {note}"),
            None => scale_note,
        }),
    )?;
    let (width, _) = rest.dim_in_pixel();
    let widest = row_names.iter().map(|n| pen.width(&rest, n)).max().unwrap_or(0);
    let left = (widest + pen.px(28.0)).min(width as i32 * 2 / 5);
    let (nr, nc) = (rows.len() as f64, columns.len() as f64);
    let mut chart = build(&rest, pen, 0.0..nc, 0.0..nr, left, pen.px(48.0))?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(0)
        .axis_desc_style(pen.text())
        .x_desc(table.column_fields.join(" / "))
        .y_desc(table.row_fields.join(" / "))
        .axis_style(pen.foreground)
        .draw()?;
    category_labels(&rest, &chart, pen, &column_names, 0.0)?;
    let base = rest.get_base_pixel();
    let style = pen.text().pos(Pos::new(HPos::Right, VPos::Center));
    let (plot_left, _) = chart.backend_coord(&(0.0, 0.0));
    for (i, name) in row_names.iter().enumerate() {
        let (_, y) = chart.backend_coord(&(0.0, nr - i as f64 - 0.5));
        let (_, top) = chart.backend_coord(&(0.0, nr - i as f64));
        let (_, bottom) = chart.backend_coord(&(0.0, nr - i as f64 - 1.0));
        // Skip labels that would overlap their neighbours on tall tables.
        if (bottom - top) < pen.font as i32 && i % ((pen.font as i32 / (bottom - top).max(1)) as usize + 1) != 0 {
            continue;
        }
        let label = pen.fit(&rest, name, left - pen.px(28.0));
        rest.draw(&Text::new(label, (plot_left - base.0 - pen.px(4.0), y - base.1), style.clone()))?;
    }
    let span = hi - lo;
    let mut rects = Vec::new();
    for (i, row) in cells.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            let Some(v) = *v else { continue };
            let t = if span > 0.0 { (v - lo) / span } else { 1.0 };
            let (y0, y1) = (nr - i as f64 - 1.0, nr - i as f64);
            rects.push(Rectangle::new([(j as f64, y0), (j as f64 + 1.0, y1)], pen.ramp(t).filled()));
            let (a, b) = (chart.backend_coord(&(j as f64, y1)), chart.backend_coord(&(j as f64 + 1.0, y0)));
            let hit = Hit {
                series: column_names[j].clone(),
                category: row_names[i].clone(),
                key: table.row_key(rows[i]),
                value: Some(v),
                formatted: full(v, percent),
            };
            layout.regions.push((HitShape::Rect { x0: a.0, y0: a.1, x1: b.0, y1: b.1 }, hit));
        }
    }
    chart.draw_series(rects)?;
    Ok(())
}

fn scatter<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    output: &PivotOutput,
    pen: &Pen<'_>,
    layout: &mut ChartLayout,
) -> Result<(), ChartError> {
    let table = &output.table;
    let labels = &pen.theme.labels;
    if table.value_names.len() < 2 {
        return pen.message(area, &labels.scatter_needs_two_values);
    }
    let all_rows = table.row_leaves();
    let rows = &all_rows[..all_rows.len().min(MAX_POINTS)];
    let points: Vec<(usize, f64, f64)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, &r)| {
            let x = table.cell(r, 0, 0).shown.filter(|v| v.is_finite())?;
            let y = table.cell(r, 0, 1).shown.filter(|v| v.is_finite())?;
            Some((i, x, y))
        })
        .collect();
    if points.is_empty() {
        return pen.message(area, &labels.empty);
    }
    layout.truncated = rows.len() < all_rows.len();
    let note = pen.truncation_note((rows.len(), 1), (all_rows.len(), 1), layout.truncated);
    let rest = pen.legend(area, &[], note)?;
    let bounds = |f: fn(&(usize, f64, f64)) -> f64| {
        let (lo, hi) =
            points.iter().map(f).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        pad_range(lo, hi)
    };
    let (xr, yr) = (bounds(|p| p.1), bounds(|p| p.2));
    let percent = |k: usize| table.show_as.get(k).is_some_and(|s| *s != quiver_shared::pivot::ShowAs::Value);
    let (px, py) = (percent(0), percent(1));
    let mut chart = build(&rest, pen, xr, yr, pen.px(64.0), pen.px(48.0))?;
    let x_format = |v: &f64| compact(*v, px);
    let y_format = |v: &f64| compact(*v, py);
    chart
        .configure_mesh()
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .label_style(pen.text())
        .axis_desc_style(pen.text())
        .x_desc(table.value_names[0].clone())
        .y_desc(table.value_names[1].clone())
        .light_line_style(pen.grid)
        .bold_line_style(pen.grid)
        .axis_style(pen.foreground)
        .draw()?;
    let colour = pen.colour(0);
    let radius = pen.px(4.0);
    chart.draw_series(points.iter().map(|&(_, x, y)| Circle::new((x, y), radius, colour.mix(0.8).filled())))?;
    let series = format!("{} / {}", table.value_names[0], table.value_names[1]);
    for &(i, x, y) in &points {
        let (bx, by) = chart.backend_coord(&(x, y));
        let category = {
            let p = &table.row(rows[i]).path;
            if p.is_empty() {
                labels.total.clone()
            } else {
                p.iter().map(|l| labels.label(l)).collect::<Vec<_>>().join(" / ")
            }
        };
        let hit = Hit {
            series: series.clone(),
            category,
            key: table.row_key(rows[i]),
            value: Some(y),
            formatted: format!("{}, {}", full(x, px), full(y, py)),
        };
        layout.regions.push((HitShape::Point { x: bx, y: by, radius: radius + pen.px(2.0) }, hit));
    }
    Ok(())
}
