//! The event trend's spec and result: per time bucket, how many events (PV), how many distinct
//! entities (UV) and how many events per entity; DAU, WAU and MAU; a breakdown by a property; and
//! comparisons with the previous period and the same range a year earlier.
//!
//! # Semantics (`../shared/SEMANTICS.md`, "Event analysis")
//! - An event counts when its entity is not null, it passes the spec's `filters` and the series'
//!   [`EventSelection`], and its time falls on one of the range's days in the tenant's zone.
//! - Buckets (`grain`: hour, day, week from Monday, month, quarter, year) are wall-clock buckets
//!   of the tenant's zone: a day has the events between two local midnights (23 or 25 hours on
//!   a DST change). Hour buckets are wall-clock hours, so on the night clocks go back the
//!   repeated hour's events fall in one bucket, and the hour they skip forward is empty. Buckets are clipped to the range: a week bucket
//!   of a range starting on a Wednesday counts Wednesday to Sunday, and is flagged `partial`.
//! - `pv`: events. `uv`: distinct entities in the bucket. `per_entity`: `pv / uv` (none when no
//!   entity). `dau`, `wau`, `mau`: for each day, the distinct entities with an event in the 1, 7
//!   or 30 days ending on that day (windows reach before the range's first day: see
//!   [`TrendSpec::needed_days`]); they need the day grain. A series' `total` is `pv` and `uv`
//!   over the whole range (UV counts each entity once, it is not a sum of buckets), their ratio,
//!   or the mean over the days for `dau`, `wau` and `mau`.
//! - Breakdown: the top `top` values of the column by events over the range (all series
//!   together; ties by value), each its own series; every other value together in one "other"
//!   series, whose UV counts distinct entities of those rows (not a sum). Null is a value.
//! - Comparisons: `previous_period` is the same number of days just before the range,
//!   `previous_year` the same dates a year earlier. Each bucket (as clipped to the range) is
//!   compared with the same local times shifted back by that much ([`Comparison::shift`]):
//!   29 February has no counterpart a year earlier (its comparison is 0), and a year after a
//!   leap year 28 February's takes in 29 February. A change is `absolute = value - previous`,
//!   `relative = absolute / previous` (none when previous is 0).

use super::EventSource;
use crate::pivot::{DateSpan, Filter, TimeGrain};
use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

/// Which events count for a series, a start or a return: an event name (any event when absent)
/// and conditions on the event's columns, all of which must hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventSelection {
    /// The event's name (a value of [`EventSource::event`]); any event when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// Conditions on the event's columns (AND).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
}

impl EventSelection {
    /// Events named `name`.
    pub fn named(name: &str) -> Self {
        Self { event: Some(name.to_owned()), filters: Vec::new() }
    }
}

/// The default date range of the event analyses: the last 30 days, today included.
pub fn default_date_range() -> DateSpan {
    DateSpan::Last { days: 30 }
}

/// What to compute.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrendSpec {
    /// Where the events are.
    pub source: EventSource,
    /// One series per selection (at most [`TrendSpec::MAX_SERIES`]). Default: any event.
    pub events: Vec<EventSelection>,
    /// What to measure for every series (no repeats). Default: PV and UV.
    pub measures: Vec<TrendMeasure>,
    /// The bucket. Default: day.
    pub grain: TimeGrain,
    /// The days shown, in the tenant's calendar. Default: the last 30 days.
    pub date_range: DateSpan,
    /// Conditions every event must meet (AND), on top of each series' own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
    /// One series per top value of a column, and one for the rest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<Breakdown>,
    /// Comparisons shown next to every value (no repeats).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub compare: Vec<Comparison>,
}

impl Default for TrendSpec {
    fn default() -> Self {
        Self {
            source: EventSource::default(),
            events: vec![EventSelection::default()],
            measures: vec![TrendMeasure::Pv, TrendMeasure::Uv],
            grain: TimeGrain::Day,
            date_range: default_date_range(),
            filters: Vec::new(),
            breakdown: None,
            compare: Vec::new(),
        }
    }
}

