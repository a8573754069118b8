//! End-to-end: live data in an open pivot. Rows posted to the ingest API show in the pivot's
//! cells without a reload, exactly once (no row lost or counted twice, across a burst of
//! requests); pausing stops the updates and resuming catches up.

mod support;

use fantoccini::Locator;
use std::time::{Duration, Instant};
use support::{Browser, Server};

/// The label the pivot table uses for a total in a row or column path.
const TOTAL: &str = "__total__";

/// `n` purchase events stamped now, as JSON lines for `POST /api/ingest/events`.
fn purchases(n: usize, tag: &str) -> Vec<String> {
    let now = chrono::Utc::now();
    (0..n)
        .map(|i| {
            serde_json::json!({
                "ts": (now - chrono::Duration::milliseconds(i as i64)).to_rfc3339(),
                "user_id": format!("e2e-live-{tag}-{i}"),
                "session_id": format!("e2e-live-{tag}"),
                "event_name": "purchase",
                "platform": "web",
                "country": "DE",
                "app_version": "3.2.0",
                "ab_bucket": "control",
                "channel": "organic",
                "price": 10.0,
            })
            .to_string()
        })
        .collect()
}

fn ingest(server: &Server, token: &str, lines: &[String]) -> anyhow::Result<()> {
    let (status, body) = server.post_ndjson("/api/ingest/events", token, lines)?;
    anyhow::ensure!(status == 200, "ingest answered {status}: {}", String::from_utf8_lossy(&body));
    Ok(())
}

/// The count in the pivot cell at (`row`, total), as shown (`data-value`).
async fn count(browser: &Browser, row: &str) -> anyhow::Result<Option<f64>> {
    let value = browser
        .client
        .execute(
            "const td = [...document.querySelectorAll('#pivot-table td.pivot-cell')] \
               .find(td => td.dataset.row === arguments[0] && td.dataset.col === arguments[1] \
                           && td.dataset.valueIndex === '0'); \
             return td ? td.dataset.value : null;",
            vec![serde_json::json!(row), serde_json::json!(TOTAL)],
        )
        .await?;
    Ok(value.as_str().and_then(|v| v.parse().ok()))
}

/// Waits until the grand total and the purchase row show `total` and `purchases`; returns how
/// long that took.
async fn wait_for_counts(browser: &Browser, total: f64, purchases: f64, secs: u64) -> anyhow::Result<Duration> {
    let started = Instant::now();
    loop {
        let shown = (count(browser, TOTAL).await?, count(browser, "purchase").await?);
        if shown == (Some(total), Some(purchases)) {
            return Ok(started.elapsed());
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(secs),
            "after {secs} s the pivot shows (total, purchases) = {shown:?}, expected ({total}, {purchases})"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn live_state(browser: &Browser) -> anyhow::Result<String> {
    let status = browser.client.find(Locator::Css("#live-status")).await?;
    Ok(status.attr("data-state").await?.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread")]
async fn ingested_rows_update_an_open_pivot_exactly_once_and_pause_holds_them() -> anyhow::Result<()> {
    let server = Server::start(0.05, 14)?;
    let browser = Browser::start().await?;
    let viewer = server.token("acme")?;
    let editor = server.token_with_role("acme", "editor")?;

    // A pivot of the count of events by event name (the Values shelf empty: a count of rows).
    browser.client.goto(&format!("{}/?token={viewer}", server.base)).await?;
    browser.wait_for("#tab-pivot", 120).await?.click().await?;
    browser.wait_for("#pivot-table-select", 30).await?;
    browser.set_value("#pivot-table-select", "events").await?;
    browser.wait_for("#field-list li.field[data-field='event_name']", 30).await?;
    browser.drag("#field-list li.field[data-field='event_name']", "#shelf-rows").await?;
    browser.wait_for("#pivot-status[data-state='done']", 300).await?;
    browser.wait_for("#pivot-table td.pivot-cell", 60).await?;
    browser.wait_for("#live-status[data-state='connected']", 30).await?;
    let total = count(&browser, TOTAL).await?.expect("a grand total");
    let bought = count(&browser, "purchase").await?.expect("a purchase row");

    // One request: the cells grow by exactly its rows, without a reload.
    let sent = Instant::now();
    ingest(&server, &editor, &purchases(25, "a"))?;
    let waited = wait_for_counts(&browser, total + 25.0, bought + 25.0, 5).await?;
    eprintln!(
        "ingest -> pivot updated: {} ms (request included: {} ms)",
        waited.as_millis(),
        sent.elapsed().as_millis()
    );
    let refresh = browser.client.find(Locator::Css("#pivot-status")).await?.attr("data-refresh").await?;
    assert_eq!(refresh.as_deref(), Some("incremental"), "a count refreshes by merging the delta's partials");
    assert!(browser.client.find(Locator::Css("#live-updated")).await.is_ok(), "the time of the last update shows");
    browser.screenshot("live-pivot").await?;

    // A burst of 40 requests: every row counted once, none twice.
    let burst = Instant::now();
    for i in 0..40 {
        ingest(&server, &editor, &purchases(50, &format!("burst{i}")))?;
    }
    let sent_in = burst.elapsed();
    wait_for_counts(&browser, total + 2025.0, bought + 2025.0, 10).await?;
    eprintln!(
        "burst: 2000 rows in 40 requests sent in {} ms, shown after {} ms",
        sent_in.as_millis(),
        burst.elapsed().as_millis()
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(count(&browser, TOTAL).await?, Some(total + 2025.0), "no row counted twice");

    // Paused: new rows do not show.
    browser.client.find(Locator::Css("#live-toggle")).await?.click().await?;
    browser.wait_for("#live-status[data-state='paused']", 5).await?;
    ingest(&server, &editor, &purchases(10, "paused"))?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(count(&browser, TOTAL).await?, Some(total + 2025.0), "paused: the pivot holds still");
    browser.screenshot("live-paused").await?;

    // Resumed: the rows pushed meanwhile arrive (the server replays from the last seq held).
    browser.client.find(Locator::Css("#live-toggle")).await?.click().await?;
    let waited = wait_for_counts(&browser, total + 2035.0, bought + 2035.0, 10).await?;
    eprintln!("resume -> caught up: {} ms", waited.as_millis());
    assert_eq!(live_state(&browser).await?, "connected");
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(count(&browser, TOTAL).await?, Some(total + 2035.0), "the replay adds nothing twice");
    assert!(browser.client.find(Locator::Css("#error-banner")).await.is_err(), "no error shown");
    Ok(())
}
