//! `POST /api/ingest/{table}`: turns a request body (JSON lines or an Arrow IPC stream) into one
//! record batch in the table's schema, or into the list of everything wrong with it.
//!
//! Decoding is all-or-nothing: a body with one bad row yields no batch at all, so a rejected
//! request never writes anything. The tenant column (`tenant_id`) is filled from the token when a
//! row leaves it out, and a row naming another tenant is rejected.

mod arrow;
mod check;
mod json;
pub(crate) mod route;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use quiver_shared::tenant::TenantId;
use serde::{Deserialize, Serialize};

/// The column that names a row's tenant, in every demo table.
pub const TENANT_COLUMN: &str = "tenant_id";

/// Field metadata listing a text column's allowed values, comma-separated (e.g.
/// `quiver.enum = "new,contacted,won"`). Ingest rejects other values.
pub const ENUM_METADATA_KEY: &str = "quiver.enum";

/// At most this many row errors are listed in one answer; `total` counts all of them.
pub const MAX_LISTED_ERRORS: usize = 100;

/// The media types an ingest body may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    /// One JSON object per line (`application/x-ndjson`, `application/json-lines`).
    JsonLines,
    /// An Arrow IPC stream (`application/vnd.apache.arrow.stream`), end-of-stream marker included.
    ArrowStream,
}

impl BodyFormat {
    /// The format of a `Content-Type` value (parameters such as `charset` are ignored).
    pub fn from_content_type(value: &str) -> Option<Self> {
        match value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase().as_str() {
            "application/x-ndjson" | "application/json-lines" | "application/jsonl" => Some(Self::JsonLines),
            crate::ipc::ARROW_STREAM_MEDIA_TYPE => Some(Self::ArrowStream),
            _ => None,
        }
    }
}

/// One thing wrong with an ingest body. Rows are numbered from 1: the line number for JSON lines
/// (blank lines count), the row across all batches for Arrow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// The row, or `None` for a problem of the whole body (e.g. an Arrow column of the wrong type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// The column, when the problem is in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Why, in words a user can act on.
    pub reason: String,
}

/// Why a body was refused. Always the caller's input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    /// The body is not readable as its format at all (not an Arrow stream, truncated, empty).
    #[error("{0}")]
    Malformed(String),
    /// Rows or columns are wrong: the first [`MAX_LISTED_ERRORS`] problems and how many in all.
    #[error("{total} problem(s) in the rows")]
    Rows {
        /// The first problems, in row order.
        errors: Vec<RowError>,
        /// How many problems in all.
        total: usize,
    },
}

impl IngestError {
    fn rows(mut errors: Vec<RowError>) -> Self {
        errors.sort_by_key(|e| e.row);
        let total = errors.len();
        errors.truncate(MAX_LISTED_ERRORS);
        Self::Rows { errors, total }
    }
}

/// Decodes `body` into one batch of `schema` for `tenant`, or says everything wrong with it.
pub fn decode(
    format: BodyFormat,
    body: &[u8],
    schema: &SchemaRef,
    tenant: &TenantId,
) -> Result<RecordBatch, IngestError> {
    match format {
        BodyFormat::JsonLines => json::decode(body, schema, tenant),
        BodyFormat::ArrowStream => arrow::decode(body, schema, tenant),
    }
}
