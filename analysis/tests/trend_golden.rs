//! The event trend's golden cases through the whole path (an `events` table in an engine,
//! `quiver_analysis::install`, `run`, the result): PV, UV and events per entity by hour, day,
//! week and month in the tenant's zone, breakdowns with top N and "other", several events,
//! DAU/WAU/MAU with their lead-in days, comparisons with the previous period and the previous
//! year, partial buckets, the tidy table, and refusals naming the field. Runs natively and in the
//! browser.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::{engine, rows, time};
use quiver_shared::analysis::trend::{Change, TrendPoint, TrendResult, TrendSeries};
use quiver_shared::analysis::{AnalysisContext, AnalysisResult, AnalysisSpec};

/// Runs a trend spec given as JSON over `events`. Two keys of the JSON are not the spec's:
/// `tz`, the tenant's zone (UTC when left out), and `now`, a UTC time as in the events
/// (2026-01-01 when left out); today is now's UTC day.
fn run(events: &str, spec: &str) -> Result<(TrendResult, quiver_engine::QueryOutput), quiver_analysis::AnalysisError> {
    let mut json: serde_json::Value = serde_json::from_str(spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
    let object = json.as_object_mut().unwrap();
    let tz = object.remove("tz").map(|v| v.as_str().unwrap().to_owned()).unwrap_or_else(|| "UTC".to_owned());
    let now = object.remove("now").map_or_else(|| time("2026-01-01T00:00"), |v| time(v.as_str().unwrap()));
    object.insert("kind".to_owned(), "trend".into());
    let spec = AnalysisSpec::from_json(&json.to_string())?;
    let (engine, tables) = engine(&rows(events));
    let ctx = AnalysisContext {
        tables: &tables,
        time_zone: &tz,
        today: now.date(),
        now_micros: now.and_utc().timestamp_micros(),
    };
    let output = quiver_analysis::run(&engine, &spec, ctx)?;
    match output.result {
        AnalysisResult::Trend(result) => Ok((result, output.table)),
        other => panic!("not a trend result: {other:?}"),
    }
}

/// Picks one comparison of a point.
type PickChange = fn(&TrendPoint) -> Option<&Change>;

/// A number as the cases write it: whole numbers plainly, others to two decimals.
fn number(value: Option<f64>) -> String {
    match value {
        None => "-".to_owned(),
        Some(v) if (v - v.round()).abs() < 1e-9 => format!("{}", v.round()),
        Some(v) => format!("{v:.2}").trim_end_matches('0').to_owned(),
    }
}

fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{:.1}%", v * 100.0).replace(".0%", "%"))
}

/// The series as the cases write them, joined by ` | `: `measure[group]: points = total`
/// (`e1.` before the measure when there are several events), then for each comparison
/// `measure@pp: earlier values = total` and `measure@pp%: relative changes = total` (`py` for
/// the previous year). Every absolute change must be the value minus the earlier one.
fn render(result: &TrendResult) -> String {
    let several = result.series.iter().any(|s| s.event > 0);
    let mut lines = Vec::new();
    for series in &result.series {
        let mut label = series.measure.as_str().to_owned();
        if several {
            label = format!("e{}.{label}", series.event);
        }
        if let Some(group) = &series.group {
            let name = if group.other { "other" } else { group.value.as_deref().unwrap_or("null") };
            label = format!("{label}[{name}]");
        }
        let points = |f: &dyn Fn(&TrendPoint) -> String, s: &TrendSeries| {
            let values: Vec<String> = s.points.iter().map(f).collect();
            format!("{} = {}", values.join(" "), f(&s.total))
        };
        lines.push(format!("{label}: {}", points(&|p| number(p.value), series)));
        let changes: [(&str, PickChange); 2] =
            [("pp", |p| p.previous_period.as_ref()), ("py", |p| p.previous_year.as_ref())];
        for (name, pick) in changes {
            if pick(&series.total).is_none() {
                continue;
            }
            for point in series.points.iter().chain([&series.total]) {
                let change = pick(point).expect("every point has the comparison");
                let expected = point.value.zip(change.value).map(|(now, then)| now - then);
                assert_eq!(change.absolute, expected, "{label} {point:?}");
            }
            lines.push(format!("{label}@{name}: {}", points(&|p| number(pick(p).and_then(|c| c.value)), series)));
            lines.push(format!("{label}@{name}%: {}", points(&|p| percent(pick(p).and_then(|c| c.relative)), series)));
        }
    }
    lines.join(" | ")
}

