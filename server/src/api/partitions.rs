//! Partition manifests and partition streams (Arrow IPC), scoped to the caller's tenant and
//! filtered by the caller's row rules ([`crate::row_rules`]).

use super::params::QueryParams;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::ipc::{self, ARROW_STREAM_MEDIA_TYPE};
use crate::row_rules;
use crate::state::AppState;
use crate::warehouse::DateRange;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use quiver_shared::partition::{PartitionId, PartitionManifest};
use sha2::{Digest, Sha256};

/// The header on a partition stream naming the last live sequence number it includes.
pub(crate) const LIVE_SEQ_HEADER: HeaderName = HeaderName::from_static("x-quiver-live-seq");

/// `GET /api/tables/{table}/partitions?from=&to=`.
pub(super) async fn manifest(
    State(state): State<AppState>,
    caller: Caller,
    Path(table): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<PartitionManifest>, ApiError> {
    caller.check_table(&table)?;
    let params = QueryParams::parse(query.as_deref(), &["from", "to"])?;
    let range = DateRange { from: params.date("from")?, to: params.date("to")? };
    if let (Some(from), Some(to)) = (range.from, range.to)
        && from > to
    {
        return Err(ApiError::bad("invalid_range", "to", format!("'to' ({to}) is before 'from' ({from})")));
    }
    let mut partitions = state.warehouse.partitions(caller.tenant(), &table, range).await?;
    let rules = row_rules::rules_for(&caller.rules, &table);
    if !rules.is_empty() {
        // Row counts (and, in proportion, sizes) are what the caller may read; the version
        // names the rules so that a cached copy never crosses from one set of rules to another.
        let fingerprint = row_rules::fingerprint(&rules);
        for p in &mut partitions {
            let rows = row_rules::count_rows(&*state.warehouse, caller.tenant(), &table, &p.id, &caller.rules)
                .await?
                .unwrap_or(p.rows);
            p.bytes = if p.rows == 0 { 0 } else { (p.bytes as u128 * rows as u128 / p.rows as u128) as u64 };
            p.rows = rows;
            p.version = format!("{}-r{fingerprint}", p.version);
        }
    }
    Ok(Json(PartitionManifest { table, partitions }))
}

/// `GET /api/tables/{table}/partitions/{id}?columns=a,b`: the partition as an Arrow IPC stream.
pub(super) async fn stream(
    State(state): State<AppState>,
    caller: Caller,
    Path((table, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    caller.check_table(&table)?;
    let params = QueryParams::parse(query.as_deref(), &["columns"])?;
    let columns = params.columns("columns")?;
    let partition: PartitionId =
        id.parse().map_err(|e| ApiError::bad("invalid_partition_id", "id", format!("'{id}': {e}")))?;
    let scan =
        row_rules::scan(&*state.warehouse, caller.tenant(), &table, &partition, columns.as_deref(), &caller.rules)
            .await?;

    // The same partition projected differently is a different representation: the ETag covers
    // the version (which names the caller's row rules, if any) and the column list. It is weak because the body is compressed on the fly.
    let projection = columns.as_ref().map_or_else(|| "*".to_owned(), |c| c.join(","));
    let etag = format!("W/\"{}-{}\"", scan.version, hex::encode(&Sha256::digest(projection)[..6]));
    let etag_value = HeaderValue::from_str(&etag).map_err(ApiError::internal)?;
    let cache = HeaderValue::from_static("private, no-cache");
    if if_none_match(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, [(ETAG, etag_value), (CACHE_CONTROL, cache)]).into_response());
    }
    let live_seq = scan.live_seq;
    let body = Body::from_stream(ipc::encode(scan));
    let mut response = (
        [(CONTENT_TYPE, HeaderValue::from_static(ARROW_STREAM_MEDIA_TYPE)), (ETAG, etag_value), (CACHE_CONTROL, cache)],
        body,
    )
        .into_response();
    // Live tables: every pushed row with a sequence number up to this one is in this body.
    if let Some(seq) = live_seq {
        response.headers_mut().insert(LIVE_SEQ_HEADER, HeaderValue::from(seq));
    }
    Ok(response)
}

/// Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 requires for GET).
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    let strip = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let ours = strip(etag);
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || strip(t) == ours)
}
