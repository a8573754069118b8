//! The websocket push against a real bound socket: fan-out to many clients, tenant isolation,
//! a slow client that does not delay the others, and resuming after a reconnect.

mod common;

use arrow_array::RecordBatch;
use common::*;
use futures::{SinkExt, StreamExt};
use quiver_server::live::LiveConfig;
use quiver_shared::auth::Role;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Serves `app` on a real port.
async fn serve(app: &TestApp) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

#[derive(Debug)]
enum Event {
    Rows { seq: u64, partitions: Vec<String>, batch: RecordBatch },
    Control(Value),
}

struct Client {
    ws: Socket,
    hello: Value,
}

impl Client {
    async fn connect(addr: SocketAddr, tenant: &str, after: Option<u64>) -> Self {
        let mut url = format!("ws://{addr}/api/live?token={}", token(tenant, Role::Viewer));
        if let Some(after) = after {
            url.push_str(&format!("&after={after}"));
        }
        let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let mut client = Self { ws, hello: Value::Null };
        let Event::Control(hello) = client.next().await else { panic!("hello first") };
        assert_eq!(hello["type"], "hello");
        client.hello = hello;
        client
    }

    async fn subscribe(&mut self, table: &str) -> Value {
        let message = json!({"type": "subscribe", "tables": [{"table": table, "from": "2026-08-01", "to": null}]});
        self.ws.send(Message::Text(message.to_string().into())).await.unwrap();
        let Event::Control(answer) = self.next().await else { panic!("subscribe is answered first") };
        answer
    }

    async fn next(&mut self) -> Event {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(20), self.ws.next())
                .await
                .expect("a message within 20 s")
                .expect("socket open")
                .unwrap();
            let Message::Text(text) = message else { continue };
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["type"] != "rows" {
                return Event::Control(value);
            }
            let Message::Binary(bytes) = self.ws.next().await.unwrap().unwrap() else {
                panic!("rows header without rows")
            };
            let reader = arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(bytes.to_vec()), None).unwrap();
            let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().unwrap();
            let batch = arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap();
            assert_eq!(value["rows"].as_u64().unwrap() as usize, batch.num_rows());
            let partitions =
                value["partitions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_owned()).collect();
            return Event::Rows { seq: value["seq"].as_u64().unwrap(), partitions, batch };
        }
    }

    /// The next rows frame: (seq, user ids).
    async fn rows(&mut self) -> (u64, Vec<String>) {
        match self.next().await {
            Event::Rows { seq, batch, .. } => (seq, strings(&[batch], "user_id")),
            Event::Control(v) => panic!("expected rows, got {v}"),
        }
    }
}

