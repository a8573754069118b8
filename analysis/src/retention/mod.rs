//! The retention analysis: cohorts by the period of their start event, and the share of each
//! that came back 1, 2, … periods later. The rules are in [`quiver_shared::analysis::retention`].
//!
//! One query does it all: the events are marked with their time as a start (in the range) and as
//! a return, grouped by entity through the `retention` aggregate ([`udaf`]), whose cells are
//! unnested and counted:
//!
//! ```text
//! WITH marked AS (SELECT entity, CASE WHEN <start> AND <in range> THEN ts END AS start_time,
//!                        CASE WHEN <return> THEN ts END AS return_time FROM events WHERE …),
//!      per_entity AS (SELECT retention(start_time, return_time, 'first_time', …) AS cells
//!                     FROM marked GROUP BY entity),
//!      cells AS (SELECT unnest(cells) AS cell FROM per_entity)
//! SELECT get_field(cell, 'cohort') AS cohort, get_field(cell, 'period') AS period, count(*) AS entities
//! FROM cells GROUP BY 1, 2
//! ```
//!
//! When each period begins in the tenant's zone is worked out before (as instants), so the
//! aggregate places each event with a binary search instead of a time-zone conversion.
//! Denominators, statuses and the summary are then worked out here from the counts.

mod entity;
mod udaf;

pub use entity::{RetentionRule, entity_cells};
pub use udaf::RETENTION;

use crate::AnalysisError;
use crate::trend::events::Events;
use crate::trend::read::{self, each_batch, tidy};
use chrono::NaiveDate;
use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, StringArray, UInt32Array, UInt64Array,
};
use quiver_engine::{Engine, QueryOutput};
use quiver_shared::analysis::retention::{
    PeriodStatus, RetentionCell, RetentionCohort, RetentionCriterion, RetentionResult, RetentionSpec,
};
use quiver_shared::analysis::{AnalysisContext, SpecError};
use std::collections::HashMap;
use std::sync::Arc;

/// Registers the `retention` aggregate.
pub(crate) fn install(engine: &Engine) {
    engine.register_udaf(udaf::Retention::udaf());
}

/// A spec checked against the catalogue and turned into its query.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedRetention {
    /// The query: one row per non-empty cell, `cohort` (`Int32`, the cohort's number, 0 for
    /// the first), `period` (`Int32`, N) and `entities` (`Int64`).
    pub sql: String,
    /// The range's first day.
    pub first_day: NaiveDate,
    /// The range's last day.
    pub last_day: NaiveDate,
    /// Periods shown after the cohort's.
    pub periods: u32,
}

/// Checks `spec` and writes its query.
pub fn plan(spec: &RetentionSpec, ctx: &AnalysisContext<'_>) -> Result<PlannedRetention, SpecError> {
    let events = Events::check(&spec.source, ctx)?;
    plan_with(&events, spec, ctx)
}

