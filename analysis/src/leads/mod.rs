//! Lead follow-up: speed to lead, the reps' response time against the SLA, the live overdue
//! list, response-time bands, contact rate, conversion (cohort form unless asked otherwise) and a
//! per-rep leaderboard. The exact rules are in [`quiver_shared::analysis::leads`].
//!
//! Every lead's lifecycle is worked out inside DataFusion (a window for the latest assignment,
//! one aggregation per lead), then aggregated per rep, per band and overall; this module only
//! reads the small results into the result type. The lead funnel runs on the behaviour funnel's
//! engine ([`funnel`]).

mod funnel;
mod plan;

use crate::AnalysisError;
use quiver_engine::{Engine, QueryOutput};
use quiver_shared::analysis::AnalysisContext;
use quiver_shared::analysis::leads::{
    LeadFollowUpResult, LeadFollowUpSpec, LeadSummary, OverdueLead, RepRow, ResponseBand, Share,
};

/// Registers this analysis's functions: none, it is plain SQL.
pub(crate) fn install(_engine: &Engine) {}

/// Plans and runs `spec`; the table is the leaderboard, one row per rep, in the spec's order.
pub fn run(
    engine: &Engine,
    spec: &LeadFollowUpSpec,
    ctx: AnalysisContext<'_>,
) -> Result<(LeadFollowUpResult, QueryOutput), AnalysisError> {
    let planned = plan::plan(spec, ctx)?;
    for (table, sql) in [(plan::LEADS_TABLE, &planned.lifecycle), (plan::ASSIGNMENTS_TABLE, &planned.assignments)] {
        register(engine, table, engine.sql(sql)?)?;
    }
    let board = engine.sql(&planned.leaderboard)?;
    let summary = engine.sql(&planned.summary)?;
    let bands = engine.sql(&planned.bands)?;
    let overdue = engine.sql(&planned.overdue)?;
    let milestones = engine.sql(&planned.milestones)?;
    register(engine, funnel::MILESTONES, milestones)?;
    let funnel = funnel::run(engine, ctx)?;

    let summary = read_summary(&summary, spec)?;
    let result = LeadFollowUpResult {
        sla_minutes: spec.sla_minutes,
        days: planned.days,
        bands: read_bands(&bands, summary.0.assigned)?,
        leaderboard: read_leaderboard(&board)?,
        overdue_total: summary.1,
        overdue: read_overdue(&overdue, spec.sla_minutes)?,
        summary: Box::new(summary.0),
        funnel,
    };
    Ok((result, board))
}

/// Registers a query's rows as `table`. The batches' own schema is the one registered: the
/// planner's (the output's) may differ from it in nullability, which a table refuses.
fn register(engine: &Engine, table: &str, rows: QueryOutput) -> Result<(), AnalysisError> {
    let schema = rows.batches.first().map_or(rows.schema, |b| b.schema());
    engine.register(table, schema, rows.batches)?;
    Ok(())
}

/// The summary and the number of overdue leads.
fn read_summary(out: &QueryOutput, spec: &LeadFollowUpSpec) -> Result<(LeadSummary, u64), AnalysisError> {
    use plan::{rep, summary};
    let one = |values: Vec<u64>| values.first().copied().unwrap_or(0);
    let first = |values: Vec<Option<f64>>| values.first().copied().flatten();
    let leads = one(crate::read::counts(out, summary::LEADS)?);
    let summary = LeadSummary {
        leads,
        assigned: one(crate::read::counts(out, summary::ASSIGNED)?),
        median_speed_to_lead_s: first(crate::read::f64s(out, summary::MEDIAN_SPEED)?),
        median_response_s: first(crate::read::f64s(out, rep::MEDIAN)?),
        p95_response_s: first(crate::read::f64s(out, rep::P95)?),
        within_sla: Share::new(
            one(crate::read::counts(out, rep::SLA_MET)?),
            one(crate::read::counts(out, rep::SLA_DUE)?),
        ),
        contact_rate: Share::new(
            one(crate::read::counts(out, rep::CONTACTED)?),
            one(crate::read::counts(out, rep::TOUCHED)?),
        ),
        conversion: Share::new(one(crate::read::counts(out, rep::WON)?), leads),
        conversion_form: spec.conversion,
        conversion_label: spec.conversion.label().to_owned(),
        won_amount: first(crate::read::f64s(out, rep::WON_AMOUNT)?).unwrap_or(0.0),
    };
    Ok((summary, one(crate::read::counts(out, summary::OVERDUE)?)))
}

