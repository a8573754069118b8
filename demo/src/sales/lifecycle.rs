//! One lead's life as a stream of events: created, routed to a rep, chased by calls, messages,
//! emails and visits, and finally won, lost, or left open.
//!
//! The simulation runs a little past the end of the data and the caller cuts it at the end
//! instant, so the newest leads are caught mid-flight: assigned and still waiting for a first
//! touch, exactly what the live overdue list should show.

use super::profile::QUALIFY_RATE;
use super::roster::Rep;
use crate::calendar::{DAY_US, HOUR_US, LocalClock, MINUTE_US, SECOND_US};
use crate::rng::{Weighted, lognormal, pick_index};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Leads that are spam or duplicates and never get routed.
const UNROUTED_RATE: f64 = 0.02;
/// Leads re-routed a few minutes after the first assignment (wrong territory).
const REROUTE_RATE: f64 = 0.04;
/// Neglected leads that a team lead notices and hands to someone else.
const RESCUE_RATE: f64 = 0.6;

/// What happened, as stored in `lead_events.kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Created,
    Assigned,
    Call,
    ImMessage,
    Email,
    Visit,
    StageChange,
    Won,
    Lost,
    System,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Assigned => "assigned",
            Self::Call => "call",
            Self::ImMessage => "im_message",
            Self::Email => "email",
            Self::Visit => "visit",
            Self::StageChange => "stage_change",
            Self::Won => "won",
            Self::Lost => "lost",
            Self::System => "system",
        }
    }
}

/// One row of `lead_events`, before ids are given out.
pub(crate) struct LeadEvent {
    pub ts: i64,
    /// Index into the tenant's reps; `None` for created and system events.
    pub rep: Option<u16>,
    pub kind: Kind,
    /// `connected` / `not_connected` for rep activities, the new status for stage changes, the
    /// reason for losses.
    pub outcome: Option<&'static str>,
    pub duration_s: Option<i32>,
}

/// How far a lead has come with its rep.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Assigned,
    Contacted,
    Qualified,
}

/// Lives lead lives for one tenant, drawing from one random stream.
pub(crate) struct Lifecycle<'a> {
    rng: ChaCha8Rng,
    clock: LocalClock,
    reps: &'a [Rep],
    capacities: Vec<f64>,
    /// Activity mixes by [`Stage`].
    kinds: [Weighted<Kind>; 3],
    /// Nothing is simulated beyond this instant: the caller cuts there anyway.
    horizon: i64,
}

impl<'a> Lifecycle<'a> {
    pub(crate) fn new(rng: ChaCha8Rng, clock: LocalClock, reps: &'a [Rep], end_us: i64) -> Self {
        let capacities = reps.iter().map(|r| r.capacity).collect();
        let kinds = [Stage::Assigned, Stage::Contacted, Stage::Qualified].map(activity_kind);
        Self { rng, clock, reps, capacities, kinds, horizon: end_us }
    }

    /// Appends the events of a lead created at `created` from channel `channel` to `out` (in no
    /// particular order).
    pub(crate) fn live(&mut self, created: i64, channel: usize, out: &mut Vec<LeadEvent>) {
        out.push(event(created, None, Kind::Created, None, None));
        if self.rng.random_bool(0.75) {
            // The auto-reply ("thanks, we'll be in touch") is a system event, never a touch.
            let ts = created + self.rng.random_range(5..120) * SECOND_US;
            out.push(event(ts, None, Kind::System, None, None));
        }
        let closed_at = self.route_and_work(created, channel, out);
        // Marketing automation nurtures open leads on days 3, 10 and 24.
        for day in [3, 10, 24] {
            let ts = created + day * DAY_US + self.rng.random_range(0..6 * HOUR_US);
            if closed_at.is_none_or(|closed| ts < closed) && self.rng.random_bool(0.5) {
                out.push(event(ts, None, Kind::System, None, None));
            }
        }
    }

    /// Routes the lead to a rep, hands it on if the rep sits on it, and lets the final owner work
    /// it. Returns when it was won or lost, if it was.
    fn route_and_work(&mut self, created: i64, channel: usize, out: &mut Vec<LeadEvent>) -> Option<i64> {
        if self.rng.random_bool(UNROUTED_RATE) {
            return None;
        }
        let routing = lognormal(&mut self.rng, 90.0, 1.3) as i64 * SECOND_US;
        let mut assigned = self.clock.next_working_time(created + routing, &mut self.rng);
        let mut rep = pick_index(&mut self.rng, &self.capacities);
        out.push(event(assigned, Some(rep), Kind::Assigned, None, None));
        if self.rng.random_bool(REROUTE_RATE) {
            assigned += lognormal(&mut self.rng, 600.0, 0.8) as i64 * SECOND_US;
            rep = self.other_rep(rep);
            out.push(event(assigned, Some(rep), Kind::Assigned, None, None));
        }
        let mut handovers = 0;
        while self.rng.random_bool(self.reps[rep].neglect_rate) {
            // The rep never touches it; maybe a team lead notices a day or so later.
            if handovers == 2 || !self.rng.random_bool(RESCUE_RATE) {
                return None;
            }
            let wait = (lognormal(&mut self.rng, 26.0, 0.4) * HOUR_US as f64) as i64;
            assigned = self.clock.next_working_time(assigned + wait, &mut self.rng);
            rep = self.other_rep(rep);
            out.push(event(assigned, Some(rep), Kind::Assigned, None, None));
            handovers += 1;
        }
        let r = &self.reps[rep];
        let response = (lognormal(&mut self.rng, r.response_median_s, r.response_sigma) * SECOND_US as f64) as i64;
        let first_touch = self.clock.next_working_time(assigned + response.max(SECOND_US), &mut self.rng);
        self.work(rep, first_touch, channel, out)
    }

