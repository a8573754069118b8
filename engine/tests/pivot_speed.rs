//! How fast the planned pivot runs natively on 1M rows shaped like the demo `events` table
//! (2 Rows fields, 1 Columns field, count rows + sum price + count distinct user_id), next to
//! the other query shapes considered. A measurement, not a test: run it with
//! `cargo test -p quiver-engine --release --test pivot_speed -- --ignored --nocapture`.

#![cfg(not(target_arch = "wasm32"))]

use datafusion::arrow::array::{Float64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, Field as ArrowField, Schema, TimeUnit};
use quiver_engine::Engine;
use quiver_shared::catalog::{ColumnInfo, ColumnRole, TableInfo};
use quiver_shared::pivot::{Agg, Field, PivotSpec, PlanContext, QueryShape, Value, plan_with_shape};
use std::sync::Arc;
use std::time::Instant;

const ROWS: usize = 1_000_000;

/// A deterministic 1M-row events table: 8 channels, 12 event names, 5 platforms, 50k users,
/// a price on a third of the rows, 30 days of timestamps.
fn events() -> RecordBatch {
    const CHANNELS: [&str; 8] = ["organic", "ads", "email", "social", "referral", "partner", "push", "direct"];
    const EVENTS: [&str; 12] = [
        "app_open",
        "view_item",
        "search",
        "add_to_cart",
        "remove_from_cart",
        "begin_checkout",
        "purchase",
        "share",
        "login",
        "logout",
        "signup",
        "rate",
    ];
    const PLATFORMS: [&str; 5] = ["ios", "android", "web", "mini_program", "desktop"];
    // A small xorshift keeps the table the same on every run without another dependency.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut channel = Vec::with_capacity(ROWS);
    let mut event = Vec::with_capacity(ROWS);
    let mut platform = Vec::with_capacity(ROWS);
    let mut user = Vec::with_capacity(ROWS);
    let mut price = Vec::with_capacity(ROWS);
    let mut ts = Vec::with_capacity(ROWS);
    for _ in 0..ROWS {
        let r = next();
        channel.push(CHANNELS[(r % 8) as usize]);
        event.push(EVENTS[((r >> 8) % 12) as usize]);
        platform.push(PLATFORMS[((r >> 16) % 5) as usize]);
        user.push(format!("u{:05}", (r >> 24) % 50_000));
        price.push(((r >> 44) % 3 == 0).then(|| ((r >> 48) % 20_000) as f64 / 100.0));
        ts.push(1_709_251_200_000_000 + ((r >> 20) % (30 * 86_400)) as i64 * 1_000_000);
    }
    let schema = Arc::new(Schema::new(vec![
        ArrowField::new("ts", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false),
        ArrowField::new("user_id", DataType::Utf8, false),
        ArrowField::new("event_name", DataType::Utf8, false),
        ArrowField::new("platform", DataType::Utf8, false),
        ArrowField::new("channel", DataType::Utf8, false),
        ArrowField::new("price", DataType::Float64, true),
    ]));
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(TimestampMicrosecondArray::from(ts).with_timezone("UTC")),
            Arc::new(StringArray::from(user)),
            Arc::new(StringArray::from(event)),
            Arc::new(StringArray::from(platform)),
            Arc::new(StringArray::from(channel)),
            Arc::new(Float64Array::from(price)),
        ],
    )
    .unwrap()
}

fn table_info() -> TableInfo {
    let column = |name: &str, data_type: &str, role| ColumnInfo {
        name: name.to_owned(),
        data_type: data_type.to_owned(),
        nullable: true,
        role,
    };
    TableInfo {
        name: "events".to_owned(),
        columns: vec![
            column("ts", "Timestamp(µs, \"UTC\")", ColumnRole::Time),
            column("user_id", "Utf8", ColumnRole::Key),
            column("event_name", "Utf8", ColumnRole::Dimension),
            column("platform", "Utf8", ColumnRole::Dimension),
            column("channel", "Utf8", ColumnRole::Dimension),
            column("price", "Float64", ColumnRole::Measure),
        ],
        partition_keys: vec![],
        rows: ROWS as u64,
        bytes: 0,
        date_range: None,
    }
}

/// The grouping sets of 2 Rows × 1 Columns fields, for the hand-written shapes.
const SETS: &str = "(r0, r1, c0), (r0, r1), (r0, c0), (r0), (c0), ()";
const DEPTHS: &str = "CAST(2 - grouping(r0) - grouping(r1) AS INT) AS __row_depth, \
                      CAST(1 - grouping(c0) AS INT) AS __col_depth";

