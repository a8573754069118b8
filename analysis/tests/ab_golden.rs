//! Golden cases of the A/B comparison, computed by hand, through the whole path: events
//! registered in an engine, `quiver_analysis::install`, `run` on a spec read from JSON.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use datafusion::arrow::array::{ArrayRef, Float64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use quiver_engine::Engine;
use quiver_shared::analysis::{AnalysisContext, AnalysisResult, AnalysisSpec};
use quiver_shared::catalog::{ColumnInfo, ColumnRole, TableInfo};
use std::sync::Arc;

/// 2024-03-01T00:00:00Z in microseconds.
const MARCH_1: i64 = 1_709_251_200_000_000;
const DAY: i64 = 86_400_000_000;

/// One event: (user, bucket, event name, price, day of March counted from 0).
type Event = (String, &'static str, &'static str, Option<f64>, i64);

/// `n` users of `bucket` (ids prefixed by it) who each view on March 1st; the first `orders` of
/// them also order, for `price` each.
fn users(bucket: &'static str, n: usize, orders: usize, price: Option<f64>) -> Vec<Event> {
    let mut events = Vec::new();
    for i in 0..n {
        let user = format!("{bucket}-{i}");
        events.push((user.clone(), bucket, "view", None, 0));
        if i < orders {
            events.push((user, bucket, "order", price, 0));
        }
    }
    events
}

/// One buyer per value of `prices`, in `bucket`: one order of that price each.
fn buyers(bucket: &'static str, prices: &[f64]) -> Vec<Event> {
    let mut events = Vec::new();
    for (i, &price) in prices.iter().enumerate() {
        events.push((format!("{bucket}-{i}"), bucket, "order", Some(price), 0));
    }
    events
}

fn one(user: &str, bucket: &'static str, name: &'static str, price: Option<f64>, day: i64) -> Vec<Event> {
    vec![(user.to_owned(), bucket, name, price, day)]
}

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("ts", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false),
        Field::new("user_id", DataType::Utf8, false),
        Field::new("event_name", DataType::Utf8, false),
        Field::new("ab_bucket", DataType::Utf8, true),
        Field::new("price", DataType::Float64, true),
    ]))
}

/// The catalogue's view of the table, as the server would describe it.
fn table_info(schema: &Schema) -> TableInfo {
    TableInfo {
        name: "events".to_owned(),
        columns: schema
            .fields()
            .iter()
            .map(|f| ColumnInfo {
                name: f.name().clone(),
                data_type: f.data_type().to_string(),
                nullable: f.is_nullable(),
                role: ColumnRole::infer(f.name(), &f.data_type().to_string()),
            })
            .collect(),
        partition_keys: vec![],
        rows: 0,
        bytes: 0,
        date_range: None,
    }
}

/// Runs the A/B spec `json` over `events` and renders each bucket as
/// `bucket n=… v=… gap=… rel=… ci=[…] p=… small`, joined by ` | `, or the refusal as
/// `field: reason`.
fn render(events: &[Event], json: &str) -> String {
    let schema = schema();
    let column: Vec<ArrayRef> = vec![
        Arc::new(
            TimestampMicrosecondArray::from_iter_values(events.iter().map(|e| MARCH_1 + e.4 * DAY))
                .with_timezone("UTC"),
        ),
        Arc::new(StringArray::from_iter_values(events.iter().map(|e| e.0.as_str()))),
        Arc::new(StringArray::from_iter_values(events.iter().map(|e| e.2))),
        Arc::new(StringArray::from_iter(events.iter().map(|e| (!e.1.is_empty()).then_some(e.1)))),
        Arc::new(Float64Array::from_iter(events.iter().map(|e| e.3))),
    ];
    let batch = RecordBatch::try_new(schema.clone(), column).unwrap();
    let engine = Engine::new().unwrap();
    engine.register("events", schema.clone(), vec![batch]).unwrap();
    quiver_analysis::install(&engine);
    let tables = [table_info(&schema)];
    let ctx = AnalysisContext {
        tables: &tables,
        time_zone: "UTC",
        today: chrono::NaiveDate::from_ymd_opt(2024, 3, 31).unwrap(),
        now_micros: MARCH_1 + 31 * DAY,
    };
    let spec = AnalysisSpec::from_json(json).unwrap();
    let output = match quiver_analysis::run(&engine, &spec, ctx) {
        Ok(output) => output,
        Err(quiver_analysis::AnalysisError::Spec(e)) => return format!("{}: {}", e.field, e.reason),
        Err(e) => panic!("{e}"),
    };
    let AnalysisResult::Ab(result) = output.result else { panic!("not an A/B result") };
    assert_eq!(output.table.rows(), result.buckets.len(), "the tidy table has a row per bucket");
    let mut lines: Vec<String> = result
        .buckets
        .iter()
        .map(|b| {
            let mut line = format!("{} n={} v={:.4}", b.bucket, b.entities, b.value);
            if !b.is_control {
                line += &format!(" gap={:+.4}", b.gap);
                line += &match b.relative_gap {
                    Some(r) => format!(" rel={:+.4}", r),
                    None => " rel=-".to_owned(),
                };
                line += &match (b.interval, b.p_value) {
                    (Some(i), Some(p)) => {
                        format!(" ci=[{:+.6}, {:+.6}] p={p:.4}", i.low, i.high)
                            + &i.df.map(|df| format!(" df={df:.2}")).unwrap_or_default()
                    }
                    _ => " ci=-".to_owned(),
                };
            }
            if b.small {
                line += " small";
            }
            line
        })
        .collect();
    if result.entities_in_several_buckets > 0 {
        lines.push(format!("mixed={}", result.entities_in_several_buckets));
    }
    lines.join(" | ")
}

