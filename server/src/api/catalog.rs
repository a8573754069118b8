//! `GET /api/catalog`: the caller's tenant and its tables.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use quiver_shared::catalog::Catalog;

pub(super) async fn get_catalog(State(state): State<AppState>, caller: Caller) -> Result<Json<Catalog>, ApiError> {
    let mut tables = state.warehouse.tables(caller.tenant()).await?;
    // An embed token or share link sees only its dashboard's tables.
    tables.retain(|t| caller.check_table(&t.name).is_ok());
    Ok(Json(Catalog { tenant: state.tenant_info(caller.tenant()), tables }))
}
