//! The event trend's spec checked against the catalogue, and its queries.
//!
//! Every compared range is bucketed by the same buckets as the range: each bucket's local start
//! (clipped to the range) is shifted back by the comparison ([`Comparison::shift`]) and turned
//! into an instant, and `bucket_index(ts, '<instants>')` numbers the events of that range by
//! those. One `UNION ALL` branch per comparison, one per event selection:
//!
//! ```text
//! WITH base AS (SELECT entity, ts, <label>, <other>, <series conditions s0, s1…> FROM events WHERE …),
//!      shifted AS (SELECT 0 AS cmp, bucket_index(ts, '<range>') AS bucket, … FROM base WHERE <in range>
//!                  UNION ALL SELECT 1 AS cmp, bucket_index(ts, '<previous period>') AS bucket, … ),
//!      series AS (SELECT cmp, 0 AS series, bucket, entity, label, other FROM shifted WHERE s0 UNION ALL …)
//! SELECT cmp, series, label, other, bucket, count(*) AS pv, count(DISTINCT entity) AS uv FROM series
//! GROUP BY GROUPING SETS ((cmp, series, label, other, bucket), (cmp, series, label, other))
//! ```
//!
//! DAU, WAU and MAU number days instead, from the longest window's lead-in before the range,
//! group by entity through `trailing_days` and add the entities' days up with `bit_counts`
//! (see [`super::active`]).

use super::active::{BIT_COUNTS, TRAILING_DAYS};
use super::bucket::{BUCKET_INDEX, starts_literal};
use super::events::Events;
use super::read::{self, each_batch};
use crate::AnalysisError;
use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};
use quiver_engine::Engine;
use quiver_shared::analysis::trend::{Breakdown, Comparison, TrendSpec, bucket_starts};
use quiver_shared::analysis::{AnalysisContext, SpecError};
use quiver_shared::pivot::TimeGrain;
use quiver_shared::sql::{quote_ident, quote_str};

/// The spec, checked.
pub(super) struct Checked<'a> {
    pub(super) spec: &'a TrendSpec,
    pub(super) events: Events<'a>,
    base: String,
    series: Vec<String>,
    /// The range's first day.
    pub(super) first: NaiveDate,
    /// The range's last day.
    pub(super) last: NaiveDate,
    /// The comparisons asked for, with their number in the queries (1, 2; the range is 0).
    pub(super) compare: Vec<(u8, Comparison)>,
    /// The buckets' starts (local wall-clock times).
    pub(super) buckets: Vec<NaiveDateTime>,
}

pub(super) fn check<'a>(spec: &'a TrendSpec, ctx: &AnalysisContext<'a>) -> Result<Checked<'a>, SpecError> {
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
    let days = (last - first).num_days() + 1;
    if spec.measures.iter().any(|m| m.is_active()) && days > TrendSpec::MAX_ACTIVE_DAYS {
        return Err(SpecError::new(
            "date_range",
            format!("DAU, WAU and MAU are counted over at most {} days, not {days}", TrendSpec::MAX_ACTIVE_DAYS),
        ));
    }
    let buckets = bucket_starts(spec.grain, first, last, TrendSpec::MAX_BUCKETS).ok_or_else(|| {
        SpecError::new(
            "grain",
            format!("more than {} buckets: choose a coarser grain or a shorter range", TrendSpec::MAX_BUCKETS),
        )
    })?;
    let checked = Checked { spec, events, base, series, first, last, compare, buckets };
    // Every shifted start must exist (a range at the start of the calendar has no earlier one).
    for (_, comparison) in &checked.compare {
        if checked.shift(*comparison, &checked.edges()).is_none() {
            return Err(SpecError::new("compare", "the compared days are before the start of the calendar"));
        }
    }
    Ok(checked)
}

