//! The server in-process over a small Parquet warehouse whose every row is known, with a real
//! metadata store (a SQLite file in a temp dir, or a fresh database of the test PostgreSQL),
//! users of two tenants, and request helpers.

#![allow(dead_code, unreachable_pub)]

pub mod pg;

#[path = "../fixture/mod.rs"]
mod fixture;

use arrow_array::{Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow_ipc::reader::StreamReader;
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use fixture::write_parquet;
use http_body_util::BodyExt;
use quiver_server::auth::TokenKey;
use quiver_server::store::Store;
use quiver_server::warehouse::parquet_dir::ParquetDir;
use quiver_server::{AppState, router};
use quiver_shared::auth::Role;
use quiver_shared::error::ErrorBody;
use quiver_shared::tenant::TenantId;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, LazyLock};
use tower::ServiceExt;

pub const SECRET: &[u8] = b"test-secret-test-secret-test-sec";
pub const PASSWORD: &str = "correct horse battery";
static PASSWORD_HASH: LazyLock<String> = LazyLock::new(|| quiver_server::password::hash(PASSWORD));

/// Which metadata store a test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// acme's `events`: per day, rows `i` with user `u{i % 3}`, `owner_rep_id` 17 for even `i`
/// and 3 for odd, `region` East for `i < 2` else West. So rep 17 owns 3 + 2 = 5 rows, and
/// rep 17 in the East 1 + 1 = 2.
pub const ACME_DAYS: &[(&str, usize)] = &[("2026-08-01", 6), ("2026-08-02", 4)];
/// globex's `events`: one day of 3 rows.
pub const GLOBEX_DAYS: &[(&str, usize)] = &[("2026-08-01", 3)];

fn events_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("ts", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false),
        Field::new("user_id", DataType::Utf8, false),
        Field::new("event_name", DataType::Utf8, false),
        Field::new("owner_rep_id", DataType::Int64, true),
        Field::new("region", DataType::Utf8, false),
    ]))
}

fn write_events(root: &Path, tenant: &str, days: &[(&str, usize)]) {
    for (day_index, (day, rows)) in days.iter().enumerate() {
        let base = 1_785_542_400_000_000 + day_index as i64 * 86_400_000_000;
        let batch = RecordBatch::try_new(
            events_schema(),
            vec![
                Arc::new(
                    TimestampMicrosecondArray::from_iter_values((0..*rows).map(|i| base + i as i64 * 1_000_000))
                        .with_timezone("UTC"),
                ),
                Arc::new(StringArray::from_iter_values((0..*rows).map(|i| format!("u{}", i % 3)))),
                Arc::new(StringArray::from_iter_values(
                    (0..*rows).map(|i| if i % 2 == 0 { "home" } else { "purchase" }),
                )),
                Arc::new(Int64Array::from_iter((0..*rows).map(|i| Some(if i % 2 == 0 { 17 } else { 3 })))),
                Arc::new(StringArray::from_iter_values((0..*rows).map(|i| if i < 2 { "East" } else { "West" }))),
            ],
        )
        .unwrap();
        write_parquet(&root.join(format!("events/tenant={tenant}/date={day}/part-0.parquet")), &batch);
    }
}

/// acme's sales: reps 7 (Ann) and 9 (Bo); leads owned by 7, 9, 7 and nobody.
fn write_sales(root: &Path, tenant: &str) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("rep_id", DataType::Int64, false),
        Field::new("name", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![Arc::new(Int64Array::from(vec![7, 9])), Arc::new(StringArray::from(vec!["Ann", "Bo"]))],
    )
    .unwrap();
    write_parquet(&root.join(format!("reps/tenant={tenant}/part-0.parquet")), &batch);
    let schema = Arc::new(Schema::new(vec![
        Field::new("lead_id", DataType::Int64, false),
        Field::new("owner_rep_id", DataType::Int64, true),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Int64Array::from(vec![1, 2, 3, 4])),
            Arc::new(Int64Array::from(vec![Some(7), Some(9), Some(7), None])),
        ],
    )
    .unwrap();
    write_parquet(&root.join(format!("leads/tenant={tenant}/part-0.parquet")), &batch);
}

/// A response, read whole.
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: bytes::Bytes,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    /// Status and error code.
    pub fn error(&self) -> (StatusCode, String) {
        let body: ErrorBody = serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {} {}", self.status, String::from_utf8_lossy(&self.body)));
        (self.status, body.error.code)
    }

    /// Asserts success and returns the JSON body.
    pub fn ok(&self) -> serde_json::Value {
        assert!(self.status.is_success(), "{}: {}", self.status, String::from_utf8_lossy(&self.body));
        if self.body.is_empty() { serde_json::Value::Null } else { self.json() }
    }

    /// The Arrow IPC body's rows.
    pub fn rows(&self) -> Vec<RecordBatch> {
        assert_eq!(self.status, StatusCode::OK, "{}", String::from_utf8_lossy(&self.body));
        let reader = StreamReader::try_new(std::io::Cursor::new(self.body.to_vec()), None).unwrap();
        reader.collect::<Result<Vec<_>, _>>().unwrap()
    }

    pub fn row_count(&self) -> usize {
        self.rows().iter().map(RecordBatch::num_rows).sum()
    }
}