    /// The rep chases the lead from `t` on, until it is won, lost, or goes quiet.
    fn work(&mut self, rep: usize, mut t: i64, channel: usize, out: &mut Vec<LeadEvent>) -> Option<i64> {
        let reps = self.reps;
        let r = &reps[rep];
        let rep_id = Some(rep);
        let mut stage = Stage::Assigned;
        let mut tries = 0;
        let patience = self.rng.random_range(3..=7);
        while t < self.horizon {
            let kind = self.kinds[stage as usize].sample(&mut self.rng);
            let connected = self.rng.random_bool((r.contact_rate * reach(kind)).min(0.95));
            let duration = self.duration_s(kind, connected);
            let outcome = if connected { "connected" } else { "not_connected" };
            out.push(event(t, rep_id, kind, Some(outcome), duration));
            tries += 1;
            let after = t + i64::from(duration.unwrap_or(0)) * SECOND_US + self.rng.random_range(1..10) * MINUTE_US;
            if connected {
                match stage {
                    Stage::Assigned => {
                        out.push(event(after, rep_id, Kind::StageChange, Some("contacted"), None));
                        (stage, tries) = (Stage::Contacted, 0);
                    }
                    Stage::Contacted if self.rng.random_bool(QUALIFY_RATE[channel]) => {
                        out.push(event(after, rep_id, Kind::StageChange, Some("qualified"), None));
                        (stage, tries) = (Stage::Qualified, 0);
                    }
                    Stage::Contacted if self.rng.random_bool(0.4) => {
                        return Some(lose(out, after, rep_id, "not_interested"));
                    }
                    Stage::Qualified if self.rng.random_bool(r.win_rate) => {
                        out.push(event(after, rep_id, Kind::Won, None, None));
                        return Some(after);
                    }
                    Stage::Qualified if self.rng.random_bool(0.4) => {
                        let reason = if self.rng.random_bool(0.5) { "competitor" } else { "no_budget" };
                        return Some(lose(out, after, rep_id, reason));
                    }
                    _ => {}
                }
            }
            if tries >= patience {
                // The rep gives up: usually marking it lost, sometimes just letting it sit.
                if !self.rng.random_bool(0.6) {
                    return None;
                }
                let reason = if stage == Stage::Assigned { "unreachable" } else { "no_response" };
                return Some(lose(out, after, rep_id, reason));
            }
            let gap_hours = match stage {
                Stage::Assigned => lognormal(&mut self.rng, 20.0, 0.8),
                Stage::Contacted => lognormal(&mut self.rng, 40.0, 0.7),
                Stage::Qualified => lognormal(&mut self.rng, 70.0, 0.7),
            };
            t = self.clock.next_working_time(after + (gap_hours * HOUR_US as f64) as i64, &mut self.rng);
        }
        None
    }

    /// Calls and visits have a duration; a missed call still rings for a while.
    fn duration_s(&mut self, kind: Kind, connected: bool) -> Option<i32> {
        let rng = &mut self.rng;
        match (kind, connected) {
            (Kind::Call, true) => Some(lognormal(rng, 240.0, 0.8).clamp(20.0, 3600.0) as i32),
            (Kind::Call, false) => Some(rng.random_range(8..45)),
            (Kind::Visit, true) => Some(lognormal(rng, 2700.0, 0.5) as i32),
            (Kind::Visit, false) => Some(rng.random_range(300..900)),
            _ => None,
        }
    }

    /// Another rep than `rep`, by capacity.
    fn other_rep(&mut self, rep: usize) -> usize {
        loop {
            let other = pick_index(&mut self.rng, &self.capacities);
            if other != rep || self.reps.len() == 1 {
                return other;
            }
        }
    }
}

fn event(ts: i64, rep: Option<usize>, kind: Kind, outcome: Option<&'static str>, duration_s: Option<i32>) -> LeadEvent {
    LeadEvent { ts, rep: rep.map(|r| r as u16), kind, outcome, duration_s }
}

fn lose(out: &mut Vec<LeadEvent>, ts: i64, rep: Option<usize>, reason: &'static str) -> i64 {
    out.push(event(ts, rep, Kind::Lost, Some(reason), None));
    ts
}

/// Which activity a rep reaches for: early on mostly calls, later more visits.
fn activity_kind(stage: Stage) -> Weighted<Kind> {
    use Kind::{Call, Email, ImMessage, Visit};
    match stage {
        Stage::Assigned => Weighted::new(&[(Call, 0.55), (ImMessage, 0.25), (Email, 0.20)]),
        Stage::Contacted => Weighted::new(&[(Call, 0.45), (ImMessage, 0.30), (Email, 0.20), (Visit, 0.05)]),
        Stage::Qualified => Weighted::new(&[(Call, 0.40), (Visit, 0.30), (Email, 0.20), (ImMessage, 0.10)]),
    }
}

/// How likely each kind of activity is to reach the lead, relative to a call.
fn reach(kind: Kind) -> f64 {
    match kind {
        Kind::Call => 1.0,
        Kind::ImMessage => 0.85,
        Kind::Visit => 1.3,
        _ => 0.55,
    }
}
