//! The lead follow-up view's spec and result: speed to lead, the reps' SLA, the live overdue
//! list, response-time bands, contact rate, conversion and a per-rep leaderboard.
//!
//! Semantics (from `SEMANTICS.md`, shown as the view's help). A lead's lifecycle comes from its
//! rows in the lead events table; the leads table gives its creation time, its attributes (for
//! the filters) and its deal amount.
//! - **Rep activity** (a *touch*): an event of kind `call`, `im_message`, `email` or `visit` that
//!   has a rep. `created`, `assigned`, `stage_change`, `won`, `lost` and system or automated
//!   events (no rep) never count as a touch.
//! - **Leads of the view** (the cohort): leads created in the date range (the lead's
//!   `created_at`, in the tenant's calendar) that pass the filters.
//! - **Speed to lead** = first rep activity − created.
//! - **Response time** = first rep activity at or after the latest assignment − that assignment:
//!   the rep's own SLA clock (routing delay, created → assigned, is not the rep's).
//! - **Owner**: the rep of the latest assignment. A lead counts in its owner's leaderboard row
//!   for everything (SLA, contact, conversion, amount); a rep who had the lead before and lost
//!   it to a reassignment sees it as *handed on*.
//! - **SLA** (`sla_minutes`, default 60): a lead is *within SLA* when its response time is at most
//!   the threshold, and *breached* when it is longer, or when there is no touch yet and more than
//!   the threshold has passed since the assignment. *Within SLA %* = within / (within +
//!   breached); leads still inside their window without a touch are pending, in neither.
//! - **Overdue** (live, against now): assigned, no rep activity since the latest assignment, now −
//!   assigned > threshold, and not won or lost (a closed lead waits for no one). Most overdue
//!   first.
//! - **Contact rate** = leads with a `connected` activity / leads with any activity.
//! - **Conversion**, cohort form (default): of the leads of the view, the share won so far.
//!   Period form, only when asked for: leads won in the range (by the time of the `won` event,
//!   whenever they were created) / leads created in the range. Won amount follows the same form
//!   (the `deal_amount` of those won leads).
//! - **Response-time bands** over assigned leads: 0–5 min, 5–15, 15–60, over 60 (upper bounds
//!   inclusive: exactly 5 minutes is in 0–5), and never (no touch since the latest assignment,
//!   yet).
//! - **Medians and p95** are exact, interpolated between the two nearest values.

use super::funnel::FunnelStepResult;
use crate::pivot::{DateSpan, Filter};
use serde::{Deserialize, Serialize};

/// What to compute.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeadFollowUpSpec {
    /// Where the leads, their events and the reps are.
    pub tables: LeadTables,
    /// The days of lead creation that make the cohort, in the tenant's calendar; none means all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_range: Option<DateSpan>,
    /// Conditions on the leads table (region, channel, industry, …); all must hold.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
    /// The response-time threshold, in minutes (per tenant; set here for now).
    pub sla_minutes: u32,
    /// How conversion (and won amount) is counted.
    pub conversion: ConversionForm,
    /// How the leaderboard is ordered.
    pub sort: LeaderboardSort,
    /// At most this many overdue leads are listed (the count covers all of them).
    pub overdue_limit: u32,
}

impl Default for LeadFollowUpSpec {
    fn default() -> Self {
        Self {
            tables: LeadTables::default(),
            date_range: None,
            filters: Vec::new(),
            sla_minutes: 60,
            conversion: ConversionForm::Cohort,
            sort: LeaderboardSort::default(),
            overdue_limit: 200,
        }
    }
}

/// The tables of the sales schema. Their columns must be those of the demo's: `leads(lead_id,
/// created_at, deal_amount, …)`, `lead_events(event_id, lead_id, rep_id, ts, kind, outcome)`,
/// `reps(rep_id, name)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeadTables {
    /// One row per lead.
    pub leads: String,
    /// One row per thing that happened to a lead.
    pub events: String,
    /// One row per rep.
    pub reps: String,
}

impl Default for LeadTables {
    fn default() -> Self {
        Self { leads: "leads".to_owned(), events: "lead_events".to_owned(), reps: "reps".to_owned() }
    }
}

