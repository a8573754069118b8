//! Configuration of live data: ingest limits, compaction, per-table upsert keys and TTLs, and the
//! websocket's queues and heartbeats. [`LiveArgs`] are the flags; [`LiveConfig`] what the code
//! reads (tests build it directly).

use std::collections::BTreeMap;
use std::time::Duration;

/// How rows of an upsert table replace each other: the row with the greatest `version` wins
/// among rows with the same `key` (later arrivals win ties).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpsertRule {
    /// The key column, e.g. `lead_id` (Int64 or Utf8).
    pub key: String,
    /// The version column, e.g. `updated_at` (a timestamp or an integer).
    pub version: String,
}

/// Everything live data needs to know.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// Bodies larger than this are refused with 413.
    pub max_body_bytes: usize,
    /// How often the background compactor runs; `None` never (tests call it directly).
    pub compact_interval: Option<Duration>,
    /// Tables whose rows are upserted by key.
    pub upserts: BTreeMap<String, UpsertRule>,
    /// Days a table's partitions are kept (by partition date, in UTC); tables not listed keep all.
    pub ttl_days: BTreeMap<String, u32>,
    /// How long idempotency labels are remembered.
    pub label_ttl: Duration,
    /// Frames each tenant's feed keeps for resuming websockets (`?after=`).
    pub ring_frames: usize,
    /// Frames queued per websocket before the client is told it fell behind.
    pub client_queue: usize,
    /// How often the server pings each websocket; two silent intervals close it.
    pub heartbeat: Duration,
}

impl Default for LiveConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 16 * 1024 * 1024,
            compact_interval: Some(Duration::from_secs(60)),
            upserts: BTreeMap::from([(
                "leads".to_owned(),
                UpsertRule { key: "lead_id".to_owned(), version: "updated_at".to_owned() },
            )]),
            ttl_days: BTreeMap::new(),
            label_ttl: Duration::from_secs(72 * 3600),
            ring_frames: 4096,
            client_queue: 256,
            heartbeat: Duration::from_secs(15),
        }
    }
}

/// Live-data flags of `quiver-server`.
#[derive(clap::Args, Debug, Clone)]
pub struct LiveArgs {
    /// Largest ingest body in bytes; larger ones get 413.
    #[arg(long, env = "QUIVER_INGEST_MAX_BODY", default_value_t = 16 * 1024 * 1024)]
    pub ingest_max_body: usize,
    /// Seconds between compactions of the write-ahead log into Parquet (0: never).
    #[arg(long, env = "QUIVER_COMPACT_SECS", default_value_t = 60)]
    pub compact_secs: u64,
    /// Upsert rule `table=key:version`, repeatable.
    #[arg(long = "upsert", value_parser = parse_upsert, default_value = "leads=lead_id:updated_at")]
    pub upserts: Vec<(String, UpsertRule)>,
    /// Retention `table=days`, repeatable: the compactor removes older partitions.
    #[arg(long = "ttl", value_parser = parse_ttl)]
    pub ttl: Vec<(String, u32)>,
    /// Seconds between websocket pings.
    #[arg(long, env = "QUIVER_HEARTBEAT_SECS", default_value_t = 15)]
    pub heartbeat_secs: u64,
}

impl LiveArgs {
    /// The configuration these flags describe.
    pub fn config(&self) -> LiveConfig {
        LiveConfig {
            max_body_bytes: self.ingest_max_body,
            compact_interval: (self.compact_secs > 0).then(|| Duration::from_secs(self.compact_secs)),
            upserts: self.upserts.iter().cloned().collect(),
            ttl_days: self.ttl.iter().cloned().collect(),
            heartbeat: Duration::from_secs(self.heartbeat_secs.max(1)),
            ..LiveConfig::default()
        }
    }
}

fn parse_upsert(s: &str) -> Result<(String, UpsertRule), String> {
    let err = || format!("'{s}': use table=key:version, e.g. leads=lead_id:updated_at");
    let (table, rest) = s.split_once('=').ok_or_else(err)?;
    let (key, version) = rest.split_once(':').ok_or_else(err)?;
    Ok((table.to_owned(), UpsertRule { key: key.to_owned(), version: version.to_owned() }))
}

fn parse_ttl(s: &str) -> Result<(String, u32), String> {
    let err = || format!("'{s}': use table=days, e.g. events=90");
    let (table, days) = s.split_once('=').ok_or_else(err)?;
    Ok((table.to_owned(), days.parse().map_err(|_| err())?))
}
