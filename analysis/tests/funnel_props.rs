//! Property tests of the funnel against a plain reference: random event streams (few entities,
//! few event names, small integer times), random windows, modes, options and exclusions.
//! - the matcher ([`match_entity`]) against [`reference`], level and reported chain;
//! - `window_funnel` in SQL over a table split into several batches, per entity;
//! - the whole path (`funnel::run`): entities per step and the median step times.
//!
//! Native only: the golden cases run in the browser too.

#![cfg(not(target_arch = "wasm32"))]

use chrono::NaiveDate;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Int64Type, Schema, TimeUnit};
use proptest::prelude::*;
use quiver_analysis::funnel::{FunnelEvent, MatchRules, WINDOW_FUNNEL, match_entity};
use quiver_engine::Engine;
use quiver_shared::analysis::AnalysisContext;
use quiver_shared::analysis::funnel::{FunnelMode, FunnelSpec, FunnelStep};
use quiver_shared::catalog::{ColumnInfo, ColumnRole, TableInfo};
use quiver_shared::pivot::{Filter, FilterOp};
use std::collections::BTreeMap;
use std::sync::Arc;

const T0: i64 = 1_709_856_000_000_000;
const SEC: i64 = 1_000_000;

// ---------------------------------------------------------------------------------------------
// The reference: the rules of SEMANTICS.md, written out plainly, slowly and without shortcuts.

/// An event as the reference sees it: which steps it matches, as a list of booleans.
#[derive(Clone, Debug)]
struct Plain {
    ts: i64,
    steps: Vec<bool>,
    excluded: bool,
    can_start: bool,
}

/// The level and the reported chain's times of one entity whose events are given in arrival
/// order.
fn reference(arrived: &[Plain], rules: &MatchRules) -> (usize, Vec<i64>) {
    // Sort by time, ties by arrival.
    let mut order: Vec<usize> = (0..arrived.len()).collect();
    order.sort_by_key(|&i| (arrived[i].ts, i));
    let events: Vec<&Plain> = order.iter().map(|&i| &arrived[i]).collect();
    let mut best: (usize, Vec<i64>) = (0, vec![]);
    for start in 0..events.len() {
        let chain = match rules.mode {
            FunnelMode::AnyOrder => reference_any_order(&events, start, rules),
            FunnelMode::Ordered | FunnelMode::Strict => reference_in_order(&events, start, rules),
        };
        let Some(chain) = chain else { continue };
        if chain.len() > best.0 {
            best = (chain.len(), chain.iter().map(|&i| events[i].ts).collect());
        }
    }
    best
}

/// The chain from `start` (None if no chain starts there), as indices into `events`.
fn reference_in_order(events: &[&Plain], start: usize, rules: &MatchRules) -> Option<Vec<usize>> {
    if !events[start].can_start || !events[start].steps[0] {
        return None;
    }
    let end = events[start].ts + rules.window;
    let mut chain = vec![start];
    for k in 1..rules.steps {
        let previous = *chain.last().unwrap();
        // The first later event that matches step k inside the window (and, with increase, is
        // strictly later than the previous step).
        let found = (previous + 1..events.len()).find(|&j| {
            events[j].steps[k] && events[j].ts <= end && !(rules.increase && events[j].ts <= events[previous].ts)
        });
        let Some(next) = found else { break };
        let between = &events[previous + 1..next];
        if rules.mode == FunnelMode::Strict && !between.is_empty() {
            break;
        }
        if between.iter().any(|e| e.excluded) {
            break;
        }
        if rules.dedup && between.iter().any(|e| (0..k).any(|filled| e.steps[filled])) {
            break;
        }
        chain.push(next);
    }
    Some(chain)
}

/// The chain from `start` in any order: walking the window, an event raises the level when the
/// events so far can fill more steps (each event one step) than before.
fn reference_any_order(events: &[&Plain], start: usize, rules: &MatchRules) -> Option<Vec<usize>> {
    let is_step = |e: &Plain| e.steps.iter().any(|&s| s);
    if !events[start].can_start || !is_step(events[start]) {
        return None;
    }
    let end = events[start].ts + rules.window;
    let mut seen: Vec<&Plain> = vec![];
    let mut chain: Vec<usize> = vec![];
    for j in start..events.len() {
        let e = events[j];
        if e.ts > end || chain.len() == rules.steps {
            break;
        }
        let too_soon = rules.increase && chain.last().is_some_and(|&last| e.ts <= events[last].ts);
        if is_step(e) && !too_soon {
            seen.push(e);
            if most_steps_filled(&seen, 0, 0) > chain.len() {
                chain.push(j);
                continue;
            }
        }
        if e.excluded || (rules.dedup && is_step(e)) {
            break;
        }
    }
    Some(chain)
}

