//! What the live-data tests share: a small warehouse shaped like the demo's (`events`, `leads`
//! for tenants acme and globex), the server over it in-process or on a real port, and a plain
//! HTTP/1 client for real sockets.

#![allow(dead_code, unreachable_pub)]

pub mod socket;

#[path = "../fixture/mod.rs"]
mod fixture;

use arrow_array::{Float64Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use fixture::write_parquet;
use http_body_util::BodyExt;
use quiver_server::auth::TokenKey;
use quiver_server::live::{Live, LiveConfig};
use quiver_server::warehouse::parquet_dir::ParquetDir;
use quiver_server::{AppState, router};
use quiver_shared::auth::Role;
use quiver_shared::error::ErrorBody;
use quiver_shared::partition::PartitionManifest;
use quiver_shared::tenant::TenantId;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;

pub const SECRET: &[u8] = b"test-secret-test-secret-test-sec";
/// 2026-08-01T00:00:00Z in microseconds.
pub const DAY1: i64 = 1_785_542_400_000_000;
pub const DAY_US: i64 = 86_400_000_000;

fn utc() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

fn role(r: &str) -> HashMap<String, String> {
    HashMap::from([("quiver.role".to_owned(), r.to_owned())])
}

pub fn events_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("tenant_id", DataType::Utf8, false).with_metadata(role("dimension")),
        Field::new("ts", utc(), false).with_metadata(role("time")),
        Field::new("user_id", DataType::Utf8, false).with_metadata(role("key")),
        Field::new("event_name", DataType::Utf8, false).with_metadata(HashMap::from([
            ("quiver.role".to_owned(), "dimension".to_owned()),
            ("quiver.enum".to_owned(), "view_item,add_to_cart,purchase".to_owned()),
        ])),
        Field::new("price", DataType::Float64, true).with_metadata(role("measure")),
    ]))
}

pub fn leads_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("lead_id", DataType::Int64, false).with_metadata(role("key")),
        Field::new("tenant_id", DataType::Utf8, false).with_metadata(role("dimension")),
        Field::new("created_at", utc(), false).with_metadata(role("time")),
        Field::new("status", DataType::Utf8, false).with_metadata(role("dimension")),
        Field::new("deal_amount", DataType::Float64, true).with_metadata(role("measure")),
        Field::new("updated_at", utc(), false).with_metadata(role("time")),
    ]))
}

/// `rows` events of `tenant` on day `day` (0 = 2026-08-01), users `base-<i>`.
pub fn events_batch(tenant: &str, day: i64, rows: usize, base: &str) -> RecordBatch {
    RecordBatch::try_new(
        events_schema(),
        vec![
            Arc::new(StringArray::from_iter_values(std::iter::repeat_n(tenant, rows))),
            Arc::new(
                TimestampMicrosecondArray::from_iter_values((0..rows).map(|i| DAY1 + day * DAY_US + i as i64 * 1000))
                    .with_timezone("UTC"),
            ),
            Arc::new(StringArray::from_iter_values((0..rows).map(|i| format!("{base}-{i}")))),
            Arc::new(StringArray::from_iter_values(
                (0..rows).map(|i| if i % 2 == 0 { "view_item" } else { "purchase" }),
            )),
            Arc::new(Float64Array::from_iter((0..rows).map(|i| (i % 2 == 1).then_some(i as f64)))),
        ],
    )
    .unwrap()
}

/// Leads 1..=n of `tenant`, all created on day 0, status `new`, updated at creation.
pub fn leads_batch(tenant: &str, n: i64) -> RecordBatch {
    RecordBatch::try_new(
        leads_schema(),
        vec![
            Arc::new(Int64Array::from_iter_values(1..=n)),
            Arc::new(StringArray::from_iter_values((0..n).map(|_| tenant))),
            Arc::new(TimestampMicrosecondArray::from_iter_values((0..n).map(|i| DAY1 + i)).with_timezone("UTC")),
            Arc::new(StringArray::from_iter_values((0..n).map(|_| "new"))),
            Arc::new(Float64Array::from_iter((0..n).map(|_| None::<f64>))),
            Arc::new(TimestampMicrosecondArray::from_iter_values((0..n).map(|i| DAY1 + i)).with_timezone("UTC")),
        ],
    )
    .unwrap()
}

