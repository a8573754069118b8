//! Appending pushed rows to a loaded table (`Engine::append`), natively and in the browser: the
//! rows become queryable at once, old rows are kept, columns are matched by name and cast, and
//! rows that cannot fit are refused without changing the table.

use datafusion::arrow::array::{Int32Array, Int64Array, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use quiver_engine::{Engine, EngineError, GridCell};
use std::sync::Arc;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// An `events` table as loaded with two columns: `event_name` (text) and `price` (Int64).
fn loaded() -> Engine {
    let schema = Arc::new(Schema::new(vec![
        Field::new("event_name", DataType::Utf8, false),
        Field::new("price", DataType::Int64, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(StringArray::from(vec!["home", "buy"])), Arc::new(Int64Array::from(vec![None, Some(5)]))],
    )
    .unwrap();
    let engine = Engine::new().unwrap();
    engine.register("events", schema, vec![batch]).unwrap();
    engine
}

/// Whole rows as the server pushes them: more columns than loaded, in another order, `price`
/// as Int32.
fn pushed(names: Vec<&str>, prices: Vec<Option<i32>>) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("price", DataType::Int32, true),
        Field::new("user_id", DataType::Utf8, true),
        Field::new("event_name", DataType::Utf8, false),
    ]));
    let users: Vec<Option<&str>> = names.iter().map(|_| Some("u")).collect();
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Int32Array::from(prices)),
            Arc::new(StringArray::from(users)),
            Arc::new(StringArray::from(names)),
        ],
    )
    .unwrap()
}

#[track_caller]
fn check(engine: &Engine, expected: &[(&str, i64, i64)]) {
    let out = engine
        .sql("SELECT event_name, count(*) AS n, coalesce(sum(price), 0) AS s FROM events GROUP BY event_name ORDER BY event_name")
        .unwrap()
        .to_grid(100);
    let got: Vec<(String, i64, i64)> = out
        .rows
        .into_iter()
        .map(|row| match row.as_slice() {
            [GridCell::Text(name), GridCell::Int(n), GridCell::Int(s)] => (name.clone(), *n, *s),
            other => panic!("unexpected row {other:?}"),
        })
        .collect();
    let expected: Vec<(String, i64, i64)> = expected.iter().map(|(a, b, c)| ((*a).to_owned(), *b, *c)).collect();
    assert_eq!(got, expected);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn appended_rows_are_queryable_with_the_old_ones() {
    let engine = loaded();
    check(&engine, &[("buy", 1, 5), ("home", 1, 0)]);
    let appended = engine.append("events", &[pushed(vec!["buy", "cart"], vec![Some(7), None])]).unwrap();
    assert_eq!(appended.iter().map(RecordBatch::num_rows).sum::<usize>(), 2);
    assert_eq!(appended[0].schema(), engine.table_schema("events").unwrap(), "the table's own columns");
    check(&engine, &[("buy", 2, 12), ("cart", 1, 0), ("home", 1, 0)]);
    // Several deltas in a row, each one batch more; empty batches are skipped.
    for _ in 0..20 {
        engine.append("events", &[pushed(vec!["home"], vec![Some(1)]), pushed(vec![], vec![])]).unwrap();
    }
    check(&engine, &[("buy", 2, 12), ("cart", 1, 0), ("home", 21, 20)]);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_reload_replaces_the_appended_rows() {
    let engine = loaded();
    engine.append("events", &[pushed(vec!["cart"], vec![None])]).unwrap();
    // Registering again (a resync's reload) starts from the reloaded rows only.
    let schema = engine.table_schema("events").unwrap();
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(StringArray::from(vec!["home"])), Arc::new(Int64Array::from(vec![Some(3)]))],
    )
    .unwrap();
    engine.register("events", schema, vec![batch]).unwrap();
    check(&engine, &[("home", 1, 3)]);
    engine.append("events", &[pushed(vec!["home"], vec![Some(1)])]).unwrap();
    check(&engine, &[("home", 2, 4)]);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn rows_that_do_not_fit_are_refused_and_change_nothing() {
    let engine = loaded();
    let schema = Arc::new(Schema::new(vec![Field::new("price", DataType::Int64, true)]));
    let no_name = RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(vec![Some(1)]))]).unwrap();
    let error = engine.append("events", &[pushed(vec!["buy"], vec![Some(1)]), no_name]).unwrap_err();
    assert!(matches!(&error, EngineError::Append { reason, .. } if reason.contains("event_name")), "{error}");
    check(&engine, &[("buy", 1, 5), ("home", 1, 0)]);
    assert!(matches!(engine.append("leads", &[]), Err(EngineError::Append { .. })));
}

