//! How long the event trend takes over 2M events of 100k users in 84 days: PV and UV by day
//! with both comparisons and a breakdown, and DAU/WAU/MAU. Native only and ignored: run with
//! `cargo test -p quiver-analysis --test trend_speed -- --ignored --nocapture`.

#![cfg(not(target_arch = "wasm32"))]

use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use quiver_engine::Engine;
use quiver_shared::analysis::{AnalysisContext, AnalysisSpec};
use quiver_shared::catalog::{ColumnInfo, ColumnRole, TableInfo};
use std::sync::Arc;

/// 2024-02-26T00:00:00Z.
const T0: i64 = 1_708_905_600_000_000;
const MINUTE: i64 = 60_000_000;

#[test]
#[ignore]
fn trends_over_two_million_events() {
    let (users, rows) = (100_000u64, 2_000_000usize);
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let platforms = ["ios", "android", "web", "tv", "car", "watch"];
    let mut ids = Vec::with_capacity(rows);
    let mut times = Vec::with_capacity(rows);
    let mut names = Vec::with_capacity(rows);
    let mut platform = Vec::with_capacity(rows);
    for _ in 0..rows {
        ids.push(format!("u{}", next() % users));
        times.push(T0 + (next() % (84 * 24 * 60)) as i64 * MINUTE);
        names.push(if next() % 4 == 0 { "a" } else { "b" });
        platform.push(platforms[(next() % 6) as usize]);
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("user_id", DataType::Utf8, false),
        Field::new("ts", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false),
        Field::new("event_name", DataType::Utf8, false),
        Field::new("platform", DataType::Utf8, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(ids)),
        Arc::new(TimestampMicrosecondArray::from_iter_values(times).with_timezone("UTC")),
        Arc::new(StringArray::from_iter_values(names)),
        Arc::new(StringArray::from_iter_values(platform)),
    ];
    let engine = Engine::new().unwrap();
    engine.register("events", schema.clone(), vec![RecordBatch::try_new(schema.clone(), columns).unwrap()]).unwrap();
    quiver_analysis::install(&engine);
    let tables = vec![TableInfo {
        name: "events".to_owned(),
        columns: schema
            .fields()
            .iter()
            .map(|f| ColumnInfo {
                name: f.name().clone(),
                data_type: f.data_type().to_string(),
                nullable: false,
                role: ColumnRole::infer(f.name(), &f.data_type().to_string()),
            })
            .collect(),
        partition_keys: vec![],
        rows: rows as u64,
        bytes: 0,
        date_range: None,
    }];
    let ctx = AnalysisContext {
        tables: &tables,
        time_zone: "Asia/Shanghai",
        today: chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
        now_micros: T0 + 100 * 24 * 60 * MINUTE,
    };
    let range = r#""date_range":{"kind":"between","from":"2024-04-20","to":"2024-05-19"}"#;
    for (name, spec) in [
        ("pv, uv by day", format!(r#"{{"kind":"trend",{range}}}"#)),
        (
            "pv, uv, both comparisons",
            format!(r#"{{"kind":"trend",{range},"compare":["previous_period","previous_year"]}}"#),
        ),
        (
            "pv, uv, top 3 platforms",
            format!(r#"{{"kind":"trend",{range},"breakdown":{{"column":"platform","top":3}}}}"#),
        ),
        ("dau, wau, mau", format!(r#"{{"kind":"trend",{range},"measures":["dau","wau","mau"]}}"#)),
    ] {
        let spec = AnalysisSpec::from_json(&spec).unwrap();
        let started = std::time::Instant::now();
        quiver_analysis::run(&engine, &spec, ctx).unwrap();
        println!("{name}: {:?}", started.elapsed());
    }
}
