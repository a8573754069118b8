//! Embedding: `POST /api/embed-tokens` (a tenant's backend, with an API key, mints a short-lived
//! token for one dashboard, with row rules and locked filters), and `GET /embed/{dashboard}`,
//! the app's page with `Content-Security-Policy: frame-ancestors` from the tenant's allowlist.
//!
//! The token travels to the page in the URL (`?token=`, which the app moves to memory) or by
//! `postMessage`; the page itself is served to anyone, since it holds no data. When the URL
//! carries a token, it is checked here: for this dashboard, unexpired, and with URL filters
//! that leave the locked ones alone.

use super::body;
use super::dashboards::{check_locked, unknown_dashboard};
use super::params::QueryParams;
use super::rules::check_rule;
use crate::access::{Caller, CallerKind};
use crate::auth::AuthError;
use crate::error::ApiError;
use crate::row_rules::RowRule;
use crate::scoped_tokens::{EMBED_PREFIX, EmbedClaims, MAX_EMBED_TTL_SECS};
use crate::state::AppState;
use crate::store::now;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use quiver_shared::auth::Role;
use quiver_shared::dashboard::{DashboardFilters, DimensionFilter};
use serde::{Deserialize, Serialize};

/// How long an embed token lives unless asked otherwise.
const DEFAULT_TTL_SECS: i64 = 600;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewEmbedToken {
    dashboard: String,
    #[serde(default)]
    rules: Vec<RowRule>,
    #[serde(default)]
    locked_filters: Vec<DimensionFilter>,
    #[serde(default)]
    expires_in_secs: Option<i64>,
}

/// The answer to `POST /api/embed-tokens`.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct EmbedToken {
    token: String,
    expires_at: i64,
    path: String,
}

/// `POST /api/embed-tokens` with `{"dashboard", "rules"?, "locked_filters"?, "expires_in_secs"?}`:
/// only with an API key of editor role or higher. The token carries the given rules, the key's
/// own rules (a key never mints more than it may read) and each locked filter as a rule on
/// every table of the dashboard that has the column.
pub(super) async fn mint(
    State(state): State<AppState>,
    caller: Caller,
    bytes: Bytes,
) -> Result<(StatusCode, Json<EmbedToken>), ApiError> {
    if caller.kind != CallerKind::ApiKey {
        return Err(ApiError::forbidden(
            "api_key_required",
            "embed tokens are minted by your backend with an API key (Authorization: Bearer qk_…)",
        ));
    }
    caller.require(Role::Editor)?;
    let new: NewEmbedToken = body::parse(&bytes)?;
    let ttl = new.expires_in_secs.unwrap_or(DEFAULT_TTL_SECS);
    if !(1..=MAX_EMBED_TTL_SECS).contains(&ttl) {
        return Err(ApiError::invalid(
            "invalid_expiry",
            "expires_in_secs",
            format!(
                "an embed token lives 1 to {MAX_EMBED_TTL_SECS} seconds, not {ttl}; mint a fresh one before it ends"
            ),
        ));
    }
    let dashboard = state
        .store
        .dashboard(caller.tenant(), &new.dashboard, None)
        .await?
        .ok_or_else(|| unknown_dashboard(&new.dashboard))?;
    for (i, rule) in new.rules.iter().enumerate() {
        check_rule(&state, caller.tenant(), rule, &format!("rules[{i}].")).await?;
    }
    let locked = DashboardFilters { from: None, to: None, dimensions: new.locked_filters.clone() };
    locked.validate("locked_filters").map_err(|e| ApiError::invalid("invalid_filters", e.field, e.reason))?;
    let catalogue = state.warehouse.tables(caller.tenant()).await?;
    let mut rules = new.rules;
    rules.extend(caller.rules.iter().cloned());
    for (i, filter) in new.locked_filters.iter().enumerate() {
        let tables: Vec<&str> = dashboard
            .body
            .tables()
            .iter()
            .filter_map(|t| catalogue.iter().find(|c| &c.name == t))
            .filter(|t| t.columns.iter().any(|c| c.name == filter.column))
            .map(|t| t.name.as_str())
            .collect();
        if tables.is_empty() || filter.values.is_empty() {
            return Err(ApiError::invalid(
                "invalid_filters",
                format!("locked_filters[{i}]"),
                format!("no table of this dashboard has a column '{}', or no value is given", filter.column),
            ));
        }
        for table in tables {
            rules.push(RowRule {
                table: table.to_owned(),
                column: filter.column.clone(),
                values: filter.values.iter().cloned().map(serde_json::Value::String).collect(),
            });
        }
    }
    let iat = now();
    let claims = EmbedClaims {
        typ: "embed".to_owned(),
        sub: caller.claims.sub.clone(),
        tenant: caller.tenant().clone(),
        dashboard: new.dashboard.clone(),
        rules,
        locked_filters: new.locked_filters,
        iat,
        exp: iat + ttl,
    };
    let token = format!("{EMBED_PREFIX}{}", state.tokens.mint_scoped(&claims));
    let path = format!("/embed/{}", new.dashboard);
    Ok((StatusCode::CREATED, Json(EmbedToken { token, expires_at: claims.exp, path })))
}

/// `GET /embed/{dashboard}?token=&filters=`: the app's `index.html`, framable only by the
/// tenant's allowlisted origins.
pub(super) async fn page(
    State(state): State<AppState>,
    Path(dashboard): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(query.as_deref(), &["token", "filters"])?;
    let tenant = state.store.dashboard_tenant(&dashboard).await?.ok_or_else(|| unknown_dashboard(&dashboard))?;
    if let Some(token) = params.get("token") {
        let raw = token.strip_prefix(EMBED_PREFIX).ok_or(AuthError::Invalid)?;
        let claims: EmbedClaims = state.tokens.verify_scoped(raw)?;
        if claims.typ != "embed" || claims.tenant != tenant {
            return Err(AuthError::Invalid.into());
        }
        if claims.dashboard != dashboard {
            return Err(ApiError::forbidden(
                "wrong_dashboard",
                format!("this embed token opens another dashboard, not '{dashboard}'"),
            ));
        }
        if let Some(raw) = params.get("filters") {
            let filters: DashboardFilters = serde_json::from_str(raw).map_err(|e| {
                ApiError::bad("invalid_filters", "filters", format!("filters must be JSON filters: {e}"))
            })?;
            check_locked(&claims.locked_filters, &filters)?;
        }
    }
    let ancestors = state.store.settings(&tenant).await?.frame_ancestors;
    let policy = if ancestors.is_empty() {
        "frame-ancestors 'none'".to_owned()
    } else {
        format!("frame-ancestors {}", ancestors.join(" "))
    };
    let policy = HeaderValue::from_str(&policy).map_err(ApiError::internal)?;
    let index = state.app_dir.as_ref().map(|d| d.join("index.html"));
    let html = match index {
        Some(path) => tokio::fs::read(&path).await.ok(),
        None => None,
    };
    let Some(html) = html else {
        let body = "<!doctype html><title>Quiver</title><p>The Quiver app is not built. Run <code>cargo xtask serve</code>.</p>";
        return Ok((StatusCode::SERVICE_UNAVAILABLE, [(CONTENT_SECURITY_POLICY, policy)], body).into_response());
    };
    Ok((
        [
            (CONTENT_SECURITY_POLICY, policy),
            (CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        html,
    )
        .into_response())
}