/// The live pivot refresh in the engine that runs it (the browser): the groups of the loaded
/// rows kept, each delta's groups merged in with the ids of distinct values kept across
/// statements; the cells equal a full run of the planned query over all rows.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_merged_pivot_equals_a_full_run() {
    use quiver_engine::refresh_pivot;
    use quiver_shared::catalog::{ColumnInfo, ColumnRole, TableInfo};
    use quiver_shared::pivot::{Agg, Field as PivotField, PivotSpec, PlanContext, Value, plan_incremental};
    let column = |name: &str, data_type: &str, role| ColumnInfo {
        name: name.to_owned(),
        data_type: data_type.to_owned(),
        nullable: true,
        role,
    };
    let info = TableInfo {
        name: "events".to_owned(),
        columns: vec![
            column("event_name", "Utf8", ColumnRole::Dimension),
            column("price", "Int64", ColumnRole::Measure),
            column("user_id", "Utf8", ColumnRole::Key),
        ],
        partition_keys: vec![],
        rows: 0,
        bytes: 0,
        date_range: None,
    };
    let spec = PivotSpec {
        table: "events".to_owned(),
        rows: vec![PivotField::plain("event_name")],
        values: vec![
            Value::count_rows(),
            Value::of(Agg::Sum, "price"),
            Value::of(Agg::CountDistinct, "user_id"),
            Value::of(Agg::Max, "price"),
        ],
        ..PivotSpec::default()
    };
    let today = chrono_free_today();
    let (planned, incremental) =
        plan_incremental(&spec, PlanContext { table: &info, time_zone: "UTC", today }).unwrap();
    let incremental = incremental.expect("counts, sums, count distinct and max merge");

    let schema = Arc::new(Schema::new(vec![
        Field::new("event_name", DataType::Utf8, true),
        Field::new("price", DataType::Int64, true),
        Field::new("user_id", DataType::Utf8, true),
    ]));
    let rows = |names: Vec<&str>, prices: Vec<Option<i64>>, users: Vec<&str>| {
        RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(names)),
                Arc::new(Int64Array::from(prices)),
                Arc::new(StringArray::from(users)),
            ],
        )
        .unwrap()
    };
    let loaded = rows(vec!["home", "buy", "buy"], vec![None, Some(5), Some(7)], vec!["u1", "u1", "u2"]);
    let deltas = [
        rows(vec!["buy", "cart"], vec![Some(9), None], vec!["u1", "u3"]),
        rows(vec!["home", "buy"], vec![None, Some(1)], vec!["u4", "u5"]),
    ];

    let engine = Engine::new().unwrap();
    engine.register("events", schema.clone(), vec![loaded]).unwrap();
    let (_, mut groups) = refresh_pivot(&engine, &incremental, None).unwrap();
    let mut merged = None;
    for delta in &deltas {
        let appended = engine.append("events", std::slice::from_ref(delta)).unwrap();
        let (output, kept) = refresh_pivot(&engine, &incremental, Some((groups, appended))).unwrap();
        (merged, groups) = (Some(output), kept);
    }
    // buy, cart, home and the total: the delta's new group `cart` was added.
    assert_eq!(groups.len(), 4);
    let merged = merged.unwrap();
    engine.register("merged", merged.schema, merged.batches).unwrap();
    let order = "ORDER BY __row_depth, r0";
    let merged = engine.sql(&format!("SELECT * FROM merged {order}")).unwrap().to_grid(100);
    let full = engine.sql(&format!("SELECT * FROM ({}) AS o {order}", planned.sql)).unwrap().to_grid(100);
    assert_eq!(merged.rows, full.rows);
    // buy: 4 rows, 22, users u1 u2 u5, max 9; the total: 7 rows, 22, 5 users, 9.
    assert!(full.rows.iter().any(|r| r.first() == Some(&GridCell::Text("buy".into()))
        && r.iter().rev().take(4).cloned().collect::<Vec<_>>()
            == vec![GridCell::Float(9.0), GridCell::Float(3.0), GridCell::Float(22.0), GridCell::Float(4.0)]));
}

/// A fixed day: the spec has no date range, so "today" does not matter.
fn chrono_free_today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}
