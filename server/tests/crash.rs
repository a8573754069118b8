//! Crash test: the real `quiver-server` binary on a temp data directory, ingesting from
//! concurrent clients with idempotency labels while the process is killed with SIGKILL at random
//! moments (compacting every second, so kills land in compactions too). After every restart
//! the unanswered requests are retried with their labels; at the end every acknowledged row
//! must be there exactly once.

mod common;

use common::*;
use quiver_server::live::Live;
use quiver_server::warehouse::parquet_dir::ParquetDir;
use quiver_server::warehouse::{DateRange, Warehouse};
use quiver_shared::auth::Role;
use quiver_shared::tenant::TenantId;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ROWS_PER_REQUEST: usize = 5;

fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

fn start(data: &std::path::Path, addr: SocketAddr) -> Child {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(data.join("server.log")).unwrap();
    Command::new(env!("CARGO_BIN_EXE_quiver-server"))
        .arg("--data-dir")
        .arg(data)
        .arg("--app-dir")
        .arg(data.join("dist"))
        .args(["--addr", &addr.to_string(), "--compact-secs", "1"])
        .env("QUIVER_SECRET", std::str::from_utf8(SECRET).unwrap())
        .env("RUST_LOG", "quiver_server=warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

/// Waits until the server answers; on failure shows the server's log.
async fn wait_healthy(child: &mut Child, data: &std::path::Path, addr: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok((200, _)) = http(addr, "GET", "/api/health", &[], Vec::new()).await {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            let log = std::fs::read_to_string(data.join("server.log")).unwrap_or_default();
            panic!("the server exited with {status}:\n{log}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let log = std::fs::read_to_string(data.join("server.log")).unwrap_or_default();
    panic!("the server did not answer within 60 s:\n{log}");
}

/// Posts one labelled request; `Ok(true)` when acknowledged, `Ok(false)` when the connection
/// broke (the server died), an error for any other answer.
async fn post(addr: SocketAddr, label: &str, body: &str) -> Result<bool, String> {
    let auth = format!("Bearer {}", token("acme", Role::Editor));
    let headers =
        [("authorization", auth.as_str()), ("content-type", "application/x-ndjson"), ("idempotency-key", label)];
    match http(addr, "POST", "/api/ingest/events", &headers, body.as_bytes().to_vec()).await {
        Ok((200, _)) => Ok(true),
        Ok((status, body)) => Err(format!("{label}: {status} {}", String::from_utf8_lossy(&body))),
        Err(_) => Ok(false),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_row_survives_kill_9_exactly_once() {
    // `target/debug/quiver-server` is shared by every checkout using the same target directory;
    // say so plainly if another checkout's build replaced it since this one was built.
    let help = Command::new(env!("CARGO_BIN_EXE_quiver-server")).arg("--help").output().unwrap();
    assert!(
        String::from_utf8_lossy(&help.stdout).contains("--compact-secs"),
        "{} is not this checkout's build (a shared CARGO_TARGET_DIR?); rebuild and rerun",
        env!("CARGO_BIN_EXE_quiver-server")
    );
    let dir = tempfile::tempdir().unwrap();
    write_warehouse(dir.path());
    let started = Instant::now();
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    // Labels sent without an answer: retried after the restart, with the same body.
    let mut pending: BTreeMap<String, String> = BTreeMap::new();
    let mut cycles = 0;
    while cycles < 4 || (started.elapsed() < Duration::from_secs(35) && cycles < 25) {
        cycles += 1;
        let addr = free_addr();
        let mut child = start(dir.path(), addr);
        wait_healthy(&mut child, dir.path(), addr).await;
        for (label, body) in std::mem::take(&mut pending) {
            assert!(post(addr, &label, &body).await.unwrap(), "a retry after restart is answered");
            acked.lock().unwrap().push(label);
        }
        let unanswered: Arc<Mutex<BTreeMap<String, String>>> = Arc::default();
        let workers: Vec<_> = (0..4)
            .map(|w| {
                let (acked, unanswered) = (acked.clone(), unanswered.clone());
                tokio::spawn(async move {
                    for i in 0.. {
                        let label = format!("c{cycles}-w{w}-r{i}");
                        let body = event_lines(i % 3, ROWS_PER_REQUEST, &label);
                        if post(addr, &label, &body).await.unwrap() {
                            acked.lock().unwrap().push(label);
                        } else {
                            unanswered.lock().unwrap().insert(label, body);
                            break;
                        }
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(rand::random_range(50..1200))).await;
        child.kill().unwrap();
        child.wait().unwrap();
        for w in workers {
            w.await.unwrap();
        }
        pending.extend(std::mem::take(&mut *unanswered.lock().unwrap()));
    }
    // One last start to retry what is still unanswered.
    let addr = free_addr();
    let mut child = start(dir.path(), addr);
    wait_healthy(&mut child, dir.path(), addr).await;
    for (label, body) in std::mem::take(&mut pending) {
        assert!(post(addr, &label, &body).await.unwrap());
        acked.lock().unwrap().push(label);
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // Read everything back in-process (replaying the log once more).
    let warehouse = ParquetDir::open(dir.path().join("warehouse")).unwrap();
    let live = Live::open(dir.path(), warehouse, test_config()).unwrap();
    let acme = TenantId::new("acme").unwrap();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for p in live.partitions(&acme, "events", DateRange::default()).await.unwrap() {
        let scan = live.scan(&acme, "events", &p.id, Some(&["user_id".to_owned()])).await.unwrap();
        let batches: Vec<_> = futures::TryStreamExt::try_collect(scan.batches).await.unwrap();
        for user in strings(&batches, "user_id") {
            *seen.entry(user).or_default() += 1;
        }
    }
    let acked = acked.lock().unwrap();
    for label in acked.iter() {
        for k in 0..ROWS_PER_REQUEST {
            let user = format!("{label}-{k}");
            assert_eq!(seen.get(&user).copied(), Some(1), "row {user} of an acknowledged request");
        }
    }
    let ingested = seen.keys().filter(|u| !u.starts_with("seed-")).count();
    assert_eq!(ingested, acked.len() * ROWS_PER_REQUEST, "no row of an unacknowledged request appears");
    assert!(seen.iter().filter(|(u, _)| !u.starts_with("seed-")).all(|(_, &n)| n == 1), "no row twice");
    println!(
        "{cycles} kill -9 cycles in {:?}: {} acknowledged requests, {} rows, all present once",
        started.elapsed(),
        acked.len(),
        ingested
    );
}
