//! Runs SQL over Arrow IPC partitions with Apache DataFusion, inside the browser.
//!
//! The engine is deliberately small: decode IPC, register tables, run SQL, and turn results into
//! a grid of typed cells the UI can format for the user's locale.
//!
//! **Architecture Invariant:** every plan the engine runs executes on one thread without a tokio
//! reactor. DataFusion spawns tokio tasks for plans with more than one partition
//! (apache/datafusion#15599), which panics in wasm. We keep plans single-partition
//! (`target_partitions = 1`, one-partition `MemTable`s) and run every query inside a
//! current-thread tokio runtime, so that the operators that still spawn (UNION ALL merges,
//! `CREATE TABLE AS`) run their tasks on it instead of panicking.

mod count_distinct;
mod date_trunc;
mod distinct;
mod grid;
mod rollup;

pub use datafusion::arrow::record_batch::RecordBatch;
pub use distinct::{DISTINCT_SET, DISTINCT_SET_UNION, DISTINCT_SET_UNION_COUNT};
pub use grid::{Grid, GridCell, GridColumn};
pub use rollup::{KeptGroups, refresh_pivot};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::ipc::reader::StreamReader;
use datafusion::datasource::{MemTable, TableProvider};
use datafusion::execution::context::{SQLOptions, SessionConfig, SessionContext};
use std::collections::HashMap;
use std::io::Cursor;
use std::sync::{Arc, Mutex};

/// What can go wrong in the engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The bytes are not a valid Arrow IPC stream (a truncated download, or not Arrow at all):
    /// an outside system's fault.
    #[error("the data is not a valid Arrow IPC stream: {0}")]
    Decode(String),
    /// The query is wrong (syntax, unknown table or column, type error): the user's input.
    #[error("{0}")]
    Query(String),
    /// Rows appended to a table lack one of its columns, or have a column of a type that does
    /// not convert: the pushing server's fault (or a table reloaded with other columns).
    #[error("the new rows do not fit table {table}: {reason}")]
    Append {
        /// The table appended to.
        table: String,
        /// What does not fit.
        reason: String,
    },
    /// Batches registered for one table disagree on their schema: our bug.
    #[error("the partitions of table {table} have different columns: {reason}")]
    Schema {
        /// The table being registered.
        table: String,
        /// What DataFusion said.
        reason: String,
    },
    /// The engine could not start its executor: our bug or an unsupported browser.
    #[error("the query engine could not start: {0}")]
    Runtime(String),
}

/// A decoded Arrow IPC stream.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The stream's schema (present even when there are no rows).
    pub schema: SchemaRef,
    /// The record batches, in stream order.
    pub batches: Vec<RecordBatch>,
}

impl Decoded {
    /// Rows over all batches.
    pub fn rows(&self) -> usize {
        self.batches.iter().map(|b| b.num_rows()).sum()
    }
}

/// Decodes one Arrow IPC stream (`application/vnd.apache.arrow.stream`).
pub fn decode_ipc_stream(bytes: &[u8]) -> Result<Decoded, EngineError> {
    let reader = StreamReader::try_new(Cursor::new(bytes), None).map_err(|e| EngineError::Decode(e.to_string()))?;
    let schema = reader.schema();
    let batches = reader.collect::<Result<Vec<_>, _>>().map_err(|e| EngineError::Decode(e.to_string()))?;
    Ok(Decoded { schema, batches })
}

/// The result of one query.
#[derive(Debug, Clone)]
pub struct QueryOutput {
    /// The result's schema.
    pub schema: SchemaRef,
    /// The result's batches.
    pub batches: Vec<RecordBatch>,
}

impl QueryOutput {
    /// Rows over all batches.
    pub fn rows(&self) -> usize {
        self.batches.iter().map(|b| b.num_rows()).sum()
    }

    /// The first `limit` rows as a grid of typed cells.
    pub fn to_grid(&self, limit: usize) -> Grid {
        Grid::from_batches(&self.schema, &self.batches, limit)
    }
}

