//! The event trend: PV, UV and events per entity per time bucket, DAU/WAU/MAU, a breakdown by a
//! property, and comparisons with the previous period and the previous year. The rules are in
//! [`quiver_shared::analysis::trend`].
//!
//! Up to three queries: the breakdown's top values (when there is a breakdown), the bucket
//! counts (PV, UV, per entity) and the active entities (DAU, WAU, MAU). The last two share one
//! shape: the events of each compared range are moved forward onto the range's days (`+ INTERVAL
//! '28 days'`, `+ INTERVAL '1 year'` on local wall-clock times), so every comparison is bucketed
//! with the same buckets as the range itself:
//!
//! ```text
//! WITH base AS (SELECT entity, <local time> AS lt, <breakdown label>, <series conditions> FROM events WHERE …),
//!      shifted AS (SELECT 0 AS cmp, … lt … UNION ALL SELECT 1 AS cmp, … lt + INTERVAL '28 days' … ),
//!      series AS (SELECT cmp, 0 AS series, … WHERE s0 UNION ALL …)
//! SELECT cmp, series, label, other, bucket, count(*) AS pv, count(DISTINCT entity) AS uv
//! FROM (… date_trunc('day', lt) AS bucket …) GROUP BY GROUPING SETS ((…, bucket), (…))
//! ```
//!
//! Active entities over a trailing window use per-entity spans: each active day `d` of an entity
//! covers the days up to `d + window - 1` or the entity's next active day, whichever comes first;
//! the running sum of +1 at each span's start and -1 at its end is the count on each day.

pub(crate) mod bits;
pub(crate) mod events;
pub(crate) mod read;

use crate::AnalysisError;
use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};
use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Float64Array, StringArray, TimestampMicrosecondArray, UInt32Array,
};
use events::{Events, local_time_literal};
use quiver_engine::{Engine, QueryOutput};
use quiver_shared::analysis::trend::{
    Breakdown, BreakdownGroup, Change, Comparison, TrendBucket, TrendMeasure, TrendPoint, TrendResult, TrendSeries,
    TrendSpec, bucket_starts, next_bucket,
};
use quiver_shared::analysis::{AnalysisContext, SpecError};
use quiver_shared::pivot::TimeGrain;
use quiver_shared::sql::quote_str;
use read::each_batch;
use std::collections::HashMap;
use std::sync::Arc;

/// Registers this analysis's functions: none, it is plain SQL.
pub(crate) fn install(_engine: &Engine) {}

/// A breakdown group's key in the queries: the label (none for null and for other) and
/// whether it is "other".
type GroupKey = (Option<String>, bool);

/// The spec, checked.
struct Checked<'a> {
    spec: &'a TrendSpec,
    events: Events<'a>,
    base: String,
    series: Vec<String>,
    first: NaiveDate,
    last: NaiveDate,
    /// The comparisons asked for, as (query number, comparison): 1 and 2.
    compare: Vec<(u8, Comparison)>,
    buckets: Vec<NaiveDateTime>,
}

