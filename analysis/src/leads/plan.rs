//! The lead follow-up view's SQL. One query works out every lead's lifecycle in DataFusion
//! (latest assignment and its rep, first touch, first touch since the assignment, contacted,
//! won, closed, judged against the SLA) with a window and one aggregation; its rows are
//! registered as [`LEADS_TABLE`] so that the leaderboard, summary, bands and overdue queries
//! aggregate one row per lead instead of recomputing it (on the demo's 500k lead events, about
//! a third of the time).

use quiver_shared::analysis::leads::{ConversionForm, LeadFollowUpSpec, RepColumn};
use quiver_shared::analysis::{AnalysisContext, SpecError};
use quiver_shared::catalog::TableInfo;
use quiver_shared::pivot::{DateRange, date_range_condition, filter_condition};
use quiver_shared::sql::{quote_ident, quote_str};

/// The kinds of event that are a rep's touch (when they have a rep).
const TOUCH_KINDS: [&str; 4] = ["call", "im_message", "email", "visit"];
/// The most SLA minutes accepted: 30 days.
const MAX_SLA_MINUTES: u32 = 30 * 24 * 60;
/// The most overdue leads listed.
const MAX_OVERDUE_LIMIT: u32 = 10_000;

/// Where the rows of [`Planned::lifecycle`] are registered. Tables of the engine cannot be
/// dropped: it stays until the next lead follow-up replaces it; the double underscore keeps it
/// apart from the tenant's tables.
pub(crate) const LEADS_TABLE: &str = "__lead_follow_up_leads";
/// Where the rows of [`Planned::assignments`] are registered.
pub(crate) const ASSIGNMENTS_TABLE: &str = "__lead_follow_up_assignments";

/// The planned queries of one spec.
pub(crate) struct Planned {
    /// One row per lead of the view (and, in the period form, per older lead), judged: to be
    /// registered as [`LEADS_TABLE`] before the queries below run.
    pub(crate) lifecycle: String,
    /// The distinct (lead, rep) assignments of the cohort: to be registered as
    /// [`ASSIGNMENTS_TABLE`].
    pub(crate) assignments: String,
    /// One row per rep, in the spec's order: [`rep`] columns.
    pub(crate) leaderboard: String,
    /// One row: [`summary`] columns.
    pub(crate) summary: String,
    /// One row per response-time band present: `band`, `leads`.
    pub(crate) bands: String,
    /// The overdue leads, most overdue first, limited: [`overdue`] columns.
    pub(crate) overdue: String,
    /// The lead funnel's milestones of the cohort's leads: `lead_id`, `ts`, `step`, sorted by
    /// lead, time and step order (see [`super::funnel`]).
    pub(crate) milestones: String,
    /// The cohort's first and last day, when there is a date range.
    pub(crate) days: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
}

/// Columns of the leaderboard query.
pub(crate) mod rep {
    pub(crate) const REP_ID: &str = "rep_id";
    pub(crate) const NAME: &str = "rep_name";
    pub(crate) const ASSIGNED: &str = "assigned_leads";
    pub(crate) const HANDED_ON: &str = "handed_on";
    pub(crate) const SLA_MET: &str = "sla_met";
    pub(crate) const SLA_DUE: &str = "sla_due";
    pub(crate) const WITHIN_SLA: &str = "within_sla";
    pub(crate) const MEDIAN: &str = "median_response_s";
    pub(crate) const P95: &str = "p95_response_s";
    pub(crate) const CONTACTED: &str = "contacted";
    pub(crate) const TOUCHED: &str = "touched";
    pub(crate) const CONTACT_RATE: &str = "contact_rate";
    pub(crate) const WON: &str = "won";
    pub(crate) const CONVERSION: &str = "conversion";
    pub(crate) const WON_AMOUNT: &str = "won_amount";
}

/// Columns of the summary query (besides those shared with [`rep`]).
pub(crate) mod summary {
    pub(crate) const LEADS: &str = "leads";
    pub(crate) const ASSIGNED: &str = "assigned";
    pub(crate) const MEDIAN_SPEED: &str = "median_speed_to_lead_s";
    pub(crate) const OVERDUE: &str = "overdue";
}

