//! Server configuration from flags and environment variables, and the server secret.

use clap::{Parser, Subcommand};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Quiver's server.
#[derive(Parser, Debug)]
#[command(name = "quiver-server", version, about)]
pub struct Cli {
    /// The data directory: `warehouse/` (Parquet), `tenants.json`, the server secret.
    #[arg(long, env = "QUIVER_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Serve options (when no subcommand is given).
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Subcommands besides serving.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Prints a sign-in token for a tenant (for scripts and tests).
    Token {
        /// The tenant id.
        #[arg(long)]
        tenant: String,
        /// admin, editor or viewer.
        #[arg(long, default_value = "viewer")]
        role: String,
        /// Seconds until it expires.
        #[arg(long, default_value_t = 3600)]
        ttl: i64,
    },
}

/// Options of `serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "QUIVER_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The built app (Trunk's dist directory).
    #[arg(long, env = "QUIVER_APP_DIR", default_value = "dist")]
    pub app_dir: PathBuf,
    /// The URL people open, for the printed sign-in links (default: http://<addr>).
    #[arg(long, env = "QUIVER_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Print a ready sign-in link for each tenant at start.
    #[arg(long)]
    pub sign_in_links: bool,
    /// Live data: ingest, compaction, the websocket.
    #[command(flatten)]
    pub live: crate::live::LiveArgs,
    /// The metadata store (users, dashboards, rules): `postgres://…` or `sqlite://…`
    /// (default: `<data-dir>/quiver.db`). Never printed: it may hold a password.
    #[arg(long, env = "QUIVER_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// When the store has no users yet, create an admin, an editor and a viewer for every
    /// tenant (see README) and print their sign-in details.
    #[arg(long)]
    pub demo_users: bool,
}

/// The secret tokens are signed with. `Debug` never shows it.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Secret {
    /// The raw bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// `QUIVER_SECRET` if set (at least 32 bytes), else `<data_dir>/server.secret`, created with
    /// 32 random bytes on first start so tokens stay valid across restarts.
    pub fn load(data_dir: &Path) -> anyhow::Result<Self> {
        if let Ok(s) = std::env::var("QUIVER_SECRET") {
            anyhow::ensure!(s.len() >= 32, "QUIVER_SECRET must be at least 32 bytes long");
            return Ok(Self(s.into_bytes()));
        }
        let path = data_dir.join("server.secret");
        if let Ok(s) = std::fs::read_to_string(&path) {
            let s = s.trim();
            anyhow::ensure!(s.len() >= 32, "{} must hold at least 32 bytes", path.display());
            return Ok(Self(s.as_bytes().to_vec()));
        }
        std::fs::create_dir_all(data_dir)?;
        let secret = hex::encode(rand::random::<[u8; 32]>());
        write_private(&path, &secret)?;
        Ok(Self(secret.into_bytes()))
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}
