//! `PivotResult` mounted in headless Chromium: the element contract the end-to-end tests and the
//! builder rely on, virtual scrolling, collapsing, and the chart canvas.

use super::PivotResult;
use crate::i18n::{I18n, Locale};
use arrow_array::{ArrayRef, Float64Array, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field as ArrowField, Schema};
use leptos::prelude::*;
use quiver_pivot::PivotOutput;
use quiver_shared::pivot::{Field, LabelKind, PivotSpec, PlannedField, PlannedPivot, PlannedValue, Value, ViewKind};
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

// Mounting needs a document. This applies to the whole app test binary; its other tests are pure
// and run the same in a browser.
wasm_bindgen_test_configure!(run_in_browser);

/// Rows `channel` × `n` countries each, Columns none, a count; with subtotals and the total.
fn output(channels: usize, countries: usize, view: ViewKind) -> Arc<PivotOutput> {
    let spec = PivotSpec {
        table: "t".into(),
        rows: vec![Field::plain("channel"), Field::plain("country")],
        values: vec![Value::count_rows()],
        view,
        ..PivotSpec::default()
    };
    let field = |o: &str, f: &Field| PlannedField { output: o.into(), field: f.clone(), kind: LabelKind::Text };
    let plan = PlannedPivot {
        sql: String::new(),
        rows: vec![field("r0", &spec.rows[0]), field("r1", &spec.rows[1])],
        columns: Vec::new(),
        values: vec![PlannedValue { output: "v0".into(), value: Value::count_rows() }],
        has_other: false,
        days: None,
    };
    let mut rows: Vec<(Option<String>, Option<String>, i32, f64)> = Vec::new();
    for c in 0..channels {
        for n in 0..countries {
            rows.push((Some(format!("ch{c:03}")), Some(format!("n{n:03}")), 2, 1000.0 + n as f64));
        }
        rows.push((Some(format!("ch{c:03}")), None, 1, 5000.0));
    }
    rows.push((None, None, 0, 12345.0));
    let schema = Arc::new(Schema::new(vec![
        ArrowField::new("r0", DataType::Utf8, true),
        ArrowField::new("r1", DataType::Utf8, true),
        ArrowField::new("__row_depth", DataType::Int32, false),
        ArrowField::new("__col_depth", DataType::Int32, false),
        ArrowField::new("v0", DataType::Float64, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(rows.iter().map(|r| r.0.clone()).collect::<StringArray>()),
        Arc::new(rows.iter().map(|r| r.1.clone()).collect::<StringArray>()),
        Arc::new(rows.iter().map(|r| r.2).collect::<Int32Array>()),
        Arc::new(rows.iter().map(|_| 0).collect::<Int32Array>()),
        Arc::new(rows.iter().map(|r| Some(r.3)).collect::<Float64Array>()),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).expect("batch");
    Arc::new(PivotOutput::new(spec, plan, schema, vec![batch]).expect("shapes"))
}

fn mount(output: Arc<PivotOutput>) -> web_sys::HtmlElement {
    let document = web_sys::window().and_then(|w| w.document()).expect("document");
    let host: web_sys::HtmlElement = document.create_element("div").expect("div").dyn_into().expect("element");
    document.body().expect("body").append_child(&host).expect("attached");
    let handle = leptos::mount::mount_to(host.clone(), move || {
        provide_context(I18n::new(Locale::En));
        view! { <PivotResult output /> }
    });
    // The view lives as long as the test page.
    handle.forget();
    host
}

fn count(host: &web_sys::HtmlElement, selector: &str) -> u32 {
    host.query_selector_all(selector).expect("selector").length()
}

#[wasm_bindgen_test]
fn table_cells_carry_their_row_column_and_raw_value() {
    let host = mount(output(2, 2, ViewKind::Table));
    let cell = |row: &str| {
        let selector = format!("#pivot-table td.pivot-cell[data-row=\"{}\"]", row.replace('␟', "\\1f "));
        host.query_selector(&selector).expect("selector").unwrap_or_else(|| panic!("no cell for {row}"))
    };
    let leaf = cell("ch001␟n001");
    assert_eq!(leaf.get_attribute("data-value").as_deref(), Some("1001"));
    assert_eq!(leaf.get_attribute("data-col").as_deref(), Some("__total__"));
    assert_eq!(leaf.get_attribute("data-value-index").as_deref(), Some("0"));
    assert_eq!(leaf.text_content().as_deref().map(str::trim), Some("1,001"));
    assert_eq!(cell("ch000␟__total__").get_attribute("data-value").as_deref(), Some("5000"));
    assert_eq!(cell("__total__").text_content().as_deref().map(str::trim), Some("12,345"));
    assert_eq!(count(&host, "button.pivot-toggle"), 2, "one toggle per channel group");
}

#[wasm_bindgen_test]
async fn collapsing_a_group_hides_its_rows() {
    let host = mount(output(2, 3, ViewKind::Table));
    assert_eq!(count(&host, "td.pivot-cell"), 2 * 3 + 2 + 1);
    let toggle: web_sys::HtmlElement =
        host.query_selector("button.pivot-toggle").expect("selector").expect("a toggle").dyn_into().expect("element");
    toggle.click();
    leptos::task::tick().await;
    assert_eq!(count(&host, "td.pivot-cell"), 3 + 2 + 1, "ch000's three countries are hidden");
}

#[wasm_bindgen_test]
fn only_the_rows_in_view_are_rendered() {
    // 200 × 500 = 100,000 leaf rows.
    let host = mount(output(200, 500, ViewKind::Table));
    let rendered = count(&host, "tr.pivot-row");
    assert!(rendered > 10 && rendered < 100, "{rendered} rows in the DOM");
}

#[wasm_bindgen_test]
fn a_chart_view_draws_on_a_canvas_of_its_kind() {
    let host = mount(output(3, 2, ViewKind::StackedBar));
    let canvas = host.query_selector("canvas#pivot-chart").expect("selector").expect("a canvas");
    assert_eq!(canvas.get_attribute("data-kind").as_deref(), Some("stacked_bar"));
}