impl TrendSpec {
    /// Most series (event selections).
    pub const MAX_SERIES: usize = 8;
    /// Most buckets in the range (about 200 days of hours).
    pub const MAX_BUCKETS: usize = 5000;
    /// Most days in the range with DAU, WAU or MAU (each entity's state holds a bit per day).
    pub const MAX_ACTIVE_DAYS: i64 = 366;

    /// The days whose events the engine must hold to answer this spec when today is `today`
    /// (in the tenant's zone), as disjoint inclusive ranges in order: the range itself, the 6 or
    /// 29 days before it for WAU or MAU, and the compared ranges (with their own lead-in).
    pub fn needed_days(&self, today: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
        let (first, last) = self.date_range.resolve(today);
        let lead_in = Days::new(self.measures.iter().map(|m| m.window_days()).max().unwrap_or(1) - 1);
        let mut ranges = vec![(first, last)];
        for comparison in &self.compare {
            if let Some(range) = comparison.shifted(first, last) {
                ranges.push(range);
            }
        }
        let ranges = ranges
            .into_iter()
            .filter(|(a, b)| a <= b)
            .map(|(a, b)| (a.checked_sub_days(lead_in).unwrap_or(NaiveDate::MIN), b));
        merge_ranges(ranges.collect())
    }
}

/// Sorts day ranges and joins those that overlap or touch.
pub(crate) fn merge_ranges(mut ranges: Vec<(NaiveDate, NaiveDate)>) -> Vec<(NaiveDate, NaiveDate)> {
    ranges.sort();
    let mut merged: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for (a, b) in ranges {
        match merged.last_mut() {
            Some(last) if a <= last.1.succ_opt().unwrap_or(NaiveDate::MAX) => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

/// A trend measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendMeasure {
    /// Events (page views, in web analytics' words).
    Pv,
    /// Distinct entities (unique visitors).
    Uv,
    /// Events per entity: PV / UV.
    PerEntity,
    /// Distinct entities on each day.
    Dau,
    /// Distinct entities in the 7 days ending on each day.
    Wau,
    /// Distinct entities in the 30 days ending on each day.
    Mau,
}

impl TrendMeasure {
    /// The stable name used in JSON and column labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pv => "pv",
            Self::Uv => "uv",
            Self::PerEntity => "per_entity",
            Self::Dau => "dau",
            Self::Wau => "wau",
            Self::Mau => "mau",
        }
    }

    /// For the active-entity measures, the days in the window ending on each day; 1 otherwise.
    pub fn window_days(self) -> u64 {
        match self {
            Self::Wau => 7,
            Self::Mau => 30,
            _ => 1,
        }
    }

    /// Whether this is DAU, WAU or MAU (daily points over a trailing window).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Dau | Self::Wau | Self::Mau)
    }
}

/// A breakdown of every series by the values of a column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    /// The column (not the time column).
    pub column: String,
    /// How many values get their own series (1 to [`Breakdown::MAX_TOP`]); the rest are "other".
    #[serde(default = "Breakdown::default_top")]
    pub top: u32,
}

impl Breakdown {
    /// Most values with their own series.
    pub const MAX_TOP: u32 = 50;

    fn default_top() -> u32 {
        10
    }

    /// A breakdown by `column` with the default top 10.
    pub fn by(column: &str) -> Self {
        Self { column: column.to_owned(), top: Self::default_top() }
    }
}

/// A comparison shown next to every value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// The same number of days just before the range.
    PreviousPeriod,
    /// The same dates one year earlier.
    PreviousYear,
}

