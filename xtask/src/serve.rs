//! `cargo xtask serve`: the product on the embedded demo warehouse.

use crate::app_build::{self, Profile};
use crate::tools;
use std::path::PathBuf;
use std::process::Command;

#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (also `QUIVER_ADDR`).
    #[arg(long, env = "QUIVER_ADDR", default_value = "127.0.0.1:8080")]
    addr: String,
    /// The data directory (also `QUIVER_DATA_DIR`).
    #[arg(long, env = "QUIVER_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Serve the dev build of the app instead of the release build (much faster to build).
    #[arg(long)]
    dev: bool,
    /// Also run the load generator against every demo tenant, so dashboards move.
    #[arg(long)]
    live: bool,
    /// Events per second per tenant for `--live`.
    #[arg(long, default_value_t = 50)]
    rate: u32,
}

pub(crate) fn run(args: ServeArgs) -> anyhow::Result<()> {
    let root = crate::root();
    let (profile, dist) =
        if args.dev { (Profile::Dev, root.join("dist-dev")) } else { (Profile::Release, root.join("dist")) };
    app_build::build(profile, &dist)?;
    let data_dir = args.data_dir.unwrap_or_else(|| root.join("data"));
    if !data_dir.join("warehouse").is_dir() {
        crate::gen_cmd::generate(data_dir.clone(), 1.0, 42, 120, None)?;
    }
    println!("Building the server…");
    tools::run(Command::new("cargo").current_dir(&root).args([
        "build",
        "--quiet",
        "--release",
        "--package",
        "quiver-server",
    ]))?;
    let server = crate::target_dir().join("release/quiver-server");
    let mut cmd = Command::new(&server);
    cmd.arg("--data-dir").arg(&data_dir).arg("--app-dir").arg(&dist).args([
        "--addr",
        &args.addr,
        "--sign-in-links",
        "--demo-users",
    ]);
    if !args.live {
        return tools::run(&mut cmd);
    }
    let mut child = cmd.spawn()?;
    for tenant in quiver_demo::demo_tenants() {
        let out = Command::new(&server)
            .arg("--data-dir")
            .arg(&data_dir)
            .args(["token", "--tenant", tenant.id.as_str(), "--role", "editor", "--ttl", "604800"])
            .output()?;
        anyhow::ensure!(out.status.success(), "cannot mint a token for {}", tenant.id);
        let loadgen = crate::loadgen::LoadgenArgs {
            rate: args.rate,
            url: format!("http://{}", args.addr),
            token: String::from_utf8(out.stdout)?.trim().to_owned(),
            seconds: None,
        };
        std::thread::spawn(move || {
            // Give the server a moment to listen; the generator retries anyway.
            std::thread::sleep(std::time::Duration::from_secs(1));
            if let Err(e) = crate::loadgen::run(loadgen) {
                eprintln!("loadgen for {}: {e:#}", tenant.id);
            }
        });
    }
    let status = child.wait()?;
    anyhow::ensure!(status.success(), "the server stopped with {status}");
    Ok(())
}
