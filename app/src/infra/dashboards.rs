//! Typed calls to the dashboards, versions and share-link routes.

use super::api::{ApiError, path_segment, send, send_json};
use super::session::Token;
use gloo_net::http::{Request, Response};
use quiver_shared::dashboard::{DashboardBody, DashboardFilters, DimensionFilter};
use serde::{Deserialize, Serialize};

/// A line of the dashboard list.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub(crate) struct DashboardSummary {
    /// The dashboard's id.
    pub(crate) id: String,
    /// The latest title.
    pub(crate) title: String,
    /// The latest version.
    pub(crate) version: i64,
}

/// A dashboard at one version.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DashboardRecord {
    /// The dashboard's id.
    pub(crate) id: String,
    /// The version shown.
    pub(crate) version: i64,
    /// What it holds.
    pub(crate) body: DashboardBody,
    /// Filters an embed token locks (shown, not editable).
    pub(crate) locked_filters: Vec<DimensionFilter>,
}

/// A line of a dashboard's history.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub(crate) struct VersionSummary {
    /// The version.
    pub(crate) version: i64,
    /// Its title.
    pub(crate) title: String,
    /// Who saved it.
    pub(crate) saved_by: String,
    /// When, seconds since the Unix epoch.
    pub(crate) saved_at: i64,
}

/// A share link as listed (never its token).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub(crate) struct ShareLink {
    /// The link's id.
    pub(crate) id: String,
    /// Whether it works without an account.
    pub(crate) public: bool,
    /// Stops working, seconds since the Unix epoch.
    pub(crate) expires_at: i64,
    /// Revoked, seconds since the Unix epoch.
    #[serde(default)]
    pub(crate) revoked_at: Option<i64>,
}

/// The answer to making a share link.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub(crate) struct CreatedLink {
    /// The `qs_…` token (shown only now).
    pub(crate) token: String,
    /// `/share/qs_…`.
    pub(crate) path: String,
}

/// What opening a share link gives.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OpenedLink {
    /// `account` or `public`.
    pub(crate) access: String,
    /// The dashboard.
    pub(crate) dashboard: DashboardRecord,
    /// The filters the link opens with.
    pub(crate) filters: DashboardFilters,
}

#[derive(Serialize)]
struct NewLink<'a> {
    filters: &'a DashboardFilters,
    expires_in_secs: i64,
    public: bool,
}

/// Splits a record's JSON into its envelope and its `DashboardBody` (which refuses unknown
/// fields, so the envelope's are taken out first).
fn record_from(mut value: serde_json::Value) -> Result<DashboardRecord, ApiError> {
    let bad = |what: &str| ApiError::BadBody(format!("a dashboard record without a valid {what}"));
    let object = value.as_object_mut().ok_or_else(|| bad("object"))?;
    let id = object.remove("id").and_then(|v| v.as_str().map(str::to_owned)).ok_or_else(|| bad("id"))?;
    let version = object.remove("version").and_then(|v| v.as_i64()).ok_or_else(|| bad("version"))?;
    let locked_filters = match object.remove("locked_filters") {
        Some(v) => serde_json::from_value(v).map_err(|e| ApiError::BadBody(e.to_string()))?,
        None => Vec::new(),
    };
    object.remove("saved_by");
    object.remove("saved_at");
    let body = serde_json::from_value(value).map_err(|e| ApiError::BadBody(e.to_string()))?;
    Ok(DashboardRecord { id, version, body, locked_filters })
}

async fn json<T: serde::de::DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    response.json().await.map_err(|e| ApiError::BadBody(e.to_string()))
}

async fn record(response: Response) -> Result<DashboardRecord, ApiError> {
    record_from(json(response).await?)
}

fn dashboard_url(id: &str, rest: &str) -> String {
    format!("/api/dashboards/{}{rest}", path_segment(id))
}

/// `GET /api/dashboards`.
pub(crate) async fn list(token: &Token) -> Result<Vec<DashboardSummary>, ApiError> {
    json(send(Request::get("/api/dashboards"), token).await?).await
}

