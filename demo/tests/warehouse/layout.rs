//! The files are where the server looks for them, with the schemas and roles it expects.

use crate::read::{batches, files};
use arrow::array::AsArray;
use arrow::datatypes::{DataType, Int64Type, TimeUnit, TimestampMicrosecondType};
use chrono::NaiveDate;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use quiver_demo::{GenError, GenOptions, demo_tenants, generate};
use quiver_shared::catalog::{ColumnRole, ROLE_METADATA_KEY, TenantInfo};
use std::collections::BTreeSet;
use std::path::Path;

const END: (i32, u32, u32) = (2026, 3, 2);
const DAYS: u32 = 10;

fn generated() -> (tempfile::TempDir, quiver_demo::GenReport) {
    let dir = tempfile::tempdir().unwrap();
    let end = NaiveDate::from_ymd_opt(END.0, END.1, END.2).unwrap();
    let report = generate(&GenOptions { scale: 0.02, days: DAYS, ..GenOptions::new(dir.path(), end) }).unwrap();
    (dir, report)
}

#[test]
fn every_table_is_partitioned_by_tenant_and_facts_by_each_utc_day() {
    let (dir, _) = generated();
    let all: BTreeSet<String> = files(dir.path()).iter().map(|p| p.display().to_string()).collect();
    let end = NaiveDate::from_ymd_opt(END.0, END.1, END.2).unwrap();
    // The range crosses the end of February, so day arithmetic mistakes would show.
    let dates: Vec<String> = (0..DAYS).rev().map(|i| (end - chrono::Duration::days(i.into())).to_string()).collect();
    assert_eq!(dates.first().unwrap(), "2026-02-21");
    let mut expected = BTreeSet::from(["tenants.json".to_owned()]);
    for tenant in ["acme", "nimbus", "orbit"] {
        for table in ["reps", "campaigns"] {
            expected.insert(format!("warehouse/{table}/tenant={tenant}/part-0.parquet"));
        }
        for table in ["events", "lead_events", "leads"] {
            for date in &dates {
                expected.insert(format!("warehouse/{table}/tenant={tenant}/date={date}/part-0.parquet"));
            }
        }
    }
    assert_eq!(all, expected, "no more, no fewer files (and no leftover .tmp files)");
}

#[test]
fn tenants_json_lists_the_three_demo_tenants() {
    let (dir, _) = generated();
    let tenants: Vec<TenantInfo> =
        serde_json::from_slice(&std::fs::read(dir.path().join("tenants.json")).unwrap()).unwrap();
    assert_eq!(tenants, demo_tenants());
    let summary: Vec<_> = tenants.iter().map(|t| (t.id.as_str(), t.time_zone.as_str())).collect();
    assert_eq!(summary, [("acme", "America/New_York"), ("nimbus", "Asia/Shanghai"), ("orbit", "Europe/Berlin")]);
}

#[track_caller]
fn check_roles(dir: &Path, table: &str, expected: &[(&str, ColumnRole)]) {
    let path = files(&dir.join("warehouse").join(table)).into_iter().next().unwrap();
    let file = std::fs::File::open(dir.join("warehouse").join(table).join(path)).unwrap();
    let schema = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().schema().clone();
    let actual: Vec<_> = schema
        .fields()
        .iter()
        .map(|f| (f.name().as_str(), ColumnRole::parse(f.metadata().get(ROLE_METADATA_KEY).unwrap()).unwrap()))
        .collect();
    assert_eq!(actual, expected, "{table}");
    for field in schema.fields() {
        if let DataType::Timestamp(unit, zone) = field.data_type() {
            assert_eq!((unit, zone.as_deref()), (&TimeUnit::Microsecond, Some("UTC")), "{table}.{}", field.name());
        }
    }
}

