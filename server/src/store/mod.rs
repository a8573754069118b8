//! The metadata store: tenants' settings, users, sessions, API keys, row-level rules,
//! dashboards and share links, in SQLite (the default, `<data>/quiver.db`) or PostgreSQL.
//!
//! One type, [`Store`], over sqlx's `Any` driver: the queries are written once in the SQL both
//! backends accept (`$1` placeholders, `BIGINT` times and flags, JSON as text), and each backend
//! has its own migrations under `server/migrations/<backend>/`. Every query names the tenant it
//! reads or writes; no method returns another tenant's record.

mod accounts;
mod dashboards;
mod rules;

pub use accounts::{
    ApiKeyRecord, MAX_SIGN_IN_FAILURES, PasswordRecord, SIGN_IN_WINDOW_SECS, SessionUser, TenantSettings, UserRecord,
};
pub use dashboards::{DashboardRecord, DashboardSummary, SaveOutcome, ShareLinkRecord, VersionSummary};
pub use rules::{RuleRecord, RuleSubject};

use quiver_shared::auth::Role;
use sha2::{Digest, Sha256};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use std::fmt;
use std::path::Path;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Errors from the store, each saying whose fault it is.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique value (an e-mail address) is taken: the caller's input.
    #[error("{0} is already taken")]
    Taken(&'static str),
    /// The URL names no supported database: the operator's configuration.
    #[error("unsupported database URL; use sqlite://… or postgres://…")]
    UnsupportedUrl,
    /// The database failed or answered something unexpected: an outside system or our bug.
    #[error("metadata store: {0}")]
    Database(#[from] sqlx::Error),
    /// Stored JSON could not be read back: our bug or a hand-edited database.
    #[error("metadata store holds unreadable JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Migrations failed: the database, or a schema edited by hand.
    #[error("metadata store migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The metadata store; cheap to clone (a connection pool).
#[derive(Clone)]
pub struct Store {
    pool: sqlx::AnyPool,
    backend: Backend,
}

impl fmt::Debug for Store {
    // The pool's options hold the database URL, which may carry a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating it if needed) the SQLite file at `path` and brings its schema up to date.
    /// A new file is readable by its owner only: it holds password hashes. (SQLite gives its
    /// journal files the database file's permissions.)
    pub async fn open_sqlite(path: &Path) -> Result<Self, StoreError> {
        #[cfg(unix)]
        if !path.exists() {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        }
        Self::open(&format!("sqlite://{}?mode=rwc", path.display())).await
    }

    /// Connects to `url` (`sqlite://…` or `postgres://…`) and runs the pending migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        // SQLite serialises writers anyway; a few connections serve concurrent readers.
        let connections = if backend == Backend::Sqlite { 4 } else { 8 };
        let pool = AnyPoolOptions::new().max_connections(connections).connect(url).await?;
        match backend {
            Backend::Sqlite => {
                sqlx::query("PRAGMA journal_mode = WAL").execute(&pool).await?;
                SQLITE_MIGRATIONS.run(&pool).await?;
            }
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        Ok(Self { pool, backend })
    }

    /// The database this store talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }
}

/// Now, in seconds since the Unix epoch.
pub(crate) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A fresh random id (96 bits, hex).
pub(crate) fn new_id() -> String {
    hex::encode(rand::random::<[u8; 12]>())
}

/// A fresh random secret (256 bits, hex), for session ids and API keys.
pub(crate) fn new_secret() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// How secrets (session ids, API keys) are kept: SHA-256, hex. They are 256 random bits, so a
/// fast hash is enough; a stolen database holds nothing that signs anyone in.
pub(crate) fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A role as stored and shown (`admin`, `editor`, `viewer`).
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Editor => "editor",
        Role::Viewer => "viewer",
    }
}

/// A stored role; an unknown name reads as the least privileged role.
pub(crate) fn parse_role(name: &str) -> Role {
    match name {
        "admin" => Role::Admin,
        "editor" => Role::Editor,
        _ => Role::Viewer,
    }
}

/// Maps a unique-constraint violation to [`StoreError::Taken`].
fn taken(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Taken(what),
        _ => StoreError::Database(e),
    }
}
