//! Tokens that open one dashboard only: embed tokens (`qe_…`, minted for a tenant's backend)
//! and share links (`qs_…`). Both are JWTs signed with the scoped key (see
//! [`crate::auth::TokenKey`]), so neither can pass for a sign-in token, and the prefix tells the
//! [`crate::auth::Caller`] extractor which one it holds.

use crate::row_rules::RowRule;
use quiver_shared::dashboard::DimensionFilter;
use quiver_shared::tenant::TenantId;
use serde::{Deserialize, Serialize};

/// The prefix of embed tokens.
pub const EMBED_PREFIX: &str = "qe_";
/// The prefix of share-link tokens.
pub const SHARE_PREFIX: &str = "qs_";
/// The prefix of API keys.
pub const API_KEY_PREFIX: &str = "qk_";
/// The longest an embed token may live: the host mints fresh ones before expiry.
pub const MAX_EMBED_TTL_SECS: i64 = 3600;

/// What an embed token carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbedClaims {
    /// Always `"embed"`.
    pub typ: String,
    /// The API key that minted it.
    pub sub: String,
    /// The tenant.
    pub tenant: TenantId,
    /// The only dashboard it opens.
    pub dashboard: String,
    /// Row rules on every data route (the host's, the key's role's, and the locked filters').
    pub rules: Vec<RowRule>,
    /// Filters the embedded page shows fixed and no request may change.
    pub locked_filters: Vec<DimensionFilter>,
    /// Issued, seconds since the Unix epoch.
    pub iat: i64,
    /// Expiry, seconds since the Unix epoch.
    pub exp: i64,
}

/// What a share-link token carries; the link itself (filters, public, revoked) is in the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareClaims {
    /// Always `"share"`.
    pub typ: String,
    /// The link's id.
    pub link: String,
    /// The tenant.
    pub tenant: TenantId,
    /// The dashboard it opens.
    pub dashboard: String,
    /// Issued, seconds since the Unix epoch.
    pub iat: i64,
    /// Expiry, seconds since the Unix epoch.
    pub exp: i64,
}
