//! Same options, same bytes; different seed, different data; regeneration leaves nothing stale.

use crate::read::files;
use chrono::NaiveDate;
use quiver_demo::{GenOptions, generate};
use sha2::{Digest, Sha256};
use std::path::Path;

fn options(dir: &Path, seed: u64, days: u32) -> GenOptions {
    GenOptions { seed, scale: 0.02, days, ..GenOptions::new(dir, NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()) }
}

/// `(relative path, sha256)` of every file in the data directory.
fn fingerprint(dir: &Path) -> Vec<(String, String)> {
    files(dir)
        .into_iter()
        .map(|f| {
            let digest = Sha256::digest(std::fs::read(dir.join(&f)).unwrap());
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            (f.display().to_string(), hex)
        })
        .collect()
}

#[test]
fn the_same_options_produce_byte_identical_files() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    generate(&options(a.path(), 7, 14)).unwrap();
    generate(&options(b.path(), 7, 14)).unwrap();
    let (fa, fb) = (fingerprint(a.path()), fingerprint(b.path()));
    assert!(fa.len() > 100, "expected a full warehouse, found {} files", fa.len());
    assert_eq!(fa, fb);
}

#[test]
fn another_seed_produces_other_data_in_the_same_layout() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    generate(&options(a.path(), 7, 14)).unwrap();
    generate(&options(b.path(), 8, 14)).unwrap();
    let (fa, fb) = (fingerprint(a.path()), fingerprint(b.path()));
    let paths = |f: &[(String, String)]| f.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(paths(&fa), paths(&fb));
    let events_differ = fa.iter().zip(&fb).filter(|(x, y)| x.0.starts_with("warehouse/events") && x.1 != y.1).count();
    let leads_differ = fa.iter().zip(&fb).filter(|(x, y)| x.0.starts_with("warehouse/leads") && x.1 != y.1).count();
    assert!(events_differ > 30 && leads_differ > 30, "{events_differ} events and {leads_differ} leads files differ");
}

/// Regression guard: a shorter run into a used data directory must not leave the longer run's
/// extra days behind for the server to pick up.
#[test]
fn regenerating_into_a_used_directory_replaces_the_warehouse() {
    let (used, fresh) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    generate(&options(used.path(), 7, 14)).unwrap();
    generate(&options(used.path(), 7, 5)).unwrap();
    generate(&options(fresh.path(), 7, 5)).unwrap();
    assert_eq!(fingerprint(used.path()), fingerprint(fresh.path()));
}