/// `GET /api/dashboards/{id}[?version=]`.
pub(crate) async fn get(token: &Token, id: &str, version: Option<i64>) -> Result<DashboardRecord, ApiError> {
    let mut request = Request::get(&dashboard_url(id, ""));
    if let Some(version) = version {
        request = request.query([("version", version.to_string())]);
    }
    record(send(request, token).await?).await
}

/// `POST /api/dashboards`: version 1.
pub(crate) async fn create(token: &Token, body: &DashboardBody) -> Result<DashboardRecord, ApiError> {
    record(send_json(Request::post("/api/dashboards"), token, Some(body)).await?).await
}

/// `PUT /api/dashboards/{id}?base_version=`: the next version, or a 409 `version_conflict`.
pub(crate) async fn save(
    token: &Token,
    id: &str,
    base_version: i64,
    body: &DashboardBody,
) -> Result<DashboardRecord, ApiError> {
    let request = Request::put(&dashboard_url(id, "")).query([("base_version", base_version.to_string())]);
    record(send_json(request, token, Some(body)).await?).await
}

/// `GET /api/dashboards/{id}/versions`, newest first.
pub(crate) async fn versions(token: &Token, id: &str) -> Result<Vec<VersionSummary>, ApiError> {
    json(send(Request::get(&dashboard_url(id, "/versions")), token).await?).await
}

/// `POST /api/dashboards/{id}/duplicate`.
pub(crate) async fn duplicate(token: &Token, id: &str) -> Result<DashboardRecord, ApiError> {
    record(send(Request::post(&dashboard_url(id, "/duplicate")), token).await?).await
}

/// `DELETE /api/dashboards/{id}`.
pub(crate) async fn delete(token: &Token, id: &str) -> Result<(), ApiError> {
    send(Request::delete(&dashboard_url(id, "")), token).await?;
    Ok(())
}

/// `POST /api/dashboards/{id}/share-links`.
pub(crate) async fn create_link(
    token: &Token,
    id: &str,
    filters: &DashboardFilters,
    expires_in_secs: i64,
    public: bool,
) -> Result<CreatedLink, ApiError> {
    let body = NewLink { filters, expires_in_secs, public };
    json(send_json(Request::post(&dashboard_url(id, "/share-links")), token, Some(&body)).await?).await
}

/// `GET /api/dashboards/{id}/share-links`.
pub(crate) async fn links(token: &Token, id: &str) -> Result<Vec<ShareLink>, ApiError> {
    json(send(Request::get(&dashboard_url(id, "/share-links")), token).await?).await
}

/// `DELETE /api/dashboards/{id}/share-links/{link}`.
pub(crate) async fn revoke_link(token: &Token, id: &str, link: &str) -> Result<(), ApiError> {
    let url = dashboard_url(id, &format!("/share-links/{}", path_segment(link)));
    send(Request::delete(&url), token).await?;
    Ok(())
}

/// `GET /api/share/{token}`: sent with the opener's own credentials when they have some (then
/// the link opens for their account), else with none (public links).
pub(crate) async fn open_link(credentials: &Token, share_token: &str) -> Result<OpenedLink, ApiError> {
    let url = format!("/api/share/{}", path_segment(share_token));
    let mut value: serde_json::Value = json(send(Request::get(&url), credentials).await?).await?;
    let bad = |what: &str| ApiError::BadBody(format!("an opened link without a valid {what}"));
    let object = value.as_object_mut().ok_or_else(|| bad("object"))?;
    let access = object.remove("access").and_then(|v| v.as_str().map(str::to_owned)).ok_or_else(|| bad("access"))?;
    let filters = serde_json::from_value(object.remove("filters").ok_or_else(|| bad("filters"))?)
        .map_err(|e| ApiError::BadBody(e.to_string()))?;
    let dashboard = record_from(object.remove("dashboard").ok_or_else(|| bad("dashboard"))?)?;
    Ok(OpenedLink { access, dashboard, filters })
}
