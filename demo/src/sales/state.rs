//! A lead's latest state (the `leads` row) worked out from the events that happened so far.

use super::lifecycle::{Kind, LeadEvent};

/// A lead's status, as stored in `leads.status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    New,
    Assigned,
    Contacted,
    Qualified,
    Won,
    Lost,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Assigned => "assigned",
            Self::Contacted => "contacted",
            Self::Qualified => "qualified",
            Self::Won => "won",
            Self::Lost => "lost",
        }
    }
}

/// What the `leads` table says about a lead at the end of the data.
#[derive(Debug, PartialEq)]
pub(crate) struct LeadState {
    pub status: Status,
    /// Index of the rep of the latest assignment.
    pub owner: Option<u16>,
    /// The time of the latest event.
    pub updated_at: i64,
}

/// Replays `events` (sorted by time, already cut at the end instant), so that the `leads` row
/// can never disagree with `lead_events`.
pub(crate) fn latest(created_at: i64, events: &[LeadEvent]) -> LeadState {
    let mut state = LeadState { status: Status::New, owner: None, updated_at: created_at };
    for e in events {
        state.updated_at = state.updated_at.max(e.ts);
        match e.kind {
            Kind::Assigned => {
                state.owner = e.rep;
                if state.status == Status::New {
                    state.status = Status::Assigned;
                }
            }
            Kind::StageChange => match e.outcome {
                Some("contacted") => state.status = Status::Contacted,
                Some("qualified") => state.status = Status::Qualified,
                _ => {}
            },
            Kind::Won => state.status = Status::Won,
            Kind::Lost => state.status = Status::Lost,
            _ => {}
        }
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(ts: i64, rep: Option<u16>, kind: Kind, outcome: Option<&'static str>) -> LeadEvent {
        LeadEvent { ts, rep, kind, outcome, duration_s: None }
    }

    #[test]
    fn the_latest_assignment_owns_the_lead_and_stages_advance_the_status() {
        let events = [
            ev(0, None, Kind::Created, None),
            ev(5, None, Kind::System, None),
            ev(10, Some(1), Kind::Assigned, None),
            ev(20, Some(2), Kind::Assigned, None),
            ev(30, Some(2), Kind::Call, Some("connected")),
            ev(31, Some(2), Kind::StageChange, Some("contacted")),
        ];
        let state = latest(0, &events);
        assert_eq!(state, LeadState { status: Status::Contacted, owner: Some(2), updated_at: 31 });
        assert_eq!(latest(0, &events[..2]).status, Status::New);
    }
}
