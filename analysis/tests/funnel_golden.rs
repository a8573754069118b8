//! The funnel's golden cases (`SEMANTICS.md`) and its result: levels and reported chains through
//! the pure matcher and through the whole path (an `events` table in an engine, `window_funnel`,
//! the planned SQL, the result); conversions, drop-off, times, breakdowns, exclusions, date
//! ranges, the lead funnel's shape and refusals. Runs natively and in the browser.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use chrono::NaiveDate;
use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use quiver_analysis::funnel::{FunnelEvent, MatchRules, match_entity};
use quiver_engine::Engine;
use quiver_shared::analysis::funnel::{
    Attribution, FunnelBreakdown, FunnelMode, FunnelResult, FunnelSpec, FunnelStep, TimeToConvertBin,
};
use quiver_shared::analysis::{AnalysisContext, EventSource};
use quiver_shared::catalog::{ColumnInfo, ColumnRole, TableInfo};
use quiver_shared::pivot::{DateRange, DateSpan, Filter, FilterOp};
use std::sync::Arc;

/// 2024-03-08T00:00:00Z, in microseconds: event times in the cases are seconds after it.
const T0: i64 = 1_709_856_000_000_000;
const SEC: i64 = 1_000_000;
const DAY: i64 = 86_400 * SEC;

/// One row of the test `events` table.
#[derive(Clone, Debug)]
struct Row {
    user: String,
    /// Seconds after [`T0`].
    secs: i64,
    name: String,
    country: Option<String>,
}

/// Events of one user `u`, written `t:name` or `t:name|country`, in arrival order.
fn rows_of(user: &str, events: &str) -> Vec<Row> {
    events
        .split_whitespace()
        .map(|token| {
            let (secs, rest) = token.split_once(':').expect("t:name");
            let (name, country) = match rest.split_once('|') {
                Some((name, country)) => (name, Some(country.to_owned())),
                None => (rest, None),
            };
            Row { user: user.to_owned(), secs: secs.parse().expect("seconds"), name: name.to_owned(), country }
        })
        .collect()
}

/// Many users' events: `user: events; user: events`.
fn users(text: &str) -> Vec<Row> {
    text.split(';')
        .flat_map(|part| {
            let (user, events) = part.split_once(':').expect("user: events");
            rows_of(user.trim(), events)
        })
        .collect()
}

fn column(name: &str, data_type: &DataType, role: ColumnRole) -> ColumnInfo {
    ColumnInfo { name: name.to_owned(), data_type: data_type.to_string(), nullable: true, role }
}

fn ts_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// An engine holding `rows` as `events`, with the funnel installed, and its catalogue entry.
fn engine(rows: &[Row]) -> (Engine, Vec<TableInfo>) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("ts", ts_type(), false),
        Field::new("user_id", DataType::Utf8, false),
        Field::new("event_name", DataType::Utf8, false),
        Field::new("country", DataType::Utf8, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(
            TimestampMicrosecondArray::from_iter_values(rows.iter().map(|r| T0 + r.secs * SEC)).with_timezone("UTC"),
        ),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.user.as_str()))),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.name.as_str()))),
        Arc::new(StringArray::from_iter(rows.iter().map(|r| r.country.as_deref()))),
    ];
    let engine = Engine::new().unwrap();
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    engine.register("events", schema, vec![batch]).unwrap();
    quiver_analysis::install(&engine);
    let table = TableInfo {
        name: "events".to_owned(),
        columns: vec![
            column("ts", &ts_type(), ColumnRole::Time),
            column("user_id", &DataType::Utf8, ColumnRole::Key),
            column("event_name", &DataType::Utf8, ColumnRole::Dimension),
            column("country", &DataType::Utf8, ColumnRole::Dimension),
        ],
        partition_keys: vec![],
        rows: rows.len() as u64,
        bytes: 0,
        date_range: None,
    };
    (engine, vec![table])
}

fn ctx(tables: &[TableInfo]) -> AnalysisContext<'_> {
    AnalysisContext {
        tables,
        time_zone: "UTC",
        today: NaiveDate::from_ymd_opt(2024, 3, 20).unwrap(),
        now_micros: T0 + 12 * DAY,
    }
}

fn run(rows: &[Row], spec: &FunnelSpec) -> FunnelResult {
    let (engine, tables) = engine(rows);
    quiver_analysis::funnel::run(&engine, spec, ctx(&tables)).unwrap_or_else(|e| panic!("{e}: {spec:?}")).0
}

