//! The retention analysis's golden cases (`SEMANTICS.md`: Doris's `retention` example, and cases
//! of our own for weeks, months, recurring cohorts, "on or after", periods not over yet, the
//! weighted summary and time zones) through the whole path: an `events` table in an engine,
//! `quiver_analysis::install`, `run`, the result. Also the per-entity rule on its own, the tidy
//! table, and refusals naming the field. Runs natively and in the browser.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::{engine, rows, time};
use quiver_analysis::retention::{RetentionRule, entity_cells};
use quiver_shared::analysis::retention::{
    PeriodStatus, RetentionCell, RetentionCriterion, RetentionResult, RetentionType,
};
use quiver_shared::analysis::{AnalysisContext, AnalysisResult, AnalysisSpec};

/// Runs a retention spec given as JSON over `events`. Two keys of the JSON are not the spec's:
/// `tz`, the tenant's zone (UTC when left out), and `now`, a UTC time as in the events
/// (2025-01-01, when every period is over, when left out); today is now's UTC day.
fn run(
    events: &str,
    spec: &str,
) -> Result<(RetentionResult, quiver_engine::QueryOutput), quiver_analysis::AnalysisError> {
    let mut json: serde_json::Value = serde_json::from_str(spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
    let object = json.as_object_mut().unwrap();
    let tz = object.remove("tz").map(|v| v.as_str().unwrap().to_owned()).unwrap_or_else(|| "UTC".to_owned());
    let now = object.remove("now").map_or_else(|| time("2025-01-01T00:00"), |v| time(v.as_str().unwrap()));
    object.insert("kind".to_owned(), "retention".into());
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
        AnalysisResult::Retention(result) => Ok((result, output.table)),
        other => panic!("not a retention result: {other:?}"),
    }
}

/// A cell as the cases write it: the rate (`66.7%`), or `(n)` for n retained without a
/// denominator, or `-`; then `*` when the period is under way, `?` when it has not started.
fn cell(cell: &RetentionCell) -> String {
    let value = match cell.rate {
        Some(rate) => format!("{:.1}%", rate * 100.0).replace(".0%", "%"),
        None if cell.retained > 0 => format!("({})", cell.retained),
        None => "-".to_owned(),
    };
    let flag = match cell.status {
        PeriodStatus::Complete => "",
        PeriodStatus::InProgress => "*",
        PeriodStatus::NotStarted => "?",
    };
    format!("{value}{flag}")
}

/// The table as the cases write it: `MM-DD size: cells` per cohort, then `all size: cells`,
/// joined by ` | `.
fn render(result: &RetentionResult) -> String {
    let row = |label: String, entities: u64, cells: &[RetentionCell]| {
        format!("{label} {entities}: {}", cells.iter().map(cell).collect::<Vec<_>>().join(" "))
    };
    let mut rows: Vec<String> =
        result.cohorts.iter().map(|c| row(c.start.format("%m-%d").to_string(), c.entities, &c.cells)).collect();
    rows.push(row("all".to_owned(), result.summary.entities, &result.summary.cells));
    rows.join(" | ")
}

#[track_caller]
fn check(events: &str, spec: &str, expected: &str) {
    let (result, _) = run(events, spec).unwrap_or_else(|e| panic!("{e}\n{spec}"));
    assert_eq!(render(&result), expected, "\nevents: {events}\nspec: {spec}");
}

const DORIS: &str = "uid0 03-12; uid0 03-13; uid0 03-14; uid1 03-12; uid1 03-13; uid2 03-12";
const DAYS_12_TO_14: &str = r#""date_range":{"kind":"between","from":"2024-03-12","to":"2024-03-14"}"#;

#[test]
fn doris_retention_example() {
    check(
        DORIS,
        r#"{"date_range":{"kind":"between","from":"2024-03-12","to":"2024-03-12"},"periods":2}"#,
        "03-12 3: 100% 66.7% 33.3% | all 3: 100% 66.7% 33.3%",
    );
    check(
        DORIS,
        &format!("{{{DAYS_12_TO_14}}}"),
        "03-12 3: 100% 66.7% 33.3% | 03-13 0: - - - | 03-14 0: - - - | all 3: 100% 66.7% 33.3%",
    );
}