/// How conversion is counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversionForm {
    /// Of the leads created in the range, the share won so far.
    #[default]
    Cohort,
    /// Leads won in the range / leads created in the range.
    Period,
}

impl ConversionForm {
    /// The label shown next to the number, so the two forms are never confused.
    pub fn label(self) -> &'static str {
        match self {
            ConversionForm::Cohort => "won so far / created in range (cohort)",
            ConversionForm::Period => "won in range / created in range (period)",
        }
    }
}

/// A leaderboard column to order by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepColumn {
    /// The rep's name.
    Name,
    /// Leads the rep owns.
    AssignedLeads,
    /// Within SLA %.
    WithinSla,
    /// Median response time.
    MedianResponse,
    /// 95th percentile of response time.
    P95Response,
    /// Contact rate.
    ContactRate,
    /// Conversion.
    Conversion,
    /// Won amount.
    #[default]
    WonAmount,
}

/// The leaderboard's order; ties go by rep name, then id, and empty values (a rate of no leads)
/// come last either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderboardSort {
    /// The column.
    pub by: RepColumn,
    /// Largest first.
    pub descending: bool,
}

impl Default for LeaderboardSort {
    fn default() -> Self {
        Self { by: RepColumn::WonAmount, descending: true }
    }
}

/// The answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadFollowUpResult {
    /// The SLA threshold used, in minutes.
    pub sla_minutes: u32,
    /// The first and last day of creation of the cohort; none when the view covers all leads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    /// The whole cohort. (Boxed: the summary is most of the result's size, and results travel
    /// in the `AnalysisResult` enum, whose variants should stay close in size.)
    pub summary: Box<LeadSummary>,
    /// Assigned leads by response time: 0–5 min, 5–15, 15–60, over 60, never.
    pub bands: Vec<ResponseBand>,
    /// One row per rep owning at least one lead of the cohort, in the spec's order.
    pub leaderboard: Vec<RepRow>,
    /// How many leads are overdue now (all of them, not just those listed).
    pub overdue_total: u64,
    /// The overdue leads, most overdue first, at most the spec's `overdue_limit`.
    pub overdue: Vec<OverdueLead>,
    /// The lead funnel, cohort form: of the leads of the view, how many went created → assigned
    /// → first touch → contacted → won, each step after the one before (the behaviour funnel's
    /// ordered matching, with a window longer than any lead's life: "won so far"). "Contacted"
    /// may be the first touch itself when it connected.
    pub funnel: Vec<FunnelStepResult>,
}

/// A part of a whole, with the share when the whole is not empty.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Share {
    /// The part (leads contacted, leads won, …).
    pub part: u64,
    /// The whole it is a share of.
    pub whole: u64,
    /// `part / whole` (0..1); none when the whole is 0.
    pub rate: Option<f64>,
}

impl Share {
    /// `part` of `whole`.
    pub fn new(part: u64, whole: u64) -> Self {
        Self { part, whole, rate: (whole > 0).then(|| part as f64 / whole as f64) }
    }
}

/// The cohort's numbers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadSummary {
    /// Leads created in the range that pass the filters.
    pub leads: u64,
    /// Of those, leads assigned to a rep.
    pub assigned: u64,
    /// Median speed to lead (created → first touch) over touched leads, in seconds.
    pub median_speed_to_lead_s: Option<f64>,
    /// Median response time (latest assignment → first touch after it), in seconds.
    pub median_response_s: Option<f64>,
    /// 95th percentile of response time, in seconds.
    pub p95_response_s: Option<f64>,
    /// Leads touched within the SLA, of those within or breached (pending ones left out).
    pub within_sla: Share,
    /// Leads with a connected activity, of leads with any activity.
    pub contact_rate: Share,
    /// Leads won, of leads created in the range, in the spec's form.
    pub conversion: Share,
    /// The form of [`LeadSummary::conversion`] and its label.
    pub conversion_form: ConversionForm,
    /// [`ConversionForm::label`] of the form.
    pub conversion_label: String,
    /// The deal amount of the won leads counted in the conversion.
    pub won_amount: f64,
}

