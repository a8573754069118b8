//! The funnel analysis's spec ([`FunnelSpec`]) and result ([`FunnelResult`]).
//!
//! # What a funnel counts (the rules of `SEMANTICS.md`, as the help shows them)
//!
//! Each entity (a user; a lead for the lead funnel) is matched on its own events, sorted by time;
//! events at the same instant keep the order in which the table holds them.
//!
//! - **Ordered** (the default; Doris `window_funnel`, ClickHouse `strict_once`): every event
//!   matching step 1 starts a chain at its time `t1`. Step k is the first later event (the same
//!   instant counts) that matches step k and happens at or before `t1 + window`. One event fills
//!   at most one step. The entity's level is the most steps any of its chains reaches; times and
//!   breakdown values come from the earliest-starting chain that reaches that level.
//! - **Strict** (ClickHouse `strict_order`): as ordered, but no other event of the entity (of any
//!   name, after the global filters) may come between two consecutive steps.
//! - **Any order**: a chain starts at any event matching any step; its level is how many distinct
//!   steps events in `[t1, t1 + window]` fill, each event filling at most one step (so the level
//!   is the size of the largest such assignment). "Step k" then means "k of the steps, whichever".
//! - **dedup** (Doris `deduplication`): a chain stops when, before its next step, an event matches
//!   a step the chain already filled. In any order: when an event matching a step adds none.
//! - **increase** (Doris `increase`): a step must be strictly later than the step before it; an
//!   event at the same instant cannot fill the next step.
//! - **exclusions** (PostHog exclusion steps): an event matching an exclusion before the chain's
//!   next step stops the chain where it is. An event that fills the next step is that step, even
//!   if it also matches an exclusion.
//! - **date range**: chains must *start* inside the range (tenant's days); later steps may happen
//!   after its last day, up to the window.

use crate::pivot::{DateRange, Filter, SpecError};
use serde::{Deserialize, Serialize};

/// Most steps a funnel has (the matcher keeps one bit per step in a 32-bit mask).
pub const MAX_STEPS: usize = 32;
/// Most exclusions a funnel has.
pub const MAX_EXCLUSIONS: usize = 16;
/// The default window: 7 days.
pub const DEFAULT_WINDOW_SECS: u64 = 7 * 86_400;
/// The longest window: a century. Behaviour funnels use days, but the lead funnel's cohort form
/// ("of the leads created in the range, the share won so far") needs years.
pub const MAX_WINDOW_SECS: u64 = 36_525 * 86_400;
/// The default number of breakdown values shown before the rest is folded into "other".
pub const DEFAULT_TOP_N: u32 = 10;
/// Most breakdown values shown.
pub const MAX_TOP_N: u32 = 100;

/// A funnel: entities going through ordered steps within a time window.
///
/// JSON example (`"kind":"funnel"` is added by [`super::AnalysisSpec`]):
/// `{"steps":[{"event":"login"},{"event":"order","filters":[{"column":"channel","op":"in",
/// "values":["ads"]}]}],"window_secs":3600,"breakdown":{"column":"country"}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FunnelSpec {
    /// Where the events come from and what the entity is (users by default).
    pub source: super::EventSource,
    /// The steps, in order; 1 to [`MAX_STEPS`].
    pub steps: Vec<FunnelStep>,
    /// How long after its first step a chain may still fill steps, in seconds (inclusive);
    /// 1 to [`MAX_WINDOW_SECS`], default 7 days.
    pub window_secs: u64,
    /// How the steps must follow each other.
    #[serde(skip_serializing_if = "is_default")]
    pub mode: FunnelMode,
    /// A chain stops when an event repeats a step it already filled.
    #[serde(skip_serializing_if = "is_default")]
    pub dedup: bool,
    /// Each step must be strictly later than the one before.
    #[serde(skip_serializing_if = "is_default")]
    pub increase: bool,
    /// Events that stop a chain when they happen before its next step.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exclusions: Vec<FunnelStep>,
    /// Split the counts by a property.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<FunnelBreakdown>,
    /// Conditions every event must meet to be seen at all (AND).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
    /// The days in which chains must start (the source's time column, tenant's days). Later
    /// steps may fall after the last day, up to the window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_range: Option<DateRange>,
}

impl Default for FunnelSpec {
    fn default() -> Self {
        Self {
            source: super::EventSource::default(),
            steps: Vec::new(),
            window_secs: DEFAULT_WINDOW_SECS,
            mode: FunnelMode::default(),
            dedup: false,
            increase: false,
            exclusions: Vec::new(),
            breakdown: None,
            filters: Vec::new(),
            date_range: None,
        }
    }
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

impl FunnelSpec {
    /// A funnel over the default source with one step per event name.
    pub fn of_events(names: &[&str]) -> Self {
        Self { steps: names.iter().map(|n| FunnelStep::event(n)).collect(), ..Self::default() }
    }

