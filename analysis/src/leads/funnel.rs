//! The lead funnel: created → assigned → first touch → contacted → won, run by the behaviour
//! funnel's engine (`window_funnel`, ordered mode) with the lead as the entity.
//!
//! The funnel matches one table of events, and one event fills at most one step; a connected
//! first call must be both the first touch and the contact. So the cohort's milestones are
//! written out first (one row per milestone, a connected touch giving two, sorted so that ties
//! keep the step order) and registered as a table the funnel reads.

use crate::AnalysisError;
use quiver_engine::Engine;
use quiver_shared::analysis::funnel::{FunnelSpec, FunnelStep, FunnelStepResult, MAX_WINDOW_SECS};
use quiver_shared::analysis::{AnalysisContext, EventSource};
use quiver_shared::catalog::{ColumnInfo, ColumnRole, TableInfo};
use quiver_shared::sql::quote_ident;

/// The table the milestones are registered as. It stays in the engine until the next lead
/// follow-up replaces it (the engine cannot drop a table); the double underscore keeps it apart
/// from the tenant's tables.
pub(crate) const MILESTONES: &str = "__lead_funnel_milestones";

/// The steps: (milestone, label).
const STEPS: [(&str, &str); 5] = [
    ("created", "created"),
    ("assigned", "assigned"),
    ("first_touch", "first touch"),
    ("contacted", "contacted"),
    ("won", "won"),
];

/// Runs the funnel over the milestones registered as [`MILESTONES`] (the rows of the planned
/// milestones query).
pub(crate) fn run(engine: &Engine, ctx: AnalysisContext<'_>) -> Result<Vec<FunnelStepResult>, AnalysisError> {
    let schema = engine.sql(&format!("SELECT * FROM {} LIMIT 0", quote_ident(MILESTONES)))?.schema;
    let columns = schema
        .fields()
        .iter()
        .map(|f| ColumnInfo {
            name: f.name().clone(),
            data_type: f.data_type().to_string(),
            nullable: f.is_nullable(),
            role: ColumnRole::infer(f.name(), &f.data_type().to_string()),
        })
        .collect();
    let mut tables = ctx.tables.to_vec();
    tables.push(TableInfo {
        name: MILESTONES.to_owned(),
        columns,
        partition_keys: vec![],
        rows: 0,
        bytes: 0,
        date_range: None,
    });
    let spec = FunnelSpec {
        source: EventSource {
            table: MILESTONES.to_owned(),
            entity: "lead_id".to_owned(),
            event: "step".to_owned(),
            time: "ts".to_owned(),
        },
        steps: STEPS
            .iter()
            .map(|(step, label)| FunnelStep { label: Some((*label).to_owned()), ..FunnelStep::event(step) })
            .collect(),
        // Cohort form: won so far, however long it took.
        window_secs: MAX_WINDOW_SECS,
        ..FunnelSpec::default()
    };
    let (result, _) = crate::funnel::run(engine, &spec, AnalysisContext { tables: &tables, ..ctx })?;
    Ok(result.steps)
}
