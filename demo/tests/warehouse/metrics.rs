//! Plain reference implementations of the analyses the shape checks and the summary look at,
//! computed the way `SEMANTICS.md` defines them (calendar days in the tenant's time zone).

use crate::read::{self, Event, Lead, LeadEvent};
use quiver_demo::GenOptions;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub(crate) const HOUR_US: i64 = 3_600_000_000;
pub(crate) const DAY_US: i64 = 24 * HOUR_US;
/// The demo tenants' zones, approximated as fixed offsets as the generator documents.
pub(crate) const OFFSETS: [(&str, i64); 3] = [("acme", -5), ("nimbus", 8), ("orbit", 1)];
pub(crate) const ACTIVITIES: [&str; 4] = ["call", "im_message", "email", "visit"];

/// A generated warehouse read back into memory.
pub(crate) struct Data {
    pub(crate) events: Vec<Event>,
    pub(crate) lead_events: Vec<LeadEvent>,
    pub(crate) leads: Vec<Lead>,
    /// The end of the data: midnight UTC after the end date.
    pub(crate) end_us: i64,
}

impl Data {
    pub(crate) fn read(dir: &Path, opts: &GenOptions) -> Self {
        let end = opts.end_date.succ_opt().unwrap().and_hms_opt(0, 0, 0).unwrap();
        Self {
            events: read::events(dir),
            lead_events: read::lead_events(dir),
            leads: read::leads(dir),
            end_us: end.and_utc().timestamp_micros(),
        }
    }

    fn tenant_events<'a>(&'a self, tenant: &'a str) -> impl Iterator<Item = &'a Event> + 'a {
        self.events.iter().filter(move |e| e.tenant == tenant)
    }
}

pub(crate) fn offset_us(tenant: &str) -> i64 {
    OFFSETS.iter().find(|(t, _)| *t == tenant).unwrap().1 * HOUR_US
}

/// The tenant-local day of an instant, as days since the epoch.
pub(crate) fn local_day(tenant: &str, ts: i64) -> i64 {
    (ts + offset_us(tenant)).div_euclid(DAY_US)
}

/// The tenant-local hour of an instant.
pub(crate) fn local_hour(tenant: &str, ts: i64) -> usize {
    ((ts + offset_us(tenant)).rem_euclid(DAY_US) / HOUR_US) as usize
}

pub(crate) fn is_weekend(day: i64) -> bool {
    (day + 3).rem_euclid(7) >= 5
}

/// Distinct users doing each of the shop funnel's steps (not necessarily in order).
pub(crate) fn funnel_users(data: &Data, tenant: &str) -> [usize; 5] {
    ["home", "product_view", "add_to_cart", "checkout", "purchase"].map(|step| {
        let users: BTreeSet<&str> =
            data.tenant_events(tenant).filter(|e| e.name == step).map(|e| e.user.as_str()).collect();
        users.len()
    })
}

/// Share of users who signed up on a local day and were active again `n` days later, over the
/// cohorts whose day `n` lies inside the data.
pub(crate) fn retention(data: &Data, tenant: &str, n: i64) -> f64 {
    let mut active: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
    let mut cohort: BTreeMap<&str, i64> = BTreeMap::new();
    for e in data.tenant_events(tenant) {
        let day = local_day(tenant, e.ts);
        active.entry(&e.user).or_default().insert(day);
        if e.name == "signup" {
            cohort.entry(&e.user).or_insert(day);
        }
    }
    let last_day = local_day(tenant, data.end_us - 1) - 1;
    let eligible: Vec<(&str, i64)> = cohort.into_iter().filter(|(_, day)| day + n <= last_day).collect();
    let retained = eligible.iter().filter(|(user, day)| active[user].contains(&(day + n))).count();
    retained as f64 / eligible.len() as f64
}

/// Lead events grouped by lead, in time order.
pub(crate) fn by_lead(data: &Data) -> BTreeMap<i64, Vec<&LeadEvent>> {
    let mut out: BTreeMap<i64, Vec<&LeadEvent>> = BTreeMap::new();
    for e in &data.lead_events {
        out.entry(e.lead).or_default().push(e);
    }
    for events in out.values_mut() {
        events.sort_by_key(|e| e.ts);
    }
    out
}

/// Per rep with at least `min_leads` responses, the median response time in microseconds: the
/// first rep activity after an assignment minus that assignment.
pub(crate) fn median_response_by_rep(data: &Data, min_leads: usize) -> BTreeMap<i64, i64> {
    let mut responses: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for events in by_lead(data).values() {
        let mut pending = None;
        for e in events {
            if e.kind == "assigned" {
                pending = Some((e.ts, e.rep.unwrap()));
            } else if ACTIVITIES.contains(&e.kind.as_str())
                && let Some((at, rep)) = pending.take()
            {
                responses.entry(rep).or_default().push(e.ts - at);
            }
        }
    }
    responses
        .into_iter()
        .filter(|(_, times)| times.len() >= min_leads)
        .map(|(rep, mut times)| {
            times.sort_unstable();
            (rep, times[times.len() / 2])
        })
        .collect()
}

/// When each overdue lead was assigned: open, assigned, and untouched by a rep since its latest
/// assignment for over an hour at the end of the data.
pub(crate) fn overdue_assignments(data: &Data) -> Vec<i64> {
    let mut out = Vec::new();
    for events in by_lead(data).values() {
        let Some(last) = events.iter().rposition(|e| e.kind == "assigned") else { continue };
        let touched = events[last..].iter().any(|e| ACTIVITIES.contains(&e.kind.as_str()));
        let closed = events.iter().any(|e| e.kind == "won" || e.kind == "lost");
        if !touched && !closed && data.end_us - events[last].ts > HOUR_US {
            out.push(events[last].ts);
        }
    }
    out
}

/// Per A/B bucket, sessions with a checkout over sessions with an add-to-cart.
pub(crate) fn checkout_rate_by_bucket(data: &Data) -> BTreeMap<&str, f64> {
    let mut carts: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut checkouts: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for e in &data.events {
        match e.name.as_str() {
            "add_to_cart" => carts.entry(&e.bucket).or_default().insert(&e.session),
            "checkout" => checkouts.entry(&e.bucket).or_default().insert(&e.session),
            _ => false,
        };
    }
    carts.iter().map(|(bucket, sessions)| (*bucket, checkouts[bucket].len() as f64 / sessions.len() as f64)).collect()
}

/// Mean rows per local weekday and per local weekend day, over whole local days (the first and
/// last local days are cut by the UTC span and left out).
pub(crate) fn weekday_and_weekend_means(tenant: &str, times: impl Iterator<Item = i64>) -> (f64, f64) {
    let mut days: BTreeMap<i64, usize> = BTreeMap::new();
    for ts in times {
        *days.entry(local_day(tenant, ts)).or_default() += 1;
    }
    let (first, last) = (*days.keys().next().unwrap(), *days.keys().last().unwrap());
    days.retain(|d, _| *d != first && *d != last);
    let mean = |weekend: bool| {
        let counts: Vec<usize> = days.iter().filter(|(d, _)| is_weekend(**d) == weekend).map(|(_, n)| *n).collect();
        counts.iter().sum::<usize>() as f64 / counts.len() as f64
    };
    (mean(false), mean(true))
}
