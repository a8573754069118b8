//! The embedded warehouse: Parquet files on local disk in Hive-style partitions.
//!
//! Layout: `<root>/<table>/tenant=<id>/date=<YYYY-MM-DD>/part-<n>.parquet` for fact tables and
//! `<root>/<table>/tenant=<id>/part-<n>.parquet` for dimension tables. The directory is indexed
//! once at start (file footers only), so listing partitions never touches the disk.

use super::{DateRange, PartitionScan, Warehouse, WarehouseError};
use arrow_schema::{Schema, SchemaRef};
use chrono::NaiveDate;
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt, TryStreamExt};
use parquet::arrow::ParquetRecordBatchStreamBuilder;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ArrowReaderMetadata;
use quiver_shared::catalog::{ColumnInfo, ColumnRole, ROLE_METADATA_KEY, TableInfo};
use quiver_shared::partition::{PartitionId, PartitionInfo};
use quiver_shared::tenant::TenantId;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Rows per Arrow batch when streaming a partition: big enough to amortise per-batch overhead,
/// small enough that the first bytes leave quickly.
const BATCH_ROWS: usize = 16 * 1024;

/// A Parquet directory, indexed. Cloning copies the index (not the files): live data swaps in a
/// re-indexed copy after each compaction.
#[derive(Debug, Clone)]
pub struct ParquetDir {
    root: PathBuf,
    tables: BTreeMap<String, TableEntry>,
}

#[derive(Debug, Clone)]
struct TableEntry {
    schema: SchemaRef,
    dated: bool,
    parts: BTreeMap<TenantId, Vec<PartEntry>>,
}

#[derive(Debug, Clone)]
struct PartEntry {
    date: Option<NaiveDate>,
    part: u32,
    path: PathBuf,
    rows: u64,
    bytes: u64,
    version: String,
}

