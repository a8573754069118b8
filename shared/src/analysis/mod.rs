//! The analysis views' specs and results: funnel, retention, event trends, distribution and
//! stickiness, A/B comparison, lead follow-up. Their exact semantics are in each module's docs
//! (from `../shared/SEMANTICS.md`); `quiver-analysis` computes them, in the browser and on the
//! server (`POST /api/analyze`), from the same spec.
//!
//! A spec is a serde type that round-trips through a URL (`?view=<kind>&analysis=<json>`) and
//! can be a dashboard tile. Everything in it is untrusted: the planners check names against the
//! catalogue and quote them (`crate::sql`), and refuse with a [`SpecError`] naming the field.

pub mod ab;
pub mod distribution;
pub mod funnel;
pub mod leads;
pub mod retention;
pub mod trend;

use crate::catalog::TableInfo;
pub use crate::pivot::SpecError;
use serde::{Deserialize, Serialize};

/// The analysis kinds, as in the JSON tag.
pub const KINDS: [&str; 7] = ["funnel", "retention", "trend", "distribution", "stickiness", "ab", "lead_follow_up"];

/// One analysis, tagged by kind (`{"kind":"funnel", …}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AnalysisSpec {
    /// Conversion through ordered steps.
    Funnel(funnel::FunnelSpec),
    /// Cohorts coming back.
    Retention(retention::RetentionSpec),
    /// Events over time: PV, UV, per-user average, DAU/WAU/MAU, comparisons.
    Trend(trend::TrendSpec),
    /// Entities by how often they did something.
    Distribution(distribution::DistributionSpec),
    /// Entities by on how many days they were active.
    Stickiness(distribution::StickinessSpec),
    /// Buckets of an experiment against the control.
    Ab(ab::AbSpec),
    /// Speed to lead, SLA, overdue list, bands, leaderboard, lead funnel.
    LeadFollowUp(leads::LeadFollowUpSpec),
}

/// An analysis's answer, the JSON form of `POST /api/analyze` (the Arrow form is the tidy table
/// it was read from).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AnalysisResult {
    /// See [`funnel::FunnelResult`].
    Funnel(funnel::FunnelResult),
    /// See [`retention::RetentionResult`].
    Retention(retention::RetentionResult),
    /// See [`trend::TrendResult`].
    Trend(trend::TrendResult),
    /// See [`distribution::DistributionResult`].
    Distribution(distribution::DistributionResult),
    /// See [`distribution::StickinessResult`].
    Stickiness(distribution::StickinessResult),
    /// See [`ab::AbResult`].
    Ab(ab::AbResult),
    /// See [`leads::LeadFollowUpResult`].
    LeadFollowUp(leads::LeadFollowUpResult),
}

impl AnalysisSpec {
    /// The kind's name, as in the JSON tag and the URL's `view=`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Funnel(_) => "funnel",
            Self::Retention(_) => "retention",
            Self::Trend(_) => "trend",
            Self::Distribution(_) => "distribution",
            Self::Stickiness(_) => "stickiness",
            Self::Ab(_) => "ab",
            Self::LeadFollowUp(_) => "lead_follow_up",
        }
    }

    /// The tables the analysis reads, each with the spec path that names it (the server loads
    /// these, of the caller's tenant only, and refuses an unknown one at that path).
    pub fn tables(&self) -> Vec<(&'static str, &str)> {
        match self {
            Self::Funnel(s) => vec![("source.table", s.source.table.as_str())],
            Self::Retention(s) => vec![("source.table", s.source.table.as_str())],
            Self::Trend(s) => vec![("source.table", s.source.table.as_str())],
            Self::Distribution(s) => vec![("source.table", s.source.table.as_str())],
            Self::Stickiness(s) => vec![("source.table", s.source.table.as_str())],
            Self::Ab(s) => vec![("source.table", s.source.table.as_str())],
            Self::LeadFollowUp(s) => vec![
                ("tables.leads", s.tables.leads.as_str()),
                ("tables.events", s.tables.events.as_str()),
                ("tables.reps", s.tables.reps.as_str()),
            ],
        }
    }

    /// The spec a new view of `kind` starts from (one of [`KINDS`]), or `None` for an unknown kind.
    pub fn default_of(kind: &str) -> Option<Self> {
        Some(match kind {
            "funnel" => Self::Funnel(Default::default()),
            "retention" => Self::Retention(Default::default()),
            "trend" => Self::Trend(Default::default()),
            "distribution" => Self::Distribution(Default::default()),
            "stickiness" => Self::Stickiness(Default::default()),
            "ab" => Self::Ab(Default::default()),
            "lead_follow_up" => Self::LeadFollowUp(Default::default()),
            _ => return None,
        })
    }

    /// The columns of `table` this spec reads, in the table's order: every column for the lead
    /// follow-up (its columns come from the lead schema, not from the spec); for the others, the
    /// columns the spec names anywhere (source, steps, filters, breakdown, bucket, …), found as
    /// any text value of the spec equal to a column's name: at worst one column too many (an
    /// event called like a column), never one too few. Browser loads and the server's reads both
    /// go through here.
    pub fn columns_of(&self, table: &TableInfo) -> Vec<String> {
        if matches!(self, Self::LeadFollowUp(_)) {
            return table.columns.iter().map(|c| c.name.clone()).collect();
        }
        fn texts<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
            match value {
                serde_json::Value::String(text) => out.push(text),
                serde_json::Value::Array(items) => items.iter().for_each(|v| texts(v, out)),
                serde_json::Value::Object(map) => map.values().for_each(|v| texts(v, out)),
                _ => {}
            }
        }
        let json = serde_json::to_value(self).unwrap_or_default();
        let mut named = Vec::new();
        texts(&json, &mut named);
        table.columns.iter().filter(|c| named.contains(&c.name.as_str())).map(|c| c.name.clone()).collect()
    }

    /// The spec as compact JSON (for URLs and dashboard tiles).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an AnalysisSpec always serializes: its maps have string keys")
    }

    /// A spec from JSON; a malformed one is refused with the path of the wrong field
    /// (`steps[1].event`). The kind is read first and the rest as that kind's spec, because
    /// serde's internally tagged enums lose the path inside the variant.
    pub fn from_json(s: &str) -> Result<Self, SpecError> {
        let mut value: serde_json::Value =
            serde_json::from_str(s).map_err(|e| SpecError::new("spec", e.to_string()))?;
        let Some(object) = value.as_object_mut() else {
            return Err(SpecError::new("spec", "an analysis spec is a JSON object with a `kind`"));
        };
        let kind = match object.remove("kind") {
            Some(serde_json::Value::String(kind)) => kind,
            Some(other) => return Err(SpecError::new("kind", format!("the kind is a name, not {other}"))),
            None => return Err(SpecError::new("kind", format!("missing; one of {}", KINDS.join(", ")))),
        };
        fn part<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, SpecError> {
            serde_path_to_error::deserialize(value).map_err(|e| {
                let path = e.path().to_string();
                let field = if matches!(path.as_str(), "." | "?" | "") { "spec".to_owned() } else { path };
                SpecError::new(field, e.into_inner().to_string())
            })
        }
        Ok(match kind.as_str() {
            "funnel" => Self::Funnel(part(value)?),
            "retention" => Self::Retention(part(value)?),
            "trend" => Self::Trend(part(value)?),
            "distribution" => Self::Distribution(part(value)?),
            "stickiness" => Self::Stickiness(part(value)?),
            "ab" => Self::Ab(part(value)?),
            "lead_follow_up" => Self::LeadFollowUp(part(value)?),
            other => {
                return Err(SpecError::new("kind", format!("unknown kind `{other}`; one of {}", KINDS.join(", "))));
            }
        })
    }
}

