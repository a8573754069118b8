//! The API in-process through `Router::oneshot`, over a small hand-made Parquet warehouse whose
//! every row is known: catalogue, manifests, projection, date pruning, ETag/304, tenant
//! isolation and error bodies.

mod fixture;

use arrow_array::{Float64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow_ipc::reader::StreamReader;
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use fixture::write_parquet;
use http_body_util::BodyExt;
use quiver_server::auth::TokenKey;
use quiver_server::warehouse::parquet_dir::ParquetDir;
use quiver_server::{AppState, router};
use quiver_shared::auth::Role;
use quiver_shared::catalog::{Catalog, ColumnRole};
use quiver_shared::error::ErrorBody;
use quiver_shared::partition::PartitionManifest;
use quiver_shared::tenant::TenantId;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;

const SECRET: &[u8] = b"test-secret-test-secret-test-sec";

/// One day of a tenant's `events`: (day, rows). Row `i` of a day has user `u<i % 3>`.
const ACME_DAYS: &[(&str, usize)] = &[("2026-08-01", 5), ("2026-08-02", 6), ("2026-08-03", 7)];
const GLOBEX_DAYS: &[(&str, usize)] = &[("2026-08-01", 2), ("2026-08-02", 3)];

fn events_schema() -> Arc<Schema> {
    let role = |r: &str| HashMap::from([("quiver.role".to_owned(), r.to_owned())]);
    Arc::new(Schema::new(vec![
        Field::new("ts", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false)
            .with_metadata(role("time")),
        // No role metadata: the catalogue must infer `key` from the name.
        Field::new("user_id", DataType::Utf8, false),
        Field::new("event_name", DataType::Utf8, false).with_metadata(role("dimension")),
        Field::new("price", DataType::Float64, true).with_metadata(role("measure")),
    ]))
}

fn write_events(root: &Path, tenant: &str, days: &[(&str, usize)]) {
    for (day_index, (day, rows)) in days.iter().enumerate() {
        let base = 1_785_542_400_000_000 + day_index as i64 * 86_400_000_000;
        let batch = RecordBatch::try_new(
            events_schema(),
            vec![
                Arc::new(
                    TimestampMicrosecondArray::from_iter_values((0..*rows).map(|i| base + i as i64))
                        .with_timezone("UTC"),
                ),
                Arc::new(StringArray::from_iter_values((0..*rows).map(|i| format!("u{}", i % 3)))),
                Arc::new(StringArray::from_iter_values(
                    (0..*rows).map(|i| if i % 2 == 0 { "home" } else { "purchase" }),
                )),
                Arc::new(Float64Array::from_iter((0..*rows).map(|i| (i % 2 == 1).then_some(i as f64)))),
            ],
        )
        .unwrap();
        write_parquet(&root.join(format!("events/tenant={tenant}/date={day}/part-0.parquet")), &batch);
    }
}

fn write_reps(root: &Path, tenant: &str, names: &[&str]) {
    let schema = Arc::new(Schema::new(vec![Field::new("name", DataType::Utf8, false)]));
    let batch = RecordBatch::try_new(schema, vec![Arc::new(StringArray::from(names.to_vec()))]).unwrap();
    write_parquet(&root.join(format!("reps/tenant={tenant}/part-0.parquet")), &batch);
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: bytes::Bytes,
}

impl Answer {
    fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    fn error(&self) -> (StatusCode, String, Option<String>, String) {
        let body: ErrorBody = self.json();
        (self.status, body.error.code, body.error.param, body.error.message)
    }

    fn batches(&self) -> (Arc<Schema>, Vec<RecordBatch>) {
        let reader = StreamReader::try_new(std::io::Cursor::new(self.body.to_vec()), None).unwrap();
        let schema = reader.schema();
        (schema, reader.collect::<Result<Vec<_>, _>>().unwrap())
    }
}

/// The server over a fresh fixture warehouse, plus a key to mint tokens with.
struct TestApp {
    router: axum::Router,
    key: TokenKey,
    _dir: tempfile::TempDir,
}

impl TestApp {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("warehouse");
        write_events(&root, "acme", ACME_DAYS);
        write_events(&root, "globex", GLOBEX_DAYS);
        write_reps(&root, "acme", &["Ann", "Bo", "Chen"]);
        let app_dir = dir.path().join("dist");
        std::fs::create_dir_all(&app_dir).unwrap();
        std::fs::write(app_dir.join("index.html"), "<!doctype html><title>Quiver</title>").unwrap();
        std::fs::write(app_dir.join("quiver-app-0123456789abcdef_bg.wasm"), b"\0asm").unwrap();
        let key = TokenKey::new(SECRET);
        let state = AppState {
            warehouse: Arc::new(ParquetDir::open(root).unwrap()),
            tokens: key.clone(),
            tenants: Arc::new(BTreeMap::new()),
            app_dir: Some(app_dir),
            analyses: Arc::new(tokio::sync::Semaphore::new(2)),
            live: None,
            store: quiver_server::store::Store::open_sqlite(&dir.path().join("quiver.db")).await.unwrap(),
            secure_cookies: false,
        };
        Self { router: router(state), key, _dir: dir }
    }

    fn token(&self, tenant: &str) -> String {
        self.key.mint("tester", &TenantId::new(tenant).unwrap(), Role::Viewer, 600)
    }

    async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> Answer {
        let mut request = Request::get(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self.router.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Answer { status, headers, body }
    }

    async fn get(&self, uri: &str, tenant: &str) -> Answer {
        let auth = format!("Bearer {}", self.token(tenant));
        self.get_with(uri, &[("authorization", &auth)]).await
    }
}

#[tokio::test]
async fn health_needs_no_token() {
    let app = TestApp::new().await;
    assert_eq!(app.get_with("/api/health", &[]).await.status, StatusCode::OK);
}

#[tokio::test]
async fn catalogue_lists_tables_with_roles_and_the_callers_counts_only() {
    let app = TestApp::new().await;
    let catalog: Catalog = app.get("/api/catalog", "acme").await.json();
    assert_eq!(catalog.tenant.id.as_str(), "acme");
    let names: Vec<&str> = catalog.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["events", "reps"]);
    let events = &catalog.tables[0];
    assert_eq!(events.rows, 18);
    assert_eq!(events.partition_keys, ["tenant", "date"]);
    let roles: Vec<(&str, ColumnRole)> = events.columns.iter().map(|c| (c.name.as_str(), c.role)).collect();
    assert_eq!(
        roles,
        [
            ("ts", ColumnRole::Time),
            ("user_id", ColumnRole::Key),
            ("event_name", ColumnRole::Dimension),
            ("price", ColumnRole::Measure)
        ]
    );
    assert_eq!(
        events.date_range.map(|(a, b)| (a.to_string(), b.to_string())),
        Some(("2026-08-01".into(), "2026-08-03".into()))
    );
    assert_eq!(catalog.tables[1].partition_keys, ["tenant"]);
    assert_eq!(catalog.tables[1].rows, 3);

    let globex: Catalog = app.get("/api/catalog", "globex").await.json();
    assert_eq!(globex.tables[0].rows, 5);
    assert_eq!(globex.tables[1].rows, 0, "globex has no reps; acme's must not count");
}

