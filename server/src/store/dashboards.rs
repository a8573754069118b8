//! Dashboards with their version history, and share links.

use super::{Store, StoreError, new_id, now, parse_role, role_name};
use quiver_shared::auth::Role;
use quiver_shared::dashboard::{DashboardBody, DashboardFilters};
use quiver_shared::tenant::TenantId;
use serde::{Deserialize, Serialize};

/// A dashboard at one version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardRecord {
    /// The dashboard's id.
    pub id: String,
    /// Its version, from 1; every save adds one.
    pub version: i64,
    /// Who saved this version (a user id, an API key id or a token's subject).
    pub saved_by: String,
    /// When, seconds since the Unix epoch.
    pub saved_at: i64,
    /// What it holds.
    #[serde(flatten)]
    pub body: DashboardBody,
}

/// What became of a save.
#[derive(Clone, Debug, PartialEq)]
pub enum SaveOutcome {
    /// Saved as this version.
    Saved(DashboardRecord),
    /// The tenant has no such dashboard.
    Missing,
    /// The save was based on an older version than the latest, `latest`; nothing was saved.
    Stale {
        /// The latest version.
        latest: i64,
    },
}

/// A line of the dashboard list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardSummary {
    /// The dashboard's id.
    pub id: String,
    /// The latest title.
    pub title: String,
    /// The latest version.
    pub version: i64,
    /// Last saved, seconds since the Unix epoch.
    pub updated_at: i64,
}

/// A line of a dashboard's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionSummary {
    /// The version.
    pub version: i64,
    /// Its title.
    pub title: String,
    /// Who saved it.
    pub saved_by: String,
    /// When, seconds since the Unix epoch.
    pub saved_at: i64,
}

/// A share link as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShareLinkRecord {
    /// The link's id.
    pub id: String,
    /// The tenant.
    pub tenant: TenantId,
    /// The dashboard it opens.
    pub dashboard: String,
    /// The filter state it opens with.
    pub filters: DashboardFilters,
    /// Whether it works without an account.
    pub public: bool,
    /// Who made it.
    pub created_by: String,
    /// The user who made it, when a user did: a public link never shows more rows than they see.
    #[serde(skip)]
    pub creator_user: Option<String>,
    /// The role it was made with.
    #[serde(skip)]
    pub creator_role: Option<Role>,
    /// Made, seconds since the Unix epoch.
    pub created_at: i64,
    /// Stops working, seconds since the Unix epoch.
    pub expires_at: i64,
    /// Revoked, seconds since the Unix epoch.
    pub revoked_at: Option<i64>,
}

impl Store {
    /// Saves a new dashboard as version 1.
    pub async fn create_dashboard(
        &self,
        tenant: &TenantId,
        body: &DashboardBody,
        by: &str,
    ) -> Result<DashboardRecord, StoreError> {
        let id = new_id();
        let at = now();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO dashboards (id, tenant, title, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, 1, $4, $5, $5)",
        )
        .bind(&id)
        .bind(tenant.as_str())
        .bind(&body.title)
        .bind(by)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO dashboard_versions (dashboard_id, version, body, saved_by, saved_at) VALUES ($1, 1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(serde_json::to_string(body)?)
        .bind(by)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(DashboardRecord { id, version: 1, saved_by: by.to_owned(), saved_at: at, body: body.clone() })
    }

