//! Row-level rules, per role or per user of a tenant.

use super::{Store, StoreError, new_id, now, parse_role, role_name};
use crate::row_rules::RowRule;
use quiver_shared::auth::Role;
use quiver_shared::tenant::TenantId;
use serde::{Deserialize, Serialize};

/// Whom a rule restricts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleSubject {
    /// Everyone with this role in the tenant.
    Role(Role),
    /// One user (by id).
    User(String),
}

/// A stored rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleRecord {
    /// The rule's id.
    pub id: String,
    /// Whom it restricts.
    pub subject: RuleSubject,
    /// What it allows.
    #[serde(flatten)]
    pub rule: RowRule,
    /// Created, seconds since the Unix epoch.
    pub created_at: i64,
}

type RuleRow = (String, Option<String>, Option<String>, String, String, String, i64);

fn record_from(row: RuleRow) -> Result<RuleRecord, StoreError> {
    let (id, role, user, table, column, values, created_at) = row;
    let subject = match (role, user) {
        (_, Some(user)) => RuleSubject::User(user),
        (Some(role), None) => RuleSubject::Role(parse_role(&role)),
        (None, None) => {
            return Err(StoreError::Database(sqlx::Error::Protocol(format!("row rule {id} has no subject"))));
        }
    };
    Ok(RuleRecord { id, subject, rule: RowRule { table, column, values: serde_json::from_str(&values)? }, created_at })
}

const RULE_COLUMNS: &str = "id, subject_role, subject_user, table_name, column_name, rule_values, created_at";

impl Store {
    /// Adds a rule to the tenant.
    pub async fn create_rule(
        &self,
        tenant: &TenantId,
        subject: RuleSubject,
        rule: RowRule,
    ) -> Result<RuleRecord, StoreError> {
        let record = RuleRecord { id: new_id(), subject, rule, created_at: now() };
        let (role, user) = match &record.subject {
            RuleSubject::Role(role) => (Some(role_name(*role)), None),
            RuleSubject::User(user) => (None, Some(user.as_str())),
        };
        sqlx::query(&format!("INSERT INTO row_rules (tenant, {RULE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"))
            .bind(tenant.as_str())
            .bind(&record.id)
            .bind(role)
            .bind(user)
            .bind(&record.rule.table)
            .bind(&record.rule.column)
            .bind(serde_json::to_string(&record.rule.values)?)
            .bind(record.created_at)
            .execute(&self.pool)
            .await?;
        Ok(record)
    }

    /// The tenant's rules, oldest first.
    pub async fn rules(&self, tenant: &TenantId) -> Result<Vec<RuleRecord>, StoreError> {
        let rows: Vec<RuleRow> =
            sqlx::query_as(&format!("SELECT {RULE_COLUMNS} FROM row_rules WHERE tenant = $1 ORDER BY created_at, id"))
                .bind(tenant.as_str())
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(record_from).collect()
    }

    /// The rules that apply to someone with `role` and, if known, user id `user`.
    pub async fn rules_for(
        &self,
        tenant: &TenantId,
        role: Role,
        user: Option<&str>,
    ) -> Result<Vec<RowRule>, StoreError> {
        let rows: Vec<RuleRow> = sqlx::query_as(&format!(
            "SELECT {RULE_COLUMNS} FROM row_rules WHERE tenant = $1 AND (subject_role = $2 OR subject_user = $3) \
             ORDER BY created_at, id"
        ))
        .bind(tenant.as_str())
        .bind(role_name(role))
        // An empty id matches no user: ids are never empty.
        .bind(user.unwrap_or_default())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|row| record_from(row).map(|r| r.rule)).collect()
    }

    /// Deletes one of the tenant's rules; `false` when it has no such rule.
    pub async fn delete_rule(&self, tenant: &TenantId, id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM row_rules WHERE tenant = $1 AND id = $2")
            .bind(tenant.as_str())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
