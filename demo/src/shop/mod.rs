//! The `events` table: behaviour events of each tenant's shop app.

mod batch;
mod profile;
mod sessions;
mod users;

use crate::calendar::{HourCurve, SHOP_WEEKDAY_HOURS, SHOP_WEEKEND_HOURS, is_weekend, weekday};
use crate::error::GenError;
use crate::job::TenantJob;
use crate::report::Tally;
use crate::rng::{pick_index, splitmix64};
use profile::PROFILES;
use sessions::{Pricing, Session, ShopEvent};

/// How many sessions an active user has that day: 1, 2, 3 or 4.
const SESSIONS_PER_DAY: [f64; 4] = [0.62, 0.23, 0.10, 0.05];

/// Generates and writes one tenant's `events` partitions, one per UTC day.
pub(crate) fn generate(job: &TenantJob<'_>) -> Result<Tally, GenError> {
    let profile = &PROFILES[job.index];
    let clock = job.clock();
    let span = job.span;
    // Sessions are laid out on local days; these are the local days that overlap the UTC span
    // (one extra day before, for sessions running past local midnight).
    let first_local_day = clock.local_day(span.start_us()) - 1;
    let last_local_day = clock.local_day(span.end_us() - 1);
    let pool = users::simulate(job, profile, first_local_day, last_local_day);
    let pricing = Pricing { median: profile.price_median, ending: profile.price_ending };
    let weekday_hours = HourCurve::new(&SHOP_WEEKDAY_HOURS);
    let weekend_hours = HourCurve::new(&SHOP_WEEKEND_HOURS);

    let mut by_day: Vec<Vec<ShopEvent>> = (0..span.days).map(|_| Vec::new()).collect();
    let mut scratch = Vec::new();
    for (offset, visits) in pool.active.iter().enumerate() {
        let local_day = first_local_day + offset as i64;
        let mut rng = job.rng_part("shop-sessions", local_day);
        let hours = if is_weekend(weekday(local_day)) { &weekend_hours } else { &weekday_hours };
        for visit in visits {
            let count = 1 + pick_index(&mut rng, &SESSIONS_PER_DAY);
            let mut starts: Vec<i64> = (0..count).map(|_| hours.sample(&mut rng)).collect();
            starts.sort_unstable();
            for (k, start) in starts.into_iter().enumerate() {
                let session = Session {
                    user_index: visit.user,
                    user: &pool.users[visit.user as usize],
                    id: session_id(job.index, visit.user, offset, k),
                    ts: clock.midnight(local_day) + start,
                };
                session.walk(&mut rng, visit.is_arrival && k == 0, &pricing, &mut scratch);
            }
        }
        for event in scratch.drain(..) {
            if let Some(day) = span.day_index(event.ts) {
                by_day[day].push(event);
            }
        }
    }

    let mut tally = Tally::default();
    for (day, mut rows) in by_day.into_iter().enumerate() {
        // A stable sort keeps each session's events in walk order when two share a timestamp.
        rows.sort_by_key(|e| e.ts);
        let batch = batch::events(job.tenant.id, &pool, profile, &rows)?;
        job.warehouse.write("events", job.tenant.id, Some(span.date(day)), &batch, Some("ts"), &mut tally)?;
    }
    Ok(tally)
}

/// A session's opaque id: unique because SplitMix64 is a bijection and the packed input (tenant,
/// user, day, session of the day) is unique.
fn session_id(tenant: usize, user: u32, day_offset: usize, k: usize) -> u64 {
    splitmix64((tenant as u64) << 60 | u64::from(user) << 28 | (day_offset as u64 & 0xffff) << 12 | k as u64)
}
