//! Live data: durable, idempotent ingest into a write-ahead log, hot rows merged into reads,
//! compaction into Parquet, and the websocket push of new rows.
//!
//! [`Live`] wraps the Parquet warehouse and is itself a [`Warehouse`](crate::warehouse::Warehouse):
//! a day partition with hot rows is read as its Parquet file followed by its hot rows (for upsert
//! tables, merged so the latest version of each key wins), so reads see real-time and history
//! as one table.
//!
//! **Invariant (durability):** a request is answered 200 only after its record is fsynced in
//! the log. **Invariant (idempotency):** a label is accepted once per tenant; its record holds
//! the label, the body's digest and the answer, so retries get the same answer and write nothing,
//! across restarts too (labels outlive the log in `wal/labels.json`, written before any segment
//! is deleted).

mod commit;
mod compact;
pub mod config;
mod hot;
pub(crate) mod hub;
mod read;
pub(crate) mod socket;
mod wal;

pub use commit::{CommitStats, Committed};
pub use compact::CompactReport;
pub use config::{LiveArgs, LiveConfig, UpsertRule};

use crate::warehouse::WarehouseError;
use crate::warehouse::parquet_dir::ParquetDir;
use arrow_schema::SchemaRef;
use hot::{HotStore, PartKey, UpsertColumns};
use hub::{Frame, Hub};
use quiver_shared::tenant::TenantId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The key under which a compacted Parquet file records the last log record folded into it.
const WATERMARK_KEY: &str = "quiver.wal_lsn";

/// Failures of the live-data machinery, each saying whose fault it is.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The label was used before for a different body: the caller's input.
    #[error("idempotency key '{0}' was already used for a different request")]
    LabelConflict(String),
    /// The disk or the log failed: an outside system.
    #[error("write-ahead log: {0}")]
    Io(#[from] std::io::Error),
    /// Parquet or Arrow failed on stored data: an outside system or our bug.
    #[error("stored data: {0}")]
    Format(String),
    /// The log writer stopped after an earlier failure: an outside system.
    #[error("the write-ahead log is unavailable after an earlier failure")]
    Stopped,
    /// The warehouse failed.
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
}

/// What ingest needs to know about a table.
#[derive(Debug, Clone)]
pub struct TableMeta {
    /// The table's schema, field metadata included.
    pub schema: SchemaRef,
    day_column: Option<usize>,
    upsert: Option<UpsertColumns>,
}

/// A remembered idempotency label.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LabelEntry {
    tenant: TenantId,
    label: String,
    table: String,
    digest: String,
    response: serde_json::Value,
    at: i64,
}

/// `wal/labels.json`: the labels and how far the log has been folded into Parquet.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Checkpoint {
    through_lsn: u64,
    labels: Vec<LabelEntry>,
}

/// What readers see: the Parquet index and the hot rows, swapped together.
struct View {
    dir: Arc<ParquetDir>,
    hot: HotStore,
    /// Every accepted record up to this lsn is in `dir` or `hot`.
    applied: u64,
}

/// The live-data layer over a Parquet warehouse; see the module docs.
pub struct Live {
    config: LiveConfig,
    wal_dir: PathBuf,
    view: tokio::sync::RwLock<View>,
    labels: Mutex<HashMap<(TenantId, String), LabelEntry>>,
    hub: Hub,
    commits: commit::Committer,
    compaction: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live").field("wal_dir", &self.wal_dir).finish_non_exhaustive()
    }
}

