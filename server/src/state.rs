//! What every request handler shares.

use crate::auth::TokenKey;
use crate::live::Live;
use crate::store::Store;
use crate::warehouse::Warehouse;
use quiver_shared::catalog::TenantInfo;
use quiver_shared::tenant::TenantId;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Shared server state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Where tables come from.
    pub warehouse: Arc<dyn Warehouse>,
    /// Signs and verifies bearer tokens.
    pub tokens: TokenKey,
    /// Display names and time zones of known tenants.
    pub tenants: Arc<BTreeMap<TenantId, TenantInfo>>,
    /// The built browser app (Trunk's `dist`), if any.
    pub app_dir: Option<PathBuf>,
    /// Analyses running at once (`POST /api/analyze`): each holds its tables in memory and a
    /// core busy, so the rest wait their turn.
    pub analyses: Arc<tokio::sync::Semaphore>,
    /// Live data (ingest, the websocket push); `None` serves the warehouse read-only. When set,
    /// `warehouse` is this same `Live`, so reads see hot rows.
    pub live: Option<Arc<Live>>,
    /// Users, sessions, rules, dashboards, share links.
    pub store: Store,
    /// Whether session cookies are `Secure` (the server is reached over https).
    pub secure_cookies: bool,
}

impl AppState {
    /// The tenant's display info, or a plain default (its id, UTC) for tenants without one.
    pub fn tenant_info(&self, id: &TenantId) -> TenantInfo {
        self.tenants.get(id).cloned().unwrap_or_else(|| TenantInfo {
            id: id.clone(),
            name: id.to_string(),
            time_zone: "UTC".to_owned(),
        })
    }
}