/// A DataFusion session over in-memory tables.
pub struct Engine {
    ctx: SessionContext,
    runtime: tokio::runtime::Runtime,
    interner: distinct::SharedInterner,
    /// The tables registered through [`Engine::register`], so that [`Engine::append`] can add
    /// batches to them in place.
    tables: Mutex<HashMap<String, Arc<MemTable>>>,
}

impl Engine {
    /// Creates an engine with single-partition execution (see the crate docs for why).
    pub fn new() -> Result<Self, EngineError> {
        let config = SessionConfig::new()
            .with_target_partitions(1)
            .with_repartition_joins(false)
            .with_repartition_aggregations(false)
            .with_repartition_windows(false)
            .with_repartition_sorts(false)
            .with_repartition_file_scans(false)
            .with_information_schema(true);
        let runtime =
            tokio::runtime::Builder::new_current_thread().build().map_err(|e| EngineError::Runtime(e.to_string()))?;
        let ctx = SessionContext::new_with_config(config);
        let interner = distinct::SharedInterner::default();
        ctx.register_udaf(distinct::DistinctSet::udaf(interner.clone()));
        ctx.register_udaf(distinct::DistinctSetUnionCount::udaf());
        ctx.register_udaf(distinct::DistinctSetUnionCount::union_udaf());
        ctx.register_udf(date_trunc::DateTrunc::udf());
        let count = Arc::new(distinct::DistinctSet::count_udaf(interner.clone()));
        ctx.register_udaf(count.as_ref().clone());
        ctx.add_analyzer_rule(Arc::new(count_distinct::CountDistinctBySets::new(count)));
        Ok(Self { ctx, runtime, interner, tables: Mutex::default() })
    }