/// How a request proves who it is.
#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Bearer(String),
    Cookie(String),
}

/// The server over a fresh warehouse and store, with users `{admin,editor,viewer}@{acme,globex}.test`.
pub struct TestApp {
    pub router: axum::Router,
    pub key: TokenKey,
    pub store: Store,
    pub warehouse: Arc<ParquetDir>,
    pub users: BTreeMap<String, String>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// `None` when the backend cannot run here (PostgreSQL not installed; a notice is printed).
    pub async fn new(backend: Backend) -> Option<Self> {
        Self::with_cookies(backend, false).await
    }

    /// Like [`Self::new`], as if served over https when `secure_cookies`.
    pub async fn with_cookies(backend: Backend, secure_cookies: bool) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("warehouse");
        write_events(&root, "acme", ACME_DAYS);
        write_events(&root, "globex", GLOBEX_DAYS);
        write_sales(&root, "acme");
        let app_dir = dir.path().join("dist");
        std::fs::create_dir_all(&app_dir).unwrap();
        std::fs::write(app_dir.join("index.html"), "<!doctype html><title>Quiver</title>").unwrap();
        let store = match backend {
            Backend::Sqlite => Store::open_sqlite(&dir.path().join("quiver.db")).await.unwrap(),
            Backend::Postgres => Store::open(&pg::database_url().await?).await.unwrap(),
        };
        let expected = match backend {
            Backend::Sqlite => quiver_server::store::Backend::Sqlite,
            Backend::Postgres => quiver_server::store::Backend::Postgres,
        };
        assert_eq!(store.backend(), expected);
        let hash = tokio::task::spawn_blocking(|| PASSWORD_HASH.clone()).await.unwrap();
        let mut users = BTreeMap::new();
        for tenant in ["acme", "globex"] {
            for (name, role) in [("admin", Role::Admin), ("editor", Role::Editor), ("viewer", Role::Viewer)] {
                let email = format!("{name}@{tenant}.test");
                let user = store.create_user(&TenantId::new(tenant).unwrap(), &email, &hash, role).await.unwrap();
                users.insert(email, user.id);
            }
        }
        let key = TokenKey::new(SECRET);
        let warehouse = Arc::new(ParquetDir::open(root).unwrap());
        let state = AppState {
            warehouse: warehouse.clone(),
            tokens: key.clone(),
            tenants: Arc::new(BTreeMap::new()),
            app_dir: Some(app_dir),
            analyses: Arc::new(tokio::sync::Semaphore::new(2)),
            store: store.clone(),
            secure_cookies,
            live: None,
        };
        Some(Self { router: router(state), key, store, warehouse, users, _dir: dir })
    }

    pub fn user_id(&self, email: &str) -> String {
        self.users[email].clone()
    }

    pub async fn call(&self, method: &str, uri: &str, auth: &Auth, body: Option<serde_json::Value>) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        match auth {
            Auth::None => {}
            Auth::Bearer(token) => request = request.header(header::AUTHORIZATION, format!("Bearer {token}")),
            Auth::Cookie(cookie) => request = request.header(header::COOKIE, cookie.as_str()),
        }
        let body = match body {
            Some(json) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        let response = self.router.clone().oneshot(request.body(body).unwrap()).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Answer { status, headers, body }
    }

    pub async fn get(&self, uri: &str, auth: &Auth) -> Answer {
        self.call("GET", uri, auth, None).await
    }

    pub async fn post(&self, uri: &str, auth: &Auth, body: serde_json::Value) -> Answer {
        self.call("POST", uri, auth, Some(body)).await
    }

    /// Signs in with the password; the `Cookie` header value to send back.
    pub async fn sign_in(&self, email: &str) -> Auth {
        let answer =
            self.post("/api/sign-in", &Auth::None, serde_json::json!({"email": email, "password": PASSWORD})).await;
        answer.ok();
        let set_cookie = answer.headers.get(header::SET_COOKIE).expect("a session cookie").to_str().unwrap();
        Auth::Cookie(set_cookie.split(';').next().unwrap().to_owned())
    }

    /// A sign-in token (the printed links' kind) for a tenant and role.
    pub fn token(&self, tenant: &str, role: Role) -> Auth {
        Auth::Bearer(self.key.mint("tester", &TenantId::new(tenant).unwrap(), role, 600))
    }
}

/// Runs one async test body against SQLite and, where installed, PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($(#[$meta:meta])* $name:ident, $body:path) => {
        $(#[$meta])*
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                let app = support::TestApp::new(support::Backend::Sqlite).await.unwrap();
                $body(app).await;
            }
            #[tokio::test]
            async fn postgres() {
                if let Some(app) = support::TestApp::new(support::Backend::Postgres).await {
                    $body(app).await;
                }
            }
        }
    };
}
