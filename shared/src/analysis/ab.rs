//! The A/B comparison's spec and result: each bucket of an experiment against the control.
//!
//! Semantics (from `SEMANTICS.md`, shown as the view's help):
//! - **Entities of a bucket.** Every entity with at least one event in the date range (after the
//!   spec's filters) whose bucket property is set. An entity seen in two buckets (a bug in the
//!   assignment, or a user on two devices) stays in the bucket of its **first** event in the
//!   range (first exposure, as Statsig and Amplitude do), and is counted in
//!   [`AbResult::entities_in_several_buckets`] so the contamination is visible.
//! - **Metric.** A conversion rate: the share of the bucket's entities that did the metric event
//!   (with its filters) in the range. Or a mean of a per-entity value: the count of metric events
//!   or the sum of a number column over them, per entity, where an entity without one counts as
//!   0 (revenue per user, not per buyer).
//! - **Gap and interval.** Each bucket's absolute gap (bucket − control) and relative gap
//!   (gap / control) and a 95% confidence interval of the absolute gap: the normal approximation
//!   with unpooled variances for rates (Wald), Welch's t interval for means (Welch–Satterthwaite
//!   degrees of freedom, Student t quantile).
//! - **Small buckets.** A bucket with fewer than [`MIN_ENTITIES`] entities is flagged: its
//!   interval leans on an approximation that needs more data.

use super::EventSource;
use crate::pivot::{DateSpan, Filter};
use serde::{Deserialize, Serialize};

/// Buckets with fewer entities than this are flagged as too small to trust.
pub const MIN_ENTITIES: u64 = 30;

/// The confidence level of every interval of the view.
pub const CONFIDENCE: f64 = 0.95;

/// What to compare.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AbSpec {
    /// The events; the entity column is what is counted (`user_id`).
    pub source: EventSource,
    /// The assignment property: a column of the source whose value names the bucket.
    pub bucket: String,
    /// The bucket the others are compared with.
    pub control: String,
    /// The days whose events count, on the source's time column, in the tenant's calendar; none
    /// means all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_range: Option<DateSpan>,
    /// Who takes part: only events passing all of these count, for exposure and metric alike.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
    /// What is compared.
    pub metric: AbMetric,
}

impl Default for AbSpec {
    fn default() -> Self {
        Self {
            source: EventSource::default(),
            bucket: "ab_bucket".to_owned(),
            control: "control".to_owned(),
            date_range: None,
            filters: Vec::new(),
            metric: AbMetric::default(),
        }
    }
}

/// The compared metric, per entity, over the events of the range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AbMetric {
    /// The share of the bucket's entities that did the event at least once.
    Conversion {
        /// The event name (in the source's event column); none means any event.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<String>,
        /// Conditions the event must also meet.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        filters: Vec<Filter>,
    },
    /// The mean over the bucket's entities of a per-entity value.
    Mean {
        /// The event name (in the source's event column); none means any event.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<String>,
        /// Conditions the event must also meet.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        filters: Vec<Filter>,
        /// The per-entity value.
        #[serde(default)]
        value: PerEntity,
    },
}

impl Default for AbMetric {
    fn default() -> Self {
        AbMetric::Conversion { event: None, filters: Vec::new() }
    }
}

/// A per-entity value for [`AbMetric::Mean`]; an entity without a metric event has 0.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "of", rename_all = "snake_case")]
pub enum PerEntity {
    /// How many metric events the entity did.
    #[default]
    Events,
    /// The sum of a number column over the entity's metric events (nulls count as 0).
    Sum {
        /// The summed column (e.g. `price`).
        column: String,
    },
}

/// The comparison.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AbResult {
    /// `conversion` (rates, normal intervals) or `mean` (means, Welch intervals).
    pub metric: String,
    /// The control bucket's value.
    pub control: String,
    /// The confidence level of the intervals (0.95).
    pub confidence: f64,
    /// One row per bucket, control first, then by bucket value.
    pub buckets: Vec<AbBucket>,
    /// Entities whose events carry more than one bucket value; each is kept in its first.
    pub entities_in_several_buckets: u64,
}