impl Live {
    /// Opens live data in `data_dir` over `dir`: loads the labels, replays the log (truncating
    /// a torn last record) and starts the log writer. Blocking IO: call it before serving or
    /// from `spawn_blocking`.
    pub fn open(data_dir: &Path, dir: ParquetDir, config: LiveConfig) -> Result<Arc<Self>, LiveError> {
        let wal_dir = data_dir.join("wal");
        std::fs::create_dir_all(&wal_dir)?;
        let checkpoint: Checkpoint = match std::fs::read(wal_dir.join("labels.json")) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| LiveError::Format(format!("labels.json: {e}")))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Checkpoint::default(),
            Err(e) => return Err(e.into()),
        };
        let now = chrono::Utc::now().timestamp();
        let label_ttl = config.label_ttl.as_secs() as i64;
        let mut labels: HashMap<(TenantId, String), LabelEntry> = checkpoint
            .labels
            .into_iter()
            .filter(|l| now - l.at <= label_ttl)
            .map(|l| ((l.tenant.clone(), l.label.clone()), l))
            .collect();

        let mut hot = HotStore::default();
        let mut next_lsn = checkpoint.through_lsn + 1;
        let mut floor = checkpoint.through_lsn;
        let mut frames: Vec<(TenantId, Frame)> = Vec::new();
        let mut watermarks: HashMap<PartKey, u64> = HashMap::new();
        let mut replayed = 0usize;
        for (first, path) in wal::segments(&wal_dir)? {
            next_lsn = next_lsn.max(first);
            for record in wal::read_segment(&path)? {
                let h = record.header;
                next_lsn = next_lsn.max(h.lsn + 1);
                if let Some(label) = &h.label
                    && now - h.at <= label_ttl
                {
                    let entry = LabelEntry {
                        tenant: h.tenant.clone(),
                        label: label.clone(),
                        table: h.table.clone(),
                        digest: h.digest.clone(),
                        response: h.response.clone(),
                        at: h.at,
                    };
                    labels.insert((h.tenant.clone(), label.clone()), entry);
                }
                if h.lsn <= checkpoint.through_lsn {
                    continue;
                }
                let Some(meta) = table_meta(&dir, &config, &h.table) else {
                    tracing::warn!(table = %h.table, lsn = h.lsn, "WAL record of an unknown table skipped");
                    floor = floor.max(h.lsn);
                    continue;
                };
                let parts =
                    hot::split_by_day(&record.batch, meta.day_column).map_err(|e| LiveError::Format(e.to_string()))?;
                let mut kept = Vec::new();
                for (date, batch) in parts {
                    let key = PartKey { tenant: h.tenant.clone(), table: h.table.clone(), date };
                    let mark = *watermarks
                        .entry(key.clone())
                        .or_insert_with(|| dir.partition_file(&h.table, &h.tenant, date, 0).map_or(0, watermark));
                    if h.lsn > mark {
                        hot.insert(key, h.lsn, batch.clone());
                        kept.push((hub::partition_id(&h.tenant, date), batch));
                    }
                }
                if kept.is_empty() {
                    floor = floor.max(h.lsn);
                } else {
                    replayed += 1;
                    frames.push((h.tenant.clone(), Frame::new(h.lsn, h.table.clone(), kept)));
                }
            }
        }
        let applied = next_lsn - 1;
        let hub = Hub::new(config.ring_frames, config.client_queue, floor);
        for (tenant, frame) in frames {
            hub.publish(&tenant, frame);
        }
        hub.note_seq(applied);
        tracing::info!(records = replayed, next_lsn, labels = labels.len(), "write-ahead log replayed");
        let segment = wal::Segment::open(&wal_dir, next_lsn)?;
        let (commits, receiver) = commit::Committer::new();
        let live = Arc::new(Self {
            config,
            wal_dir,
            view: tokio::sync::RwLock::new(View { dir: Arc::new(dir), hot, applied }),
            labels: Mutex::new(labels),
            hub,
            commits,
            compaction: tokio::sync::Mutex::new(()),
        });
        commit::spawn_writer(Arc::downgrade(&live), receiver, segment, next_lsn)?;
        Ok(live)
    }

    /// The configuration.
    pub fn config(&self) -> &LiveConfig {
        &self.config
    }

    /// What ingest needs to know about `table`, if the warehouse has it.
    pub async fn table(&self, table: &str) -> Option<TableMeta> {
        table_meta(&self.view.read().await.dir, &self.config, table)
    }

    /// Group-commit statistics since start.
    pub fn commit_stats(&self) -> CommitStats {
        self.commits.stats()
    }

    /// The answer already given to `label` of `tenant`, if the same body was accepted under it;
    /// a conflict if another body was.
    pub fn earlier_answer(
        &self,
        tenant: &TenantId,
        label: &str,
        digest: &str,
    ) -> Result<Option<serde_json::Value>, LiveError> {
        let labels = self.labels.lock().expect("poisoned");
        match labels.get(&(tenant.clone(), label.to_owned())) {
            Some(entry) if entry.digest == digest => Ok(Some(entry.response.clone())),
            Some(_) => Err(LiveError::LabelConflict(label.to_owned())),
            None => Ok(None),
        }
    }

    /// Spawns the background compactor (every `compact_interval`), if one is configured. It
    /// stops when the `Live` is dropped.
    pub fn spawn_compactor(self: &Arc<Self>) {
        let Some(every) = self.config.compact_interval else { return };
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(live) = weak.upgrade() else { break };
                match live.compact().await {
                    Ok(report) if report.partitions_written + report.partitions_expired > 0 => {
                        tracing::info!(?report, "compacted");
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "compaction failed"),
                }
            }
        });
    }
}

/// The meta of `table` in `dir`, with the configured upsert rule resolved.
fn table_meta(dir: &ParquetDir, config: &LiveConfig, table: &str) -> Option<TableMeta> {
    let (schema, dated) = dir.table_schema(table)?;
    let upsert = config.upserts.get(table).and_then(|rule| {
        let key = schema.index_of(&rule.key).ok()?;
        let version = schema.index_of(&rule.version).ok()?;
        Some(UpsertColumns { key, version })
    });
    let day_column = if dated { hot::day_column(&schema) } else { None };
    Some(TableMeta { schema, day_column, upsert })
}

/// The last log record folded into a compacted Parquet file (0 for files never compacted).
fn watermark(path: &Path) -> u64 {
    use parquet::file::reader::FileReader;
    let read = || -> Option<u64> {
        let reader = parquet::file::reader::SerializedFileReader::new(std::fs::File::open(path).ok()?).ok()?;
        let kv = reader.metadata().file_metadata().key_value_metadata()?;
        kv.iter().find(|kv| kv.key == WATERMARK_KEY)?.value.as_deref()?.parse().ok()
    };
    read().unwrap_or(0)
}
