//! Ingest through the API in-process over real files in a temp directory: validation with
//! nothing written on refusal, idempotency labels, hot and compacted rows read together,
//! upserts, TTL, and replay after a restart.

mod common;

use axum::http::StatusCode;
use common::*;
use quiver_shared::auth::Role;

/// The rows and ETags of acme's events before anything is ingested.
const ACME_EVENTS: u64 = 30;

/// Posts `body` as JSON lines and expects a 422 listing exactly `expected` (row, field, a
/// fragment of the reason); then checks that nothing was written.
#[track_caller]
fn check_rejected(body: &str, expected: &[(Option<usize>, Option<&str>, &str)]) {
    let body = body.to_owned();
    let expected: Vec<(Option<usize>, Option<String>, String)> =
        expected.iter().map(|(r, f, m)| (*r, f.map(str::to_owned), (*m).to_owned())).collect();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async move {
        let app = TestApp::new();
        let answer = app.ingest_json("acme", "events", None, &body).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", String::from_utf8_lossy(&answer.body));
        let value = answer.value();
        assert_eq!(value["error"]["code"], "invalid_rows");
        let rows = value["error"]["rows"].as_array().unwrap();
        assert_eq!(rows.len(), expected.len(), "{value:#}");
        for (got, (row, field, reason)) in rows.iter().zip(&expected) {
            assert_eq!(got["row"].as_u64().map(|r| r as usize), *row, "{got}");
            assert_eq!(got["field"].as_str().map(str::to_owned), *field, "{got}");
            let text = got["reason"].as_str().unwrap();
            assert!(text.contains(reason.as_str()), "reason {text:?} should mention {reason:?}");
        }
        assert_eq!(app.manifest("acme", "events").await.total_rows(), ACME_EVENTS, "nothing may be written");
    });
}

const OK_ROW: &str = r#"{"ts":"2026-08-01T10:00:00Z","user_id":"u1","event_name":"purchase","price":9.5}"#;

#[test]
fn malformed_json_is_refused_by_line() {
    check_rejected(&format!("{OK_ROW}\n{{\"ts\": \n{OK_ROW}"), &[(Some(2), None, "malformed JSON")]);
    check_rejected(&format!("{OK_ROW}\n[1,2]"), &[(Some(2), None, "expected a JSON object")]);
}

#[test]
fn wrong_types_are_refused_by_row_and_field() {
    check_rejected(
        r#"{"ts":"yesterday","user_id":"u1","event_name":"purchase"}"#,
        &[(Some(1), Some("ts"), "RFC 3339")],
    );
    check_rejected(
        &format!(
            "{OK_ROW}\n{{\"ts\":\"2026-08-01T10:00:00Z\",\"user_id\":7,\"event_name\":\"purchase\",\"price\":\"cheap\"}}"
        ),
        &[(Some(2), Some("user_id"), "expected a string"), (Some(2), Some("price"), "expected a number")],
    );
}

#[test]
fn unknown_columns_and_missing_required_fields_are_refused() {
    check_rejected(
        r#"{"ts":"2026-08-01T10:00:00Z","user_id":"u1","event_name":"purchase","colour":"red"}"#,
        &[(Some(1), Some("colour"), "unknown column")],
    );
    check_rejected(
        r#"{"ts":"2026-08-01T10:00:00Z","event_name":"purchase"}"#,
        &[(Some(1), Some("user_id"), "required")],
    );
    check_rejected(
        r#"{"ts":"2026-08-01T10:00:00Z","user_id":null,"event_name":"purchase"}"#,
        &[(Some(1), Some("user_id"), "required")],
    );
}

#[test]
fn enum_values_outside_the_list_are_refused() {
    check_rejected(
        r#"{"ts":"2026-08-01T10:00:00Z","user_id":"u1","event_name":"teleport"}"#,
        &[(Some(1), Some("event_name"), "not one of: view_item, add_to_cart, purchase")],
    );
}

#[test]
fn rows_of_another_tenant_are_refused() {
    check_rejected(
        &format!(
            "{OK_ROW}\n{{\"tenant_id\":\"globex\",\"ts\":\"2026-08-01T10:00:00Z\",\"user_id\":\"u1\",\"event_name\":\"purchase\"}}"
        ),
        &[(Some(2), Some("tenant_id"), "belongs to tenant 'globex'")],
    );
}

