//! The distribution and stickiness analyses: entities bucketed by how many times they did the
//! event in the range, and by on how many distinct local days they did it. The rules are in
//! [`quiver_shared::analysis::distribution`].
//!
//! Each is one query: a count per entity (`GROUP BY entity`), then a count of entities per
//! bucket of that count. An event's local day is its number among the range's days
//! (`bucket_index` over the instants of their midnights), not a time-zone conversion per event.

use crate::AnalysisError;
use crate::trend::bucket::{BUCKET_INDEX, starts_literal};
use crate::trend::events::Events;
use crate::trend::read::{self, each_batch, tidy};
use chrono::NaiveDate;
use datafusion::arrow::array::{ArrayRef, Float64Array, StringArray, UInt32Array, UInt64Array};
use quiver_engine::{Engine, QueryOutput};
use quiver_shared::analysis::distribution::{
    DistributionResult, DistributionSpec, FrequencyBucket, StickinessBucket, StickinessResult, StickinessSpec,
    bucket_label,
};
use quiver_shared::analysis::trend::EventSelection;
use quiver_shared::analysis::{AnalysisContext, SpecError};
use quiver_shared::pivot::Filter;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

/// Registers these analyses' functions: none, they are plain SQL.
pub(crate) fn install(_engine: &Engine) {}

/// The checked parts both analyses share: the range's days and the query over each entity's
/// matching events, with `per_entity` (an aggregate over them) as its `n` column.
struct PerEntity {
    first: NaiveDate,
    last: NaiveDate,
    sql: String,
}

fn per_entity(
    events: &Events<'_>,
    event: &EventSelection,
    filters: &[Filter],
    (first, last): (NaiveDate, NaiveDate),
    per_entity: &str,
) -> Result<PerEntity, SpecError> {
    let base = events.base_condition(filters, "filters")?;
    let selection = events.selection(event, "event")?;
    let sql = format!(
        "SELECT {per_entity} AS n\n  FROM {}\n  WHERE {base} AND {} AND ({selection})\n  GROUP BY {}",
        events.from,
        events.days_condition(first, last.succ_opt()),
        events.entity,
    );
    Ok(PerEntity { first, last, sql })
}

fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Plans and runs a distribution. The tidy table has one row per bucket: `bucket` (its
/// index), `min`, `max` (null for the last), `label`, `entities`, `share`.
pub fn run_distribution(
    engine: &Engine,
    spec: &DistributionSpec,
    ctx: AnalysisContext<'_>,
) -> Result<(DistributionResult, QueryOutput), AnalysisError> {
    let events = Events::check(&spec.source, &ctx)?;
    check_bounds(&spec.bounds)?;
    let range = events.date_range(&spec.date_range, ctx.today)?;
    let counted = per_entity(&events, &spec.event, &spec.filters, range, "count(*)")?;
    let mut bucket = String::from("CASE");
    for (i, bound) in spec.bounds.iter().enumerate().rev() {
        let _ = write!(bucket, " WHEN n >= {bound} THEN {i}");
    }
    bucket.push_str(" END");
    let sql = format!(
        "WITH per_entity AS (\n  {}\n)\nSELECT {bucket} AS bucket, count(*) AS entities, sum(n) AS events\n\
         FROM per_entity\nGROUP BY 1",
        counted.sql
    );
    let output = engine.sql(&sql)?;
    let mut counts: HashMap<usize, (u64, u64)> = HashMap::new();
    for (bucket, (entities, events)) in each_batch(&output, |batch| {
        let buckets = read::ints(batch, "bucket")?;
        let entities = read::ints(batch, "entities")?;
        let events = read::ints(batch, "events")?;
        Ok(buckets.into_iter().zip(entities.into_iter().zip(events)).collect())
    })? {
        let bucket = bucket.ok_or_else(|| AnalysisError::Result("an entity below the first bound".to_owned()))?;
        counts.insert(bucket as usize, (entities.unwrap_or(0) as u64, events.unwrap_or(0) as u64));
    }
    let entities: u64 = counts.values().map(|c| c.0).sum();
    let buckets: Vec<FrequencyBucket> = spec
        .bounds
        .iter()
        .enumerate()
        .map(|(i, &min)| {
            let max = spec.bounds.get(i + 1).map(|next| next - 1);
            let count = counts.get(&i).map_or(0, |c| c.0);
            FrequencyBucket { min, max, label: bucket_label(min, max), entities: count, share: share(count, entities) }
        })
        .collect();
    let result = DistributionResult {
        first_day: counted.first,
        last_day: counted.last,
        entities,
        events: counts.values().map(|c| c.1).sum(),
        buckets,
    };
    let b = &result.buckets;
    let table = tidy(vec![
        ("bucket", Arc::new(UInt32Array::from_iter_values(0..b.len() as u32)) as ArrayRef),
        ("min", Arc::new(UInt64Array::from_iter_values(b.iter().map(|b| b.min)))),
        ("max", Arc::new(UInt64Array::from_iter(b.iter().map(|b| b.max)))),
        ("label", Arc::new(StringArray::from_iter_values(b.iter().map(|b| b.label.as_str())))),
        ("entities", Arc::new(UInt64Array::from_iter_values(b.iter().map(|b| b.entities)))),
        ("share", Arc::new(Float64Array::from_iter(b.iter().map(|b| b.share)))),
    ])?;
    Ok((result, table))
}

fn check_bounds(bounds: &[u64]) -> Result<(), SpecError> {
    if bounds.is_empty() || bounds.len() > DistributionSpec::MAX_BUCKETS {
        return Err(SpecError::new(
            "bounds",
            format!("give 1 to {} lower bounds, not {}", DistributionSpec::MAX_BUCKETS, bounds.len()),
        ));
    }
    if bounds[0] != 1 {
        return Err(SpecError::new("bounds[0]", "start at 1, so that every entity that did the event is counted"));
    }
    for i in 1..bounds.len() {
        if bounds[i] <= bounds[i - 1] {
            return Err(SpecError::new(
                format!("bounds[{i}]"),
                format!("bounds go up: {} does not come after {}", bounds[i], bounds[i - 1]),
            ));
        }
    }
    Ok(())
}

/// Plans and runs a stickiness analysis. The tidy table has one row per number of days:
/// `days`, `entities`, `share`, `at_least_share`.
pub fn run_stickiness(
    engine: &Engine,
    spec: &StickinessSpec,
    ctx: AnalysisContext<'_>,
) -> Result<(StickinessResult, QueryOutput), AnalysisError> {
    let events = Events::check(&spec.source, &ctx)?;
    let (first, last) = events.date_range(&spec.date_range, ctx.today)?;
    let days = (last - first).num_days() + 1;
    if days > i64::from(StickinessSpec::MAX_DAYS) {
        return Err(SpecError::new(
            "date_range",
            format!("at most {} days (one bucket each), not {days}", StickinessSpec::MAX_DAYS),
        )
        .into());
    }
    let days = days as u32;
    // The local day of each event, as its number among the range's days.
    let midnights = events.midnights(&first.iter_days().take(days as usize + 1).collect::<Vec<_>>());
    let distinct_days =
        format!("count(DISTINCT {BUCKET_INDEX}({}, {}))", events.zoned_time(), starts_literal(&midnights));
    let counted = per_entity(&events, &spec.event, &spec.filters, (first, last), &distinct_days)?;
    let sql = format!(
        "WITH per_entity AS (\n  {}\n)\nSELECT n AS days, count(*) AS entities\nFROM per_entity\nGROUP BY 1",
        counted.sql
    );
    let output = engine.sql(&sql)?;
    let mut counts: HashMap<u32, u64> = HashMap::new();
    for (active, entities) in each_batch(&output, |batch| {
        Ok(read::ints(batch, "days")?.into_iter().zip(read::ints(batch, "entities")?).collect())
    })? {
        let active = active.and_then(|d| u32::try_from(d).ok()).filter(|d| (1..=days).contains(d));
        let active = active.ok_or_else(|| AnalysisError::Result("active days outside the range".to_owned()))?;
        counts.insert(active, entities.unwrap_or(0) as u64);
    }
    let entities: u64 = counts.values().sum();
    let mut at_least = entities;
    let mut buckets = Vec::new();
    for day in 1..=days {
        let count = counts.get(&day).copied().unwrap_or(0);
        buckets.push(StickinessBucket {
            days: day,
            entities: count,
            share: share(count, entities),
            at_least_share: share(at_least, entities),
        });
        at_least -= count;
    }
    let active_days: u64 = counts.iter().map(|(d, n)| u64::from(*d) * n).sum();
    let result = StickinessResult {
        first_day: counted.first,
        last_day: counted.last,
        days,
        entities,
        mean_days: share(active_days, entities),
        buckets,
    };
    let b = &result.buckets;
    let table = tidy(vec![
        ("days", Arc::new(UInt32Array::from_iter_values(b.iter().map(|b| b.days))) as ArrayRef),
        ("entities", Arc::new(UInt64Array::from_iter_values(b.iter().map(|b| b.entities)))),
        ("share", Arc::new(Float64Array::from_iter(b.iter().map(|b| b.share)))),
        ("at_least_share", Arc::new(Float64Array::from_iter(b.iter().map(|b| b.at_least_share)))),
    ])?;
    Ok((result, table))
}