fn country_is(value: &str) -> Filter {
    Filter { column: "country".to_owned(), op: FilterOp::In { values: vec![Some(value.to_owned())] } }
}

/// A step written `name`, `*` (any event), `name|country` or `*|country`.
fn step(text: &str) -> FunnelStep {
    let (name, country) = match text.split_once('|') {
        Some((name, country)) => (name, Some(country)),
        None => (text, None),
    };
    FunnelStep {
        event: (name != "*").then(|| name.to_owned()),
        filters: country.map(country_is).into_iter().collect(),
        label: None,
    }
}

/// A spec from `steps` (comma-separated [`step`]s), a window, and options: the mode
/// (`ordered`, `strict`, `any_order`), `+dedup`, `+increase`, `!x` (exclusion of event x).
fn spec(steps: &str, window_secs: u64, options: &str) -> FunnelSpec {
    let mut spec = FunnelSpec { steps: steps.split(',').map(step).collect(), window_secs, ..FunnelSpec::default() };
    for word in options.split(['+', ' ']).filter(|w| !w.is_empty()) {
        match word {
            "ordered" => spec.mode = FunnelMode::Ordered,
            "strict" => spec.mode = FunnelMode::Strict,
            "any_order" => spec.mode = FunnelMode::AnyOrder,
            "dedup" => spec.dedup = true,
            "increase" => spec.increase = true,
            excluded if excluded.starts_with('!') => spec.exclusions.push(step(&excluded[1..])),
            other => panic!("unknown option {other}"),
        }
    }
    spec
}

/// What the matcher sees of `row` under `spec`.
fn matcher_event(spec: &FunnelSpec, row: &Row) -> FunnelEvent {
    let matches = |s: &FunnelStep| {
        s.event.as_ref().is_none_or(|e| *e == row.name)
            && s.filters.iter().all(|f| match &f.op {
                FilterOp::In { values } => values.contains(&row.country),
                _ => unreachable!("the cases filter with `in`"),
            })
    };
    let steps = spec.steps.iter().enumerate().filter(|(_, s)| matches(s)).fold(0, |m, (k, _)| m | 1 << k);
    FunnelEvent { excluded: spec.exclusions.iter().any(matches), ..FunnelEvent::new(row.secs, steps) }
}

/// Checks one user's reported chain (its step times in seconds, as many as its level) through
/// the matcher and through the whole path, where the chain shows as the step counts (1 up to
/// the level) and the step-to-step times (for one user, the median is that user's time).
#[track_caller]
fn check(events: &str, steps: &str, window_secs: u64, options: &str, chain: &str) {
    let rows = rows_of("u", events);
    let spec = spec(steps, window_secs, options);
    let expected: Vec<i64> = chain.split_whitespace().map(|t| t.parse().unwrap()).collect();
    let case = format!("{events} | {steps} | {window_secs} | {options}");

    let matcher: Vec<FunnelEvent> = rows.iter().map(|r| matcher_event(&spec, r)).collect();
    let rules = MatchRules {
        steps: spec.steps.len(),
        window: window_secs as i64,
        mode: spec.mode,
        dedup: spec.dedup,
        increase: spec.increase,
    };
    let found = match_entity(&matcher, &rules);
    let times: Vec<i64> = found.events.iter().map(|&i| matcher[i].ts).collect();
    assert_eq!((found.level, times), (expected.len(), expected.clone()), "matcher: {case}");

    let result = run(&rows, &spec);
    let reached: Vec<u64> = result.steps.iter().map(|s| s.entities).collect();
    let mut expected_reached = vec![0; spec.steps.len()];
    expected_reached[..expected.len()].fill(1);
    assert_eq!(reached, expected_reached, "entities per step: {case}");
    let gaps: Vec<Option<f64>> = result.steps.iter().skip(1).map(|s| s.median_secs_from_previous).collect();
    let expected_gaps: Vec<Option<f64>> =
        (1..spec.steps.len()).map(|k| expected.get(k).map(|t| (t - expected[k - 1]) as f64)).collect();
    assert_eq!(gaps, expected_gaps, "step times: {case}");
}