    /// Saves `body` as the next version, unless `base` is given and is not the latest.
    pub async fn save_dashboard(
        &self,
        tenant: &TenantId,
        id: &str,
        body: &DashboardBody,
        base: Option<i64>,
        by: &str,
    ) -> Result<SaveOutcome, StoreError> {
        let at = now();
        let mut tx = self.pool.begin().await?;
        // Bumping the version first takes the row's write lock, so two saves cannot both
        // become the same version.
        let bumped: Option<(i64,)> = sqlx::query_as(
            "UPDATE dashboards SET version = version + 1, title = $1, updated_at = $2 \
             WHERE tenant = $3 AND id = $4 RETURNING version",
        )
        .bind(&body.title)
        .bind(at)
        .bind(tenant.as_str())
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((version,)) = bumped else { return Ok(SaveOutcome::Missing) };
        if let Some(base) = base
            && base != version - 1
        {
            tx.rollback().await?;
            return Ok(SaveOutcome::Stale { latest: version - 1 });
        }
        sqlx::query(
            "INSERT INTO dashboard_versions (dashboard_id, version, body, saved_by, saved_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(version)
        .bind(serde_json::to_string(body)?)
        .bind(by)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(SaveOutcome::Saved(DashboardRecord {
            id: id.to_owned(),
            version,
            saved_by: by.to_owned(),
            saved_at: at,
            body: body.clone(),
        }))
    }

    /// The tenant's dashboards, most recently saved first.
    pub async fn dashboards(&self, tenant: &TenantId) -> Result<Vec<DashboardSummary>, StoreError> {
        let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT id, title, version, updated_at FROM dashboards WHERE tenant = $1 ORDER BY updated_at DESC, id",
        )
        .bind(tenant.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, title, version, updated_at)| DashboardSummary { id, title, version, updated_at })
            .collect())
    }

    /// One of the tenant's dashboards at `version` (the latest when `None`).
    pub async fn dashboard(
        &self,
        tenant: &TenantId,
        id: &str,
        version: Option<i64>,
    ) -> Result<Option<DashboardRecord>, StoreError> {
        let row: Option<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT v.version, v.body, v.saved_by, v.saved_at FROM dashboards d \
             JOIN dashboard_versions v ON v.dashboard_id = d.id \
             WHERE d.tenant = $1 AND d.id = $2 AND v.version = COALESCE($3, d.version)",
        )
        .bind(tenant.as_str())
        .bind(id)
        .bind(version)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(version, body, saved_by, saved_at)| {
            Ok(DashboardRecord { id: id.to_owned(), version, saved_by, saved_at, body: serde_json::from_str(&body)? })
        })
        .transpose()
    }

    /// The tenant that owns a dashboard (for `/embed/{dashboard}`, which is opened without one).
    pub async fn dashboard_tenant(&self, id: &str) -> Result<Option<TenantId>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT tenant FROM dashboards WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        Ok(row.and_then(|(t,)| TenantId::new(t).ok()))
    }

    /// A dashboard's history, newest first (`None` when the tenant has no such dashboard).
    pub async fn dashboard_versions(
        &self,
        tenant: &TenantId,
        id: &str,
    ) -> Result<Option<Vec<VersionSummary>>, StoreError> {
        if self.dashboard_tenant(id).await?.as_ref() != Some(tenant) {
            return Ok(None);
        }
        let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT version, body, saved_by, saved_at FROM dashboard_versions WHERE dashboard_id = $1 ORDER BY version DESC",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(version, body, saved_by, saved_at)| {
                let body: DashboardBody = serde_json::from_str(&body)?;
                Ok(VersionSummary { version, title: body.title, saved_by, saved_at })
            })
            .collect::<Result<Vec<_>, StoreError>>()
            .map(Some)
    }

    /// Deletes a dashboard with its history and share links; `false` when the tenant has none.
    pub async fn delete_dashboard(&self, tenant: &TenantId, id: &str) -> Result<bool, StoreError> {
        if self.dashboard_tenant(id).await?.as_ref() != Some(tenant) {
            return Ok(false);
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM share_links WHERE dashboard_id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM dashboard_versions WHERE dashboard_id = $1").bind(id).execute(&mut *tx).await?;
        let done = sqlx::query("DELETE FROM dashboards WHERE tenant = $1 AND id = $2")
            .bind(tenant.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a share link.
    pub async fn create_share_link(&self, link: &ShareLinkRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO share_links (id, tenant, dashboard_id, filters, public, created_by, creator_user, \
             creator_role, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&link.id)
        .bind(link.tenant.as_str())
        .bind(&link.dashboard)
        .bind(serde_json::to_string(&link.filters)?)
        .bind(i64::from(link.public))
        .bind(&link.created_by)
        .bind(link.creator_user.as_deref())
        .bind(role_name(link.creator_role.unwrap_or(Role::Viewer)))
        .bind(link.created_at)
        .bind(link.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// One share link, whatever its state (`None` when unknown).
    pub async fn share_link(&self, id: &str) -> Result<Option<ShareLinkRecord>, StoreError> {
        type Row = (String, String, String, String, i64, String, Option<String>, String, i64, i64, Option<i64>);
        let row: Option<Row> = sqlx::query_as(
            "SELECT id, tenant, dashboard_id, filters, public, created_by, creator_user, creator_role, created_at, \
             expires_at, revoked_at FROM share_links WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some((
            id,
            tenant,
            dashboard,
            filters,
            public,
            created_by,
            creator_user,
            role,
            created_at,
            expires_at,
            revoked_at,
        )) = row
        else {
            return Ok(None);
        };
        let Ok(tenant) = TenantId::new(tenant) else { return Ok(None) };
        Ok(Some(ShareLinkRecord {
            id,
            tenant,
            dashboard,
            filters: serde_json::from_str(&filters)?,
            public: public != 0,
            created_by,
            creator_user,
            creator_role: Some(parse_role(&role)),
            created_at,
            expires_at,
            revoked_at,
        }))
    }

    /// A dashboard's share links, newest first.
    pub async fn share_links(&self, tenant: &TenantId, dashboard: &str) -> Result<Vec<ShareLinkRecord>, StoreError> {
        let ids: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM share_links WHERE tenant = $1 AND dashboard_id = $2 ORDER BY created_at DESC, id",
        )
        .bind(tenant.as_str())
        .bind(dashboard)
        .fetch_all(&self.pool)
        .await?;
        let mut links = Vec::new();
        for (id,) in ids {
            links.extend(self.share_link(&id).await?);
        }
        Ok(links)
    }

    /// Revokes a share link of the tenant's dashboard; `false` when there is no such live link.
    pub async fn revoke_share_link(&self, tenant: &TenantId, dashboard: &str, id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE share_links SET revoked_at = $1 WHERE tenant = $2 AND dashboard_id = $3 AND id = $4 \
             AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(tenant.as_str())
        .bind(dashboard)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
