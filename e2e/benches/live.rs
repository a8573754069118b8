//! Benchmark: ingest → visible in an open pivot, with events posted at 1,000 and 10,000 rows a
//! second, for a pivot of few groups (by `event_name`) and of many (by `user_id`).
//!
//! Run through `cargo xtask bench --only live` (release app and server). Each ingest request is
//! one pushed frame and bumps the table's version by one; the page records (with `Date.now()`,
//! in a MutationObserver) when `#pivot-status[data-version]` changes, that is when a refreshed
//! pivot is in the DOM. A request's latency is from its 200 (accepted and fsynced) to the first
//! refresh whose version includes it. Writes `e2e/bench/results/live.md`.
//!
//! `QUIVER_BENCH_SCALE` (default 1) sets the demo scale; `QUIVER_BENCH_SECS` (default 10) how long
//! each rate is sent.

#[path = "../tests/support/mod.rs"]
mod support;

use serde_json::json;
use std::fmt::Write as _;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use support::{Browser, Server};

/// Requests per second: each carries rate / 20 rows.
const REQUESTS_PER_SEC: u64 = 20;

/// Records every change of the shown pivot's data version with the wall-clock time.
const OBSERVE: &str = r#"
window.__versions = [];
const status = document.querySelector('#pivot-status');
const record = () => window.__versions.push([Date.now(), Number(status.dataset.version)]);
new MutationObserver(record).observe(status, { attributes: true, attributeFilter: ['data-version'] });
record();
"#;

fn epoch_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64() * 1000.0
}

