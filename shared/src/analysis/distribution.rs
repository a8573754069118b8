//! The distribution and stickiness analyses' specs and results.
//!
//! # Semantics (`../shared/SEMANTICS.md`, "Event analysis, distribution")
//! - An event counts when its entity is not null, it passes the spec's `filters` and `event`, and
//!   its time falls on one of the range's days in the tenant's zone.
//! - Distribution: each entity with at least one such event is counted once, in the bucket of how
//!   many such events it has. Buckets are given by their lower bounds (default 1, 2, 3, 4, 5, 6,
//!   11, 21, 51: the buckets 1, 2, 3, 4, 5, 6–10, 11–20, 21–50, 51+); each runs to the next
//!   bound minus one, the last is open.
//! - Stickiness: each entity with at least one such event is counted once, in the bucket of on
//!   how many distinct days of the range (local calendar days) it had one: 1 to the number of
//!   days in the range (default the last 30 days, today included, so today is still under way).
//! - Shares are out of all counted entities; entities without a matching event are not counted.

use super::EventSource;
use super::trend::{EventSelection, default_date_range};
use crate::pivot::{DateSpan, Filter};
use serde::{Deserialize, Serialize};

/// What to compute: entities by how many times they did the event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DistributionSpec {
    /// Where the events are.
    pub source: EventSource,
    /// The events counted. Default: any event.
    pub event: EventSelection,
    /// The days counted. Default: the last 30 days.
    pub date_range: DateSpan,
    /// Conditions every event must meet (AND).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
    /// The buckets' lower bounds: strictly increasing, starting at 1, at most
    /// [`DistributionSpec::MAX_BUCKETS`].
    pub bounds: Vec<u64>,
}

impl Default for DistributionSpec {
    fn default() -> Self {
        Self {
            source: EventSource::default(),
            event: EventSelection::default(),
            date_range: default_date_range(),
            filters: Vec::new(),
            bounds: Self::DEFAULT_BOUNDS.to_vec(),
        }
    }
}

impl DistributionSpec {
    /// The default buckets: 1, 2, 3, 4, 5, 6–10, 11–20, 21–50, 51+.
    pub const DEFAULT_BOUNDS: [u64; 9] = [1, 2, 3, 4, 5, 6, 11, 21, 51];
    /// Most buckets.
    pub const MAX_BUCKETS: usize = 100;

    /// The days whose events the engine must hold when today is `today`: the range.
    pub fn needed_days(&self, today: chrono::NaiveDate) -> (chrono::NaiveDate, chrono::NaiveDate) {
        self.date_range.resolve(today)
    }
}

/// The label of the bucket from `min` to `max` (open when none): `3`, `6-10`, `51+`.
pub fn bucket_label(min: u64, max: Option<u64>) -> String {
    match max {
        Some(max) if max == min => min.to_string(),
        Some(max) => format!("{min}-{max}"),
        None => format!("{min}+"),
    }
}

/// The answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistributionResult {
    /// The first day of the range, in the tenant's calendar.
    pub first_day: chrono::NaiveDate,
    /// The last day of the range (inclusive).
    pub last_day: chrono::NaiveDate,
    /// Entities with at least one matching event.
    pub entities: u64,
    /// Matching events.
    pub events: u64,
    /// One per bound, in order, empty ones included.
    pub buckets: Vec<FrequencyBucket>,
}

/// Entities that did the event between `min` and `max` times.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrequencyBucket {
    /// Fewest events, inclusive.
    pub min: u64,
    /// Most events, inclusive; none for the last, open bucket.
    pub max: Option<u64>,
    /// `min`, `min-max` or `min+`.
    pub label: String,
    /// Entities in the bucket.
    pub entities: u64,
    /// Their share of all counted entities; none when there are none.
    pub share: Option<f64>,
}

/// What to compute: entities by on how many distinct days they were active.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StickinessSpec {
    /// Where the events are.
    pub source: EventSource,
    /// The events that make a day active. Default: any event.
    pub event: EventSelection,
    /// The days looked at (the last N days by default: 30). At most
    /// [`StickinessSpec::MAX_DAYS`].
    pub date_range: DateSpan,
    /// Conditions every event must meet (AND).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
}

impl Default for StickinessSpec {
    fn default() -> Self {
        Self {
            source: EventSource::default(),
            event: EventSelection::default(),
            date_range: default_date_range(),
            filters: Vec::new(),
        }
    }
}

impl StickinessSpec {
    /// Most days in the range: one bucket per day.
    pub const MAX_DAYS: u32 = 366;

    /// The days whose events the engine must hold when today is `today`: the range.
    pub fn needed_days(&self, today: chrono::NaiveDate) -> (chrono::NaiveDate, chrono::NaiveDate) {
        self.date_range.resolve(today)
    }
}

/// The answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StickinessResult {
    /// The first day of the range, in the tenant's calendar.
    pub first_day: chrono::NaiveDate,
    /// The last day of the range (inclusive).
    pub last_day: chrono::NaiveDate,
    /// Days in the range: the buckets are 1 to this.
    pub days: u32,
    /// Entities active on at least one day.
    pub entities: u64,
    /// Active days per counted entity, on average; none without entities.
    pub mean_days: Option<f64>,
    /// One per number of days, 1 to `days`, empty ones included.
    pub buckets: Vec<StickinessBucket>,
}

/// Entities active on exactly `days` days of the range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StickinessBucket {
    /// Active days.
    pub days: u32,
    /// Entities active on exactly that many days.
    pub entities: u64,
    /// Their share of all counted entities; none when there are none.
    pub share: Option<f64>,
    /// The share of counted entities active on at least that many days.
    pub at_least_share: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_single_closed_and_open_buckets() {
        assert_eq!(bucket_label(3, Some(3)), "3");
        assert_eq!(bucket_label(6, Some(10)), "6-10");
        assert_eq!(bucket_label(51, None), "51+");
    }

    #[test]
    fn specs_round_trip_through_json() {
        let spec: DistributionSpec = serde_json::from_str(r#"{"event":{"event":"order"},"bounds":[1,2,10]}"#).unwrap();
        assert_eq!(spec.bounds, vec![1, 2, 10]);
        let json = serde_json::to_string(&spec).unwrap();
        assert_eq!(serde_json::from_str::<DistributionSpec>(&json).unwrap(), spec);
        assert_eq!(serde_json::from_str::<DistributionSpec>("{}").unwrap(), DistributionSpec::default());
        let spec: StickinessSpec = serde_json::from_str(r#"{"date_range":{"kind":"last","days":7}}"#).unwrap();
        assert_eq!(spec.date_range, DateSpan::Last { days: 7 });
        assert_eq!(serde_json::from_str::<StickinessSpec>("{}").unwrap(), StickinessSpec::default());
    }
}