impl Comparison {
    /// The compared days for the range `first..=last`. A year back, a range of only 29
    /// February compares with nothing: its first day comes after its last.
    pub fn shifted(self, first: NaiveDate, last: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        match self {
            Self::PreviousPeriod => {
                let length = Days::new((last - first).num_days().unsigned_abs() + 1);
                Some((first.checked_sub_days(length)?, last.checked_sub_days(length)?))
            }
            Self::PreviousYear => {
                let start = |day: NaiveDate| year_before(day.and_time(NaiveTime::MIN)).map(|at| at.date());
                Some((start(first)?, start(last.succ_opt()?)?.pred_opt()?))
            }
        }
    }

    /// Where the local time `at` of the range falls in the compared days: `days` earlier for
    /// the previous period of that many days, [`year_before`] for the previous year.
    pub fn shift(self, at: NaiveDateTime, days: u64) -> Option<NaiveDateTime> {
        match self {
            Self::PreviousPeriod => at.checked_sub_days(Days::new(days)),
            Self::PreviousYear => year_before(at),
        }
    }
}

/// The same local time a year earlier. 29 February has none: all of it is 1 March 00:00 of the
/// year before, so its buckets are empty there, and a year after a leap year the bucket of 28
/// February runs to that 1 March and takes in 29 February.
pub fn year_before(at: NaiveDateTime) -> Option<NaiveDateTime> {
    let day = at.date();
    if day.month() == 2 && day.day() == 29 {
        return NaiveDate::from_ymd_opt(day.year() - 1, 3, 1).map(|d| d.and_time(NaiveTime::MIN));
    }
    Some(NaiveDate::from_ymd_opt(day.year() - 1, day.month(), day.day())?.and_time(at.time()))
}

/// The start of the bucket of `grain` holding `at` (weeks start on Monday).
pub fn bucket_start(grain: TimeGrain, at: NaiveDateTime) -> NaiveDateTime {
    let day = at.date();
    let date = match grain {
        TimeGrain::Hour => return day.and_hms_opt(at.hour(), 0, 0).unwrap_or(at),
        TimeGrain::Day => day,
        TimeGrain::Week => day - Days::new(u64::from(day.weekday().num_days_from_monday())),
        TimeGrain::Month => day.with_day(1).unwrap_or(day),
        TimeGrain::Quarter => NaiveDate::from_ymd_opt(day.year(), (day.month0() / 3) * 3 + 1, 1).unwrap_or(day),
        TimeGrain::Year => NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day),
    };
    date.and_time(NaiveTime::MIN)
}

/// The start of the bucket after the one starting at `start`.
pub fn next_bucket(grain: TimeGrain, start: NaiveDateTime) -> Option<NaiveDateTime> {
    match grain {
        TimeGrain::Hour => start.checked_add_signed(chrono::TimeDelta::hours(1)),
        TimeGrain::Day => start.checked_add_days(Days::new(1)),
        TimeGrain::Week => start.checked_add_days(Days::new(7)),
        TimeGrain::Month => start.checked_add_months(Months::new(1)),
        TimeGrain::Quarter => start.checked_add_months(Months::new(3)),
        TimeGrain::Year => start.checked_add_months(Months::new(12)),
    }
}

/// The starts of the buckets that cover `first..=last`, in order; `None` when there are more
/// than `limit`.
pub fn bucket_starts(grain: TimeGrain, first: NaiveDate, last: NaiveDate, limit: usize) -> Option<Vec<NaiveDateTime>> {
    let end = last.succ_opt()?.and_time(NaiveTime::MIN);
    let mut starts = Vec::new();
    let mut at = bucket_start(grain, first.and_time(NaiveTime::MIN));
    while at < end {
        if starts.len() == limit {
            return None;
        }
        starts.push(at);
        at = next_bucket(grain, at)?;
    }
    Some(starts)
}