/// Columns of the overdue query.
pub(crate) mod overdue {
    pub(crate) const LEAD_ID: &str = "lead_id";
    pub(crate) const REP_ID: &str = "rep_id";
    pub(crate) const NAME: &str = "rep_name";
    pub(crate) const ASSIGNED_AT: &str = "assigned_at_us";
    pub(crate) const WAITING_US: &str = "waiting_us";
}

/// Checks `spec` against the catalogue and plans its queries.
pub(crate) fn plan(spec: &LeadFollowUpSpec, ctx: AnalysisContext<'_>) -> Result<Planned, SpecError> {
    if spec.sla_minutes == 0 || spec.sla_minutes > MAX_SLA_MINUTES {
        return Err(SpecError::new(
            "sla_minutes",
            format!("between 1 and {MAX_SLA_MINUTES} minutes, not {}", spec.sla_minutes),
        ));
    }
    if spec.overdue_limit > MAX_OVERDUE_LIMIT {
        return Err(SpecError::new(
            "overdue_limit",
            format!("at most {MAX_OVERDUE_LIMIT}, not {}", spec.overdue_limit),
        ));
    }
    let leads = ctx.table(&spec.tables.leads, "tables.leads")?;
    let events = ctx.table(&spec.tables.events, "tables.events")?;
    let reps = ctx.table(&spec.tables.reps, "tables.reps")?;
    need(leads, "tables.leads", &[("lead_id", Kind::Any), ("created_at", Kind::Time), ("deal_amount", Kind::Number)])?;
    need(
        events,
        "tables.events",
        &[
            ("event_id", Kind::Any),
            ("lead_id", Kind::Any),
            ("rep_id", Kind::Any),
            ("ts", Kind::Time),
            ("kind", Kind::Any),
            ("outcome", Kind::Any),
        ],
    )?;
    need(reps, "tables.reps", &[("rep_id", Kind::Any), ("name", Kind::Any)])?;

    let mut lead_filters = Vec::new();
    for (i, filter) in spec.filters.iter().enumerate() {
        if let Some(condition) = filter_condition(leads, ctx.time_zone, filter, &format!("filters[{i}]"))? {
            lead_filters.push(format!("({condition})"));
        }
    }
    let (days, created_in_range, won_in_range) = match &spec.date_range {
        Some(span) => {
            let on = |table: &TableInfo, column: &str| {
                let range = DateRange { column: column.to_owned(), span: span.clone() };
                date_range_condition(table, ctx.time_zone, &range, ctx.today)
            };
            let (first, last, created) = on(leads, "created_at")?;
            let (_, _, won) = on(events, "ts")?;
            (Some((first, last)), created, won)
        }
        None => (None, "TRUE".to_owned(), "TRUE".to_owned()),
    };
    let mut cohort_filters = lead_filters.clone();
    cohort_filters.push(format!("({created_in_range})"));
    let cohort_where = cohort_filters.join(" AND ");
    // The cohort form needs the cohort only; the period form also the older leads won in range.
    if spec.conversion == ConversionForm::Cohort {
        lead_filters = cohort_filters;
    }
    let lead_where = if lead_filters.is_empty() { "TRUE".to_owned() } else { lead_filters.join(" AND ") };

    let sla_us = i64::from(spec.sla_minutes) * 60_000_000;
    let now = ctx.now_micros;
    let touch_kinds = TOUCH_KINDS.map(quote_str).join(", ");
    let touch = format!("(kind IN ({touch_kinds}) AND rep_id IS NOT NULL)");
    let won_form = match spec.conversion {
        ConversionForm::Cohort => "(in_cohort AND won_at IS NOT NULL)",
        ConversionForm::Period => "won_in_range",
    };
    let (leads_t, events_t, reps_t) = (quote_ident(&leads.name), quote_ident(&events.name), quote_ident(&reps.name));
    let prelude = format!(
        "WITH lead AS (\
           SELECT lead_id, {created} AS created, CAST(deal_amount AS DOUBLE) AS amount, \
                  ({created_in_range}) AS in_cohort \
           FROM {leads_t} WHERE {lead_where}), \
         ev AS (\
           SELECT lead_id, rep_id, event_id, kind, {ts} AS t, {touch} AS touch, \
                  ({touch} AND outcome = 'connected') AS connected, ({won_in_range}) AS in_range \
           FROM {events_t} WHERE lead_id IN (SELECT lead_id FROM lead)), \
         ev_assigned AS (\
           SELECT *, max(CASE WHEN kind = 'assigned' THEN t END) OVER (PARTITION BY lead_id) AS assigned \
           FROM ev), \
         lifecycle AS (\
           SELECT lead_id, max(assigned) AS assigned, \
                  first_value(rep_id ORDER BY t DESC, event_id DESC) FILTER (WHERE kind = 'assigned') AS owner, \
                  min(t) FILTER (WHERE touch) AS first_touch, \
                  min(t) FILTER (WHERE touch AND t >= assigned) AS response_touch, \
                  bool_or(touch) AS touched, bool_or(connected) AS contacted, \
                  min(t) FILTER (WHERE kind = 'won') AS won_at, \
                  bool_or(kind = 'won' AND in_range) AS won_in_range, \
                  bool_or(kind IN ('won', 'lost')) AS closed \
           FROM ev_assigned GROUP BY lead_id), \
         per_lead AS (\
           SELECT l.lead_id, l.amount, l.in_cohort, c.assigned, c.owner, \
                  COALESCE(c.touched, FALSE) AS touched, COALESCE(c.contacted, FALSE) AS contacted, \
                  c.won_at, COALESCE(c.won_in_range, FALSE) AS won_in_range, COALESCE(c.closed, FALSE) AS closed, \
                  CAST(c.first_touch - l.created AS DOUBLE) / 1e6 AS speed_s, \
                  c.response_touch - c.assigned AS response_us \
           FROM lead l LEFT JOIN lifecycle c ON l.lead_id = c.lead_id), \
         judged AS (\
           SELECT *, CAST(response_us AS DOUBLE) / 1e6 AS response_s, \
                  (response_us IS NOT NULL AND response_us <= {sla_us}) AS sla_met, \
                  (response_us > {sla_us} OR (assigned IS NOT NULL AND response_us IS NULL \
                      AND {now} - assigned > {sla_us})) AS sla_breached, \
                  (assigned IS NOT NULL AND response_us IS NULL AND {now} - assigned > {sla_us} \
                      AND NOT closed) AS overdue, \
                  {won_form} AS won \
           FROM per_lead) ",
        created = micros("created_at"),
        ts = micros("ts"),
    );
    // The aggregations read the registered per-lead rows under the names the prelude gave them.
    let registered = format!(
        "WITH judged AS (SELECT * FROM {}), assignments AS (SELECT * FROM {}) ",
        quote_ident(LEADS_TABLE),
        quote_ident(ASSIGNMENTS_TABLE)
    );
    Ok(Planned {
        lifecycle: format!("{prelude} SELECT * FROM judged"),
        assignments: format!(
            "SELECT DISTINCT lead_id, rep_id FROM {events_t} WHERE kind = 'assigned' AND rep_id IS NOT NULL \
             AND lead_id IN (SELECT lead_id FROM {leads_t} WHERE {cohort_where})"
        ),
        leaderboard: leaderboard(&registered, &reps_t, spec),
        summary: summary(&registered),
        bands: bands(&registered),
        overdue: overdue_list(&registered, &reps_t, spec.overdue_limit, now),
        milestones: milestones(&leads_t, &events_t, &cohort_where, &touch),
        days,
    })
}

