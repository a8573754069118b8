//! `GET /api/catalog`: the caller's tenant and its tables.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::row_rules;
use crate::state::AppState;
use crate::warehouse::DateRange;
use axum::Json;
use axum::extract::State;
use quiver_shared::catalog::Catalog;

pub(super) async fn get_catalog(State(state): State<AppState>, caller: Caller) -> Result<Json<Catalog>, ApiError> {
    let mut tables = state.warehouse.tables(caller.tenant()).await?;
    // An embed token or share link sees only its dashboard's tables.
    tables.retain(|t| caller.check_table(&t.name).is_ok());
    // Row counts are what the caller may read (see `row_rules`).
    for table in &mut tables {
        if row_rules::rules_for(&caller.rules, &table.name).is_empty() {
            continue;
        }
        let partitions = state.warehouse.partitions(caller.tenant(), &table.name, DateRange::default()).await?;
        let mut rows = 0;
        for p in &partitions {
            rows += row_rules::count_rows(&*state.warehouse, caller.tenant(), &table.name, &p.id, &caller.rules)
                .await?
                .unwrap_or(p.rows);
        }
        if table.rows > 0 {
            table.bytes = (table.bytes as u128 * rows as u128 / table.rows as u128) as u64;
        }
        table.rows = rows;
    }
    Ok(Json(Catalog { tenant: state.tenant_info(caller.tenant()), tables }))
}