#[test]
fn recurring_cohorts_count_an_entity_in_every_period_it_started() {
    // 13th: uid0 and uid1 started again, uid0 came back on the 14th; 14th: uid0 alone.
    check(
        DORIS,
        &format!(r#"{{{DAYS_12_TO_14},"type":"recurring"}}"#),
        "03-12 3: 100% 66.7% 33.3% | 03-13 2: 100% 50% 0% | 03-14 1: 100% 0% 0% | all 6: 100% 50% 16.7%",
    );
}

#[test]
fn first_time_cohorts_start_at_the_first_start_event_in_the_range() {
    // u0 started before the range too: its cohort is still the 13th, its first start in range.
    check(
        "u0 03-10 signup; u0 03-13 signup; u0 03-14; u1 03-12 signup; u1 03-13",
        &format!(r#"{{{DAYS_12_TO_14},"start":{{"event":"signup"}},"periods":1}}"#),
        "03-12 1: 100% 100% | 03-13 1: 100% 100% | 03-14 0: - - | all 2: 100% 100%",
    );
}

#[test]
fn on_or_after_counts_any_later_return() {
    let events = "u0 03-12; u0 03-14; u1 03-12; u1 03-13";
    let range = r#""date_range":{"kind":"between","from":"2024-03-12","to":"2024-03-12"},"periods":2"#;
    check(events, &format!("{{{range}}}"), "03-12 2: 100% 50% 50% | all 2: 100% 50% 50%");
    check(
        events,
        &format!(r#"{{{range},"criterion":"on_or_after"}}"#),
        "03-12 2: 100% 100% 50% | all 2: 100% 100% 50%",
    );
    // A return a month later still counts for every period before it.
    check(
        "u0 03-12; u0 04-20; u1 03-12",
        &format!(r#"{{{range},"criterion":"on_or_after"}}"#),
        "03-12 2: 100% 50% 50% | all 2: 100% 50% 50%",
    );
}

#[test]
fn start_and_return_events_are_selected_separately() {
    // u2 only ordered (no start); u1 came back but did not order.
    check(
        "u0 03-12 signup; u0 03-13 order; u1 03-12 signup; u1 03-13 visit; u2 03-12 order; u2 03-13 order",
        r#"{"date_range":{"kind":"between","from":"2024-03-12","to":"2024-03-12"},"periods":1,"start":{"event":"signup"},"return":{"event":"order"}}"#,
        "03-12 2: 100% 50% | all 2: 100% 50%",
    );
    // Filters on the return event's columns, and on every event.
    check(
        "u0 03-12 a ios; u0 03-13 b ios; u1 03-12 a web; u1 03-13 b web",
        r#"{"date_range":{"kind":"between","from":"2024-03-12","to":"2024-03-12"},"periods":1,"return":{"filters":[{"column":"platform","op":"in","values":["web"]}]}}"#,
        "03-12 2: 100% 50% | all 2: 100% 50%",
    );
    check(
        "u0 03-12 a ios; u0 03-13 b ios; u1 03-12 a web; u1 03-13 b web; u2 03-12 a ios",
        r#"{"date_range":{"kind":"between","from":"2024-03-12","to":"2024-03-12"},"periods":1,"filters":[{"column":"platform","op":"in","values":["ios"]}]}"#,
        "03-12 2: 100% 50% | all 2: 100% 50%",
    );
}

#[test]
fn weeks_start_on_monday_and_months_on_the_first() {
    // Week of Monday 03-04: u0 (Mon), u1 (Sun 03-10), u2 (Wed). u1's Monday 03-11 is week 1.
    check(
        "u0 03-04; u0 03-13; u0 03-27; u1 03-10; u1 03-11; u2 03-06",
        r#"{"date_range":{"kind":"between","from":"2024-03-04","to":"2024-03-10"},"period":"week","periods":3}"#,
        "03-04 3: 100% 66.7% 0% 33.3% | all 3: 100% 66.7% 0% 33.3%",
    );
    // A range starting mid-week still makes one cohort of that week.
    check(
        "u0 03-06; u0 03-11; u1 03-08; u1 03-20",
        r#"{"date_range":{"kind":"between","from":"2024-03-06","to":"2024-03-12"},"period":"week","periods":2}"#,
        "03-04 2: 100% 50% 50% | 03-11 0: - - - | all 2: 100% 50% 50%",
    );
    // 31 January and 1 February are one month apart; 29 February is February.
    check(
        "u0 01-31; u0 02-01; u1 01-15; u1 02-29; u2 01-01; u2 03-01",
        r#"{"date_range":{"kind":"between","from":"2024-01-01","to":"2024-01-31"},"period":"month","periods":2}"#,
        "01-01 3: 100% 66.7% 33.3% | all 3: 100% 66.7% 33.3%",
    );
    // Cohorts across a new year.
    check(
        "u0 2023-12-31T10:00; u0 2024-01-01T10:00; u1 2024-01-01T10:00; u1 2024-01-02T10:00",
        r#"{"date_range":{"kind":"between","from":"2023-12-31","to":"2024-01-01"},"periods":1}"#,
        "12-31 1: 100% 100% | 01-01 1: 100% 100% | all 2: 100% 100%",
    );
}

#[test]
fn days_are_the_tenants() {
    // 23:30 UTC on the 12th is 07:30 on the 13th in Shanghai.
    let events = "u0 03-12T10:00; u0 03-12T23:30";
    let range = r#""date_range":{"kind":"between","from":"2024-03-12","to":"2024-03-12"},"periods":1"#;
    check(events, &format!("{{{range}}}"), "03-12 1: 100% 0% | all 1: 100% 0%");
    check(events, &format!(r#"{{{range},"tz":"Asia/Shanghai"}}"#), "03-12 1: 100% 100% | all 1: 100% 100%");
    // 01:00 UTC on Monday 03-11 is still Sunday in New York (EDT since 03-10): the same week.
    let events = "u0 03-08T15:00; u0 03-11T01:00";
    let range = r#""date_range":{"kind":"between","from":"2024-03-04","to":"2024-03-10"},"period":"week","periods":1"#;
    check(events, &format!("{{{range}}}"), "03-04 1: 100% 100% | all 1: 100% 100%");
    check(events, &format!(r#"{{{range},"tz":"America/New_York"}}"#), "03-04 1: 100% 0% | all 1: 100% 0%");
    // Santiago's 8 September 2024 has no midnight (clocks skip to 01:00): it still is a day.
    check(
        "u0 09-07T12:00; u0 09-08T04:30; u1 09-08T03:30",
        r#"{"date_range":{"kind":"between","from":"2024-09-07","to":"2024-09-07"},"periods":1,"tz":"America/Santiago"}"#,
        "09-07 2: 100% 50% | all 2: 100% 50%",
    );
    // A start event late on the range's last local day is in the range; one early the next local
    // day is not.
    check(
        "u0 03-12T14:59; u1 03-12T15:00",
        r#"{"date_range":{"kind":"between","from":"2024-03-12","to":"2024-03-12"},"periods":1,"tz":"Asia/Tokyo"}"#,
        "03-12 1: 100% 0% | all 1: 100% 0%",
    );
}

#[test]
fn periods_not_over_are_flagged_not_hidden() {
    // Now is the 13th: the 12th's period 1 is under way, period 2 has not started.
    let events = "u0 03-12; u0 03-13T08:00; u1 03-12; u1 03-13T09:00; u2 03-13T08:00";
    let range =
        r#""date_range":{"kind":"between","from":"2024-03-12","to":"2024-03-13"},"periods":2,"now":"03-13T10:00""#;
    check(events, &format!("{{{range}}}"), "03-12 2: 100% 100%* -? | 03-13 1: 100%* -? -? | all 3: 100%* 100%* -?");
    // On or after: no denominator until the period is over, the entities so far still shown.
    check(
        events,
        &format!(r#"{{{range},"criterion":"on_or_after"}}"#),
        "03-12 2: 100% (2)* -? | 03-13 1: 100%* -? -? | all 3: 100%* -* -?",
    );
    // Weeks: now is Wednesday of the cohort's next week.
    check(
        "u0 03-04; u0 03-12",
        r#"{"date_range":{"kind":"between","from":"2024-03-04","to":"2024-03-10"},"period":"week","periods":2,"now":"03-13T10:00"}"#,
        "03-04 1: 100% 100%* -? | all 1: 100% 100%* -?",
    );
}

#[test]
fn the_summary_weighs_cohorts_by_their_size() {
    // 1 of 1 and 1 of 3 came back: 2 of 4 (50%), not the mean of 100% and 33.3%.
    check(
        "a 03-12; a 03-13; b 03-13; b 03-14; c 03-13; d 03-13",
        r#"{"date_range":{"kind":"between","from":"2024-03-12","to":"2024-03-13"},"periods":1}"#,
        "03-12 1: 100% 100% | 03-13 3: 100% 33.3% | all 4: 100% 50%",
    );
    // A cohort whose period has not started yet is left out of that period's mean.
    check(
        "a 03-12; a 03-13; b 03-13",
        r#"{"date_range":{"kind":"between","from":"2024-03-12","to":"2024-03-13"},"periods":1,"now":"03-13T20:00"}"#,
        "03-12 1: 100% 100%* | 03-13 1: 100%* -? | all 2: 100%* 100%*",
    );
}

#[test]
fn default_periods_span_the_range() {
    let (result, _) = run(DORIS, r#"{"date_range":{"kind":"between","from":"2024-03-01","to":"2024-03-14"}}"#).unwrap();
    assert_eq!((result.periods, result.cohorts.len()), (13, 14));
    assert_eq!(result.summary.cells.len(), 14);
}

#[test]
fn the_tidy_table_has_a_row_per_cell() {
    let (result, table) = run(DORIS, &format!("{{{DAYS_12_TO_14}}}")).unwrap();
    let names: Vec<&str> = table.schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["cohort", "summary", "cohort_entities", "period", "retained", "denominator", "rate", "status"]);
    assert_eq!(table.rows(), (result.cohorts.len() + 1) * 3);
    let grid = table.to_grid(usize::MAX);
    let shown: Vec<String> = grid.rows[1].iter().map(|c| format!("{c:?}")).collect();
    assert!(shown.iter().any(|c| c.contains("0.666")), "{shown:?}");
}

#[track_caller]
fn check_entity(
    starts: &[i32],
    returns: &[i32],
    rule: (RetentionType, RetentionCriterion, u32),
    expected: &[(i32, u32)],
) {
    let rule = RetentionRule { retention_type: rule.0, criterion: rule.1, periods: rule.2 };
    assert_eq!(entity_cells(starts, returns, rule), expected, "{starts:?} {returns:?} {rule:?}");
}

#[test]
fn one_entitys_cells() {
    use RetentionCriterion::*;
    use RetentionType::*;
    check_entity(&[12], &[12, 13, 14], (FirstTime, On, 2), &[(12, 0), (12, 1), (12, 2)]);
    check_entity(&[12], &[12, 13], (FirstTime, On, 2), &[(12, 0), (12, 1)]);
    check_entity(&[12], &[12], (FirstTime, On, 2), &[(12, 0)]);
    check_entity(&[], &[12, 13], (FirstTime, On, 2), &[]);
    check_entity(&[14, 12, 12, 13], &[15, 13], (FirstTime, On, 3), &[(12, 0), (12, 1), (12, 3)]);
    check_entity(&[14, 12, 13], &[15, 13], (Recurring, On, 1), &[(12, 0), (12, 1), (13, 0), (14, 0), (14, 1)]);
    check_entity(&[12], &[15], (FirstTime, OnOrAfter, 4), &[(12, 0), (12, 1), (12, 2), (12, 3)]);
    check_entity(&[12], &[11, 12], (FirstTime, OnOrAfter, 2), &[(12, 0)]);
    check_entity(&[-3], &[-1], (FirstTime, On, 2), &[(-3, 0), (-3, 2)]);
}

#[test]
fn the_aggregate_runs_in_plain_sql() {
    let (engine, _) = engine(&rows(DORIS));
    // One cohort (the 12th) and two periods after it: four period starts, UTC midnights.
    let starts: Vec<String> = ["03-12T00:00", "03-13T00:00", "03-14T00:00", "03-15T00:00"]
        .iter()
        .map(|t| time(t).and_utc().timestamp_micros().to_string())
        .collect();
    let call = format!("retention(ts, ts, 'first_time', 'on', 1, 2, '{}')", starts.join(","));
    let sql = format!("SELECT user_id, {call} AS cells FROM events GROUP BY user_id ORDER BY user_id");
    let grid = engine.sql(&sql).unwrap().to_grid(10);
    let cells: Vec<String> = grid.rows.iter().map(|row| format!("{:?}", row[1])).collect();
    assert_eq!(cells.len(), 3);
    assert!(cells[0].contains("period: 2") && cells[1].contains("period: 1"), "{cells:?}");
    assert!(!cells[1].contains("period: 2") && !cells[2].contains("period: 1"), "{cells:?}");
    // Without GROUP BY, the whole table is one entity.
    assert_eq!(engine.sql(&format!("SELECT {call} FROM events")).unwrap().rows(), 1);
    // Days instead of times, and period starts that do not fit the counts, are refused.
    assert!(engine.sql(&format!("SELECT {} FROM events", call.replace("ts, ts", "CAST(ts AS DATE), ts"))).is_err());
    assert!(engine.sql(&format!("SELECT {} FROM events", call.replace(", 1, 2,", ", 1, 3,"))).is_err());
}

#[track_caller]
fn check_refusal(spec: &str, field: &str) {
    match run(DORIS, spec) {
        Err(quiver_analysis::AnalysisError::Spec(e)) => assert_eq!(e.field, field, "{spec}: {e}"),
        Err(other) => panic!("{spec}: not a spec error: {other}"),
        Ok(_) => panic!("{spec}: accepted"),
    }
}

#[test]
fn refusals_name_the_field() {
    check_refusal(r#"{"source":{"table":"orders"}}"#, "source.table");
    check_refusal(r#"{"source":{"entity":"uid"}}"#, "source.entity");
    check_refusal(r#"{"source":{"time":"event_name"}}"#, "source.time");
    check_refusal(r#"{"start":{"filters":[{"column":"nope","op":"is_null"}]}}"#, "start.filters[0].column");
    check_refusal(r#"{"return":{"filters":[{"column":"nope","op":"is_null"}]}}"#, "return.filters[0].column");
    check_refusal(r#"{"filters":[{"column":"ts","op":"range","min":"soon"}]}"#, "filters[0].min");
    check_refusal(r#"{"periods":0}"#, "periods");
    check_refusal(r#"{"periods":401}"#, "periods");
    check_refusal(r#"{"date_range":{"kind":"last","days":0}}"#, "date_range.days");
    check_refusal(r#"{"date_range":{"kind":"between","from":"2024-03-12","to":"2024-03-01"}}"#, "date_range.to");
    check_refusal(r#"{"date_range":{"kind":"last","days":500}}"#, "date_range");
    check_refusal(r#"{"tz":"Mars/Olympus Mons"}"#, "time_zone");
    check_refusal(r#"{"period":"fortnight"}"#, "period");
}