impl ParquetDir {
    /// Indexes the warehouse under `root` (blocking IO: call it before serving or from
    /// `spawn_blocking`). A missing root is an empty warehouse.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, WarehouseError> {
        let root = root.into();
        let mut tables = BTreeMap::new();
        if root.is_dir() {
            for (name, table_dir) in subdirs(&root)? {
                if !is_identifier(&name) {
                    continue;
                }
                if let Some(entry) = index_table(&table_dir)? {
                    tables.insert(name, entry);
                }
            }
        }
        Ok(Self { root, tables })
    }

    /// The directory this warehouse reads.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Tenants that own at least one partition.
    pub fn tenants(&self) -> Vec<TenantId> {
        let mut all: Vec<TenantId> = self.tables.values().flat_map(|t| t.parts.keys().cloned()).collect();
        all.sort();
        all.dedup();
        all
    }

    /// The schema of `table` (with field metadata) and whether it is split by date.
    pub fn table_schema(&self, table: &str) -> Option<(SchemaRef, bool)> {
        self.tables.get(table).map(|t| (t.schema.clone(), t.dated))
    }

    /// The directory holding `tenant`'s files of `table` for `date` (the tenant's directory for
    /// undated tables), whether or not it exists yet.
    pub fn partition_dir(&self, table: &str, tenant: &TenantId, date: Option<NaiveDate>) -> PathBuf {
        let mut dir = self.root.join(table).join(format!("tenant={tenant}"));
        if let Some(date) = date {
            dir.push(format!("date={}", date.format("%Y-%m-%d")));
        }
        dir
    }

    /// The indexed file of one partition, if it exists.
    pub fn partition_file(&self, table: &str, tenant: &TenantId, date: Option<NaiveDate>, part: u32) -> Option<&Path> {
        let parts = self.tables.get(table)?.parts.get(tenant)?;
        parts.iter().find(|p| p.date == date && p.part == part).map(|p| p.path.as_path())
    }

    /// Every dated partition of `table` older than `before`: (tenant, date, file).
    pub fn partitions_before(&self, table: &str, before: NaiveDate) -> Vec<(TenantId, NaiveDate, PathBuf)> {
        let Some(entry) = self.tables.get(table) else { return Vec::new() };
        entry
            .parts
            .iter()
            .flat_map(|(tenant, parts)| {
                parts
                    .iter()
                    .filter_map(move |p| p.date.filter(|d| *d < before).map(|d| (tenant.clone(), d, p.path.clone())))
            })
            .collect()
    }

    /// A copy whose index of `tenant`'s `table` on `date` is read again from disk (blocking IO),
    /// after files there were written, replaced or removed.
    pub fn reindexed(&self, changes: &[(String, TenantId, Option<NaiveDate>)]) -> Result<Self, WarehouseError> {
        let mut next = self.clone();
        for (table, tenant, date) in changes {
            let dir = self.partition_dir(table, tenant, *date);
            let Some(entry) = next.tables.get_mut(table) else { continue };
            let parts = entry.parts.entry(tenant.clone()).or_default();
            parts.retain(|p| p.date != *date);
            if dir.is_dir() {
                for (part, path) in part_files(&dir)? {
                    parts.push(index_file(*date, part, path)?.0);
                }
            }
            parts.sort_by_key(|e| (e.date, e.part));
        }
        Ok(next)
    }

    fn table(&self, table: &str) -> Result<&TableEntry, WarehouseError> {
        self.tables.get(table).ok_or_else(|| WarehouseError::UnknownTable(table.to_owned()))
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn subdirs(dir: &Path) -> Result<Vec<(String, PathBuf)>, WarehouseError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir()
            && let Some(name) = entry.file_name().to_str()
        {
            out.push((name.to_owned(), entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

/// `part-<n>.parquet` files in `dir`, with their numbers.
fn part_files(dir: &Path) -> Result<Vec<(u32, PathBuf)>, WarehouseError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(n) = name.to_str().and_then(|n| n.strip_prefix("part-")?.strip_suffix(".parquet")?.parse().ok())
        else {
            continue;
        };
        if entry.file_type()?.is_file() {
            out.push((n, entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

fn index_table(dir: &Path) -> Result<Option<TableEntry>, WarehouseError> {
    let mut schema: Option<SchemaRef> = None;
    let mut dated = false;
    let mut parts: BTreeMap<TenantId, Vec<PartEntry>> = BTreeMap::new();
    for (name, tenant_dir) in subdirs(dir)? {
        let Some(tenant) = name.strip_prefix("tenant=").and_then(|t| TenantId::new(t).ok()) else {
            continue;
        };
        let mut found = Vec::new();
        for (part, path) in part_files(&tenant_dir)? {
            found.push((None, part, path));
        }
        for (name, date_dir) in subdirs(&tenant_dir)? {
            let Some(date) = name.strip_prefix("date=").and_then(quiver_shared::partition::parse_api_date) else {
                continue;
            };
            dated = true;
            for (part, path) in part_files(&date_dir)? {
                found.push((Some(date), part, path));
            }
        }
        let entries = parts.entry(tenant).or_default();
        for (date, part, path) in found {
            let (entry, file_schema) = index_file(date, part, path)?;
            schema.get_or_insert(file_schema);
            entries.push(entry);
        }
        entries.sort_by_key(|e| (e.date, e.part));
    }
    Ok(schema.map(|schema| TableEntry { schema, dated, parts }))
}

fn index_file(date: Option<NaiveDate>, part: u32, path: PathBuf) -> Result<(PartEntry, SchemaRef), WarehouseError> {
    let file = std::fs::File::open(&path)?;
    let meta = file.metadata()?;
    let reader_meta = ArrowReaderMetadata::load(&file, Default::default())
        .map_err(|e| WarehouseError::Format(format!("{}: {e}", path.display())))?;
    let rows = u64::try_from(reader_meta.metadata().file_metadata().num_rows()).unwrap_or(0);
    let modified = meta.modified()?.duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    let digest = Sha256::digest(format!("{}:{}:{}", path.display(), meta.len(), modified));
    let version = hex::encode(&digest[..8]);
    let entry = PartEntry { date, part, path, rows, bytes: meta.len(), version };
    Ok((entry, reader_meta.schema().clone()))
}

fn table_info(name: &str, entry: &TableEntry, tenant: &TenantId) -> TableInfo {
    let parts = entry.parts.get(tenant).map(Vec::as_slice).unwrap_or_default();
    let columns = entry
        .schema
        .fields()
        .iter()
        .map(|f| {
            let data_type = f.data_type().to_string();
            let role = f
                .metadata()
                .get(ROLE_METADATA_KEY)
                .and_then(|r| ColumnRole::parse(r))
                .unwrap_or_else(|| ColumnRole::infer(f.name(), &data_type));
            ColumnInfo { name: f.name().clone(), data_type, nullable: f.is_nullable(), role }
        })
        .collect();
    let dates = parts.iter().filter_map(|p| p.date);
    let date_range = dates.clone().min().zip(dates.max());
    TableInfo {
        name: name.to_owned(),
        columns,
        partition_keys: if entry.dated { vec!["tenant".into(), "date".into()] } else { vec!["tenant".into()] },
        rows: parts.iter().map(|p| p.rows).sum(),
        bytes: parts.iter().map(|p| p.bytes).sum(),
        date_range,
    }
}

/// Resolves requested column names to indices in `schema`, in the order asked for.
fn resolve_columns(table: &str, schema: &Schema, columns: Option<&[String]>) -> Result<Vec<usize>, WarehouseError> {
    match columns {
        None => Ok((0..schema.fields().len()).collect()),
        Some(names) => names
            .iter()
            .map(|n| {
                schema
                    .index_of(n)
                    .map_err(|_| WarehouseError::UnknownColumn { table: table.to_owned(), column: n.clone() })
            })
            .collect(),
    }
}

impl Warehouse for ParquetDir {
    fn tables(&self, tenant: &TenantId) -> BoxFuture<'_, Result<Vec<TableInfo>, WarehouseError>> {
        let infos = self.tables.iter().map(|(name, entry)| table_info(name, entry, tenant)).collect();
        async move { Ok(infos) }.boxed()
    }

    fn partitions<'a>(
        &'a self,
        tenant: &'a TenantId,
        table: &'a str,
        range: DateRange,
    ) -> BoxFuture<'a, Result<Vec<PartitionInfo>, WarehouseError>> {
        async move {
            let entry = self.table(table)?;
            let parts = entry.parts.get(tenant).map(Vec::as_slice).unwrap_or_default();
            Ok(parts
                .iter()
                .filter(|p| range.contains(p.date))
                .map(|p| PartitionInfo {
                    id: PartitionId { tenant: tenant.clone(), date: p.date, part: p.part },
                    date: p.date,
                    rows: p.rows,
                    bytes: p.bytes,
                    version: p.version.clone(),
                })
                .collect())
        }
        .boxed()
    }

    fn scan<'a>(
        &'a self,
        tenant: &'a TenantId,
        table: &'a str,
        partition: &'a PartitionId,
        columns: Option<&'a [String]>,
    ) -> BoxFuture<'a, Result<PartitionScan, WarehouseError>> {
        async move {
            let entry = self.table(table)?;
            // Check the columns against the table before looking at the partition, so a bad
            // column is reported the same way whichever partition was asked for.
            resolve_columns(table, &entry.schema, columns)?;
            let not_found = || WarehouseError::PartitionNotFound(partition.to_string());
            // The tenant of the id must be the caller's: an id of another tenant is simply
            // not there for this caller.
            if &partition.tenant != tenant {
                return Err(not_found());
            }
            let part = entry
                .parts
                .get(tenant)
                .and_then(|ps| ps.iter().find(|p| p.date == partition.date && p.part == partition.part))
                .ok_or_else(not_found)?
                .clone();
            let file = tokio::fs::File::open(&part.path).await?;
            let format = |e: parquet::errors::ParquetError| WarehouseError::Format(e.to_string());
            let builder = ParquetRecordBatchStreamBuilder::new(file).await.map_err(format)?;
            let file_schema = builder.schema().clone();
            let wanted = resolve_columns(table, &file_schema, columns)?;
            let mut in_file_order = wanted.clone();
            in_file_order.sort_unstable();
            in_file_order.dedup();
            let mask = ProjectionMask::roots(builder.parquet_schema(), in_file_order.iter().copied());
            // The reader yields projected columns in file order; put them in the order asked for.
            let reorder: Vec<usize> =
                wanted.iter().map(|i| in_file_order.binary_search(i).expect("index is in the projection")).collect();
            let projected = file_schema.project(&in_file_order).map_err(|e| WarehouseError::Format(e.to_string()))?;
            let schema = Arc::new(projected.project(&reorder).map_err(|e| WarehouseError::Format(e.to_string()))?);
            let stream = builder.with_projection(mask).with_batch_size(BATCH_ROWS).build().map_err(format)?;
            let batches = stream
                .map_err(format)
                .and_then(move |batch| {
                    let projected = batch.project(&reorder).map_err(|e| WarehouseError::Format(e.to_string()));
                    async move { projected }
                })
                .boxed();
            Ok(PartitionScan { schema, version: part.version, live_seq: None, batches })
        }
        .boxed()
    }
}
