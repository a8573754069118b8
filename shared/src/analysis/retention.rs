//! The retention analysis's spec and result: of the entities that did a start event in a period
//! (a cohort), how many did a return event 1, 2, … periods later.
//!
//! # Semantics (`../shared/SEMANTICS.md`, "Retention")
//! - An event counts when its entity is not null and it passes the spec's `filters`; a start
//!   event also passes `start`, a return event `return` (one event can be both).
//! - Periods are calendar days, weeks (from Monday) or months in the tenant's zone. The cohorts
//!   are the periods holding the `date_range`'s days; only start events on those days count.
//! - `first_time` (default): an entity's cohort is the period of its first start event in the
//!   range. `recurring`: every period with a start event of the entity is a membership of that
//!   cohort, so one entity can be in several cohorts.
//! - Period N (N ≥ 1) is the Nth calendar period after the cohort's; period 0 is the cohort
//!   itself, 100% by definition.
//! - criterion `on` (default): retained in period N when a return event falls in period N.
//!   `on_or_after`: when a return event falls in period N or any later one (up to the data
//!   held, which should reach today: see [`RetentionSpec::needed_days`]).
//! - A cell's `denominator` is the entities its rate is out of. With `on` it is the cohort's size
//!   once period N has begun (0 before). With `on_or_after` only entities for which period N has
//!   fully elapsed count; all members of a cohort share its calendar periods, so that is the
//!   whole cohort once period N is over and 0 until then (the cell still shows the entities
//!   retained so far, flagged `in_progress`, without a rate).
//! - Periods not yet over are flagged ([`PeriodStatus`]), never hidden, relative to now in the
//!   tenant's zone.
//! - The summary row is the cohort-size-weighted mean of the cohorts' rates: for period N,
//!   the sum of retained entities over the sum of denominators, over the cohorts whose cell has
//!   a denominator.

use super::EventSource;
use super::trend::{EventSelection, default_date_range};
use crate::pivot::{DateSpan, Filter};
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// What to compute.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetentionSpec {
    /// Where the events are.
    pub source: EventSource,
    /// The event that puts an entity in a cohort. Default: any event.
    pub start: EventSelection,
    /// The event that counts as coming back. Default: any event.
    #[serde(rename = "return")]
    pub return_event: EventSelection,
    /// The calendar period of cohorts and returns. Default: day.
    pub period: RetentionPeriod,
    /// How many periods after the cohort's to show (1 to [`RetentionSpec::MAX_PERIODS`]).
    /// Default: as many as the date range spans (the last cohort's period minus the first's),
    /// at least 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub periods: Option<u32>,
    /// The days whose start events make the cohorts. Default: the last 30 days.
    pub date_range: DateSpan,
    /// First time or recurring.
    #[serde(rename = "type")]
    pub retention_type: RetentionType,
    /// Retained on period N, or on period N or later.
    pub criterion: RetentionCriterion,
    /// Conditions every event, start or return, must meet (AND).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
}

impl Default for RetentionSpec {
    fn default() -> Self {
        Self {
            source: EventSource::default(),
            start: EventSelection::default(),
            return_event: EventSelection::default(),
            period: RetentionPeriod::Day,
            periods: None,
            date_range: default_date_range(),
            retention_type: RetentionType::FirstTime,
            criterion: RetentionCriterion::On,
            filters: Vec::new(),
        }
    }
}

impl RetentionSpec {
    /// Most periods after the cohort's.
    pub const MAX_PERIODS: u32 = 400;
    /// Most cohorts (periods in the date range): each entity's state holds a bit per cohort.
    pub const MAX_COHORTS: u32 = 400;

    /// The periods shown after the cohort's for the cohort days `first..=last`.
    pub fn resolved_periods(&self, first: NaiveDate, last: NaiveDate) -> u32 {
        self.periods.unwrap_or_else(|| {
            let span = self.period.index(last) - self.period.index(first);
            u32::try_from(span).unwrap_or(0).clamp(1, Self::MAX_PERIODS)
        })
    }

    /// The days whose events the engine must hold to answer this spec when today is `today`
    /// (in the tenant's zone), inclusive: from the range's first day to the end of the last
    /// period shown (`on`) or to today (`on_or_after`, where any later return counts), never
    /// past today.
    pub fn needed_days(&self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let (first, last) = self.date_range.resolve(today);
        let periods = self.resolved_periods(first, last);
        let end = match self.criterion {
            RetentionCriterion::On => {
                let after = self.period.start(self.period.index(last) + periods as i32 + 1);
                after.and_then(|d| d.pred_opt()).unwrap_or(today).min(today)
            }
            RetentionCriterion::OnOrAfter => today,
        };
        (first, end.max(last))
    }
}

