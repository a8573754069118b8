//! `cargo xtask test`: every test. Host tests, the engine's wasm tests in headless Chromium, then
//! the end-to-end tests against the real server and the dev build of the app.

use crate::app_build::{self, Profile};
use crate::tools;
use std::process::Command;

#[derive(clap::Args)]
pub(crate) struct TestArgs {
    /// Skip the end-to-end tests (they need the app built for wasm).
    #[arg(long)]
    no_e2e: bool,
}

pub(crate) fn run(args: TestArgs) -> anyhow::Result<()> {
    let root = crate::root();
    tools::wasm_target()?;
    tools::clang()?;
    tools::wasm_bindgen()?;
    tools::chromium()?;
    let path = tools::path_with(&[]);
    let cargo = |args: &[&str]| {
        let mut cmd = Command::new("cargo");
        cmd.current_dir(&root).args(args).env("PATH", &path);
        cmd
    };

    println!("== Host tests: shared, demo, server, xtask");
    tools::run(&mut cargo(&[
        "test",
        "--workspace",
        "--exclude",
        "quiver-app",
        "--exclude",
        "quiver-engine",
        "--exclude",
        "quiver-e2e",
    ]))?;

    println!("== Engine and app tests in headless Chromium (wasm-bindgen-test)");
    for package in ["quiver-engine", "quiver-app"] {
        tools::run(
            cargo(&["test", "--target", "wasm32-unknown-unknown", "--package", package])
                .env("CHROMEDRIVER", "/usr/bin/chromedriver"),
        )?;
    }

    if args.no_e2e {
        return Ok(());
    }
    println!("== End-to-end tests in headless Chromium");
    let dist = app_build::build(Profile::Dev, &crate::target_dir().join("quiver-e2e-dist"))?;
    tools::run(&mut cargo(&["build", "--package", "quiver-server"]))?;
    tools::run(
        cargo(&["test", "--package", "quiver-e2e", "--", "--test-threads=1"])
            .env("QUIVER_E2E_APP_DIR", &dist)
            .env("QUIVER_E2E_SERVER_BIN", crate::target_dir().join("debug/quiver-server")),
    )
}
