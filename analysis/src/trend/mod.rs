//! The event trend: PV, UV and events per entity per time bucket, DAU/WAU/MAU, a breakdown by a
//! property, and comparisons with the previous period and the previous year. The rules are in
//! [`quiver_shared::analysis::trend`].
//!
//! Up to three queries (see [`plan`]): the breakdown's top values when there is a breakdown,
//! the bucket counts (PV, UV, per entity) and the active entities (DAU, WAU, MAU). Events are
//! placed in buckets by `bucket_index` ([`bucket`]) over the instants where the tenant's buckets
//! begin, and comparisons by the same function over the instants a period or a year earlier;
//! active entities come from `trailing_days` grouped by entity and `bit_counts` ([`active`]).

pub(crate) mod active;
pub(crate) mod bits;
pub(crate) mod bucket;
pub(crate) mod events;
mod plan;
pub(crate) mod read;

pub use active::{BIT_COUNTS, TRAILING_DAYS};
pub use bucket::BUCKET_INDEX;

use crate::AnalysisError;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, TimestampMicrosecondArray, UInt32Array,
};
use quiver_engine::{Engine, QueryOutput};
use quiver_shared::analysis::AnalysisContext;
use quiver_shared::analysis::trend::{
    BreakdownGroup, Change, Comparison, TrendBucket, TrendMeasure, TrendPoint, TrendResult, TrendSeries, TrendSpec,
    next_bucket,
};
use read::each_batch;
use std::collections::HashMap;
use std::sync::Arc;

/// Registers `bucket_index`, `trailing_days` and `bit_counts` (stickiness uses the first too).
pub(crate) fn install(engine: &Engine) {
    engine.register_udf(bucket::BucketIndex::udf());
    engine.register_udaf(active::TrailingDays::udaf());
    engine.register_udaf(active::BitCounts::udaf());
}

/// A breakdown group's key in the queries: the label (none for null and for other) and
/// whether it is "other".
type GroupKey = (Option<String>, bool);

/// The counts of one query, by (comparison, series, group) and then by bucket number (`None`
/// for the range's total).
type Counts<T> = HashMap<(u8, usize, GroupKey), HashMap<Option<usize>, T>>;

/// Reads the key columns `cmp`, `series`, `label`, `other` of a result batch.
fn keys(batch: &RecordBatch) -> Result<Vec<(u8, usize, GroupKey)>, AnalysisError> {
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
    let checked = plan::check(spec, &ctx)?;
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
    let index = |i: Option<i64>| i.and_then(|i| usize::try_from(i).ok());
    let mut buckets: Counts<(u64, u64)> = HashMap::new();
    if spec.measures.iter().any(|m| !m.is_active()) {
        let output = engine.sql(&checked.bucket_sql(top.as_deref()))?;
        for ((key, bucket), (pv, uv)) in each_batch(&output, |batch| {
            let keys = keys(batch)?;
            let bucket = read::ints(batch, "bucket")?;
            let pv = read::ints(batch, "pv")?;
            let uv = read::ints(batch, "uv")?;
            Ok(keys.into_iter().zip(bucket).zip(pv.into_iter().zip(uv)).collect())
        })? {
            let counts = (pv.unwrap_or_default() as u64, uv.unwrap_or_default() as u64);
            buckets.entry(key).or_default().insert(index(bucket), counts);
        }
    }
    let mut windows: Vec<u64> = spec.measures.iter().filter(|m| m.is_active()).map(|m| m.window_days()).collect();
    windows.sort_unstable();
    let mut active: HashMap<u64, Counts<u64>> = HashMap::new();
    if !windows.is_empty() {
        let output = engine.sql(&checked.active_sql(top.as_deref(), &windows))?;
        let days = checked.days() as usize;
        for (key, counts) in
            each_batch(&output, |batch| Ok(keys(batch)?.into_iter().zip(read::int_lists(batch, "active")?).collect()))?
        {
            for (w, window) in windows.iter().enumerate() {
                let per_day = active.entry(*window).or_default().entry(key.clone()).or_default();
                for day in 0..days {
                    let count = counts.get(w * days + day).copied().unwrap_or(0);
                    per_day.insert(Some(day), count.max(0) as u64);
                }
            }
        }
    }
    let now = checked.events.local(ctx.now_micros);
    let result = shape(&checked, &groups, &buckets, &active, now);
    let table = tidy_table(&result)?;
    Ok((result, table))
}

fn shape(
    checked: &plan::Checked<'_>,
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
                let value = |cmp: u8, bucket: Option<usize>| -> Option<f64> {
                    let key = (cmp, event, group.clone());
                    if measure.is_active() {
                        let days = active.get(&measure.window_days()).and_then(|a| a.get(&key));
                        return match bucket {
                            Some(_) => Some(days.and_then(|d| d.get(&bucket)).copied().unwrap_or(0) as f64),
                            // The range's total of a daily count is its mean over the days.
                            None => {
                                let total: u64 = (0..checked.buckets.len())
                                    .map(|b| days.and_then(|d| d.get(&Some(b))).copied().unwrap_or(0))
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
                let point = |bucket: Option<usize>| {
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
                    points: (0..checked.buckets.len()).map(|b| point(Some(b))).collect(),
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