fn plan_with(
    events: &Events<'_>,
    spec: &RetentionSpec,
    ctx: &AnalysisContext<'_>,
) -> Result<PlannedRetention, SpecError> {
    let base = events.base_condition(&spec.filters, "filters")?;
    let start = events.selection(&spec.start, "start")?;
    let returning = events.selection(&spec.return_event, "return")?;
    let (first, last) = events.date_range(&spec.date_range, ctx.today)?;
    match spec.periods {
        Some(0) => return Err(SpecError::new("periods", "show at least 1 period")),
        Some(n) if n > RetentionSpec::MAX_PERIODS => {
            return Err(SpecError::new("periods", format!("at most {}, not {n}", RetentionSpec::MAX_PERIODS)));
        }
        _ => {}
    }
    let period = spec.period;
    let (origin, end) = (period.index(first), period.index(last));
    let cohorts = end - origin + 1;
    if cohorts > RetentionSpec::MAX_COHORTS as i32 {
        return Err(SpecError::new(
            "date_range",
            format!(
                "{cohorts} {}s of cohorts, at most {}: choose a longer period or a shorter range",
                period.as_str(),
                RetentionSpec::MAX_COHORTS
            ),
        ));
    }
    let periods = spec.resolved_periods(first, last);
    // When each period begins, from the first cohort's to the end of the last one shown.
    let days = (origin..=end + periods as i32 + 1)
        .map(|index| period.start(index))
        .collect::<Option<Vec<NaiveDate>>>()
        .ok_or_else(|| SpecError::new("date_range", "the periods run past the calendar"))?;
    let starts: Vec<String> = events.midnights(&days).iter().map(i64::to_string).collect();
    // Returns matter after the first start; with `on`, up to the end of the last period shown.
    let after = match spec.criterion {
        RetentionCriterion::On => days.last().copied(),
        RetentionCriterion::OnOrAfter => None,
    };
    let window = events.days_condition(first, after);
    let in_range = events.days_condition(first, last.succ_opt());
    let time = events.zoned_time();
    let sql = format!(
        "WITH marked AS (\n  \
           SELECT {entity} AS entity,\n    \
             CASE WHEN ({start}) AND {in_range} THEN {time} END AS start_time,\n    \
             CASE WHEN ({returning}) THEN {time} END AS return_time\n  \
           FROM {from}\n  \
           WHERE {base} AND {window} AND (({start}) OR ({returning}))\n\
         ),\n\
         per_entity AS (\n  \
           SELECT {RETENTION}(start_time, return_time, '{kind}', '{criterion}', {cohorts}, {periods}, '{starts}') AS cells\n  \
           FROM marked\n  \
           GROUP BY entity\n\
         ),\n\
         cells AS (SELECT unnest(cells) AS cell FROM per_entity)\n\
         SELECT get_field(cell, 'cohort') AS cohort, get_field(cell, 'period') AS period, count(*) AS entities\n\
         FROM cells\n\
         GROUP BY 1, 2",
        entity = events.entity,
        from = events.from,
        kind = spec.retention_type.as_str(),
        criterion = spec.criterion.as_str(),
        starts = starts.join(","),
    );
    Ok(PlannedRetention { sql, first_day: first, last_day: last, periods })
}

/// Plans and runs `spec`. The tidy table has one row per cell, summary included: `cohort`
/// (`Date32`, the cohort period's first day; null for the summary), `summary` (whether the
/// row is the summary's), `cohort_entities`, `period` (N), `retained`, `denominator`, `rate`
/// (null without a denominator) and `status` (`complete`, `in_progress`, `not_started`).
pub fn run(
    engine: &Engine,
    spec: &RetentionSpec,
    ctx: AnalysisContext<'_>,
) -> Result<(RetentionResult, QueryOutput), AnalysisError> {
    let events = Events::check(&spec.source, &ctx)?;
    let planned = plan_with(&events, spec, &ctx)?;
    let output = engine.sql(&planned.sql)?;
    let counts: HashMap<(i32, u32), u64> = each_batch(&output, |batch| {
        let cohorts = read::ints(batch, "cohort")?;
        let periods = read::ints(batch, "period")?;
        let entities = read::ints(batch, "entities")?;
        Ok(cohorts
            .into_iter()
            .zip(periods)
            .zip(entities)
            .filter_map(|((c, p), n)| {
                Some(((i32::try_from(c?).ok()?, u32::try_from(p?).ok()?), u64::try_from(n?).ok()?))
            })
            .collect())
    })?
    .into_iter()
    .collect();
    let now = events.local(ctx.now_micros).date();
    let result = shape(spec, &planned, &counts, now)?;
    let table = tidy_table(&result)?;
    Ok((result, table))
}

