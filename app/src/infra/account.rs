//! Sign-in with e-mail and password, sign-out, and `GET /api/me`.

use super::api::{ApiError, send, send_json};
use super::session::Token;
use gloo_net::http::Request;
use serde::{Deserialize, Serialize};

/// The user behind a session, as `GET /api/me` shows it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub(crate) struct User {
    /// The user's id.
    pub(crate) id: String,
    /// The sign-in e-mail address.
    pub(crate) email: String,
}

/// Who the credentials stand for (`GET /api/me`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub(crate) struct Me {
    /// `token`, `session`, `api_key`, `embed` or `share_link`.
    pub(crate) kind: String,
    /// The tenant's id.
    pub(crate) tenant: String,
    /// `viewer`, `editor` or `admin`.
    pub(crate) role: String,
    /// The user, for sessions and sign-in tokens naming one.
    #[serde(default)]
    pub(crate) user: Option<User>,
    /// When the credentials stop working, seconds since the Unix epoch.
    pub(crate) expires_at: i64,
}

impl Me {
    /// Whether the role may save dashboards.
    pub(crate) fn can_edit(&self) -> bool {
        matches!(self.role.as_str(), "editor" | "admin") && !matches!(self.kind.as_str(), "embed" | "share_link")
    }
}

#[derive(Serialize)]
struct SignIn<'a> {
    email: &'a str,
    password: &'a str,
}

/// `POST /api/sign-in`: on success the server has set the HttpOnly session cookie.
pub(crate) async fn sign_in(email: &str, password: &str) -> Result<(), ApiError> {
    send_json(Request::post("/api/sign-in"), &Token::cookie(), Some(&SignIn { email, password })).await?;
    Ok(())
}

/// `POST /api/sign-out`: ends the session and clears the cookie.
pub(crate) async fn sign_out() -> Result<(), ApiError> {
    send(Request::post("/api/sign-out"), &Token::cookie()).await?;
    Ok(())
}

/// `GET /api/me`.
pub(crate) async fn me(token: &Token) -> Result<Me, ApiError> {
    let response = send(Request::get("/api/me"), token).await?;
    response.json().await.map_err(|e| ApiError::BadBody(e.to_string()))
}
