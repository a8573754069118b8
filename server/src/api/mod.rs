//! The HTTP API under `/api`, and the router that also serves the browser app.

mod analyze;
mod body;
mod catalog;
mod dashboards;
mod embed;
pub(crate) mod params;
mod partitions;
mod rules;
mod session;
mod settings;
mod share;
mod users;

use crate::app_files;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, OriginalUri};
use axum::http::{HeaderName, HeaderValue};
use axum::routing::{delete, get, post};
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
        .merge(tenancy_routes())
        .fallback(unknown_route);
    Router::new()
        .nest("/api", api)
        .route("/embed/{dashboard}", get(embed::page))
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
        // No page may be framed except `/embed/…`, which sets the tenant's own allowlist.
        .layer(SetResponseHeaderLayer::if_not_present(
            axum::http::header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Sign-in, users, API keys, row rules, settings, dashboards, share links, embed tokens.
fn tenancy_routes() -> Router<AppState> {
    Router::new()
        .route("/sign-in", post(session::sign_in))
        .route("/sign-out", post(session::sign_out))
        .route("/me", get(session::me))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", axum::routing::patch(users::update).delete(users::delete))
        .route("/api-keys", get(users::list_keys).post(users::create_key))
        .route("/api-keys/{id}", delete(users::revoke_key))
        .route("/row-rules", get(rules::list).post(rules::create))
        .route("/row-rules/{id}", delete(rules::delete))
        .route("/settings", get(settings::get).put(settings::put))
        .route("/dashboards", get(dashboards::list).post(dashboards::create))
        .route("/dashboards/{id}", get(dashboards::get).put(dashboards::save).delete(dashboards::delete))
        .route("/dashboards/{id}/versions", get(dashboards::versions))
        .route("/dashboards/{id}/duplicate", post(dashboards::duplicate))
        .route("/dashboards/{id}/share-links", get(share::list).post(share::create))
        .route("/dashboards/{id}/share-links/{link}", delete(share::revoke))
        .route("/share/{token}", get(share::open))
        .route("/embed-tokens", post(embed::mint))
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
