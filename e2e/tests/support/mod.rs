//! The end-to-end harness: a demo warehouse in a temp dir, the real server binary on a free
//! loopback port, chromedriver driving Debian's headless Chromium, and plain-Rust answers
//! computed straight from the Parquet files to compare the browser against.

#![allow(dead_code, unreachable_pub)]

use anyhow::{Context, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A secret for the test server only.
const SECRET: &str = "e2e-secret-e2e-secret-e2e-secret-e2e";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_for_port(port: u16, what: &str, child: &mut Child) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            bail!("{what} exited early with {status}");
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("{what} did not listen on port {port} within 60 s")
}

/// Kills the child when dropped, so a failing test leaves no server behind.
pub struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The real server over a generated demo warehouse.
pub struct Server {
    pub base: String,
    pub data_dir: PathBuf,
    bin: PathBuf,
    _guard: Guard,
    _tmp: tempfile::TempDir,
}

fn env_path(name: &str) -> anyhow::Result<PathBuf> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .with_context(|| format!("{name} is not set: run the end-to-end tests through `cargo xtask test`"))
}

impl Server {
    /// Generates a demo warehouse (`days` days ending today, `scale`) and starts the server.
    pub fn start(scale: f64, days: u32) -> anyhow::Result<Self> {
        Self::start_with(scale, days, &[])
    }

    /// Like [`Server::start`], with extra server arguments (e.g. `--demo-users`).
    pub fn start_with(scale: f64, days: u32, extra: &[&str]) -> anyhow::Result<Self> {
        Self::start_serving_with(scale, days, &env_path("QUIVER_E2E_APP_DIR")?, extra)
    }

    /// As [`Server::start`], serving the app (and any other static files) from `app_dir`.
    pub fn start_serving(scale: f64, days: u32, app_dir: &Path) -> anyhow::Result<Self> {
        Self::start_serving_with(scale, days, app_dir, &[])
    }

    /// As [`Server::start_serving`], with extra server arguments.
    pub fn start_serving_with(scale: f64, days: u32, app_dir: &Path, extra: &[&str]) -> anyhow::Result<Self> {
        let bin = env_path("QUIVER_E2E_SERVER_BIN")?;
        let tmp = tempfile::tempdir()?;
        let data_dir = tmp.path().to_path_buf();
        let mut opts = quiver_demo::GenOptions::new(&data_dir, chrono_today());
        opts.scale = scale;
        opts.days = days;
        quiver_demo::generate(&opts).context("generating the demo warehouse")?;
        let port = free_port();
        let mut child = Command::new(&bin)
            .arg("--data-dir")
            .arg(&data_dir)
            .arg("--app-dir")
            .arg(app_dir)
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .args(extra)
            .env("QUIVER_SECRET", SECRET)
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        wait_for_port(port, "the server", &mut child)?;
        Ok(Self { base: format!("http://127.0.0.1:{port}"), data_dir, bin, _guard: Guard(child), _tmp: tmp })
    }

    /// A sign-in token for `tenant`, minted by the server binary itself.
    pub fn token(&self, tenant: &str) -> anyhow::Result<String> {
        self.token_with_role(tenant, "viewer")
    }

    /// A token for `tenant` with `role` (`viewer`, `editor`, `admin`; ingest needs editor).
    pub fn token_with_role(&self, tenant: &str, role: &str) -> anyhow::Result<String> {
        let out = Command::new(&self.bin)
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(["token", "--tenant", tenant, "--role", role, "--ttl", "3600"])
            .env("QUIVER_SECRET", SECRET)
            .output()?;
        anyhow::ensure!(out.status.success(), "token: {}", String::from_utf8_lossy(&out.stderr));
        Ok(String::from_utf8(out.stdout)?.trim().to_owned())
    }

    /// A sign-in token for `tenant` with `role` (`admin`, `editor`, `viewer`).
    pub fn token_as(&self, tenant: &str, role: &str) -> anyhow::Result<String> {
        self.token_with_role(tenant, role)
    }

    /// Sends `method` with an optional JSON body and a bearer token; returns status and body.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<&serde_json::Value>,
    ) -> anyhow::Result<(u16, Vec<u8>)> {
        self.request(method, path, token, body.map(|b| b.to_string()))
    }

    /// GET `path` with a bearer token; returns status and body.
    pub fn get(&self, path: &str, token: &str) -> anyhow::Result<(u16, Vec<u8>)> {
        self.request("GET", path, token, None)
    }

    /// POST a JSON body to `path` with a bearer token; returns status and body.
    pub fn post_json(&self, path: &str, token: &str, body: &serde_json::Value) -> anyhow::Result<(u16, Vec<u8>)> {
        self.request("POST", path, token, Some(body.to_string()))
    }

    /// POST JSON lines to `path` (`application/x-ndjson`, the ingest API's format).
    pub fn post_ndjson(&self, path: &str, token: &str, lines: &[String]) -> anyhow::Result<(u16, Vec<u8>)> {
        self.request_as("POST", path, token, Some((lines.join("\n"), "application/x-ndjson")))
    }

    fn request(&self, method: &str, path: &str, token: &str, body: Option<String>) -> anyhow::Result<(u16, Vec<u8>)> {
        self.request_as(method, path, token, body.map(|b| (b, "application/json")))
    }

    fn request_as(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<(String, &str)>,
    ) -> anyhow::Result<(u16, Vec<u8>)> {
        let port: u16 = self.base.rsplit(':').next().unwrap().parse()?;
        let mut stream = TcpStream::connect(("127.0.0.1", port))?;
        write!(stream, "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n")?;
        if let Some((body, media_type)) = &body {
            write!(stream, "Content-Type: {media_type}\r\nContent-Length: {}\r\n\r\n{body}", body.len())?;
        } else {
            write!(stream, "\r\n")?;
        }
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw)?;
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").context("no HTTP header end")?;
        let head = String::from_utf8_lossy(&raw[..split]);
        let status = head.split_whitespace().nth(1).context("no status")?.parse()?;
        Ok((status, raw[split + 4..].to_vec()))
    }
}

