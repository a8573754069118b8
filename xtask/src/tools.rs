//! Installs the tools the build and the tests need when they are missing: the wasm32 target,
//! trunk, wasm-bindgen-cli (at exactly the version in Cargo.lock), clang, binaryen's wasm-opt
//! from npm, Debian's Chromium and chromedriver, and Debian's PostgreSQL (for the metadata
//! store's tests). Nothing is downloaded from outside the package registries.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The trunk release known to build with this toolchain (0.22 needs a newer rustc).
const TRUNK_VERSION: &str = "0.21.14";

/// Runs a command, failing with its command line if it fails.
pub(crate) fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let status = cmd.status().with_context(|| format!("cannot start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

/// The first line a command prints, if it runs at all.
fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn cargo_bin(name: &str) -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"));
    home.join("bin").join(name)
}

pub(crate) fn wasm_target() -> anyhow::Result<()> {
    let installed = output_of("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        println!("Installing the wasm32-unknown-unknown target…");
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

pub(crate) fn trunk() -> anyhow::Result<PathBuf> {
    let want = format!("trunk {TRUNK_VERSION}");
    if output_of("trunk", &["--version"]).as_deref() != Some(want.as_str()) {
        println!("Installing {want} (about 10 minutes, once)…");
        run(Command::new("cargo").args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]))?;
    }
    Ok(cargo_bin("trunk"))
}

/// The wasm-bindgen version pinned in Cargo.lock: the CLI must match it exactly.
pub(crate) fn locked_wasm_bindgen_version() -> anyhow::Result<String> {
    let lock = std::fs::read_to_string(crate::root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_owned());
        }
    }
    bail!("Cargo.lock has no wasm-bindgen entry")
}

pub(crate) fn wasm_bindgen() -> anyhow::Result<()> {
    let version = locked_wasm_bindgen_version()?;
    let want = format!("wasm-bindgen {version}");
    if output_of("wasm-bindgen", &["--version"]).as_deref() != Some(want.as_str()) {
        println!("Installing wasm-bindgen-cli {version} (about 5 minutes, once)…");
        // Not --locked: its lockfile wants crate versions the index may lack (TOOLCHAIN.md).
        run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &version, "--force"]))?;
    }
    Ok(())
}

fn apt_install(packages: &[&str]) -> anyhow::Result<()> {
    println!("Installing Debian packages: {}…", packages.join(" "));
    let sudo = output_of("id", &["-u"]).as_deref() != Some("0");
    let apt = |args: &[&str]| {
        let mut cmd = if sudo { Command::new("sudo") } else { Command::new("apt-get") };
        if sudo {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut cmd)
    };
    apt(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend_from_slice(packages);
    apt(&args).with_context(|| format!("install them by hand: apt-get install {}", packages.join(" ")))
}

/// clang compiles zstd-sys (pulled in by DataFusion) for wasm32; gcc cannot.
pub(crate) fn clang() -> anyhow::Result<()> {
    if output_of("clang", &["--version"]).is_none() {
        apt_install(&["clang"])?;
    }
    Ok(())
}

/// Debian's Chromium and the matching chromedriver, for wasm and end-to-end tests.
pub(crate) fn chromium() -> anyhow::Result<()> {
    if output_of("chromium", &["--version"]).is_none() || output_of("chromedriver", &["--version"]).is_none() {
        apt_install(&["chromium", "chromium-driver"])?;
    }
    Ok(())
}

/// Debian's PostgreSQL server binaries, for the metadata store's PostgreSQL tests (which start
/// a throwaway cluster of their own; the package's default cluster is not used).
pub(crate) fn postgresql() -> anyhow::Result<()> {
    let installed = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| e.path().join("bin/initdb").is_file());
    if !installed && output_of("initdb", &["--version"]).is_none() {
        apt_install(&["postgresql"])?;
    }
    Ok(())
}

/// binaryen's wasm-opt from npm (Debian's is too old for reference types); returns the folder
/// to put first on PATH.
pub(crate) fn wasm_opt() -> anyhow::Result<PathBuf> {
    let root = crate::root();
    let bin = root.join("node_modules/.bin");
    if !bin.join("wasm-opt").is_file() {
        println!("Installing binaryen (wasm-opt) from npm…");
        npm_install(&root)?;
    }
    Ok(bin)
}

/// The peers of the benchmarks, DuckDB-WASM and Perspective, from npm at the versions
/// `package.json` pins; the bench serves them from `node_modules/`.
pub(crate) fn bench_peers() -> anyhow::Result<()> {
    let root = crate::root();
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(root.join("package.json"))?)?;
    let pinned = manifest["devDependencies"].as_object().cloned().unwrap_or_default();
    let missing = pinned.iter().any(|(name, version)| {
        let installed = std::fs::read(root.join("node_modules").join(name).join("package.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
        installed.as_ref().and_then(|p| p["version"].as_str()) != version.as_str()
    });
    if missing {
        println!("Installing the benchmark peers (DuckDB-WASM, Perspective) from npm…");
        npm_install(&root)?;
    }
    Ok(())
}

/// `npm ci` when there is a lockfile (exact versions), else `npm install`.
fn npm_install(root: &Path) -> anyhow::Result<()> {
    let lock = root.join("package-lock.json").is_file();
    run(Command::new("npm").current_dir(root).args(if lock {
        &["ci", "--no-audit", "--no-fund"][..]
    } else {
        &["install", "--no-audit", "--no-fund"][..]
    }))
}

/// PATH with `first` in front, so tools installed there win over system ones.
pub(crate) fn path_with(first: &[PathBuf]) -> std::ffi::OsString {
    let mut parts: Vec<PathBuf> = first.to_vec();
    parts.push(cargo_bin(""));
    parts.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(parts).expect("PATH entries contain no separator")
}
