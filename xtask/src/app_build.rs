//! Builds the browser app with Trunk, skipping the build when no input changed since the last
//! one (so a second `serve` starts in seconds), and precompresses release files for the server.

use crate::tools;
use anyhow::Context;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Which build of the app.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Profile {
    /// Size-optimised, fat LTO, wasm-opt: what `serve` ships.
    Release,
    /// The cheap dev profile the tests use (no LTO, no wasm-opt).
    Dev,
}

/// The inputs of an app build: if none changed, the last build still stands.
const INPUTS: &[&str] =
    &["app", "engine", "analysis", "shared", "assets", "Trunk.toml", "Cargo.toml", "Cargo.lock", ".cargo/config.toml"];

/// Builds the app into `dist` unless it is up to date; returns `dist`.
pub(crate) fn build(profile: Profile, dist: &Path) -> anyhow::Result<PathBuf> {
    let root = crate::root();
    let stamp_path = dist.join(".quiver-build-stamp");
    let stamp = input_stamp(&root, profile)?;
    if std::fs::read_to_string(&stamp_path).ok().as_deref() == Some(stamp.as_str()) && dist.join("index.html").is_file()
    {
        println!("The app in {} is up to date.", dist.display());
        return Ok(dist.to_path_buf());
    }
    tools::wasm_target()?;
    tools::clang()?;
    let trunk = tools::trunk()?;
    tools::wasm_bindgen()?;
    let mut path_dirs = Vec::new();
    let mut cmd = Command::new(trunk);
    cmd.current_dir(&root).args(["build", "--offline", "--dist"]).arg(dist);
    if profile == Profile::Release {
        path_dirs.push(tools::wasm_opt()?);
        cmd.args(["--release", "--cargo-profile", "wasm-release"]);
        println!(
            "Building the app in release (the first build takes about 45 minutes on 2 cores, later ones about 20)…"
        );
    } else {
        println!("Building the app (dev profile)…");
    }
    let started = std::time::Instant::now();
    tools::run(cmd.env("PATH", tools::path_with(&path_dirs)))?;
    if profile == Profile::Release {
        precompress(dist)?;
    }
    println!("App built in {:.0} s.", started.elapsed().as_secs_f64());
    std::fs::write(&stamp_path, stamp)?;
    Ok(dist.to_path_buf())
}

fn input_stamp(root: &Path, profile: Profile) -> anyhow::Result<String> {
    let mut files = Vec::new();
    for input in INPUTS {
        collect_files(&root.join(input), &mut files)?;
    }
    files.sort();
    let mut hasher = Sha256::new();
    hasher.update(if profile == Profile::Release { "release" } else { "dev" });
    for file in files {
        let meta = std::fs::metadata(&file)?;
        let modified = meta.modified()?.duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        hasher.update(format!("{}:{}:{}\n", file.display(), meta.len(), modified));
    }
    Ok(hex::encode(hasher.finalize()))
}

fn collect_files(path: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if path.is_dir() {
        for entry in std::fs::read_dir(path)? {
            collect_files(&entry?.path(), out)?;
        }
    } else if path.is_file() {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// Writes `.br` and `.gz` beside every text and wasm file, which the server's static file
/// service sends as is to browsers that accept them.
fn precompress(dist: &Path) -> anyhow::Result<()> {
    let mut files = Vec::new();
    collect_files(dist, &mut files)?;
    for file in files {
        let ext = file.extension().and_then(|e| e.to_str()).unwrap_or_default();
        if !matches!(ext, "wasm" | "js" | "css" | "html" | "svg") {
            continue;
        }
        let data = std::fs::read(&file)?;
        let mut br = Vec::new();
        let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 24, ..Default::default() };
        brotli::BrotliCompress(&mut &data[..], &mut br, &params).context("brotli")?;
        std::fs::write(with_suffix(&file, "br"), &br)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&data)?;
        std::fs::write(with_suffix(&file, "gz"), gz.finish()?)?;
        if ext == "wasm" {
            println!("  {}: {:.1} MB raw, {:.2} MB brotli", file.display(), mb(data.len()), mb(br.len()));
        }
    }
    Ok(())
}

fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1_000_000.0
}