#[track_caller]
fn check(events: Vec<Vec<Event>>, json: &str, expected: &str) {
    assert_eq!(render(&events.concat(), json), expected, "{json}");
}

const CONVERSION: &str = r#"{"kind":"ab","metric":{"type":"conversion","event":"order"}}"#;
const REVENUE: &str = r#"{"kind":"ab","metric":{"type":"mean","event":"order","value":{"of":"sum","column":"price"}}}"#;

#[test]
fn proportions_get_the_normal_interval_of_the_difference() {
    // 120/1000 vs 150/1000: se = sqrt(.12·.88/1000 + .15·.85/1000) = 0.0152676, z = 1.959964,
    // so 0.03 ± 0.029924 = [0.000076, 0.059924]; z = 1.965, p = 0.0494. The expected values of
    // this file were computed apart from the code, with Python's `statistics` (normal) and
    // Simpson's rule over the t density (Welch).
    check(
        vec![users("control", 1000, 120, None), users("treatment", 1000, 150, None)],
        CONVERSION,
        "control n=1000 v=0.1200 | treatment n=1000 v=0.1500 gap=+0.0300 rel=+0.2500 ci=[+0.000076, +0.059924] p=0.0494",
    );
    // The same rates with a tenth of the users: the interval is √10 wider and covers 0.
    check(
        vec![users("control", 100, 12, None), users("treatment", 100, 15, None)],
        CONVERSION,
        "control n=100 v=0.1200 | treatment n=100 v=0.1500 gap=+0.0300 rel=+0.2500 ci=[-0.064628, +0.124628] p=0.5344",
    );
    // Nobody converted anywhere: no spread, no interval, no relative gap.
    check(
        vec![users("control", 40, 0, None), users("treatment", 40, 0, None)],
        CONVERSION,
        "control n=40 v=0.0000 | treatment n=40 v=0.0000 gap=+0.0000 rel=- ci=-",
    );
}

/// Welch's t-test, example 1 of its Wikipedia article: t = −2.46, ν = 24.99, p = 0.021. Here
/// the second sample is the treatment, so the gap is +2.1667 and the interval
/// 2.1667 ± t(0.975; 24.99) · 0.88240 = [0.349237, 3.984096] (hand-computed with Simpson's rule).
#[test]
fn means_get_welchs_interval() {
    let a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    let a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    check(
        vec![buyers("A1", &a1), buyers("A2", &a2)],
        r#"{"kind":"ab","control":"A1","metric":{"type":"mean","event":"order","value":{"of":"sum","column":"price"}}}"#,
        "A1 n=15 v=20.8200 small | A2 n=15 v=22.9867 gap=+2.1667 rel=+0.1041 ci=[+0.349237, +3.984096] p=0.0214 df=24.99 small",
    );
}

#[test]
fn per_entity_values_count_entities_without_the_event_as_zero() {
    // Revenue per user: control 2 buyers of 10 among 4 users → 5.0; treatment 1 buyer of 30 among
    // 3 → 10.0. Variances: control {10,10,0,0} → 100/3, treatment {30,0,0} → 300; ν = 2.34.
    check(
        vec![users("control", 4, 2, Some(10.0)), users("treatment", 3, 1, Some(30.0))],
        REVENUE,
        "control n=4 v=5.0000 small | treatment n=3 v=10.0000 gap=+5.0000 rel=+1.0000 ci=[-34.137939, +44.137939] p=0.6722 df=2.34 small",
    );
    // Orders per user, the events counted: 2 orders by one of 2 users vs 1 by 1 of 2.
    check(
        vec![
            one("c1", "control", "order", None, 0),
            one("c1", "control", "order", None, 1),
            one("c2", "control", "view", None, 0),
            one("t1", "treatment", "order", None, 0),
            one("t2", "treatment", "view", None, 0),
        ],
        r#"{"kind":"ab","metric":{"type":"mean","event":"order"}}"#,
        "control n=2 v=1.0000 small | treatment n=2 v=0.5000 gap=-0.5000 rel=-0.5000 ci=[-7.418523, +6.418523] p=0.7117 df=1.47 small",
    );
}

