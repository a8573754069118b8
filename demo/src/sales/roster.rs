//! The `reps` table: each tenant's sales reps and how each of them works.

use super::profile::SalesProfile;
use crate::error::GenError;
use crate::job::TenantJob;
use crate::rng::lognormal;
use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use rand::Rng;
use rand::seq::SliceRandom;
use std::sync::Arc;

/// The fastest rep's median response time, in seconds.
const FASTEST_MEDIAN_S: f64 = 3.0 * 60.0;
/// The slowest rep's median response time, in seconds.
const SLOWEST_MEDIAN_S: f64 = 120.0 * 60.0;

/// A rep and the habits that shape their numbers on the leaderboard.
pub(crate) struct Rep {
    pub id: i64,
    pub name: &'static str,
    pub team: &'static str,
    /// Median time from assignment to first touch.
    pub response_median_s: f64,
    /// Spread of the (log-normal) response time.
    pub response_sigma: f64,
    /// Chance that a call reaches the lead.
    pub contact_rate: f64,
    /// Chance that the rep never touches an assigned lead at all.
    pub neglect_rate: f64,
    /// Chance that a conversation with a qualified lead closes the deal.
    pub win_rate: f64,
    /// Relative share of new leads routed to the rep.
    pub capacity: f64,
}

/// Hires the tenant's reps. Response-time medians are spread evenly (on a log scale) from 3
/// minutes to 2 hours and dealt out in random order, so the leaderboard has a clear spread without
/// the fastest rep always being the first one.
pub(crate) fn hire(job: &TenantJob<'_>, profile: &SalesProfile) -> Vec<Rep> {
    let mut rng = job.rng("reps");
    let n = profile.reps;
    let mut names = profile.rep_names.to_vec();
    names.shuffle(&mut rng);
    let mut speed_ranks: Vec<usize> = (0..n).collect();
    speed_ranks.shuffle(&mut rng);
    let ratio = SLOWEST_MEDIAN_S / FASTEST_MEDIAN_S;
    (0..n)
        .map(|i| {
            let rank = speed_ranks[i] as f64 / (n - 1) as f64;
            Rep {
                id: job.id_base(1_000_000) + i as i64 + 1,
                name: names[i],
                team: profile.teams[i % profile.teams.len()],
                response_median_s: FASTEST_MEDIAN_S * ratio.powf(rank) * rng.random_range(0.9..1.1),
                response_sigma: rng.random_range(0.7..1.1),
                contact_rate: rng.random_range(0.35..0.75),
                neglect_rate: rng.random_range(0.01..0.08),
                win_rate: rng.random_range(0.12..0.30),
                capacity: lognormal(&mut rng, 1.0, 0.25),
            }
        })
        .collect()
}

/// The reps as a batch of the `reps` schema.
pub(crate) fn batch(tenant: &str, reps: &[Rep]) -> Result<RecordBatch, GenError> {
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(reps.iter().map(|r| r.id))),
        Arc::new(StringArray::from_iter_values(reps.iter().map(|_| tenant))),
        Arc::new(StringArray::from_iter_values(reps.iter().map(|r| r.name))),
        Arc::new(StringArray::from_iter_values(reps.iter().map(|r| r.team))),
    ];
    RecordBatch::try_new(crate::schema::reps(), columns).map_err(|source| GenError::Arrow { table: "reps", source })
}