/// One row per milestone event of the cohort's leads: its creation (from the leads table), each
/// assignment, each touch, each connected touch (a second row for the same event, so that one
/// call can be both the first touch and the contact) and each win. Sorted so that a tie in time
/// keeps the funnel's step order: the funnel breaks ties by arrival order.
fn milestones(leads_t: &str, events_t: &str, cohort_where: &str, touch: &str) -> String {
    let utc = |column: &str| format!("arrow_cast({}, 'Timestamp(Microsecond, Some(\"UTC\"))')", quote_ident(column));
    let (created, ts) = (utc("created_at"), utc("ts"));
    let cohort = format!("SELECT lead_id FROM {leads_t} WHERE {cohort_where}");
    let event = |step: &str, order: u8, condition: &str| {
        format!(
            "SELECT lead_id, {ts} AS ts, '{step}' AS step, {order} AS o FROM {events_t} \
             WHERE ({condition}) AND lead_id IN ({cohort})"
        )
    };
    format!(
        "SELECT lead_id, ts, step FROM (\
           SELECT lead_id, {created} AS ts, 'created' AS step, 0 AS o FROM {leads_t} WHERE {cohort_where} \
           UNION ALL {} UNION ALL {} UNION ALL {} UNION ALL {}) \
         ORDER BY lead_id, ts, o",
        event("assigned", 1, "kind = 'assigned'"),
        event("first_touch", 2, touch),
        event("contacted", 3, &format!("{touch} AND outcome = 'connected'")),
        event("won", 4, "kind = 'won'"),
    )
}

