//! `cargo xtask bench`: the benchmarks in headless Chromium against the release app and server.
//! Not part of `cargo xtask test`: the release build of the app alone takes many minutes.
//! `peers` (Quiver against DuckDB-WASM and Perspective) also needs the npm packages pinned in
//! `package.json`, and regenerates `BENCHMARKS.md`.

use crate::app_build::{self, Profile};
use crate::tools;
use std::process::Command;

#[derive(clap::Args)]
pub(crate) struct BenchArgs {
    /// Only the benchmark with this name (e.g. `pivot_drop`).
    #[arg(long)]
    only: Option<String>,
    /// The demo scale of the data (`QUIVER_BENCH_SCALE`): 1 ≈ 1M events, 5 ≈ 5M. Each benchmark
    /// has its own default.
    #[arg(long)]
    scale: Option<f64>,
}

pub(crate) fn run(args: BenchArgs) -> anyhow::Result<()> {
    let root = crate::root();
    tools::wasm_target()?;
    tools::clang()?;
    tools::wasm_bindgen()?;
    tools::chromium()?;
    tools::bench_peers()?;
    let dist = root.join("dist");
    app_build::build(Profile::Release, &dist)?;
    println!("Building the server…");
    tools::run(Command::new("cargo").current_dir(&root).args([
        "build",
        "--quiet",
        "--release",
        "--package",
        "quiver-server",
    ]))?;
    let mut cmd = Command::new("cargo");
    cmd.current_dir(&root).args(["bench", "--package", "quiver-e2e"]);
    if let Some(name) = &args.only {
        cmd.args(["--bench", name]);
    }
    if let Some(scale) = args.scale {
        cmd.env("QUIVER_BENCH_SCALE", scale.to_string());
    }
    cmd.env("QUIVER_E2E_APP_DIR", &dist)
        .env("QUIVER_E2E_SERVER_BIN", crate::target_dir().join("release/quiver-server"))
        .env("PATH", tools::path_with(&[]));
    tools::run(&mut cmd)
}
