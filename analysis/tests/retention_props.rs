//! Property test of the retention analysis: random event streams (a few entities over ten weeks
//! across a leap day and a DST change) and random specs (period, type, criterion, periods, range,
//! start and return events, time zone, now) through the whole path, every cell compared with a
//! deliberately plain reference written below with `chrono-tz` and nested loops.
//!
//! Native only: the reference needs `chrono-tz`, and the golden cases run in the browser.

#![cfg(not(target_arch = "wasm32"))]

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone};
use chrono_tz::Tz;
use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use proptest::prelude::*;
use quiver_engine::Engine;
use quiver_shared::analysis::retention::{
    PeriodStatus, RetentionCriterion, RetentionPeriod, RetentionResult, RetentionSpec, RetentionType,
};
use quiver_shared::analysis::trend::EventSelection;
use quiver_shared::analysis::{AnalysisContext, AnalysisResult, AnalysisSpec};
use quiver_shared::catalog::{ColumnInfo, ColumnRole, TableInfo};
use quiver_shared::pivot::DateSpan;
use std::sync::Arc;

/// 2024-02-26T00:00:00Z, a Monday; events fall in the 70 days after it.
const T0: i64 = 1_708_905_600_000_000;
const MINUTE: i64 = 60_000_000;
const DAY_MINUTES: i64 = 24 * 60;

#[derive(Clone, Debug)]
struct Event {
    entity: u8,
    /// Microseconds since the epoch.
    ts: i64,
    name: &'static str,
}

#[derive(Clone, Debug)]
struct Case {
    events: Vec<Event>,
    spec: RetentionSpec,
    zone: &'static str,
    now: i64,
}

fn event() -> impl Strategy<Value = Event> {
    (0u8..5, 0i64..70 * DAY_MINUTES, prop::sample::select(vec!["a", "b"])).prop_map(|(entity, minute, name)| Event {
        entity,
        ts: T0 + minute * MINUTE,
        name,
    })
}

fn selection() -> impl Strategy<Value = EventSelection> {
    prop::sample::select(vec![None, Some("a"), Some("b")])
        .prop_map(|name| EventSelection { event: name.map(str::to_owned), filters: vec![] })
}

fn case() -> impl Strategy<Value = Case> {
    let day0 = NaiveDate::from_ymd_opt(2024, 2, 26).unwrap();
    (
        prop::collection::vec(event(), 0..40),
        (
            prop::sample::select(vec![RetentionPeriod::Day, RetentionPeriod::Week, RetentionPeriod::Month]),
            prop::sample::select(vec![RetentionType::FirstTime, RetentionType::Recurring]),
            prop::sample::select(vec![RetentionCriterion::On, RetentionCriterion::OnOrAfter]),
            prop::option::weighted(0.7, 1u32..6),
        ),
        (0u64..40, 0u64..25),
        (selection(), selection()),
        prop::sample::select(vec!["UTC", "Asia/Shanghai", "America/New_York"]),
        0i64..80 * DAY_MINUTES,
    )
        .prop_map(move |(events, (period, kind, criterion, periods), (from, length), (start, back), zone, now)| {
            let from = day0 + Days::new(from);
            let spec = RetentionSpec {
                start,
                return_event: back,
                period,
                periods,
                date_range: DateSpan::Between { from, to: from + Days::new(length) },
                retention_type: kind,
                criterion,
                ..RetentionSpec::default()
            };
            Case { events, spec, zone, now: T0 + now * MINUTE }
        })
}

/// An engine holding `events` (entities, times, names) as `events`, with the analyses
/// installed, and its catalogue entry.
fn engine(users: Vec<String>, times: Vec<i64>, names: Vec<&str>) -> (Engine, Vec<TableInfo>) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("user_id", DataType::Utf8, false),
        Field::new("ts", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false),
        Field::new("event_name", DataType::Utf8, false),
    ]));
    let rows = times.len() as u64;
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(users)),
        Arc::new(TimestampMicrosecondArray::from_iter_values(times).with_timezone("UTC")),
        Arc::new(StringArray::from_iter_values(names)),
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
        rows,
        bytes: 0,
        date_range: None,
    }];
    (engine, tables)
}

