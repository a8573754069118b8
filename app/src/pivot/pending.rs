//! Stand-ins for the pieces other parts of issue 3 are writing (the planner in `quiver-shared`,
//! the exports and result view in `quiver-pivot` / `views::pivot_result`), so that the builder
//! compiles before they land. Each fails loudly rather than pretending: delete this file and
//! switch the call sites when the real ones are in.

use quiver_pivot::PivotOutput;
use quiver_shared::catalog::TableInfo;
use quiver_shared::pivot::{PivotSpec, PlanContext, PlannedPivot, SpecError, ViewKind};

const MISSING: &str = "this build does not include the pivot planner yet";

/// Stand-in for `quiver_shared::pivot::plan`.
pub(crate) fn plan(_spec: &PivotSpec, _ctx: PlanContext<'_>) -> Result<PlannedPivot, SpecError> {
    Err(SpecError::new("spec", MISSING))
}

/// Stand-in for `quiver_shared::pivot::distinct_values_sql`.
pub(crate) fn distinct_values_sql(
    _ctx: PlanContext<'_>,
    _spec: &PivotSpec,
    _column: &str,
    _search: &str,
    _limit: usize,
) -> Result<String, SpecError> {
    Err(SpecError::new("spec", MISSING))
}

/// Stand-in for `quiver_shared::pivot::default_chart`: bars when there is something to group.
pub(crate) fn default_chart(spec: &PivotSpec, _table: &TableInfo) -> ViewKind {
    if spec.rows.is_empty() && spec.columns.is_empty() { ViewKind::Table } else { ViewKind::Bar }
}

/// Stand-ins for `quiver_pivot::export`.
pub(crate) mod export {
    use super::PivotOutput;

    const MISSING: &str = "this build does not include the pivot exports yet";

    pub(crate) fn to_csv(_output: &PivotOutput) -> Result<String, String> {
        Err(MISSING.to_owned())
    }

    pub(crate) fn to_tsv(_output: &PivotOutput) -> Result<String, String> {
        Err(MISSING.to_owned())
    }

    pub(crate) fn to_parquet(_output: &PivotOutput) -> Result<Vec<u8>, String> {
        Err(MISSING.to_owned())
    }
}
