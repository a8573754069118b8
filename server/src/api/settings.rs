//! `GET/PUT /api/settings`: a tenant's sharing settings (public links, embedding origins).

use super::body;
use crate::access::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::TenantSettings;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use quiver_shared::auth::Role;

/// Whether `origin` may stand in a `frame-ancestors` list: `http(s)://host[:port]`, where the
/// host may start with `*.`; nothing that could end the directive or add another.
fn valid_origin(origin: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else { return false };
    let (host, port) = rest.rsplit_once(':').map_or((rest, None), |(h, p)| (h, Some(p)));
    let host = host.strip_prefix("*.").unwrap_or(host);
    matches!(scheme, "http" | "https")
        && !host.is_empty()
        && host.split('.').all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        && port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `GET /api/settings`.
pub(super) async fn get(State(state): State<AppState>, caller: Caller) -> Result<Json<TenantSettings>, ApiError> {
    caller.require(Role::Admin)?;
    Ok(Json(state.store.settings(caller.tenant()).await?))
}

/// `PUT /api/settings` with `{"allow_public_links": bool, "frame_ancestors": ["https://…"]}`.
pub(super) async fn put(
    State(state): State<AppState>,
    caller: Caller,
    bytes: Bytes,
) -> Result<Json<TenantSettings>, ApiError> {
    caller.require(Role::Admin)?;
    let settings: TenantSettings = body::parse(&bytes)?;
    if let Some((i, bad)) = settings.frame_ancestors.iter().enumerate().find(|(_, o)| !valid_origin(o)) {
        return Err(ApiError::invalid(
            "invalid_origin",
            format!("frame_ancestors[{i}]"),
            format!("'{bad}' is not an origin; use e.g. https://console.example.com"),
        ));
    }
    state.store.save_settings(caller.tenant(), &settings).await?;
    Ok(Json(settings))
}

#[cfg(test)]
mod tests {
    #[test]
    fn origins_cannot_inject_directives() {
        for ok in ["https://a.example.com", "http://localhost:8081", "https://*.example.com"] {
            assert!(super::valid_origin(ok), "{ok}");
        }
        for bad in ["*", "https://a.com; script-src *", "https://a.com/path", "javascript://x", "https://", "a.com"] {
            assert!(!super::valid_origin(bad), "{bad}");
        }
    }
}