fn run(case: &Case) -> RetentionResult {
    let (engine, tables) = engine(
        case.events.iter().map(|e| format!("u{}", e.entity)).collect(),
        case.events.iter().map(|e| e.ts).collect(),
        case.events.iter().map(|e| e.name).collect(),
    );
    let ctx = AnalysisContext {
        tables: &tables,
        time_zone: case.zone,
        today: local_day(case.zone, case.now),
        now_micros: case.now,
    };
    let spec = AnalysisSpec::Retention(case.spec.clone());
    match quiver_analysis::run(&engine, &spec, ctx).unwrap_or_else(|e| panic!("{e}")).result {
        AnalysisResult::Retention(result) => result,
        other => panic!("{other:?}"),
    }
}

// ---- The reference: dates as dates, periods as their first day, loops over entities. ----

fn local_day(zone: &str, micros: i64) -> NaiveDate {
    let tz: Tz = zone.parse().unwrap();
    tz.from_utc_datetime(&DateTime::from_timestamp_micros(micros).unwrap().naive_utc()).date_naive()
}

/// The first day of the period holding `day`.
fn period_of(period: RetentionPeriod, day: NaiveDate) -> NaiveDate {
    match period {
        RetentionPeriod::Day => day,
        RetentionPeriod::Week => day - Days::new(u64::from(day.weekday().num_days_from_monday())),
        RetentionPeriod::Month => NaiveDate::from_ymd_opt(day.year(), day.month(), 1).unwrap(),
    }
}

/// The first day of the `n`th period after the one starting on `start`.
fn later(period: RetentionPeriod, start: NaiveDate, n: u32) -> NaiveDate {
    match period {
        RetentionPeriod::Day => start + Days::new(u64::from(n)),
        RetentionPeriod::Week => start + Days::new(7 * u64::from(n)),
        RetentionPeriod::Month => start + Months::new(n),
    }
}

fn matches(selection: &EventSelection, event: &Event) -> bool {
    selection.event.as_deref().is_none_or(|name| name == event.name)
}

/// One reference cell: (retained, denominator, status).
type Cell = (u64, u64, PeriodStatus);

/// One reference row: the cohort's first day, its size and its cells.
type Row = (NaiveDate, u64, Vec<Cell>);

