//! Benchmark: the server's side of live data, in-process against a real bound socket, over real
//! files in a temp directory.
//! - Durable ingest throughput: 200 requests of 1,000 rows from 8 concurrent clients, as JSON lines
//!   and as Arrow IPC; each answer comes after the rows are in the write-ahead log and fsynced
//!   (group commit), so rows/s is durable rows/s. Then one compaction of everything ingested.
//! - Fan-out: 200 ingest requests of 10 rows, paced at 20 requests/s and back to back, pushed to
//!   100 and 1,000 websocket clients; latency from the request's start to each client's receipt
//!   of the frame's header (decoding the rows is the client's cost, not the push's). The clients
//!   run in the same process on the same two worker threads, so the figure includes their work.
//!
//! `cargo bench -p quiver-server --bench live_data`; writes `e2e/bench/results/live-server.md`.

#[path = "../tests/common/mod.rs"]
mod common;

use common::socket::{Client, ingest, serve};
use common::*;
use futures::StreamExt;
use serde_json::Value;
use std::fmt::Write as _;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

const REQUESTS: usize = 200;

async fn ingest_throughput(report: &mut String) {
    const ROWS: usize = 1000;
    let _ = writeln!(report, "## Durable ingest\n\n{REQUESTS} requests of {ROWS} rows, 8 concurrent clients.\n");
    let _ = writeln!(report, "| format | rows/s | fsyncs / requests | largest group | compaction of all rows |");
    let _ = writeln!(report, "|---|---:|---:|---:|---:|");
    for arrow in [false, true] {
        let app = TestApp::new();
        let bodies: Vec<Vec<u8>> = (0..REQUESTS)
            .map(|i| {
                if arrow {
                    ipc(&events_batch("acme", 2, ROWS, &format!("t{i}")))
                } else {
                    event_lines(2, ROWS, &format!("t{i}")).into_bytes()
                }
            })
            .collect();
        let media = if arrow { "application/vnd.apache.arrow.stream" } else { "application/x-ndjson" };
        let started = Instant::now();
        let queue = std::sync::Mutex::new(bodies.into_iter().enumerate().collect::<Vec<_>>());
        futures::future::join_all((0..8).map(|_| async {
            loop {
                let Some((i, body)) = queue.lock().unwrap().pop() else { break };
                let answer = app.ingest("acme", "events", media, Some(&format!("b{i}")), body).await;
                assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
            }
        }))
        .await;
        let elapsed = started.elapsed();
        let stats = app.live.commit_stats();
        let compaction = Instant::now();
        app.live.compact().await.unwrap();
        let compaction = compaction.elapsed();
        let rate = (REQUESTS * ROWS) as f64 / elapsed.as_secs_f64();
        let format = if arrow { "Arrow IPC" } else { "JSON lines" };
        println!("{format}: {rate:.0} rows/s durable; {} fsyncs for {} requests", stats.groups, stats.records);
        let _ = writeln!(
            report,
            "| {format} | {rate:.0} | {} / {} | {} | {:.0} ms |",
            stats.groups,
            stats.records,
            stats.largest_group,
            compaction.as_secs_f64() * 1000.0
        );
    }
}

/// p50, p99 and max latency of `REQUESTS` pushes to `sockets` clients, `rate` requests a second
/// (0: back to back).
async fn fan_out(sockets: usize, rate: u64) -> (Duration, Duration, Duration) {
    let app = TestApp::new();
    let addr = serve(&app).await;
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
            let mut got = 0;
            while got < REQUESTS {
                let Some(Ok(Message::Text(text))) = c.ws.next().await else { continue };
                let value: Value = serde_json::from_str(&text).unwrap();
                if value["type"] == "rows" {
                    got += 1;
                    let _ = tx.send((value["seq"].as_u64().unwrap(), Instant::now()));
                }
            }
        });
    }
    let mut sent = std::collections::HashMap::new();
    for i in 0..REQUESTS {
        let t = Instant::now();
        let seq = ingest(&app, "acme", 10, &format!("l{i}")).await;
        sent.insert(seq, t);
        if let Some(pause) = 1000u64.checked_div(rate) {
            tokio::time::sleep(Duration::from_millis(pause).saturating_sub(t.elapsed())).await;
        }
    }
    let mut latencies = Vec::with_capacity(REQUESTS * sockets);
    for _ in 0..REQUESTS * sockets {
        let (seq, at) = rx.recv().await.unwrap();
        latencies.push(at.duration_since(sent[&seq]));
    }
    latencies.sort();
    let p = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
    (p(0.5), p(0.99), *latencies.last().unwrap())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let mut report = String::from(
        "# Live data, server side\n\nRegenerated by `cargo bench -p quiver-server --bench live_data` (release \
         profile). In-process, real sockets and files, 2 worker threads.\n\n",
    );
    runtime.block_on(async {
        ingest_throughput(&mut report).await;
        let _ = writeln!(
            report,
            "\n## Fan-out\n\n{REQUESTS} ingest requests of 10 rows each; latency from the request's start to a \
             client's receipt of the pushed frame. Target p99 ≤ 100 ms at 1,000 sockets.\n"
        );
        let _ = writeln!(report, "| sockets | requests/s | p50 | p99 | max |\n|---:|---|---:|---:|---:|");
        for sockets in [100, 1000] {
            for rate in [20, 0] {
                let (p50, p99, max) = fan_out(sockets, rate).await;
                let pace = if rate == 0 { "back to back".to_owned() } else { rate.to_string() };
                println!("fan-out to {sockets} sockets at {pace}: p50 {p50:?}, p99 {p99:?}, max {max:?}");
                let ms = |d: Duration| d.as_secs_f64() * 1000.0;
                let _ = writeln!(
                    report,
                    "| {sockets} | {pace} | {:.1} ms | {:.1} ms | {:.1} ms |",
                    ms(p50),
                    ms(p99),
                    ms(max)
                );
            }
        }
    });
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../e2e/bench/results/live-server.md");
    std::fs::write(&out, report).expect("writes the report");
    println!("wrote {}", out.display());
}