/// Every band, in display order, empty ones included.
fn read_bands(out: &QueryOutput, assigned: u64) -> Result<Vec<ResponseBand>, AnalysisError> {
    let names = crate::read::strings(out, "band")?;
    let leads = crate::read::counts(out, "leads")?;
    Ok(plan::BANDS
        .iter()
        .map(|(band, _)| {
            let count = names.iter().zip(&leads).find(|(n, _)| n.as_deref() == Some(*band)).map_or(0, |(_, c)| *c);
            ResponseBand { band: (*band).to_owned(), leads: Share::new(count, assigned) }
        })
        .collect())
}

fn read_leaderboard(out: &QueryOutput) -> Result<Vec<RepRow>, AnalysisError> {
    use plan::rep::*;
    let ids = crate::read::i64s(out, REP_ID)?;
    let names = crate::read::strings(out, NAME)?;
    let assigned = crate::read::counts(out, ASSIGNED)?;
    let handed = crate::read::counts(out, HANDED_ON)?;
    let met = crate::read::counts(out, SLA_MET)?;
    let due = crate::read::counts(out, SLA_DUE)?;
    let median = crate::read::f64s(out, MEDIAN)?;
    let p95 = crate::read::f64s(out, P95)?;
    let contacted = crate::read::counts(out, CONTACTED)?;
    let touched = crate::read::counts(out, TOUCHED)?;
    let won = crate::read::counts(out, WON)?;
    let amount = crate::read::f64s(out, WON_AMOUNT)?;
    (0..ids.len())
        .map(|i| {
            Ok(RepRow {
                rep_id: ids[i].ok_or_else(|| AnalysisError::Result("a leaderboard row without a rep".to_owned()))?,
                name: names[i].clone().unwrap_or_default(),
                assigned_leads: assigned[i],
                handed_on: handed[i],
                within_sla: Share::new(met[i], due[i]),
                median_response_s: median[i],
                p95_response_s: p95[i],
                contact_rate: Share::new(contacted[i], touched[i]),
                conversion: Share::new(won[i], assigned[i]),
                won_amount: amount[i].unwrap_or(0.0),
            })
        })
        .collect()
}

fn read_overdue(out: &QueryOutput, sla_minutes: u32) -> Result<Vec<OverdueLead>, AnalysisError> {
    use plan::overdue::*;
    let leads = crate::read::i64s(out, LEAD_ID)?;
    let reps = crate::read::i64s(out, REP_ID)?;
    let names = crate::read::strings(out, NAME)?;
    let assigned = crate::read::i64s(out, ASSIGNED_AT)?;
    let waiting = crate::read::i64s(out, WAITING_US)?;
    (0..leads.len())
        .map(|i| {
            let missing = || AnalysisError::Result("an overdue lead without its assignment".to_owned());
            let waiting_minutes = waiting[i].ok_or_else(missing)? as f64 / 60e6;
            Ok(OverdueLead {
                lead_id: leads[i].ok_or_else(missing)?,
                rep_id: reps[i],
                rep_name: names[i].clone(),
                assigned_at_us: assigned[i].ok_or_else(missing)?,
                waiting_minutes,
                overdue_minutes: waiting_minutes - f64::from(sla_minutes),
            })
        })
        .collect()
}
