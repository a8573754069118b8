//! The event source of the event analyses (trend, retention, distribution, stickiness) checked
//! against the catalogue, and the SQL pieces they share: the event conditions, the event's time
//! in the tenant's zone, and the instants where the tenant's days and hours begin.
//!
//! Everything here comes from a spec, so from a URL: every name is checked against the table
//! and quoted, every value goes through `quiver_shared::pivot`'s filter planning.
//!
//! Calendar boundaries are worked out here as instants, with the same time-zone database as
//! DataFusion's (`chrono-tz`), instead of converting every event to local time in the query:
//! the engine then compares plain numbers, and a local midnight that a DST change skips (Chile,
//! Lebanon, Paraguay move their clocks at midnight) is the first instant of that day instead of
//! an error.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use quiver_shared::analysis::trend::EventSelection;
use quiver_shared::analysis::{AnalysisContext, EventSource, SpecError};
use quiver_shared::catalog::TableInfo;
use quiver_shared::pivot::{
    DateRange, DateSpan, Filter, FilterOp, MAX_FILTERS, date_range_condition, filter_condition,
};
use quiver_shared::sql::{Zone, quote_ident};

/// A checked [`EventSource`] in a tenant's zone.
pub(crate) struct Events<'a> {
    table: &'a TableInfo,
    source: &'a EventSource,
    time_zone: &'a str,
    zone: Zone,
    tz: Tz,
    /// The table, quoted.
    pub(crate) from: String,
    /// The entity column, quoted.
    pub(crate) entity: String,
}

impl<'a> Events<'a> {
    /// Checks that the table and its three columns exist, that the time column holds
    /// timestamps, and that the zone is known. Refusals name `source.…` and `time_zone`.
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
        let zone = Zone::new(ctx.time_zone)?;
        let tz = ctx
            .time_zone
            .parse::<Tz>()
            .map_err(|_| SpecError::new("time_zone", format!("`{}` is not a known time zone", ctx.time_zone)))?;
        Ok(Self {
            table,
            source,
            time_zone: ctx.time_zone,
            zone,
            tz,
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

    /// The event's time as a `Timestamp(Microsecond, <zone>)`: its values are the instants
    /// (a column without a zone is read as the tenant's wall-clock time).
    pub(crate) fn zoned_time(&self) -> String {
        self.zone.local(&quote_ident(&self.source.time))
    }

    /// The instant (microseconds since the epoch) at which the local time `at` begins: the
    /// earlier of two when clocks go back, the end of the gap when they skip it.
    pub(crate) fn instant(&self, at: NaiveDateTime) -> i64 {
        match self.tz.from_local_datetime(&at) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.timestamp_micros(),
            LocalResult::None => {
                // In a gap: the first instant whose local time is at or after `at`. Gaps are
                // hours (a day at most, Samoa 2011), so a day either side brackets it.
                let guess = at.and_utc().timestamp_micros();
                let (mut lo, mut hi) = (guess - 2 * DAY, guess + 2 * DAY);
                while lo + 1 < hi {
                    let mid = lo + (hi - lo) / 2;
                    if self.local(mid) >= at { hi = mid } else { lo = mid }
                }
                hi
            }
        }
    }

    /// The local wall-clock time of an instant.
    pub(crate) fn local(&self, micros: i64) -> NaiveDateTime {
        let utc = DateTime::from_timestamp_micros(micros).unwrap_or_default().naive_utc();
        self.tz.from_utc_datetime(&utc).naive_local()
    }

    /// The instants at which `days` begin.
    pub(crate) fn midnights(&self, days: &[NaiveDate]) -> Vec<i64> {
        days.iter().map(|day| self.instant(day.and_time(NaiveTime::MIN))).collect()
    }

    /// An instant as an SQL timestamp of the event time's type.
    pub(crate) fn instant_literal(&self, micros: i64) -> String {
        self.zone.local(&format!("arrow_cast(CAST({micros} AS BIGINT), 'Timestamp(Microsecond, Some(\"UTC\"))')"))
    }

    /// Events from the local midnight starting `first` to the one starting `after` (open when
    /// none), as comparisons of instants.
    pub(crate) fn days_condition(&self, first: NaiveDate, after: Option<NaiveDate>) -> String {
        let time = self.zoned_time();
        let mut condition = format!("{time} >= {}", self.instant_literal(self.midnights(&[first])[0]));
        if let Some(after) = after {
            condition.push_str(&format!(" AND {time} < {}", self.instant_literal(self.midnights(&[after])[0])));
        }
        condition
    }
}

/// A day in microseconds.
const DAY: i64 = 86_400_000_000;