/// One response-time band.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ResponseBand {
    /// `0-5m`, `5-15m`, `15-60m`, `over_60m`, `never`.
    pub band: String,
    /// Leads in the band, of the assigned leads.
    pub leads: Share,
}

/// One rep's row of the leaderboard.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RepRow {
    /// The rep's id.
    pub rep_id: i64,
    /// The rep's name from the reps table (the id as text if the rep is not there).
    pub name: String,
    /// Leads of the cohort the rep owns (the latest assignment is theirs).
    pub assigned_leads: u64,
    /// Leads of the cohort assigned to the rep before someone else got them.
    pub handed_on: u64,
    /// The rep's leads touched within the SLA, of those within or breached.
    pub within_sla: Share,
    /// Median response time of the rep's leads, in seconds.
    pub median_response_s: Option<f64>,
    /// 95th percentile of response time of the rep's leads, in seconds.
    pub p95_response_s: Option<f64>,
    /// The rep's leads with a connected activity, of those with any.
    pub contact_rate: Share,
    /// The rep's leads won, in the spec's form.
    pub conversion: Share,
    /// The deal amount of those won leads.
    pub won_amount: f64,
}

/// A lead waiting for its rep past the SLA.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OverdueLead {
    /// The lead's id.
    pub lead_id: i64,
    /// The rep of the latest assignment.
    pub rep_id: Option<i64>,
    /// That rep's name, if the reps table has it.
    pub rep_name: Option<String>,
    /// The latest assignment, in microseconds since the epoch.
    pub assigned_at_us: i64,
    /// Minutes since the assignment.
    pub waiting_minutes: f64,
    /// Minutes past the SLA (waiting − threshold), always above 0.
    pub overdue_minutes: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::AnalysisSpec;
    use crate::pivot::FilterOp;

    #[track_caller]
    fn check(json: &str, expected: LeadFollowUpSpec) {
        let AnalysisSpec::LeadFollowUp(spec) = AnalysisSpec::from_json(json).expect("parses") else {
            panic!("not lead_follow_up")
        };
        assert_eq!(spec, expected);
        let again = AnalysisSpec::LeadFollowUp(spec).to_json();
        assert_eq!(AnalysisSpec::from_json(&again).expect("round trip"), AnalysisSpec::LeadFollowUp(expected));
    }

    #[test]
    fn specs_read_with_defaults_and_round_trip() {
        check(r#"{"kind":"lead_follow_up"}"#, LeadFollowUpSpec::default());
        check(
            r#"{"kind":"lead_follow_up","sla_minutes":15,"conversion":"period",
                "date_range":{"kind":"between","from":"2024-03-01","to":"2024-03-31"},
                "filters":[{"column":"region","op":"in","values":["EMEA"]}],
                "sort":{"by":"median_response","descending":false}}"#,
            LeadFollowUpSpec {
                sla_minutes: 15,
                conversion: ConversionForm::Period,
                date_range: Some(DateSpan::Between {
                    from: chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
                    to: chrono::NaiveDate::from_ymd_opt(2024, 3, 31).unwrap(),
                }),
                filters: vec![Filter {
                    column: "region".to_owned(),
                    op: FilterOp::In { values: vec![Some("EMEA".to_owned())] },
                }],
                sort: LeaderboardSort { by: RepColumn::MedianResponse, descending: false },
                ..LeadFollowUpSpec::default()
            },
        );
        check(
            r#"{"kind":"lead_follow_up","tables":{"events":"crm_events"}}"#,
            LeadFollowUpSpec {
                tables: LeadTables { events: "crm_events".to_owned(), ..LeadTables::default() },
                ..LeadFollowUpSpec::default()
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
    fn a_bad_field_is_refused() {
        refuse(r#"{"kind":"lead_follow_up","conversion":"rolling"}"#, "conversion", "rolling");
        refuse(r#"{"kind":"lead_follow_up","sort":{"by":"speed","descending":true}}"#, "sort.by", "speed");
        refuse(r#"{"kind":"lead_follow_up","sla_minutes":-5}"#, "sla_minutes", "-5");
    }

    #[test]
    fn the_conversion_label_names_its_form() {
        assert!(ConversionForm::Cohort.label().contains("cohort"));
        assert!(ConversionForm::Period.label().contains("period"));
    }
}
