//! Property test of the event trend: random event streams (a few entities around a leap day and
//! New York's spring-forward, with the year before for comparisons) and random specs (grain,
//! measures, one or two event selections, breakdown with top N, comparisons, time zone) through
//! the whole path, every point and total compared with a plain reference written below with
//! `chrono-tz` and loops over the events.
//!
//! Native only: the reference needs `chrono-tz`, and the golden cases run in the browser.

#![cfg(not(target_arch = "wasm32"))]

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike};
use chrono_tz::Tz;
use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use proptest::prelude::*;
use quiver_engine::Engine;
use quiver_shared::analysis::trend::{
    Breakdown, Comparison, EventSelection, TrendMeasure, TrendPoint, TrendResult, TrendSpec,
};
use quiver_shared::analysis::{AnalysisContext, AnalysisResult, AnalysisSpec};
use quiver_shared::catalog::{ColumnInfo, ColumnRole, TableInfo};
use quiver_shared::pivot::{DateSpan, TimeGrain};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

const MINUTE: i64 = 60_000_000;

#[derive(Clone, Debug)]
struct Event {
    entity: u8,
    /// Microseconds since the epoch.
    ts: i64,
    name: &'static str,
    platform: Option<&'static str>,
}

#[derive(Clone, Debug)]
struct Case {
    events: Vec<Event>,
    spec: TrendSpec,
    zone: &'static str,
}

fn utc(day: &str) -> i64 {
    day.parse::<NaiveDate>().unwrap().and_time(NaiveTime::MIN).and_utc().timestamp_micros()
}

/// Events from 2023-12-20 to 2024-03-25, a fifth of them a year earlier.
fn event() -> impl Strategy<Value = Event> {
    (
        0u8..5,
        0i64..96 * 24 * 60,
        prop::bool::weighted(0.2),
        prop::sample::select(vec!["a", "b"]),
        prop::sample::select(vec![Some("ios"), Some("web"), Some("tv"), None]),
    )
        .prop_map(|(entity, minute, year_before, name, platform)| {
            let start = if year_before { utc("2022-12-20") } else { utc("2023-12-20") };
            Event { entity, ts: start + minute * MINUTE, name, platform }
        })
}

fn selection() -> impl Strategy<Value = EventSelection> {
    prop::sample::select(vec![None, Some("a"), Some("b")])
        .prop_map(|name| EventSelection { event: name.map(str::to_owned), filters: vec![] })
}

fn case() -> impl Strategy<Value = Case> {
    let grain = prop::sample::select(vec![TimeGrain::Hour, TimeGrain::Day, TimeGrain::Week, TimeGrain::Month]);
    (
        prop::collection::vec(event(), 0..60),
        grain,
        prop::sample::subsequence(
            vec![
                TrendMeasure::Pv,
                TrendMeasure::Uv,
                TrendMeasure::PerEntity,
                TrendMeasure::Dau,
                TrendMeasure::Wau,
                TrendMeasure::Mau,
            ],
            1..4,
        )
        .prop_shuffle(),
        prop::collection::vec(selection(), 1..3),
        prop::option::weighted(0.4, 1u32..4),
        prop::sample::subsequence(vec![Comparison::PreviousPeriod, Comparison::PreviousYear], 0..=2),
        (0u64..30, 0u64..12),
        prop::sample::select(vec!["UTC", "America/New_York", "Asia/Shanghai", "America/Santiago"]),
    )
        .prop_map(|(events, grain, measures, selections, top, compare, (from, length), zone)| {
            // DAU, WAU and MAU need the day grain; hours over a short range only.
            let grain = if measures.iter().any(|m| m.is_active()) { TimeGrain::Day } else { grain };
            let length = if grain == TimeGrain::Hour { length.min(3) } else { length };
            let from = NaiveDate::from_ymd_opt(2024, 2, 15).unwrap() + Days::new(from);
            let spec = TrendSpec {
                events: selections,
                measures,
                grain,
                date_range: DateSpan::Between { from, to: from + Days::new(length) },
                breakdown: top.map(|top| Breakdown { column: "platform".to_owned(), top }),
                compare,
                ..TrendSpec::default()
            };
            Case { events, spec, zone }
        })
}