impl Checked<'_> {
    pub(super) fn days(&self) -> u64 {
        (self.last - self.first).num_days().unsigned_abs() + 1
    }

    /// The buckets' local starts clipped to the range, then the range's end.
    pub(super) fn edges(&self) -> Vec<NaiveDateTime> {
        let start = self.first.and_time(NaiveTime::MIN);
        let mut edges: Vec<NaiveDateTime> = self.buckets.iter().map(|b| (*b).max(start)).collect();
        edges.push(self.last.succ_opt().unwrap_or(NaiveDate::MAX).and_time(NaiveTime::MIN));
        edges
    }

    /// The local starts of the range's days and of the `lead` days before it, then its end.
    fn day_edges(&self, lead: u64) -> Vec<NaiveDateTime> {
        let from = self.first.checked_sub_days(Days::new(lead)).unwrap_or(NaiveDate::MIN);
        from.iter_days().take((lead + self.days() + 1) as usize).map(|d| d.and_time(NaiveTime::MIN)).collect()
    }

    fn shift(&self, comparison: Comparison, edges: &[NaiveDateTime]) -> Option<Vec<NaiveDateTime>> {
        edges.iter().map(|at| comparison.shift(*at, self.days())).collect()
    }

    /// For the range and each comparison, its number and the instants its buckets (from
    /// `edges`) begin at.
    fn shifted_instants(&self, edges: &[NaiveDateTime]) -> Vec<(u8, Vec<i64>)> {
        let instants = |edges: &[NaiveDateTime]| edges.iter().map(|at| self.events.instant(*at)).collect();
        let mut all = vec![(0, instants(edges))];
        for (number, comparison) in &self.compare {
            if let Some(shifted) = self.shift(*comparison, edges) {
                all.push((*number, instants(&shifted)));
            }
        }
        all
    }

    /// The top values of the breakdown by events in the range (all series), one more than
    /// kept, so that the caller knows whether there is an "other".
    pub(super) fn top_values(
        &self,
        engine: &Engine,
        breakdown: &Breakdown,
    ) -> Result<Vec<Option<String>>, AnalysisError> {
        let sql = format!(
            "SELECT CAST({column} AS VARCHAR) AS value, count(*) AS events\nFROM {from}\nWHERE {base} AND {range} AND ({any})\n\
             GROUP BY 1\nORDER BY events DESC, value ASC NULLS LAST\nLIMIT {limit}",
            column = quote_ident(&breakdown.column),
            from = self.events.from,
            base = self.base,
            range = self.events.days_condition(self.first, self.last.succ_opt()),
            any = self.series.iter().map(|s| format!("({s})")).collect::<Vec<_>>().join(" OR "),
            limit = u64::from(breakdown.top) + 1,
        );
        let output = engine.sql(&sql)?;
        each_batch(&output, |batch| read::texts(batch, "value"))
    }

    /// The `WITH base, shifted, series` both counting queries share: every event of the range
    /// and of each comparison, numbered by the bucket of `edges` it falls in, once per series
    /// it belongs to.
    fn series_sql(&self, top: Option<&[Option<String>]>, edges: &[NaiveDateTime]) -> String {
        let (label, other) = match (&self.spec.breakdown, top) {
            (Some(breakdown), Some(top)) => {
                let text = format!("CAST({} AS VARCHAR)", quote_ident(&breakdown.column));
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
        let flag_names: Vec<String> = (0..self.series.len()).map(|i| format!("s{i}")).collect();
        let mut windows = Vec::new();
        let mut shifted = Vec::new();
        for (number, instants) in self.shifted_instants(edges) {
            let (Some(from), Some(to)) = (instants.first(), instants.last()) else { continue };
            let window =
                format!("ts >= {} AND ts < {}", self.events.instant_literal(*from), self.events.instant_literal(*to));
            shifted.push(format!(
                "SELECT {number} AS cmp, {BUCKET_INDEX}(ts, {}) AS bucket, entity, label, other, {} FROM base WHERE {window}",
                starts_literal(&instants),
                flag_names.join(", "),
            ));
            windows.push(format!("({window})"));
        }
        let series: Vec<String> = (0..self.series.len())
            .map(|i| format!("SELECT cmp, {i} AS series, bucket, entity, label, other FROM shifted WHERE s{i}"))
            .collect();
        format!(
            "WITH base AS (\n  SELECT * FROM (\n    SELECT {entity} AS entity, {time} AS ts, {label} AS label, {other} AS other, {flags}\n    \
             FROM {from}\n    WHERE {base}\n  )\n  WHERE {windows}\n),\nshifted AS (\n  {shifted}\n),\nseries AS (\n  {series}\n)",
            entity = self.events.entity,
            time = self.events.zoned_time(),
            flags = flags.join(", "),
            from = self.events.from,
            base = self.base,
            windows = windows.join(" OR "),
            shifted = shifted.join("\n  UNION ALL\n  "),
            series = series.join("\n  UNION ALL\n  "),
        )
    }

    /// PV and UV per (comparison, series, label, other, bucket), and over the range (bucket
    /// null).
    pub(super) fn bucket_sql(&self, top: Option<&[Option<String>]>) -> String {
        format!(
            "{}\nSELECT cmp, series, label, other, bucket, count(*) AS pv, count(DISTINCT entity) AS uv\nFROM series\n\
             GROUP BY GROUPING SETS ((cmp, series, label, other, bucket), (cmp, series, label, other))",
            self.series_sql(top, &self.edges()),
        )
    }

    /// The active entities per (comparison, series, label, other): `active`, a list whose item
    /// `w * days + d` counts the entities active over window number `w` (of `windows`, days
    /// ascending) on range day `d`.
    pub(super) fn active_sql(&self, top: Option<&[Option<String>]>, windows: &[u64]) -> String {
        let lead = windows.iter().max().copied().unwrap_or(1) - 1;
        let keys = "cmp, series, label, other";
        let windows: Vec<String> = windows.iter().map(u64::to_string).collect();
        format!(
            "{series},\nper_entity AS (\n  SELECT {keys}, {TRAILING_DAYS}(bucket, '{windows}', {lead}, {days}) AS covered\n  \
             FROM series\n  GROUP BY {keys}, entity\n)\n\
             SELECT {keys}, {BIT_COUNTS}(covered) AS active\nFROM per_entity\nGROUP BY {keys}",
            series = self.series_sql(top, &self.day_edges(lead)),
            windows = windows.join(","),
            days = self.days(),
        )
    }
}
