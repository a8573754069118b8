//! The storage side of Quiver, behind one trait.
//!
//! **Architecture Invariant:** nothing above this trait assumes local files. The Parquet
//! directory ([`parquet_dir`]) is the first implementation; an Arrow Flight SQL one (Apache
//! Doris, StarRocks, Ballista) plugs in beside it. Every call names the tenant, and an
//! implementation must return only that tenant's rows.

pub mod parquet_dir;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use chrono::NaiveDate;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use quiver_shared::catalog::TableInfo;
use quiver_shared::partition::{PartitionId, PartitionInfo};
use quiver_shared::tenant::TenantId;

/// Errors from a warehouse, each saying whose fault it is.
#[derive(Debug, thiserror::Error)]
pub enum WarehouseError {
    /// No table of that name: the caller's input.
    #[error("unknown table '{0}'")]
    UnknownTable(String),
    /// The table has no such column: the caller's input.
    #[error("table '{table}' has no column '{column}'")]
    UnknownColumn {
        /// The table.
        table: String,
        /// The column asked for.
        column: String,
    },
    /// No partition with this id for this tenant: the caller's input.
    #[error("unknown partition '{0}'")]
    PartitionNotFound(String),
    /// Reading storage failed: an outside system (disk, remote engine).
    #[error("storage error: {0}")]
    Io(#[from] std::io::Error),
    /// Stored data could not be decoded: an outside system or our bug.
    #[error("stored data is unreadable: {0}")]
    Format(String),
}

/// An inclusive range of partition dates; `None` ends are open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateRange {
    /// First day included.
    pub from: Option<NaiveDate>,
    /// Last day included.
    pub to: Option<NaiveDate>,
}

impl DateRange {
    /// Whether a partition of this day (or an undated one) is inside the range.
    pub fn contains(&self, date: Option<NaiveDate>) -> bool {
        match date {
            None => true,
            Some(d) => self.from.is_none_or(|f| d >= f) && self.to.is_none_or(|t| d <= t),
        }
    }
}

/// A partition opened for reading: its schema and version are known before any row is read, so
/// a caller can answer `304 Not Modified` without reading data.
pub struct PartitionScan {
    /// The schema of the batches, i.e. exactly the projected columns in the order asked for.
    pub schema: SchemaRef,
    /// The partition's version (changes with its content).
    pub version: String,
    /// For live tables: the sequence number (WAL position) up to which accepted rows are in this
    /// read, so a websocket client can drop pushed rows it already has (`x-quiver-live-seq`).
    pub live_seq: Option<u64>,
    /// The batches, read lazily.
    pub batches: BoxStream<'static, Result<RecordBatch, WarehouseError>>,
}

/// A source of tenant-scoped, partitioned tables.
pub trait Warehouse: Send + Sync + 'static {
    /// All tables, with row counts and sizes of `tenant` only.
    fn tables(&self, tenant: &TenantId) -> BoxFuture<'_, Result<Vec<TableInfo>, WarehouseError>>;

    /// The partitions of `table` that belong to `tenant` and fall inside `range`, oldest first.
    fn partitions<'a>(
        &'a self,
        tenant: &'a TenantId,
        table: &'a str,
        range: DateRange,
    ) -> BoxFuture<'a, Result<Vec<PartitionInfo>, WarehouseError>>;

    /// Opens one partition of `tenant`'s `table`, projected to `columns` (all when `None`).
    /// A partition id of another tenant must fail exactly like an id that does not exist.
    fn scan<'a>(
        &'a self,
        tenant: &'a TenantId,
        table: &'a str,
        partition: &'a PartitionId,
        columns: Option<&'a [String]>,
    ) -> BoxFuture<'a, Result<PartitionScan, WarehouseError>>;
}
