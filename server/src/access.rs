//! Who is calling: the [`Caller`] extractor, which accepts a sign-in token, a session cookie,
//! an API key, an embed token or a public share link, and resolves the caller's row rules and
//! scope on the server.
//!
//! **Architecture Invariant:** a request's tenant, role, row rules and dashboard scope come only
//! from here: from a server-signed token or the metadata store, never from the request's body or
//! parameters.

use crate::auth::AuthError;
use crate::error::ApiError;
use crate::row_rules::RowRule;
use crate::scoped_tokens::{API_KEY_PREFIX, EMBED_PREFIX, EmbedClaims, SHARE_PREFIX, ShareClaims};
use crate::state::AppState;
use crate::store::now;
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use quiver_shared::auth::{Claims, Role};
use quiver_shared::dashboard::DimensionFilter;
use quiver_shared::tenant::TenantId;
use serde::Serialize;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "quiver_session";

/// How the caller proved who they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallerKind {
    /// A signed sign-in token (`Authorization: Bearer`; the printed links, `quiver-server token`).
    Token,
    /// A session cookie from `POST /api/sign-in`.
    Session,
    /// An API key (`Authorization: Bearer qk_…`).
    ApiKey,
    /// An embed token (`qe_…`): one dashboard, read-only.
    Embed,
    /// A public share link (`qs_…`): one dashboard, read-only.
    ShareLink,
}

/// The one dashboard an embed token or a share link opens.
#[derive(Clone, Debug, Serialize)]
pub struct DashboardScope {
    /// The dashboard.
    pub dashboard: String,
    /// The tables its tiles read: the only ones the caller may load.
    pub tables: Vec<String>,
    /// Filters the caller may not change (embed tokens).
    pub locked_filters: Vec<DimensionFilter>,
}

/// The verified caller of a route. Handlers get the tenant, role and row rules only from here.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Subject (a user id, an API key id, a token's subject), tenant, role and expiry.
    pub claims: Claims,
    /// How they signed in.
    pub kind: CallerKind,
    /// The signed-in user, for sessions and sign-in tokens of a known user.
    pub user_id: Option<String>,
    /// Row rules on every data path (see [`crate::row_rules`]).
    pub rules: Vec<RowRule>,
    /// Set for embed tokens and share links: the one dashboard they open.
    pub scope: Option<DashboardScope>,
}

fn rank(role: Role) -> u8 {
    match role {
        Role::Viewer => 0,
        Role::Editor => 1,
        Role::Admin => 2,
    }
}

impl Caller {
    /// The caller's tenant.
    pub fn tenant(&self) -> &TenantId {
        &self.claims.tenant
    }

    /// Refuses callers below `role`, and every scoped (embed, share-link) caller.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.scope.is_some() {
            return Err(ApiError::forbidden("read_only", "this link or embed token only reads one dashboard"));
        }
        if rank(self.claims.role) < rank(role) {
            return Err(ApiError::forbidden(
                "role_required",
                format!(
                    "this needs the {} role or higher; you are {}",
                    crate::store::role_name(role),
                    crate::store::role_name(self.claims.role)
                ),
            ));
        }
        Ok(())
    }

    /// Refuses a scoped caller a table its dashboard does not read.
    pub fn check_table(&self, table: &str) -> Result<(), ApiError> {
        match &self.scope {
            Some(scope) if !scope.tables.iter().any(|t| t == table) => Err(ApiError::forbidden(
                "outside_scope",
                format!("this link or embed token cannot read table '{table}': its dashboard does not use it"),
            )),
            _ => Ok(()),
        }
    }

    /// Refuses a scoped caller any dashboard but its own.
    pub fn check_dashboard(&self, id: &str) -> Result<(), ApiError> {
        match &self.scope {
            Some(scope) if scope.dashboard != id => Err(ApiError::forbidden(
                "wrong_dashboard",
                format!("this link or embed token opens another dashboard, not '{id}'"),
            )),
            _ => Ok(()),
        }
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    /// `None` when the request carries no credentials at all; a bad credential is still refused.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        if parts.headers.get(AUTHORIZATION).is_none() && cookie(&parts.headers, SESSION_COOKIE).is_none() {
            return Ok(None);
        }
        <Self as FromRequestParts<AppState>>::from_request_parts(parts, state).await.map(Some)
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(header) = parts.headers.get(AUTHORIZATION) {
            let value = header.to_str().map_err(|_| AuthError::Invalid)?;
            let token = value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
                .ok_or(AuthError::Missing)?
                .trim();
            return bearer(state, token).await;
        }
        match cookie(&parts.headers, SESSION_COOKIE) {
            Some(session) => from_session(state, &session).await,
            None => Err(AuthError::Missing.into()),
        }
    }
}

/// The value of cookie `name`, if the request sends it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