/// Aggregates of the judged leads shared by the leaderboard and the summary.
fn aggregates() -> String {
    use rep::*;
    let count = |condition: &str| format!("sum(CASE WHEN {condition} THEN 1 ELSE 0 END)");
    let cohort = |expr: &str| format!("CASE WHEN in_cohort THEN {expr} END");
    [
        format!("{} AS {SLA_MET}", count("in_cohort AND sla_met")),
        format!("{} AS {SLA_DUE}", count("in_cohort AND (sla_met OR sla_breached)")),
        format!("percentile_cont(0.5) WITHIN GROUP (ORDER BY {}) AS {MEDIAN}", cohort("response_s")),
        format!("percentile_cont(0.95) WITHIN GROUP (ORDER BY {}) AS {P95}", cohort("response_s")),
        format!("{} AS {CONTACTED}", count("in_cohort AND contacted")),
        format!("{} AS {TOUCHED}", count("in_cohort AND touched")),
        format!("{} AS {WON}", count("won")),
        format!("COALESCE(sum(CASE WHEN won THEN amount END), 0.0) AS {WON_AMOUNT}"),
    ]
    .join(", ")
}

fn ratio(part: &str, whole: &str) -> String {
    format!("CASE WHEN {whole} > 0 THEN CAST({part} AS DOUBLE) / {whole} END")
}

fn leaderboard(prelude: &str, reps_t: &str, spec: &LeadFollowUpSpec) -> String {
    use rep::*;
    let aggregates = aggregates();
    let order = match spec.sort.by {
        RepColumn::Name => NAME,
        RepColumn::AssignedLeads => ASSIGNED,
        RepColumn::WithinSla => WITHIN_SLA,
        RepColumn::MedianResponse => MEDIAN,
        RepColumn::P95Response => P95,
        RepColumn::ContactRate => CONTACT_RATE,
        RepColumn::Conversion => CONVERSION,
        RepColumn::WonAmount => WON_AMOUNT,
    };
    let direction = if spec.sort.descending { "DESC" } else { "ASC" };
    let (within, contact, conversion) = (ratio(SLA_MET, SLA_DUE), ratio(CONTACTED, TOUCHED), ratio(WON, ASSIGNED));
    format!(
        "{prelude}, \
         by_rep AS (\
           SELECT owner AS rep_id, sum(CASE WHEN in_cohort THEN 1 ELSE 0 END) AS {ASSIGNED}, {aggregates} \
           FROM judged WHERE owner IS NOT NULL GROUP BY owner), \
         handed AS (\
           SELECT h.rep_id, count(*) AS {HANDED_ON} \
           FROM assignments h \
           JOIN judged j ON h.lead_id = j.lead_id \
           WHERE j.in_cohort AND h.rep_id <> j.owner GROUP BY h.rep_id), \
         named AS (\
           SELECT rep_id, CAST(min(name) AS VARCHAR) AS name FROM {reps_t} GROUP BY rep_id), \
         board AS (\
           SELECT b.rep_id AS {REP_ID}, COALESCE(n.name, CAST(b.rep_id AS VARCHAR)) AS {NAME}, \
                  b.{ASSIGNED}, COALESCE(h.{HANDED_ON}, 0) AS {HANDED_ON}, \
                  b.{SLA_MET}, b.{SLA_DUE}, {within} AS {WITHIN_SLA}, b.{MEDIAN}, b.{P95}, \
                  b.{CONTACTED}, b.{TOUCHED}, {contact} AS {CONTACT_RATE}, \
                  b.{WON}, {conversion} AS {CONVERSION}, b.{WON_AMOUNT} \
           FROM by_rep b LEFT JOIN named n ON b.rep_id = n.rep_id LEFT JOIN handed h ON b.rep_id = h.rep_id \
           WHERE b.{ASSIGNED} > 0 OR b.{WON} > 0) \
         SELECT * FROM board ORDER BY {order} {direction} NULLS LAST, {NAME} ASC, {REP_ID} ASC"
    )
}