#[test]
fn golden_cases() {
    check("0:login 60:visit 180:order 540:payment", "login,visit,order,payment", 300, "ordered", "0 60 180");
    check(
        "0:e1000 1:e1001 2:e1002 3:e1003 4:e1004 5:e1005 6:e1006 7:e1007 8:e1008",
        "e1003,e1004,e1005,e1006,e1007",
        2,
        "ordered",
        "3 4 5",
    );
    check("0:x|de", "*|de,x|de,*|de", 100, "ordered", "0");
    check("0:a 1:d 2:b 3:c", "a,b,c", 100, "ordered", "0 2 3");
    check("0:a 1:d 2:b 3:c", "a,b,c", 100, "strict", "0");
    check("0:login 1:visit 2:login 3:order 4:payment", "login,visit,order,payment", 100, "ordered+dedup", "0 1");
    check("0:login 1:visit 2:order 2:payment", "login,visit,order,payment", 100, "ordered+increase", "0 1 2");
    check("0:a 1:b 3:x 5:c", "a,b,c", 100, "ordered !x", "0 1");
    check("0:a 50:a 120:b", "a,b", 100, "ordered", "50 120");
}

#[test]
fn ordered_matching() {
    // The window's end is inclusive, and measured from the chain's first step.
    check("0:a 100:b", "a,b", 100, "ordered", "0 100");
    check("0:a 101:b", "a,b", 100, "ordered", "0");
    check("0:a 60:b 120:c", "a,b,c", 100, "ordered", "0 60");
    // Steps at the same instant count, in arrival order.
    check("0:a 0:b", "a,b", 100, "ordered", "0 0");
    check("0:b 0:a", "a,b", 100, "ordered", "0");
    // No first step, no chain.
    check("0:b 1:c", "a,b,c", 100, "ordered", "");
    check("", "a", 100, "ordered", "");
    // The earliest chain of the best level is reported, not a later one of the same level.
    check("0:a 10:b 20:a 21:b", "a,b", 100, "ordered", "0 10");
    // Any event fills a step written `*`.
    check("0:a 5:zzz", "a,*", 100, "ordered", "0 5");
    // A repeated step without dedup is just another event.
    check("0:a 1:a 2:b", "a,b", 100, "ordered", "0 2");
    check("0:a 1:a 2:b", "a,b", 100, "ordered+dedup", "1 2");
    // increase skips a same-instant event and takes a later one.
    check("0:a 0:b 3:b", "a,b", 100, "ordered+increase", "0 3");
    // An exclusion stops the chain only before its next step, inside the window.
    check("0:a 1:b 2:c 3:x", "a,b,c", 100, "ordered !x", "0 1 2");
    check("0:a 1:x 2:b 10:a 11:b", "a,b", 100, "ordered !x", "10 11");
    check("0:a 1:x|de 2:b", "a,b", 100, "ordered !x|fr", "0 2");
    // An event that fills the next step is that step, even if it also matches an exclusion.
    check("0:a 1:b|de", "a,b", 100, "ordered !*|de", "0 1");
}

#[test]
fn strict_matching() {
    check("0:a 1:b 2:c", "a,b,c", 100, "strict", "0 1 2");
    check("0:a 1:a 2:b", "a,b", 100, "strict", "1 2");
    check("0:a 1:b 2:z 3:c", "a,b,c", 100, "strict", "0 1");
    check("0:a 0:b 0:c", "a,b,c", 100, "strict+increase", "0");
}

#[test]
fn any_order_matching() {
    check("0:c 1:b 2:a", "a,b,c", 100, "any_order", "0 1 2");
    check("0:c 50:b 200:a", "a,b,c", 100, "any_order", "0 50");
    check("0:b 0:b 1:b", "a,b,c", 100, "any_order", "0");
    // One event fills one step, even when it matches several.
    check("0:x|de", "*|de,x", 100, "any_order", "0");
    // The second event can only be step 1, so the first moves to step 2.
    check("0:a|de 1:a", "a,*|de", 100, "any_order", "0 1");
    check("0:a 0:b", "a,b", 100, "any_order+increase", "0");
    check("0:a 1:a 2:b", "a,b", 100, "any_order+dedup", "1 2");
    check("0:a 1:x 2:b", "a,b", 100, "any_order !x", "0");
    check("0:a 1:x 2:b 3:a", "a,b", 100, "any_order !x", "2 3");
}

/// A funnel of users' events, run through the whole path.
fn funnel(events: &str, spec: &FunnelSpec) -> FunnelResult {
    run(&users(events), spec)
}

