//! How long a 5-step funnel over 2M events of 100k users takes natively (ignored by default:
//! `cargo test -p quiver-analysis --test funnel_speed -- --ignored --nocapture`). The browser's
//! target is 1 s; natively it should be far below.

#![cfg(not(target_arch = "wasm32"))]

use chrono::NaiveDate;
use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use quiver_engine::Engine;
use quiver_shared::analysis::AnalysisContext;
use quiver_shared::analysis::funnel::{FunnelBreakdown, FunnelSpec};
use quiver_shared::catalog::{ColumnInfo, ColumnRole, TableInfo};
use std::sync::Arc;
use std::time::Instant;

const T0: i64 = 1_709_856_000_000_000;
const USERS: usize = 100_000;
const EVENTS: usize = 2_000_000;
const NAMES: [&str; 8] = ["home", "search", "view", "cart", "checkout", "pay", "share", "logout"];
const COUNTRIES: [&str; 6] = ["de", "fr", "it", "es", "us", "cn"];

/// A small deterministic generator (xorshift), so the data is the same on every run.
struct Noise(u64);

impl Noise {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

fn engine() -> (Engine, Vec<TableInfo>) {
    let ts_type = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    let schema = Arc::new(Schema::new(vec![
        Field::new("ts", ts_type.clone(), false),
        Field::new("user_id", DataType::Utf8, false),
        Field::new("event_name", DataType::Utf8, false),
        Field::new("country", DataType::Utf8, true),
    ]));
    let mut noise = Noise(0x9E37_79B9_7F4A_7C15);
    let mut batches = Vec::new();
    for _ in 0..EVENTS / 8192 + 1 {
        let rows = 8192.min(EVENTS - batches.len() * 8192);
        if rows == 0 {
            break;
        }
        let mut ts = Vec::with_capacity(rows);
        let mut users = Vec::with_capacity(rows);
        let mut names = Vec::with_capacity(rows);
        let mut countries = Vec::with_capacity(rows);
        for _ in 0..rows {
            ts.push(T0 + noise.next(30 * 86_400) as i64 * 1_000_000);
            users.push(format!("u{}", noise.next(USERS as u64)));
            names.push(NAMES[noise.next(NAMES.len() as u64) as usize]);
            countries.push(COUNTRIES[noise.next(COUNTRIES.len() as u64) as usize]);
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(TimestampMicrosecondArray::from(ts).with_timezone("UTC")),
            Arc::new(StringArray::from(users)),
            Arc::new(StringArray::from(names)),
            Arc::new(StringArray::from(countries)),
        ];
        batches.push(RecordBatch::try_new(schema.clone(), columns).unwrap());
    }
    let engine = Engine::new().unwrap();
    engine.register("events", schema, batches).unwrap();
    quiver_analysis::install(&engine);
    let column = |name: &str, data_type: &DataType, role| ColumnInfo {
        name: name.to_owned(),
        data_type: data_type.to_string(),
        nullable: true,
        role,
    };
    let table = TableInfo {
        name: "events".to_owned(),
        columns: vec![
            column("ts", &ts_type, ColumnRole::Time),
            column("user_id", &DataType::Utf8, ColumnRole::Key),
            column("event_name", &DataType::Utf8, ColumnRole::Dimension),
            column("country", &DataType::Utf8, ColumnRole::Dimension),
        ],
        partition_keys: vec![],
        rows: EVENTS as u64,
        bytes: 0,
        date_range: None,
    };
    (engine, vec![table])
}

#[test]
#[ignore = "a measurement, not a check: run with --ignored --nocapture"]
fn five_steps_over_two_million_events() {
    let (engine, tables) = engine();
    let ctx = AnalysisContext {
        tables: &tables,
        time_zone: "UTC",
        today: NaiveDate::from_ymd_opt(2024, 4, 10).unwrap(),
        now_micros: T0,
    };
    let steps = FunnelSpec::of_events(&["home", "search", "view", "cart", "pay"]);
    let cases = [
        ("ordered", steps.clone()),
        (
            "ordered, breakdown by country",
            FunnelSpec { breakdown: Some(FunnelBreakdown::by("country")), ..steps.clone() },
        ),
        ("strict", FunnelSpec { mode: quiver_shared::analysis::funnel::FunnelMode::Strict, ..steps.clone() }),
        ("any order", FunnelSpec { mode: quiver_shared::analysis::funnel::FunnelMode::AnyOrder, ..steps.clone() }),
    ];
    for (name, spec) in cases {
        let mut times = Vec::new();
        for _ in 0..3 {
            let start = Instant::now();
            let (result, _) = quiver_analysis::funnel::run(&engine, &spec, ctx).unwrap();
            times.push(start.elapsed().as_millis());
            assert!(result.steps[0].entities > 0);
        }
        times.sort_unstable();
        println!("{name}: median {} ms of {times:?}", times[1]);
    }
}

#[test]
#[ignore = "a measurement, not a check: run with --ignored --nocapture"]
fn where_the_time_goes() {
    let (engine, tables) = engine();
    let ctx = AnalysisContext {
        tables: &tables,
        time_zone: "UTC",
        today: NaiveDate::from_ymd_opt(2024, 4, 10).unwrap(),
        now_micros: T0,
    };
    let spec = FunnelSpec::of_events(&["home", "search", "view", "cart", "pay"]);
    let sql = quiver_analysis::funnel::sql(&spec, ctx).unwrap();
    let rows_start = sql.find("SELECT user_id AS e").unwrap();
    let rows_end = sql.find(") AS ev GROUP BY e").unwrap();
    let rows = &sql[rows_start..rows_end];
    let matched_start = sql.find("SELECT window_funnel").unwrap();
    let matched = &sql[matched_start..rows_end + ") AS ev GROUP BY e".len()];
    let queries = [
        ("scan", "SELECT count(*) FROM events".to_owned()),
        ("group by user", "SELECT count(*) FROM (SELECT count(*) FROM events GROUP BY user_id)".to_owned()),
        ("rows", format!("SELECT count(*) FROM ({rows})")),
        ("matched", format!("SELECT sum(get_field(r, 'level')) FROM ({matched})")),
        (
            "per step",
            format!(
                "SELECT count(*), sum(d) FROM ({})",
                &sql[sql.find("FROM (SELECT get_field(s").unwrap() + 6..sql.rfind(") AS steps").unwrap()]
            ),
        ),
        ("no percentile", sql.replace("percentile_cont(d, 0.95)", "max(d)")),
        ("no median", sql.replace("percentile_cont(d, 0.95)", "max(d)").replace("median(d)", "min(d)")),
        ("all", sql.clone()),
    ];
    for (name, query) in queries {
        let mut times = Vec::new();
        for _ in 0..3 {
            let start = Instant::now();
            engine.sql(&query).unwrap();
            times.push(start.elapsed().as_millis());
        }
        times.sort_unstable();
        println!("{name}: median {} ms of {times:?}", times[1]);
    }
}

#[test]
#[ignore = "a measurement, not a check: run with --ignored --nocapture"]
fn the_plan() {
    let (engine, tables) = engine();
    let ctx = AnalysisContext {
        tables: &tables,
        time_zone: "UTC",
        today: NaiveDate::from_ymd_opt(2024, 4, 10).unwrap(),
        now_micros: T0,
    };
    let steps = FunnelSpec::of_events(&["home", "search", "view", "cart", "pay"]);
    let by_country = FunnelSpec { breakdown: Some(FunnelBreakdown::by("country")), ..steps.clone() };
    for spec in [steps, by_country] {
        let sql = quiver_analysis::funnel::sql(&spec, ctx).unwrap();
        let out = engine.sql(&format!("EXPLAIN ANALYZE {sql}")).unwrap();
        let plan = out.batches[0].column(1).as_any().downcast_ref::<datafusion::arrow::array::StringArray>().unwrap();
        // One line per operator: its name and how long it computed.
        for line in plan.value(0).lines() {
            let name = line.split(':').next().unwrap_or("");
            let elapsed = line.split("elapsed_compute=").nth(1).and_then(|t| t.split(',').next()).unwrap_or("");
            println!("{name} {elapsed}");
        }
        println!();
    }
}

#[test]
#[ignore = "a measurement, not a check: run with --ignored --nocapture"]
fn the_aggregate_alone() {
    let (engine, _) = engine();
    engine
        .sql(
            "CREATE TABLE prepared AS SELECT CAST(substr(user_id, 2) AS BIGINT) AS e, ts AS t, \
             CASE WHEN event_name = 'home' THEN 1 WHEN event_name = 'search' THEN 2 WHEN event_name = 'view' THEN 4 \
             WHEN event_name = 'cart' THEN 8 WHEN event_name = 'pay' THEN 16 ELSE 0 END AS m, 2 AS f FROM events",
        )
        .unwrap();
    let queries = [
        ("count", "SELECT count(*) FROM (SELECT e, count(*) AS c FROM prepared GROUP BY e)"),
        ("array_agg", "SELECT count(*) FROM (SELECT e, max(t), max(m), max(f) FROM prepared GROUP BY e)"),
        (
            "window_funnel",
            "SELECT sum(get_field(r, 'level')) FROM (SELECT e, window_funnel(604800, 'ordered', 5, t, m, f) AS r \
             FROM prepared GROUP BY e)",
        ),
    ];
    let only = std::env::var("FUNNEL_QUERY").ok();
    for (name, query) in queries {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let mut times = Vec::new();
        for _ in 0..5 {
            let start = Instant::now();
            engine.sql(query).unwrap();
            times.push(start.elapsed().as_millis());
        }
        times.sort_unstable();
        println!("{name}: median {} ms of {times:?}", times[2]);
    }
}