#[tokio::test]
async fn error_lists_are_capped_at_100_with_the_total() {
    let app = TestApp::new();
    let body = (0..250).map(|_| r#"{"user_id":"u"}"#).collect::<Vec<_>>().join("\n");
    let answer = app.ingest_json("acme", "events", None, &body).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    let value = answer.value();
    assert_eq!(value["error"]["rows"].as_array().unwrap().len(), 100);
    // Each row lacks both `ts` and `event_name`.
    assert_eq!(value["error"]["total"], 500);
}

#[tokio::test]
async fn oversized_bodies_get_413_and_write_nothing() {
    let app = TestApp::with_config(quiver_server::live::LiveConfig { max_body_bytes: 4096, ..test_config() });
    let answer = app.ingest_json("acme", "events", None, &event_lines(0, 100, "big")).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.error_code(), "body_too_large");
    // Without a Content-Length (a streamed body) the limit holds all the same.
    let chunks: Vec<Result<String, std::io::Error>> =
        (0..100).map(|i| Ok(event_lines(0, 1, &format!("s{i}")) + "\n")).collect();
    let body = axum::body::Body::from_stream(futures::stream::iter(chunks));
    let answer = app.ingest("acme", "events", "application/x-ndjson", None, body).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.manifest("acme", "events").await.total_rows(), ACME_EVENTS);
}

#[tokio::test]
async fn arrow_streams_are_accepted_and_truncated_ones_refused() {
    let app = TestApp::new();
    let bytes = ipc(&events_batch("acme", 2, 50, "arrow"));
    for cut in [bytes.len() - 4, bytes.len() / 2, 10] {
        let answer =
            app.ingest("acme", "events", "application/vnd.apache.arrow.stream", None, bytes[..cut].to_vec()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "cut at {cut}");
        assert_eq!(answer.error_code(), "malformed_body");
    }
    assert_eq!(app.manifest("acme", "events").await.total_rows(), ACME_EVENTS);

    let answer = app.ingest("acme", "events", "application/vnd.apache.arrow.stream", None, bytes).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", String::from_utf8_lossy(&answer.body));
    assert_eq!(answer.value()["rows"], 50);
    assert_eq!(app.manifest("acme", "events").await.total_rows(), ACME_EVENTS + 50);

    // Another tenant's rows in Arrow are refused like in JSON.
    let answer = app
        .ingest("acme", "events", "application/vnd.apache.arrow.stream", None, ipc(&events_batch("globex", 2, 3, "x")))
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.value()["error"]["total"], 3);
}

#[tokio::test]
async fn viewers_unknown_tables_and_other_media_types_are_refused() {
    let app = TestApp::new();
    let request = axum::http::Request::post("/api/ingest/events")
        .header("authorization", format!("Bearer {}", token("acme", Role::Viewer)))
        .header("content-type", "application/x-ndjson")
        .body(axum::body::Body::from(OK_ROW))
        .unwrap();
    let answer = app.request(request).await;
    assert_eq!((answer.status, answer.error_code().as_str()), (StatusCode::FORBIDDEN, "read_only_role"));

    let answer = app.ingest("acme", "events", "text/csv", None, OK_ROW).await;
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
    );

    let answer = app.ingest_json("acme", "nope", None, OK_ROW).await;
    assert_eq!((answer.status, answer.error_code().as_str()), (StatusCode::NOT_FOUND, "unknown_table"));

    let answer = app.ingest_json("acme", "events", None, "\n\n").await;
    assert_eq!((answer.status, answer.error_code().as_str()), (StatusCode::BAD_REQUEST, "malformed_body"));
    assert_eq!(app.manifest("acme", "events").await.total_rows(), ACME_EVENTS);
}

#[tokio::test]
async fn retries_with_a_label_write_once_and_reuse_for_another_body_is_409() {
    let app = TestApp::new();
    let body = event_lines(0, 7, "retry");
    let first = app.ingest_json("acme", "events", Some("batch-1"), &body).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.headers.get("idempotent-replayed").is_none());
    let again = app.ingest_json("acme", "events", Some("batch-1"), &body).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body, first.body, "a retry gets the original answer");
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(app.manifest("acme", "events").await.total_rows(), ACME_EVENTS + 7);

    let conflict = app.ingest_json("acme", "events", Some("batch-1"), &event_lines(0, 8, "other")).await;
    assert_eq!((conflict.status, conflict.error_code().as_str()), (StatusCode::CONFLICT, "idempotency_key_reused"));

    // Labels are per tenant: globex may use the same one.
    let globex = app.ingest_json("globex", "events", Some("batch-1"), &body).await;
    assert_eq!(globex.status, StatusCode::OK);

    // Concurrent retries of one label: exactly one write.
    let body2 = event_lines(1, 3, "race");
    let answers =
        futures::future::join_all((0..8).map(|_| app.ingest_json("acme", "events", Some("batch-2"), &body2))).await;
    assert!(answers.iter().all(|a| a.status == StatusCode::OK && a.body == answers[0].body));
    assert_eq!(app.manifest("acme", "events").await.total_rows(), ACME_EVENTS + 10);

    // Labels survive a restart, before and after compaction.
    let app = app.restart(test_config());
    assert_eq!(app.ingest_json("acme", "events", Some("batch-1"), &body).await.body, first.body);
    app.live.compact().await.unwrap();
    let app = app.restart(test_config());
    let after = app.ingest_json("acme", "events", Some("batch-1"), &body).await;
    assert_eq!((after.status, &after.body), (StatusCode::OK, &first.body));
    let conflict = app.ingest_json("acme", "events", Some("batch-2"), &body).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert_eq!(app.manifest("acme", "events").await.total_rows(), ACME_EVENTS + 10);
}

