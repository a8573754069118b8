//! The distribution and stickiness analyses' golden cases through the whole path (an `events`
//! table in an engine, `quiver_analysis::install`, `run`, the result): default and given
//! buckets, event selections and filters, the tenant's days, shares, the tidy tables, and
//! refusals naming the field. Runs natively and in the browser.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::{engine, rows, time};
use quiver_analysis::{AnalysisError, AnalysisOutput};
use quiver_shared::analysis::{AnalysisContext, AnalysisResult, AnalysisSpec};

/// Runs a spec given as JSON (with its `kind`) over `events`. Two keys of the JSON are not the
/// spec's: `tz`, the tenant's zone (UTC when left out), and `now`, a UTC time as in the events
/// (2024-03-31T12:00 when left out); today is now's UTC day.
fn run(events: &str, spec: &str) -> Result<AnalysisOutput, AnalysisError> {
    let mut json: serde_json::Value = serde_json::from_str(spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
    let object = json.as_object_mut().unwrap();
    let tz = object.remove("tz").map(|v| v.as_str().unwrap().to_owned()).unwrap_or_else(|| "UTC".to_owned());
    let now = object.remove("now").map_or_else(|| time("03-31T12:00"), |v| time(v.as_str().unwrap()));
    let spec = AnalysisSpec::from_json(&json.to_string())?;
    let (engine, tables) = engine(&rows(events));
    let ctx = AnalysisContext {
        tables: &tables,
        time_zone: &tz,
        today: now.date(),
        now_micros: now.and_utc().timestamp_micros(),
    };
    quiver_analysis::run(&engine, &spec, ctx)
}

fn number(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 { format!("{}", value.round()) } else { format!("{value:.2}") }
}

/// A result as the cases write it: `N entities, M events: label:entities …` for a distribution,
/// `N entities, mean D: days:entities …` for stickiness. Every share must be the entities over
/// the total, and every "at least" share the entities from there on over the total.
fn render(result: &AnalysisResult) -> String {
    let share = |part: u64, whole: u64| (whole > 0).then(|| part as f64 / whole as f64);
    match result {
        AnalysisResult::Distribution(d) => {
            let buckets: Vec<String> = d
                .buckets
                .iter()
                .map(|b| {
                    assert_eq!(b.share, share(b.entities, d.entities), "{b:?}");
                    format!("{}:{}", b.label, b.entities)
                })
                .collect();
            format!("{} entities, {} events: {}", d.entities, d.events, buckets.join(" "))
        }
        AnalysisResult::Stickiness(s) => {
            assert_eq!(s.buckets.len(), s.days as usize);
            let buckets: Vec<String> = s
                .buckets
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    assert_eq!(b.days as usize, i + 1);
                    assert_eq!(b.share, share(b.entities, s.entities), "{b:?}");
                    let from_here = s.buckets[i..].iter().map(|b| b.entities).sum();
                    assert_eq!(b.at_least_share, share(from_here, s.entities), "{b:?}");
                    format!("{}:{}", b.days, b.entities)
                })
                .collect();
            let mean = s.mean_days.map_or_else(|| "-".to_owned(), number);
            format!("{} entities, mean {mean}: {}", s.entities, buckets.join(" "))
        }
        other => panic!("not a distribution or stickiness: {other:?}"),
    }
}

#[track_caller]
fn check(events: &str, spec: &str, expected: &str) {
    let output = run(events, spec).unwrap_or_else(|e| panic!("{e}\n{spec}"));
    assert_eq!(render(&output.result), expected, "\nevents: {events}\nspec: {spec}");
}

fn distribution(extra: &str) -> String {
    format!(
        r#"{{"kind":"distribution","date_range":{{"kind":"between","from":"2024-03-01","to":"2024-03-02"}}{extra}}}"#
    )
}

