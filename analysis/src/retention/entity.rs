//! One entity's retention: from the periods of its start and return events, its cohort
//! memberships and the periods it was retained in. The `retention` aggregate calls this once per
//! entity; it is public so that tests can check it without SQL.

use quiver_shared::analysis::retention::{RetentionCriterion, RetentionType};
use std::borrow::Cow;

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
/// `returns` are the period numbers (`RetentionPeriod::index`, or any numbering where the next
/// period is one more) of its start events in the range and of its return events, in any order,
/// repeats allowed. Sorted by cohort, then N.
pub fn entity_cells(starts: &[i32], returns: &[i32], rule: RetentionRule) -> Vec<(i32, u32)> {
    let mut cells = Vec::new();
    for_each_cell(starts, returns, rule, |cohort, n| cells.push((cohort, n)));
    cells
}

/// [`entity_cells`] without collecting: `cell(cohort, n)` for each cell in order. Sorted input
/// without repeats (as the aggregate's bitsets give) is read in place.
pub(crate) fn for_each_cell(starts: &[i32], returns: &[i32], rule: RetentionRule, mut cell: impl FnMut(i32, u32)) {
    let starts = sorted_unique(starts);
    let returns = sorted_unique(returns);
    let cohorts = match rule.retention_type {
        RetentionType::FirstTime => &starts[..starts.len().min(1)],
        RetentionType::Recurring => &starts[..],
    };
    let last_return = returns.last().copied();
    for &cohort in cohorts {
        cell(cohort, 0);
        for n in 1..=rule.periods {
            let Some(period) = cohort.checked_add_unsigned(n) else { break };
            let retained = match rule.criterion {
                RetentionCriterion::On => returns.binary_search(&period).is_ok(),
                RetentionCriterion::OnOrAfter => last_return.is_some_and(|last| last >= period),
            };
            if retained {
                cell(cohort, n);
            }
        }
    }
}

fn sorted_unique(values: &[i32]) -> Cow<'_, [i32]> {
    if values.windows(2).all(|pair| pair[0] < pair[1]) {
        return Cow::Borrowed(values);
    }
    let mut owned = values.to_vec();
    owned.sort_unstable();
    owned.dedup();
    Cow::Owned(owned)
}