#[tokio::test]
async fn hot_and_compacted_rows_are_read_together_and_etags_change() {
    let app = TestApp::new();
    let etag = |a: &Answer| a.headers.get("etag").unwrap().to_str().unwrap().to_owned();
    let day1 = "/api/tables/events/partitions/acme.2026-08-01.0";
    let before = app.get("acme", day1, &[]).await;
    assert_eq!(before.rows(), 10);

    // Day 1 gets 4 more rows; day 4 (no file yet) gets 6.
    app.ingest_json("acme", "events", None, &event_lines(0, 4, "hot")).await;
    app.ingest_json("acme", "events", None, &event_lines(3, 6, "new-day")).await;
    let manifest = app.manifest("acme", "events").await;
    assert_eq!(manifest.total_rows(), ACME_EVENTS + 10);
    let ids: Vec<String> = manifest.partitions.iter().map(|p| p.id.to_string()).collect();
    assert_eq!(ids, ["acme.2026-08-01.0", "acme.2026-08-02.0", "acme.2026-08-04.0"]);
    let hot = app.get("acme", day1, &[]).await;
    assert_eq!(hot.rows(), 14);
    assert!(hot.headers.contains_key("x-quiver-live-seq"));
    assert_ne!(etag(&hot), etag(&before));
    // The projection works on hot rows too.
    let projected = app.get("acme", &format!("{day1}?columns=user_id"), &[]).await;
    assert_eq!(projected.batches()[0].num_columns(), 1);
    let users = strings(&projected.batches(), "user_id");
    assert_eq!(users.iter().filter(|u| u.starts_with("hot-")).count(), 4);
    // Globex sees none of it.
    assert_eq!(app.manifest("globex", "events").await.total_rows(), 5);

    let report = app.live.compact().await.unwrap();
    assert_eq!((report.partitions_written, report.rows_folded), (2, 10));
    let manifest = app.manifest("acme", "events").await;
    assert_eq!(manifest.total_rows(), ACME_EVENTS + 10, "compaction keeps every row");
    let compacted = app.get("acme", day1, &[]).await;
    assert_eq!(compacted.rows(), 14);
    assert_ne!(etag(&compacted), etag(&hot), "compaction changes the version");
    assert!(app.dir.path().join("warehouse/events/tenant=acme/date=2026-08-04/part-0.parquet").is_file());
    // The log segments that were folded are gone.
    let segments = std::fs::read_dir(app.dir.path().join("wal"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".log"))
        .count();
    assert_eq!(segments, 1, "only the current (empty) segment remains");

    // More rows after compaction, then a restart: hot and compacted rows still add up once.
    app.ingest_json("acme", "events", None, &event_lines(0, 1, "late")).await;
    let app = app.restart(test_config());
    assert_eq!(app.manifest("acme", "events").await.total_rows(), ACME_EVENTS + 11);
    assert_eq!(app.get("acme", day1, &[]).await.rows(), 15);
}

fn lead_update(id: i64, status: &str, updated: &str) -> String {
    format!(
        r#"{{"lead_id":{id},"created_at":"2026-08-01T00:00:00.000001Z","status":"{status}","updated_at":"{updated}"}}"#
    )
}

