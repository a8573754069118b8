//! Admins manage their tenant's users and API keys. Every lookup is by tenant and id, so another
//! tenant's user answers exactly like a missing one.

use super::body;
use crate::access::Caller;
use crate::error::ApiError;
use crate::password;
use crate::state::AppState;
use crate::store::{ApiKeyRecord, UserRecord};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use quiver_shared::auth::Role;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    email: String,
    password: String,
    role: Role,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserChange {
    #[serde(default)]
    role: Option<Role>,
    #[serde(default)]
    password: Option<String>,
}

impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser").field("email", &self.email).field("role", &self.role).finish_non_exhaustive()
    }
}

fn unknown_user(id: &str) -> ApiError {
    ApiError::not_found("unknown_user", "id", format!("there is no user '{id}' in your tenant"))
}

/// A plausible e-mail address, lower-cased.
fn email(raw: &str) -> Result<String, ApiError> {
    let email = raw.trim().to_lowercase();
    let plausible = email.len() <= 254
        && !email.contains(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if !plausible {
        return Err(ApiError::invalid("invalid_email", "email", format!("'{raw}' is not an e-mail address")));
    }
    Ok(email)
}

async fn hash(password: String) -> Result<String, ApiError> {
    if let Some(reason) = password::weakness(&password) {
        return Err(ApiError::invalid("weak_password", "password", reason));
    }
    tokio::task::spawn_blocking(move || password::hash(&password)).await.map_err(ApiError::internal)
}

/// `GET /api/users`.
pub(super) async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<UserRecord>>, ApiError> {
    caller.require(Role::Admin)?;
    Ok(Json(state.store.users(caller.tenant()).await?))
}

/// `POST /api/users` with `{"email", "password", "role"}`.
pub(super) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    bytes: Bytes,
) -> Result<(StatusCode, Json<UserRecord>), ApiError> {
    caller.require(Role::Admin)?;
    let new: NewUser = body::parse(&bytes)?;
    let email = email(&new.email)?;
    let hash = hash(new.password).await?;
    let user = state.store.create_user(caller.tenant(), &email, &hash, new.role).await?;
    tracing::info!(tenant = %caller.tenant(), user = %user.id, by = %caller.claims.sub, "user created");
    Ok((StatusCode::CREATED, Json(user)))
}

/// `PATCH /api/users/{id}` with `{"role"?, "password"?}`.
pub(super) async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<UserRecord>, ApiError> {
    caller.require(Role::Admin)?;
    let change: UserChange = body::parse(&bytes)?;
    if caller.user_id.as_deref() == Some(id.as_str()) && change.role.is_some_and(|r| r != Role::Admin) {
        return Err(ApiError::forbidden("cannot_demote_self", "ask another admin to change your own role"));
    }
    let hash = match change.password {
        Some(p) => Some(hash(p).await?),
        None => None,
    };
    if !state.store.update_user(caller.tenant(), &id, change.role, hash.as_deref()).await? {
        return Err(unknown_user(&id));
    }
    state.store.user(caller.tenant(), &id).await?.map(Json).ok_or_else(|| unknown_user(&id))
}

/// `DELETE /api/users/{id}`.
pub(super) async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(Role::Admin)?;
    if caller.user_id.as_deref() == Some(id.as_str()) {
        return Err(ApiError::forbidden("cannot_delete_self", "ask another admin to remove your own account"));
    }
    if !state.store.delete_user(caller.tenant(), &id).await? {
        return Err(unknown_user(&id));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewApiKey {
    name: String,
    #[serde(default = "editor")]
    role: Role,
}

fn editor() -> Role {
    Role::Editor
}

/// The answer to `POST /api/api-keys`: the only time the key is shown.
#[derive(Serialize)]
pub(super) struct CreatedApiKey {
    key: String,
    api_key: ApiKeyRecord,
}

/// `GET /api/api-keys`.
pub(super) async fn list_keys(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ApiKeyRecord>>, ApiError> {
    caller.require(Role::Admin)?;
    Ok(Json(state.store.api_keys(caller.tenant()).await?))
}

/// `POST /api/api-keys` with `{"name", "role"?}` (role defaults to editor).
pub(super) async fn create_key(
    State(state): State<AppState>,
    caller: Caller,
    bytes: Bytes,
) -> Result<(StatusCode, Json<CreatedApiKey>), ApiError> {
    caller.require(Role::Admin)?;
    let new: NewApiKey = body::parse(&bytes)?;
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::invalid("invalid_name", "name", "the name must have 1 to 100 characters"));
    }
    let (api_key, key) = state.store.create_api_key(caller.tenant(), name, new.role, &caller.claims.sub).await?;
    Ok((StatusCode::CREATED, Json(CreatedApiKey { key, api_key })))
}

/// `DELETE /api/api-keys/{id}`: revokes the key at once.
pub(super) async fn revoke_key(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(Role::Admin)?;
    if !state.store.revoke_api_key(caller.tenant(), &id).await? {
        return Err(ApiError::not_found("unknown_api_key", "id", format!("there is no live API key '{id}'")));
    }
    Ok(StatusCode::NO_CONTENT)
}