fn chrono_today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A headless Chromium session through chromedriver.
pub struct Browser {
    pub client: Client,
    /// Where the browser saves downloads.
    pub downloads: PathBuf,
    _driver: Guard,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_with_args(&[]).await
    }

    /// As [`Browser::start`], with extra Chromium command-line switches.
    pub async fn start_with_args(extra: &[&str]) -> anyhow::Result<Self> {
        let port = free_port();
        let mut driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting chromedriver (apt-get install chromium-driver)")?;
        wait_for_port(port, "chromedriver", &mut driver)?;
        let driver = Guard(driver);
        let profile = tempfile::tempdir()?;
        let downloads = profile.path().join("downloads");
        std::fs::create_dir_all(&downloads)?;
        let mut args: Vec<String> = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1400,1000",
        ]
        .iter()
        .chain(extra)
        .map(|a| (*a).to_owned())
        .collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false,
                },
                "args": args,
            }
        });
        let client = ClientBuilder::rustls()
            .context("TLS setup")?
            .capabilities(caps.as_object().unwrap().clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .context("connecting to chromedriver")?;
        Ok(Self { client, downloads, _driver: driver, _profile: profile })
    }

    /// The process id of chromedriver, the ancestor of every Chromium process of this session.
    pub fn driver_pid(&self) -> u32 {
        self._driver.0.id()
    }

    /// Waits up to `secs` for an element matching `css`.
    pub async fn wait_for(&self, css: &str, secs: u64) -> anyhow::Result<fantoccini::elements::Element> {
        self.client
            .wait()
            .at_most(Duration::from_secs(secs))
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("waiting {secs} s for '{css}'"))
    }

    /// Sets an input's value the way typing does (`input` and `change` events), so the app's
    /// bindings see it.
    pub async fn set_value(&self, css: &str, value: &str) -> anyhow::Result<()> {
        let found = self
            .client
            .execute(
                "const e = document.querySelector(arguments[0]); if (!e) return false; e.value = arguments[1]; \
                 e.dispatchEvent(new Event('input', { bubbles: true })); \
                 e.dispatchEvent(new Event('change', { bubbles: true })); return true;",
                vec![serde_json::json!(css), serde_json::json!(value)],
            )
            .await?;
        anyhow::ensure!(found == serde_json::json!(true), "set_value: nothing matches '{css}'");
        Ok(())
    }

    /// Puts `sql` in the SQL box and presses Run.
    pub async fn run_sql(&self, sql: &str) -> anyhow::Result<()> {
        self.set_value("#sql-input", sql).await?;
        self.client.find(Locator::Css("#sql-run")).await?.click().await?;
        Ok(())
    }

    /// Drags the element matching `from` onto the one matching `to` with HTML5 drag-and-drop
    /// events carrying one `DataTransfer`, dropping near the target's right edge (so a reorder
    /// lands last). WebDriver's pointer actions do not start native drags in Chromium, so the
    /// events are dispatched from script; the app's handlers see the same events a mouse makes.
    pub async fn drag(&self, from: &str, to: &str) -> anyhow::Result<()> {
        let done = self
            .client
            .execute(
                "const src = document.querySelector(arguments[0]); const dst = document.querySelector(arguments[1]); \
                 if (!src || !dst) return false; \
                 const dt = new DataTransfer(); \
                 const r = dst.getBoundingClientRect(); \
                 const at = { bubbles: true, cancelable: true, dataTransfer: dt, \
                              clientX: r.right - 4, clientY: r.top + r.height / 2 }; \
                 src.dispatchEvent(new DragEvent('dragstart', at)); \
                 dst.dispatchEvent(new DragEvent('dragenter', at)); \
                 dst.dispatchEvent(new DragEvent('dragover', at)); \
                 dst.dispatchEvent(new DragEvent('drop', at)); \
                 src.dispatchEvent(new DragEvent('dragend', at)); \
                 return true;",
                vec![serde_json::json!(from), serde_json::json!(to)],
            )
            .await?;
        anyhow::ensure!(done == serde_json::json!(true), "drag: '{from}' or '{to}' is not on the page");
        Ok(())
    }

    /// Waits up to `secs` for a finished download whose name ends with `suffix`; returns its bytes.
    pub async fn download(&self, suffix: &str, secs: u64) -> anyhow::Result<(String, Vec<u8>)> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            for entry in std::fs::read_dir(&self.downloads)? {
                let name = entry?.file_name().to_string_lossy().into_owned();
                if name.ends_with(suffix) {
                    return Ok((name.clone(), std::fs::read(self.downloads.join(&name))?));
                }
            }
            anyhow::ensure!(Instant::now() < deadline, "no '*{suffix}' download within {secs} s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a screenshot under `e2e/artifacts/`.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, self.client.screenshot().await?)?;
        Ok(path)
    }
}