/// Ingests `n` events on day 2 for `tenant` with users `<base>-<i>`; returns the seq.
async fn ingest(app: &TestApp, tenant: &str, n: usize, base: &str) -> u64 {
    let answer = app.ingest_json(tenant, "events", None, &event_lines(2, n, base)).await;
    assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
    answer.value()["seq"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_client_of_the_tenant_gets_every_row_and_other_tenants_none() {
    let app = TestApp::new();
    let addr = serve(&app).await;
    let mut acme = Vec::new();
    for _ in 0..25 {
        let mut c = Client::connect(addr, "acme", None).await;
        assert_eq!(c.subscribe("events").await["type"], "subscribed");
        acme.push(c);
    }
    let mut globex = Client::connect(addr, "globex", None).await;
    globex.subscribe("events").await;

    let mut seqs = Vec::new();
    for i in 0..10 {
        seqs.push(ingest(&app, "acme", 3, &format!("a{i}")).await);
    }
    let globex_seq = ingest(&app, "globex", 2, "g").await;
    for client in &mut acme {
        for (i, seq) in seqs.iter().enumerate() {
            let (got, users) = client.rows().await;
            assert_eq!(got, *seq);
            assert_eq!(users, (0..3).map(|k| format!("a{i}-{k}")).collect::<Vec<_>>());
        }
    }
    // Globex's first frame is its own: none of acme's ten came before it.
    let Event::Rows { seq, batch, partitions } = globex.next().await else { panic!() };
    assert_eq!(seq, globex_seq);
    assert_eq!(partitions, ["globex.2026-08-03.0"]);
    assert_eq!(strings(std::slice::from_ref(&batch), "tenant_id"), ["globex", "globex"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushed_rows_obey_the_viewers_row_rules() {
    let app = TestApp::new();
    let addr = serve(&app).await;
    let acme = quiver_shared::tenant::TenantId::new("acme").unwrap();
    // Acme's viewers see only the events of users a0-1 and a1-2.
    let rule = quiver_server::row_rules::RowRule {
        table: "events".to_owned(),
        column: "user_id".to_owned(),
        values: vec![json!("a0-1"), json!("a1-2")],
    };
    app.store.create_rule(&acme, quiver_server::store::RuleSubject::Role(Role::Viewer), rule).await.unwrap();
    let mut viewer = Client::connect(addr, "acme", None).await;
    viewer.subscribe("events").await;
    let mut seqs = Vec::new();
    for i in 0..3 {
        seqs.push(ingest(&app, "acme", 3, &format!("a{i}")).await);
    }
    // The first two requests each hold one of her rows; the third none, so she gets no frame for
    // it: the next thing she hears is the frame of a fourth request with one of her rows again.
    let (seq, users) = viewer.rows().await;
    assert_eq!((seq, users), (seqs[0], vec!["a0-1".to_owned()]));
    let (seq, users) = viewer.rows().await;
    assert_eq!((seq, users), (seqs[1], vec!["a1-2".to_owned()]));
    let last = app.ingest_json("acme", "events", None, &event_lines(2, 2, "a0")).await;
    assert_eq!(last.status, 200);
    let (seq, users) = viewer.rows().await;
    assert_eq!((seq, users), (last.value()["seq"].as_u64().unwrap(), vec!["a0-1".to_owned()]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_falls_behind_without_delaying_the_others() {
    let app = TestApp::with_config(LiveConfig { client_queue: 4, ..test_config() });
    let addr = serve(&app).await;
    let mut slow = Client::connect(addr, "acme", None).await;
    slow.subscribe("events").await;
    let mut fast = Vec::new();
    for _ in 0..5 {
        let mut c = Client::connect(addr, "acme", None).await;
        c.subscribe("events").await;
        fast.push(c);
    }
    // Big frames, so the slow client's socket buffers fill up quickly.
    const FRAMES: usize = 150;
    for i in 0..FRAMES {
        let body = ipc(&events_batch("acme", 2, 3000, &format!("f{i}")));
        let answer = app.ingest("acme", "events", "application/vnd.apache.arrow.stream", None, body).await;
        assert_eq!(answer.status, 200);
        let seq = answer.value()["seq"].as_u64().unwrap();
        // Each fast client gets the frame while the slow one holds nothing up.
        for c in &mut fast {
            assert_eq!(c.rows().await.0, seq);
        }
    }
    let mut frames = 0;
    let behind = loop {
        match slow.next().await {
            Event::Rows { .. } => frames += 1,
            Event::Control(v) => break v,
        }
    };
    assert_eq!(behind["type"], "fell_behind", "{behind}");
    assert!(frames < FRAMES);
    assert_eq!(behind["partitions"], json!(["acme.2026-08-03.0"]));
    println!("the slow client got {frames} of {FRAMES} frames before fell_behind");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_after_a_reconnect_has_no_gaps_or_duplicates() {
    let app = TestApp::new();
    let addr = serve(&app).await;
    let mut client = Client::connect(addr, "acme", None).await;
    client.subscribe("events").await;
    for i in 0..3 {
        ingest(&app, "acme", 2, &format!("before{i}")).await;
    }
    let mut last = 0;
    for _ in 0..3 {
        last = client.rows().await.0;
    }
    drop(client);
    let mut missed = Vec::new();
    for i in 0..4 {
        missed.push(ingest(&app, "acme", 2, &format!("missed{i}")).await);
        // Other tenants' requests take sequence numbers in between.
        ingest(&app, "globex", 1, "other").await;
    }
    let mut client = Client::connect(addr, "acme", Some(last)).await;
    assert_eq!(client.subscribe("events").await["type"], "subscribed");
    for (i, seq) in missed.iter().enumerate() {
        let (got, users) = client.rows().await;
        assert_eq!(got, *seq);
        assert_eq!(users, [format!("missed{i}-0"), format!("missed{i}-1")]);
    }
    let next = ingest(&app, "acme", 1, "live").await;
    assert_eq!(client.rows().await, (next, vec!["live-0".to_owned()]), "then live, with nothing twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_from_beyond_the_ring_asks_for_a_resync() {
    let app = TestApp::with_config(LiveConfig { ring_frames: 2, ..test_config() });
    let addr = serve(&app).await;
    let first = ingest(&app, "acme", 1, "a").await;
    for i in 0..3 {
        ingest(&app, "acme", 1, &format!("b{i}")).await;
    }
    let mut client = Client::connect(addr, "acme", Some(first)).await;
    let answer = client.subscribe("events").await;
    assert_eq!((answer["type"].as_str(), answer["reason"].as_str()), (Some("resync"), Some("too_old")));
    // The push goes on all the same.
    let next = ingest(&app, "acme", 1, "c").await;
    assert_eq!(client.rows().await.0, next);

    let mut client = Client::connect(addr, "acme", Some(next + 1000)).await;
    assert_eq!(client.subscribe("events").await["reason"], "unknown_seq");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_socket_needs_a_valid_token() {
    let app = TestApp::new();
    let addr = serve(&app).await;
    for url in [format!("ws://{addr}/api/live"), format!("ws://{addr}/api/live?token=forged")] {
        let Err(tokio_tungstenite::tungstenite::Error::Http(response)) = tokio_tungstenite::connect_async(url).await
        else {
            panic!("a socket without a valid token must be refused");
        };
        assert_eq!(response.status(), 401);
    }
}

/// Not a test: prints ingest → push latency (p50/p99) to `QUIVER_BENCH_SOCKETS` sockets (100 by
/// default), 200 requests of 10 rows at `QUIVER_BENCH_RATE` requests/s (default: back to back). Run with `cargo test -p quiver-server --test live -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: prints latencies"]
async fn push_latency() {
    let app = TestApp::new();
    let addr = serve(&app).await;
    let sockets: usize = std::env::var("QUIVER_BENCH_SOCKETS").ok().and_then(|s| s.parse().ok()).unwrap_or(100);
    let mut clients = Vec::new();
    for _ in 0..sockets {
        let mut c = Client::connect(addr, "acme", None).await;
        c.subscribe("events").await;
        clients.push(c);
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for mut c in clients {
        let tx = tx.clone();
        tokio::spawn(async move {
            // Time the header's arrival; decoding the rows is the client's cost, not the push's.
            let mut got = 0;
            while got < 200 {
                let Some(Ok(Message::Text(text))) = c.ws.next().await else { continue };
                let value: Value = serde_json::from_str(&text).unwrap();
                if value["type"] == "rows" {
                    got += 1;
                    let _ = tx.send((value["seq"].as_u64().unwrap(), std::time::Instant::now()));
                }
            }
        });
    }
    let mut sent = std::collections::HashMap::new();
    let started = std::time::Instant::now();
    // Requests per second (0: as fast as they are answered).
    let rate: u64 = std::env::var("QUIVER_BENCH_RATE").ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    for i in 0..200 {
        if let Some(pause) = 1000u64.checked_div(rate) {
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
        let t = std::time::Instant::now();
        let seq = ingest(&app, "acme", 10, &format!("l{i}")).await;
        sent.insert(seq, t);
    }
    let elapsed = started.elapsed();
    let mut latencies = Vec::new();
    for _ in 0..200 * sockets {
        let (seq, at) = rx.recv().await.unwrap();
        latencies.push(at.duration_since(sent[&seq]));
    }
    latencies.sort();
    let p = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
    println!(
        "ingest→push to {sockets} sockets: p50 {:?}, p99 {:?}, max {:?}; 200 sequential requests in {elapsed:?}; {:?}",
        p(0.5),
        p(0.99),
        latencies.last().unwrap(),
        app.live.commit_stats()
    );
}
