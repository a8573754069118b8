//! The compactor: folds hot rows into the Parquet partitions and removes expired partitions.
//!
//! Order of a run, each step safe to crash after:
//! 1. rotate the log, so everything up to `cutoff` is in closed segments;
//! 2. per touched partition, write file + hot rows (upserts merged) to `part-0.parquet.tmp`
//!    with the watermark `quiver.wal_lsn = cutoff` in its footer, fsync;
//! 3. under the view's write lock: rename each into place, fsync the directories, remove expired
//!    partitions, swap in the re-indexed warehouse and drop the folded hot rows;
//! 4. write `wal/labels.json` (labels and `through_lsn = cutoff`) atomically;
//! 5. delete the closed segments.
//!
//! Replay skips a record for a partition whose file's watermark is at or above the record's lsn,
//! and every record at or below `through_lsn`, so a crash anywhere neither loses nor doubles rows.

use super::hot::PartKey;
use super::wal::{self, sync_dir};
use super::{Checkpoint, Live, LiveError, WATERMARK_KEY, table_meta};
use crate::warehouse::parquet_dir::ParquetDir;
use arrow_array::RecordBatch;
use chrono::NaiveDate;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What one compaction did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompactReport {
    /// Every record up to this lsn is in Parquet now.
    pub through_lsn: u64,
    /// Partition files written.
    pub partitions_written: usize,
    /// Hot rows folded into them.
    pub rows_folded: u64,
    /// Partitions removed because their table's TTL passed.
    pub partitions_expired: usize,
}

struct Written {
    key: PartKey,
    tmp: PathBuf,
    path: PathBuf,
    rows: u64,
}

impl Live {
    /// Runs one compaction (see the module docs). Runs are serialised; ingest and reads go on
    /// meanwhile, blocked only while files are renamed into place.
    pub async fn compact(&self) -> Result<CompactReport, LiveError> {
        self.compact_at(chrono::Utc::now().date_naive()).await
    }

    /// [`Live::compact`] with "today" given, for TTL tests.
    pub async fn compact_at(&self, today: NaiveDate) -> Result<CompactReport, LiveError> {
        let _one_at_a_time = self.compaction.lock().await;
        let cutoff = self.rotate().await?;
        let (dir, work) = {
            let view = self.view.read().await;
            let work: Vec<(PartKey, Vec<RecordBatch>)> = view
                .hot
                .iter()
                .map(|(k, part)| {
                    let batches = part.batches.iter().filter(|(l, _)| *l <= cutoff).map(|(_, b)| b.clone()).collect();
                    (k.clone(), batches)
                })
                .filter(|(_, b): &(PartKey, Vec<RecordBatch>)| !b.is_empty())
                .collect();
            (view.dir.clone(), work)
        };
        let config = self.config.clone();
        let expiring: Vec<(String, NaiveDate)> = config
            .ttl_days
            .iter()
            .map(|(table, days)| (table.clone(), today - chrono::TimeDelta::days(i64::from(*days))))
            .collect();
        let expired =
            |key: &PartKey| expiring.iter().any(|(t, before)| *t == key.table && key.date.is_some_and(|d| d < *before));
        let (written, work_dir) = {
            let dir = dir.clone();
            let expiring_work: Vec<(PartKey, Vec<RecordBatch>)> =
                work.into_iter().filter(|(k, _)| !expired(k)).collect();
            tokio::task::spawn_blocking(move || -> Result<_, LiveError> {
                let mut written = Vec::new();
                for (key, batches) in expiring_work {
                    written.push(fold(&dir, &config, key, batches, cutoff)?);
                }
                Ok((written, dir))
            })
            .await
            .map_err(|e| LiveError::Format(e.to_string()))??
        };
        drop(work_dir);

        let mut report = CompactReport { through_lsn: cutoff, ..CompactReport::default() };
        {
            let mut view = self.view.write().await;
            let mut changes = Vec::new();
            let mut dirs = Vec::new();
            for w in &written {
                std::fs::rename(&w.tmp, &w.path)?;
                dirs.push(w.path.parent().expect("partition files live in a directory").to_path_buf());
                changes.push((w.key.table.clone(), w.key.tenant.clone(), w.key.date));
                report.partitions_written += 1;
                report.rows_folded += w.rows;
            }
            for (table, before) in &expiring {
                for (tenant, date, path) in view.dir.partitions_before(table, *before) {
                    std::fs::remove_file(&path)?;
                    let parent = path.parent().expect("partition files live in a directory");
                    // The day's directory goes too once empty; the tenant's directory stays.
                    let _ = std::fs::remove_dir(parent);
                    dirs.push(parent.parent().unwrap_or(parent).to_path_buf());
                    changes.push((table.clone(), tenant, Some(date)));
                    report.partitions_expired += 1;
                }
            }
            dirs.sort();
            dirs.dedup();
            for d in &dirs {
                if d.is_dir() {
                    sync_dir(d)?;
                }
            }
            view.dir = Arc::new(view.dir.reindexed(&changes)?);
            for w in &written {
                view.hot.remove_through(&w.key, cutoff);
            }
            let dead: Vec<PartKey> = view.hot.iter().map(|(k, _)| k.clone()).filter(|k| expired(k)).collect();
            report.partitions_expired += dead.len();
            for k in &dead {
                view.hot.remove(k);
            }
        }

        let checkpoint = {
            let now = chrono::Utc::now().timestamp();
            let ttl = self.config.label_ttl.as_secs() as i64;
            let mut labels = self.labels.lock().expect("poisoned");
            labels.retain(|_, l| now - l.at <= ttl);
            Checkpoint { through_lsn: cutoff, labels: labels.values().cloned().collect() }
        };
        let bytes = serde_json::to_vec(&checkpoint).map_err(|e| LiveError::Format(e.to_string()))?;
        let wal_dir = self.wal_dir.clone();
        tokio::task::spawn_blocking(move || -> Result<(), LiveError> {
            wal::write_atomically(&wal_dir.join("labels.json"), &bytes)?;
            for (first, path) in wal::segments(&wal_dir)? {
                if first <= cutoff {
                    std::fs::remove_file(path)?;
                }
            }
            sync_dir(&wal_dir)?;
            Ok(())
        })
        .await
        .map_err(|e| LiveError::Format(e.to_string()))??;
        Ok(report)
    }
}

