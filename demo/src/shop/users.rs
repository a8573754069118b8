//! The shop's user base: people arrive every day and come back less and less often.
//!
//! A user who arrived `k` days ago comes back on a given day with probability
//! `stickiness · 0.42 · k^-0.42 · e^(-k/150)`: about 42% on day 1, 18% on day 7 and 8% on day 30,
//! the long, decaying tail real consumer apps show. Stickiness varies per user (and by acquisition
//! channel), so a loyal core keeps coming back while most users drift away.
//!
//! Users start arriving well before the first day of the span, so that the first days already see
//! a settled mix of new and returning users instead of an empty shop filling up.

use super::profile::ShopProfile;
use crate::calendar::{SHOP_WEEK, growth, weekday};
use crate::job::TenantJob;
use crate::rng::{lognormal, pick_index, poisson, splitmix64};
use rand::Rng;
use std::collections::BTreeMap;

/// New users per day at scale 1 over all tenants, tuned so that 120 days hold about two million
/// events.
const NEW_USERS_PER_DAY: f64 = 297.0;

/// Days of arrivals simulated before the span, long enough for the returning base to settle.
const WARM_UP_DAYS: i64 = 240;

/// Apps ship a release every three weeks.
const RELEASE_EVERY_DAYS: i64 = 21;

/// A user's fixed traits.
pub(crate) struct User {
    /// The opaque id, rendered as 16 hex digits.
    pub id: u64,
    /// Index into [`PLATFORMS`](super::profile::PLATFORMS).
    pub platform: u8,
    /// Index into the profile's countries.
    pub country: u8,
    /// Index into the profile's channels.
    pub channel: u8,
    /// Index into [`UserPool::versions`].
    pub version: u16,
    /// In the A/B test's treatment bucket (half of all users).
    pub treatment: bool,
    /// Chance that a session goes on from the home screen to look at products: window shoppers
    /// mostly bounce, the rest browse.
    pub browse_rate: f64,
    /// Chance that a browsing session puts something in the cart: a few users buy often, most
    /// rarely.
    pub cart_rate: f64,
}

/// A user being active on a local day.
#[derive(Clone, Copy)]
pub(crate) struct Visit {
    /// Index into [`UserPool::users`].
    pub user: u32,
    /// Whether this is the user's first day (their first session signs up).
    pub is_arrival: bool,
}

/// All users of one tenant and the local days they were active on.
pub(crate) struct UserPool {
    pub users: Vec<User>,
    /// Distinct app version strings, indexed by [`User::version`].
    pub versions: Vec<String>,
    /// Per local day from the `first_local_day` given to [`simulate`], the users active that day,
    /// in user order.
    pub active: Vec<Vec<Visit>>,
}

/// The chance that a user who arrived `k` days ago (k ≥ 1) returns on a given day, before
/// stickiness and the weekday are applied.
fn return_probability(k: i64) -> f64 {
    let k = k as f64;
    0.42 * k.powf(-0.42) * (-k / 150.0).exp()
}

/// Simulates arrivals from the warm-up on and records who is active on each local day from
/// `first_local_day` to `last_local_day`.
pub(crate) fn simulate(
    job: &TenantJob<'_>,
    profile: &ShopProfile,
    first_local_day: i64,
    last_local_day: i64,
) -> UserPool {
    let mut rng = job.rng("shop-users");
    let countries: Vec<f64> = profile.countries.iter().map(|c| c.1).collect();
    let channels: Vec<f64> = profile.channels.iter().map(|c| c.1).collect();
    let horizon = last_local_day - (first_local_day - WARM_UP_DAYS);
    let returns: Vec<f64> = (0..=horizon).map(|k| if k == 0 { 0.0 } else { return_probability(k) }).collect();

    let mut pool = UserPool {
        users: Vec::new(),
        versions: Vec::new(),
        active: vec![Vec::new(); (last_local_day - first_local_day + 1) as usize],
    };
    let mut version_index = BTreeMap::new();
    for day in first_local_day - WARM_UP_DAYS..=last_local_day {
        let days_from_start = day - job.span.first_day;
        let lambda = job.volume(NEW_USERS_PER_DAY) * growth(days_from_start) * SHOP_WEEK[weekday(day)];
        for _ in 0..poisson(&mut rng, lambda) {
            let user_index = pool.users.len() as u32;
            let channel = pick_index(&mut rng, &channels);
            let release = days_from_start.div_euclid(RELEASE_EVERY_DAYS) + 12;
            let patch = pick_index(&mut rng, &[0.5, 0.35, 0.15]);
            let next_version = version_index.len() as u16;
            let version = *version_index.entry((release, patch)).or_insert(next_version);
            pool.users.push(User {
                id: splitmix64((job.index as u64) << 60 | u64::from(user_index)),
                platform: pick_index(&mut rng, &profile.platforms) as u8,
                country: pick_index(&mut rng, &countries) as u8,
                channel: channel as u8,
                version,
                treatment: rng.random_bool(0.5),
                browse_rate: if rng.random_bool(0.3) { 0.15 } else { 0.79 },
                cart_rate: lognormal(&mut rng, 0.18, 0.8).min(0.9),
            });
            let stickiness = lognormal(&mut rng, 0.85, 0.55) * profile.channels[channel].2;
            let mut visit = |d: i64, is_arrival| {
                if d >= first_local_day {
                    pool.active[(d - first_local_day) as usize].push(Visit { user: user_index, is_arrival });
                }
            };
            visit(day, true);
            for later in day + 1..=last_local_day {
                let p = stickiness * returns[(later - day) as usize] * SHOP_WEEK[weekday(later)];
                if rng.random::<f64>() < p.min(0.97) {
                    visit(later, false);
                }
            }
        }
    }
    let mut versions = vec![String::new(); version_index.len()];
    for ((release, patch), i) in version_index {
        versions[i as usize] = format!("{}.{}.{}", 2 + release / 10, release % 10, patch);
    }
    pool.versions = versions;
    pool
}

#[cfg(test)]
mod tests {
    use super::return_probability;

    #[test]
    fn returns_decay_from_about_forty_to_eight_percent_over_a_month() {
        let p = |k| (return_probability(k) * 100.0).round();
        assert_eq!((p(1), p(7), p(30)), (42.0, 18.0, 8.0));
    }
}