#[test]
fn buckets_below_thirty_entities_are_flagged() {
    check(
        vec![users("control", 30, 3, None), users("treatment", 29, 3, None)],
        CONVERSION,
        "control n=30 v=0.1000 | treatment n=29 v=0.1034 gap=+0.0034 rel=+0.0345 ci=[-0.150857, +0.157753] p=0.9651 small",
    );
}

#[test]
fn an_entity_in_two_buckets_stays_in_its_first() {
    // u moved from treatment (day 0) to control (day 2) and ordered in control: it counts as a
    // treatment user who converted, and is reported as mixed.
    check(
        vec![
            one("u", "treatment", "view", None, 0),
            one("u", "control", "order", None, 2),
            one("c", "control", "view", None, 1),
        ],
        CONVERSION,
        "control n=1 v=0.0000 small | treatment n=1 v=1.0000 gap=+1.0000 rel=- ci=- small | mixed=1",
    );
    // Events without a bucket value do not expose anyone, but still count for the metric.
    check(
        vec![
            one("u", "", "view", None, 0),
            one("u", "treatment", "view", None, 1),
            one("u", "", "order", None, 2),
            one("c", "control", "view", None, 1),
        ],
        CONVERSION,
        "control n=1 v=0.0000 small | treatment n=1 v=1.0000 gap=+1.0000 rel=- ci=- small",
    );
}

#[test]
fn the_range_and_filters_choose_the_events() {
    // Only March 2nd–3rd: c's order on the 1st and t's view on the 4th are out.
    let events = vec![
        one("c", "control", "order", None, 0),
        one("c", "control", "view", None, 1),
        one("t", "treatment", "order", None, 2),
        one("t", "treatment", "view", None, 3),
    ];
    check(
        events.clone(),
        r#"{"kind":"ab","date_range":{"kind":"between","from":"2024-03-02","to":"2024-03-03"},"metric":{"type":"conversion","event":"order"}}"#,
        "control n=1 v=0.0000 small | treatment n=1 v=1.0000 gap=+1.0000 rel=- ci=- small",
    );
    // A metric filter: only orders above 20 convert.
    check(
        vec![users("control", 2, 2, Some(10.0)), users("treatment", 2, 1, Some(25.0))],
        r#"{"kind":"ab","metric":{"type":"conversion","event":"order","filters":[{"column":"price","op":"range","min":"20"}]}}"#,
        "control n=2 v=0.0000 small | treatment n=2 v=0.5000 gap=+0.5000 rel=- ci=[-0.192952, +1.192952] p=0.1573 small",
    );
    // No events at all: no buckets, and no complaint about the control.
    check(vec![], CONVERSION, "");
}

#[test]
fn refusals_name_the_field() {
    let data = || vec![users("control", 2, 1, Some(1.0)), users("treatment", 2, 1, Some(1.0))];
    check(
        data(),
        r#"{"kind":"ab","control":"baseline"}"#,
        "control: there is no bucket `baseline`; the buckets are control, treatment",
    );
    check(data(), r#"{"kind":"ab","bucket":"variant"}"#, "bucket: the table `events` has no column `variant`");
    check(data(), r#"{"kind":"ab","source":{"table":"orders"}}"#, "source.table: there is no table named `orders`");
    check(
        data(),
        r#"{"kind":"ab","source":{"entity":"device_id"}}"#,
        "source.entity: the table `events` has no column `device_id`",
    );
    check(
        data(),
        r#"{"kind":"ab","metric":{"type":"mean","value":{"of":"sum","column":"event_name"}}}"#,
        "metric.value.column: a sum needs a number column, and `event_name` holds Utf8",
    );
    check(
        data(),
        r#"{"kind":"ab","metric":{"type":"conversion","filters":[{"column":"price","op":"contains","text":"9"}]}}"#,
        "metric.filters[0].op: contains needs a text column, and `price` is a number",
    );
    check(
        data(),
        r#"{"kind":"ab","filters":[{"column":"colour","op":"is_null"}]}"#,
        "filters[0].column: the table `events` has no column `colour`",
    );
    check(data(), r#"{"kind":"ab","date_range":{"kind":"last","days":0}}"#, "date_range.days: cover at least 1 day");
    check(
        data(),
        r#"{"kind":"ab","source":{"time":"price"},"date_range":{"kind":"last","days":7}}"#,
        "source.time: a date range needs a time column, and `price` is a number",
    );
}