fn run(case: &Case) -> TrendResult {
    let schema = Arc::new(Schema::new(vec![
        Field::new("user_id", DataType::Utf8, false),
        Field::new("ts", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false),
        Field::new("event_name", DataType::Utf8, false),
        Field::new("platform", DataType::Utf8, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(case.events.iter().map(|e| format!("u{}", e.entity)))),
        Arc::new(TimestampMicrosecondArray::from_iter_values(case.events.iter().map(|e| e.ts)).with_timezone("UTC")),
        Arc::new(StringArray::from_iter_values(case.events.iter().map(|e| e.name))),
        Arc::new(StringArray::from_iter(case.events.iter().map(|e| e.platform))),
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
                nullable: true,
                role: ColumnRole::infer(f.name(), &f.data_type().to_string()),
            })
            .collect(),
        partition_keys: vec![],
        rows: case.events.len() as u64,
        bytes: 0,
        date_range: None,
    }];
    let ctx = AnalysisContext {
        tables: &tables,
        time_zone: case.zone,
        today: NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
        now_micros: utc("2024-06-01"),
    };
    match quiver_analysis::run(&engine, &AnalysisSpec::Trend(case.spec.clone()), ctx)
        .unwrap_or_else(|e| panic!("{e}"))
        .result
    {
        AnalysisResult::Trend(result) => result,
        other => panic!("{other:?}"),
    }
}

// ---- The reference: local wall-clock times, bucket edges, loops over the events. ----

fn local(zone: &str, micros: i64) -> NaiveDateTime {
    let tz: Tz = zone.parse().unwrap();
    tz.from_utc_datetime(&DateTime::from_timestamp_micros(micros).unwrap().naive_utc()).naive_local()
}

/// The start of the bucket holding `at`.
fn bucket_of(grain: TimeGrain, at: NaiveDateTime) -> NaiveDateTime {
    let day = at.date();
    match grain {
        TimeGrain::Hour => day.and_hms_opt(at.hour(), 0, 0).unwrap(),
        TimeGrain::Day => day.and_time(NaiveTime::MIN),
        TimeGrain::Week => (day - Days::new(day.weekday().num_days_from_monday().into())).and_time(NaiveTime::MIN),
        _ => day.with_day(1).unwrap().and_time(NaiveTime::MIN),
    }
}

fn after(grain: TimeGrain, at: NaiveDateTime) -> NaiveDateTime {
    match grain {
        TimeGrain::Hour => at + chrono::TimeDelta::hours(1),
        TimeGrain::Day => at + Days::new(1),
        TimeGrain::Week => at + Days::new(7),
        _ => at + Months::new(1),
    }
}

/// The same local time a year earlier; 29 February has none and is 1 March 00:00.
fn year_earlier(at: NaiveDateTime) -> NaiveDateTime {
    if at.month() == 2 && at.day() == 29 {
        return NaiveDate::from_ymd_opt(at.year() - 1, 3, 1).unwrap().and_time(NaiveTime::MIN);
    }
    NaiveDate::from_ymd_opt(at.year() - 1, at.month(), at.day()).unwrap().and_time(at.time())
}

/// One series' values: per bucket, then the total.
type Values = (Vec<Option<f64>>, Option<f64>);

/// A breakdown group: the value, and whether it is "other"; none without a breakdown.
type Group = Option<(Option<String>, bool)>;

/// One reference series: event selection, measure, group, then its values for the range, the
/// previous period and the previous year.
type Series = (usize, TrendMeasure, Group, [Values; 3]);