fn summary(prelude: &str) -> String {
    use summary::*;
    let aggregates = aggregates();
    format!(
        "{prelude} \
         SELECT sum(CASE WHEN in_cohort THEN 1 ELSE 0 END) AS {LEADS}, \
                sum(CASE WHEN in_cohort AND assigned IS NOT NULL THEN 1 ELSE 0 END) AS {ASSIGNED}, \
                percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN in_cohort THEN speed_s END) AS {MEDIAN_SPEED}, \
                sum(CASE WHEN in_cohort AND overdue THEN 1 ELSE 0 END) AS {OVERDUE}, \
                {aggregates} \
         FROM judged"
    )
}

/// The band names, in display order, with their upper bounds in microseconds (inclusive).
pub(crate) const BANDS: [(&str, Option<i64>); 5] = [
    ("0-5m", Some(5 * 60_000_000)),
    ("5-15m", Some(15 * 60_000_000)),
    ("15-60m", Some(60 * 60_000_000)),
    ("over_60m", None),
    ("never", None),
];

fn bands(prelude: &str) -> String {
    let mut cases = vec!["WHEN response_us IS NULL THEN 'never'".to_owned()];
    for (name, bound) in BANDS {
        if let Some(bound) = bound {
            cases.push(format!("WHEN response_us <= {bound} THEN '{name}'"));
        }
    }
    format!(
        "{prelude} \
         SELECT band, count(*) AS leads FROM (\
           SELECT CASE {} ELSE 'over_60m' END AS band FROM judged WHERE in_cohort AND assigned IS NOT NULL) \
         GROUP BY band",
        cases.join(" ")
    )
}

fn overdue_list(prelude: &str, reps_t: &str, limit: u32, now: i64) -> String {
    use overdue::*;
    format!(
        "{prelude}, \
         named AS (SELECT rep_id, CAST(min(name) AS VARCHAR) AS name FROM {reps_t} GROUP BY rep_id) \
         SELECT j.lead_id AS {LEAD_ID}, j.owner AS {REP_ID}, n.name AS {NAME}, j.assigned AS {ASSIGNED_AT}, \
                {now} - j.assigned AS {WAITING_US} \
         FROM judged j LEFT JOIN named n ON j.owner = n.rep_id \
         WHERE j.in_cohort AND j.overdue ORDER BY j.assigned ASC, j.lead_id ASC LIMIT {limit}"
    )
}

/// A timestamp column as microseconds since the epoch, whatever its unit.
fn micros(column: &str) -> String {
    format!("CAST(arrow_cast({}, 'Timestamp(Microsecond, Some(\"UTC\"))') AS BIGINT)", quote_ident(column))
}

/// What a required column must hold.
#[derive(Clone, Copy)]
enum Kind {
    Any,
    Time,
    Number,
}

/// Refuses `table` at `path` unless it has these columns.
fn need(table: &TableInfo, path: &str, columns: &[(&str, Kind)]) -> Result<(), SpecError> {
    for &(name, kind) in columns {
        let Some(info) = table.column(name) else {
            return Err(SpecError::new(
                path,
                format!("the table `{}` has no column `{name}`, which the lead follow-up reads", table.name),
            ));
        };
        let ty = info.data_type.as_str();
        let fits = match kind {
            Kind::Any => true,
            Kind::Time => ty.starts_with("Timestamp"),
            Kind::Number => ["Int", "UInt", "Float", "Decimal"].iter().any(|p| ty.starts_with(p)),
        };
        if !fits {
            let what = if matches!(kind, Kind::Time) { "a timestamp" } else { "a number" };
            return Err(SpecError::new(
                path,
                format!("the column `{name}` of `{}` must hold {what}, not {ty}", table.name),
            ));
        }
    }
    Ok(())
}
