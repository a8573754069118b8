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
    let mut cmd = Command::new(server);
    cmd.arg("--data-dir").arg(&data_dir).arg("--app-dir").arg(&dist).args([
        "--addr",
        &args.addr,
        "--sign-in-links",
        "--demo-users",
    ]);
    tools::run(&mut cmd)
}
