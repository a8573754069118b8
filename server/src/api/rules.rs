//! Admins manage their tenant's row-level rules (`/api/row-rules`). Rules are checked against
//! the catalogue when made, so a typo is refused instead of silently hiding every row.

use super::body;
use crate::access::Caller;
use crate::error::ApiError;
use crate::row_rules::RowRule;
use crate::state::AppState;
use crate::store::{RuleRecord, RuleSubject};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use quiver_shared::auth::Role;
use quiver_shared::tenant::TenantId;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewRule {
    subject: RuleSubject,
    #[serde(flatten)]
    rule: RowRule,
}

/// Checks a rule's shape and that its table and column exist; errors name `at` + the field.
pub(super) async fn check_rule(state: &AppState, tenant: &TenantId, rule: &RowRule, at: &str) -> Result<(), ApiError> {
    rule.validate().map_err(|(field, reason)| ApiError::invalid("invalid_rule", format!("{at}{field}"), reason))?;
    let tables = state.warehouse.tables(tenant).await?;
    let Some(table) = tables.iter().find(|t| t.name == rule.table) else {
        return Err(ApiError::invalid(
            "unknown_table",
            format!("{at}table"),
            format!("there is no table '{}'", rule.table),
        ));
    };
    if !table.columns.iter().any(|c| c.name == rule.column) {
        return Err(ApiError::invalid(
            "unknown_column",
            format!("{at}column"),
            format!("table '{}' has no column '{}'", rule.table, rule.column),
        ));
    }
    Ok(())
}

/// `GET /api/row-rules`.
pub(super) async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<RuleRecord>>, ApiError> {
    caller.require(Role::Admin)?;
    Ok(Json(state.store.rules(caller.tenant()).await?))
}

/// `POST /api/row-rules` with `{"subject": {"role": "viewer"} | {"user": id}, "table", "column", "values"}`.
pub(super) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    bytes: Bytes,
) -> Result<(StatusCode, Json<RuleRecord>), ApiError> {
    caller.require(Role::Admin)?;
    let new: NewRule = body::parse(&bytes)?;
    if let RuleSubject::User(id) = &new.subject
        && state.store.user(caller.tenant(), id).await?.is_none()
    {
        return Err(ApiError::invalid(
            "unknown_user",
            "subject.user",
            format!("there is no user '{id}' in your tenant"),
        ));
    }
    check_rule(&state, caller.tenant(), &new.rule, "").await?;
    let record = state.store.create_rule(caller.tenant(), new.subject, new.rule).await?;
    tracing::info!(tenant = %caller.tenant(), rule = %record.id, by = %caller.claims.sub, "row rule created");
    Ok((StatusCode::CREATED, Json(record)))
}

/// `DELETE /api/row-rules/{id}`.
pub(super) async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(Role::Admin)?;
    if !state.store.delete_rule(caller.tenant(), &id).await? {
        return Err(ApiError::not_found("unknown_rule", "id", format!("there is no row rule '{id}' in your tenant")));
    }
    Ok(StatusCode::NO_CONTENT)
}