/// One bucket against the control.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AbBucket {
    /// The bucket's value.
    pub bucket: String,
    /// Whether this is the control.
    pub is_control: bool,
    /// Entities in the bucket.
    pub entities: u64,
    /// For rates, entities that converted; for means, the sum of the per-entity values.
    pub total: f64,
    /// The rate (0..1) or the mean.
    pub value: f64,
    /// The sample standard deviation of the per-entity values (for rates, of the 0/1 outcome).
    pub std_dev: Option<f64>,
    /// `value − control's value`; 0 for the control.
    pub gap: f64,
    /// `gap / control's value`; none when the control's value is 0.
    pub relative_gap: Option<f64>,
    /// The confidence interval of [`AbBucket::gap`]; none for the control, and when either
    /// bucket is too thin to estimate a spread (fewer than 2 entities).
    pub interval: Option<Interval>,
    /// Two-sided p-value of "no difference"; none where the interval is none.
    pub p_value: Option<f64>,
    /// Fewer than [`MIN_ENTITIES`] entities: the interval is not to be trusted.
    pub small: bool,
}

/// A confidence interval.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
    /// Degrees of freedom of the Student t quantile (Welch); none for the normal approximation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub df: Option<f64>,
}

impl Interval {
    /// Whether the interval leaves out 0: the gap is significant at the view's level.
    pub fn excludes_zero(&self) -> bool {
        self.low > 0.0 || self.high < 0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::AnalysisSpec;
    use crate::pivot::FilterOp;

    #[track_caller]
    fn check(json: &str, expected: AbSpec) {
        let AnalysisSpec::Ab(spec) = AnalysisSpec::from_json(json).expect("parses") else { panic!("not ab") };
        assert_eq!(spec, expected);
        let again = AnalysisSpec::Ab(spec.clone()).to_json();
        assert_eq!(AnalysisSpec::from_json(&again).expect("round trip"), AnalysisSpec::Ab(expected));
    }

    #[test]
    fn specs_read_with_defaults_and_round_trip() {
        check(r#"{"kind":"ab"}"#, AbSpec::default());
        check(
            r#"{"kind":"ab","control":"A","metric":{"type":"conversion","event":"order"}}"#,
            AbSpec {
                control: "A".to_owned(),
                metric: AbMetric::Conversion { event: Some("order".to_owned()), filters: vec![] },
                ..AbSpec::default()
            },
        );
        check(
            r#"{"kind":"ab","date_range":{"kind":"last","days":14},
                "metric":{"type":"mean","event":"order","value":{"of":"sum","column":"price"},
                          "filters":[{"column":"country","op":"in","values":["DE"]}]}}"#,
            AbSpec {
                date_range: Some(DateSpan::Last { days: 14 }),
                metric: AbMetric::Mean {
                    event: Some("order".to_owned()),
                    filters: vec![Filter {
                        column: "country".to_owned(),
                        op: FilterOp::In { values: vec![Some("DE".to_owned())] },
                    }],
                    value: PerEntity::Sum { column: "price".to_owned() },
                },
                ..AbSpec::default()
            },
        );
        check(
            r#"{"kind":"ab","metric":{"type":"mean"}}"#,
            AbSpec {
                metric: AbMetric::Mean { event: None, filters: vec![], value: PerEntity::Events },
                ..AbSpec::default()
            },
        );
    }

    /// A wrong value is refused at its path, with a reason naming it.
    #[track_caller]
    fn refuse(json: &str, field: &str, word: &str) {
        let err = AnalysisSpec::from_json(json).unwrap_err();
        assert_eq!(err.field, field, "{err}");
        assert!(err.reason.contains(word), "{err}");
    }

    #[test]
    fn a_bad_metric_is_refused() {
        refuse(r#"{"kind":"ab","metric":{"type":"median"}}"#, "metric.type", "median");
        refuse(r#"{"kind":"ab","metric":{"type":"mean","value":{"of":"sum"}}}"#, "metric", "column");
        refuse(r#"{"kind":"ab","control":7}"#, "control", "7");
    }
}