/// How many steps `events[from..]` can fill, one step per event, none of the steps in `used`:
/// each event either fills no step or one step it matches that is still free.
fn most_steps_filled(events: &[&Plain], from: usize, used: u32) -> usize {
    let Some(e) = events.get(from) else { return 0 };
    let mut best = most_steps_filled(events, from + 1, used);
    for (k, &matches) in e.steps.iter().enumerate() {
        if matches && used & (1 << k) == 0 {
            best = best.max(1 + most_steps_filled(events, from + 1, used | (1 << k)));
        }
    }
    best
}

// ---------------------------------------------------------------------------------------------
// The matcher against the reference.

fn plain_event(steps: usize) -> impl Strategy<Value = Plain> {
    (
        0i64..30,
        prop::collection::vec(prop::bool::weighted(0.3), steps),
        prop::bool::weighted(0.15),
        prop::bool::weighted(0.85),
    )
        .prop_map(|(ts, steps, excluded, can_start)| Plain { ts, steps, excluded, can_start })
}

fn mode() -> impl Strategy<Value = FunnelMode> {
    prop::sample::select(vec![FunnelMode::Ordered, FunnelMode::Strict, FunnelMode::AnyOrder])
}

fn rules_and_events() -> impl Strategy<Value = (MatchRules, Vec<Plain>)> {
    (1usize..=4, 1i64..=20, mode(), any::<bool>(), any::<bool>()).prop_flat_map(
        |(steps, window, mode, dedup, increase)| {
            let rules = MatchRules { steps, window, mode, dedup, increase };
            (Just(rules), prop::collection::vec(plain_event(steps), 0..14))
        },
    )
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_matcher_agrees_with_the_reference((rules, arrived) in rules_and_events()) {
        let mut events: Vec<(usize, FunnelEvent)> = arrived
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let steps = p.steps.iter().enumerate().filter(|(_, s)| **s).fold(0u32, |m, (k, _)| m | 1 << k);
                (i, FunnelEvent { ts: p.ts, steps, excluded: p.excluded, can_start: p.can_start, value: i as u64 })
            })
            .collect();
        events.sort_by_key(|(i, e)| (e.ts, *i));
        let events: Vec<FunnelEvent> = events.into_iter().map(|(_, e)| e).collect();
        let chain = match_entity(&events, &rules);
        let times: Vec<i64> = chain.events.iter().map(|&i| events[i].ts).collect();
        prop_assert_eq!((chain.level, times), reference(&arrived, &rules));
    }
}

// ---------------------------------------------------------------------------------------------
// The whole path: an events table, specs over its columns.

/// One row of the random `events` table.
#[derive(Clone, Debug)]
struct Row {
    user: &'static str,
    secs: i64,
    name: &'static str,
    country: Option<&'static str>,
}

fn row() -> impl Strategy<Value = Row> {
    (
        prop::sample::select(vec!["u1", "u2", "u3", "u4"]),
        0i64..30,
        prop::sample::select(vec!["a", "b", "c", "x"]),
        prop::option::weighted(0.7, prop::sample::select(vec!["de", "fr"])),
    )
        .prop_map(|(user, secs, name, country)| Row { user, secs, name, country })
}

/// A step or exclusion: an event name or any event, maybe with a country.
fn step() -> impl Strategy<Value = FunnelStep> {
    (
        prop::option::weighted(0.8, prop::sample::select(vec!["a", "b", "c", "x"])),
        prop::option::weighted(0.25, prop::sample::select(vec!["de", "fr"])),
    )
        .prop_map(|(event, country)| FunnelStep {
            event: event.map(str::to_owned),
            filters: country
                .map(|c| Filter { column: "country".to_owned(), op: FilterOp::In { values: vec![Some(c.to_owned())] } })
                .into_iter()
                .collect(),
            label: None,
        })
}

fn spec() -> impl Strategy<Value = FunnelSpec> {
    (
        prop::collection::vec(step(), 1..=4),
        1u64..=20,
        mode(),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(step().prop_filter("exclusions name something", |s| s.event.is_some()), 0..=1),
    )
        .prop_map(|(steps, window_secs, mode, dedup, increase, exclusions)| FunnelSpec {
            steps,
            window_secs,
            mode,
            dedup,
            increase,
            exclusions,
            ..FunnelSpec::default()
        })
}

