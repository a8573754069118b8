//! Reads through [`Live`]: the Parquet warehouse with each partition's hot rows merged in.
//!
//! A day partition with hot rows keeps its id (`<tenant>.<day>.0`, created if the day has no
//! file yet); its rows are the file's followed by the hot ones (for upsert tables, merged so the
//! latest version of each key wins) and its version is the file's plus `-h<last lsn>`, so every
//! accepted request and every compaction changes its ETag.

use super::hot::{self, PartKey};
use super::{Live, table_meta};
use crate::warehouse::{DateRange, PartitionScan, Warehouse, WarehouseError};
use arrow_array::RecordBatch;
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt, TryStreamExt, stream};
use quiver_shared::catalog::TableInfo;
use quiver_shared::partition::{PartitionId, PartitionInfo};
use quiver_shared::tenant::TenantId;
use std::sync::Arc;

fn format_error(e: arrow_schema::ArrowError) -> WarehouseError {
    WarehouseError::Format(e.to_string())
}

impl Warehouse for Live {
    fn tables(&self, tenant: &TenantId) -> BoxFuture<'_, Result<Vec<TableInfo>, WarehouseError>> {
        let tenant = tenant.clone();
        async move {
            let view = self.view.read().await;
            let mut tables = view.dir.tables(&tenant).await?;
            for table in &mut tables {
                for (key, part) in view.hot.of_table(&tenant, &table.name) {
                    table.rows += part.rows();
                    table.bytes += part.bytes();
                    if let Some(d) = key.date {
                        table.date_range = Some(table.date_range.map_or((d, d), |(a, b)| (a.min(d), b.max(d))));
                    }
                }
            }
            Ok(tables)
        }
        .boxed()
    }

    fn partitions<'a>(
        &'a self,
        tenant: &'a TenantId,
        table: &'a str,
        range: DateRange,
    ) -> BoxFuture<'a, Result<Vec<PartitionInfo>, WarehouseError>> {
        async move {
            let view = self.view.read().await;
            let mut parts = view.dir.partitions(tenant, table, range).await?;
            let upsert = table_meta(&view.dir, &self.config, table).and_then(|m| m.upsert).is_some();
            let mut merged_days = Vec::new();
            for (key, hot) in view.hot.of_table(tenant, table).filter(|(k, _)| range.contains(k.date)) {
                let suffix = format!("h{}", hot.max_lsn());
                match parts.iter_mut().find(|p| p.date == key.date && p.id.part == 0) {
                    Some(p) => {
                        p.rows += hot.rows();
                        p.bytes += hot.bytes();
                        p.version = format!("{}-{suffix}", p.version);
                    }
                    None => parts.push(PartitionInfo {
                        id: super::hub::partition_id(tenant, key.date),
                        date: key.date,
                        rows: hot.rows(),
                        bytes: hot.bytes(),
                        version: suffix,
                    }),
                }
                if upsert {
                    merged_days.push(key.date);
                }
            }
            drop(view);
            parts.sort_by_key(|p| (p.date, p.id.part));
            // An upsert partition's rows are only known after merging; such tables are small.
            for date in merged_days {
                let id = super::hub::partition_id(tenant, date);
                let scan = self.scan(tenant, table, &id, None).await?;
                let rows: usize =
                    scan.batches.map_ok(|b| b.num_rows()).try_fold(0, |a, n| async move { Ok(a + n) }).await?;
                if let Some(p) = parts.iter_mut().find(|p| p.id == id) {
                    p.rows = rows as u64;
                }
            }
            Ok(parts)
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
            if &partition.tenant != tenant {
                return Err(WarehouseError::PartitionNotFound(partition.to_string()));
            }
            // The read lock is held until the file is open: compaction renames files only under
            // the write lock, so a reader never pairs a new file with hot rows already in it.
            let view = self.view.read().await;
            let meta = table_meta(&view.dir, &self.config, table)
                .ok_or_else(|| WarehouseError::UnknownTable(table.to_owned()))?;
            let key = PartKey { tenant: tenant.clone(), table: table.to_owned(), date: partition.date };
            let hot = if partition.part == 0 { view.hot.get(&key).cloned() } else { None };
            let live_seq = Some(view.applied);
            let Some(hot) = hot else {
                let mut scan = view.dir.scan(tenant, table, partition, columns).await?;
                scan.live_seq = live_seq;
                return Ok(scan);
            };
            let indices: Vec<usize> = match columns {
                None => (0..meta.schema.fields().len()).collect(),
                Some(names) => names
                    .iter()
                    .map(|n| {
                        meta.schema
                            .index_of(n)
                            .map_err(|_| WarehouseError::UnknownColumn { table: table.to_owned(), column: n.clone() })
                    })
                    .collect::<Result<_, _>>()?,
            };
            let base = match view.dir.partition_file(table, tenant, partition.date, 0) {
                Some(_) => Some(view.dir.scan(tenant, table, partition, None).await?),
                None => None,
            };
            drop(view);
            let version = match &base {
                Some(b) => format!("{}-h{}", b.version, hot.max_lsn()),
                None => format!("h{}", hot.max_lsn()),
            };
            let schema = Arc::new(meta.schema.project(&indices).map_err(format_error)?);
            let full = meta.schema.clone();
            let out_schema = schema.clone();
            let project = move |batch: RecordBatch| -> Result<RecordBatch, WarehouseError> {
                let columns = indices.iter().map(|&i| batch.column(i).clone()).collect();
                RecordBatch::try_new(out_schema.clone(), columns).map_err(format_error)
            };
            let hot_batches: Vec<RecordBatch> = hot.batches.into_iter().map(|(_, b)| b).collect();
            let base_batches = match base {
                Some(b) => b.batches,
                None => stream::empty().boxed(),
            };
            let batches = match meta.upsert {
                None => base_batches
                    .chain(stream::iter(hot_batches.into_iter().map(Ok)))
                    .and_then(move |b| {
                        let out = project(b);
                        async move { out }
                    })
                    .boxed(),
                Some(upsert) => stream::once(async move {
                    let mut all: Vec<RecordBatch> = base_batches.try_collect().await?;
                    all.extend(hot_batches);
                    let all: Vec<RecordBatch> = all
                        .into_iter()
                        .map(|b| RecordBatch::try_new(full.clone(), b.columns().to_vec()))
                        .collect::<Result<_, _>>()
                        .map_err(format_error)?;
                    project(hot::latest_by_key(&full, &all, upsert).map_err(format_error)?)
                })
                .boxed(),
            };
            Ok(PartitionScan { schema, version, live_seq, batches })
        }
        .boxed()
    }
}
