//! Typed calls to the tenant administration routes: users, API keys, row rules and the tenant's
//! settings (admins only; the server refuses everyone else).

use super::api::{ApiError, path_segment, send, send_json};
use super::session::Token;
use gloo_net::http::{Request, Response};
use serde::{Deserialize, Serialize};

/// A user of the tenant.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub(crate) struct UserRecord {
    /// The user's id.
    pub(crate) id: String,
    /// The sign-in e-mail address.
    pub(crate) email: String,
    /// `viewer`, `editor` or `admin`.
    pub(crate) role: String,
    /// Created, seconds since the Unix epoch.
    pub(crate) created_at: i64,
}

/// An API key as listed (never the key itself).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub(crate) struct ApiKeyRecord {
    /// The key's id.
    pub(crate) id: String,
    /// A label for people.
    pub(crate) name: String,
    /// The role it acts with.
    pub(crate) role: String,
    /// Created, seconds since the Unix epoch.
    pub(crate) created_at: i64,
}

/// The answer to making an API key: the only time the key is shown.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub(crate) struct CreatedKey {
    /// The secret key.
    pub(crate) key: String,
}

/// Whom a row rule restricts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RuleSubject {
    /// Everyone with this role.
    Role(String),
    /// One user, by id.
    User(String),
}

/// A row rule: the subject sees only rows of `table` whose `column` is one of `values`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct RuleRecord {
    /// The rule's id (empty in a new rule).
    #[serde(default, skip_serializing)]
    pub(crate) id: String,
    /// Whom it restricts.
    pub(crate) subject: RuleSubject,
    /// The table.
    pub(crate) table: String,
    /// The column.
    pub(crate) column: String,
    /// The values kept.
    pub(crate) values: Vec<serde_json::Value>,
}

/// The tenant's settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct TenantSettings {
    /// Whether share links may be public.
    pub(crate) allow_public_links: bool,
    /// Origins allowed to frame the tenant's dashboards.
    pub(crate) frame_ancestors: Vec<String>,
}

async fn json<T: serde::de::DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    response.json().await.map_err(|e| ApiError::BadBody(e.to_string()))
}

#[derive(Serialize)]
struct NewUser<'a> {
    email: &'a str,
    password: &'a str,
    role: &'a str,
}

#[derive(Serialize)]
struct RoleChange<'a> {
    role: &'a str,
}

#[derive(Serialize)]
struct NewKey<'a> {
    name: &'a str,
    role: &'a str,
}

/// `GET /api/users`.
pub(crate) async fn users(token: &Token) -> Result<Vec<UserRecord>, ApiError> {
    json(send(Request::get("/api/users"), token).await?).await
}

/// `POST /api/users`.
pub(crate) async fn create_user(
    token: &Token,
    email: &str,
    password: &str,
    role: &str,
) -> Result<UserRecord, ApiError> {
    json(send_json(Request::post("/api/users"), token, Some(&NewUser { email, password, role })).await?).await
}

/// `PATCH /api/users/{id}` with a new role.
pub(crate) async fn set_role(token: &Token, id: &str, role: &str) -> Result<UserRecord, ApiError> {
    let url = format!("/api/users/{}", path_segment(id));
    json(send_json(Request::patch(&url), token, Some(&RoleChange { role })).await?).await
}

/// `DELETE /api/users/{id}`.
pub(crate) async fn delete_user(token: &Token, id: &str) -> Result<(), ApiError> {
    send(Request::delete(&format!("/api/users/{}", path_segment(id))), token).await?;
    Ok(())
}

/// `GET /api/api-keys`.
pub(crate) async fn keys(token: &Token) -> Result<Vec<ApiKeyRecord>, ApiError> {
    json(send(Request::get("/api/api-keys"), token).await?).await
}

/// `POST /api/api-keys`.
pub(crate) async fn create_key(token: &Token, name: &str, role: &str) -> Result<CreatedKey, ApiError> {
    json(send_json(Request::post("/api/api-keys"), token, Some(&NewKey { name, role })).await?).await
}

/// `DELETE /api/api-keys/{id}`.
pub(crate) async fn revoke_key(token: &Token, id: &str) -> Result<(), ApiError> {
    send(Request::delete(&format!("/api/api-keys/{}", path_segment(id))), token).await?;
    Ok(())
}

/// `GET /api/row-rules`.
pub(crate) async fn rules(token: &Token) -> Result<Vec<RuleRecord>, ApiError> {
    json(send(Request::get("/api/row-rules"), token).await?).await
}

/// `POST /api/row-rules`.
pub(crate) async fn create_rule(token: &Token, rule: &RuleRecord) -> Result<RuleRecord, ApiError> {
    json(send_json(Request::post("/api/row-rules"), token, Some(rule)).await?).await
}

/// `DELETE /api/row-rules/{id}`.
pub(crate) async fn delete_rule(token: &Token, id: &str) -> Result<(), ApiError> {
    send(Request::delete(&format!("/api/row-rules/{}", path_segment(id))), token).await?;
    Ok(())
}

/// `GET /api/settings`.
pub(crate) async fn settings(token: &Token) -> Result<TenantSettings, ApiError> {
    json(send(Request::get("/api/settings"), token).await?).await
}

/// `PUT /api/settings`.
pub(crate) async fn save_settings(token: &Token, settings: &TenantSettings) -> Result<TenantSettings, ApiError> {
    json(send_json(Request::put("/api/settings"), token, Some(settings)).await?).await
}