    /// Registers (or replaces) a table made of these batches, as one partition.
    pub fn register(&self, table: &str, schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<(), EngineError> {
        // The batches (sharing their data), to keep their strings' ids once the table is in.
        let loaded = batches.clone();
        let mem = MemTable::try_new(schema, vec![batches])
            .map_err(|e| EngineError::Schema { table: table.to_owned(), reason: e.to_string() })?;
        // A table name is a user-visible identifier; keep its case as given.
        let reference = datafusion::common::TableReference::bare(table);
        let mem = Arc::new(mem);
        self.ctx.deregister_table(reference.clone()).map_err(|e| EngineError::Query(e.to_string()))?;
        self.ctx.register_table(reference, mem.clone()).map_err(|e| EngineError::Query(e.to_string()))?;
        self.lock_tables().insert(table.to_owned(), mem);
        distinct::lock(&self.interner).mark(table, columns(&loaded), true);
        Ok(())
    }

    /// Appends rows to a table registered with [`Engine::register`], in place: the table's one
    /// partition gets the new batches after its old ones, which are neither copied nor
    /// re-registered, so an append costs the size of the new rows only. The rows are matched to
    /// the table's columns by name (extra columns are dropped, as a load of some columns has
    /// fewer than a push of whole rows) and converted to the table's types. Returns the batches
    /// as appended (the table's columns only); an unknown table is an error (the caller decides
    /// whether that matters).
    pub fn append(&self, table: &str, batches: &[RecordBatch]) -> Result<Vec<RecordBatch>, EngineError> {
        let Some(mem) = self.lock_tables().get(table).cloned() else {
            return Err(EngineError::Append { table: table.to_owned(), reason: "it is not loaded".to_owned() });
        };
        let schema = mem.schema();
        let fitted = batches
            .iter()
            .filter(|b| b.num_rows() > 0)
            .map(|b| fit(b, &schema).map_err(|reason| EngineError::Append { table: table.to_owned(), reason }))
            .collect::<Result<Vec<_>, _>>()?;
        let Some(partition) = mem.batches.first().cloned() else {
            return Err(EngineError::Append { table: table.to_owned(), reason: "it has no partition".to_owned() });
        };
        // The lock is tokio's; nothing else holds it between statements on this one thread.
        let appended = fitted.clone();
        distinct::lock(&self.interner).mark(table, columns(&appended), false);
        self.runtime.block_on(async move { partition.write().await.extend(fitted) });
        Ok(appended)
    }

    /// Changes whenever the ids behind sets of distinct values are forgotten (an
    /// [`Engine::sql`] after more than 4M distinct values got ids); see
    /// [`Engine::sql_keeping_ids`].
    pub fn id_epoch(&self) -> u64 {
        distinct::lock(&self.interner).epoch()
    }

    /// The columns of a table registered with [`Engine::register`].
    pub fn table_schema(&self, table: &str) -> Option<SchemaRef> {
        self.lock_tables().get(table).map(|m| m.schema())
    }

    fn lock_tables(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<MemTable>>> {
        // The map is only ever replaced entry by entry, so a panic elsewhere leaves it usable.
        self.tables.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds an aggregate function (the analyses' `window_funnel`, …) to every later statement.
    pub fn register_udaf(&self, udaf: datafusion::logical_expr::AggregateUDF) {
        self.ctx.register_udaf(udaf);
    }

    /// Adds a scalar function to every later statement.
    pub fn register_udf(&self, udf: datafusion::logical_expr::ScalarUDF) {
        self.ctx.register_udf(udf);
    }

    /// Names of the registered tables, sorted.
    pub fn tables(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .ctx
            .catalog("datafusion")
            .and_then(|c| c.schema("public"))
            .map(|s| s.table_names())
            .unwrap_or_default();
        names.sort();
        names
    }

    /// Runs one SQL statement. Queries, views and `CREATE TABLE AS` are allowed; statements
    /// that change session settings or write files are refused. Besides DataFusion's functions,
    /// the aggregates `distinct_set` and `distinct_set_union_count` are there (see
    /// [`DISTINCT_SET`]).
    pub fn sql(&self, query: &str) -> Result<QueryOutput, EngineError> {
        // Ids are kept across statements unless there are too many (see `distinct`).
        distinct::lock(&self.interner).bound();
        self.sql_keeping_ids(query)
    }

    /// Like [`Engine::sql`], but the ids behind sets of distinct values stay those of the
    /// previous statements, so that sets made by this statement and by earlier ones can be
    /// united (a pivot's kept partials and a live delta's). Valid while [`Engine::id_epoch`] has
    /// not changed since those statements; an [`Engine::sql`] may change it, this never does.
    pub fn sql_keeping_ids(&self, query: &str) -> Result<QueryOutput, EngineError> {
        let options = SQLOptions::new().with_allow_ddl(true).with_allow_dml(false).with_allow_statements(false);
        let ctx = self.ctx.clone();
        self.runtime.block_on(async move {
            let df = ctx.sql_with_options(query, options).await.map_err(query_error)?;
            let schema: SchemaRef = Arc::new(df.schema().as_arrow().clone());
            let batches = df.collect().await.map_err(query_error)?;
            Ok(QueryOutput { schema, batches })
        })
    }
}

/// Every column of `batches`.
fn columns(batches: &[RecordBatch]) -> impl Iterator<Item = &dyn datafusion::arrow::array::Array> {
    batches.iter().flat_map(|b| b.columns().iter().map(|c| c.as_ref()))
}

/// `batch` with exactly `schema`'s columns, found by name and cast to its types.
fn fit(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch, String> {
    use datafusion::arrow::compute::cast;
    let columns = schema
        .fields()
        .iter()
        .map(|field| {
            let column = batch.column_by_name(field.name()).ok_or_else(|| format!("no column {:?}", field.name()))?;
            if column.data_type() == field.data_type() {
                Ok(column.clone())
            } else {
                cast(column, field.data_type()).map_err(|e| format!("column {:?}: {e}", field.name()))
            }
        })
        .collect::<Result<Vec<_>, String>>()?;
    RecordBatch::try_new(schema.clone(), columns).map_err(|e| e.to_string())
}

fn query_error(e: datafusion::error::DataFusionError) -> EngineError {
    // DataFusion prefixes messages with the layer ("Error during planning: ..."); keep the text
    // the user can act on, and strip the backtrace marker if present.
    let text = e.to_string();
    EngineError::Query(text.split("\n\nbacktrace").next().unwrap_or(&text).to_owned())
}