#[tokio::test]
async fn upserts_keep_the_latest_updated_at_before_and_after_compaction() {
    let app = TestApp::new();
    let leads = "/api/tables/leads/partitions/acme.2026-08-01.0";
    let body = [
        lead_update(2, "contacted", "2026-08-02T10:00:00Z"),
        lead_update(2, "won", "2026-08-03T10:00:00Z"),
        // Arrives later but is older: loses.
        lead_update(2, "lost", "2026-08-02T12:00:00Z"),
        lead_update(4, "new", "2026-08-02T09:00:00Z"),
    ]
    .join("\n");
    assert_eq!(app.ingest_json("acme", "leads", None, &body).await.status, StatusCode::OK);
    let check = |batches: Vec<arrow_array::RecordBatch>| {
        use arrow_array::cast::AsArray;
        let mut rows: Vec<(i64, String)> = batches
            .iter()
            .flat_map(|b| {
                let ids = b.column_by_name("lead_id").unwrap().as_primitive::<arrow_array::types::Int64Type>().clone();
                let st = b.column_by_name("status").unwrap().as_string::<i32>().clone();
                (0..b.num_rows()).map(move |i| (ids.value(i), st.value(i).to_owned())).collect::<Vec<_>>()
            })
            .collect();
        rows.sort();
        assert_eq!(rows, [(1, "new".into()), (2, "won".into()), (3, "new".into()), (4, "new".into())]);
    };
    check(app.get("acme", leads, &[]).await.batches());
    assert_eq!(app.manifest("acme", "leads").await.total_rows(), 4);
    app.live.compact().await.unwrap();
    check(app.get("acme", leads, &[]).await.batches());
    assert_eq!(app.manifest("acme", "leads").await.total_rows(), 4);
    // An older update after compaction still loses to the compacted row.
    app.ingest_json("acme", "leads", None, &lead_update(2, "lost", "2026-08-01T12:00:00Z")).await;
    check(app.get("acme", leads, &[]).await.batches());
}

#[tokio::test]
async fn ttl_removes_expired_partitions_at_compaction() {
    let mut config = test_config();
    config.ttl_days.insert("events".into(), 2);
    let app = TestApp::with_config(config.clone());
    // Hot rows on an expired day go too.
    app.ingest_json("acme", "events", None, &event_lines(0, 3, "old")).await;
    app.ingest_json("acme", "events", None, &event_lines(3, 3, "recent")).await;
    // "Today" is 2026-08-04: days before 2026-08-02 are expired.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 8, 4).unwrap();
    let report = app.live.compact_at(today).await.unwrap();
    assert!(report.partitions_expired >= 2, "{report:?}");
    let ids: Vec<String> = app.manifest("acme", "events").await.partitions.iter().map(|p| p.id.to_string()).collect();
    assert_eq!(ids, ["acme.2026-08-02.0", "acme.2026-08-04.0"]);
    assert!(app.manifest("globex", "events").await.partitions.is_empty());
    assert!(!app.dir.path().join("warehouse/events/tenant=acme/date=2026-08-01").exists());
    let app = app.restart(config);
    assert_eq!(app.manifest("acme", "events").await.total_rows(), 23);
}

#[tokio::test]
async fn a_torn_log_tail_is_truncated_on_restart() {
    let app = TestApp::new();
    app.ingest_json("acme", "events", Some("ok"), &event_lines(1, 5, "kept")).await;
    let wal = app.dir.path().join("wal");
    let app = app.restart(test_config());
    // Half a record at the end of the newest non-empty segment, as a crash mid-write leaves it.
    let mut segments: Vec<_> = std::fs::read_dir(&wal)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    segments.sort();
    let last = segments.last().unwrap();
    std::fs::write(last, [200u8, 1, 0, 0, 9, 9, 9, 9, 1, 2, 3]).unwrap();
    let app = app.restart(test_config());
    assert_eq!(app.manifest("acme", "events").await.total_rows(), ACME_EVENTS + 5);
    assert_eq!(std::fs::metadata(last).unwrap().len(), 0, "the torn record is cut off");
    let answer = app.ingest_json("acme", "events", Some("ok"), &event_lines(1, 5, "kept")).await;
    assert_eq!(answer.headers.get("idempotent-replayed").unwrap(), "true");
}

#[tokio::test]
async fn group_commit_shares_fsyncs_between_concurrent_requests() {
    let app = TestApp::new();
    let answers = futures::future::join_all((0..64).map(|i| {
        let body = event_lines(2, 10, &format!("c{i}"));
        let app = &app;
        async move { app.ingest_json("acme", "events", Some(&format!("g{i}")), &body).await }
    }))
    .await;
    assert!(answers.iter().all(|a| a.status == StatusCode::OK));
    let stats = app.live.commit_stats();
    assert_eq!(stats.records, 64);
    println!("64 concurrent requests: {} fsyncs, largest group {}", stats.groups, stats.largest_group);
    assert_eq!(app.manifest("acme", "events").await.total_rows(), ACME_EVENTS + 640);
}