/// The fixture warehouse under `<data>/warehouse`: acme events on days 0 and 1 (10 and 20
/// rows), globex events on day 0 (5 rows), 3 leads each.
pub fn write_warehouse(data: &Path) {
    let root = data.join("warehouse");
    let ev = |t: &str, day: i64, rows| {
        let date = format!("2026-08-0{}", day + 1);
        write_parquet(
            &root.join(format!("events/tenant={t}/date={date}/part-0.parquet")),
            &events_batch(t, day, rows, "seed"),
        );
    };
    ev("acme", 0, 10);
    ev("acme", 1, 20);
    ev("globex", 0, 5);
    for t in ["acme", "globex"] {
        write_parquet(&root.join(format!("leads/tenant={t}/date=2026-08-01/part-0.parquet")), &leads_batch(t, 3));
    }
}

/// A config for tests: no background compaction, small queues.
pub fn test_config() -> LiveConfig {
    LiveConfig { compact_interval: None, ..LiveConfig::default() }
}

pub fn token(tenant: &str, role: Role) -> String {
    TokenKey::new(SECRET).mint("tester", &TenantId::new(tenant).unwrap(), role, 3600)
}

/// An answer, read whole.
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: bytes::Bytes,
}

impl Answer {
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn value(&self) -> serde_json::Value {
        self.json()
    }

    pub fn error_code(&self) -> String {
        self.json::<ErrorBody>().error.code
    }

    pub fn batches(&self) -> Vec<RecordBatch> {
        let reader = arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(self.body.to_vec()), None).unwrap();
        reader.collect::<Result<Vec<_>, _>>().unwrap()
    }

    pub fn rows(&self) -> usize {
        self.batches().iter().map(RecordBatch::num_rows).sum()
    }
}

/// The server over a fixture data directory, in-process.
pub struct TestApp {
    pub router: axum::Router,
    pub live: Arc<Live>,
    /// The metadata store (users, row rules).
    pub store: quiver_server::store::Store,
    pub dir: tempfile::TempDir,
}

/// The metadata store of a test server in `dir`, opened from synchronous code: on a runtime of
/// its own that lives as long as the test process, so that the pool's background tasks do too.
fn store(dir: &std::path::Path) -> quiver_server::store::Store {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    let path = dir.join("quiver.db");
    std::thread::scope(|s| {
        s.spawn(|| {
            let runtime = RUNTIME.get_or_init(|| tokio::runtime::Runtime::new().expect("a tokio runtime"));
            runtime.block_on(quiver_server::store::Store::open_sqlite(&path)).expect("opens the SQLite store")
        })
        .join()
        .expect("the store thread does not panic")
    })
}

impl TestApp {
    pub fn new() -> Self {
        Self::with_config(test_config())
    }

    pub fn with_config(config: LiveConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        write_warehouse(dir.path());
        Self::open(dir, config)
    }

    /// Opens (or re-opens, after a simulated restart) the server on `dir`.
    pub fn open(dir: tempfile::TempDir, config: LiveConfig) -> Self {
        let warehouse = ParquetDir::open(dir.path().join("warehouse")).unwrap();
        let live = Live::open(dir.path(), warehouse, config).unwrap();
        let store = store(dir.path());
        let state = AppState {
            warehouse: live.clone(),
            tokens: TokenKey::new(SECRET),
            tenants: Arc::new(BTreeMap::new()),
            app_dir: None,
            analyses: Arc::new(tokio::sync::Semaphore::new(2)),
            live: Some(live.clone()),
            store: store.clone(),
            secure_cookies: false,
        };
        Self { router: router(state), live, store, dir }
    }