fn matches(step: &FunnelStep, row: &Row) -> bool {
    step.event.as_deref().is_none_or(|e| e == row.name)
        && step.filters.iter().all(|f| match &f.op {
            FilterOp::In { values } => values.contains(&row.country.map(str::to_owned)),
            _ => unreachable!("the generated filters are `in`"),
        })
}

fn plain(spec: &FunnelSpec, row: &Row) -> Plain {
    Plain {
        ts: row.secs,
        steps: spec.steps.iter().map(|s| matches(s, row)).collect(),
        excluded: spec.exclusions.iter().any(|s| matches(s, row)),
        can_start: true,
    }
}

fn rules(spec: &FunnelSpec) -> MatchRules {
    MatchRules {
        steps: spec.steps.len(),
        window: spec.window_secs as i64,
        mode: spec.mode,
        dedup: spec.dedup,
        increase: spec.increase,
    }
}

/// Each user's level and reported chain times (seconds), by the reference.
fn reference_by_user(spec: &FunnelSpec, rows: &[Row]) -> BTreeMap<&'static str, (usize, Vec<i64>)> {
    let mut by_user: BTreeMap<&'static str, Vec<Plain>> = BTreeMap::new();
    for row in rows {
        by_user.entry(row.user).or_default().push(plain(spec, row));
    }
    by_user.into_iter().map(|(user, events)| (user, reference(&events, &rules(spec)))).collect()
}

fn ts_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// The rows as `events`, split into batches at `cuts`, plus the columns the test SQL needs.
fn engine(spec: &FunnelSpec, rows: &[Row], cuts: &[usize]) -> Engine {
    let schema = Arc::new(Schema::new(vec![
        Field::new("ts", ts_type(), false),
        Field::new("user_id", DataType::Utf8, false),
        Field::new("event_name", DataType::Utf8, false),
        Field::new("country", DataType::Utf8, true),
        Field::new("m", DataType::Int64, false),
        Field::new("f", DataType::Int64, false),
    ]));
    let batch = |rows: &[Row]| {
        let plains: Vec<Plain> = rows.iter().map(|r| plain(spec, r)).collect();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(
                TimestampMicrosecondArray::from_iter_values(rows.iter().map(|r| T0 + r.secs * SEC))
                    .with_timezone("UTC"),
            ),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.user))),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.name))),
            Arc::new(StringArray::from_iter(rows.iter().map(|r| r.country))),
            Arc::new(Int64Array::from_iter_values(
                plains.iter().map(|p| p.steps.iter().enumerate().filter(|(_, s)| **s).fold(0, |m, (k, _)| m | 1 << k)),
            )),
            Arc::new(Int64Array::from_iter_values(plains.iter().map(|p| i64::from(p.excluded) | 2))),
        ];
        RecordBatch::try_new(schema.clone(), columns).unwrap()
    };
    let mut bounds: Vec<usize> = cuts.iter().map(|&c| c.min(rows.len())).collect();
    bounds.push(0);
    bounds.push(rows.len());
    bounds.sort_unstable();
    bounds.dedup();
    let batches: Vec<RecordBatch> = bounds.windows(2).map(|w| batch(&rows[w[0]..w[1]])).collect();
    let engine = Engine::new().unwrap();
    engine.register("events", schema, batches).unwrap();
    quiver_analysis::install(&engine);
    engine
}

fn catalogue() -> Vec<TableInfo> {
    let column = |name: &str, data_type: DataType, role| ColumnInfo {
        name: name.to_owned(),
        data_type: data_type.to_string(),
        nullable: true,
        role,
    };
    vec![TableInfo {
        name: "events".to_owned(),
        columns: vec![
            column("ts", ts_type(), ColumnRole::Time),
            column("user_id", DataType::Utf8, ColumnRole::Key),
            column("event_name", DataType::Utf8, ColumnRole::Dimension),
            column("country", DataType::Utf8, ColumnRole::Dimension),
        ],
        partition_keys: vec![],
        rows: 0,
        bytes: 0,
        date_range: None,
    }]
}

