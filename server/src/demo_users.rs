//! Demo accounts, made by `quiver-server --demo-users` (which `cargo xtask serve` passes) when
//! the store has no user: an admin, an editor and a viewer per tenant, and, where the tenant has
//! sales data, `rep@<tenant>.test`, a viewer who sees only the leads (and lead events) of one
//! sales rep, through user row rules.

use crate::password;
use crate::row_rules::RowRule;
use crate::store::{RuleSubject, Store, StoreError, UserRecord};
use crate::warehouse::{DateRange, Warehouse, WarehouseError};
use arrow_array::Int64Array;
use futures::StreamExt;
use quiver_shared::auth::Role;
use quiver_shared::tenant::TenantId;

/// The password of every demo account. Demo data only: the accounts exist only with
/// `--demo-users` on a store without users.
pub const DEMO_PASSWORD: &str = "quiver-demo-password";

/// Why seeding failed: the store or the warehouse (outside systems).
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The metadata store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading the reps failed.
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
}

/// A demo account made, with the rules it was given.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// The user.
    pub user: UserRecord,
    /// Its personal row rules.
    pub rules: Vec<RowRule>,
}

/// Creates the demo accounts of `tenants` when the store has no user at all; returns those made
/// (none otherwise).
pub async fn seed(
    store: &Store,
    warehouse: &dyn Warehouse,
    tenants: &[TenantId],
) -> Result<Vec<DemoAccount>, SeedError> {
    if store.user_count().await? > 0 {
        return Ok(Vec::new());
    }
    let hash = tokio::task::spawn_blocking(|| password::hash(DEMO_PASSWORD)).await.expect("hashing does not panic");
    let mut made = Vec::new();
    for tenant in tenants {
        for role in [Role::Admin, Role::Editor, Role::Viewer] {
            let email = format!("{}@{tenant}.test", crate::store::role_name(role));
            made.push(DemoAccount { user: store.create_user(tenant, &email, &hash, role).await?, rules: Vec::new() });
        }
        if let Some(rep) = first_rep(warehouse, tenant).await? {
            let user = store.create_user(tenant, &format!("rep@{tenant}.test"), &hash, Role::Viewer).await?;
            let tables = warehouse.tables(tenant).await?;
            let mut rules = Vec::new();
            for (table, column) in [("leads", "owner_rep_id"), ("lead_events", "rep_id")] {
                if tables.iter().any(|t| t.name == table && t.columns.iter().any(|c| c.name == column)) {
                    let rule = RowRule { table: table.to_owned(), column: column.to_owned(), values: vec![rep.into()] };
                    store.create_rule(tenant, RuleSubject::User(user.id.clone()), rule.clone()).await?;
                    rules.push(rule);
                }
            }
            made.push(DemoAccount { user, rules });
        }
    }
    Ok(made)
}

/// The first `rep_id` of the tenant's `reps` table, if it has one.
async fn first_rep(warehouse: &dyn Warehouse, tenant: &TenantId) -> Result<Option<i64>, WarehouseError> {
    let tables = warehouse.tables(tenant).await?;
    let has_reps = tables.iter().any(|t| t.name == "reps" && t.columns.iter().any(|c| c.name == "rep_id"));
    let has_leads = tables.iter().any(|t| t.name == "leads");
    if !has_reps || !has_leads {
        return Ok(None);
    }
    for partition in warehouse.partitions(tenant, "reps", DateRange::default()).await? {
        let columns = ["rep_id".to_owned()];
        let mut scan = warehouse.scan(tenant, "reps", &partition.id, Some(&columns)).await?;
        while let Some(batch) = scan.batches.next().await {
            let batch = batch?;
            let ids = batch.column(0).as_any().downcast_ref::<Int64Array>();
            if let Some(id) = ids.and_then(|ids| ids.iter().flatten().next()) {
                return Ok(Some(id));
            }
        }
    }
    Ok(None)
}
