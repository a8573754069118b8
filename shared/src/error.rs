//! The JSON body of every error the API returns.

use serde::{Deserialize, Serialize};

/// `{"error": {...}}`: the body of every 4xx and 5xx answer from `/api`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error itself.
    pub error: ErrorDetail,
}

/// What went wrong, for people and for programs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// A stable machine-readable code, e.g. `unknown_column`, `token_expired`.
    pub code: String,
    /// The request parameter or field at fault, when there is one (e.g. `columns`, `from`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    /// A sentence for people, naming the value and the reason.
    pub message: String,
    /// For server faults: an id to find the logged cause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
}