#[tokio::test]
async fn manifest_prunes_by_date_range() {
    let app = TestApp::new().await;
    let all: PartitionManifest = app.get("/api/tables/events/partitions", "acme").await.json();
    assert_eq!(all.partitions.len(), 3);
    assert_eq!(all.total_rows(), 18);
    let some: PartitionManifest =
        app.get("/api/tables/events/partitions?from=2026-08-02&to=2026-08-03", "acme").await.json();
    let ids: Vec<String> = some.partitions.iter().map(|p| p.id.to_string()).collect();
    assert_eq!(ids, ["acme.2026-08-02.0", "acme.2026-08-03.0"]);
    let rows: Vec<u64> = some.partitions.iter().map(|p| p.rows).collect();
    assert_eq!(rows, [6, 7]);
    let open_end: PartitionManifest = app.get("/api/tables/events/partitions?to=2026-08-01", "acme").await.json();
    assert_eq!(open_end.partitions.len(), 1);
    let dims: PartitionManifest = app.get("/api/tables/reps/partitions?from=2026-08-02", "acme").await.json();
    assert_eq!(dims.partitions.len(), 1, "undated tables ignore the date range");
    assert_eq!(dims.partitions[0].id.to_string(), "acme.all.0");
}

#[tokio::test]
async fn partition_stream_has_exactly_the_requested_columns_in_order() {
    let app = TestApp::new().await;
    let answer = app.get("/api/tables/events/partitions/acme.2026-08-02.0?columns=price,user_id", "acme").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers[header::CONTENT_TYPE], "application/vnd.apache.arrow.stream");
    let (schema, batches) = answer.batches();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["price", "user_id"]);
    let batch = arrow_select::concat::concat_batches(&schema, &batches).unwrap();
    assert_eq!(batch.num_rows(), 6);
    assert_eq!(batch.num_columns(), 2);
    let users = batch.column(1).as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!(users.iter().flatten().collect::<Vec<_>>(), ["u0", "u1", "u2", "u0", "u1", "u2"]);

    let (all_schema, _) = app.get("/api/tables/events/partitions/acme.2026-08-02.0", "acme").await.batches();
    assert_eq!(all_schema.fields().len(), 4);
}

