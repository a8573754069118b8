//! Reading a generated warehouse back: its files, and the rows the shape checks look at.

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{Float64Type, Int64Type, TimestampMicrosecondType};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Every file under `dir`, relative to it, sorted.
pub(crate) fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// All batches of one table (every tenant, every day), in path order.
pub(crate) fn batches(data_dir: &Path, table: &str) -> Vec<RecordBatch> {
    let root = data_dir.join("warehouse").join(table);
    files(&root)
        .into_iter()
        .flat_map(|f| {
            let file = File::open(root.join(f)).unwrap();
            ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap().map(Result::unwrap)
        })
        .collect()
}

fn strings(batch: &RecordBatch, name: &str) -> Vec<String> {
    batch.column_by_name(name).unwrap().as_string::<i32>().iter().map(|s| s.unwrap_or_default().to_owned()).collect()
}

fn opt_strings(batch: &RecordBatch, name: &str) -> Vec<Option<String>> {
    batch.column_by_name(name).unwrap().as_string::<i32>().iter().map(|s| s.map(str::to_owned)).collect()
}

fn ints(batch: &RecordBatch, name: &str) -> Vec<Option<i64>> {
    let column = batch.column_by_name(name).unwrap().as_primitive::<Int64Type>();
    (0..column.len()).map(|i| column.is_valid(i).then(|| column.value(i))).collect()
}

fn times(batch: &RecordBatch, name: &str) -> Vec<i64> {
    batch.column_by_name(name).unwrap().as_primitive::<TimestampMicrosecondType>().values().to_vec()
}

/// A behaviour event, as far as the shape checks care.
pub(crate) struct Event {
    pub(crate) tenant: String,
    pub(crate) ts: i64,
    pub(crate) user: String,
    pub(crate) session: String,
    pub(crate) name: String,
    pub(crate) bucket: String,
}

pub(crate) fn events(data_dir: &Path) -> Vec<Event> {
    let mut out = Vec::new();
    for b in batches(data_dir, "events") {
        let (tenant, ts, user) = (strings(&b, "tenant_id"), times(&b, "ts"), strings(&b, "user_id"));
        let (session, name, bucket) = (strings(&b, "session_id"), strings(&b, "event_name"), strings(&b, "ab_bucket"));
        for i in 0..b.num_rows() {
            out.push(Event {
                tenant: tenant[i].clone(),
                ts: ts[i],
                user: user[i].clone(),
                session: session[i].clone(),
                name: name[i].clone(),
                bucket: bucket[i].clone(),
            });
        }
    }
    out
}

/// A lead event, as far as the shape checks care.
pub(crate) struct LeadEvent {
    pub(crate) lead: i64,
    pub(crate) rep: Option<i64>,
    pub(crate) ts: i64,
    pub(crate) kind: String,
    pub(crate) outcome: Option<String>,
}

pub(crate) fn lead_events(data_dir: &Path) -> Vec<LeadEvent> {
    let mut out = Vec::new();
    for b in batches(data_dir, "lead_events") {
        let (lead, rep, ts) = (ints(&b, "lead_id"), ints(&b, "rep_id"), times(&b, "ts"));
        let (kind, outcome) = (strings(&b, "kind"), opt_strings(&b, "outcome"));
        for i in 0..b.num_rows() {
            out.push(LeadEvent {
                lead: lead[i].unwrap(),
                rep: rep[i],
                ts: ts[i],
                kind: kind[i].clone(),
                outcome: outcome[i].clone(),
            });
        }
    }
    out
}

/// A lead row, as far as the shape checks care.
pub(crate) struct Lead {
    pub(crate) id: i64,
    pub(crate) tenant: String,
    pub(crate) created_at: i64,
    pub(crate) status: String,
    pub(crate) owner: Option<i64>,
    pub(crate) deal_amount: Option<f64>,
    pub(crate) updated_at: i64,
}

pub(crate) fn leads(data_dir: &Path) -> Vec<Lead> {
    let mut out = Vec::new();
    for b in batches(data_dir, "leads") {
        let (id, tenant, created) = (ints(&b, "lead_id"), strings(&b, "tenant_id"), times(&b, "created_at"));
        let (status, owner, updated) = (strings(&b, "status"), ints(&b, "owner_rep_id"), times(&b, "updated_at"));
        let amount = b.column_by_name("deal_amount").unwrap().as_primitive::<Float64Type>().clone();
        for i in 0..b.num_rows() {
            out.push(Lead {
                id: id[i].unwrap(),
                tenant: tenant[i].clone(),
                created_at: created[i],
                status: status[i].clone(),
                owner: owner[i],
                deal_amount: amount.is_valid(i).then(|| amount.value(i)),
                updated_at: updated[i],
            });
        }
    }
    out
}
