//! Demo accounts: an admin, an editor and a viewer per tenant, made by
//! `quiver-server --demo-users` (which `cargo xtask serve` passes) when the store has no user.

use crate::password;
use crate::store::{Store, StoreError, UserRecord};
use quiver_shared::auth::Role;
use quiver_shared::tenant::TenantId;

/// The password of every demo account. Demo data only: the accounts exist only with
/// `--demo-users` on a store without users.
pub const DEMO_PASSWORD: &str = "quiver-demo-password";

/// Creates `admin@<tenant>.test`, `editor@<tenant>.test` and `viewer@<tenant>.test` for each
/// tenant when the store has no user at all; returns the accounts made (none otherwise).
pub async fn seed(store: &Store, tenants: &[TenantId]) -> Result<Vec<UserRecord>, StoreError> {
    if store.user_count().await? > 0 {
        return Ok(Vec::new());
    }
    let hash = tokio::task::spawn_blocking(|| password::hash(DEMO_PASSWORD)).await.expect("hashing does not panic");
    let mut made = Vec::new();
    for tenant in tenants {
        for role in [Role::Admin, Role::Editor, Role::Viewer] {
            let email = format!("{}@{tenant}.test", crate::store::role_name(role));
            made.push(store.create_user(tenant, &email, &hash, role).await?);
        }
    }
    Ok(made)
}
