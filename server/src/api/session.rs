//! Sign-in with e-mail and password, sign-out, and `GET /api/me`.
//!
//! A sign-in sets an HttpOnly, SameSite=Lax session cookie (Secure when the server is reached
//! over https) holding a random session id; the store keeps only its hash. SameSite=Lax keeps
//! other sites' forms from posting with the cookie; every write also needs a JSON body.

use super::body;
use crate::access::{Caller, CallerKind, DashboardScope, SESSION_COOKIE, cookie};
use crate::auth::AuthError;
use crate::error::ApiError;
use crate::password;
use crate::row_rules::RowRule;
use crate::state::AppState;
use crate::store::UserRecord;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use quiver_shared::auth::Role;
use quiver_shared::tenant::TenantId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How long a session lasts.
pub(crate) const SESSION_TTL_SECS: i64 = 12 * 3600;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    email: String,
    password: String,
}

impl fmt::Debug for SignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignIn").field("email", &self.email).finish_non_exhaustive()
    }
}

/// The answer to a sign-in.
#[derive(Debug, Serialize)]
struct SignedIn {
    user: UserRecord,
    expires_at: i64,
}

fn session_cookie(state: &AppState, value: &str, max_age: i64) -> Result<HeaderValue, ApiError> {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .map_err(ApiError::internal)
}

/// `POST /api/sign-in` with `{"email": …, "password": …}`.
pub(super) async fn sign_in(State(state): State<AppState>, bytes: Bytes) -> Result<Response, ApiError> {
    let request: SignIn = body::parse(&bytes)?;
    let email = request.email.trim().to_lowercase();
    // Unknown addresses are counted too, so a pause says nothing about whether one exists.
    if state.store.sign_in_blocked(&email).await? {
        return Err(ApiError::TooManyRequests {
            code: "too_many_attempts",
            message: format!(
                "too many failed sign-ins for this address; try again in {} minutes",
                crate::store::SIGN_IN_WINDOW_SECS / 60
            ),
        });
    }
    let found = state.store.user_by_email(&email).await?;
    let hash = found.as_ref().map(|f| f.password_hash.clone());
    // An unknown e-mail costs the same hashing as a wrong password, and answers the same.
    let ok = tokio::task::spawn_blocking(move || password::verify(&request.password, hash.as_deref()))
        .await
        .map_err(ApiError::internal)?;
    let Some(found) = found.filter(|_| ok) else {
        tracing::info!(%email, "sign-in refused");
        state.store.record_sign_in_failure(&email).await?;
        return Err(AuthError::InvalidCredentials.into());
    };
    state.store.clear_sign_in_failures(&email).await?;
    let session = state.store.create_session(&found.user.id, SESSION_TTL_SECS).await?;
    let cookie = session_cookie(&state, &session, SESSION_TTL_SECS)?;
    let expires_at = crate::store::now() + SESSION_TTL_SECS;
    Ok(([(SET_COOKIE, cookie)], Json(SignedIn { user: found.user, expires_at })).into_response())
}

/// `POST /api/sign-out`: ends the cookie's session (if any) and clears the cookie.
pub(super) async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(session) = cookie(&headers, SESSION_COOKIE) {
        state.store.end_session(&session).await?;
    }
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, session_cookie(&state, "", 0)?)]).into_response())
}

/// The answer of `GET /api/me`.
#[derive(Debug, Serialize)]
pub(super) struct Me {
    kind: CallerKind,
    tenant: TenantId,
    role: Role,
    subject: String,
    user: Option<UserRecord>,
    expires_at: i64,
    rules: Vec<RowRule>,
    scope: Option<DashboardScope>,
}

/// `GET /api/me`: who the request's credentials stand for, with their row rules and scope.
pub(super) async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<Me>, ApiError> {
    let user = match &caller.user_id {
        Some(id) => state.store.user(caller.tenant(), id).await?,
        None => None,
    };
    Ok(Json(Me {
        kind: caller.kind,
        tenant: caller.claims.tenant,
        role: caller.claims.role,
        subject: caller.claims.sub,
        user,
        expires_at: caller.claims.exp,
        rules: caller.rules,
        scope: caller.scope,
    }))
}