/// The answer: buckets, then one series per (event selection, measure, breakdown group).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendResult {
    /// The bucket.
    pub grain: TimeGrain,
    /// The first day of the range, in the tenant's calendar.
    pub first_day: NaiveDate,
    /// The last day of the range (inclusive).
    pub last_day: NaiveDate,
    /// The buckets, in order, empty ones included; every series' `points` follow them.
    pub buckets: Vec<TrendBucket>,
    /// The days compared as the previous period, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_period: Option<(NaiveDate, NaiveDate)>,
    /// The days compared as the previous year, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_year: Option<(NaiveDate, NaiveDate)>,
    /// Every series: for each event selection (in spec order), each measure (in spec order),
    /// each breakdown group (the top values by events, then "other").
    pub series: Vec<TrendSeries>,
}

/// One bucket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendBucket {
    /// Its start, in the tenant's wall-clock time.
    pub start: NaiveDateTime,
    /// Whether the bucket is cut by the range's ends or not over yet: its values cover less
    /// than a whole bucket.
    pub partial: bool,
}

/// One line of the chart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendSeries {
    /// Index of the event selection in the spec's `events`.
    pub event: usize,
    /// The measure.
    pub measure: TrendMeasure,
    /// The breakdown group, when the spec has a breakdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<BreakdownGroup>,
    /// One point per bucket, in the order of [`TrendResult::buckets`].
    pub points: Vec<TrendPoint>,
    /// Over the whole range (see the module docs).
    pub total: TrendPoint,
}

/// A breakdown group: one value of the column, or all the values past the top ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakdownGroup {
    /// The value as text (none for null, and for "other").
    pub value: Option<String>,
    /// Whether this is the "other" group.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub other: bool,
}

/// A value and its comparisons.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// The value; none where it is undefined (events per entity without entities).
    pub value: Option<f64>,
    /// Against the previous period, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_period: Option<Change>,
    /// Against the same dates a year earlier, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_year: Option<Change>,
}

/// A value compared with an earlier one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The earlier value.
    pub value: Option<f64>,
    /// Now minus then.
    pub absolute: Option<f64>,
    /// (Now minus then) over then; none when then is 0 or unknown.
    pub relative: Option<f64>,
}