/// The retention table from the counted cells, with `today` the tenant's current day.
fn shape(
    spec: &RetentionSpec,
    planned: &PlannedRetention,
    counts: &HashMap<(i32, u32), u64>,
    today: NaiveDate,
) -> Result<RetentionResult, AnalysisError> {
    let period = spec.period;
    let now = period.index(today);
    let status = |index: i32| match index.cmp(&now) {
        std::cmp::Ordering::Less => PeriodStatus::Complete,
        std::cmp::Ordering::Equal => PeriodStatus::InProgress,
        std::cmp::Ordering::Greater => PeriodStatus::NotStarted,
    };
    let (origin, end) = (period.index(planned.first_day), period.index(planned.last_day));
    let mut cohorts = Vec::new();
    for index in origin..=end {
        let start = period.start(index).ok_or_else(|| AnalysisError::Result("a cohort out of range".to_owned()))?;
        let cohort = index - origin;
        let entities = counts.get(&(cohort, 0)).copied().unwrap_or(0);
        let cells = (0..=planned.periods)
            .map(|n| {
                let status = status(index + n as i32);
                let retained = counts.get(&(cohort, n)).copied().unwrap_or(0);
                let denominator = match (n, spec.criterion, status) {
                    // Period 0 is the cohort itself: 100% as soon as it has members.
                    (0, _, _) => entities,
                    (_, RetentionCriterion::On, PeriodStatus::NotStarted) => 0,
                    (_, RetentionCriterion::On, _) => entities,
                    (_, RetentionCriterion::OnOrAfter, PeriodStatus::Complete) => entities,
                    (_, RetentionCriterion::OnOrAfter, _) => 0,
                };
                cell(retained, denominator, status)
            })
            .collect();
        cohorts.push(RetentionCohort { start, entities, cells });
    }
    let summary_cells = (0..=planned.periods as usize)
        .map(|n| {
            let cells = cohorts.iter().map(|c| &c.cells[n]);
            let counted = cells.clone().filter(|c| c.denominator > 0);
            let retained = counted.clone().map(|c| c.retained).sum();
            let denominator = counted.map(|c| c.denominator).sum();
            let statuses: Vec<PeriodStatus> = cells.map(|c| c.status).collect();
            let status = if statuses.iter().all(|s| *s == PeriodStatus::Complete) {
                PeriodStatus::Complete
            } else if statuses.iter().all(|s| *s == PeriodStatus::NotStarted) {
                PeriodStatus::NotStarted
            } else {
                PeriodStatus::InProgress
            };
            cell(retained, denominator, status)
        })
        .collect();
    let summary = RetentionCohort {
        start: cohorts.first().map_or(planned.first_day, |c| c.start),
        entities: cohorts.iter().map(|c| c.entities).sum(),
        cells: summary_cells,
    };
    Ok(RetentionResult {
        period,
        periods: planned.periods,
        first_day: planned.first_day,
        last_day: planned.last_day,
        cohorts,
        summary,
    })
}

fn cell(retained: u64, denominator: u64, status: PeriodStatus) -> RetentionCell {
    let rate = (denominator > 0).then(|| retained as f64 / denominator as f64);
    RetentionCell { retained, denominator, rate, status }
}

fn status_name(status: PeriodStatus) -> &'static str {
    match status {
        PeriodStatus::Complete => "complete",
        PeriodStatus::InProgress => "in_progress",
        PeriodStatus::NotStarted => "not_started",
    }
}

fn tidy_table(result: &RetentionResult) -> Result<QueryOutput, AnalysisError> {
    let rows = result.cohorts.iter().map(|c| (Some(c.start), c)).chain([(None, &result.summary)]);
    let cells: Vec<(Option<NaiveDate>, &RetentionCohort, u32, &RetentionCell)> = rows
        .flat_map(|(start, cohort)| {
            cohort.cells.iter().enumerate().map(move |(n, cell)| (start, cohort, n as u32, cell))
        })
        .collect();
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("cohort", Arc::new(Date32Array::from_iter(cells.iter().map(|c| c.0.map(read::to_epoch_day))))),
        ("summary", Arc::new(BooleanArray::from_iter(cells.iter().map(|c| Some(c.0.is_none()))))),
        ("cohort_entities", Arc::new(UInt64Array::from_iter_values(cells.iter().map(|c| c.1.entities)))),
        ("period", Arc::new(UInt32Array::from_iter_values(cells.iter().map(|c| c.2)))),
        ("retained", Arc::new(UInt64Array::from_iter_values(cells.iter().map(|c| c.3.retained)))),
        ("denominator", Arc::new(UInt64Array::from_iter_values(cells.iter().map(|c| c.3.denominator)))),
        ("rate", Arc::new(Float64Array::from_iter(cells.iter().map(|c| c.3.rate)))),
        ("status", Arc::new(StringArray::from_iter_values(cells.iter().map(|c| status_name(c.3.status))))),
    ];
    tidy(columns)
}
