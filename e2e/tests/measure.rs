//! A measurement, not a test: the time from opening a sign-in link to the first GROUP BY result
//! over all of acme's `events` (≈ 1 million rows at the default scale). Ignored by default; run
//! with the release build of the app:
//! `QUIVER_E2E_APP_DIR=dist QUIVER_E2E_SERVER_BIN=$CARGO_TARGET_DIR/release/quiver-server \
//!  cargo test -p quiver-e2e --test measure -- --ignored --nocapture`

mod support;

use fantoccini::Locator;
use std::time::{Duration, Instant};
use support::{Browser, Server};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement; run by hand with the release build"]
async fn time_to_first_group_by_over_a_million_rows() -> anyhow::Result<()> {
    let server = Server::start(1.0, 120)?;
    let token = server.token("acme")?;
    let browser = Browser::start().await?;
    let opened = Instant::now();
    browser.client.goto(&format!("{}/?token={token}", server.base)).await?;
    browser.wait_for("#table-list .table-item[data-table='events']", 120).await?.click().await?;
    let first = browser.wait_for("#load-from", 30).await?.attr("min").await?;
    let first = first.unwrap_or_else(|| "2000-01-01".to_owned());
    browser.set_value("#load-from", &first).await?;
    browser.client.find(Locator::Css("#load-button")).await?.click().await?;
    browser.wait_for("#load-status", 600).await?;
    let loaded = opened.elapsed();
    let status = browser.client.find(Locator::Css("#load-status")).await?.text().await?;
    browser
        .run_sql(
            "SELECT channel, event_name, count(*) AS n, sum(price) AS revenue, count(DISTINCT user_id) AS users \
             FROM events GROUP BY channel, event_name ORDER BY n DESC",
        )
        .await?;
    loop {
        let heads: Vec<String> = serde_json::from_value(
            browser
                .client
                .execute(
                    "return [...document.querySelectorAll('#result-grid thead th')].map(t => t.textContent.trim())",
                    vec![],
                )
                .await?,
        )?;
        if heads.first().map(String::as_str) == Some("channel") {
            break;
        }
        anyhow::ensure!(opened.elapsed() < Duration::from_secs(900), "no result");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let total = opened.elapsed();
    let query_time = browser.client.find(Locator::Css("#query-time")).await?.text().await?;
    println!("loaded: {status} after {:.2} s", loaded.as_secs_f64());
    println!("page open → first GROUP BY result: {:.2} s (query itself: {query_time})", total.as_secs_f64());
    browser.screenshot("measure-1m").await?;
    Ok(())
}
