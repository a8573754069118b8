//! Developer commands for Quiver (the cargo-xtask pattern): `serve`, `test`, `gen`, `bench`,
//! `loadgen`.
//!
//! Each command installs what it needs and is missing, so the two commands in the README work
//! on a fresh machine with only rustup, cargo, node and npm.

mod app_build;
mod bench_cmd;
mod gen_cmd;
mod loadgen;
mod serve;
mod test_cmd;
mod tools;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Quiver developer commands")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Builds the app in release, generates the demo warehouse if absent and runs the server.
    Serve(serve::ServeArgs),
    /// Runs every test: unit, server integration, wasm in headless Chromium, end-to-end.
    Test(test_cmd::TestArgs),
    /// Generates the demo warehouse.
    Gen(gen_cmd::GenArgs),
    /// Runs the benchmarks against the release app and server (not part of `test`).
    Bench(bench_cmd::BenchArgs),
    /// Sends realistic live events and lead activity to a running server's ingest API.
    Loadgen(loadgen::LoadgenArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Cmd::Serve(args) => serve::run(args),
        Cmd::Test(args) => test_cmd::run(args),
        Cmd::Gen(args) => gen_cmd::run(args),
        Cmd::Bench(args) => bench_cmd::run(args),
        Cmd::Loadgen(args) => loadgen::run(args),
    }
}

/// The workspace root.
pub(crate) fn root() -> PathBuf {
    // `cargo run` sets the variable for the run too: prefer it, since a target directory shared
    // by two clones (CI's and the working copy) may hold a binary built in the other one.
    let manifest =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest.parent().expect("xtask lives in the workspace").to_path_buf()
}

/// Cargo's target directory: `CARGO_TARGET_DIR` if set, else `<root>/target`.
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}
