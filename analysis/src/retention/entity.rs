//! One entity's retention: from the periods of its start and return events, its cohort
//! memberships and the periods it was retained in. The `retention` aggregate calls this once per
//! entity; it is public so that tests can check it without SQL.

use quiver_shared::analysis::retention::{RetentionCriterion, RetentionType};

/// How an entity's events are judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetentionRule {
    /// First time (one cohort) or recurring (a cohort per period with a start event).
    pub retention_type: RetentionType,
    /// Retained on period N, or on N or later.
    pub criterion: RetentionCriterion,
    /// Periods after the cohort's that are judged (1..=periods).
    pub periods: u32,
}

/// The cells one entity counts in, as `(cohort period, N)`: `(c, 0)` for each cohort `c` it is
/// a member of, and `(c, N)` for each `N` in `1..=rule.periods` it was retained in. `starts` and
/// `returns` are the period indices (`RetentionPeriod::index`) of its start events in the
/// range and of its return events, in any order, repeats allowed. Sorted by cohort, then N.
pub fn entity_cells(starts: &[i32], returns: &[i32], rule: RetentionRule) -> Vec<(i32, u32)> {
    let mut cohorts: Vec<i32> = match rule.retention_type {
        RetentionType::FirstTime => starts.iter().min().copied().into_iter().collect(),
        RetentionType::Recurring => starts.to_vec(),
    };
    cohorts.sort_unstable();
    cohorts.dedup();
    let mut returned = returns.to_vec();
    returned.sort_unstable();
    returned.dedup();
    let last_return = returned.last().copied();
    let mut cells = Vec::new();
    for cohort in cohorts {
        cells.push((cohort, 0));
        for n in 1..=rule.periods {
            let Some(period) = cohort.checked_add_unsigned(n) else { break };
            let retained = match rule.criterion {
                RetentionCriterion::On => returned.binary_search(&period).is_ok(),
                RetentionCriterion::OnOrAfter => last_return.is_some_and(|last| last >= period),
            };
            if retained {
                cells.push((cohort, n));
            }
        }
    }
    cells
}