/// The other shapes considered, by name.
fn alternatives() -> Vec<(&'static str, String)> {
    let base = "base AS (SELECT channel AS r0, platform AS r1, event_name AS c0, CAST(price AS DOUBLE) AS a1, \
                user_id AS a2 FROM events)";
    vec![
        (
            "leaf first: one GROUP BY of dims + user_id, then the grouping sets over its partials",
            format!(
                "WITH {base}, leaf AS (SELECT r0, r1, c0, a2, count(*) AS n, sum(a1) AS s FROM base \
                 GROUP BY r0, r1, c0, a2) \
                 SELECT r0, r1, c0, {DEPTHS}, CAST(sum(n) AS DOUBLE) AS v0, sum(s) AS v1, \
                 CAST(count(DISTINCT a2) AS DOUBLE) AS v2 FROM leaf GROUP BY GROUPING SETS ({SETS})"
            ),
        ),
        ("one aggregation per set, UNION ALL", {
            let sets =
                [("r0, r1, c0", 2, 1), ("r0, r1", 2, 0), ("r0, c0", 1, 1), ("r0", 1, 0), ("c0", 0, 1), ("", 0, 0)];
            let parts: Vec<String> = sets
                .iter()
                .map(|(keys, rd, cd)| {
                    let col = |name: &str| {
                        if keys.split(", ").any(|k| k == name) {
                            name.to_owned()
                        } else {
                            format!("CAST(NULL AS VARCHAR) AS {name}")
                        }
                    };
                    let group = if keys.is_empty() { String::new() } else { format!(" GROUP BY {keys}") };
                    format!(
                        "SELECT {}, {}, {}, CAST({rd} AS INT) AS __row_depth, CAST({cd} AS INT) AS __col_depth, \
                             CAST(count(*) AS DOUBLE) AS v0, sum(a1) AS v1, CAST(count(DISTINCT a2) AS DOUBLE) AS v2 \
                             FROM base{group}",
                        col("r0"),
                        col("r1"),
                        col("c0")
                    )
                })
                .collect();
            format!("WITH {base} {}", parts.join(" UNION ALL "))
        }),
        (
            "count and sum only, GROUPING SETS over raw rows",
            format!(
                "WITH {base} SELECT r0, r1, c0, {DEPTHS}, CAST(count(*) AS DOUBLE) AS v0, sum(a1) AS v1 \
                 FROM base GROUP BY GROUPING SETS ({SETS})"
            ),
        ),
        (
            "count and sum only, leaf GROUP BY then GROUPING SETS over the partials",
            format!(
                "WITH {base}, leaf AS (SELECT r0, r1, c0, count(*) AS n, sum(a1) AS s FROM base GROUP BY r0, r1, c0) \
                 SELECT r0, r1, c0, {DEPTHS}, CAST(sum(n) AS DOUBLE) AS v0, sum(s) AS v1 \
                 FROM leaf GROUP BY GROUPING SETS ({SETS})"
            ),
        ),
        (
            "count distinct only, GROUPING SETS over raw rows",
            format!(
                "WITH {base} SELECT r0, r1, c0, {DEPTHS}, CAST(count(DISTINCT a2) AS DOUBLE) AS v2 \
                 FROM base GROUP BY GROUPING SETS ({SETS})"
            ),
        ),
        ("combined: count and sum from leaf partials, count distinct per set (UNION ALL), joined", {
            let sets =
                [("r0, r1, c0", 2, 1), ("r0, r1", 2, 0), ("r0, c0", 1, 1), ("r0", 1, 0), ("c0", 0, 1), ("", 0, 0)];
            let parts: Vec<String> = sets
                .iter()
                .map(|(keys, rd, cd)| {
                    let col = |name: &str| {
                        if keys.split(", ").any(|k| k == name) {
                            name.to_owned()
                        } else {
                            format!("CAST(NULL AS VARCHAR) AS {name}")
                        }
                    };
                    let group = if keys.is_empty() { String::new() } else { format!(" GROUP BY {keys}") };
                    format!(
                        "SELECT {}, {}, {}, CAST({rd} AS INT) AS d_r, CAST({cd} AS INT) AS d_c, \
                             CAST(count(DISTINCT a2) AS DOUBLE) AS v2 FROM base{group}",
                        col("r0"),
                        col("r1"),
                        col("c0")
                    )
                })
                .collect();
            format!(
                "WITH {base}, leaf AS (SELECT r0, r1, c0, count(*) AS n, sum(a1) AS s FROM base GROUP BY r0, r1, c0), \
                     rolled AS (SELECT r0, r1, c0, {DEPTHS}, CAST(sum(n) AS DOUBLE) AS v0, sum(s) AS v1 \
                     FROM leaf GROUP BY GROUPING SETS ({SETS})), distinct_sets AS ({}) \
                     SELECT rolled.*, distinct_sets.v2 FROM rolled JOIN distinct_sets \
                     ON (rolled.r0 IS NOT DISTINCT FROM distinct_sets.r0) AND (rolled.r1 IS NOT DISTINCT FROM distinct_sets.r1) \
                     AND (rolled.c0 IS NOT DISTINCT FROM distinct_sets.c0) AND rolled.__row_depth = distinct_sets.d_r \
                     AND rolled.__col_depth = distinct_sets.d_c",
                parts.join(" UNION ALL ")
            )
        }),
        (
            "GROUP BY without subtotals (the leaf level only, for scale)",
            format!(
                "WITH {base} SELECT r0, r1, c0, CAST(count(*) AS DOUBLE) AS v0, sum(a1) AS v1, \
                 CAST(count(DISTINCT a2) AS DOUBLE) AS v2 FROM base GROUP BY r0, r1, c0"
            ),
        ),
    ]
}