fn reference(case: &Case) -> Vec<Series> {
    let spec = &case.spec;
    let DateSpan::Between { from, to } = spec.date_range else { unreachable!() };
    let days = (to - from).num_days() as u64 + 1;
    let start = from.and_time(NaiveTime::MIN);
    let end = (to + Days::new(1)).and_time(NaiveTime::MIN);
    // Bucket edges clipped to the range.
    let mut edges = vec![start];
    let mut at = after(spec.grain, bucket_of(spec.grain, start));
    while at < end {
        edges.push(at);
        at = after(spec.grain, at);
    }
    edges.push(end);
    let shift = |cmp: usize, at: NaiveDateTime| match cmp {
        0 => at,
        1 => at - Days::new(days),
        _ => year_earlier(at),
    };
    let matches = |selection: &EventSelection, e: &Event| selection.event.as_deref().is_none_or(|n| n == e.name);
    let events: Vec<(NaiveDateTime, &Event)> = case.events.iter().map(|e| (local(case.zone, e.ts), e)).collect();
    // Breakdown groups: the top values by events in the range over all selections.
    let groups: Vec<Group> = match &spec.breakdown {
        None => vec![None],
        Some(breakdown) => {
            let mut counts: BTreeMap<Option<&str>, usize> = BTreeMap::new();
            for (lt, e) in &events {
                if *lt >= start && *lt < end && spec.events.iter().any(|s| matches(s, e)) {
                    *counts.entry(e.platform).or_default() += 1;
                }
            }
            let mut ranked: Vec<(Option<&str>, usize)> = counts.into_iter().collect();
            // Most events first, then by value with null last.
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| (a.0.is_none(), a.0).cmp(&(b.0.is_none(), b.0))));
            let top = breakdown.top as usize;
            let mut groups: Vec<_> =
                ranked.iter().take(top).map(|(v, _)| Some((v.map(str::to_owned), false))).collect();
            if ranked.len() > top {
                groups.push(Some((None, true)));
            }
            groups
        }
    };
    let in_group = |group: &Group, e: &Event| match (group, &spec.breakdown) {
        (None, _) => true,
        (Some((_, true)), Some(_)) => !groups.iter().flatten().any(|(v, other)| !other && v.as_deref() == e.platform),
        (Some((value, false)), _) => value.as_deref() == e.platform,
        _ => false,
    };
    let mut out = Vec::new();
    for (s, selection) in spec.events.iter().enumerate() {
        for &measure in &spec.measures {
            for group in &groups {
                let values = [0, 1, 2].map(|cmp| {
                    let chosen: Vec<(NaiveDateTime, u8)> = events
                        .iter()
                        .filter(|(_, e)| matches(selection, e) && in_group(group, e))
                        .map(|(lt, e)| (*lt, e.entity))
                        .collect();
                    let window = |from: NaiveDateTime, to: NaiveDateTime| -> (usize, BTreeSet<u8>) {
                        let hits: Vec<u8> =
                            chosen.iter().filter(|(lt, _)| *lt >= from && *lt < to).map(|(_, e)| *e).collect();
                        (hits.len(), hits.into_iter().collect())
                    };
                    let measure_of = |(pv, uv): (usize, BTreeSet<u8>)| match measure {
                        TrendMeasure::Pv => Some(pv as f64),
                        TrendMeasure::Uv => Some(uv.len() as f64),
                        _ => (!uv.is_empty()).then(|| pv as f64 / uv.len() as f64),
                    };
                    if measure.is_active() {
                        let w = measure.window_days();
                        let per_day: Vec<Option<f64>> = (0..days)
                            .map(|d| {
                                let day_start = |k: i64| {
                                    let day =
                                        if k >= 0 { from + Days::new(k as u64) } else { from - Days::new((-k) as u64) };
                                    shift(cmp, day.and_time(NaiveTime::MIN))
                                };
                                let (_, uv) = window(day_start(d as i64 - w as i64 + 1), day_start(d as i64 + 1));
                                Some(uv.len() as f64)
                            })
                            .collect();
                        let mean = per_day.iter().flatten().sum::<f64>() / days as f64;
                        (per_day, Some(mean))
                    } else {
                        let points =
                            edges.windows(2).map(|e| measure_of(window(shift(cmp, e[0]), shift(cmp, e[1])))).collect();
                        let total = measure_of(window(shift(cmp, start), shift(cmp, end)));
                        (points, total)
                    }
                });
                out.push((s, measure, group.clone(), values));
            }
        }
    }
    out
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_point_matches_the_reference(case in case()) {
        let result = run(&case);
        let expected = reference(&case);
        prop_assert_eq!(result.series.len(), expected.len());
        let asked = |c: Comparison| case.spec.compare.contains(&c);
        for (series, (event, measure, group, values)) in result.series.iter().zip(&expected) {
            prop_assert_eq!((series.event, series.measure), (*event, *measure));
            prop_assert_eq!(series.group.as_ref().map(|g| (g.value.clone(), g.other)), group.clone());
            let points: Vec<&TrendPoint> = series.points.iter().chain([&series.total]).collect();
            let [now, previous, year] = values;
            let want = |v: &Values| v.0.iter().copied().chain([v.1]).collect::<Vec<_>>();
            for (i, point) in points.iter().enumerate() {
                let label = format!("{measure:?} {group:?} point {i} of {}", points.len());
                prop_assert!(close(point.value, want(now)[i]), "{}: {:?} vs {:?}", label, point.value, want(now)[i]);
                if asked(Comparison::PreviousPeriod) {
                    let got = point.previous_period.as_ref().and_then(|c| c.value);
                    prop_assert!(close(got, want(previous)[i]), "{}: previous period {:?} vs {:?}", label, got, want(previous)[i]);
                }
                if asked(Comparison::PreviousYear) {
                    let got = point.previous_year.as_ref().and_then(|c| c.value);
                    prop_assert!(close(got, want(year)[i]), "{}: previous year {:?} vs {:?}", label, got, want(year)[i]);
                }
            }
        }
    }
}