fn stickiness(extra: &str) -> String {
    format!(r#"{{"kind":"stickiness","date_range":{{"kind":"between","from":"2024-03-01","to":"2024-03-03"}}{extra}}}"#)
}

#[test]
fn entities_by_how_many_times_they_did_the_event() {
    // u4's events are outside the range.
    let events = "u0 03-01; u1 03-01 *2; u2 03-02 *7; u3 03-01 *30; u3 03-02 *21; u4 02-29 *3; u4 03-03";
    check(events, &distribution(""), "4 entities, 61 events: 1:1 2:1 3:0 4:0 5:0 6-10:1 11-20:0 21-50:0 51+:1");
    check(events, &distribution(r#","bounds":[1,3,10]"#), "4 entities, 61 events: 1-2:2 3-9:1 10+:1");
    check(events, &distribution(r#","bounds":[1]"#), "4 entities, 61 events: 1+:4");
    check("", &distribution(""), "0 entities, 0 events: 1:0 2:0 3:0 4:0 5:0 6-10:0 11-20:0 21-50:0 51+:0");
}

#[test]
fn only_the_selected_events_count() {
    let events = "u0 03-01 order ios *2; u0 03-01 visit ios *5; u1 03-01 visit; u2 03-02 order web";
    check(events, &distribution(r#","event":{"event":"order"},"bounds":[1,2]"#), "2 entities, 3 events: 1:1 2+:1");
    check(
        events,
        &distribution(r#","event":{"filters":[{"column":"platform","op":"in","values":["ios"]}]},"bounds":[1,6]"#),
        "1 entities, 7 events: 1-5:0 6+:1",
    );
    check(
        events,
        &distribution(r#","filters":[{"column":"platform","op":"is_null"}],"bounds":[1,2]"#),
        "1 entities, 1 events: 1:1 2+:0",
    );
}

#[test]
fn the_range_is_the_tenants_days() {
    // 23:30 UTC on the 2nd is the 3rd in Shanghai, outside the range.
    let events = "u0 03-02T23:30; u0 03-01T10:00";
    check(events, &distribution(r#","bounds":[1,2]"#), "1 entities, 2 events: 1:0 2+:1");
    check(events, &distribution(r#","bounds":[1,2],"tz":"Asia/Shanghai""#), "1 entities, 1 events: 1:1 2+:0");
}

#[test]
fn entities_by_on_how_many_days_they_were_active() {
    check(
        "u0 03-01 *3; u0 03-02; u0 03-03; u1 03-02 *2; u2 03-01; u2 03-03; u3 02-29; u3 03-04",
        &stickiness(""),
        "3 entities, mean 2: 1:1 2:1 3:1",
    );
    check(
        "u0 03-01 order; u0 03-02 visit; u1 03-02 visit",
        &stickiness(r#","event":{"event":"order"}"#),
        "1 entities, mean 1: 1:1 2:0 3:0",
    );
    check("", &stickiness(""), "0 entities, mean -: 1:0 2:0 3:0");
}

#[test]
fn active_days_are_the_tenants() {
    // 20:00 UTC on the 1st is 04:00 on the 2nd in Shanghai: two days there, one in UTC.
    let events = "u0 03-01T10:00; u0 03-01T20:00";
    check(events, &stickiness(""), "1 entities, mean 1: 1:1 2:0 3:0");
    check(events, &stickiness(r#","tz":"Asia/Shanghai""#), "1 entities, mean 2: 1:0 2:1 3:0");
    // Santiago's 8 September 2024 begins at 01:00 (04:00 UTC): 03:30 UTC is still the 7th.
    check(
        "u0 09-08T03:30; u0 09-08T04:30; u1 09-08T04:30",
        r#"{"kind":"stickiness","date_range":{"kind":"between","from":"2024-09-07","to":"2024-09-08"},"tz":"America/Santiago"}"#,
        "2 entities, mean 1.50: 1:1 2:1",
    );
}

#[test]
fn stickiness_defaults_to_the_last_30_days() {
    let output = run("u0 03-02; u0 03-31; u1 03-01", r#"{"kind":"stickiness"}"#).unwrap();
    let AnalysisResult::Stickiness(result) = output.result else { panic!() };
    assert_eq!((result.days, result.entities, result.first_day.to_string()), (30, 1, "2024-03-02".to_owned()));
    assert_eq!(result.buckets[1].entities, 1);
}

#[test]
fn the_tidy_tables_have_a_row_per_bucket() {
    let output = run("u0 03-01; u1 03-01 *2", &distribution("")).unwrap();
    let names: Vec<&str> = output.table.schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["bucket", "min", "max", "label", "entities", "share"]);
    assert_eq!(output.table.rows(), 9);
    let output = run("u0 03-01; u1 03-01 *2", &stickiness("")).unwrap();
    let names: Vec<&str> = output.table.schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["days", "entities", "share", "at_least_share"]);
    assert_eq!(output.table.rows(), 3);
}

#[track_caller]
fn check_refusal(spec: &str, field: &str) {
    match run("u0 03-01", spec) {
        Err(AnalysisError::Spec(e)) => assert_eq!(e.field, field, "{spec}: {e}"),
        Err(other) => panic!("{spec}: not a spec error: {other}"),
        Ok(_) => panic!("{spec}: accepted"),
    }
}

#[test]
fn refusals_name_the_field() {
    check_refusal(&distribution(r#","bounds":[]"#), "bounds");
    check_refusal(&distribution(r#","bounds":[2,3]"#), "bounds[0]");
    check_refusal(&distribution(r#","bounds":[1,3,3]"#), "bounds[2]");
    check_refusal(&distribution(r#","bounds":[1,-3]"#), "bounds[1]");
    check_refusal(
        &distribution(r#","event":{"filters":[{"column":"nope","op":"is_null"}]}"#),
        "event.filters[0].column",
    );
    check_refusal(&distribution(r#","source":{"entity":"who"}"#), "source.entity");
    check_refusal(r#"{"kind":"stickiness","date_range":{"kind":"last","days":400}}"#, "date_range");
    check_refusal(&stickiness(r#","source":{"time":"platform"}"#), "source.time");
    check_refusal(
        &stickiness(r#","filters":[{"column":"ts","op":"in","values":["yesterday"]}]"#),
        "filters[0].values[0]",
    );
}