/// Runs `sql` five times and returns the median in milliseconds and the rows.
fn time(engine: &Engine, sql: &str) -> (f64, usize) {
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..5 {
        let started = Instant::now();
        rows = engine.sql(sql).unwrap_or_else(|e| panic!("{e}\n{sql}")).rows();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    (times[2], rows)
}

#[test]
#[ignore = "a measurement: run with --ignored --nocapture, preferably --release"]
fn planned_pivot_on_a_million_rows() {
    let engine = Engine::new().unwrap();
    let mut batch = events();
    if std::env::var_os("QUIVER_PIVOT_SPEED_VIEWS").is_some() {
        // Strings as views (an experiment: DataFusion compares short views in place).
        let fields: Vec<ArrowField> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| {
                let t = if *f.data_type() == DataType::Utf8 { DataType::Utf8View } else { f.data_type().clone() };
                ArrowField::new(f.name(), t, f.is_nullable())
            })
            .collect();
        let columns = batch
            .columns()
            .iter()
            .zip(&fields)
            .map(|(c, f)| datafusion::arrow::compute::cast(c, f.data_type()).unwrap())
            .collect();
        batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap();
    }
    // Several batches, as partitions arrive.
    let batches: Vec<RecordBatch> = (0..ROWS).step_by(65_536).map(|o| batch.slice(o, 65_536.min(ROWS - o))).collect();
    engine.register("events", batch.schema(), batches).unwrap();
    let info = table_info();
    let spec = PivotSpec {
        table: "events".to_owned(),
        rows: vec![Field::plain("channel"), Field::plain("platform")],
        columns: vec![Field::plain("event_name")],
        values: vec![Value::count_rows(), Value::of(Agg::Sum, "price"), Value::of(Agg::CountDistinct, "user_id")],
        ..PivotSpec::default()
    };
    let today = chrono::NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
    let mut with_median = spec.clone();
    with_median.values.push(Value::of(Agg::Median, "price"));
    let mut by_day = spec.clone();
    by_day.rows[1] = Field::time("ts", quiver_shared::pivot::TimeGrain::Day);
    let mut top = spec.clone();
    top.top_n = Some(quiver_shared::pivot::TopN { n: 3, other: true });
    let specs = [
        ("channel, platform × event_name: count, sum price, count distinct user_id", &spec),
        ("the same with a median of price", &with_median),
        ("channel, day (Asia/Shanghai) × event_name", &by_day),
        ("the same as the first, top 3 channels with other", &top),
    ];
    // `QUIVER_PIVOT_SPEED_PROFILE=N` runs only the planned pivot, N times, for a profiler
    // (`QUIVER_PIVOT_SPEED_SPEC=i` picks another of `specs` than the first).
    if let Some(n) = std::env::var("QUIVER_PIVOT_SPEED_PROFILE").ok().and_then(|n| n.parse::<usize>().ok()) {
        let index = std::env::var("QUIVER_PIVOT_SPEED_SPEC").ok().and_then(|i| i.parse::<usize>().ok()).unwrap_or(0);
        let planned = plan_with_shape(
            specs[index].1,
            PlanContext { table: &info, time_zone: "Asia/Shanghai", today },
            QueryShape::Rollup,
        )
        .unwrap();
        if std::env::var_os("QUIVER_PIVOT_SPEED_SQL").is_some() {
            println!("{}", planned.sql);
        }
        for _ in 0..n {
            let (ms, rows) = time(&engine, &planned.sql);
            println!("{ms:8.1} ms  {rows:5} rows  Rollup, profiled");
        }
        return;
    }
    for (name, spec) in specs {
        for shape in [QueryShape::Rollup, QueryShape::UnionAll, QueryShape::GroupingSets] {
            let planned =
                plan_with_shape(spec, PlanContext { table: &info, time_zone: "Asia/Shanghai", today }, shape).unwrap();
            let (ms, rows) = time(&engine, &planned.sql);
            println!("{ms:8.1} ms  {rows:5} rows  {shape:?}: {name}");
        }
    }
    for (name, sql) in alternatives() {
        let (ms, rows) = time(&engine, &sql);
        println!("{ms:8.1} ms  {rows:5} rows  {name}");
    }
}
