//! The funnel analysis: how many entities go through ordered steps within a window, where they
//! drop off, how long each step takes, split by a property.
//!
//! The rules (modes, dedup, increase, exclusions, date range, attribution) are documented on
//! [`quiver_shared::analysis::funnel`], from `SEMANTICS.md`. The per-entity matching runs inside
//! DataFusion as the aggregate [`WINDOW_FUNNEL`] (`udaf.rs`), which calls the pure matcher
//! [`match_entity`] once per entity; `plan.rs` writes the whole query around it and `read.rs`
//! reads its output into the result and the tidy table.
//!
//! # The tidy table ([`run`]'s [`QueryOutput`])
//!
//! One row per group and step, in the order of [`FunnelResult`] (all entities first, then each
//! breakdown group):
//! - `group` (Utf8): `total`, `value` or `other`.
//! - `value` (Utf8): the breakdown value; null for `total`, `other` and entities without one.
//! - `step` (Int32, from 1), `label` (Utf8), `entities` (Int64), `conversion_overall` and
//!   `conversion_step` (Float64, null when undefined), `drop_off` (Int64),
//!   `median_secs_from_previous` and `p95_secs_from_previous` (Float64, null at step 1).
//!
//! Ties between events at the same instant are broken by arrival order: the order of the rows
//! as the engine scans the table (one partition, so the table's row order).

mod accumulator;
mod matching;
mod plan;
mod read;
mod udaf;

pub use matching::{Chain, FunnelEvent, MatchRules, match_entity};
pub use udaf::WINDOW_FUNNEL;

use crate::AnalysisError;
use quiver_engine::{Engine, QueryOutput};
use quiver_shared::analysis::AnalysisContext;
use quiver_shared::analysis::funnel::{FunnelResult, FunnelSpec};

/// Registers `window_funnel`.
pub(crate) fn install(engine: &Engine) {
    engine.register_udaf(udaf::WindowFunnel::udaf());
}

/// Plans and runs `spec` (the engine must have been [`crate::install`]ed).
pub fn run(
    engine: &Engine,
    spec: &FunnelSpec,
    ctx: AnalysisContext<'_>,
) -> Result<(FunnelResult, QueryOutput), AnalysisError> {
    let planned = plan::plan(spec, &ctx)?;
    let output = engine.sql(&planned.sql)?;
    let result = read::result(&planned, spec.window_secs, &output)?;
    let table = read::tidy(&result)?;
    Ok((result, table))
}

/// The SQL `run` would execute for `spec` (for tests and for showing the query).
pub fn sql(spec: &FunnelSpec, ctx: AnalysisContext<'_>) -> Result<String, AnalysisError> {
    Ok(plan::plan(spec, &ctx)?.sql)
}