#[test]
fn conversion_and_drop_off() {
    let r = funnel("a: 0:a 1:b 2:c; b: 0:a 1:b; c: 0:a; d: 0:a; e: 0:b 1:c", &spec("a,b,c", 100, ""));
    let counts: Vec<u64> = r.steps.iter().map(|s| s.entities).collect();
    assert_eq!(counts, [4, 2, 1]);
    let overall: Vec<Option<f64>> = r.steps.iter().map(|s| s.conversion_overall).collect();
    assert_eq!(overall, [Some(1.0), Some(0.5), Some(0.25)]);
    let step: Vec<Option<f64>> = r.steps.iter().map(|s| s.conversion_step).collect();
    assert_eq!(step, [Some(1.0), Some(0.5), Some(0.5)]);
    let drop: Vec<u64> = r.steps.iter().map(|s| s.drop_off).collect();
    assert_eq!(drop, [0, 2, 1]);
    let labels: Vec<&str> = r.steps.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["a", "b", "c"]);

    let nobody = funnel("a: 0:z", &spec("a,b", 100, ""));
    assert_eq!(nobody.steps[0].entities, 0);
    assert_eq!(nobody.steps[1].conversion_overall, None);
    assert_eq!(nobody.steps[1].conversion_step, None);
    assert_eq!(nobody.time_to_convert, []);
}

#[test]
fn median_and_p95_times_between_steps() {
    // Twenty users take 1, 2, … 20 seconds from a to b.
    let events: Vec<String> = (1..=20).map(|i| format!("u{i}: 0:a {i}:b")).collect();
    let r = funnel(&events.join(";"), &spec("a,b", 100, ""));
    assert_eq!(r.steps[0].median_secs_from_previous, None);
    assert_eq!(r.steps[1].median_secs_from_previous, Some(10.5));
    // Linear interpolation: rank 0.95 × 19 = 18.05 between 19 and 20.
    let p95 = r.steps[1].p95_secs_from_previous.unwrap();
    assert!((p95 - 19.05).abs() < 1e-9, "{p95}");
}

#[test]
fn time_to_convert_histogram() {
    let r = funnel("a: 0:a 3:b; b: 0:a 4:b; c: 0:a 40:b; d: 0:a 7000:b; e: 0:a", &spec("a,b", 86_400, ""));
    let bin = |from_secs, to_secs, entities| TimeToConvertBin { from_secs, to_secs, entities };
    assert_eq!(
        r.time_to_convert,
        [
            bin(1, 5, 2),
            bin(5, 10, 0),
            bin(10, 30, 0),
            bin(30, 60, 1),
            bin(60, 120, 0),
            bin(120, 300, 0),
            bin(300, 600, 0),
            bin(600, 900, 0),
            bin(900, 1800, 0),
            bin(1800, 3600, 0),
            bin(3600, 7200, 1),
        ]
    );
    // The last bin ends at the window.
    let r = funnel("a: 0:a 100:b", &spec("a,b", 100, ""));
    assert_eq!(r.time_to_convert, [bin(60, 100, 1)]);
}

fn breakdown(attribution: Attribution, top_n: u32) -> Option<FunnelBreakdown> {
    Some(FunnelBreakdown { column: "country".to_owned(), attribution, top_n })
}

/// Each group's (value, other, entities per step).
fn groups(r: &FunnelResult) -> Vec<(Option<&str>, bool, Vec<u64>)> {
    r.breakdown.iter().map(|g| (g.value.as_deref(), g.other, g.steps.iter().map(|s| s.entities).collect())).collect()
}

#[test]
fn breakdown_attribution() {
    let events = "a: 0:a|de 1:b|fr 2:c|it; b: 0:a|de 1:b|fr; c: 0:a|fr; d: 0:a";
    let with = |attribution| FunnelSpec { breakdown: breakdown(attribution, 10), ..spec("a,b,c", 100, "") };
    assert_eq!(
        groups(&funnel(events, &with(Attribution::FirstTouch))),
        [(Some("de"), false, vec![2, 2, 1]), (Some("fr"), false, vec![1, 0, 0]), (None, false, vec![1, 0, 0])]
    );
    // Last touch: a ends at c (it), b at b (fr), c at a (fr).
    assert_eq!(
        groups(&funnel(events, &with(Attribution::LastTouch))),
        [(Some("fr"), false, vec![2, 1, 0]), (Some("it"), false, vec![1, 1, 1]), (None, false, vec![1, 0, 0])]
    );
    // By step 2's value: entities that never reached step 2 have none.
    assert_eq!(
        groups(&funnel(events, &with(Attribution::Step(2)))),
        [(Some("fr"), false, vec![2, 2, 1]), (None, false, vec![2, 0, 0])]
    );
    // The totals do not depend on the breakdown.
    let total: Vec<u64> = funnel(events, &with(Attribution::LastTouch)).steps.iter().map(|s| s.entities).collect();
    assert_eq!(total, [4, 2, 1]);
}

