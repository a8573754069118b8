//! Signed bearer tokens: minting and verifying; the extractor every data route uses,
//! [`Caller`], lives in [`crate::access`] and is re-exported here.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use quiver_shared::auth::{Claims, Role};
use quiver_shared::tenant::TenantId;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::fmt;

pub use crate::access::Caller;

/// The HS256 keys tokens are signed with: one for sign-in tokens, and one derived from it for
/// scoped tokens (embed tokens, share links), so that no scoped token ever verifies as a sign-in
/// token. `Debug` never shows them.
#[derive(Clone)]
pub struct TokenKey {
    encoding: EncodingKey,
    decoding: DecodingKey,
    scoped_encoding: EncodingKey,
    scoped_decoding: DecodingKey,
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
    /// Sign-in with an unknown e-mail address or a wrong password (the same answer for both).
    #[error("wrong e-mail address or password")]
    InvalidCredentials,
    /// The session cookie names no live session (signed out, expired, password changed).
    #[error("your session has ended; sign in again")]
    SessionEnded,
    /// The share link was revoked.
    #[error("this link was revoked by its owner")]
    Revoked,
    /// The share link is not public: open it signed in to the dashboard's tenant.
    #[error("sign in to open this link")]
    SignInRequired,
}

impl AuthError {
    /// The stable code in the error body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "token_missing",
            Self::Expired => "token_expired",
            Self::Invalid => "token_invalid",
            Self::InvalidCredentials => "invalid_credentials",
            Self::SessionEnded => "session_ended",
            Self::Revoked => "link_revoked",
            Self::SignInRequired => "sign_in_required",
        }
    }
}

impl TokenKey {
    /// A key from the server secret (at least 32 bytes are expected; see `config`).
    pub fn new(secret: &[u8]) -> Self {
        let mut scoped = Sha256::new();
        scoped.update(b"quiver scoped tokens\0");
        scoped.update(secret);
        let scoped = scoped.finalize();
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            scoped_encoding: EncodingKey::from_secret(&scoped),
            scoped_decoding: DecodingKey::from_secret(&scoped),
        }
    }

    /// Signs scoped-token claims (which must hold an `exp`) with the scoped key.
    pub fn mint_scoped<T: Serialize>(&self, claims: &T) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.scoped_encoding)
            .expect("HS256 signing of plain claims cannot fail")
    }

    /// Verifies a scoped token like [`Self::verify`] does a sign-in token.
    pub fn verify_scoped<T: DeserializeOwned>(&self, token: &str) -> Result<T, AuthError> {
        decode(token, &self.scoped_decoding)
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
        decode(token, &self.decoding)
    }
}

fn decode<T: DeserializeOwned>(token: &str, key: &DecodingKey) -> Result<T, AuthError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp"]);
    jsonwebtoken::decode::<T>(token, key, &validation).map(|d| d.claims).map_err(|e| match e.kind() {
        ErrorKind::ExpiredSignature => AuthError::Expired,
        _ => AuthError::Invalid,
    })
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
    fn scoped_tokens_never_verify_as_sign_in_tokens() {
        let key = TokenKey::new(b"0123456789abcdef0123456789abcdef");
        let acme = TenantId::new("acme").unwrap();
        let now = chrono::Utc::now().timestamp();
        let claims = Claims { sub: "x".into(), tenant: acme.clone(), role: Role::Admin, iat: now, exp: now + 60 };
        let scoped = key.mint_scoped(&claims);
        assert_eq!(key.verify(&scoped), Err(AuthError::Invalid));
        assert_eq!(key.verify_scoped::<Claims>(&key.mint("x", &acme, Role::Admin, 60)), Err(AuthError::Invalid));
        assert_eq!(key.verify_scoped::<Claims>(&scoped).unwrap(), claims);
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = TokenKey::new(b"super-secret-value-super-secret!");
        assert!(!format!("{key:?}").contains("super"));
    }
}