/// The calendar period of a retention analysis, in the tenant's zone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionPeriod {
    /// Calendar day.
    #[default]
    Day,
    /// Week from Monday.
    Week,
    /// Calendar month.
    Month,
}

/// Days from 0001-01-01 to 1970-01-01.
const EPOCH_FROM_CE: i32 = 719_163;

impl RetentionPeriod {
    /// The stable name used in JSON and SQL.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }

    /// The name as in [`RetentionPeriod::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "day" => Some(Self::Day),
            "week" => Some(Self::Week),
            "month" => Some(Self::Month),
            _ => None,
        }
    }

    /// The period holding `day`, numbered so that consecutive periods differ by 1: days and
    /// weeks since 1970 (weeks from the Monday 1969-12-29), months since year 0.
    pub fn index(self, day: NaiveDate) -> i32 {
        let days = day.num_days_from_ce() - EPOCH_FROM_CE;
        match self {
            Self::Day => days,
            // 1970-01-01 was a Thursday: shift so that weeks start on Monday.
            Self::Week => (days + 3).div_euclid(7),
            Self::Month => day.year() * 12 + day.month0() as i32,
        }
    }

    /// [`RetentionPeriod::index`] of a day given as days since 1970-01-01 (Arrow's `Date32`).
    pub fn index_of_epoch_day(self, days: i32) -> i32 {
        match self {
            Self::Day => days,
            Self::Week => (days + 3).div_euclid(7),
            Self::Month => NaiveDate::from_num_days_from_ce_opt(days + EPOCH_FROM_CE)
                .map_or(0, |d| d.year() * 12 + d.month0() as i32),
        }
    }

    /// The first day of the period numbered `index`.
    pub fn start(self, index: i32) -> Option<NaiveDate> {
        match self {
            Self::Day => NaiveDate::from_num_days_from_ce_opt(index.checked_add(EPOCH_FROM_CE)?),
            Self::Week => NaiveDate::from_num_days_from_ce_opt(index.checked_mul(7)?.checked_sub(3)? + EPOCH_FROM_CE),
            Self::Month => NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1),
        }
    }

    /// The last day of the period numbered `index`.
    pub fn end(self, index: i32) -> Option<NaiveDate> {
        match self {
            Self::Day => self.start(index),
            Self::Week => self.start(index)?.checked_add_days(Days::new(6)),
            Self::Month => self.start(index)?.checked_add_months(Months::new(1))?.pred_opt(),
        }
    }
}

/// Which start events make cohorts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionType {
    /// The period of the entity's first start event in the range: one cohort per entity.
    #[default]
    FirstTime,
    /// Every period with a start event: an entity is in each of those cohorts.
    Recurring,
}

impl RetentionType {
    /// The stable name used in JSON and SQL.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstTime => "first_time",
            Self::Recurring => "recurring",
        }
    }

    /// The name as in [`RetentionType::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "first_time" => Some(Self::FirstTime),
            "recurring" => Some(Self::Recurring),
            _ => None,
        }
    }
}

/// When an entity counts as retained in period N.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionCriterion {
    /// A return event in period N.
    #[default]
    On,
    /// A return event in period N or later ("unbounded" retention).
    OnOrAfter,
}

impl RetentionCriterion {
    /// The stable name used in JSON and SQL.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::On => "on",
            Self::OnOrAfter => "on_or_after",
        }
    }

    /// The name as in [`RetentionCriterion::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "on" => Some(Self::On),
            "on_or_after" => Some(Self::OnOrAfter),
            _ => None,
        }
    }
}

/// The answer: one row per cohort period of the range (empty ones included), then the summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetentionResult {
    /// The period.
    pub period: RetentionPeriod,
    /// How many periods after the cohort's are shown: every row has `periods + 1` cells.
    pub periods: u32,
    /// The first day of the range, in the tenant's calendar.
    pub first_day: chrono::NaiveDate,
    /// The last day of the range (inclusive).
    pub last_day: chrono::NaiveDate,
    /// One row per cohort period, oldest first.
    pub cohorts: Vec<RetentionCohort>,
    /// The cohort-size-weighted mean of the rows (its `start` is the first cohort's).
    pub summary: RetentionCohort,
}

/// One row of the retention table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetentionCohort {
    /// The first day of the cohort's period.
    pub start: chrono::NaiveDate,
    /// The cohort's size: entities with a start event in it (for the summary, the sum over
    /// cohorts).
    pub entities: u64,
    /// Cell N is period N after the cohort's; cell 0 is the cohort itself.
    pub cells: Vec<RetentionCell>,
}

/// One cell of the retention table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetentionCell {
    /// Entities retained in this period (so far, if it is not over).
    pub retained: u64,
    /// Entities the rate is out of (see the module docs).
    pub denominator: u64,
    /// `retained / denominator`; none when the denominator is 0.
    pub rate: Option<f64>,
    /// Whether the period is over. For the summary: not started when no cohort has reached
    /// it, complete when every cohort is past it, in progress otherwise (it can still change).
    pub status: PeriodStatus,
}