/// `window_funnel` straight in SQL: each user's level and chain times (seconds).
fn sql_by_user(engine: &Engine, spec: &FunnelSpec) -> BTreeMap<String, (usize, Vec<i64>)> {
    let mut mode = spec.mode.as_str().to_owned();
    if spec.dedup {
        mode += " dedup";
    }
    if spec.increase {
        mode += ",increase";
    }
    let sql = format!(
        "SELECT user_id, get_field(r, 'level') AS level, get_field(r, 'steps') AS steps FROM \
         (SELECT user_id, {WINDOW_FUNNEL}({}, '{mode}', {}, ts, m, f) AS r FROM events GROUP BY user_id)",
        spec.window_secs,
        spec.steps.len()
    );
    let output = engine.sql(&sql).unwrap();
    let mut by_user = BTreeMap::new();
    for batch in &output.batches {
        let users = batch.column(0).as_string::<i32>();
        let levels = batch.column(1).as_primitive::<Int32Type>();
        let steps = batch.column(2).as_list::<i32>();
        for row in 0..batch.num_rows() {
            let chain = steps.value(row);
            let times = chain.as_struct().column_by_name("ts").unwrap().as_primitive::<Int64Type>();
            let secs: Vec<i64> = times.values().iter().map(|t| (t - T0) / SEC).collect();
            by_user.insert(users.value(row).to_owned(), (levels.value(row) as usize, secs));
        }
    }
    by_user
}

/// The median of the step times of users at least at step `k` (1-based, k ≥ 2), interpolating.
fn median_gap(users: &BTreeMap<&str, (usize, Vec<i64>)>, k: usize) -> Option<f64> {
    let mut gaps: Vec<i64> =
        users.values().filter(|(level, _)| *level >= k).map(|(_, t)| t[k - 1] - t[k - 2]).collect();
    gaps.sort_unstable();
    match gaps.len() {
        0 => None,
        n if n % 2 == 1 => Some(gaps[n / 2] as f64),
        n => Some((gaps[n / 2 - 1] + gaps[n / 2]) as f64 / 2.0),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn sql_agrees_with_the_reference(
        spec in spec(),
        rows in prop::collection::vec(row(), 0..24),
        cuts in prop::collection::vec(0usize..24, 0..3),
    ) {
        let engine = engine(&spec, &rows, &cuts);
        let expected = reference_by_user(&spec, &rows);

        // Per user, through window_funnel.
        let found = sql_by_user(&engine, &spec);
        let found: BTreeMap<&str, (usize, Vec<i64>)> = found.iter().map(|(u, c)| (u.as_str(), c.clone())).collect();
        prop_assert_eq!(&found, &expected);

        // Aggregated, through the planned query.
        let tables = catalogue();
        let ctx = AnalysisContext {
            tables: &tables,
            time_zone: "UTC",
            today: NaiveDate::from_ymd_opt(2024, 3, 20).unwrap(),
            now_micros: T0,
        };
        let (result, _) = quiver_analysis::funnel::run(&engine, &spec, ctx).unwrap();
        let counts: Vec<u64> = result.steps.iter().map(|s| s.entities).collect();
        let expected_counts: Vec<u64> =
            (1..=spec.steps.len()).map(|k| expected.values().filter(|(level, _)| *level >= k).count() as u64).collect();
        prop_assert_eq!(counts, expected_counts);
        for k in 2..=spec.steps.len() {
            prop_assert_eq!(result.steps[k - 1].median_secs_from_previous, median_gap(&expected, k), "step {}", k);
        }
        let completed = expected.values().filter(|(level, _)| *level == spec.steps.len()).count() as u64;
        prop_assert_eq!(result.time_to_convert.iter().map(|b| b.entities).sum::<u64>(), completed);
    }
}

#[test]
fn the_reference_fills_each_step_with_its_own_event() {
    // The property tests lean on `most_steps_filled`; it must count an assignment, not a union.
    let both = Plain { ts: 0, steps: vec![true, true], excluded: false, can_start: true };
    let first = Plain { ts: 0, steps: vec![true, false], excluded: false, can_start: true };
    assert_eq!(most_steps_filled(&[&both], 0, 0), 1);
    assert_eq!(most_steps_filled(&[&both, &first], 0, 0), 2);
    assert_eq!(most_steps_filled(&[&first, &first], 0, 0), 1);
}

#[test]
fn sql_nulls_are_not_events() {
    // Rows without a time are skipped by window_funnel rather than read as time 0.
    let engine = Engine::new().unwrap();
    quiver_analysis::install(&engine);
    let out = engine
        .sql(&format!(
            "SELECT {WINDOW_FUNNEL}(10, 'ordered', 2, t, m, 2) AS r FROM (VALUES \
             (arrow_cast(NULL, 'Timestamp(Microsecond, None)'), 1), \
             (arrow_cast(5000000, 'Timestamp(Microsecond, None)'), 2)) AS v(t, m)"
        ))
        .unwrap();
    let level = out.batches[0].column(0).as_struct().column(0).as_primitive::<Int32Type>().value(0);
    assert_eq!(level, 0);
    assert!(!out.batches[0].column(0).is_null(0));
}
