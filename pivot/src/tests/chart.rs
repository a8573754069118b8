//! Charts: every kind draws on SVG for empty, one-row and large inputs, with sane hit regions.

use super::{output, spec};
use crate::PivotOutput;
use crate::chart::{ChartLayout, ChartTheme, HitShape, MAX_CATEGORIES, MAX_SERIES, draw};
use plotters::prelude::*;
use quiver_shared::pivot::{Agg, Value, ViewKind};

const CHARTS: [ViewKind; 6] =
    [ViewKind::Bar, ViewKind::StackedBar, ViewKind::Line, ViewKind::Area, ViewKind::Heatmap, ViewKind::Scatter];

fn two_values() -> Vec<Value> {
    vec![Value::count_rows(), Value::of(Agg::Sum, "amount")]
}

/// Draws `kind` at 800×500 and returns the layout and the SVG text.
fn check(output: &PivotOutput, kind: ViewKind) -> (ChartLayout, String) {
    let mut svg = String::new();
    let layout = {
        let area = SVGBackend::with_string(&mut svg, (800, 500)).into_drawing_area();
        let layout = draw(&area, output, kind, &ChartTheme::default()).expect("draws");
        area.present().expect("presents");
        layout
    };
    // To look at the charts: QUIVER_CHART_DIR=/tmp/charts cargo test -p quiver-pivot chart
    if let Ok(dir) = std::env::var("QUIVER_CHART_DIR") {
        let name = format!("{dir}/{}-{}-{}.svg", kind.as_str(), output.table.row_count(), layout.regions.len());
        std::fs::write(name, &svg).expect("writes the chart");
    }
    for (shape, _) in &layout.regions {
        let inside = |x: i32, y: i32| (0..=800).contains(&x) && (0..=500).contains(&y);
        match *shape {
            HitShape::Rect { x0, y0, x1, y1 } => {
                assert!(inside(x0, y0) && inside(x1, y1) && x0 <= x1 && y0 <= y1, "{kind:?}: {shape:?}")
            }
            HitShape::Point { x, y, radius } => assert!(inside(x, y) && radius > 0, "{kind:?}: {shape:?}"),
        }
    }
    (layout, svg)
}

fn empty() -> PivotOutput {
    output(spec(&["channel"], &["device"], two_values()), &[])
}

fn one_row() -> PivotOutput {
    output(spec(&["channel"], &["device"], two_values()), &["web|mobile|3,10", "web||3,10", "|mobile|3,10", "||3,10"])
}

/// 5,000 categories × 20 column groups, with totals.
fn large() -> PivotOutput {
    let mut lines = Vec::new();
    for r in 0..5000 {
        for c in 0..20 {
            lines.push(format!("r{r:04}|c{c:02}|{},{}", r + c, r * c));
        }
        lines.push(format!("r{r:04}||{},{}", r * 20, r));
    }
    for c in 0..20 {
        lines.push(format!("|c{c:02}|{c},{c}"));
    }
    lines.push("||1,1".to_owned());
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    output(spec(&["r"], &["c"], two_values()), &lines)
}

#[test]
fn every_chart_draws_nothing_to_hit_on_an_empty_result() {
    let out = empty();
    for kind in CHARTS {
        let (layout, svg) = check(&out, kind);
        assert!(layout.regions.is_empty(), "{kind:?}");
        assert!(svg.contains("No data") || svg.contains("two values"), "{kind:?} says why it is empty");
    }
}

#[test]
fn every_chart_draws_one_row_with_one_mark_that_hits_its_value() {
    let out = one_row();
    for kind in CHARTS {
        let (layout, _) = check(&out, kind);
        assert!(!layout.regions.is_empty(), "{kind:?} has a mark");
        let (shape, hit) = &layout.regions[0];
        let (x, y) = match *shape {
            HitShape::Rect { x0, y0, x1, y1 } => ((x0 + x1) / 2, (y0 + y1) / 2),
            HitShape::Point { x, y, .. } => (x, y),
        };
        assert_eq!(layout.hit(x, y), Some(hit), "{kind:?}");
        let ((cx, cy), centred) = layout.mark_css(0).expect("mark 0");
        assert_eq!(layout.hit_css(cx, cy), Some(centred), "{kind:?}: a mark's centre hits it");
        assert!(layout.mark_css(layout.regions.len()).is_none());
        assert_eq!(hit.category, "web", "{kind:?}");
        assert_eq!(hit.key, "web", "{kind:?}: the row's key, as on the table's cells");
        assert!(layout.hit(-50, -50).is_none(), "{kind:?}: nothing outside the marks");
    }
}

