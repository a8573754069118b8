//! API errors and their one conversion to HTTP.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use quiver_shared::error::{ErrorBody, ErrorDetail};

use crate::auth::AuthError;
use crate::ingest::{IngestError, RowError};
use crate::store::StoreError;
use crate::warehouse::WarehouseError;

/// Everything an `/api` handler can answer with instead of success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The caller sent a bad parameter: their input.
    #[error("{message}")]
    BadRequest {
        /// Stable code, e.g. `unknown_column`.
        code: &'static str,
        /// The parameter at fault.
        param: &'static str,
        /// A sentence naming the value and the reason.
        message: String,
    },
    /// A spec (an analysis, a pivot) is wrong at `field` (a path such as `steps[2].event`): the
    /// caller's input.
    #[error("{field}: {reason}")]
    InvalidSpec {
        /// Where in the spec.
        field: String,
        /// Why, in words a user can act on.
        reason: String,
    },
    /// The token is missing, malformed, forged or expired: the caller's input.
    #[error(transparent)]
    Unauthorized(#[from] AuthError),
    /// Nothing of the caller's tenant has this name or id (also what another tenant's partition
    /// looks like): the caller's input.
    #[error("{message}")]
    NotFound {
        /// Stable code, e.g. `unknown_table`.
        code: &'static str,
        /// The path parameter at fault.
        param: &'static str,
        /// A sentence naming what was not found.
        message: String,
    },
    /// The request body is larger than the configured limit: the caller's input.
    #[error("the body is larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body's `Content-Type` is not one the route reads: the caller's input.
    #[error("{message}")]
    UnsupportedMediaType {
        /// The type given and the types accepted.
        message: String,
    },
    /// Rows of an ingest body are invalid; nothing was written: the caller's input.
    #[error("{total} problem(s) in the rows")]
    InvalidRows {
        /// The first problems, by row and field.
        errors: Vec<RowError>,
        /// How many problems in all.
        total: usize,
    },
    /// A field of a JSON body is wrong (`tiles[2].layout.w`, `email`): the caller's input.
    #[error("{field}: {message}")]
    Invalid {
        /// Stable code, e.g. `invalid_email`.
        code: &'static str,
        /// The field at fault, as a path.
        field: String,
        /// A sentence naming the value and the reason.
        message: String,
    },
    /// The caller is known but may not do this (role, tenant setting, scope): the caller's
    /// request.
    #[error("{message}")]
    Forbidden {
        /// Stable code, e.g. `role_required`, `wrong_dashboard`, `locked_filter`.
        code: &'static str,
        /// A sentence saying what is missing.
        message: String,
    },
    /// The request clashes with the stored state (a taken e-mail, a stale version): the
    /// caller's input.
    #[error("{message}")]
    Conflict {
        /// Stable code, e.g. `email_taken`, `version_conflict`.
        code: &'static str,
        /// The field at fault.
        field: String,
        /// A sentence naming the clash.
        message: String,
    },
    /// The caller tried too often (failed sign-ins): the caller's behaviour.
    #[error("{message}")]
    TooManyRequests {
        /// Stable code, e.g. `too_many_attempts`.
        code: &'static str,
        /// A sentence saying when to try again.
        message: String,
    },
    /// Something failed on our side or in the warehouse; the cause is logged under `incident`.
    #[error("internal error {incident}")]
    Internal {
        /// The id under which the cause was logged.
        incident: String,
    },
}

impl ApiError {
    /// A 400 for parameter `param`.
    pub fn bad(code: &'static str, param: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest { code, param, message: message.into() }
    }

    /// A 400 for the body field `field`.
    pub fn invalid(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { code, field: field.into(), message: message.into() }
    }