/// Whether a period is over, relative to now in the tenant's zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodStatus {
    /// Over: the value is final.
    Complete,
    /// Under way: the value can still grow.
    InProgress,
    /// In the future.
    NotStarted,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[track_caller]
    fn check_period(period: RetentionPeriod, date: &str, start: &str, end: &str) {
        let index = period.index(day(date));
        assert_eq!(period.start(index), Some(day(start)), "{period:?} {date}");
        assert_eq!(period.end(index), Some(day(end)), "{period:?} {date}");
        assert_eq!(period.index(day(start)), index);
        assert_eq!(period.index(day(end)), index);
        assert_eq!(period.index(day(end).succ_opt().unwrap()), index + 1);
        let epoch_day = day(date).signed_duration_since(day("1970-01-01")).num_days() as i32;
        assert_eq!(period.index_of_epoch_day(epoch_day), index);
    }

    #[test]
    fn periods_are_calendar_days_weeks_from_monday_and_months() {
        check_period(RetentionPeriod::Day, "2024-02-29", "2024-02-29", "2024-02-29");
        check_period(RetentionPeriod::Day, "1969-12-31", "1969-12-31", "1969-12-31");
        check_period(RetentionPeriod::Week, "1970-01-01", "1969-12-29", "1970-01-04");
        check_period(RetentionPeriod::Week, "2024-03-10", "2024-03-04", "2024-03-10");
        check_period(RetentionPeriod::Week, "2024-03-11", "2024-03-11", "2024-03-17");
        check_period(RetentionPeriod::Week, "1969-12-28", "1969-12-22", "1969-12-28");
        check_period(RetentionPeriod::Month, "2024-02-10", "2024-02-01", "2024-02-29");
        check_period(RetentionPeriod::Month, "2023-12-31", "2023-12-01", "2023-12-31");
    }

    #[track_caller]
    fn check_needed(json: &str, today: &str, expected: (&str, &str)) {
        let spec: RetentionSpec = serde_json::from_str(json).unwrap();
        assert_eq!(spec.needed_days(day(today)), (day(expected.0), day(expected.1)), "{json}");
    }

    #[test]
    fn needed_days_reach_the_last_period_shown_or_today() {
        let range = r#""date_range":{"kind":"between","from":"2024-03-04","to":"2024-03-10""#;
        check_needed(&format!("{{{range}}}}}"), "2024-06-01", ("2024-03-04", "2024-03-16"));
        check_needed(&format!("{{{range}}},\"periods\":2}}"), "2024-06-01", ("2024-03-04", "2024-03-12"));
        check_needed(&format!("{{{range}}},\"periods\":2}}"), "2024-03-11", ("2024-03-04", "2024-03-11"));
        check_needed(&format!("{{{range}}},\"period\":\"week\"}}"), "2024-06-01", ("2024-03-04", "2024-03-17"));
        check_needed(
            &format!("{{{range}}},\"period\":\"month\",\"periods\":2}}"),
            "2024-06-01",
            ("2024-03-04", "2024-05-31"),
        );
        check_needed(
            &format!("{{{range}}},\"criterion\":\"on_or_after\"}}"),
            "2024-06-01",
            ("2024-03-04", "2024-06-01"),
        );
    }

    #[test]
    fn default_periods_span_the_range() {
        let spec = RetentionSpec { period: RetentionPeriod::Week, ..RetentionSpec::default() };
        assert_eq!(spec.resolved_periods(day("2024-01-01"), day("2024-03-24")), 11);
        assert_eq!(spec.resolved_periods(day("2024-01-01"), day("2024-01-02")), 1);
        let spec = RetentionSpec { periods: Some(3), ..spec };
        assert_eq!(spec.resolved_periods(day("2024-01-01"), day("2024-03-24")), 3);
    }

    #[test]
    fn specs_round_trip_through_json() {
        let json = r#"{"start":{"event":"signup"},"return":{"event":"order","filters":[{"column":"platform","op":"in","values":["ios"]}]},"period":"week","periods":12,"type":"recurring","criterion":"on_or_after"}"#;
        let spec: RetentionSpec = serde_json::from_str(json).unwrap();
        assert_eq!(spec.return_event.event.as_deref(), Some("order"));
        assert_eq!(spec.retention_type, RetentionType::Recurring);
        let again = serde_json::to_string(&spec).unwrap();
        assert_eq!(serde_json::from_str::<RetentionSpec>(&again).unwrap(), spec);
        assert_eq!(serde_json::from_str::<RetentionSpec>("{}").unwrap(), RetentionSpec::default());
    }
}