pub(crate) async fn bearer(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    if token.starts_with(API_KEY_PREFIX) {
        return from_api_key(state, token).await;
    }
    if let Some(token) = token.strip_prefix(EMBED_PREFIX) {
        return from_embed(state, token).await;
    }
    if let Some(token) = token.strip_prefix(SHARE_PREFIX) {
        return from_share_link(state, token).await;
    }
    let mut claims = state.tokens.verify(token)?;
    // The printed sign-in links name a real user (the tenant's demo admin); scripts' tokens may
    // not. For a real user the stored role wins, so a demotion applies to tokens minted before.
    let user = state.store.user(&claims.tenant, &claims.sub).await?;
    if let Some(user) = &user {
        claims.role = user.role;
    }
    let rules = state.store.rules_for(&claims.tenant, claims.role, Some(&claims.sub)).await?;
    Ok(Caller { claims, kind: CallerKind::Token, user_id: user.map(|u| u.id), rules, scope: None })
}

async fn from_session(state: &AppState, session: &str) -> Result<Caller, ApiError> {
    let found = state.store.session_user(session).await?.ok_or(AuthError::SessionEnded)?;
    let user = found.user;
    let rules = state.store.rules_for(&user.tenant, user.role, Some(&user.id)).await?;
    let claims = Claims {
        sub: user.id.clone(),
        tenant: user.tenant,
        role: user.role,
        iat: user.created_at,
        exp: found.expires_at,
    };
    Ok(Caller { claims, kind: CallerKind::Session, user_id: Some(user.id), rules, scope: None })
}

async fn from_api_key(state: &AppState, key: &str) -> Result<Caller, ApiError> {
    let key = state.store.api_key(key).await?.ok_or(AuthError::Invalid)?;
    let rules = state.store.rules_for(&key.tenant, key.role, Some(&key.id)).await?;
    let claims = Claims { sub: key.id, tenant: key.tenant, role: key.role, iat: key.created_at, exp: i64::MAX };
    Ok(Caller { claims, kind: CallerKind::ApiKey, user_id: None, rules, scope: None })
}

async fn from_embed(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let claims: EmbedClaims = state.tokens.verify_scoped(token)?;
    if claims.typ != "embed" {
        return Err(AuthError::Invalid.into());
    }
    // A deleted dashboard takes its embed tokens with it.
    let dashboard = state.store.dashboard(&claims.tenant, &claims.dashboard, None).await?.ok_or(AuthError::Invalid)?;
    Ok(Caller {
        claims: Claims {
            sub: format!("embed:{}", claims.sub),
            tenant: claims.tenant,
            role: Role::Viewer,
            iat: claims.iat,
            exp: claims.exp,
        },
        kind: CallerKind::Embed,
        user_id: None,
        rules: claims.rules,
        scope: Some(DashboardScope {
            dashboard: claims.dashboard,
            tables: dashboard.body.tables(),
            locked_filters: claims.locked_filters,
        }),
    })
}

/// A share-link token as a bearer: only public links of tenants that allow them, checked
/// against the store on every request so that revoking a link ends it at once.
async fn from_share_link(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let claims: ShareClaims = state.tokens.verify_scoped(token)?;
    let link = live_share_link(state, &claims).await?;
    if !link.public {
        return Err(AuthError::SignInRequired.into());
    }
    if !state.store.settings(&link.tenant).await?.allow_public_links {
        return Err(ApiError::forbidden("public_links_disabled", "this tenant does not allow public links"));
    }
    let dashboard = state.store.dashboard(&link.tenant, &link.dashboard, None).await?.ok_or(AuthError::Revoked)?;
    // A public link never shows more than its creator sees, nor more than a viewer sees.
    let creator_role = link.creator_role.unwrap_or(Role::Viewer);
    let mut rules = state.store.rules_for(&link.tenant, creator_role, link.creator_user.as_deref()).await?;
    if creator_role != Role::Viewer {
        rules.extend(state.store.rules_for(&link.tenant, Role::Viewer, None).await?);
    }
    Ok(Caller {
        claims: Claims {
            sub: format!("share:{}", link.id),
            tenant: link.tenant,
            role: Role::Viewer,
            iat: claims.iat,
            exp: link.expires_at,
        },
        kind: CallerKind::ShareLink,
        user_id: None,
        rules,
        scope: Some(DashboardScope {
            dashboard: link.dashboard,
            tables: dashboard.body.tables(),
            locked_filters: vec![],
        }),
    })
}

/// The stored link behind verified claims, if it is still live.
pub(crate) async fn live_share_link(
    state: &AppState,
    claims: &ShareClaims,
) -> Result<crate::store::ShareLinkRecord, ApiError> {
    if claims.typ != "share" {
        return Err(AuthError::Invalid.into());
    }
    let link = state.store.share_link(&claims.link).await?.ok_or(AuthError::Revoked)?;
    if link.tenant != claims.tenant || link.dashboard != claims.dashboard {
        return Err(AuthError::Invalid.into());
    }
    if link.revoked_at.is_some() {
        return Err(AuthError::Revoked.into());
    }
    if link.expires_at <= now() {
        return Err(AuthError::Expired.into());
    }
    Ok(link)
}
