//! Every chart kind draws on a real canvas in headless Chromium, and hovering a bar finds it.
#![cfg(target_arch = "wasm32")]

use arrow_array::{ArrayRef, Float64Array, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field as ArrowField, Schema};
use quiver_pivot::PivotOutput;
use quiver_pivot::chart::{ChartTheme, HitShape, draw_on_canvas};
use quiver_shared::pivot::{
    Agg, Field, LabelKind, PivotSpec, PlannedField, PlannedPivot, PlannedValue, Value, ViewKind,
};
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const CHARTS: [ViewKind; 6] =
    [ViewKind::Bar, ViewKind::StackedBar, ViewKind::Line, ViewKind::Area, ViewKind::Heatmap, ViewKind::Scatter];

/// An output with Rows `r`, Columns `c`, values count and sum; `cells` are (row, column, count,
/// sum) with `None` labels for totals.
fn output(cells: &[(Option<String>, Option<String>, f64, f64)]) -> PivotOutput {
    let spec = PivotSpec {
        table: "t".into(),
        rows: vec![Field::plain("r")],
        columns: vec![Field::plain("c")],
        values: vec![Value::count_rows(), Value::of(Agg::Sum, "amount")],
        ..PivotSpec::default()
    };
    let field =
        |output: &str, f: &Field| PlannedField { output: output.into(), field: f.clone(), kind: LabelKind::Text };
    let plan = PlannedPivot {
        sql: String::new(),
        rows: vec![field("r0", &spec.rows[0])],
        columns: vec![field("c0", &spec.columns[0])],
        values: spec
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| PlannedValue { output: format!("v{i}"), value: v.clone() })
            .collect(),
        has_other: false,
        days: None,
    };
    let schema = Arc::new(Schema::new(vec![
        ArrowField::new("r0", DataType::Utf8, true),
        ArrowField::new("c0", DataType::Utf8, true),
        ArrowField::new("__row_depth", DataType::Int32, false),
        ArrowField::new("__col_depth", DataType::Int32, false),
        ArrowField::new("v0", DataType::Float64, true),
        ArrowField::new("v1", DataType::Float64, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(cells.iter().map(|c| c.0.clone()).collect::<StringArray>()),
        Arc::new(cells.iter().map(|c| c.1.clone()).collect::<StringArray>()),
        Arc::new(cells.iter().map(|c| i32::from(c.0.is_some())).collect::<Int32Array>()),
        Arc::new(cells.iter().map(|c| i32::from(c.1.is_some())).collect::<Int32Array>()),
        Arc::new(cells.iter().map(|c| Some(c.2)).collect::<Float64Array>()),
        Arc::new(cells.iter().map(|c| Some(c.3)).collect::<Float64Array>()),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).expect("batch");
    PivotOutput::new(spec, plan, schema, vec![batch]).expect("shapes")
}

fn one_row() -> PivotOutput {
    let s = |t: &str| Some(t.to_owned());
    output(&[
        (s("web"), s("mobile"), 3.0, 10.0),
        (s("web"), None, 3.0, 10.0),
        (None, s("mobile"), 3.0, 10.0),
        (None, None, 3.0, 10.0),
    ])
}

/// 5,000 categories × 20 column groups.
fn large() -> PivotOutput {
    let mut cells = Vec::new();
    for r in 0..5000 {
        for c in 0..20 {
            cells.push((Some(format!("r{r:04}")), Some(format!("c{c:02}")), f64::from(r + c), f64::from(r * c)));
        }
        cells.push((Some(format!("r{r:04}")), None, f64::from(r), 1.0));
    }
    cells.push((None, None, 1.0, 1.0));
    output(&cells)
}

fn canvas() -> web_sys::HtmlCanvasElement {
    let document = web_sys::window().and_then(|w| w.document()).expect("document");
    let canvas: web_sys::HtmlCanvasElement =
        document.create_element("canvas").expect("canvas").dyn_into().expect("a canvas element");
    canvas.set_attribute("style", "width: 800px; height: 480px; display: block").expect("style");
    document.body().expect("body").append_child(&canvas).expect("attached");
    canvas
}

#[wasm_bindgen_test]
fn every_chart_draws_on_a_canvas_for_empty_one_row_and_large_inputs() {
    let canvas = canvas();
    for (name, out) in [("empty", output(&[])), ("one row", one_row()), ("large", large())] {
        for kind in CHARTS {
            let layout = draw_on_canvas(&canvas, &out, kind, &ChartTheme::default()).expect("draws");
            assert_eq!(layout.regions.is_empty(), name == "empty", "{name} {kind:?}");
            assert_eq!(layout.truncated, name == "large", "{name} {kind:?}");
        }
    }
    assert!(canvas.width() >= 800, "sized from the CSS box times devicePixelRatio");
}

#[wasm_bindgen_test]
fn hovering_a_drawn_bar_finds_its_value() {
    let canvas = canvas();
    let layout = draw_on_canvas(&canvas, &one_row(), ViewKind::Bar, &ChartTheme::default()).expect("draws");
    let (shape, _) = &layout.regions[1];
    let HitShape::Rect { x0, y0, x1, y1 } = *shape else { panic!("a bar is a rectangle") };
    // The pointer in CSS pixels, as a mouse event's offset gives it.
    let (x, y) = (f64::from(x0 + x1) / 2.0 / layout.scale, f64::from(y0 + y1) / 2.0 / layout.scale);
    let hit = layout.hit_css(x, y).expect("a bar under the pointer");
    assert_eq!((hit.category.as_str(), hit.series.as_str(), hit.value), ("web", "mobile / sum(amount)", Some(10.0)));
    assert_eq!(hit.formatted, "10");
}
