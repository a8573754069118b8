//! A throwaway PostgreSQL cluster for tests: `initdb` into a temporary folder and `postgres` on
//! a free loopback port, started once per test binary, with a fresh database per test. A
//! watchdog shell stops the server and removes the folder when the test process exits (its
//! stdin, held by this process, closes). As root, the cluster runs as the `postgres` (or
//! `nobody`) user, since PostgreSQL refuses to run as root.
//!
//! Without PostgreSQL's binaries (Debian's `postgresql` package, which `cargo xtask test`
//! installs) [`database_url`] prints a notice and answers `None`; any other failure panics.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

struct Cluster {
    port: u16,
    /// Kept open until the process exits; its closing stops the server.
    _watchdog: Mutex<Child>,
}

static CLUSTER: OnceLock<Option<Cluster>> = OnceLock::new();

/// The folder holding `initdb` and `postgres`: `QUIVER_PG_BIN`, else the newest
/// `/usr/lib/postgresql/*/bin`, else `PATH`.
fn bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("QUIVER_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin): &(u32, PathBuf)| bin.join("initdb").is_file())
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .find(|d| d.join("initdb").is_file() && d.join("postgres").is_file())
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The command prefix that runs a program as the cluster's owner.
fn as_owner(dir: &Path) -> Vec<String> {
    if !is_root() {
        return Vec::new();
    }
    let user = if Command::new("id").arg("postgres").output().is_ok_and(|o| o.status.success()) {
        "postgres"
    } else {
        "nobody"
    };
    let status = Command::new("chown").args(["-R", user]).arg(dir).status().expect("chown runs");
    assert!(status.success(), "cannot hand {} to {user}", dir.display());
    vec!["runuser".into(), "-u".into(), user.into(), "--".into()]
}

fn start() -> Option<Cluster> {
    let Some(bin) = bin_dir() else {
        eprintln!(
            "NOTICE: PostgreSQL binaries not found (install Debian's `postgresql`, or set QUIVER_PG_BIN); \
             skipping the PostgreSQL runs of the store tests"
        );
        return None;
    };
    let dir = tempfile::Builder::new().prefix("quiver-pg-").tempdir().expect("temp dir").keep();
    let data = dir.join("data");
    let owner = as_owner(&dir);
    let run = |program: &str, args: &[&str]| {
        let mut words = owner.clone();
        words.push(bin.join(program).display().to_string());
        words.extend(args.iter().map(|a| (*a).to_owned()));
        words
    };
    let initdb = run(
        "initdb",
        &["-D", data.to_str().unwrap(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync"],
    );
    let out = Command::new(&initdb[0]).args(&initdb[1..]).output().expect("initdb starts");
    assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let port_text = port.to_string();
    let postgres = run(
        "postgres",
        &[
            "-D",
            data.to_str().unwrap(),
            "-p",
            &port_text,
            "-k",
            dir.to_str().unwrap(),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "max_connections=200",
        ],
    );
    let quoted: Vec<String> = postgres.iter().map(|w| format!("'{w}'")).collect();
    let script = format!(
        "{} >'{dir}/log' 2>&1 &\n\
         read _ignored\n\
         kill -INT $(head -1 '{data}/postmaster.pid') 2>/dev/null\n\
         for _ in $(seq 50); do [ -f '{data}/postmaster.pid' ] || break; sleep 0.1; done\n\
         rm -rf '{dir}'\n",
        quoted.join(" "),
        dir = dir.display(),
        data = data.display(),
    );
    let watchdog = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("sh starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            let log = std::fs::File::open(dir.join("log"))
                .map(|f| BufReader::new(f).lines().map_while(Result::ok).collect::<Vec<_>>().join("\n"));
            panic!("PostgreSQL did not start on port {port}: {log:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(Cluster { port, _watchdog: Mutex::new(watchdog) })
}

/// A URL to a new, empty database of the test cluster, or `None` (after a printed notice)
/// where PostgreSQL is not installed.
pub async fn database_url() -> Option<String> {
    let cluster = CLUSTER.get_or_init(start).as_ref()?;
    let name = format!("quiver_test_{}", hex_id());
    let admin = format!("postgres://postgres@127.0.0.1:{}/postgres", cluster.port);
    sqlx::any::install_default_drivers();
    // The server may still be finishing its start-up when the port first answers.
    let mut tries = 0;
    let pool = loop {
        match sqlx::AnyPool::connect(&admin).await {
            Ok(pool) => break pool,
            Err(e) if tries < 50 => {
                tries += 1;
                let _ = e;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("cannot connect to the test PostgreSQL: {e}"),
        }
    };
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&pool).await.expect("CREATE DATABASE");
    pool.close().await;
    Some(format!("postgres://postgres@127.0.0.1:{}/{name}", cluster.port))
}

fn hex_id() -> String {
    use std::hash::{BuildHasher, RandomState};
    format!("{:016x}", RandomState::new().hash_one(Instant::now()))
}
