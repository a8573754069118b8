//! The `campaigns` table: the marketing campaigns leads are attributed to.
//!
//! Every lead channel has an always-on campaign that started long before the data begins, so
//! every lead has a campaign, plus a few themed campaigns launched along the way; a lead is
//! attributed to one of the campaigns of its channel that had started by the day it came in,
//! favouring the fresh ones.

use super::profile::{LEAD_CHANNELS, SalesProfile};
use crate::error::GenError;
use crate::job::TenantJob;
use crate::rng::lognormal;
use arrow_array::{ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray};
use rand::Rng;
use std::sync::Arc;

/// One campaign.
pub(crate) struct Campaign {
    pub id: i64,
    pub name: String,
    /// Index into [`LEAD_CHANNELS`].
    pub channel: usize,
    pub budget: f64,
    /// Start date, as days since the epoch.
    pub started_on: i64,
}

/// Plans the tenant's campaigns, numbered in order of their start.
pub(crate) fn plan(job: &TenantJob<'_>, profile: &SalesProfile) -> Vec<Campaign> {
    let mut rng = job.rng("campaigns");
    let first_day = job.span.first_day;
    let last_day = first_day + i64::from(job.span.days) - 1;
    let mut campaigns = Vec::new();
    let mut theme = 0;
    for (channel, label) in LEAD_CHANNELS.iter().enumerate() {
        campaigns.push(Campaign {
            id: 0,
            name: format!("Always-on {}", label.replace('_', " ")),
            channel,
            budget: round_to(lognormal(&mut rng, profile.budget_median * 3.0, 0.4), 100.0),
            started_on: first_day - rng.random_range(200..400),
        });
        for _ in 0..rng.random_range(2..=4) {
            let name = format!("{} · {}", profile.campaign_themes[theme % profile.campaign_themes.len()], label);
            theme += 1;
            campaigns.push(Campaign {
                id: 0,
                name,
                channel,
                budget: round_to(lognormal(&mut rng, profile.budget_median, 0.6), 100.0),
                started_on: rng.random_range(first_day - 60..=last_day.max(first_day - 60)),
            });
        }
    }
    campaigns.sort_by_key(|c| (c.started_on, c.channel));
    for (i, campaign) in campaigns.iter_mut().enumerate() {
        campaign.id = job.id_base(1_000_000) + i as i64 + 1;
    }
    campaigns
}

/// Picks the campaign of `channel` a lead that came in on `day` is attributed to: one that had
/// started by then, campaigns of the last 30 days three times as likely as older ones.
pub(crate) fn attribute(campaigns: &[Campaign], channel: usize, day: i64, rng: &mut impl Rng) -> usize {
    let weight = |c: &Campaign| {
        if c.channel != channel || c.started_on > day {
            0.0
        } else if day - c.started_on <= 30 {
            3.0
        } else {
            1.0
        }
    };
    let total: f64 = campaigns.iter().map(weight).sum();
    let mut x = rng.random::<f64>() * total;
    for (i, c) in campaigns.iter().enumerate() {
        let w = weight(c);
        if w > 0.0 && x < w {
            return i;
        }
        x -= w;
    }
    // Rounding can leave `x` a hair above the total; the always-on campaign is always eligible.
    campaigns.iter().rposition(|c| weight(c) > 0.0).expect("every channel has an always-on campaign")
}

fn round_to(x: f64, step: f64) -> f64 {
    (x / step).round().max(1.0) * step
}

/// The campaigns as a batch of the `campaigns` schema.
pub(crate) fn batch(tenant: &str, campaigns: &[Campaign]) -> Result<RecordBatch, GenError> {
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(campaigns.iter().map(|c| c.id))),
        Arc::new(StringArray::from_iter_values(campaigns.iter().map(|_| tenant))),
        Arc::new(StringArray::from_iter_values(campaigns.iter().map(|c| c.name.as_str()))),
        Arc::new(StringArray::from_iter_values(campaigns.iter().map(|c| LEAD_CHANNELS[c.channel]))),
        Arc::new(Float64Array::from_iter_values(campaigns.iter().map(|c| c.budget))),
        Arc::new(Date32Array::from_iter_values(campaigns.iter().map(|c| c.started_on as i32))),
    ];
    RecordBatch::try_new(crate::schema::campaigns(), columns)
        .map_err(|source| GenError::Arrow { table: "campaigns", source })
}
