//! The event source of the event analyses (trend, retention, distribution, stickiness) checked
//! against the catalogue, and the SQL pieces they share: the event conditions, the tenant's
//! local day and time of an event, and conditions on local days.
//!
//! Everything here comes from a spec, so from a URL: every name is checked against the table
//! and quoted, every value goes through `quiver_shared::pivot`'s filter planning.

use crate::AnalysisError;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use quiver_engine::Engine;
use quiver_shared::analysis::trend::EventSelection;
use quiver_shared::analysis::{AnalysisContext, EventSource, SpecError};
use quiver_shared::catalog::TableInfo;
use quiver_shared::pivot::{
    DateRange, DateSpan, Filter, FilterOp, MAX_FILTERS, date_range_condition, filter_condition,
};
use quiver_shared::sql::{Zone, quote_ident, quote_str};

/// A checked [`EventSource`] in a tenant's zone.
pub(crate) struct Events<'a> {
    table: &'a TableInfo,
    source: &'a EventSource,
    time_zone: &'a str,
    zone: Zone,
    /// The table, quoted.
    pub(crate) from: String,
    /// The entity column, quoted.
    pub(crate) entity: String,
}

impl<'a> Events<'a> {
    /// Checks that the table and its three columns exist and that the time column holds
    /// timestamps. Refusals name `source.…`.
    pub(crate) fn check(source: &'a EventSource, ctx: &AnalysisContext<'a>) -> Result<Self, SpecError> {
        let table = ctx.table(&source.table, "source.table")?;
        for (column, path) in
            [(&source.entity, "source.entity"), (&source.event, "source.event"), (&source.time, "source.time")]
        {
            if table.column(column).is_none() {
                return Err(SpecError::new(path, format!("the table `{}` has no column `{column}`", table.name)));
            }
        }
        let time = table.column(&source.time).map(|c| c.data_type.as_str()).unwrap_or_default();
        if !time.starts_with("Timestamp") {
            return Err(SpecError::new(
                "source.time",
                format!("`{}` holds {time}, not timestamps: choose the event's time column", source.time),
            ));
        }
        Ok(Self {
            table,
            source,
            time_zone: ctx.time_zone,
            zone: Zone::new(ctx.time_zone)?,
            from: quote_ident(&table.name),
            entity: quote_ident(&source.entity),
        })
    }

    /// The condition every counted event meets: an entity, and the spec's `filters` (refusals
    /// name `path[i]`).
    pub(crate) fn base_condition(&self, filters: &[Filter], path: &str) -> Result<String, SpecError> {
        let mut conditions = vec![format!("{} IS NOT NULL", self.entity)];
        conditions.extend(self.filters(filters, path)?);
        Ok(conditions.join(" AND "))
    }

    fn filters(&self, filters: &[Filter], path: &str) -> Result<Vec<String>, SpecError> {
        if filters.len() > MAX_FILTERS {
            return Err(SpecError::new(path, format!("at most {MAX_FILTERS} filters, not {}", filters.len())));
        }
        let mut conditions = Vec::new();
        for (i, filter) in filters.iter().enumerate() {
            if let Some(condition) = filter_condition(self.table, self.time_zone, filter, &format!("{path}[{i}]"))? {
                conditions.push(format!("({condition})"));
            }
        }
        Ok(conditions)
    }

    /// The condition of one selection (`TRUE` for any event); refusals name `path.event` and
    /// `path.filters[i]`.
    pub(crate) fn selection(&self, selection: &EventSelection, path: &str) -> Result<String, SpecError> {
        let mut conditions = Vec::new();
        if let Some(name) = &selection.event {
            // The event column's own type decides how the name is read (text, or a number).
            let filter =
                Filter { column: self.source.event.clone(), op: FilterOp::In { values: vec![Some(name.clone())] } };
            let condition = filter_condition(self.table, self.time_zone, &filter, path)
                .map_err(|e| SpecError::new(format!("{path}.event"), e.reason))?;
            conditions.extend(condition);
        }
        conditions.extend(self.filters(&selection.filters, &format!("{path}.filters"))?);
        Ok(if conditions.is_empty() { "TRUE".to_owned() } else { conditions.join(" AND ") })
    }