#[test]
fn breakdown_keeps_the_top_values_and_folds_the_rest() {
    let events = "a: 0:a|de 1:b; b: 0:a|de; c: 0:a|fr 1:b; d: 0:a|it; e: 0:a|es 5:b";
    let r = funnel(events, &FunnelSpec { breakdown: breakdown(Attribution::FirstTouch, 1), ..spec("a,b", 100, "") });
    assert_eq!(groups(&r), [(Some("de"), false, vec![2, 1]), (None, true, vec![3, 2])]);
    // The other group's times are its own entities', not an average of values.
    assert_eq!(r.breakdown[1].steps[1].median_secs_from_previous, Some(3.0));
}

/// Checks the entities per step of funnel `a,b` with a 3-hour window over `events` when chains
/// must start within `span`, in the tenant zone `zone` (today is 2024-03-20 there).
#[track_caller]
fn check_range(events: &str, zone: &str, span: DateSpan, expected: [u64; 2]) {
    let (engine, tables) = engine(&users(events));
    let range = DateRange { column: "ts".to_owned(), span: span.clone() };
    let spec = FunnelSpec { date_range: Some(range), ..spec("a,b", 3 * 3600, "") };
    let r =
        quiver_analysis::funnel::run(&engine, &spec, AnalysisContext { time_zone: zone, ..ctx(&tables) }).unwrap().0;
    let counts: Vec<u64> = r.steps.iter().map(|s| s.entities).collect();
    assert_eq!(counts, expected, "{events} in {zone}");
    assert_eq!(r.days, Some(span.resolve(NaiveDate::from_ymd_opt(2024, 3, 20).unwrap())));
}

#[test]
fn date_range_picks_where_chains_start() {
    let ninth = NaiveDate::from_ymd_opt(2024, 3, 9).unwrap();
    let the_ninth = DateSpan::Between { from: ninth, to: ninth };
    // Second 0 is 2024-03-08T00:00Z. b, c and d start on the 9th (d finishes on the 10th, c just
    // inside the window); a starts on the 8th, e on the 10th.
    let events =
        "a: 86000:a 86500:b; b: 172000:a 173000:b; c: 86400:a 97200:b; d: 172799:a 172900:b; e: 172800:a 172801:b";
    check_range(events, "UTC", the_ninth.clone(), [3, 3]);
    // The tenant's 9th in Shanghai (UTC+8) runs from 16:00Z on the 8th to 16:00Z on the 9th.
    let events = "a: 57599:a 57600:b; b: 57600:a 57601:b; c: 143999:a 150000:b; d: 144000:a 144001:b";
    check_range(events, "Asia/Shanghai", the_ninth, [2, 2]);
    // Santiago skips from 24:00 on 7 September 2024 to 01:00: its 8th runs from 04:00Z on the
    // 8th (second 15,912,000) to 03:00Z on the 9th (second 15,994,800).
    let eighth = NaiveDate::from_ymd_opt(2024, 9, 8).unwrap();
    let events =
        "a: 15911999:a 15912000:b; b: 15912000:a 15912001:b; c: 15994799:a 15994800:b; d: 15994800:a 15994801:b";
    check_range(events, "America/Santiago", DateSpan::Between { from: eighth, to: eighth }, [2, 2]);
    // The last 12 days up to today (the 20th) start on the 9th.
    check_range("a: 86399:a 86400:b; b: 86400:a 86401:b", "UTC", DateSpan::Last { days: 12 }, [1, 1]);
}

