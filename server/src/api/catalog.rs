//! `GET /api/catalog`: the caller's tenant and its tables.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use quiver_shared::catalog::Catalog;

pub(super) async fn get_catalog(
    State(state): State<AppState>,
    Caller(claims): Caller,
) -> Result<Json<Catalog>, ApiError> {
    let tables = state.warehouse.tables(&claims.tenant).await?;
    Ok(Json(Catalog { tenant: state.tenant_info(&claims.tenant), tables }))
}
