//! Dashboards: list, create, read (any version), save as a new version, history, duplicate,
//! delete. Editors and admins write; viewers read; an embed token or share link reads its one
//! dashboard. Every lookup is by tenant and id.

use super::body;
use super::params::QueryParams;
use crate::access::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{DashboardRecord, DashboardSummary, SaveOutcome, VersionSummary};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use quiver_shared::auth::Role;
use quiver_shared::dashboard::{DashboardBody, DashboardFilters, DimensionFilter};
use quiver_shared::tenant::TenantId;
use serde::{Deserialize, Serialize};

pub(super) fn unknown_dashboard(id: &str) -> ApiError {
    ApiError::not_found("unknown_dashboard", "id", format!("there is no dashboard '{id}' in your tenant"))
}

/// Validates a body and checks that every tile's tables exist in the tenant's catalogue.
pub(super) async fn check_body(state: &AppState, tenant: &TenantId, body: &DashboardBody) -> Result<(), ApiError> {
    body.validate().map_err(|e| ApiError::invalid("invalid_dashboard", e.field, e.reason))?;
    let tables = state.warehouse.tables(tenant).await?;
    for (i, tile) in body.tiles.iter().enumerate() {
        for table in tile.table().unwrap_or_default() {
            if !tables.iter().any(|t| t.name == table) {
                return Err(ApiError::invalid(
                    "unknown_table",
                    format!("tiles[{i}].spec"),
                    format!("there is no table '{table}'"),
                ));
            }
        }
    }
    Ok(())
}

/// Refuses filters that touch a locked filter's column (embed tokens).
pub(super) fn check_locked(locked: &[DimensionFilter], filters: &DashboardFilters) -> Result<(), ApiError> {
    for (i, f) in filters.dimensions.iter().enumerate() {
        if let Some(l) = locked.iter().find(|l| l.column == f.column)
            && l.values != f.values
        {
            return Err(ApiError::Forbidden {
                code: "locked_filter",
                message: format!(
                    "filters.dimensions[{i}]: the filter on '{}' is locked by the embedding page and cannot change",
                    f.column
                ),
            });
        }
    }
    Ok(())
}

/// `GET /api/dashboards`.
pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<DashboardSummary>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(state.store.dashboards(caller.tenant()).await?))
}

/// `POST /api/dashboards` with a dashboard body: version 1.
pub(super) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    bytes: Bytes,
) -> Result<(StatusCode, Json<DashboardRecord>), ApiError> {
    caller.require(Role::Editor)?;
    let body: DashboardBody = body::parse(&bytes)?;
    check_body(&state, caller.tenant(), &body).await?;
    let record = state.store.create_dashboard(caller.tenant(), &body, &caller.claims.sub).await?;
    Ok((StatusCode::CREATED, Json(record)))
}

/// A dashboard as read: the record, plus the filters an embed token locks.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct DashboardView {
    #[serde(flatten)]
    record: DashboardRecord,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    locked_filters: Vec<DimensionFilter>,
}

/// `GET /api/dashboards/{id}?version=&filters=`: the latest version or `version`. `filters`
/// (JSON) opens it with other filters; a change to a locked filter is refused.
pub(super) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<DashboardView>, ApiError> {
    caller.check_dashboard(&id)?;
    let params = QueryParams::parse(query.as_deref(), &["version", "filters"])?;
    let version = params
        .get("version")
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| ApiError::bad("invalid_version", "version", format!("'{v}' is not a version number")))
        })
        .transpose()?;
    let mut record =
        state.store.dashboard(caller.tenant(), &id, version).await?.ok_or_else(|| unknown_dashboard(&id))?;
    let locked = caller.scope.as_ref().map(|s| s.locked_filters.clone()).unwrap_or_default();
    if let Some(raw) = params.get("filters") {
        let filters: DashboardFilters = serde_json::from_str(raw)
            .map_err(|e| ApiError::bad("invalid_filters", "filters", format!("filters must be JSON filters: {e}")))?;
        filters.validate("filters").map_err(|e| ApiError::invalid("invalid_filters", e.field, e.reason))?;
        check_locked(&locked, &filters)?;
        record.body.filters = filters;
    }
    // Locked filters always win over the saved ones.
    for l in &locked {
        record.body.filters.dimensions.retain(|d| d.column != l.column);
        record.body.filters.dimensions.push(l.clone());
    }
    Ok(Json(DashboardView { record, locked_filters: locked }))
}

/// `PUT /api/dashboards/{id}?base_version=N` with a dashboard body: saves the next version.
/// With `base_version`, a save over someone else's newer version is a 409 `version_conflict`.
pub(super) async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    bytes: Bytes,
) -> Result<Json<DashboardRecord>, ApiError> {
    caller.require(Role::Editor)?;
    let params = QueryParams::parse(query.as_deref(), &["base_version"])?;
    let base = params
        .get("base_version")
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| ApiError::bad("invalid_version", "base_version", format!("'{v}' is not a version number")))
        })
        .transpose()?;
    let body: DashboardBody = body::parse(&bytes)?;
    check_body(&state, caller.tenant(), &body).await?;
    match state.store.save_dashboard(caller.tenant(), &id, &body, base, &caller.claims.sub).await? {
        SaveOutcome::Missing => Err(unknown_dashboard(&id)),
        SaveOutcome::Stale { latest } => Err(ApiError::Conflict {
            code: "version_conflict",
            field: "base_version".to_owned(),
            message: format!("the dashboard was saved since: it is at version {latest}; reload and save again"),
        }),
        SaveOutcome::Saved(record) => Ok(Json(record)),
    }
}

/// `GET /api/dashboards/{id}/versions`: the history, newest first.
pub(super) async fn versions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<VersionSummary>>, ApiError> {
    caller.check_dashboard(&id)?;
    state.store.dashboard_versions(caller.tenant(), &id).await?.map(Json).ok_or_else(|| unknown_dashboard(&id))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Duplicate {
    #[serde(default)]
    title: Option<String>,
}

/// `POST /api/dashboards/{id}/duplicate` with `{"title"?}`: a new dashboard (version 1) from
/// the latest version.
pub(super) async fn duplicate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<DashboardRecord>), ApiError> {
    caller.require(Role::Editor)?;
    let request: Duplicate = if bytes.is_empty() { Duplicate::default() } else { body::parse(&bytes)? };
    let source = state.store.dashboard(caller.tenant(), &id, None).await?.ok_or_else(|| unknown_dashboard(&id))?;
    let mut body = source.body;
    body.title = request.title.unwrap_or_else(|| format!("Copy of {}", body.title));
    check_body(&state, caller.tenant(), &body).await?;
    let record = state.store.create_dashboard(caller.tenant(), &body, &caller.claims.sub).await?;
    Ok((StatusCode::CREATED, Json(record)))
}

/// `DELETE /api/dashboards/{id}`: with its history and share links.
pub(super) async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(Role::Editor)?;
    if !state.store.delete_dashboard(caller.tenant(), &id).await? {
        return Err(unknown_dashboard(&id));
    }
    Ok(StatusCode::NO_CONTENT)
}
