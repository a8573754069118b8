//! Signed bearer tokens: minting, verifying, and the extractor every data route uses.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use quiver_shared::auth::{Claims, Role};
use quiver_shared::tenant::TenantId;
use std::fmt;

use crate::error::ApiError;
use crate::state::AppState;

/// The HS256 key tokens are signed with. `Debug` never shows it.
#[derive(Clone)]
pub struct TokenKey {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenKey(<redacted>)")
    }
}

/// Why a request's token was refused. Always the caller's fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization: Bearer` header.
    #[error("sign in first: the request has no 'Authorization: Bearer <token>' header")]
    Missing,
    /// The token has expired.
    #[error("the sign-in token has expired; sign in again")]
    Expired,
    /// The token is malformed, forged, or signed with another key.
    #[error("the sign-in token is not valid")]
    Invalid,
}

impl AuthError {
    /// The stable code in the error body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "token_missing",
            Self::Expired => "token_expired",
            Self::Invalid => "token_invalid",
        }
    }
}

impl TokenKey {
    /// A key from the server secret (at least 32 bytes are expected; see `config`).
    pub fn new(secret: &[u8]) -> Self {
        Self { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret) }
    }

    /// Signs a token for `sub` in `tenant` with `role`, valid for `ttl_secs` from now.
    pub fn mint(&self, sub: &str, tenant: &TenantId, role: Role, ttl_secs: i64) -> String {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims { sub: sub.to_owned(), tenant: tenant.clone(), role, iat: now, exp: now + ttl_secs };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing of plain claims cannot fail")
    }

    /// Verifies signature, algorithm and expiry (no leeway), and returns the claims.
    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp"]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map(|d| d.claims).map_err(|e| {
            match e.kind() {
                ErrorKind::ExpiredSignature => AuthError::Expired,
                _ => AuthError::Invalid,
            }
        })
    }
}

/// The verified caller of a data route. Handlers get the tenant only from here.
#[derive(Debug, Clone)]
pub struct Caller(pub Claims);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(AUTHORIZATION).ok_or(AuthError::Missing)?;
        let value = header.to_str().map_err(|_| AuthError::Invalid)?;
        let token =
            value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).ok_or(AuthError::Missing)?.trim();
        Ok(Self(state.tokens.verify(token)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_accepts_own_tokens_and_refuses_others() {
        let key = TokenKey::new(b"0123456789abcdef0123456789abcdef");
        let acme = TenantId::new("acme").unwrap();
        let token = key.mint("ann", &acme, Role::Viewer, 60);
        assert_eq!(key.verify(&token).unwrap().tenant, acme);

        let other = TokenKey::new(b"another-secret-another-secret-xx");
        assert_eq!(other.verify(&token), Err(AuthError::Invalid));
        assert_eq!(key.verify(&key.mint("ann", &acme, Role::Viewer, -1)), Err(AuthError::Expired));
        assert_eq!(key.verify("not.a.token"), Err(AuthError::Invalid));

        // Flip one character of the payload: the signature no longer matches.
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let last = parts[1].pop().unwrap();
        parts[1].push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(key.verify(&parts.join(".")), Err(AuthError::Invalid));
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = TokenKey::new(b"super-secret-value-super-secret!");
        assert!(!format!("{key:?}").contains("super"));
    }
}