/// Where the events of a behaviour analysis come from: a table with one row per event, the
/// column that names the entity counted (a user, a lead), the event's name, and its time.
/// Defaults: the demo's `events` table (`user_id`, `event_name`, `ts`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventSource {
    /// The table.
    pub table: String,
    /// The entity column (`user_id`; `lead_id` for the lead funnel).
    pub entity: String,
    /// The event name column (`event_name`; `kind` for lead events).
    pub event: String,
    /// The event time column (`ts`).
    pub time: String,
}

impl Default for EventSource {
    fn default() -> Self {
        Self {
            table: "events".to_owned(),
            entity: "user_id".to_owned(),
            event: "event_name".to_owned(),
            time: "ts".to_owned(),
        }
    }
}

/// What planning an analysis needs besides its spec.
#[derive(Clone, Copy, Debug)]
pub struct AnalysisContext<'a> {
    /// The tenant's tables, from the catalogue (column types and roles).
    pub tables: &'a [TableInfo],
    /// The tenant's IANA time zone: calendar buckets (day, week from Monday, month) are its.
    pub time_zone: &'a str,
    /// Today in that zone (relative date ranges end today).
    pub today: chrono::NaiveDate,
    /// Now, in microseconds since the epoch (incomplete periods, overdue leads).
    pub now_micros: i64,
}

impl<'a> AnalysisContext<'a> {
    /// The table named `name`, or a refusal at `path`.
    pub fn table(&self, name: &str, path: &str) -> Result<&'a TableInfo, SpecError> {
        self.tables
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| SpecError::new(path, format!("there is no table named `{name}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::{AnalysisSpec, KINDS};

    #[test]
    fn every_kind_has_a_default_that_round_trips_through_json() {
        for kind in KINDS {
            let spec = AnalysisSpec::default_of(kind).expect(kind);
            assert_eq!(spec.kind(), kind);
            assert_eq!(AnalysisSpec::from_json(&spec.to_json()).as_ref(), Ok(&spec), "{kind}");
        }
        assert_eq!(AnalysisSpec::default_of("pivot"), None);
    }

    #[test]
    fn a_spec_reads_the_columns_it_names_and_the_lead_follow_up_reads_whole_tables() {
        use crate::catalog::{ColumnInfo, ColumnRole, TableInfo};
        let table = |columns: &[&str]| TableInfo {
            name: "events".to_owned(),
            columns: columns
                .iter()
                .map(|c| ColumnInfo {
                    name: (*c).to_owned(),
                    data_type: "Utf8".to_owned(),
                    nullable: true,
                    role: ColumnRole::Dimension,
                })
                .collect(),
            partition_keys: Vec::new(),
            rows: 0,
            bytes: 0,
            date_range: None,
        };
        let events = table(&["tenant_id", "ts", "user_id", "event_name", "channel", "ab_bucket", "price"]);
        let spec = AnalysisSpec::from_json(
            r#"{"kind":"funnel","steps":[{"event":"view"},{"event":"buy","filters":[{"column":"price","op":"is_null"}]}],
                "window_secs":60,"breakdown":{"column":"channel"}}"#,
        )
        .unwrap();
        assert_eq!(spec.columns_of(&events), ["ts", "user_id", "event_name", "channel", "price"]);
        let ab = AnalysisSpec::default_of("ab").unwrap();
        assert_eq!(ab.columns_of(&events), ["ts", "user_id", "event_name", "ab_bucket"]);
        let leads = AnalysisSpec::default_of("lead_follow_up").unwrap();
        assert_eq!(leads.columns_of(&table(&["lead_id", "owner_rep_id"])), ["lead_id", "owner_rep_id"]);
    }
}