#[test]
fn every_column_carries_its_role() {
    use ColumnRole::{Dimension as D, Key as K, Measure as M, Time as T};
    let (dir, _) = generated();
    let d = dir.path();
    let events = [("tenant_id", D), ("ts", T), ("user_id", K), ("session_id", K), ("event_name", D), ("platform", D)];
    let events_rest = [("country", D), ("app_version", D), ("ab_bucket", D), ("channel", D), ("price", M)];
    check_roles(d, "events", &[&events[..], &events_rest[..]].concat());
    let leads = [("lead_id", K), ("tenant_id", D), ("created_at", T), ("channel", D), ("region", D), ("industry", D)];
    let leads_rest = [("campaign_id", K), ("owner_rep_id", K), ("status", D), ("deal_amount", M), ("updated_at", T)];
    check_roles(d, "leads", &[&leads[..], &leads_rest[..]].concat());
    let lead_events = [("event_id", K), ("tenant_id", D), ("lead_id", K), ("rep_id", K), ("ts", T), ("kind", D)];
    check_roles(d, "lead_events", &[&lead_events[..], &[("outcome", D), ("duration_s", M)]].concat());
    check_roles(d, "reps", &[("rep_id", K), ("tenant_id", D), ("name", D), ("team", D)]);
    let campaigns =
        [("campaign_id", K), ("tenant_id", D), ("name", D), ("channel", D), ("budget", M), ("started_on", T)];
    check_roles(d, "campaigns", &campaigns);
}

#[test]
fn the_report_counts_what_is_on_disk() {
    let (dir, report) = generated();
    let names: Vec<&str> = report.tables.iter().map(|t| t.0.as_str()).collect();
    assert_eq!(names, ["campaigns", "events", "lead_events", "leads", "reps"]);
    for (table, rows, files_written) in &report.tables {
        let on_disk: usize = batches(dir.path(), table).iter().map(|b| b.num_rows()).sum();
        assert_eq!(*rows, on_disk as u64, "{table}");
        let expected_files = if table == "reps" || table == "campaigns" { 3 } else { 3 * u64::from(DAYS) };
        assert_eq!(*files_written, expected_files, "{table}");
    }
    assert!(report.bytes > 0);
}

#[test]
fn rows_are_sorted_by_time_within_each_file_and_ids_never_cross_tenants() {
    let (dir, _) = generated();
    for (table, time) in [("events", "ts"), ("lead_events", "ts"), ("leads", "created_at")] {
        for batch in batches(dir.path(), table) {
            let ts = batch.column_by_name(time).unwrap().as_primitive::<TimestampMicrosecondType>();
            assert!(ts.values().windows(2).all(|w| w[0] <= w[1]), "{table} is not sorted by {time}");
        }
    }
    for (table, id) in
        [("reps", "rep_id"), ("campaigns", "campaign_id"), ("leads", "lead_id"), ("lead_events", "event_id")]
    {
        let mut owner = std::collections::BTreeMap::new();
        for batch in batches(dir.path(), table) {
            let ids = batch.column_by_name(id).unwrap().as_primitive::<Int64Type>();
            let tenants = batch.column_by_name("tenant_id").unwrap().as_string::<i32>();
            for i in 0..ids.len() {
                let previous = owner.insert(ids.value(i), tenants.value(i).to_owned());
                assert!(previous.is_none(), "{table}.{id} {} appears twice", ids.value(i));
            }
        }
    }
}

#[test]
fn nonsense_options_are_refused_with_the_field_named() {
    let dir = tempfile::tempdir().unwrap();
    let base = GenOptions::new(dir.path(), NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
    for (opts, field) in [
        (GenOptions { scale: 0.0, ..base.clone() }, "scale"),
        (GenOptions { scale: f64::NAN, ..base.clone() }, "scale"),
        (GenOptions { days: 0, ..base.clone() }, "days"),
    ] {
        match generate(&opts) {
            Err(GenError::InvalidOption { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected an invalid {field}, got {other:?}"),
        }
    }
    assert!(!dir.path().join("warehouse").exists(), "nothing is written for invalid options");
}
