//! Tenants' settings, users, sessions and API keys.

use super::{Store, StoreError, hash_secret, new_id, new_secret, now, parse_role, role_name, taken};
use quiver_shared::auth::Role;
use quiver_shared::tenant::TenantId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A tenant's settings (defaults when none were saved).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSettings {
    /// Whether share links may be public (opened without an account).
    pub allow_public_links: bool,
    /// Origins allowed to embed the tenant's dashboards in a frame
    /// (`Content-Security-Policy: frame-ancestors`); empty: nobody.
    pub frame_ancestors: Vec<String>,
}

/// A user as the API shows it (never the password hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    /// The user's id.
    pub id: String,
    /// The tenant the user belongs to.
    pub tenant: TenantId,
    /// The sign-in e-mail address (unique over all tenants).
    pub email: String,
    /// The role inside the tenant.
    pub role: Role,
    /// Created, seconds since the Unix epoch.
    pub created_at: i64,
}

/// The user behind a live session.
#[derive(Clone, Debug)]
pub struct SessionUser {
    /// The user.
    pub user: UserRecord,
    /// When the session ends, seconds since the Unix epoch.
    pub expires_at: i64,
}

/// An API key as the API shows it (never the key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    /// The key's id.
    pub id: String,
    /// The tenant it acts in.
    pub tenant: TenantId,
    /// A label for people.
    pub name: String,
    /// The role it acts with.
    pub role: Role,
    /// Created, seconds since the Unix epoch.
    pub created_at: i64,
}

/// A user's stored password hash, for sign-in. `Debug` never shows it.
pub struct PasswordRecord {
    /// The user.
    pub user: UserRecord,
    /// The PHC string (argon2id).
    pub password_hash: String,
}

impl fmt::Debug for PasswordRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordRecord").field("user", &self.user).finish_non_exhaustive()
    }
}

type UserRow = (String, String, String, String, i64);

fn user_from(row: UserRow) -> Result<UserRecord, StoreError> {
    let (id, tenant, email, role, created_at) = row;
    let tenant = TenantId::new(tenant).map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))?;
    Ok(UserRecord { id, tenant, email, role: parse_role(&role), created_at })
}

const USER_COLUMNS: &str = "id, tenant, email, role, created_at";

/// Failed sign-ins allowed per e-mail address within [`SIGN_IN_WINDOW_SECS`].
pub const MAX_SIGN_IN_FAILURES: i64 = 5;
/// The window over which failed sign-ins are counted.
pub const SIGN_IN_WINDOW_SECS: i64 = 15 * 60;

