//! Claims carried by Quiver's signed bearer tokens.

use crate::tenant::TenantId;
use serde::{Deserialize, Serialize};

/// What a signed-in user may do inside their tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages users and settings, and may do everything an editor may.
    Admin,
    /// Builds and saves dashboards.
    Editor,
    /// Reads dashboards and data.
    Viewer,
}

/// The claims of a Quiver token (JWT, HS256). The tenant is the security boundary: every data
/// route serves only rows of `tenant`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Who the token was issued to (a user id or e-mail).
    pub sub: String,
    /// The tenant whose data the token may read.
    pub tenant: TenantId,
    /// The role inside that tenant.
    pub role: Role,
    /// Issued at, seconds since the Unix epoch.
    pub iat: i64,
    /// Expiry, seconds since the Unix epoch.
    pub exp: i64,
}
