-- Tenants' settings, users, sessions, API keys, row-level rules, dashboards with their versions,
-- and share links. Times are seconds since the Unix epoch; flags are 0/1; JSON is stored as
-- text. The PostgreSQL migration next door has the same tables and columns.

CREATE TABLE tenant_settings (
    tenant TEXT PRIMARY KEY,
    allow_public_links BIGINT NOT NULL DEFAULT 0,
    frame_ancestors TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX users_by_tenant ON users (tenant);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE row_rules (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    subject_role TEXT,
    subject_user TEXT REFERENCES users (id) ON DELETE CASCADE,
    table_name TEXT NOT NULL,
    column_name TEXT NOT NULL,
    rule_values TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX row_rules_by_tenant ON row_rules (tenant);

CREATE TABLE dashboards (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    title TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX dashboards_by_tenant ON dashboards (tenant);

CREATE TABLE dashboard_versions (
    dashboard_id TEXT NOT NULL REFERENCES dashboards (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at BIGINT NOT NULL,
    PRIMARY KEY (dashboard_id, version)
);

CREATE TABLE share_links (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    dashboard_id TEXT NOT NULL REFERENCES dashboards (id) ON DELETE CASCADE,
    filters TEXT NOT NULL,
    public BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    creator_user TEXT,
    creator_role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
