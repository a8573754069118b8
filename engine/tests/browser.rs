//! The engine in a real browser (wasm-bindgen-test in headless Chromium): decode Arrow IPC,
//! register it, and run the kinds of SQL a user can type, including the multi-partition shapes
//! (UNION ALL, CREATE TABLE AS, joins) that panic in wasm when DataFusion spawns tasks.

// Browser-only: on the host these would run without a browser and prove nothing.
#![cfg(target_arch = "wasm32")]

use datafusion::arrow::array::{Float64Array, StringArray, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::arrow::ipc::writer::StreamWriter;
use datafusion::arrow::record_batch::RecordBatch;
use quiver_engine::{Engine, EngineError, GridCell, decode_ipc_stream};
use std::sync::Arc;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Two batches of a small `events` table, written as one IPC stream.
fn events_ipc() -> Vec<u8> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("ts", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false),
        Field::new("user_id", DataType::Utf8, false),
        Field::new("event_name", DataType::Utf8, false),
        Field::new("price", DataType::Float64, true),
    ]));
    let batch = |ts: Vec<i64>, users: Vec<&str>, names: Vec<&str>, prices: Vec<Option<f64>>| {
        RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(TimestampMicrosecondArray::from(ts).with_timezone("UTC")),
                Arc::new(StringArray::from(users)),
                Arc::new(StringArray::from(names)),
                Arc::new(Float64Array::from(prices)),
            ],
        )
        .unwrap()
    };
    let mut out = Vec::new();
    let mut w = StreamWriter::try_new(&mut out, &schema).unwrap();
    w.write(&batch(
        vec![0, 1_000_000, 2_000_000],
        vec!["u1", "u1", "u2"],
        vec!["home", "purchase", "home"],
        vec![None, Some(9.5), None],
    ))
    .unwrap();
    w.write(&batch(
        vec![86_400_000_000, 86_401_000_000],
        vec!["u3", "u2"],
        vec!["home", "purchase"],
        vec![None, Some(20.0)],
    ))
    .unwrap();
    w.finish().unwrap();
    out
}