impl Change {
    /// `now` against `then`.
    pub fn between(now: Option<f64>, then: Option<f64>) -> Self {
        let absolute = now.zip(then).map(|(now, then)| now - then);
        let relative = absolute.zip(then).and_then(|(delta, then)| (then != 0.0).then(|| delta / then));
        Self { value: then, absolute, relative }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[track_caller]
    fn check_needed(json: &str, today: &str, expected: &[(&str, &str)]) {
        let spec: TrendSpec = serde_json::from_str(json).unwrap();
        let expected: Vec<_> = expected.iter().map(|(a, b)| (day(a), day(b))).collect();
        assert_eq!(spec.needed_days(day(today)), expected, "{json}");
    }

    #[test]
    fn needed_days_cover_windows_and_comparisons() {
        check_needed("{}", "2024-03-30", &[("2024-03-01", "2024-03-30")]);
        check_needed(r#"{"measures":["wau"]}"#, "2024-03-30", &[("2024-02-24", "2024-03-30")]);
        check_needed(r#"{"measures":["dau","mau"]}"#, "2024-03-30", &[("2024-02-01", "2024-03-30")]);
        check_needed(r#"{"compare":["previous_period"]}"#, "2024-03-30", &[("2024-01-31", "2024-03-30")]);
        check_needed(
            r#"{"compare":["previous_year"],"date_range":{"kind":"between","from":"2025-02-01","to":"2025-02-28"}}"#,
            "2025-03-30",
            &[("2024-02-01", "2024-02-29"), ("2025-02-01", "2025-02-28")],
        );
        check_needed(
            r#"{"compare":["previous_year"],"measures":["mau"],"date_range":{"kind":"last","days":7}}"#,
            "2024-06-30",
            &[("2023-05-26", "2023-06-30"), ("2024-05-26", "2024-06-30")],
        );
    }

    #[track_caller]
    fn check_buckets(grain: TimeGrain, first: &str, last: &str, expected: &[&str]) {
        let starts = bucket_starts(grain, day(first), day(last), 100).unwrap();
        let starts: Vec<String> = starts.iter().map(|s| s.format("%Y-%m-%d %H").to_string()).collect();
        assert_eq!(starts, expected, "{grain:?} {first}..{last}");
    }

    #[test]
    fn buckets_cover_the_range_from_the_bucket_holding_its_first_day() {
        check_buckets(TimeGrain::Day, "2024-02-28", "2024-03-01", &["2024-02-28 00", "2024-02-29 00", "2024-03-01 00"]);
        check_buckets(
            TimeGrain::Week,
            "2024-03-06",
            "2024-03-18",
            &["2024-03-04 00", "2024-03-11 00", "2024-03-18 00"],
        );
        check_buckets(TimeGrain::Month, "2024-01-31", "2024-02-01", &["2024-01-01 00", "2024-02-01 00"]);
        check_buckets(TimeGrain::Quarter, "2024-03-31", "2024-04-01", &["2024-01-01 00", "2024-04-01 00"]);
        check_buckets(TimeGrain::Year, "2024-03-31", "2024-04-01", &["2024-01-01 00"]);
        assert_eq!(bucket_starts(TimeGrain::Hour, day("2024-03-10"), day("2024-03-10"), 100).unwrap().len(), 24);
        assert_eq!(bucket_starts(TimeGrain::Hour, day("2024-03-10"), day("2024-03-14"), 100), None);
    }

    #[track_caller]
    fn check_year_before(at: &str, expected: &str) {
        let at = NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M").unwrap();
        assert_eq!(year_before(at).unwrap().format("%Y-%m-%dT%H:%M").to_string(), expected);
    }

    #[test]
    fn a_year_before_29_february_is_1_march() {
        check_year_before("2025-02-28T10:00", "2024-02-28T10:00");
        check_year_before("2025-03-01T00:00", "2024-03-01T00:00");
        check_year_before("2024-02-29T00:00", "2023-03-01T00:00");
        check_year_before("2024-02-29T23:00", "2023-03-01T00:00");
        check_year_before("2024-03-01T01:00", "2023-03-01T01:00");
        let range = |from: &str, to: &str| Comparison::PreviousYear.shifted(day(from), day(to)).unwrap();
        assert_eq!(range("2025-02-01", "2025-02-28"), (day("2024-02-01"), day("2024-02-29")));
        assert_eq!(range("2024-02-29", "2024-03-02"), (day("2023-03-01"), day("2023-03-02")));
        assert_eq!(range("2024-02-29", "2024-02-29"), (day("2023-03-01"), day("2023-02-28")));
    }

    #[test]
    fn changes_are_relative_to_the_earlier_value() {
        assert_eq!(
            Change::between(Some(15.0), Some(10.0)),
            Change { value: Some(10.0), absolute: Some(5.0), relative: Some(0.5) }
        );
        assert_eq!(Change::between(Some(3.0), Some(0.0)).relative, None);
        assert_eq!(Change::between(None, Some(2.0)).absolute, None);
    }

    #[test]
    fn specs_round_trip_through_json() {
        let spec = TrendSpec {
            events: vec![EventSelection::named("order"), EventSelection::default()],
            measures: vec![TrendMeasure::Dau, TrendMeasure::Mau],
            breakdown: Some(Breakdown::by("platform")),
            compare: vec![Comparison::PreviousPeriod, Comparison::PreviousYear],
            ..TrendSpec::default()
        };
        let json = serde_json::to_string(&spec).unwrap();
        assert_eq!(serde_json::from_str::<TrendSpec>(&json).unwrap(), spec, "{json}");
        assert_eq!(serde_json::from_str::<TrendSpec>("{}").unwrap(), TrendSpec::default());
    }
}