impl Store {
    /// Whether sign-ins for `email` are paused after too many failures in the current window.
    pub async fn sign_in_blocked(&self, email: &str) -> Result<bool, StoreError> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT failures FROM sign_in_failures WHERE email = $1 AND window_start > $2")
                .bind(email)
                .bind(now() - SIGN_IN_WINDOW_SECS)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.is_some_and(|(failures,)| failures >= MAX_SIGN_IN_FAILURES))
    }

    /// Counts a failed sign-in for `email` (starting a new window when the last one is over).
    pub async fn record_sign_in_failure(&self, email: &str) -> Result<(), StoreError> {
        let at = now();
        sqlx::query(
            "INSERT INTO sign_in_failures (email, failures, window_start) VALUES ($1, 1, $2) \
             ON CONFLICT (email) DO UPDATE SET \
             failures = CASE WHEN sign_in_failures.window_start <= $3 THEN 1 ELSE sign_in_failures.failures + 1 END, \
             window_start = CASE WHEN sign_in_failures.window_start <= $3 THEN $2 ELSE sign_in_failures.window_start END",
        )
        .bind(email)
        .bind(at)
        .bind(at - SIGN_IN_WINDOW_SECS)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets the failures of `email` (after a successful sign-in).
    pub async fn clear_sign_in_failures(&self, email: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE email = $1").bind(email).execute(&self.pool).await?;
        Ok(())
    }

    /// The tenant's settings, or the defaults.
    pub async fn settings(&self, tenant: &TenantId) -> Result<TenantSettings, StoreError> {
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT allow_public_links, frame_ancestors FROM tenant_settings WHERE tenant = $1")
                .bind(tenant.as_str())
                .fetch_optional(&self.pool)
                .await?;
        Ok(match row {
            Some((public, ancestors)) => {
                TenantSettings { allow_public_links: public != 0, frame_ancestors: serde_json::from_str(&ancestors)? }
            }
            None => TenantSettings::default(),
        })
    }

    /// Replaces the tenant's settings.
    pub async fn save_settings(&self, tenant: &TenantId, settings: &TenantSettings) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO tenant_settings (tenant, allow_public_links, frame_ancestors) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant) DO UPDATE SET allow_public_links = $2, frame_ancestors = $3",
        )
        .bind(tenant.as_str())
        .bind(i64::from(settings.allow_public_links))
        .bind(serde_json::to_string(&settings.frame_ancestors)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// How many users exist over all tenants.
    pub async fn user_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?.0)
    }

    /// Adds a user; `password_hash` is a PHC string. Fails with [`StoreError::Taken`] when the
    /// e-mail address is in use (in any tenant).
    pub async fn create_user(
        &self,
        tenant: &TenantId,
        email: &str,
        password_hash: &str,
        role: Role,
    ) -> Result<UserRecord, StoreError> {
        let user =
            UserRecord { id: new_id(), tenant: tenant.clone(), email: email.to_owned(), role, created_at: now() };
        sqlx::query(
            "INSERT INTO users (id, tenant, email, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&user.id)
        .bind(tenant.as_str())
        .bind(email)
        .bind(password_hash)
        .bind(role_name(role))
        .bind(user.created_at)
        .execute(&self.pool)
        .await
        .map_err(taken("email"))?;
        Ok(user)
    }

    /// The tenant's users, by e-mail.
    pub async fn users(&self, tenant: &TenantId) -> Result<Vec<UserRecord>, StoreError> {
        let rows: Vec<UserRow> =
            sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE tenant = $1 ORDER BY email"))
                .bind(tenant.as_str())
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(user_from).collect()
    }

    /// One user of the tenant (`None` for an unknown id or another tenant's user).
    pub async fn user(&self, tenant: &TenantId, id: &str) -> Result<Option<UserRecord>, StoreError> {
        let row: Option<UserRow> =
            sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE tenant = $1 AND id = $2"))
                .bind(tenant.as_str())
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(user_from).transpose()
    }

    /// The user with this e-mail address and their password hash, for sign-in.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<PasswordRecord>, StoreError> {
        let row: Option<(String, String, String, String, i64, String)> =
            sqlx::query_as(&format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = $1"))
                .bind(email)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(id, tenant, email, role, created_at, password_hash)| {
            Ok(PasswordRecord { user: user_from((id, tenant, email, role, created_at))?, password_hash })
        })
        .transpose()
    }

    /// Changes a user's role and/or password hash; `false` when the tenant has no such user.
    /// A new password ends the user's sessions.
    pub async fn update_user(
        &self,
        tenant: &TenantId,
        id: &str,
        role: Option<Role>,
        password_hash: Option<&str>,
    ) -> Result<bool, StoreError> {
        if self.user(tenant, id).await?.is_none() {
            return Ok(false);
        }
        let mut tx = self.pool.begin().await?;
        let mut found = true;
        if let Some(role) = role {
            let done = sqlx::query("UPDATE users SET role = $1 WHERE tenant = $2 AND id = $3")
                .bind(role_name(role))
                .bind(tenant.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            found = done.rows_affected() == 1;
        }
        if found && let Some(hash) = password_hash {
            sqlx::query("UPDATE users SET password_hash = $1 WHERE tenant = $2 AND id = $3")
                .bind(hash)
                .bind(tenant.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(found)
    }

    /// Deletes a user with their sessions and personal rules, and revokes the share links they
    /// made (a public link shows what its creator sees, so it cannot outlive them); `false` when
    /// the tenant has no such user.
    pub async fn delete_user(&self, tenant: &TenantId, id: &str) -> Result<bool, StoreError> {
        if self.user(tenant, id).await?.is_none() {
            return Ok(false);
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query(
            "UPDATE share_links SET revoked_at = $1 WHERE tenant = $2 AND creator_user = $3 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(tenant.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM row_rules WHERE tenant = $1 AND subject_user = $2")
            .bind(tenant.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM users WHERE tenant = $1 AND id = $2")
            .bind(tenant.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Starts a session for `user_id` lasting `ttl_secs`; returns the session id to put in the
    /// cookie. Only its hash is stored.
    pub async fn create_session(&self, user_id: &str, ttl_secs: i64) -> Result<String, StoreError> {
        let secret = new_secret();
        let created = now();
        // Sign-ins are rare enough to sweep ended sessions and old failure counts here.
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(created).execute(&self.pool).await?;
        sqlx::query("DELETE FROM sign_in_failures WHERE window_start <= $1")
            .bind(created - SIGN_IN_WINDOW_SECS)
            .execute(&self.pool)
            .await?;
        sqlx::query("INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(hash_secret(&secret))
            .bind(user_id)
            .bind(created)
            .bind(created + ttl_secs)
            .execute(&self.pool)
            .await?;
        Ok(secret)
    }

    /// The user of a live session (`None` when unknown, ended or expired).
    pub async fn session_user(&self, session: &str) -> Result<Option<SessionUser>, StoreError> {
        let row: Option<(String, String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT u.id, u.tenant, u.email, u.role, u.created_at, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > $2",
        )
        .bind(hash_secret(session))
        .bind(now())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(id, tenant, email, role, created_at, expires_at)| {
            Ok(SessionUser { user: user_from((id, tenant, email, role, created_at))?, expires_at })
        })
        .transpose()
    }

    /// Ends a session (nothing happens for an unknown one).
    pub async fn end_session(&self, session: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(hash_secret(session)).execute(&self.pool).await?;
        Ok(())
    }

    /// Creates an API key; returns its record and the key itself (`qk_…`), shown once.
    pub async fn create_api_key(
        &self,
        tenant: &TenantId,
        name: &str,
        role: Role,
        created_by: &str,
    ) -> Result<(ApiKeyRecord, String), StoreError> {
        let key = format!("qk_{}", new_secret());
        let record =
            ApiKeyRecord { id: new_id(), tenant: tenant.clone(), name: name.to_owned(), role, created_at: now() };
        sqlx::query(
            "INSERT INTO api_keys (id, tenant, name, key_hash, role, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&record.id)
        .bind(tenant.as_str())
        .bind(name)
        .bind(hash_secret(&key))
        .bind(role_name(role))
        .bind(created_by)
        .bind(record.created_at)
        .execute(&self.pool)
        .await?;
        Ok((record, key))
    }

    /// The tenant's live API keys.
    pub async fn api_keys(&self, tenant: &TenantId) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT id, name, role, created_at FROM api_keys WHERE tenant = $1 AND revoked_at IS NULL ORDER BY created_at, id",
        )
        .bind(tenant.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, role, created_at)| ApiKeyRecord {
                id,
                tenant: tenant.clone(),
                name,
                role: parse_role(&role),
                created_at,
            })
            .collect())
    }

    /// The live key matching `key` (`None` when unknown or revoked).
    pub async fn api_key(&self, key: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        let row: Option<(String, String, String, String, i64)> = sqlx::query_as(
            "SELECT id, tenant, name, role, created_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash_secret(key))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(id, tenant, name, role, created_at)| {
            let tenant = TenantId::new(tenant).map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))?;
            Ok(ApiKeyRecord { id, tenant, name, role: parse_role(&role), created_at })
        })
        .transpose()
    }

    /// Revokes one of the tenant's keys; `false` when it has no such live key.
    pub async fn revoke_api_key(&self, tenant: &TenantId, id: &str) -> Result<bool, StoreError> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE tenant = $2 AND id = $3 AND revoked_at IS NULL")
                .bind(now())
                .bind(tenant.as_str())
                .bind(id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }
}