fn engine() -> Engine {
    let engine = Engine::new().unwrap();
    let decoded = decode_ipc_stream(&events_ipc()).unwrap();
    assert_eq!(decoded.rows(), 5);
    engine.register("events", decoded.schema, decoded.batches).unwrap();
    let reps = Arc::new(Schema::new(vec![
        Field::new("user_id", DataType::Utf8, false),
        Field::new("team", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        reps.clone(),
        vec![Arc::new(StringArray::from(vec!["u1", "u2"])), Arc::new(StringArray::from(vec!["north", "south"]))],
    )
    .unwrap();
    engine.register("users", reps, vec![batch]).unwrap();
    engine
}

/// Runs `sql` and compares the grid, rendered one row per line as `a|b|c`, to `expected`.
#[track_caller]
fn check(engine: &Engine, sql: &str, expected: &str) {
    let out = engine.sql(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let grid = out.to_grid(100);
    let rendered: Vec<String> = grid
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    GridCell::Null => "∅".to_owned(),
                    GridCell::Int(v) => v.to_string(),
                    GridCell::Float(v) => v.to_string(),
                    GridCell::Timestamp(v) => format!("t{v}"),
                    GridCell::Text(v) => v.clone(),
                })
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    assert_eq!(rendered.join("\n"), expected, "{sql}");
}

#[wasm_bindgen_test]
fn group_by_counts_and_sums() {
    let e = engine();
    check(
        &e,
        "SELECT event_name, count(*) AS n, count(DISTINCT user_id) AS users, sum(price) AS revenue \
         FROM events GROUP BY event_name ORDER BY event_name",
        "home|3|3|∅\npurchase|2|2|29.5",
    );
}

#[wasm_bindgen_test]
fn union_all_and_aggregate_over_it_do_not_panic() {
    let e = engine();
    check(
        &e,
        "SELECT user_id FROM events WHERE price > 10 UNION ALL SELECT user_id FROM users ORDER BY 1",
        "u1\nu2\nu2",
    );
    check(&e, "SELECT count(*) FROM (SELECT user_id FROM events UNION ALL SELECT user_id FROM users)", "7");
}

#[wasm_bindgen_test]
fn create_table_as_and_views_work() {
    let e = engine();
    check(&e, "CREATE TABLE buyers AS SELECT DISTINCT user_id FROM events WHERE event_name = 'purchase'", "");
    check(&e, "SELECT count(*) FROM buyers", "2");
    check(&e, "CREATE VIEW homes AS SELECT * FROM events WHERE event_name = 'home'", "");
    check(&e, "SELECT count(*) FROM homes", "3");
    assert!(e.tables().contains(&"buyers".to_owned()));
}

#[wasm_bindgen_test]
fn joins_windows_and_time_buckets() {
    let e = engine();
    check(
        &e,
        "SELECT u.team, count(*) FROM events ev JOIN users u ON ev.user_id = u.user_id GROUP BY u.team ORDER BY 1",
        "north|2\nsouth|2",
    );
    check(
        &e,
        "SELECT user_id, row_number() OVER (PARTITION BY user_id ORDER BY ts) AS k FROM events ORDER BY user_id, k",
        "u1|1\nu1|2\nu2|1\nu2|2\nu3|1",
    );
    check(
        &e,
        "SELECT date_trunc('day', ts) AS day, count(*) FROM events GROUP BY 1 ORDER BY 1",
        "t0|3\nt86400000000|2",
    );
}

/// The pivot planner's SQL in the browser build: time buckets in a zone east of UTC (arrow's
/// chrono-tz is in the wasm build), one aggregation per depth combination over UNION ALL, and a
/// count-distinct total that is not the sum of its subtotals.
#[wasm_bindgen_test]
fn a_planned_pivot_runs_in_the_browser() {
    use quiver_shared::catalog::{ColumnInfo, ColumnRole, TableInfo};
    use quiver_shared::pivot::{Agg, Field as PivotField, PivotSpec, PlanContext, TimeGrain, Value, plan};
    let column = |name: &str, data_type: &str, role| ColumnInfo {
        name: name.to_owned(),
        data_type: data_type.to_owned(),
        nullable: true,
        role,
    };
    let table = TableInfo {
        name: "events".to_owned(),
        columns: vec![
            column("ts", "Timestamp(µs, \"UTC\")", ColumnRole::Time),
            column("user_id", "Utf8", ColumnRole::Key),
            column("event_name", "Utf8", ColumnRole::Dimension),
            column("price", "Float64", ColumnRole::Measure),
        ],
        partition_keys: vec![],
        rows: 5,
        bytes: 0,
        date_range: None,
    };
    let spec = PivotSpec {
        table: "events".to_owned(),
        rows: vec![PivotField::time("ts", TimeGrain::Day)],
        columns: vec![PivotField::plain("event_name")],
        values: vec![Value::of(Agg::CountDistinct, "user_id"), Value::of(Agg::Sum, "price")],
        ..PivotSpec::default()
    };
    let today = chrono::NaiveDate::from_ymd_opt(1970, 1, 2).unwrap();
    let planned = plan(&spec, PlanContext { table: &table, time_zone: "Asia/Shanghai", today }).unwrap();
    // The alias matters: DataFusion 55 refuses an unaliased CAST(r0) over a GROUPING SETS query
    // ordered by r0 ("Projections require unique expression names").
    check(
        &engine(),
        &format!(
            "SELECT CAST(r0 AS VARCHAR) AS day, c0, __row_depth, __col_depth, v0, v1 FROM ({}) \
             ORDER BY __row_depth DESC, __col_depth DESC, r0, c0",
            planned.sql
        ),
        "1970-01-01T00:00:00+08:00|home|1|1|2|∅\n\
         1970-01-01T00:00:00+08:00|purchase|1|1|1|9.5\n\
         1970-01-02T00:00:00+08:00|home|1|1|1|∅\n\
         1970-01-02T00:00:00+08:00|purchase|1|1|1|20\n\
         1970-01-01T00:00:00+08:00|∅|1|0|2|9.5\n\
         1970-01-02T00:00:00+08:00|∅|1|0|2|20\n\
         ∅|home|0|1|3|∅\n\
         ∅|purchase|0|1|2|29.5\n\
         ∅|∅|0|0|3|29.5",
    );
}

#[wasm_bindgen_test]
fn user_errors_are_reported_not_panicked() {
    let e = engine();
    for bad in [
        "SELEC 1",
        "SELECT nope FROM events",
        "SELECT * FROM missing",
        "SET datafusion.execution.target_partitions = 8",
    ] {
        match e.sql(bad) {
            Err(EngineError::Query(msg)) => assert!(!msg.is_empty(), "{bad}"),
            other => panic!("{bad}: expected a query error, got {other:?}"),
        }
    }
}

#[wasm_bindgen_test]
fn truncated_ipc_is_a_decode_error() {
    let bytes = events_ipc();
    assert!(matches!(decode_ipc_stream(&bytes[..bytes.len() / 2]), Err(EngineError::Decode(_))));
    assert!(matches!(decode_ipc_stream(b"<html>not arrow</html>"), Err(EngineError::Decode(_))));
}