#[test]
fn global_filters_hide_events() {
    let spec = FunnelSpec { filters: vec![country_is("de")], ..spec("a,b", 100, "") };
    let r = funnel("a: 0:a|de 1:b|de; b: 0:a|de 1:b|fr; c: 0:a|fr 1:b|de", &spec);
    let counts: Vec<u64> = r.steps.iter().map(|s| s.entities).collect();
    assert_eq!(counts, [2, 1]);
}

#[test]
fn strict_mode_sees_every_event_that_passes_the_filters() {
    // The `z` in between breaks a's chain; b's `z` is filtered out, so it does not.
    let strict = spec("a,b", 100, "strict");
    let r = funnel(
        "a: 0:a|de 1:z|de 2:b|de; b: 0:a|de 1:z|fr 2:b|de",
        &FunnelSpec { filters: vec![country_is("de")], ..strict },
    );
    let counts: Vec<u64> = r.steps.iter().map(|s| s.entities).collect();
    assert_eq!(counts, [2, 1]);
}

#[test]
fn the_tidy_table_has_a_row_per_group_and_step() {
    let events = "a: 0:a|de 1:b; b: 0:a|fr";
    let (engine, tables) = engine(&users(events));
    let spec = FunnelSpec { breakdown: breakdown(Attribution::FirstTouch, 10), ..spec("a,b", 100, "") };
    let (_, table) = quiver_analysis::funnel::run(&engine, &spec, ctx(&tables)).unwrap();
    let grid = table.to_grid(100);
    let names: Vec<&str> = table.schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names,
        [
            "group",
            "value",
            "step",
            "label",
            "entities",
            "conversion_overall",
            "conversion_step",
            "drop_off",
            "median_secs_from_previous",
            "p95_secs_from_previous"
        ]
    );
    assert_eq!(table.rows(), 6);
    let entities = table.batches[0].column(4).as_any().downcast_ref::<Int64Array>().unwrap();
    assert_eq!(entities.values().to_vec(), [2, 1, 1, 1, 1, 0]);
    assert_eq!(grid.rows.len(), 6);
}

/// The lead funnel's shape: leads as entities, steps defined by filters alone, years of window.
#[test]
fn a_lead_funnel_of_filter_only_steps() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("lead_id", DataType::Int64, false),
        Field::new("ts", ts_type(), false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("outcome", DataType::Utf8, true),
    ]));
    // Lead 1: created, call not connected, then a visit a year later that connects. Lead 2:
    // created, a system event only. Lead 3: created, email connected at once.
    let rows: [(i64, i64, &str, Option<&str>); 7] = [
        (1, 0, "created", None),
        (1, DAY, "call", Some("not_connected")),
        (1, 400 * DAY, "visit", Some("connected")),
        (2, 0, "created", None),
        (2, DAY, "system", None),
        (3, 0, "created", None),
        (3, 0, "email", Some("connected")),
    ];
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.0))),
        Arc::new(TimestampMicrosecondArray::from_iter_values(rows.iter().map(|r| T0 + r.1)).with_timezone("UTC")),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.2))),
        Arc::new(StringArray::from_iter(rows.iter().map(|r| r.3))),
    ];
    let engine = Engine::new().unwrap();
    engine.register("lead_events", schema.clone(), vec![RecordBatch::try_new(schema, columns).unwrap()]).unwrap();
    quiver_analysis::install(&engine);
    let tables = vec![TableInfo {
        name: "lead_events".to_owned(),
        columns: vec![
            column("lead_id", &DataType::Int64, ColumnRole::Key),
            column("ts", &ts_type(), ColumnRole::Time),
            column("kind", &DataType::Utf8, ColumnRole::Dimension),
            column("outcome", &DataType::Utf8, ColumnRole::Dimension),
        ],
        partition_keys: vec![],
        rows: 7,
        bytes: 0,
        date_range: None,
    }];
    let touch = || Filter {
        column: "kind".to_owned(),
        op: FilterOp::In { values: ["call", "im_message", "email", "visit"].map(|k| Some(k.to_owned())).to_vec() },
    };
    let connected =
        Filter { column: "outcome".to_owned(), op: FilterOp::In { values: vec![Some("connected".to_owned())] } };
    let spec = FunnelSpec {
        source: EventSource {
            table: "lead_events".to_owned(),
            entity: "lead_id".to_owned(),
            event: "kind".to_owned(),
            time: "ts".to_owned(),
        },
        steps: vec![
            FunnelStep::event("created"),
            FunnelStep { filters: vec![touch()], label: Some("first touch".to_owned()), event: None },
            FunnelStep { filters: vec![touch(), connected], label: Some("contacted".to_owned()), event: None },
        ],
        window_secs: 10 * 365 * 86_400,
        ..FunnelSpec::default()
    };
    let r = quiver_analysis::funnel::run(&engine, &spec, ctx(&tables)).unwrap().0;
    let counts: Vec<(&str, u64)> = r.steps.iter().map(|s| (s.label.as_str(), s.entities)).collect();
    // Lead 3's email is its first touch, and the same event cannot also be its contact.
    assert_eq!(counts, [("created", 3), ("first touch", 2), ("contacted", 1)]);
    // Lead 1 took 399 days from its first touch to its contact: years of window are fine.
    assert_eq!(r.steps[2].median_secs_from_previous, Some(399.0 * 86_400.0));
}