#[test]
fn bars_are_grouped_side_by_side_and_stacked_on_each_other() {
    let out =
        output(spec(&["k"], &["s"], vec![Value::count_rows()]), &["a|x|2", "a|y|3", "a||5", "|x|2", "|y|3", "||5"]);
    let rect = |layout: &ChartLayout, i: usize| match layout.regions[i].0 {
        HitShape::Rect { x0, y0, x1, y1 } => (x0, y0, x1, y1),
        HitShape::Point { .. } => panic!("a bar is a rectangle"),
    };
    let (bars, _) = check(&out, ViewKind::Bar);
    let ((ax0, _, ax1, ay1), (bx0, _, _, by1)) = (rect(&bars, 0), rect(&bars, 1));
    assert!(ax1 <= bx0 && ax0 < bx0, "side by side: {:?}", bars.regions);
    assert_eq!(ay1, by1, "both start at zero");
    assert_eq!(bars.regions[1].1.formatted, "3");
    let keys: std::collections::BTreeSet<&str> = bars.regions.iter().map(|(_, h)| h.key.as_str()).collect();
    assert_eq!(keys, ["a"].into(), "each bar carries its row's key (totals are not drawn)");
    let (stacked, _) = check(&out, ViewKind::StackedBar);
    let ((sx0, sy0, _, _), (tx0, _, _, ty1)) = (rect(&stacked, 0), rect(&stacked, 1));
    assert_eq!(sx0, tx0, "same category column");
    assert!((ty1 - sy0).abs() <= 1, "the second sits on the first: {:?}", stacked.regions);
}

#[test]
fn large_inputs_are_capped_and_say_so() {
    let out = large();
    for kind in CHARTS {
        let start = std::time::Instant::now();
        let (layout, svg) = check(&out, kind);
        assert!(layout.truncated, "{kind:?}");
        assert!(svg.contains("showing"), "{kind:?} says it is cut");
        let cap = match kind {
            ViewKind::Bar | ViewKind::StackedBar => MAX_CATEGORIES * MAX_SERIES,
            ViewKind::Heatmap => MAX_CATEGORIES * 20,
            ViewKind::Scatter => crate::chart::MAX_POINTS,
            _ => crate::chart::MAX_LINE_POINTS * MAX_SERIES,
        };
        assert!(!layout.regions.is_empty() && layout.regions.len() <= cap, "{kind:?}: {}", layout.regions.len());
        assert!(start.elapsed().as_secs() < 10, "{kind:?} took {:?}", start.elapsed());
    }
}

#[test]
fn the_table_is_not_a_chart() {
    let out = one_row();
    let mut svg = String::new();
    let area = SVGBackend::with_string(&mut svg, (400, 300)).into_drawing_area();
    assert!(draw(&area, &out, ViewKind::Table, &ChartTheme::default()).is_err());
}

#[test]
fn axis_numbers_are_compact() {
    use crate::chart::{compact, full};
    let cases = [(0.0, "0"), (12.0, "12"), (1234.0, "1.2k"), (-2_500_000.0, "-2.5M"), (3e9, "3B"), (0.125, "0.125")];
    for (value, expected) in cases {
        assert_eq!(compact(value, false), expected, "{value}");
    }
    assert_eq!(compact(0.25, true), "25%");
    assert_eq!(full(1234.5678, false), "1234.57");
    assert_eq!(full(0.333333, true), "33.33%");
}

/// The analysis views' charts: categories and series built by hand, drawn on SVG.
mod series {
    use crate::chart::{ChartData, ChartTheme, MAX_CATEGORIES, MAX_SERIES, Series, draw_series};
    use plotters::prelude::*;
    use quiver_shared::pivot::ViewKind;

    fn draw(data: &ChartData, kind: ViewKind) -> crate::chart::ChartLayout {
        let mut svg = String::new();
        let area = SVGBackend::with_string(&mut svg, (800, 500)).into_drawing_area();
        let layout = draw_series(&area, data, kind, &ChartTheme::default()).expect("draws");
        area.present().expect("presents");
        layout
    }

    fn data(categories: usize, series: usize) -> ChartData {
        ChartData::new(
            (0..categories).map(|c| format!("step {c}")).collect(),
            (0..series)
                .map(|s| Series {
                    name: format!("s{s}"),
                    values: (0..categories).map(|c| (c % 7 != 3).then_some((c * s) as f64)).collect(),
                })
                .collect(),
            "step",
            "users",
            false,
        )
    }

    #[test]
    fn every_series_kind_draws_empty_one_and_many_categories() {
        for kind in [ViewKind::Bar, ViewKind::StackedBar, ViewKind::Line, ViewKind::Area] {
            assert!(draw(&data(0, 0), kind).regions.is_empty(), "{kind:?}");
            assert_eq!(draw(&data(1, 2), kind).regions.len(), 2, "{kind:?}: one mark per series");
            let many = draw(&data(5000, 20), kind);
            assert!(many.truncated, "{kind:?}");
            assert!(many.regions.len() <= 5000 * MAX_SERIES, "{kind:?}");
        }
        let bars = draw(&data(5000, 1), ViewKind::Bar);
        // Six of every seven categories have a value; the rest are gaps.
        assert_eq!(bars.regions.len(), (0..MAX_CATEGORIES).filter(|c| c % 7 != 3).count());
    }

    #[test]
    fn a_hit_of_series_data_is_keyed_by_its_category() {
        let layout = draw(&data(4, 2), ViewKind::Bar);
        assert!(layout.regions.iter().all(|(_, h)| h.key == h.category));
    }

    #[test]
    fn a_hit_names_category_series_and_value() {
        let layout = draw(&data(3, 2), ViewKind::Bar);
        let hit = layout.regions.iter().map(|(_, h)| h).find(|h| h.category == "step 2" && h.series == "s1");
        assert_eq!(hit.map(|h| h.value), Some(Some(2.0)));
        let mut svg = String::new();
        let area = SVGBackend::with_string(&mut svg, (800, 500)).into_drawing_area();
        assert!(draw_series(&area, &data(3, 2), ViewKind::Heatmap, &ChartTheme::default()).is_err());
    }
}
