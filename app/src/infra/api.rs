//! Typed calls to the Quiver server's `/api`, sent with the bearer token.
//!
//! Every non-2xx answer becomes an [`ApiError`] carrying the server's own explanation
//! (`shared::error::ErrorBody`), so that the UI can say what went wrong in words.

use super::session::Token;
use chrono::NaiveDate;
use gloo_net::http::{Request, RequestBuilder, Response};
use js_sys::Uint8Array;
use quiver_shared::catalog::Catalog;
use quiver_shared::error::ErrorBody;
use quiver_shared::partition::{PartitionId, PartitionManifest};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, ReadableStreamReadResult};

/// Why a call to the API failed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ApiError {
    /// No answer, or the answer broke off midway (server down, network lost): an outside system.
    Network(String),
    /// The server refused the token (HTTP 401): the user's sign-in link is stale or wrong.
    Unauthorized(AuthFailure),
    /// Any other error status, with the server's explanation when it sent one: the caller's
    /// request (4xx) or the server (5xx).
    Http {
        /// The HTTP status.
        status: u16,
        /// The server's machine-readable code, e.g. `unknown_column`.
        code: Option<String>,
        /// The server's sentence; for bodies that are not an `ErrorBody`, their first line or the
        /// status's reason phrase (possibly empty).
        message: String,
        /// For server faults: the id under which the server logged the cause.
        incident: Option<String>,
    },
    /// A 2xx answer whose body is not what the API promises: the server's bug, or a proxy's.
    BadBody(String),
}

/// Why the server refused the token, from the `code` of its 401 answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AuthFailure {
    /// `token_expired`: the sign-in link is too old.
    Expired,
    /// `token_invalid` (or anything unrecognised): the link is not for this server.
    Invalid,
    /// `token_missing`: no token reached the server.
    Missing,
}

/// `GET /api/catalog`.
pub(crate) async fn catalog(token: &Token) -> Result<Catalog, ApiError> {
    let response = send(Request::get("/api/catalog"), token).await?;
    response.json().await.map_err(|e| ApiError::BadBody(e.to_string()))
}

/// `GET /api/tables/{table}/partitions?from=&to=` (both bounds inclusive and optional).
pub(crate) async fn manifest(
    token: &Token,
    table: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<PartitionManifest, ApiError> {
    let url = format!("/api/tables/{}/partitions", path_segment(table));
    let bounds = [("from", from), ("to", to)];
    let params = bounds.iter().filter_map(|(name, date)| date.map(|d| (*name, d.format("%Y-%m-%d").to_string())));
    let response = send(Request::get(&url).query(params), token).await?;
    response.json().await.map_err(|e| ApiError::BadBody(e.to_string()))
}

/// `GET /api/tables/{table}/partitions/{id}?columns=`: the partition's Arrow IPC stream.
///
/// The body is read chunk by chunk from its `ReadableStream` and `on_bytes` is told the size of
/// each chunk as it arrives, so that the UI can show bytes received during long downloads. The
/// server streams without `Content-Length`, so `size_hint` (the stored size) only pre-sizes the
/// buffer. Returns the bytes and the `x-quiver-live-seq` header: every pushed row up to that
/// sequence number is in them (absent when the server has live data off).
pub(crate) async fn partition(
    token: &Token,
    table: &str,
    id: &PartitionId,
    columns: Option<&[String]>,
    size_hint: usize,
    on_bytes: impl Fn(usize),
) -> Result<(Vec<u8>, Option<u64>), ApiError> {
    let url = format!("/api/tables/{}/partitions/{}", path_segment(table), path_segment(&id.to_string()));
    let mut request = Request::get(&url);
    if let Some(columns) = columns {
        request = request.query([("columns", columns.join(","))]);
    }
    let response = send(request, token).await?;
    let live_seq = response.headers().get("x-quiver-live-seq").and_then(|v| v.trim().parse().ok());
    let Some(body) = response.body() else {
        return Err(ApiError::BadBody(format!("partition {id} came with an empty body")));
    };
    let reader: ReadableStreamDefaultReader = body
        .get_reader()
        .dyn_into()
        .map_err(|_| ApiError::BadBody("the response body cannot be read as a stream".to_owned()))?;
    let mut bytes = Vec::with_capacity(size_hint);
    loop {
        let result: ReadableStreamReadResult = JsFuture::from(reader.read())
            .await
            .map_err(|e| ApiError::Network(format!("the download of partition {id} broke off: {}", js_message(&e))))?
            .unchecked_into();
        if result.get_done().unwrap_or(false) {
            break;
        }
        let chunk: Uint8Array = result
            .get_value()
            .dyn_into()
            .map_err(|_| ApiError::BadBody(format!("partition {id} sent a chunk that is not bytes")))?;
        let start = bytes.len();
        bytes.resize(start + chunk.length() as usize, 0);
        chunk.copy_to(&mut bytes[start..]);
        on_bytes(bytes.len() - start);
    }
    Ok((bytes, live_seq))
}

/// Sends the request with the bearer token (none for the session cookie, which the browser
/// sends itself) and turns error statuses into [`ApiError`]s.
pub(super) async fn send(request: RequestBuilder, token: &Token) -> Result<Response, ApiError> {
    send_json(request, token, None::<&()>).await
}

/// Like [`send`], with a JSON body when `body` is given.
pub(super) async fn send_json<B: serde::Serialize>(
    request: RequestBuilder,
    token: &Token,
    body: Option<&B>,
) -> Result<Response, ApiError> {
    let request = if token.is_cookie() {
        request
    } else {
        request.header("Authorization", &format!("Bearer {}", token.as_str()))
    };
    let sent = match body {
        Some(body) => request.json(body).map_err(|e| ApiError::BadBody(e.to_string()))?.send().await,
        None => request.send().await,
    };
    let response = sent.map_err(|e| ApiError::Network(e.to_string()))?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    // The error body is best effort: a proxy may answer with HTML or nothing at all.
    let text = response.text().await.unwrap_or_default();
    let body = serde_json::from_str::<ErrorBody>(&text).ok().map(|b| b.error);
    if status == 401 {
        let failure = match body.as_ref().map(|d| d.code.as_str()) {
            Some("token_expired") => AuthFailure::Expired,
            Some("token_missing") => AuthFailure::Missing,
            _ => AuthFailure::Invalid,
        };
        return Err(ApiError::Unauthorized(failure));
    }
    Err(match body {
        Some(detail) => {
            ApiError::Http { status, code: Some(detail.code), message: detail.message, incident: detail.incident }
        }
        None => ApiError::Http {
            status,
            code: None,
            message: plain_text(&text).unwrap_or_else(|| reason(status, &response.status_text())),
            incident: None,
        },
    })
}

/// The first line of a plain-text error body, shortened so that it fits the banner. HTML pages
/// (from proxies and static file servers) say nothing useful in their first line and are skipped.
fn plain_text(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    (!line.starts_with('<')).then(|| line.chars().take(200).collect())
}

/// The reason phrase for a status: the server's, or the standard one (HTTP/2 sends none).
fn reason(status: u16, status_text: &str) -> String {
    if !status_text.is_empty() {
        return status_text.to_owned();
    }
    let standard = match status {
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    };
    standard.to_owned()
}

pub(super) fn path_segment(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

fn js_message(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}