#[track_caller]
fn check(events: &str, spec: &str, expected: &str) {
    let (result, _) = run(events, spec).unwrap_or_else(|e| panic!("{e}\n{spec}"));
    assert_eq!(render(&result), expected, "\nevents: {events}\nspec: {spec}");
}

/// Buckets as `MM-DD` (or `MM-DDTHH`), with `*` on partial ones.
#[track_caller]
fn check_buckets(spec: &str, expected: &str) {
    let (result, _) = run("", spec).unwrap_or_else(|e| panic!("{e}\n{spec}"));
    let format = if result.grain == quiver_shared::pivot::TimeGrain::Hour { "%m-%dT%H" } else { "%m-%d" };
    let buckets: Vec<String> = result
        .buckets
        .iter()
        .map(|b| format!("{}{}", b.start.format(format), if b.partial { "*" } else { "" }))
        .collect();
    assert_eq!(buckets.join(" "), expected, "{spec}");
}

fn range(from: &str, to: &str) -> String {
    format!(r#""date_range":{{"kind":"between","from":"{from}","to":"{to}"}}"#)
}

#[test]
fn pv_uv_and_events_per_entity_per_day() {
    check(
        "u0 03-01; u0 03-01T13:00; u1 03-01; u0 03-02; u1 02-29; u1 03-04",
        &format!(r#"{{{},"measures":["pv","uv","per_entity"]}}"#, range("2024-03-01", "2024-03-03")),
        "pv: 3 1 0 = 4 | uv: 2 1 0 = 2 | per_entity: 1.5 1 - = 2",
    );
    // The default measures are PV and UV; filters apply to every event.
    check(
        "u0 03-01 a ios; u0 03-01 a web; u1 03-01 a web",
        &format!(
            r#"{{{},"filters":[{{"column":"platform","op":"in","values":["web"]}}]}}"#,
            range("2024-03-01", "2024-03-01")
        ),
        "pv: 2 = 2 | uv: 2 = 2",
    );
}

#[test]
fn buckets_are_the_tenants_wall_clock() {
    let events = "u0 03-01T23:30; u1 03-02T10:00";
    check(events, &format!("{{{}}}", range("2024-03-01", "2024-03-02")), "pv: 1 1 = 2 | uv: 1 1 = 2");
    check(
        events,
        &format!(r#"{{{},"tz":"Asia/Shanghai"}}"#, range("2024-03-01", "2024-03-02")),
        "pv: 0 2 = 2 | uv: 0 2 = 2",
    );
    // Santiago skips from 24:00 on 7 September 2024 to 01:00: the 8th begins at 04:00 UTC.
    check(
        "u0 09-08T03:30; u1 09-08T04:30",
        &format!(r#"{{{},"tz":"America/Santiago"}}"#, range("2024-09-07", "2024-09-08")),
        "pv: 1 1 = 2 | uv: 1 1 = 2",
    );
    // Weeks from Monday, clipped to the range: Monday 03-04 and Wednesday 03-13 are outside.
    check(
        "u0 03-04; u0 03-06; u1 03-10; u1 03-11; u2 03-13",
        &format!(r#"{{{},"grain":"week"}}"#, range("2024-03-06", "2024-03-12")),
        "pv: 2 1 = 3 | uv: 2 1 = 2",
    );
    // Months, leap day included; the range's last day ends at its local midnight.
    check(
        "u0 01-10; u0 01-31; u0 02-29; u1 03-10T23:00; u1 03-11",
        &format!(r#"{{{},"grain":"month","measures":["pv"]}}"#, range("2024-01-15", "2024-03-10")),
        "pv: 1 1 1 = 3",
    );
    // Hours on New York's spring-forward night: 01:30 EST, then 03:30 EDT; there is no 02:00.
    check(
        "u0 03-10T06:30; u0 03-10T07:30; u1 03-10T07:45",
        &format!(
            r#"{{{},"grain":"hour","measures":["pv"],"tz":"America/New_York"}}"#,
            range("2024-03-10", "2024-03-10")
        ),
        "pv: 0 1 0 2 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 = 3",
    );
}

/// Platforms by events on 03-01: ios 3, android 2, then tv, web and null 1 each.
const PLATFORMS: &str = "u0 03-01 e ios; u0 03-01 e ios; u1 03-01 e ios; u1 03-01 e android; u2 03-01 e android; \
                         u3 03-01 e web; u3 03-01 e tv; u4 03-01 e; u5 03-02 e ios";

#[test]
fn breakdowns_keep_the_top_values_and_fold_the_rest() {
    let day = range("2024-03-01", "2024-03-01");
    // Other's UV counts u3 once although it used two of the other platforms.
    check(
        PLATFORMS,
        &format!(r#"{{{day},"breakdown":{{"column":"platform","top":2}}}}"#),
        "pv[ios]: 3 = 3 | pv[android]: 2 = 2 | pv[other]: 3 = 3 | uv[ios]: 2 = 2 | uv[android]: 2 = 2 | uv[other]: 2 = 2",
    );
    // Ties go by value, null last.
    check(
        PLATFORMS,
        &format!(r#"{{{day},"breakdown":{{"column":"platform","top":3}},"measures":["pv"]}}"#),
        "pv[ios]: 3 = 3 | pv[android]: 2 = 2 | pv[tv]: 1 = 1 | pv[other]: 2 = 2",
    );
    // No other when every value is kept; null is a value.
    check(
        PLATFORMS,
        &format!(r#"{{{day},"breakdown":{{"column":"platform","top":5}},"measures":["uv"]}}"#),
        "uv[ios]: 2 = 2 | uv[android]: 2 = 2 | uv[tv]: 1 = 1 | uv[web]: 1 = 1 | uv[null]: 1 = 1",
    );
    check(
        "u0 03-01; u1 03-01; u2 03-01 e ios",
        &format!(r#"{{{day},"breakdown":{{"column":"platform","top":1}},"measures":["pv"]}}"#),
        "pv[null]: 2 = 2 | pv[other]: 1 = 1",
    );
}

#[test]
fn several_events_are_several_series() {
    check(
        "u0 03-01 a; u0 03-01 b; u1 03-02 b; u1 03-02 b ios",
        &format!(
            r#"{{{},"events":[{{"event":"a"}},{{"event":"b"}},{{"event":"b","filters":[{{"column":"platform","op":"is_null"}}]}}],"measures":["pv","uv"]}}"#,
            range("2024-03-01", "2024-03-02")
        ),
        "e0.pv: 1 0 = 1 | e0.uv: 1 0 = 1 | e1.pv: 1 2 = 3 | e1.uv: 1 1 = 2 | e2.pv: 1 1 = 2 | e2.uv: 1 1 = 2",
    );
}

#[test]
fn active_entities_over_trailing_windows() {
    // u1 (03-02) is in the 7 days ending 03-08 only; u3 (02-10) in every 30 days ending 03-08..10.
    check(
        "u0 03-01; u1 03-02; u2 03-08; u2 03-10; u3 02-10; u4 02-07",
        &format!(r#"{{{},"measures":["dau","wau","mau"]}}"#, range("2024-03-08", "2024-03-10")),
        "dau: 1 0 1 = 0.67 | wau: 2 1 1 = 1.33 | mau: 4 4 4 = 4",
    );
    // Per breakdown group: u0 is active in both, its ios day before the range counts for ios.
    check(
        "u0 03-07 e ios; u0 03-08 e web; u1 03-08 e web; u0 03-09 e ios",
        &format!(r#"{{{},"measures":["wau"],"breakdown":{{"column":"platform"}}}}"#, range("2024-03-08", "2024-03-09")),
        "wau[web]: 2 2 = 2 | wau[ios]: 1 1 = 1",
    );
}

#[test]
fn comparisons_shift_the_earlier_days_onto_the_range() {
    check(
        "u0 03-08; u1 03-08; u0 03-09; u0 03-06; u0 03-05",
        &format!(r#"{{{},"measures":["pv"],"compare":["previous_period"]}}"#, range("2024-03-08", "2024-03-09")),
        "pv: 2 1 = 3 | pv@pp: 1 0 = 1 | pv@pp%: 100% - = 200%",
    );
    // A year before 2025-02-27..03-01 is 2024-02-27..03-01: 29 February lands on the 28th.
    check(
        "u0 2024-02-27; u0 2024-02-28; u0 2024-02-29; u0 2024-03-01; u0 2025-02-28",
        &format!(r#"{{{},"measures":["pv"],"compare":["previous_year"]}}"#, range("2025-02-27", "2025-03-01")),
        "pv: 0 1 0 = 1 | pv@py: 1 2 1 = 4 | pv@py%: -100% -50% -100% = -75%",
    );
    // A year before a leap year's 29 February there is none: its comparison is 0.
    check(
        "u0 2023-02-28; u0 2023-03-01; u0 2024-02-29",
        &format!(r#"{{{},"measures":["pv"],"compare":["previous_year"]}}"#, range("2024-02-28", "2024-03-01")),
        "pv: 0 1 0 = 1 | pv@py: 1 0 1 = 2 | pv@py%: -100% - -100% = -50%",
    );
    // UV of the previous period counts its own distinct entities; MAU compares with its lead-in.
    check(
        "u0 03-03; u1 03-04; u0 03-05; u0 02-20",
        &format!(r#"{{{},"measures":["uv","mau"],"compare":["previous_period"]}}"#, range("2024-03-05", "2024-03-06")),
        "uv: 1 0 = 1 | uv@pp: 1 1 = 2 | uv@pp%: 0% -100% = -50% | mau: 2 2 = 2 | mau@pp: 1 2 = 1.5 | mau@pp%: 100% 0% = 33.3%",
    );
}

#[test]
fn buckets_cut_by_the_range_or_not_over_are_partial() {
    check_buckets(
        &format!(r#"{{{},"grain":"week","now":"03-12T10:00"}}"#, range("2024-03-06", "2024-03-12")),
        "03-04* 03-11*",
    );
    check_buckets(&format!(r#"{{{},"grain":"week"}}"#, range("2024-03-04", "2024-03-17")), "03-04 03-11");
    check_buckets(&format!(r#"{{{},"now":"03-11T10:00"}}"#, range("2024-03-10", "2024-03-12")), "03-10 03-11* 03-12*");
    check_buckets(
        &format!(r#"{{{},"grain":"hour","now":"03-10T02:30"}}"#, range("2024-03-10", "2024-03-10")),
        "03-10T00 03-10T01 03-10T02* 03-10T03* 03-10T04* 03-10T05* 03-10T06* 03-10T07* 03-10T08* 03-10T09* 03-10T10* \
         03-10T11* 03-10T12* 03-10T13* 03-10T14* 03-10T15* 03-10T16* 03-10T17* 03-10T18* 03-10T19* 03-10T20* 03-10T21* \
         03-10T22* 03-10T23*",
    );
}

#[test]
fn the_tidy_table_has_a_row_per_point_and_total() {
    let (result, table) = run(
        PLATFORMS,
        &format!(
            r#"{{{},"breakdown":{{"column":"platform","top":1}},"compare":["previous_year"]}}"#,
            range("2024-03-01", "2024-03-02")
        ),
    )
    .unwrap();
    let names: Vec<&str> = table.schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names[..6], ["event", "measure", "group", "other", "bucket", "value"]);
    assert_eq!(names.len(), 12);
    // 2 measures × (ios, other) × (2 days + total).
    assert_eq!((result.series.len(), table.rows()), (4, 12));
}

#[track_caller]
fn check_refusal(spec: &str, field: &str) {
    match run(PLATFORMS, spec) {
        Err(quiver_analysis::AnalysisError::Spec(e)) => assert_eq!(e.field, field, "{spec}: {e}"),
        Err(other) => panic!("{spec}: not a spec error: {other}"),
        Ok(_) => panic!("{spec}: accepted"),
    }
}

#[test]
fn refusals_name_the_field() {
    check_refusal(r#"{"source":{"table":"orders"}}"#, "source.table");
    check_refusal(r#"{"source":{"event":"kind"}}"#, "source.event");
    check_refusal(r#"{"events":[]}"#, "events");
    check_refusal(r#"{"events":[{},{},{},{},{},{},{},{},{}]}"#, "events");
    check_refusal(r#"{"events":[{},{"filters":[{"column":"nope","op":"is_null"}]}]}"#, "events[1].filters[0].column");
    check_refusal(r#"{"filters":[{"column":"platform","op":"range","min":"a"}]}"#, "filters[0].op");
    check_refusal(r#"{"measures":[]}"#, "measures");
    check_refusal(r#"{"measures":["pv","uv","pv"]}"#, "measures[2]");
    check_refusal(r#"{"measures":["mau"],"grain":"week"}"#, "grain");
    check_refusal(r#"{"compare":["previous_year","previous_year"]}"#, "compare[1]");
    check_refusal(r#"{"breakdown":{"column":"country"}}"#, "breakdown.column");
    check_refusal(r#"{"breakdown":{"column":"platform","top":0}}"#, "breakdown.top");
    check_refusal(r#"{"grain":"hour","date_range":{"kind":"last","days":400}}"#, "grain");
    check_refusal(r#"{"date_range":{"kind":"last","days":0}}"#, "date_range.days");
    check_refusal(r#"{"measures":["pageviews"]}"#, "measures[0]");
}