/// The reference table: per cohort its first day, size and cells; then the summary's.
fn reference(case: &Case) -> (Vec<Row>, u64, Vec<Cell>) {
    let spec = &case.spec;
    let DateSpan::Between { from, to } = spec.date_range else { unreachable!() };
    let period = spec.period;
    let periods = spec.periods.unwrap_or_else(|| {
        let mut n = 0;
        while later(period, period_of(period, from), n + 1) <= period_of(period, to) {
            n += 1;
        }
        n.max(1)
    });
    let today = period_of(period, local_day(case.zone, case.now));
    let status = |start: NaiveDate| {
        if start < today {
            PeriodStatus::Complete
        } else if start == today {
            PeriodStatus::InProgress
        } else {
            PeriodStatus::NotStarted
        }
    };
    let days = |entity: u8, selection: &EventSelection| -> Vec<NaiveDate> {
        case.events
            .iter()
            .filter(|e| e.entity == entity && matches(selection, e))
            .map(|e| local_day(case.zone, e.ts))
            .collect()
    };
    let mut cohort_starts = vec![period_of(period, from)];
    while later(period, *cohort_starts.last().unwrap(), 1) <= to {
        cohort_starts.push(later(period, *cohort_starts.last().unwrap(), 1));
    }
    let mut rows = Vec::new();
    for &cohort in &cohort_starts {
        let mut members = Vec::new();
        for entity in 0..5u8 {
            let starts: Vec<NaiveDate> =
                days(entity, &spec.start).into_iter().filter(|d| *d >= from && *d <= to).collect();
            let member = match spec.retention_type {
                RetentionType::FirstTime => starts.iter().min().is_some_and(|d| period_of(period, *d) == cohort),
                RetentionType::Recurring => starts.iter().any(|d| period_of(period, *d) == cohort),
            };
            if member {
                members.push(entity);
            }
        }
        let size = members.len() as u64;
        let mut cells = vec![(size, size, status(cohort))];
        for n in 1..=periods {
            let target = later(period, cohort, n);
            let retained = members
                .iter()
                .filter(|&&entity| {
                    days(entity, &spec.return_event).iter().any(|d| match spec.criterion {
                        RetentionCriterion::On => period_of(period, *d) == target,
                        RetentionCriterion::OnOrAfter => period_of(period, *d) >= target,
                    })
                })
                .count() as u64;
            let state = status(target);
            let denominator = match (spec.criterion, state) {
                (RetentionCriterion::On, PeriodStatus::NotStarted) => 0,
                (RetentionCriterion::On, _) => size,
                (RetentionCriterion::OnOrAfter, PeriodStatus::Complete) => size,
                (RetentionCriterion::OnOrAfter, _) => 0,
            };
            cells.push((retained, denominator, state));
        }
        rows.push((cohort, size, cells));
    }
    let mut summary = Vec::new();
    for n in 0..=periods as usize {
        let mut retained = 0;
        let mut denominator = 0;
        let mut statuses = Vec::new();
        for (_, _, cells) in &rows {
            if cells[n].1 > 0 {
                retained += cells[n].0;
                denominator += cells[n].1;
            }
            statuses.push(cells[n].2);
        }
        let state = if statuses.iter().all(|s| *s == PeriodStatus::Complete) {
            PeriodStatus::Complete
        } else if statuses.iter().all(|s| *s == PeriodStatus::NotStarted) {
            PeriodStatus::NotStarted
        } else {
            PeriodStatus::InProgress
        };
        summary.push((retained, denominator, state));
    }
    let total = rows.iter().map(|r| r.1).sum();
    (rows, total, summary)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_cell_matches_the_reference(case in case()) {
        let result = run(&case);
        let (rows, total, summary) = reference(&case);
        let cells = |cells: &[quiver_shared::analysis::retention::RetentionCell]| -> Vec<Cell> {
            cells.iter().map(|c| (c.retained, c.denominator, c.status)).collect()
        };
        let got: Vec<Row> =
            result.cohorts.iter().map(|c| (c.start, c.entities, cells(&c.cells))).collect();
        prop_assert_eq!(got, rows);
        prop_assert_eq!(result.summary.entities, total);
        prop_assert_eq!(cells(&result.summary.cells), summary);
        for cell in result.cohorts.iter().flat_map(|c| &c.cells).chain(&result.summary.cells) {
            let expected = (cell.denominator > 0).then(|| cell.retained as f64 / cell.denominator as f64);
            prop_assert_eq!(cell.rate, expected);
        }
    }
}

/// The speed target: a 12-week retention table over 2M events of 100k users, in the tenant's
/// zone. Natively in the test profile (the analysis crate unoptimised: about 0.9 s here, 0.3 s
/// with `--config 'profile.dev.package.quiver-analysis.opt-level=3'`); run with
/// `--ignored --nocapture`.
#[test]
#[ignore]
fn twelve_weeks_over_two_million_events() {
    let (users, rows) = (100_000u64, 2_000_000usize);
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut ids = Vec::with_capacity(rows);
    let mut times = Vec::with_capacity(rows);
    let mut names = Vec::with_capacity(rows);
    for _ in 0..rows {
        ids.push(format!("u{}", next() % users));
        times.push(T0 + (next() % (84 * DAY_MINUTES as u64)) as i64 * MINUTE);
        names.push(if next() % 4 == 0 { "a" } else { "b" });
    }
    let (engine, tables) = engine(ids, times, names);
    let spec = AnalysisSpec::Retention(RetentionSpec {
        period: RetentionPeriod::Week,
        periods: Some(12),
        date_range: DateSpan::Between {
            from: NaiveDate::from_ymd_opt(2024, 2, 26).unwrap(),
            to: NaiveDate::from_ymd_opt(2024, 5, 19).unwrap(),
        },
        ..RetentionSpec::default()
    });
    let now = T0 + 100 * DAY_MINUTES * MINUTE;
    let ctx = AnalysisContext {
        tables: &tables,
        time_zone: "Asia/Shanghai",
        today: local_day("Asia/Shanghai", now),
        now_micros: now,
    };
    for _ in 0..3 {
        let started = std::time::Instant::now();
        let output = quiver_analysis::run(&engine, &spec, ctx).unwrap();
        println!("12-week retention over {rows} events: {:?} ({} cells)", started.elapsed(), output.table.rows());
    }
}
