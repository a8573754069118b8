//! When leads come in and where from: office-hours peaks, quiet weekends, steady growth.

use super::campaigns::{self, Campaign};
use super::profile::{LEAD_CHANNELS, SalesProfile};
use crate::calendar::{HOUR_US, HourCurve, LEAD_HOURS, LEAD_WEEK, SECOND_US, growth, weekday};
use crate::job::TenantJob;
use crate::rng::{pick_index, poisson};
use rand::Rng;

/// New leads per day at scale 1 over all tenants, before the weekday and growth factors: about
/// a hundred thousand leads in 120 days.
const LEADS_PER_DAY: f64 = 880.0;

/// A lead as it comes in.
pub(crate) struct NewLead {
    pub created_at: i64,
    /// Index into [`LEAD_CHANNELS`].
    pub channel: usize,
    /// Index into the profile's regions.
    pub region: usize,
    /// Index into the profile's industries.
    pub industry: usize,
    /// Index into the campaigns.
    pub campaign: usize,
}

/// Every lead created within the span, oldest first.
pub(crate) fn arrivals(job: &TenantJob<'_>, profile: &SalesProfile, campaigns: &[Campaign]) -> Vec<NewLead> {
    let clock = job.clock();
    let span = job.span;
    let hours = HourCurve::new(&LEAD_HOURS);
    let import = LEAD_CHANNELS.iter().position(|c| *c == "import").expect("import is a channel");
    let regions: Vec<f64> = profile.regions.iter().map(|r| r.1).collect();
    let industries: Vec<f64> = profile.industries.iter().map(|r| r.1).collect();
    let mut leads = Vec::new();
    for day in clock.local_day(span.start_us())..=clock.local_day(span.end_us() - 1) {
        let mut rng = job.rng_part("lead-intake", day);
        let lambda = job.volume(LEADS_PER_DAY) * growth(day - span.first_day) * LEAD_WEEK[weekday(day)];
        for _ in 0..poisson(&mut rng, lambda) {
            let channel = pick_index(&mut rng, &profile.channels);
            // Imported lists are loaded by the CRM's morning job; everything else follows people.
            let offset = if channel == import {
                10 * HOUR_US + rng.random_range(0..300) * SECOND_US
            } else {
                hours.sample(&mut rng)
            };
            let created_at = clock.midnight(day) + offset;
            let region = pick_index(&mut rng, &regions);
            let industry = pick_index(&mut rng, &industries);
            let campaign = campaigns::attribute(campaigns, channel, day, &mut rng);
            if span.day_index(created_at).is_some() {
                leads.push(NewLead { created_at, channel, region, industry, campaign });
            }
        }
    }
    // Stable, so leads created in the same microsecond keep their draw order.
    leads.sort_by_key(|l| l.created_at);
    leads
}
