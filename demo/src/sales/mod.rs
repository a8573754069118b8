//! The sales tables: `reps`, `campaigns`, `leads` and `lead_events` of each tenant.

mod batch;
mod campaigns;
mod intake;
mod lifecycle;
mod profile;
mod roster;
mod state;

use crate::error::GenError;
use crate::job::TenantJob;
use crate::report::Tally;
use crate::rng::lognormal;
use batch::{EventRow, LeadRow};
use lifecycle::Lifecycle;
use profile::{LEAD_CHANNELS, PROFILES};
use state::Status;

/// Generates and writes one tenant's sales tables.
pub(crate) fn generate(job: &TenantJob<'_>) -> Result<Tally, GenError> {
    let profile = &PROFILES[job.index];
    let tenant = job.tenant.id;
    let span = job.span;
    let mut tally = Tally::default();

    let reps = roster::hire(job, profile);
    job.warehouse.write("reps", tenant, None, &roster::batch(tenant, &reps)?, None, &mut tally)?;
    let campaigns = campaigns::plan(job, profile);
    job.warehouse.write("campaigns", tenant, None, &campaigns::batch(tenant, &campaigns)?, None, &mut tally)?;

    let arrivals = intake::arrivals(job, profile, &campaigns);
    let mut life = Lifecycle::new(job.rng("lead-lifecycle"), job.clock(), &reps, span.end_us());
    let mut deal_rng = job.rng("deal-amounts");
    let mut leads_by_day: Vec<Vec<LeadRow>> = (0..span.days).map(|_| Vec::new()).collect();
    let mut events_by_day: Vec<Vec<EventRow>> = (0..span.days).map(|_| Vec::new()).collect();
    let mut events = Vec::new();
    for (i, lead) in arrivals.iter().enumerate() {
        // A billion ids per tenant outlast even the largest scale over the longest span.
        let lead_id = job.id_base(1_000_000_000) + i as i64 + 1;
        life.live(lead.created_at, lead.channel, &mut events);
        // The simulation may run past the end of the data; what has not happened yet is cut.
        events.sort_by_key(|e| e.ts);
        events.retain(|e| e.ts < span.end_us());
        let latest = state::latest(lead.created_at, &events);
        let deal = (lognormal(&mut deal_rng, profile.deal_median, 0.8) / 100.0).round().max(1.0) * 100.0;
        let rep_id = |rep: Option<u16>| rep.map(|r| reps[r as usize].id);
        let created_day = span.day_index(lead.created_at).expect("arrivals lie within the span");
        leads_by_day[created_day].push(LeadRow {
            lead_id,
            created_at: lead.created_at,
            channel: LEAD_CHANNELS[lead.channel],
            region: profile.regions[lead.region].0,
            industry: profile.industries[lead.industry].0,
            campaign_id: campaigns[lead.campaign].id,
            owner_rep_id: rep_id(latest.owner),
            status: latest.status,
            deal_amount: (latest.status == Status::Won).then_some(deal),
            updated_at: latest.updated_at,
        });
        for event in events.drain(..) {
            let day = span.day_index(event.ts).expect("events lie between creation and the end");
            events_by_day[day].push(EventRow { lead_id, rep_id: rep_id(event.rep), event });
        }
    }

    // Event ids count up through time, as an append-only log's would.
    let mut next_event_id = job.id_base(1_000_000_000_000) + 1;
    for (day, (leads, mut events)) in leads_by_day.into_iter().zip(events_by_day).enumerate() {
        let date = Some(span.date(day));
        job.warehouse.write("leads", tenant, date, &batch::leads(tenant, &leads)?, Some("created_at"), &mut tally)?;
        events.sort_by_key(|e| e.event.ts);
        let batch = batch::lead_events(tenant, next_event_id, &events)?;
        job.warehouse.write("lead_events", tenant, date, &batch, Some("ts"), &mut tally)?;
        next_event_id += events.len() as i64;
    }
    Ok(tally)
}
