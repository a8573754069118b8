//! Tenant identifiers: the unit of isolation in Quiver.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A tenant's id: lower-case ASCII letters, digits, `_` and `-`, 1 to 63 characters, starting
/// with a letter or digit. The restriction keeps ids safe inside paths and partition ids.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantId(String);

/// Why a string is not a valid [`TenantId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tenant id must be 1-63 characters of a-z, 0-9, '_' or '-', starting with a letter or digit")]
pub struct InvalidTenantId;

impl TenantId {
    /// Validates and wraps a tenant id.
    pub fn new(id: impl Into<String>) -> Result<Self, InvalidTenantId> {
        let id = id.into();
        let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-';
        let first_ok = id.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if first_ok && id.len() <= 63 && id.chars().all(ok_char) { Ok(Self(id)) } else { Err(InvalidTenantId) }
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TenantId {
    type Error = InvalidTenantId;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<TenantId> for String {
    fn from(value: TenantId) -> Self {
        value.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_slugs_and_rejects_path_tricks() {
        for ok in ["acme", "a", "nimbus-cloud", "t_1", "9lives"] {
            assert!(TenantId::new(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Acme", "../etc", "a/b", "a.b", "-x", "_x", &"x".repeat(64), "ä"] {
            assert!(TenantId::new(bad).is_err(), "{bad}");
        }
    }
}