    /// Checks what can be checked without the catalogue: how many steps and exclusions, the
    /// window, the breakdown's numbers. Column names and values are checked when planning.
    pub fn check(&self) -> Result<(), SpecError> {
        if self.steps.is_empty() {
            return Err(SpecError::new("steps", "a funnel needs at least one step"));
        }
        if self.steps.len() > MAX_STEPS {
            return Err(SpecError::new("steps", format!("at most {MAX_STEPS} steps, not {}", self.steps.len())));
        }
        if self.exclusions.len() > MAX_EXCLUSIONS {
            return Err(SpecError::new(
                "exclusions",
                format!("at most {MAX_EXCLUSIONS} exclusions, not {}", self.exclusions.len()),
            ));
        }
        if self.window_secs == 0 {
            return Err(SpecError::new("window_secs", "the window must be at least 1 second"));
        }
        if self.window_secs > MAX_WINDOW_SECS {
            return Err(SpecError::new(
                "window_secs",
                format!("the window must be at most {} days", MAX_WINDOW_SECS / 86_400),
            ));
        }
        if let Some(breakdown) = &self.breakdown {
            if breakdown.top_n == 0 || breakdown.top_n > MAX_TOP_N {
                return Err(SpecError::new("breakdown.top_n", format!("between 1 and {MAX_TOP_N}")));
            }
            if let Attribution::Step(k) = breakdown.attribution
                && (k == 0 || k as usize > self.steps.len())
            {
                return Err(SpecError::new(
                    "breakdown.attribution.step",
                    format!("a step between 1 and {}, not {k}", self.steps.len()),
                ));
            }
        }
        Ok(())
    }
}

/// One step (or exclusion) of a funnel: an event name and conditions on the event's properties.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FunnelStep {
    /// The event name (in the source's event column); `None` means any event, so that a step
    /// can be defined by its filters alone (the lead funnel's "contacted": any `kind` in a list
    /// with `outcome = connected`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// Conditions on the event's columns (AND).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
    /// What the step is called in the result; defaults to the event name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl FunnelStep {
    /// A step matching every event with this name.
    pub fn event(name: &str) -> Self {
        Self { event: Some(name.to_owned()), ..Self::default() }
    }

    /// The step's name in the result: its label, else its event name, else "Step k" (1-based
    /// `number`), else "Any event".
    pub fn display_label(&self, number: usize) -> String {
        match (&self.label, &self.event) {
            (Some(label), _) if !label.trim().is_empty() => label.clone(),
            (_, Some(event)) => event.clone(),
            (_, None) if !self.filters.is_empty() => format!("Step {number}"),
            (_, None) => "Any event".to_owned(),
        }
    }
}

/// How the steps of a funnel must follow each other; see the module docs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunnelMode {
    /// In order, other events allowed in between.
    #[default]
    Ordered,
    /// In order, with no other event in between.
    Strict,
    /// In any order.
    AnyOrder,
}

impl FunnelMode {
    /// The stable name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ordered => "ordered",
            Self::Strict => "strict",
            Self::AnyOrder => "any_order",
        }
    }
}

/// Split a funnel's counts by the value of a column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelBreakdown {
    /// The column (a property of the events).
    pub column: String,
    /// Which of the chain's events gives an entity its value.
    #[serde(default, skip_serializing_if = "is_default")]
    pub attribution: Attribution,
    /// How many values are shown (those with the most entities at step 1); the rest are folded
    /// into one "other" group. 1 to [`MAX_TOP_N`], default [`DEFAULT_TOP_N`].
    #[serde(default = "default_top_n")]
    pub top_n: u32,
}

fn default_top_n() -> u32 {
    DEFAULT_TOP_N
}

impl FunnelBreakdown {
    /// A breakdown by `column`, first touch, top [`DEFAULT_TOP_N`].
    pub fn by(column: &str) -> Self {
        Self { column: column.to_owned(), attribution: Attribution::default(), top_n: DEFAULT_TOP_N }
    }
}

/// Which event of an entity's reported chain gives its breakdown value. JSON: `"first_touch"`,
/// `"last_touch"` or `{"step":2}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribution {
    /// The event of step 1.
    #[default]
    FirstTouch,
    /// The event of the last step the entity reached.
    LastTouch,
    /// The event of this step (1-based); entities that did not reach it have no value. In
    /// any-order mode, the event with which the chain reached this many steps.
    Step(u32),
}

/// A funnel's answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FunnelResult {
    /// All entities, one entry per step of the spec, in order.
    pub steps: Vec<FunnelStepResult>,
    /// Per breakdown value (most entities first, then "other"); empty without a breakdown.
    pub breakdown: Vec<FunnelBreakdownGroup>,
    /// How long entities that completed every step took from step 1 to the last step, in bins
    /// from the first to the last non-empty one; empty when nobody completed.
    pub time_to_convert: Vec<TimeToConvertBin>,
    /// The window used, in seconds.
    pub window_secs: u64,
    /// The days in which chains started (first and last, inclusive), if the spec had a range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
}

