//! Share links: a signed permalink to a dashboard with its filter state, an expiry, and a
//! revocation that takes effect at once (every use checks the store).
//!
//! `POST /api/dashboards/{id}/share-links` answers with a `qs_…` token; the app's permalink is
//! `/share/<token>`, and `GET /api/share/<token>` opens it: for anyone signed in to the
//! dashboard's tenant, or, for a public link of a tenant that allows them, for anyone. A public
//! link's token is then the bearer token of its data requests: read-only, this dashboard's
//! tables only, with its creator's and the viewer role's row rules.

use super::body;
use super::dashboards::{check_body, unknown_dashboard};
use crate::access::Caller;
use crate::auth::AuthError;
use crate::error::ApiError;
use crate::scoped_tokens::{SHARE_PREFIX, ShareClaims};
use crate::state::AppState;
use crate::store::{DashboardRecord, ShareLinkRecord, new_id, now};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use quiver_shared::auth::Role;
use quiver_shared::dashboard::DashboardFilters;
use serde::{Deserialize, Serialize};

/// How long a link lives unless asked otherwise.
const DEFAULT_TTL_SECS: i64 = 7 * 24 * 3600;
/// The longest a link may live.
const MAX_TTL_SECS: i64 = 365 * 24 * 3600;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewLink {
    #[serde(default)]
    filters: Option<DashboardFilters>,
    #[serde(default)]
    expires_in_secs: Option<i64>,
    #[serde(default)]
    public: bool,
}

/// The answer to making a link: the only time its token is shown.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct CreatedLink {
    link: ShareLinkRecord,
    token: String,
    path: String,
}

/// `POST /api/dashboards/{id}/share-links` with `{"filters"?, "expires_in_secs"?, "public"?}`.
/// Anyone who can read the dashboard may share it with their tenant; a public link needs an
/// editor and a tenant that allows public links.
pub(super) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<CreatedLink>), ApiError> {
    caller.require(Role::Viewer)?;
    let new: NewLink = if bytes.is_empty() {
        NewLink { filters: None, expires_in_secs: None, public: false }
    } else {
        body::parse(&bytes)?
    };
    let dashboard = state.store.dashboard(caller.tenant(), &id, None).await?.ok_or_else(|| unknown_dashboard(&id))?;
    let ttl = new.expires_in_secs.unwrap_or(DEFAULT_TTL_SECS);
    if !(60..=MAX_TTL_SECS).contains(&ttl) {
        return Err(ApiError::invalid(
            "invalid_expiry",
            "expires_in_secs",
            format!("a link lives 60 to {MAX_TTL_SECS} seconds, not {ttl}"),
        ));
    }
    if new.public {
        caller.require(Role::Editor)?;
        if !state.store.settings(caller.tenant()).await?.allow_public_links {
            return Err(ApiError::forbidden(
                "public_links_disabled",
                "your tenant does not allow public links; an admin can allow them in the settings",
            ));
        }
    }
    let filters = new.filters.unwrap_or_else(|| dashboard.body.filters.clone());
    let mut with_filters = dashboard.body.clone();
    with_filters.filters = filters.clone();
    check_body(&state, caller.tenant(), &with_filters).await?;
    let created_at = now();
    let link = ShareLinkRecord {
        id: new_id(),
        tenant: caller.tenant().clone(),
        dashboard: id.clone(),
        filters,
        public: new.public,
        created_by: caller.claims.sub.clone(),
        creator_user: caller.user_id.clone(),
        creator_role: Some(caller.claims.role),
        created_at,
        expires_at: created_at + ttl,
        revoked_at: None,
    };
    state.store.create_share_link(&link).await?;
    let claims = ShareClaims {
        typ: "share".to_owned(),
        link: link.id.clone(),
        tenant: link.tenant.clone(),
        dashboard: id,
        iat: created_at,
        exp: link.expires_at,
    };
    let token = format!("{SHARE_PREFIX}{}", state.tokens.mint_scoped(&claims));
    let path = format!("/share/{token}");
    Ok((StatusCode::CREATED, Json(CreatedLink { link, token, path })))
}

/// `GET /api/dashboards/{id}/share-links` (editors): the dashboard's links, revoked ones too.
pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<ShareLinkRecord>>, ApiError> {
    caller.require(Role::Editor)?;
    Ok(Json(state.store.share_links(caller.tenant(), &id).await?))
}

/// `DELETE /api/dashboards/{id}/share-links/{link}` (editors): revokes the link at once.
pub(super) async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, link)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require(Role::Editor)?;
    if !state.store.revoke_share_link(caller.tenant(), &id, &link).await? {
        return Err(ApiError::not_found("unknown_share_link", "link", format!("there is no live link '{link}'")));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// What opening a link gives.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct OpenedLink {
    /// `account` (the opener's own sign-in reads the data) or `public` (the link's token does).
    access: String,
    dashboard: DashboardRecord,
    filters: DashboardFilters,
    expires_at: i64,
}

/// `GET /api/share/{token}`: opens a link (see the module docs).
pub(super) async fn open(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Path(token): Path<String>,
) -> Result<Json<OpenedLink>, ApiError> {
    let raw = token.strip_prefix(SHARE_PREFIX).ok_or(AuthError::Invalid)?;
    let claims: ShareClaims = state.tokens.verify_scoped(raw)?;
    let link = crate::access::live_share_link(&state, &claims).await?;
    let access = match caller {
        // A signed-in opener reads with their own rights (and rules).
        Some(caller) if caller.scope.is_none() => {
            if caller.tenant() != &link.tenant {
                return Err(ApiError::forbidden("wrong_tenant", "this link belongs to another tenant's dashboard"));
            }
            "account"
        }
        _ => {
            if !link.public {
                return Err(AuthError::SignInRequired.into());
            }
            if !state.store.settings(&link.tenant).await?.allow_public_links {
                return Err(ApiError::forbidden("public_links_disabled", "this tenant does not allow public links"));
            }
            "public"
        }
    };
    let dashboard = state.store.dashboard(&link.tenant, &link.dashboard, None).await?.ok_or(AuthError::Revoked)?;
    Ok(Json(OpenedLink { access: access.to_owned(), dashboard, filters: link.filters, expires_at: link.expires_at }))
}