/// Checks that `spec` is refused with the error at `field`.
#[track_caller]
fn check_refused(spec: FunnelSpec, field: &str) {
    let (engine, tables) = engine(&rows_of("u", "0:a"));
    match quiver_analysis::funnel::run(&engine, &spec, ctx(&tables)) {
        Err(quiver_analysis::AnalysisError::Spec(e)) => assert_eq!(e.field, field, "{e}"),
        other => panic!("expected a refusal at {field}, got {other:?}"),
    }
}

#[test]
fn refusals_name_the_field() {
    let ab = || spec("a,b", 100, "");
    check_refused(FunnelSpec { steps: vec![], ..ab() }, "steps");
    check_refused(FunnelSpec { window_secs: 0, ..ab() }, "window_secs");
    check_refused(spec(&["a"; 33].join(","), 100, ""), "steps");
    check_refused(
        FunnelSpec { source: EventSource { table: "nope".into(), ..EventSource::default() }, ..ab() },
        "source.table",
    );
    check_refused(
        FunnelSpec { source: EventSource { entity: "nope".into(), ..EventSource::default() }, ..ab() },
        "source.entity",
    );
    check_refused(
        FunnelSpec { source: EventSource { time: "country".into(), ..EventSource::default() }, ..ab() },
        "source.time",
    );
    check_refused(
        FunnelSpec { source: EventSource { event: "ts".into(), ..EventSource::default() }, ..ab() },
        "source.event",
    );
    let mut bad_filter = ab();
    bad_filter.steps[1].filters.push(Filter { column: "nope".into(), op: FilterOp::IsNull });
    check_refused(bad_filter, "steps[1].filters[0].column");
    let mut bad_value = ab();
    bad_value.filters.push(Filter { column: "ts".into(), op: FilterOp::Range { min: Some("soon".into()), max: None } });
    check_refused(bad_value, "filters[0].min");
    check_refused(FunnelSpec { exclusions: vec![FunnelStep::default()], ..ab() }, "exclusions[0]");
    let soon = Filter { column: "ts".into(), op: FilterOp::In { values: vec![Some("soon".into())] } };
    let bad_exclusion = FunnelStep { filters: vec![soon], ..FunnelStep::event("x") };
    check_refused(
        FunnelSpec { exclusions: vec![step("*|de"), bad_exclusion], ..ab() },
        "exclusions[1].filters[0].values[0]",
    );
    let mut empty_name = ab();
    empty_name.steps[0].event = Some(String::new());
    check_refused(empty_name, "steps[0].event");
    check_refused(FunnelSpec { breakdown: Some(FunnelBreakdown::by("nope")), ..ab() }, "breakdown.column");
    check_refused(FunnelSpec { breakdown: Some(FunnelBreakdown::by("ts")), ..ab() }, "breakdown.column");
    check_refused(FunnelSpec { breakdown: breakdown(Attribution::Step(3), 10), ..ab() }, "breakdown.attribution.step");
    let range = |column: &str| Some(DateRange { column: column.to_owned(), span: DateSpan::Last { days: 7 } });
    check_refused(FunnelSpec { date_range: range("country"), ..ab() }, "date_range.column");
}

#[test]
fn names_are_quoted_not_pasted() {
    // A step name with a quote matches exactly that name and breaks nothing.
    let r = funnel("a: 0:it's 1:b", &spec("it's,b", 100, ""));
    let counts: Vec<u64> = r.steps.iter().map(|s| s.entities).collect();
    assert_eq!(counts, [1, 1]);
}
