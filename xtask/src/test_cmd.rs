//! `cargo xtask test`: every test. Host tests, the engine's and app's wasm tests in headless
//! Chromium, then the end-to-end tests against the real server and the dev build of the app.
//! Ends with one `N passed, N failed` line summing every test binary's result.

use crate::app_build::{self, Profile};
use crate::tools;
use anyhow::{Context, bail};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[derive(clap::Args)]
pub(crate) struct TestArgs {
    /// Skip the end-to-end tests (they need the app built for wasm).
    #[arg(long)]
    no_e2e: bool,
    /// Only the end-to-end tests whose names contain this (`cargo test` filter); skips the rest.
    #[arg(long)]
    e2e_only: Option<String>,
}

/// Test counts over every `cargo test` run so far.
#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl Tally {
    /// Runs a `cargo test`, echoing its output and adding up its `test result:` lines.
    fn run(&mut self, cmd: &mut Command) -> anyhow::Result<()> {
        let mut child = cmd.stdout(Stdio::piped()).spawn().with_context(|| format!("cannot start {cmd:?}"))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            println!("{line}");
            if let Some(rest) = line.trim().strip_prefix("test result: ") {
                for part in rest.split(';') {
                    let mut words = part.split_whitespace().rev();
                    let (Some(label), Some(n)) = (words.next(), words.next()) else { continue };
                    let n: u64 = n.parse().unwrap_or(0);
                    match label {
                        "passed" => self.passed += n,
                        "failed" => self.failed += n,
                        "ignored" => self.ignored += n,
                        _ => {}
                    }
                }
            }
        }
        let status = child.wait()?;
        if !status.success() {
            self.summary();
            bail!("{cmd:?} failed with {status}");
        }
        Ok(())
    }

    fn summary(&self) {
        println!("\n{} passed, {} failed, {} skipped", self.passed, self.failed, self.ignored);
    }
}

pub(crate) fn run(args: TestArgs) -> anyhow::Result<()> {
    let root = crate::root();
    tools::wasm_target()?;
    tools::clang()?;
    tools::wasm_bindgen()?;
    tools::chromium()?;
    tools::postgresql()?;
    let path = tools::path_with(&[]);
    let cargo = |args: &[&str]| {
        let mut cmd = Command::new("cargo");
        cmd.current_dir(&root).args(args).env("PATH", &path);
        cmd
    };
    let mut tally = Tally::default();

    if let Some(filter) = &args.e2e_only {
        return end_to_end(&cargo, &mut tally, filter);
    }

    // One cargo run for every host test, so that DataFusion (used by the engine, the analyses
    // and, through them, the server) is built once with one feature set.
    println!("== Host tests: shared, demo, server, engine, analysis, pivot, xtask");
    tally.run(&mut cargo(&["test", "--workspace", "--exclude", "quiver-app", "--exclude", "quiver-e2e"]))?;

    println!("== Engine, analysis and app tests in headless Chromium (wasm-bindgen-test)");
    for package in ["quiver-engine", "quiver-analysis", "quiver-pivot", "quiver-app"] {
        tally.run(
            cargo(&["test", "--target", "wasm32-unknown-unknown", "--package", package])
                .env("CHROMEDRIVER", "/usr/bin/chromedriver"),
        )?;
    }

    if !args.no_e2e {
        end_to_end(&cargo, &mut tally, "")?;
    } else {
        tally.summary();
    }
    Ok(())
}

/// Builds the dev app and the server, runs the end-to-end tests matching `filter` and prints the
/// summary over everything run so far.
fn end_to_end(cargo: &dyn Fn(&[&str]) -> Command, tally: &mut Tally, filter: &str) -> anyhow::Result<()> {
    println!("== End-to-end tests in headless Chromium");
    let dist = app_build::build(Profile::Dev, &crate::target_dir().join("quiver-e2e-dist"))?;
    tools::run(&mut cargo(&["build", "--package", "quiver-server"]))?;
    tally.run(
        cargo(&["test", "--package", "quiver-e2e", "--", "--test-threads=1", filter])
            .env("QUIVER_E2E_APP_DIR", &dist)
            .env("QUIVER_E2E_SERVER_BIN", crate::target_dir().join("debug/quiver-server")),
    )?;
    tally.summary();
    Ok(())
}
