//! The HTTP API under `/api`, and the router that also serves the browser app.

mod analyze;
mod catalog;
pub(crate) mod params;
mod partitions;

use crate::app_files;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, OriginalUri};
use axum::http::{HeaderName, HeaderValue};
use axum::routing::{get, post};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// The whole server as one router: `/api/*` and, for every other path, the browser app.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(health))
        .route("/catalog", get(catalog::get_catalog))
        .route("/tables/{table}/partitions", get(partitions::manifest))
        .route("/tables/{table}/partitions/{id}", get(partitions::stream))
        .route("/analyze", post(analyze::analyze))
        // The ingest route enforces its own, configurable body limit (413).
        .route("/ingest/{table}", post(crate::ingest::route::ingest).layer(DefaultBodyLimit::disable()))
        .route("/live", get(crate::live::socket::connect))
        .fallback(unknown_route);
    Router::new()
        .nest("/api", api)
        .fallback(app_files::serve)
        // Level 4 compresses Arrow IPC about as well as level 9 at a fraction of the CPU, which
        // matters because partitions are compressed on the fly while they stream.
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        // Sign-in links carry a token in the URL until the app removes it: never leak it
        // through the Referer header.
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn health() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

async fn unknown_route(OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::NotFound {
        code: "unknown_route",
        param: "path",
        message: format!("there is no API route {}", uri.path()),
    }
}