    /// Drops this server and opens a new one on the same directory (the log is replayed).
    pub fn restart(self, config: LiveConfig) -> Self {
        let Self { router, live, store, dir } = self;
        drop(router);
        drop(live);
        drop(store);
        Self::open(dir, config)
    }

    pub async fn request(&self, request: Request<Body>) -> Answer {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Answer { status, headers, body }
    }

    /// `POST /api/ingest/{table}` as `tenant` (an editor).
    pub async fn ingest(
        &self,
        tenant: &str,
        table: &str,
        content_type: &str,
        label: Option<&str>,
        body: impl Into<Body>,
    ) -> Answer {
        let mut request = Request::post(format!("/api/ingest/{table}"))
            .header("authorization", format!("Bearer {}", token(tenant, Role::Editor)))
            .header("content-type", content_type);
        if let Some(label) = label {
            request = request.header("idempotency-key", label);
        }
        self.request(request.body(body.into()).unwrap()).await
    }

    pub async fn ingest_json(&self, tenant: &str, table: &str, label: Option<&str>, lines: &str) -> Answer {
        self.ingest(tenant, table, "application/x-ndjson", label, lines.to_owned()).await
    }

    pub async fn get(&self, tenant: &str, uri: &str, headers: &[(&str, &str)]) -> Answer {
        let mut request = Request::get(uri).header("authorization", format!("Bearer {}", token(tenant, Role::Viewer)));
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        self.request(request.body(Body::empty()).unwrap()).await
    }

    pub async fn manifest(&self, tenant: &str, table: &str) -> PartitionManifest {
        let answer = self.get(tenant, &format!("/api/tables/{table}/partitions"), &[]).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", String::from_utf8_lossy(&answer.body));
        answer.json()
    }

    /// Every row of `tenant`'s `table`, read through the API partition by partition.
    pub async fn all_rows(&self, tenant: &str, table: &str) -> Vec<RecordBatch> {
        let mut out = Vec::new();
        for p in self.manifest(tenant, table).await.partitions {
            let answer = self.get(tenant, &format!("/api/tables/{table}/partitions/{}", p.id), &[]).await;
            assert_eq!(answer.status, StatusCode::OK);
            out.extend(answer.batches());
        }
        out
    }
}

/// The values of a text column over batches.
pub fn strings(batches: &[RecordBatch], column: &str) -> Vec<String> {
    use arrow_array::cast::AsArray;
    batches
        .iter()
        .flat_map(|b| {
            b.column_by_name(column)
                .unwrap()
                .as_string::<i32>()
                .iter()
                .map(|v| v.unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// An Arrow IPC stream of `batch`.
pub fn ipc(batch: &RecordBatch) -> Vec<u8> {
    let mut out = Vec::new();
    let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut out, &batch.schema()).unwrap();
    writer.write(batch).unwrap();
    writer.finish().unwrap();
    drop(writer);
    out
}

/// JSON lines of `n` acme-style events on day `day`, users `<base>-<i>`.
pub fn event_lines(day: i64, n: usize, base: &str) -> String {
    (0..n)
        .map(|i| {
            let ts = chrono::DateTime::from_timestamp_micros(DAY1 + day * DAY_US + 3_600_000_000 + i as i64).unwrap();
            format!(
                r#"{{"ts":"{}","user_id":"{base}-{i}","event_name":"purchase","price":{}}}"#,
                ts.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                i as f64 + 0.5
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Plain HTTP/1 over a fresh connection: (status, body).
pub async fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> std::io::Result<(u16, bytes::Bytes)> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .map_err(std::io::Error::other)?;
    tokio::spawn(connection);
    let mut request = axum::http::Request::builder().method(method).uri(path).header("host", addr.to_string());
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let request = request.body(http_body_util::Full::new(bytes::Bytes::from(body))).unwrap();
    let response = sender.send_request(request).await.map_err(std::io::Error::other)?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.map_err(std::io::Error::other)?.to_bytes();
    Ok((status, body))
}