    /// The date range's first and last day, checked (refusals name `date_range.…`).
    pub(crate) fn date_range(&self, span: &DateSpan, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), SpecError> {
        let range = DateRange { column: self.source.time.clone(), span: span.clone() };
        let (first, last, _) = date_range_condition(self.table, self.time_zone, &range, today)?;
        Ok((first, last))
    }

    /// The event's time, labelled with the tenant's zone (`Timestamp(Microsecond, <zone>)`).
    pub(crate) fn zoned_time(&self) -> String {
        self.zone.local(&quote_ident(&self.source.time))
    }

    /// The event's local wall-clock time (`Timestamp(Microsecond, None)`), for wall-clock buckets.
    pub(crate) fn local_time(&self) -> String {
        format!("to_local_time({})", self.zoned_time())
    }

    /// The event's local calendar day (`Date32`).
    pub(crate) fn local_day(&self) -> String {
        format!("CAST({} AS DATE)", self.zoned_time())
    }

    /// Events from local midnight starting `first` to local midnight starting `after` (open
    /// when none), on the time column itself so that the engine compares plain instants.
    pub(crate) fn days_condition(&self, first: NaiveDate, after: Option<NaiveDate>) -> String {
        let time = self.zoned_time();
        let mut condition = format!("{time} >= {}", self.zone.local_literal(first.and_time(NaiveTime::MIN)));
        if let Some(after) = after {
            condition.push_str(&format!(" AND {time} < {}", self.zone.local_literal(after.and_time(NaiveTime::MIN))));
        }
        condition
    }

    /// Any of the inclusive day ranges.
    pub(crate) fn any_days_condition(&self, ranges: &[(NaiveDate, NaiveDate)]) -> String {
        let conditions: Vec<String> =
            ranges.iter().map(|(first, last)| format!("({})", self.days_condition(*first, last.succ_opt()))).collect();
        if conditions.is_empty() { "FALSE".to_owned() } else { format!("({})", conditions.join(" OR ")) }
    }

    /// The instants (microseconds since the epoch) of the local midnights that start `days`,
    /// as the engine reads the zone.
    pub(crate) fn local_midnights(&self, engine: &Engine, days: &[NaiveDate]) -> Result<Vec<i64>, AnalysisError> {
        let values: Vec<String> = days
            .iter()
            .map(|day| {
                format!("({})", quote_str(&day.and_time(NaiveTime::MIN).format("%Y-%m-%dT%H:%M:%S").to_string()))
            })
            .collect();
        let sql = format!(
            "SELECT arrow_cast({}, 'Int64') AS at FROM (VALUES {}) AS days(day)",
            self.zone.local("day"),
            values.join(", ")
        );
        let output = engine.sql(&sql)?;
        let instants: Vec<i64> = super::read::each_batch(&output, |batch| super::read::ints(batch, "at"))?
            .into_iter()
            .collect::<Option<Vec<i64>>>()
            .ok_or_else(|| AnalysisError::Result("a local midnight is null".to_owned()))?;
        if instants.len() != days.len() {
            return Err(AnalysisError::Result(format!("{} midnights for {} days", instants.len(), days.len())));
        }
        Ok(instants)
    }

    /// Now, in the tenant's wall-clock time, as the engine reads the zone (the same reading as
    /// every bucket's).
    pub(crate) fn local_now(&self, engine: &Engine, now_micros: i64) -> Result<NaiveDateTime, AnalysisError> {
        let utc = format!("arrow_cast(CAST({now_micros} AS BIGINT), 'Timestamp(Microsecond, Some(\"UTC\"))')");
        let sql = format!("SELECT to_local_time({}) AS now", self.zone.local(&utc));
        let output = engine.sql(&sql)?;
        let batch = output.batches.first().ok_or_else(|| AnalysisError::Result("no row for now".to_owned()))?;
        super::read::local_times(batch, "now")?
            .first()
            .copied()
            .flatten()
            .ok_or_else(|| AnalysisError::Result("now is null".to_owned()))
    }
}

/// A naive local time as an SQL literal of type `Timestamp(Microsecond, None)`.
pub(crate) fn local_time_literal(at: NaiveDateTime) -> String {
    format!("arrow_cast({}, 'Timestamp(Microsecond, None)')", quote_str(&at.format("%Y-%m-%dT%H:%M:%S%.f").to_string()))
}