/// Writes one partition's file plus its hot rows to a temporary file next to it (fsynced).
fn fold(
    dir: &ParquetDir,
    config: &super::LiveConfig,
    key: PartKey,
    hot: Vec<RecordBatch>,
    cutoff: u64,
) -> Result<Written, LiveError> {
    let format = |e: &dyn std::fmt::Display| LiveError::Format(e.to_string());
    let meta = table_meta(dir, config, &key.table)
        .ok_or_else(|| LiveError::Format(format!("table {} vanished", key.table)))?;
    let mut batches = Vec::new();
    if let Some(path) = dir.partition_file(&key.table, &key.tenant, key.date, 0) {
        let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path)?)
            .map_err(|e| format(&e))?
            .with_batch_size(64 * 1024)
            .build()
            .map_err(|e| format(&e))?;
        for batch in reader {
            let batch = batch.map_err(|e| format(&e))?;
            batches.push(RecordBatch::try_new(meta.schema.clone(), batch.columns().to_vec()).map_err(|e| format(&e))?);
        }
    }
    batches.extend(hot.iter().cloned());
    let hot_rows = hot.iter().map(|b| b.num_rows() as u64).sum();
    let merged = match meta.upsert {
        Some(upsert) => super::hot::latest_by_key(&meta.schema, &batches, upsert).map_err(|e| format(&e))?,
        None => arrow_select::concat::concat_batches(&meta.schema, &batches).map_err(|e| format(&e))?,
    };
    let sorted = match meta.day_column {
        Some(c) => sort_by(&merged, c).map_err(|e| format(&e))?,
        None => merged,
    };
    let part_dir = dir.partition_dir(&key.table, &key.tenant, key.date);
    std::fs::create_dir_all(&part_dir)?;
    let path = part_dir.join("part-0.parquet");
    let tmp = part_dir.join("part-0.parquet.tmp");
    write_parquet(&tmp, &sorted, cutoff)?;
    Ok(Written { key, tmp, path, rows: hot_rows })
}

/// Rows sorted by one column (stable), as the demo's files are sorted by time.
fn sort_by(batch: &RecordBatch, column: usize) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let indices = arrow_ord::sort::sort_to_indices(batch.column(column), None, None)?;
    arrow_select::take::take_record_batch(batch, &indices)
}

fn write_parquet(path: &Path, batch: &RecordBatch, watermark: u64) -> Result<(), LiveError> {
    let format = |e: parquet::errors::ParquetError| LiveError::Format(e.to_string());
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).map_err(format)?))
        .set_created_by("quiver-server".to_owned())
        .set_key_value_metadata(Some(vec![KeyValue::new(WATERMARK_KEY.to_owned(), watermark.to_string())]))
        .build();
    let file = std::fs::File::create(path)?;
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(props)).map_err(format)?;
    writer.write(batch).map_err(format)?;
    let file = writer.into_inner().map_err(format)?;
    file.sync_all()?;
    Ok(())
}