fn rows(n: usize, seq: usize) -> Vec<String> {
    let now = chrono::Utc::now().to_rfc3339();
    (0..n)
        .map(|i| {
            let user = (seq * 7919 + i * 104_729) % 60_000;
            json!({
                "ts": now, "user_id": format!("bench-u{user}"), "session_id": format!("bench-s{seq}"),
                "event_name": if i % 10 == 0 { "purchase" } else { "product_view" }, "platform": "web",
                "country": "DE", "app_version": "3.2.0", "ab_bucket": "control", "channel": "organic",
                "price": 10.0,
            })
            .to_string()
        })
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

struct Outcome {
    sent_rows: usize,
    seconds: f64,
    p50: f64,
    p99: f64,
    max: f64,
    refreshes: usize,
    incremental: String,
}

async fn run_rate(server: &Server, browser: &Browser, editor: &str, rate: usize, secs: u64) -> anyhow::Result<Outcome> {
    browser.client.execute(OBSERVE, vec![]).await?;
    let per_request = (rate / REQUESTS_PER_SEC as usize).max(1);
    let start_version: u64 = browser
        .client
        .execute("return Number(document.querySelector('#pivot-status').dataset.version)", vec![])
        .await?
        .as_u64()
        .unwrap_or(0);
    let mut accepted = Vec::new();
    let started = Instant::now();
    let mut seq = 0;
    while started.elapsed() < Duration::from_secs(secs) {
        let due = started + Duration::from_millis(seq as u64 * 1000 / REQUESTS_PER_SEC);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            tokio::time::sleep(wait).await;
        }
        let (status, body) = server.post_ndjson("/api/ingest/events", editor, &rows(per_request, seq))?;
        anyhow::ensure!(status == 200, "ingest {status}: {}", String::from_utf8_lossy(&body));
        accepted.push(epoch_ms());
        seq += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    let target = start_version + accepted.len() as u64;
    let deadline = Instant::now() + Duration::from_secs(60);
    let versions = loop {
        let versions = browser.client.execute("return window.__versions", vec![]).await?;
        let versions: Vec<(f64, u64)> = serde_json::from_value(versions)?;
        if versions.last().is_some_and(|(_, v)| *v >= target) {
            break versions;
        }
        anyhow::ensure!(Instant::now() < deadline, "the pivot did not reach version {target} within 60 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let mut latencies: Vec<f64> = accepted
        .iter()
        .enumerate()
        .map(|(k, at)| {
            let needed = start_version + k as u64 + 1;
            let seen = versions.iter().find(|(_, v)| *v >= needed).map_or(f64::NAN, |(t, _)| *t);
            seen - at
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    let incremental = browser
        .client
        .execute("return document.querySelector('#pivot-status').dataset.refresh", vec![])
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Ok(Outcome {
        sent_rows: accepted.len() * per_request,
        seconds,
        p50: percentile(&latencies, 0.5),
        p99: percentile(&latencies, 0.99),
        max: latencies.last().copied().unwrap_or(f64::NAN),
        refreshes: versions.len().saturating_sub(1),
        incremental,
    })
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let scale: f64 = std::env::var("QUIVER_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let secs: u64 = std::env::var("QUIVER_BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let server = Server::start(scale, 30)?;
    let viewer = server.token("acme")?;
    let editor = server.token_with_role("acme", "editor")?;
    let browser = Browser::start().await?;
    let version = browser.client.execute("return navigator.userAgent", vec![]).await?;

    let mut report = String::new();
    writeln!(report, "# Live data: ingest → visible in an open pivot\n")?;
    writeln!(report, "Generated by `cargo xtask bench` on {}.\n", chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"))?;
    writeln!(report, "- Browser: {}", version.as_str().unwrap_or_default())?;
    writeln!(report, "- Machine: {} cores", std::thread::available_parallelism().map_or(0, |n| n.get()))?;
    writeln!(report, "- Data: acme `events`, demo scale {scale}, 30 days, then {secs} s of ingest per rate")?;
    writeln!(report, "- Requests: {REQUESTS_PER_SEC} a second (rate / {REQUESTS_PER_SEC} rows each), JSON lines")?;
    writeln!(report, "- Target: p99 ≤ 500 ms\n")?;
    writeln!(
        report,
        "| pivot rows | groups | rate (rows/s) | rows sent | p50 ms | p99 ms | max ms | refreshes | last refresh |"
    )?;
    writeln!(report, "|---|---|---|---|---|---|---|---|---|")?;
    for field in ["event_name", "user_id"] {
        browser.client.goto(&format!("{}/?token={viewer}", server.base)).await?;
        browser.wait_for("#tab-pivot", 120).await?.click().await?;
        browser.wait_for("#pivot-table-select", 30).await?;
        browser.set_value("#pivot-table-select", "events").await?;
        browser.wait_for(&format!("#field-list li.field[data-field='{field}']"), 30).await?;
        browser.drag(&format!("#field-list li.field[data-field='{field}']"), "#shelf-rows").await?;
        browser.wait_for("#pivot-status[data-state='done']", 600).await?;
        browser.wait_for("#live-status[data-state='connected']", 60).await?;
        let groups =
            browser.client.execute("return document.querySelector('#pivot-table')?.dataset.rows ?? ''", vec![]).await?;
        let groups = groups.as_str().unwrap_or_default().to_owned();
        for rate in [1_000, 10_000] {
            let o = run_rate(&server, &browser, &editor, rate, secs).await?;
            println!(
                "{field} at {rate} rows/s: {} rows in {:.1} s, p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms, {} refreshes ({})",
                o.sent_rows, o.seconds, o.p50, o.p99, o.max, o.refreshes, o.incremental
            );
            writeln!(
                report,
                "| {field} | {groups} | {rate} | {} | {:.0} | {:.0} | {:.0} | {} | {} |",
                o.sent_rows, o.p50, o.p99, o.max, o.refreshes, o.incremental
            )?;
        }
        browser.screenshot(&format!("bench-live-{field}")).await?;
    }
    writeln!(
        report,
        "\nA refresh folds every delta that arrived since the previous one (at most one refresh per 250 ms), so the refresh count is what the page did, not one per request."
    )?;
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/results");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("live.md"), &report)?;
    println!("\n{report}");
    Ok(())
}
