//! The funnel's per-entity matcher: one entity's events in, its level and reported chain out.
//!
//! Pure Rust over a slice, so that the `window_funnel` aggregate (which calls it once per
//! entity) and the tests (golden cases, property tests against a plain reference) exercise the
//! same code. The rules are those of `quiver_shared::analysis::funnel`'s docs.

use quiver_shared::analysis::funnel::{FunnelMode, MAX_STEPS};

/// One event of an entity, as the matcher sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FunnelEvent {
    /// When it happened, in any unit (the aggregate uses microseconds), the same as the window's.
    pub ts: i64,
    /// Bit k set when the event matches step k + 1 (its event name and filters). One event may
    /// match several steps; it still fills at most one.
    pub steps: u32,
    /// Whether the event matches an exclusion.
    pub excluded: bool,
    /// Whether a chain may start at this event (it lies in the spec's date range).
    pub can_start: bool,
    /// The caller's tag (where the aggregate finds the event's breakdown value); the matcher
    /// only carries it.
    pub value: u64,
}

impl FunnelEvent {
    /// An event at `ts` matching the steps of `steps`, free to start a chain.
    pub fn new(ts: i64, steps: u32) -> Self {
        Self { ts, steps, excluded: false, can_start: true, value: 0 }
    }
}

/// What a chain must satisfy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatchRules {
    /// How many steps the funnel has, 1 to 32.
    pub steps: usize,
    /// How long after its start a chain may fill steps (inclusive), in the events' time unit.
    pub window: i64,
    /// Ordered, strict or any order.
    pub mode: FunnelMode,
    /// A chain stops when an event repeats a step it already filled.
    pub dedup: bool,
    /// Each step must be strictly later than the step before it.
    pub increase: bool,
}

/// An entity's reported chain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Chain {
    /// The entity's level: how many steps its best chain reached (0: none started).
    pub level: usize,
    /// For each step reached (`level` of them), the index into the events of the event that
    /// filled it. In any-order mode, the event with which the chain reached that many steps.
    pub events: Vec<usize>,
}

/// Matches one entity's events, which must be sorted by time with ties in arrival order.
/// Returns the entity's level and the earliest-starting chain that reaches it.
pub fn match_entity(events: &[FunnelEvent], rules: &MatchRules) -> Chain {
    debug_assert!(events.windows(2).all(|w| w[0].ts <= w[1].ts), "events must be sorted by time");
    let steps = rules.steps.clamp(1, MAX_STEPS);
    let all = if steps == MAX_STEPS { u32::MAX } else { (1u32 << steps) - 1 };
    let first = match rules.mode {
        FunnelMode::Ordered | FunnelMode::Strict => 1,
        FunnelMode::AnyOrder => all,
    };
    let mut best = Chain::default();
    // One buffer for every start's chain: most chains are not the best, and need not allocate.
    let mut chain = Vec::with_capacity(steps);
    for (start, event) in events.iter().enumerate() {
        if !event.can_start || event.steps & first == 0 {
            continue;
        }
        chain.clear();
        match rules.mode {
            FunnelMode::Ordered | FunnelMode::Strict => walk_in_order(events, start, steps, rules, &mut chain),
            FunnelMode::AnyOrder => walk_any_order(events, start, all, rules, &mut chain),
        }
        // Strictly greater: among chains of the best level, the earliest start is reported.
        if chain.len() > best.level {
            best.level = chain.len();
            best.events.clone_from(&chain);
            if best.level == steps {
                break;
            }
        }
    }
    best
}

/// The chain starting at `start` in ordered and strict modes, into `chain`.
fn walk_in_order(events: &[FunnelEvent], start: usize, steps: usize, rules: &MatchRules, chain: &mut Vec<usize>) {
    let end = events[start].ts.saturating_add(rules.window);
    chain.push(start);
    let mut filled = 1u32;
    let mut at = start;
    'steps: for k in 1..steps {
        let bit = 1u32 << k;
        for (j, event) in events.iter().enumerate().skip(at + 1) {
            if event.ts > end {
                break 'steps;
            }
            if event.steps & bit != 0 && !(rules.increase && event.ts <= events[at].ts) {
                chain.push(j);
                filled |= bit;
                at = j;
                continue 'steps;
            }
            // The event comes between step k and the step k + 1 still to find.
            if rules.mode == FunnelMode::Strict || event.excluded || (rules.dedup && event.steps & filled != 0) {
                break 'steps;
            }
        }
        break;
    }
}

/// The chain starting at `start` in any-order mode. Each event that can raise the chain's level
/// is added to a maximum matching of events to steps (Kuhn's augmenting paths): with the events
/// seen so far matched at most, a new event raises the level exactly when an augmenting path
/// starts at it, and the events already matched stay matched, so the chain's events are those
/// that raised the level.
fn walk_any_order(events: &[FunnelEvent], start: usize, all: u32, rules: &MatchRules, chain: &mut Vec<usize>) {
    let end = events[start].ts.saturating_add(rules.window);
    let mut owner = [usize::MAX; MAX_STEPS];
    for (j, event) in events.iter().enumerate().skip(start) {
        if event.ts > end {
            break;
        }
        let steps = event.steps & all;
        let too_soon = rules.increase && chain.last().is_some_and(|&last| event.ts <= events[last].ts);
        if steps != 0 && !too_soon && augment(j, events, all, &mut owner, &mut 0) {
            chain.push(j);
            if chain.len() == all.count_ones() as usize {
                break;
            }
            continue;
        }
        // The event comes before the chain's next step. A step event that adds no step repeats
        // steps already filled (every maximum matching covers all of its steps), which is what
        // dedup stops at; so does one that increase keeps from counting. (Strict is a mode of
        // its own: it does not apply in any order.)
        if event.excluded || (rules.dedup && steps != 0) {
            break;
        }
    }
}

/// Tries to give `event` a step, moving already matched events to other steps if need be.
fn augment(event: usize, events: &[FunnelEvent], all: u32, owner: &mut [usize; MAX_STEPS], visited: &mut u32) -> bool {
    loop {
        let candidates = events[event].steps & all & !*visited;
        if candidates == 0 {
            return false;
        }
        let step = candidates.trailing_zeros() as usize;
        *visited |= 1 << step;
        if owner[step] == usize::MAX || augment(owner[step], events, all, owner, visited) {
            owner[step] = event;
            return true;
        }
    }
}