/// One step's numbers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FunnelStepResult {
    /// The step's name ([`FunnelStep::display_label`]).
    pub label: String,
    /// Entities that reached this step (and so every step before it).
    pub entities: u64,
    /// `entities / entities at step 1`; `None` when nobody reached step 1.
    pub conversion_overall: Option<f64>,
    /// `entities / entities at the previous step` (1 at step 1 when anyone reached it); `None`
    /// when nobody reached the previous step.
    pub conversion_step: Option<f64>,
    /// Entities that reached the previous step but not this one (0 at step 1).
    pub drop_off: u64,
    /// Median time from the previous step to this one, in seconds, over the entities' reported
    /// chains (interpolating between the middle two); `None` at step 1 or with no entities.
    pub median_secs_from_previous: Option<f64>,
    /// 95th percentile of the same times (exact, interpolating linearly).
    pub p95_secs_from_previous: Option<f64>,
}

/// One breakdown group's numbers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FunnelBreakdownGroup {
    /// The value, as text; `None` for entities without one (and for "other").
    pub value: Option<String>,
    /// Whether this is the "other" group: the values past the top N, together.
    pub other: bool,
    /// The steps, as in [`FunnelResult::steps`], counting only this group's entities.
    pub steps: Vec<FunnelStepResult>,
}

/// One bar of the time-to-convert histogram.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeToConvertBin {
    /// Lower bound in seconds, inclusive.
    pub from_secs: u64,
    /// Upper bound in seconds, exclusive (the last bin ends at the window, inclusive).
    pub to_secs: u64,
    /// Entities that completed every step in that time.
    pub entities: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::AnalysisSpec;

    #[track_caller]
    fn check_json(json: &str, expected: &FunnelSpec) {
        let spec = AnalysisSpec::from_json(json).unwrap();
        assert_eq!(spec, AnalysisSpec::Funnel(expected.clone()), "{json}");
        assert_eq!(AnalysisSpec::from_json(&spec.to_json()).unwrap(), spec, "round trip of {json}");
    }

    #[test]
    fn specs_read_from_json_with_defaults() {
        check_json(r#"{"kind":"funnel","steps":[{"event":"a"},{"event":"b"}]}"#, &FunnelSpec::of_events(&["a", "b"]));
        check_json(
            r#"{"kind":"funnel","steps":[{"event":"a"}],"window_secs":60,"mode":"any_order","dedup":true}"#,
            &FunnelSpec { window_secs: 60, mode: FunnelMode::AnyOrder, dedup: true, ..FunnelSpec::of_events(&["a"]) },
        );
        check_json(
            r#"{"kind":"funnel","steps":[{"event":"a"}],"breakdown":{"column":"country","attribution":{"step":1}}}"#,
            &FunnelSpec {
                breakdown: Some(FunnelBreakdown {
                    attribution: Attribution::Step(1),
                    ..FunnelBreakdown::by("country")
                }),
                ..FunnelSpec::of_events(&["a"])
            },
        );
        check_json(
            r#"{"kind":"funnel","steps":[{"event":"a"}],"breakdown":{"column":"c","attribution":"last_touch","top_n":3}}"#,
            &FunnelSpec {
                breakdown: Some(FunnelBreakdown { column: "c".into(), attribution: Attribution::LastTouch, top_n: 3 }),
                ..FunnelSpec::of_events(&["a"])
            },
        );
    }

    #[track_caller]
    fn check_refusal(spec: FunnelSpec, field: &str) {
        assert_eq!(spec.check().map_err(|e| e.field), Err(field.to_owned()), "{spec:?}");
    }

    #[test]
    fn impossible_shapes_are_refused() {
        check_refusal(FunnelSpec::default(), "steps");
        check_refusal(FunnelSpec::of_events(&["a"; 33]), "steps");
        check_refusal(FunnelSpec { window_secs: 0, ..FunnelSpec::of_events(&["a"]) }, "window_secs");
        check_refusal(FunnelSpec { window_secs: MAX_WINDOW_SECS + 1, ..FunnelSpec::of_events(&["a"]) }, "window_secs");
        let step = |k| Some(FunnelBreakdown { attribution: Attribution::Step(k), ..FunnelBreakdown::by("c") });
        check_refusal(FunnelSpec { breakdown: step(0), ..FunnelSpec::of_events(&["a"]) }, "breakdown.attribution.step");
        check_refusal(FunnelSpec { breakdown: step(2), ..FunnelSpec::of_events(&["a"]) }, "breakdown.attribution.step");
        let top = Some(FunnelBreakdown { top_n: 0, ..FunnelBreakdown::by("c") });
        check_refusal(FunnelSpec { breakdown: top, ..FunnelSpec::of_events(&["a"]) }, "breakdown.top_n");
        assert_eq!(FunnelSpec::of_events(&["a"; 32]).check(), Ok(()));
    }

    #[test]
    fn steps_are_named_by_label_then_event() {
        assert_eq!(FunnelStep::event("login").display_label(1), "login");
        assert_eq!(
            FunnelStep { label: Some("Signed in".into()), ..FunnelStep::event("login") }.display_label(1),
            "Signed in"
        );
        assert_eq!(FunnelStep::default().display_label(2), "Any event");
        let filtered = FunnelStep {
            filters: vec![Filter { column: "c".into(), op: crate::pivot::FilterOp::IsNull }],
            ..FunnelStep::default()
        };
        assert_eq!(filtered.display_label(2), "Step 2");
    }
}