fn check<'a>(spec: &'a TrendSpec, ctx: &AnalysisContext<'a>) -> Result<Checked<'a>, SpecError> {
    let events = Events::check(&spec.source, ctx)?;
    let base = events.base_condition(&spec.filters, "filters")?;
    if spec.events.is_empty() || spec.events.len() > TrendSpec::MAX_SERIES {
        return Err(SpecError::new(
            "events",
            format!("choose 1 to {} events, not {}", TrendSpec::MAX_SERIES, spec.events.len()),
        ));
    }
    let series = spec
        .events
        .iter()
        .enumerate()
        .map(|(i, selection)| events.selection(selection, &format!("events[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    if spec.measures.is_empty() {
        return Err(SpecError::new("measures", "choose at least one measure"));
    }
    for (i, measure) in spec.measures.iter().enumerate() {
        if spec.measures[..i].contains(measure) {
            return Err(SpecError::new(format!("measures[{i}]"), format!("`{}` is already there", measure.as_str())));
        }
        if measure.is_active() && spec.grain != TimeGrain::Day {
            return Err(SpecError::new(
                "grain",
                format!("{} is counted for each day: choose the day grain", measure.as_str().to_uppercase()),
            ));
        }
    }
    let mut compare = Vec::new();
    for (i, comparison) in spec.compare.iter().enumerate() {
        if spec.compare[..i].contains(comparison) {
            return Err(SpecError::new(format!("compare[{i}]"), "this comparison is already there"));
        }
        compare.push((if *comparison == Comparison::PreviousPeriod { 1 } else { 2 }, *comparison));
    }
    if let Some(breakdown) = &spec.breakdown {
        if ctx.table(&spec.source.table, "source.table")?.column(&breakdown.column).is_none() {
            return Err(SpecError::new(
                "breakdown.column",
                format!("the table `{}` has no column `{}`", spec.source.table, breakdown.column),
            ));
        }
        if breakdown.top == 0 || breakdown.top > Breakdown::MAX_TOP {
            return Err(SpecError::new(
                "breakdown.top",
                format!("keep 1 to {} values, not {}", Breakdown::MAX_TOP, breakdown.top),
            ));
        }
    }
    let (first, last) = events.date_range(&spec.date_range, ctx.today)?;
    let buckets = bucket_starts(spec.grain, first, last, TrendSpec::MAX_BUCKETS).ok_or_else(|| {
        SpecError::new(
            "grain",
            format!("more than {} buckets: choose a coarser grain or a shorter range", TrendSpec::MAX_BUCKETS),
        )
    })?;
    for (_, comparison) in &compare {
        if comparison.shifted(first, last).is_none() {
            return Err(SpecError::new("compare", "the compared days are out of the calendar"));
        }
    }
    Ok(Checked { spec, events, base, series, first, last, compare, buckets })
}

impl Checked<'_> {
    /// The top values of the breakdown by events in the range (all series), one more than
    /// kept, so that the caller knows whether there is an "other".
    fn top_values(&self, engine: &Engine, breakdown: &Breakdown) -> Result<Vec<Option<String>>, AnalysisError> {
        let sql = format!(
            "SELECT CAST({column} AS VARCHAR) AS value, count(*) AS events\nFROM {from}\nWHERE {base} AND {range} AND ({any})\n\
             GROUP BY 1\nORDER BY events DESC, value ASC NULLS LAST\nLIMIT {limit}",
            column = quiver_shared::sql::quote_ident(&breakdown.column),
            from = self.events.from,
            base = self.base,
            range = self.events.days_condition(self.first, self.last.succ_opt()),
            any = self.series.iter().map(|s| format!("({s})")).collect::<Vec<_>>().join(" OR "),
            limit = u64::from(breakdown.top) + 1,
        );
        let output = engine.sql(&sql)?;
        each_batch(&output, |batch| read::texts(batch, "value"))
    }

    /// The shared `WITH base, shifted, series` of both counting queries, keeping events whose
    /// (shifted) local time falls from `lead_in` days before the range to its end.
    fn series_sql(&self, top: Option<&[Option<String>]>, lead_in: u64) -> String {
        let (label, other) = match (&self.spec.breakdown, top) {
            (Some(breakdown), Some(top)) => {
                let text = format!("CAST({} AS VARCHAR)", quiver_shared::sql::quote_ident(&breakdown.column));
                let listed: Vec<String> = top.iter().flatten().map(|v| quote_str(v)).collect();
                let null_listed = top.iter().any(Option::is_none);
                let in_list =
                    if listed.is_empty() { "FALSE".to_owned() } else { format!("{text} IN ({})", listed.join(", ")) };
                let other = format!("CASE WHEN {text} IS NULL THEN {} ELSE NOT ({in_list}) END", !null_listed);
                (format!("CASE WHEN {other} THEN NULL ELSE {text} END"), other)
            }
            _ => ("CAST(NULL AS VARCHAR)".to_owned(), "FALSE".to_owned()),
        };
        let flags: Vec<String> = self.series.iter().enumerate().map(|(i, s)| format!("({s}) AS s{i}")).collect();
        // The range resolved with "today" its last day is the range itself, relative or not.
        let needed = self.spec.needed_days(self.last);
        let from = self.first.checked_sub_days(Days::new(lead_in)).unwrap_or(NaiveDate::MIN);
        let (lo, hi) = (
            local_time_literal(from.and_time(NaiveTime::MIN)),
            local_time_literal(self.last.succ_opt().unwrap_or(NaiveDate::MAX).and_time(NaiveTime::MIN)),
        );
        let mut shifted = Vec::new();
        let columns = std::iter::once("entity".to_owned())
            .chain(["label".to_owned(), "other".to_owned()])
            .chain((0..self.series.len()).map(|i| format!("s{i}")))
            .collect::<Vec<_>>()
            .join(", ");
        let shifts = std::iter::once((0, None)).chain(self.compare.iter().map(|(n, c)| (*n, Some(*c))));
        for (number, comparison) in shifts {
            let time = match comparison {
                None => "lt".to_owned(),
                Some(Comparison::PreviousPeriod) => {
                    format!("lt + INTERVAL '{} days'", (self.last - self.first).num_days() + 1)
                }
                Some(Comparison::PreviousYear) => "lt + INTERVAL '1 year'".to_owned(),
            };
            shifted.push(format!(
                "SELECT {number} AS cmp, {time} AS lt, {columns} FROM base WHERE {time} >= {lo} AND {time} < {hi}"
            ));
        }
        let series: Vec<String> = (0..self.series.len())
            .map(|i| format!("SELECT cmp, {i} AS series, entity, lt, label, other FROM shifted WHERE s{i}"))
            .collect();
        format!(
            "WITH base AS (\n  SELECT {entity} AS entity, {lt} AS lt, {label} AS label, {other} AS other, {flags}\n  \
             FROM {from_table}\n  WHERE {base} AND {needed}\n),\nshifted AS (\n  {shifted}\n),\nseries AS (\n  {series}\n)",
            entity = self.events.entity,
            lt = self.events.local_time(),
            flags = flags.join(", "),
            from_table = self.events.from,
            base = self.base,
            needed = self.events.any_days_condition(&needed),
            shifted = shifted.join("\n  UNION ALL\n  "),
            series = series.join("\n  UNION ALL\n  "),
        )
    }

    /// PV and UV per (comparison, series, group, bucket), and over the range (bucket null).
    fn bucket_sql(&self, top: Option<&[Option<String>]>) -> String {
        format!(
            "{},\nbucketed AS (SELECT cmp, series, label, other, entity, date_trunc('{grain}', lt) AS bucket FROM series)\n\
             SELECT cmp, series, label, other, bucket, count(*) AS pv, count(DISTINCT entity) AS uv\nFROM bucketed\n\
             GROUP BY GROUPING SETS ((cmp, series, label, other, bucket), (cmp, series, label, other))",
            self.series_sql(top, 0),
            grain = self.spec.grain.as_str(),
        )
    }

    /// Active entities over `window` days ending on each day, per (comparison, series, group),
    /// on the days where the count changes (as days since 1970).
    fn active_sql(&self, top: Option<&[Option<String>]>, window: u64) -> String {
        let keys = "cmp, series, label, other";
        format!(
            "{series},\n\
             active_days AS (SELECT DISTINCT {keys}, entity, CAST(CAST(lt AS DATE) AS INT) AS day FROM series),\n\
             spans AS (\n  SELECT {keys}, day AS from_day,\n    \
               least(day + {window}, coalesce(lead(day) OVER (PARTITION BY {keys}, entity ORDER BY day), day + {window})) AS to_day\n  \
               FROM active_days\n),\n\
             deltas AS (\n  SELECT {keys}, from_day AS day, 1 AS delta FROM spans\n  UNION ALL\n  \
               SELECT {keys}, to_day AS day, -1 AS delta FROM spans\n)\n\
             SELECT {keys}, day, sum(sum(delta)) OVER (PARTITION BY {keys} ORDER BY day) AS active\n\
             FROM deltas\nGROUP BY {keys}, day",
            series = self.series_sql(top, window - 1),
        )
    }
}

/// The counts of one query, by (comparison, series, group) and then by bucket (`None` for the
/// range's total).
type Counts<T> = HashMap<(u8, usize, GroupKey), HashMap<Option<NaiveDateTime>, T>>;

/// Reads the key columns `cmp`, `series`, `label`, `other` of a result batch.
fn keys(batch: &datafusion::arrow::array::RecordBatch) -> Result<Vec<(u8, usize, GroupKey)>, AnalysisError> {
    let cmp = read::ints(batch, "cmp")?;
    let series = read::ints(batch, "series")?;
    let labels = read::texts(batch, "label")?;
    let others = read::bools(batch, "other")?;
    Ok(cmp
        .into_iter()
        .zip(series)
        .zip(labels)
        .zip(others)
        .map(|(((c, s), label), other)| {
            (c.unwrap_or_default() as u8, s.unwrap_or_default() as usize, (label, other.unwrap_or_default()))
        })
        .collect())
}

/// Plans and runs `spec`. The tidy table has one row per (series, bucket) and one per series'
/// total: `event` (the selection's index), `measure`, `group` (the breakdown value, null for
/// null, for "other" and without a breakdown), `other`, `bucket` (local wall-clock start; null
/// for the total), `value`, and for each comparison its earlier value and the absolute and
/// relative change (`previous_period_value`, `previous_period_absolute`,
/// `previous_period_relative`, likewise `previous_year_…`; null when not asked for).
pub fn run(
    engine: &Engine,
    spec: &TrendSpec,
    ctx: AnalysisContext<'_>,
) -> Result<(TrendResult, QueryOutput), AnalysisError> {
    let checked = check(spec, &ctx)?;
    let mut groups: Vec<GroupKey> = vec![(None, false)];
    let mut top = None;
    if let Some(breakdown) = &spec.breakdown {
        let mut values = checked.top_values(engine, breakdown)?;
        let has_other = values.len() > breakdown.top as usize;
        values.truncate(breakdown.top as usize);
        groups = values.iter().map(|v| (v.clone(), false)).collect();
        if has_other {
            groups.push((None, true));
        }
        top = Some(values);
    }
    let mut buckets: Counts<(u64, u64)> = HashMap::new();
    if spec.measures.iter().any(|m| !m.is_active()) {
        let output = engine.sql(&checked.bucket_sql(top.as_deref()))?;
        for ((key, bucket), (pv, uv)) in each_batch(&output, |batch| {
            let keys = keys(batch)?;
            let bucket = read::local_times(batch, "bucket")?;
            let pv = read::ints(batch, "pv")?;
            let uv = read::ints(batch, "uv")?;
            Ok(keys.into_iter().zip(bucket).zip(pv.into_iter().zip(uv)).collect())
        })? {
            let counts = (pv.unwrap_or_default() as u64, uv.unwrap_or_default() as u64);
            buckets.entry(key).or_default().insert(bucket, counts);
        }
    }
    let mut active: HashMap<u64, Counts<u64>> = HashMap::new();
    for measure in spec.measures.iter().filter(|m| m.is_active()) {
        let window = measure.window_days();
        let output = engine.sql(&checked.active_sql(top.as_deref(), window))?;
        // The count on each day of the range is the running sum at the last change on or before it.
        let mut changes: HashMap<(u8, usize, GroupKey), Vec<(i64, i64)>> = HashMap::new();
        for (key, (day, count)) in each_batch(&output, |batch| {
            let keys = keys(batch)?;
            let days = read::ints(batch, "day")?;
            let counts = read::ints(batch, "active")?;
            Ok(keys.into_iter().zip(days.into_iter().zip(counts)).collect())
        })? {
            changes.entry(key).or_default().push((day.unwrap_or_default(), count.unwrap_or_default()));
        }
        let per_day = active.entry(window).or_default();
        for (key, mut changes) in changes {
            changes.sort_unstable();
            let days = per_day.entry(key).or_default();
            for bucket in &checked.buckets {
                let day = i64::from(read::to_epoch_day(bucket.date()));
                let at = changes.partition_point(|(d, _)| *d <= day);
                let count = at.checked_sub(1).map_or(0, |i| changes[i].1);
                days.insert(Some(*bucket), count.max(0) as u64);
            }
        }
    }
    let now = checked.events.local_now(engine, ctx.now_micros)?;
    let result = shape(&checked, &groups, &buckets, &active, now);
    let table = tidy_table(&result)?;
    Ok((result, table))
}

fn shape(
    checked: &Checked<'_>,
    groups: &[GroupKey],
    buckets: &Counts<(u64, u64)>,
    active: &HashMap<u64, Counts<u64>>,
    now: NaiveDateTime,
) -> TrendResult {
    let spec = checked.spec;
    let start = checked.first.and_time(NaiveTime::MIN);
    let end = checked.last.succ_opt().unwrap_or(NaiveDate::MAX).and_time(NaiveTime::MIN);
    let bucket_list: Vec<TrendBucket> = checked
        .buckets
        .iter()
        .map(|&at| {
            let next = next_bucket(spec.grain, at).unwrap_or(NaiveDateTime::MAX);
            TrendBucket { start: at, partial: at < start || next > end || next > now }
        })
        .collect();
    let has = |comparison| checked.compare.iter().any(|(_, c)| *c == comparison);
    let mut series = Vec::new();
    for event in 0..spec.events.len() {
        for &measure in &spec.measures {
            for group in groups {
                let value = |cmp: u8, bucket: Option<NaiveDateTime>| -> Option<f64> {
                    let key = (cmp, event, group.clone());
                    if measure.is_active() {
                        let days = active.get(&measure.window_days()).and_then(|a| a.get(&key));
                        return match bucket {
                            Some(_) => Some(days.and_then(|d| d.get(&bucket)).copied().unwrap_or(0) as f64),
                            // The range's total of a daily count is its mean over the days.
                            None => {
                                let total: u64 = checked
                                    .buckets
                                    .iter()
                                    .map(|b| days.and_then(|d| d.get(&Some(*b))).copied().unwrap_or(0))
                                    .sum();
                                Some(total as f64 / checked.buckets.len().max(1) as f64)
                            }
                        };
                    }
                    let (pv, uv) = buckets.get(&key).and_then(|b| b.get(&bucket)).copied().unwrap_or((0, 0));
                    match measure {
                        TrendMeasure::Pv => Some(pv as f64),
                        TrendMeasure::Uv => Some(uv as f64),
                        _ => (uv > 0).then(|| pv as f64 / uv as f64),
                    }
                };
                let point = |bucket: Option<NaiveDateTime>| {
                    let now = value(0, bucket);
                    TrendPoint {
                        value: now,
                        previous_period: has(Comparison::PreviousPeriod)
                            .then(|| Change::between(now, value(1, bucket))),
                        previous_year: has(Comparison::PreviousYear).then(|| Change::between(now, value(2, bucket))),
                    }
                };
                series.push(TrendSeries {
                    event,
                    measure,
                    group: spec.breakdown.as_ref().map(|_| BreakdownGroup { value: group.0.clone(), other: group.1 }),
                    points: checked.buckets.iter().map(|b| point(Some(*b))).collect(),
                    total: point(None),
                });
            }
        }
    }
    TrendResult {
        grain: spec.grain,
        first_day: checked.first,
        last_day: checked.last,
        buckets: bucket_list,
        previous_period: has(Comparison::PreviousPeriod)
            .then(|| Comparison::PreviousPeriod.shifted(checked.first, checked.last))
            .flatten(),
        previous_year: has(Comparison::PreviousYear)
            .then(|| Comparison::PreviousYear.shifted(checked.first, checked.last))
            .flatten(),
        series,
    }
}

fn tidy_table(result: &TrendResult) -> Result<QueryOutput, AnalysisError> {
    let rows: Vec<(&TrendSeries, Option<NaiveDateTime>, &TrendPoint)> = result
        .series
        .iter()
        .flat_map(|s| {
            let points = result.buckets.iter().zip(&s.points).map(move |(b, p)| (s, Some(b.start), p));
            points.chain(std::iter::once((s, None, &s.total)))
        })
        .collect();
    let change = |pick: fn(&TrendPoint) -> Option<&Change>, part: fn(&Change) -> Option<f64>| -> ArrayRef {
        Arc::new(Float64Array::from_iter(rows.iter().map(|(_, _, p)| pick(p).and_then(part))))
    };
    fn pp(p: &TrendPoint) -> Option<&Change> {
        p.previous_period.as_ref()
    }
    fn py(p: &TrendPoint) -> Option<&Change> {
        p.previous_year.as_ref()
    }
    let micros = |at: NaiveDateTime| at.and_utc().timestamp_micros();
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("event", Arc::new(UInt32Array::from_iter_values(rows.iter().map(|(s, _, _)| s.event as u32)))),
        ("measure", Arc::new(StringArray::from_iter_values(rows.iter().map(|(s, _, _)| s.measure.as_str())))),
        (
            "group",
            Arc::new(StringArray::from_iter(
                rows.iter().map(|(s, _, _)| s.group.as_ref().and_then(|g| g.value.clone())),
            )),
        ),
        (
            "other",
            Arc::new(BooleanArray::from_iter(
                rows.iter().map(|(s, _, _)| Some(s.group.as_ref().is_some_and(|g| g.other))),
            )),
        ),
        ("bucket", Arc::new(TimestampMicrosecondArray::from_iter(rows.iter().map(|(_, b, _)| b.map(micros))))),
        ("value", Arc::new(Float64Array::from_iter(rows.iter().map(|(_, _, p)| p.value)))),
        ("previous_period_value", change(pp, |c| c.value)),
        ("previous_period_absolute", change(pp, |c| c.absolute)),
        ("previous_period_relative", change(pp, |c| c.relative)),
        ("previous_year_value", change(py, |c| c.value)),
        ("previous_year_absolute", change(py, |c| c.absolute)),
        ("previous_year_relative", change(py, |c| c.relative)),
    ];
    read::tidy(columns)
}