#[tokio::test]
async fn partition_stream_is_compressed_when_asked() {
    let app = TestApp::new().await;
    let auth = format!("Bearer {}", app.token("acme"));
    let answer = app
        .get_with(
            "/api/tables/events/partitions/acme.2026-08-03.0",
            &[("authorization", &auth), ("accept-encoding", "gzip")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers[header::CONTENT_ENCODING], "gzip");
    let mut decoded = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&answer.body[..]), &mut decoded).unwrap();
    let reader = StreamReader::try_new(std::io::Cursor::new(decoded), None).unwrap();
    let rows: usize = reader.map(|b| b.unwrap().num_rows()).sum();
    assert_eq!(rows, 7);
}

#[tokio::test]
async fn etag_revalidation_answers_304_per_projection() {
    let app = TestApp::new().await;
    let auth = format!("Bearer {}", app.token("acme"));
    let uri = "/api/tables/events/partitions/acme.2026-08-01.0?columns=ts";
    let first = app.get_with(uri, &[("authorization", &auth)]).await;
    let etag = first.headers[header::ETAG].to_str().unwrap().to_owned();
    let again = app.get_with(uri, &[("authorization", &auth), ("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    let other = app
        .get_with(
            "/api/tables/events/partitions/acme.2026-08-01.0?columns=ts,price",
            &[("authorization", &auth), ("if-none-match", &etag)],
        )
        .await;
    assert_eq!(other.status, StatusCode::OK, "another projection is another representation");
    assert_ne!(other.headers[header::ETAG].to_str().unwrap(), etag);
}

#[tokio::test]
async fn another_tenants_partition_looks_exactly_like_a_missing_one() {
    let app = TestApp::new().await;
    let foreign = app.get("/api/tables/events/partitions/acme.2026-08-03.0", "globex").await;
    let (status, code, param, _) = foreign.error();
    assert_eq!((status, code.as_str(), param.as_deref()), (StatusCode::NOT_FOUND, "unknown_partition", Some("id")));
    // globex has no 2026-08-03 partition of its own: the same answer, byte for byte in shape.
    let missing = app.get("/api/tables/events/partitions/globex.2026-08-03.0", "globex").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.error().1, "unknown_partition");
    assert_eq!(
        foreign.error().3.replace("acme.", "globex."),
        missing.error().3,
        "the message must not reveal that the foreign partition exists"
    );
    // Not even its manifest entries leak.
    let manifest: PartitionManifest = app.get("/api/tables/events/partitions", "globex").await.json();
    assert!(manifest.partitions.iter().all(|p| p.id.tenant.as_str() == "globex"));
    assert_eq!(manifest.total_rows(), 5);
}

#[track_caller]
fn check_error(answer: &Answer, status: StatusCode, code: &str, param: Option<&str>, message_has: &str) {
    let (s, c, p, m) = answer.error();
    assert_eq!((s, c.as_str(), p.as_deref()), (status, code, param), "{m}");
    assert!(m.contains(message_has), "message {m:?} should mention {message_has:?}");
}

#[tokio::test]
async fn bad_requests_get_json_errors_naming_the_parameter() {
    let app = TestApp::new().await;
    let p = "/api/tables/events/partitions";
    check_error(
        &app.get("/api/tables/nope/partitions", "acme").await,
        StatusCode::NOT_FOUND,
        "unknown_table",
        Some("table"),
        "nope",
    );
    check_error(
        &app.get(&format!("{p}/acme.2026-08-01.0?columns=ts,bogus"), "acme").await,
        StatusCode::BAD_REQUEST,
        "unknown_column",
        Some("columns"),
        "bogus",
    );
    check_error(
        &app.get(&format!("{p}/acme.2026-08-01.0?columns=ts,,price"), "acme").await,
        StatusCode::BAD_REQUEST,
        "invalid_columns",
        Some("columns"),
        "empty",
    );
    check_error(
        &app.get(&format!("{p}/acme.2026-08-01.0?columns=ts,ts"), "acme").await,
        StatusCode::BAD_REQUEST,
        "invalid_columns",
        Some("columns"),
        "twice",
    );
    check_error(
        &app.get(&format!("{p}?from=2026-13-01"), "acme").await,
        StatusCode::BAD_REQUEST,
        "invalid_date",
        Some("from"),
        "2026-13-01",
    );
    check_error(
        &app.get(&format!("{p}?from=2026-08-03&to=2026-08-01"), "acme").await,
        StatusCode::BAD_REQUEST,
        "invalid_range",
        Some("to"),
        "before",
    );
    check_error(
        &app.get(&format!("{p}?form=2026-08-01"), "acme").await,
        StatusCode::BAD_REQUEST,
        "unknown_parameter",
        Some("query"),
        "form",
    );
    check_error(
        &app.get(&format!("{p}?to=2026-08-01&to=2026-08-02"), "acme").await,
        StatusCode::BAD_REQUEST,
        "repeated_parameter",
        Some("to"),
        "twice",
    );
    check_error(
        &app.get(&format!("{p}/..%2F..%2Fetc.2026-08-01.0"), "acme").await,
        StatusCode::BAD_REQUEST,
        "invalid_partition_id",
        Some("id"),
        "partition id",
    );
    check_error(&app.get("/api/nope", "acme").await, StatusCode::NOT_FOUND, "unknown_route", Some("path"), "/api/nope");
}

#[tokio::test]
async fn tokens_are_required_and_checked() {
    let app = TestApp::new().await;
    let p = "/api/catalog";
    check_error(&app.get_with(p, &[]).await, StatusCode::UNAUTHORIZED, "token_missing", None, "Bearer");
    check_error(
        &app.get_with(p, &[("authorization", "Bearer nonsense")]).await,
        StatusCode::UNAUTHORIZED,
        "token_invalid",
        None,
        "not valid",
    );
    let expired = app.key.mint("x", &TenantId::new("acme").unwrap(), Role::Admin, -5);
    check_error(
        &app.get_with(p, &[("authorization", &format!("Bearer {expired}"))]).await,
        StatusCode::UNAUTHORIZED,
        "token_expired",
        None,
        "expired",
    );
    let forged =
        TokenKey::new(b"someone-elses-secret-someone-els").mint("x", &TenantId::new("acme").unwrap(), Role::Admin, 600);
    check_error(
        &app.get_with(p, &[("authorization", &format!("Bearer {forged}"))]).await,
        StatusCode::UNAUTHORIZED,
        "token_invalid",
        None,
        "not valid",
    );
}

#[tokio::test]
async fn app_files_are_cached_by_kind_and_unknown_paths_get_the_app() {
    let app = TestApp::new().await;
    let index = app.get_with("/", &[]).await;
    assert_eq!(index.status, StatusCode::OK);
    assert_eq!(index.headers[header::CACHE_CONTROL], "no-cache");
    let wasm = app.get_with("/quiver-app-0123456789abcdef_bg.wasm", &[]).await;
    assert_eq!(wasm.status, StatusCode::OK);
    assert!(wasm.headers[header::CACHE_CONTROL].to_str().unwrap().contains("immutable"));
    let deep = app.get_with("/tables/events?x=1", &[]).await;
    assert_eq!(deep.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&deep.body).contains("<title>Quiver</title>"));
    assert_eq!(deep.headers[header::CACHE_CONTROL], "no-cache");
    assert_eq!(index.headers["referrer-policy"], "no-referrer");
}

impl TestApp {
    async fn post_analyze(&self, body: &str, tenant: Option<&str>) -> Answer {
        let mut request = Request::post("/api/analyze").header("content-type", "application/json");
        if let Some(tenant) = tenant {
            request = request.header("authorization", format!("Bearer {}", self.token(tenant)));
        }
        let response = self.router.clone().oneshot(request.body(Body::from(body.to_owned())).unwrap()).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Answer { status, headers, body }
    }
}

#[tokio::test]
async fn analyze_refuses_bad_specs_naming_the_field() {
    let app = TestApp::new().await;
    let bad = StatusCode::BAD_REQUEST;
    let cases: &[(&str, &str, &str)] = &[
        ("not json", "body", "the body must be"),
        (r#"{"spec":{"kind":"funnel"},"extra":1}"#, "body", "unknown field"),
        (r#"{"spec":{"kind":"crystal_ball"}}"#, "spec.kind", "unknown kind `crystal_ball`"),
        (r#"{"spec":{"kind":"funnel","window_secs":"a week"}}"#, "spec.window_secs", "invalid type"),
        (r#"{"spec":{"kind":"funnel","source":{"table":"nope"}}}"#, "spec.source.table", "no table named `nope`"),
        (r#"{"spec":{"kind":"lead_follow_up"}}"#, "spec.tables.leads", "no table named `leads`"),
    ];
    for (body, param, message) in cases {
        check_error(&app.post_analyze(body, Some("acme")).await, bad, "invalid_spec", Some(param), message);
    }
    let anonymous = app.post_analyze(r#"{"spec":{"kind":"funnel"}}"#, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

/// The same spec over two tenants' tokens counts each tenant's own events only.
#[tokio::test]
async fn analyze_sees_only_the_callers_rows() {
    let app = TestApp::new().await;
    let spec =
        r#"{"spec":{"kind":"distribution","date_range":{"kind":"between","from":"2026-08-01","to":"2026-08-03"}}}"#;
    let events = |answer: Answer| {
        assert_eq!(answer.status, StatusCode::OK, "{}", String::from_utf8_lossy(&answer.body));
        let body: serde_json::Value = answer.json();
        (body["result"]["kind"].clone(), body["result"]["events"].clone(), body["result"]["entities"].clone())
    };
    let acme = events(app.post_analyze(spec, Some("acme")).await);
    let globex = events(app.post_analyze(spec, Some("globex")).await);
    // acme has 5 + 6 + 7 events, globex 2 + 3, each over users u0..u2.
    assert_eq!(acme, (serde_json::json!("distribution"), serde_json::json!(18), serde_json::json!(3)));
    assert_eq!(globex, (serde_json::json!("distribution"), serde_json::json!(5), serde_json::json!(3)));
}