    /// A 403.
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::Forbidden { code, message: message.into() }
    }

    /// A 404 for the path parameter `param`.
    pub fn not_found(code: &'static str, param: &'static str, message: impl Into<String>) -> Self {
        Self::NotFound { code, param, message: message.into() }
    }

    /// Logs `cause` with a fresh incident id and returns the 500 that shows only the id.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let incident = format!("{:016x}", rand::random::<u64>());
        tracing::error!(%incident, %cause, "internal error");
        Self::Internal { incident }
    }
}

impl From<WarehouseError> for ApiError {
    fn from(e: WarehouseError) -> Self {
        match e {
            WarehouseError::UnknownTable(table) => Self::NotFound {
                code: "unknown_table",
                param: "table",
                message: format!("there is no table '{table}'"),
            },
            WarehouseError::UnknownColumn { table, column } => {
                Self::bad("unknown_column", "columns", format!("table '{table}' has no column '{column}'"))
            }
            WarehouseError::PartitionNotFound(id) => Self::NotFound {
                code: "unknown_partition",
                param: "id",
                message: format!("there is no partition '{id}' in this table"),
            },
            other => Self::internal(other),
        }
    }
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::Malformed(message) => Self::bad("malformed_body", "body", message),
            IngestError::Rows { errors, total } => Self::InvalidRows { errors, total },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Taken(field) => Self::Conflict {
                code: "already_taken",
                field: field.to_owned(),
                message: format!("this {field} is already in use"),
            },
            other => Self::internal(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut rows = None;
        let (status, code, param, message, incident) = match self {
            Self::BadRequest { code, param, message } => {
                (StatusCode::BAD_REQUEST, code, Some(param.to_owned()), message, None)
            }
            Self::InvalidSpec { field, reason } => (StatusCode::BAD_REQUEST, "invalid_spec", Some(field), reason, None),
            Self::Unauthorized(e) => (StatusCode::UNAUTHORIZED, e.code(), None, e.to_string(), None),
            Self::NotFound { code, param, message } => {
                (StatusCode::NOT_FOUND, code, Some(param.to_owned()), message, None)
            }
            Self::PayloadTooLarge { limit } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                Some("body".to_owned()),
                format!("the body is larger than the limit of {limit} bytes; split it into several requests"),
                None,
            ),
            Self::UnsupportedMediaType { message } => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                Some("Content-Type".to_owned()),
                message,
                None,
            ),
            Self::InvalidRows { errors, total } => {
                let message = match errors.first() {
                    Some(first) => format!(
                        "{total} problem(s), nothing was written; first: {}{}{}",
                        first.row.map(|r| format!("row {r}, ")).unwrap_or_default(),
                        first.field.as_ref().map(|f| format!("field '{f}': ")).unwrap_or_default(),
                        first.reason
                    ),
                    None => format!("{total} problem(s), nothing was written"),
                };
                rows = Some((errors, total));
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_rows", Some("body".to_owned()), message, None)
            }
            Self::Invalid { code, field, message } => (StatusCode::BAD_REQUEST, code, Some(field), message, None),
            Self::Forbidden { code, message } => (StatusCode::FORBIDDEN, code, None, message, None),
            Self::Conflict { code, field, message } => (StatusCode::CONFLICT, code, Some(field), message, None),
            Self::TooManyRequests { code, message } => (StatusCode::TOO_MANY_REQUESTS, code, None, message, None),
            Self::Internal { incident } => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                None,
                format!("something went wrong on the server; quote incident {incident} when reporting it"),
                Some(incident),
            ),
        };
        let body = ErrorBody { error: ErrorDetail { code: code.to_owned(), param, message, incident } };
        let Some((errors, total)) = rows else { return (status, Json(body)).into_response() };
        // Row errors extend the usual body: `error.rows` (at most 100) and `error.total`.
        let mut value = serde_json::to_value(body).unwrap_or_default();
        value["error"]["rows"] = serde_json::to_value(errors).unwrap_or_default();
        value["error"]["total"] = total.into();
        (status, Json(value)).into_response()
    }
}
