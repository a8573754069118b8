//! Serves the built browser app: hashed files cached for a year, `index.html` never cached, and
//! every unknown path answered with `index.html` so the app's own routes survive a reload.

use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// The fallback handler for every non-API path.
pub async fn serve(State(state): State<AppState>, request: Request) -> Response {
    let Some(dir) = state.app_dir.as_ref().filter(|d| d.join("index.html").is_file()) else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Html("<!doctype html><title>Quiver</title><p>The Quiver app is not built. Run <code>cargo xtask serve</code>.</p>"),
        )
            .into_response();
    };
    let immutable = is_hashed_asset(request.uri().path());
    let service =
        ServeDir::new(dir).precompressed_br().precompressed_gzip().fallback(ServeFile::new(dir.join("index.html")));
    let mut response = match service.oneshot(request).await {
        Ok(r) => r.map(Body::new),
        Err(never) => match never {},
    };
    let cache =
        if immutable && response.status().is_success() { "public, max-age=31536000, immutable" } else { "no-cache" };
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// Trunk names built files `<name>-<16 hex digits>[_bg].<ext>`: their content never changes
/// under the same name, so browsers may keep them for good.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default().trim_end_matches("_bg");
    stem.rsplit_once('-').is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn recognises_trunk_hashed_files_only() {
        assert!(is_hashed_asset("/quiver-app-3f2a1b4c5d6e7f80_bg.wasm"));
        assert!(is_hashed_asset("/quiver-app-3f2a1b4c5d6e7f80.js"));
        assert!(is_hashed_asset("/styles-0123456789abcdef.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/"));
        assert!(!is_hashed_asset("/tables/events"));
        assert!(!is_hashed_asset("/icon.svg"));
    }
}
