//! The `quiver-server` binary: configuration, start-up, and the printed sign-in links.

use anyhow::Context;
use clap::Parser;
use quiver_server::auth::TokenKey;
use quiver_server::config::{Cli, Command, Secret};
use quiver_server::live::Live;
use quiver_server::store::Store;
use quiver_server::warehouse::parquet_dir::ParquetDir;
use quiver_server::{AppState, router};
use quiver_shared::auth::Role;
use quiver_shared::catalog::TenantInfo;
use quiver_shared::tenant::TenantId;
use std::collections::BTreeMap;
use std::sync::Arc;

/// How long a printed sign-in link stays valid.
const SIGN_IN_LINK_TTL_SECS: i64 = 7 * 24 * 3600;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "quiver_server=info,tower_http=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let tokens = TokenKey::new(Secret::load(&cli.data_dir)?.bytes());

    if let Some(Command::Token { tenant, role, ttl }) = cli.command {
        let tenant = TenantId::new(tenant).context("--tenant")?;
        let role: Role =
            serde_json::from_value(serde_json::Value::String(role)).context("--role: admin, editor or viewer")?;
        println!("{}", tokens.mint("cli", &tenant, role, ttl));
        return Ok(());
    }

    let serve = cli.serve;
    let warehouse_dir = cli.data_dir.join("warehouse");
    let started = std::time::Instant::now();
    let warehouse = tokio::task::spawn_blocking(move || ParquetDir::open(warehouse_dir)).await??;
    let tenants = load_tenants(&cli.data_dir, &warehouse)?;
    tracing::info!(tables_dir = %warehouse.root().display(), tenants = tenants.len(), elapsed_ms = started.elapsed().as_millis() as u64, "warehouse indexed");

    let store = match &serve.database_url {
        Some(url) => Store::open(url).await.context("cannot open the metadata store at --database-url")?,
        None => {
            let path = cli.data_dir.join("quiver.db");
            Store::open_sqlite(&path).await.with_context(|| format!("cannot open {}", path.display()))?
        }
    };
    let mut admins = BTreeMap::new();
    if serve.demo_users {
        let ids: Vec<TenantId> = tenants.keys().cloned().collect();
        let made = quiver_server::demo_users::seed(&store, &warehouse, &ids).await?;
        for account in &made {
            let user = &account.user;
            let role = quiver_server::store::role_name(user.role);
            let (tenant, password) = (&user.tenant, quiver_server::demo_users::DEMO_PASSWORD);
            println!("  Demo user {} ({role} of {tenant}), password {password}", user.email);
            for rule in &account.rules {
                let values = serde_json::to_string(&rule.values)?;
                println!("    sees only {} rows with {} in {values}", rule.table, rule.column);
            }
        }
        for tenant in &ids {
            if let Some(admin) = store.users(tenant).await?.into_iter().find(|u| u.role == Role::Admin) {
                admins.insert(tenant.clone(), admin.id);
            }
        }
    }
    let secure_cookies = serve.public_url.as_deref().is_some_and(|u| u.starts_with("https://"));

    let data_dir = cli.data_dir.clone();
    let live_config = serve.live.config();
    let live = tokio::task::spawn_blocking(move || Live::open(&data_dir, warehouse, live_config)).await??;
    live.spawn_compactor();

    let state = AppState {
        warehouse: live.clone(),
        tokens: tokens.clone(),
        tenants: Arc::new(tenants),
        app_dir: Some(serve.app_dir.clone()),
        analyses: Arc::new(tokio::sync::Semaphore::new(2)),
        live: Some(live),
        store,
        secure_cookies,
    };
    let listener =
        tokio::net::TcpListener::bind(serve.addr).await.with_context(|| format!("cannot listen on {}", serve.addr))?;
    let base = serve.public_url.clone().unwrap_or_else(|| format!("http://{}", serve.addr));
    println!("Quiver is running at {base}/");
    if serve.sign_in_links {
        for info in state.tenants.values() {
            // The link signs in as the tenant's first admin when there is one, so user rules and
            // `GET /api/me` see a real user.
            let sub = admins.get(&info.id).map_or("demo-admin", String::as_str);
            let token = tokens.mint(sub, &info.id, Role::Admin, SIGN_IN_LINK_TTL_SECS);
            println!("  Sign in to {} ({}): {base}/?token={token}", info.name, info.id);
        }
    }
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown()).await?;
    Ok(())
}

/// Tenants from `<data>/tenants.json` (written by the demo generator), plus any tenant that owns
/// partitions without being listed there.
fn load_tenants(data_dir: &std::path::Path, warehouse: &ParquetDir) -> anyhow::Result<BTreeMap<TenantId, TenantInfo>> {
    let path = data_dir.join("tenants.json");
    let listed: Vec<TenantInfo> = match std::fs::read(&path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).with_context(|| format!("{} is not a list of tenants", path.display()))?
        }
        Err(_) => Vec::new(),
    };
    let mut tenants: BTreeMap<TenantId, TenantInfo> = listed.into_iter().map(|t| (t.id.clone(), t)).collect();
    for id in warehouse.tenants() {
        tenants.entry(id.clone()).or_insert_with(|| TenantInfo { name: id.to_string(), id, time_zone: "UTC".into() });
    }
    Ok(tenants)
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}
