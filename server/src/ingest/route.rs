//! The HTTP side of ingest: role, media type, size limit, idempotency label, then decoding and
//! the durable append.

use super::BodyFormat;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::live::{Committed, LiveError};
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use quiver_shared::auth::Role;
use sha2::{Digest, Sha256};

/// The request header carrying an idempotency label.
pub(crate) const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Set on an answer repeated for a retried label.
pub(crate) const REPLAYED_HEADER: &str = "idempotent-replayed";

/// The answer of the live routes when the server runs without live data.
pub(crate) fn live_disabled() -> ApiError {
    ApiError::NotFound { code: "live_disabled", param: "path", message: "this server does not accept live data".into() }
}

/// `POST /api/ingest/{table}`.
pub(crate) async fn ingest(
    State(state): State<AppState>,
    caller: Caller,
    Path(table): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let live = state.live.clone().ok_or_else(live_disabled)?;
    if caller.claims.role == Role::Viewer || caller.scope.is_some() {
        return Err(ApiError::Forbidden {
            code: "read_only_role",
            message: "viewers, share links and embed tokens may read but not ingest; use an editor or admin token"
                .into(),
        });
    }
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let format = BodyFormat::from_content_type(content_type).ok_or_else(|| ApiError::UnsupportedMediaType {
        message: format!(
            "Content-Type '{content_type}' is not accepted; send application/x-ndjson (JSON lines) or {}",
            crate::ipc::ARROW_STREAM_MEDIA_TYPE
        ),
    })?;
    let label = match headers.get(IDEMPOTENCY_KEY) {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .filter(|l| !l.is_empty() && l.len() <= 128 && l.bytes().all(|b| b.is_ascii_graphic()))
                .ok_or_else(|| {
                    ApiError::bad("invalid_idempotency_key", "Idempotency-Key", "use 1 to 128 visible ASCII characters")
                })?
                .to_owned(),
        ),
    };
    let limit = live.config().max_body_bytes;
    let too_large = || ApiError::PayloadTooLarge { limit };
    if headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > limit as u64)
    {
        return Err(too_large());
    }
    let body = axum::body::to_bytes(body, limit).await.map_err(|e| {
        if std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>()) {
            too_large()
        } else {
            ApiError::bad("unreadable_body", "body", format!("the body could not be read: {e}"))
        }
    })?;
    let mut hasher = Sha256::new();
    hasher.update(table.as_bytes());
    hasher.update([0]);
    hasher.update(&body);
    let digest = hex::encode(hasher.finalize());
    let tenant = caller.claims.tenant.clone();
    // A retry is answered before decoding: it is the common case after a timeout.
    if let Some(label) = &label
        && let Some(answer) = live.earlier_answer(&tenant, label, &digest).map_err(live_error)?
    {
        return Ok(replayed(answer));
    }
    let meta = live.table(&table).await.ok_or_else(|| ApiError::NotFound {
        code: "unknown_table",
        param: "table",
        message: format!("there is no table '{table}'"),
    })?;
    let schema = meta.schema.clone();
    let decode_tenant = tenant.clone();
    let batch = tokio::task::spawn_blocking(move || super::decode(format, &body, &schema, &decode_tenant))
        .await
        .map_err(ApiError::internal)??;
    // A caller limited by row rules may only write rows it could read.
    let rules = crate::row_rules::rules_for(&caller.rules, &table);
    if !rules.is_empty() {
        let kept = crate::row_rules::restrict(&batch, &rules).map_err(ApiError::internal)?;
        if kept.num_rows() != batch.num_rows() {
            let columns: Vec<&str> = rules.iter().map(|r| r.column.as_str()).collect();
            return Err(ApiError::Forbidden {
                code: "outside_row_rules",
                message: format!(
                    "{} of {} rows fall outside your row rules on {}; nothing was written",
                    batch.num_rows() - kept.num_rows(),
                    batch.num_rows(),
                    columns.join(", ")
                ),
            });
        }
    }
    match live.ingest(&tenant, &table, &meta, label, digest, batch).await.map_err(live_error)? {
        Committed::Accepted(answer) => Ok(Json(answer).into_response()),
        Committed::Replayed(answer) => Ok(replayed(answer)),
    }
}

fn replayed(answer: serde_json::Value) -> Response {
    let mut response = Json(answer).into_response();
    response.headers_mut().insert(HeaderName::from_static(REPLAYED_HEADER), HeaderValue::from_static("true"));
    response
}

fn live_error(e: LiveError) -> ApiError {
    match e {
        LiveError::LabelConflict(label) => ApiError::Conflict {
            code: "idempotency_key_reused",
            field: "Idempotency-Key".to_owned(),
            message: format!("idempotency key '{label}' was already used for a different body; use a new key"),
        },
        other => ApiError::internal(other),
    }
}
