//! End-to-end: every analysis view in headless Chromium on demo data shows the numbers the server
//! computes natively (`POST /api/analyze`) for the same spec; a view built with the builder
//! survives a reload. Screenshots of every view go to `e2e/artifacts/analysis-*.png`.

mod support;

use chrono::{Days, NaiveDate};
use fantoccini::Locator;
use serde_json::{Value, json};
use support::{Browser, Server};

/// Demo data: this many days ending today.
const DAYS: u32 = 35;

/// The fixed days the specs analyse: the four weeks before yesterday, so that the browser and
/// the server agree whatever the clock does between their runs.
fn span() -> Value {
    let today: NaiveDate = chrono::Utc::now().date_naive();
    let from = today.checked_sub_days(Days::new(28)).unwrap();
    let to = today.checked_sub_days(Days::new(1)).unwrap();
    json!({ "kind": "between", "from": from.to_string(), "to": to.to_string() })
}

/// `text` with everything but letters and digits percent-encoded, for a query string.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// The server's answer for `spec`.
fn native(server: &Server, token: &str, spec: &Value) -> anyhow::Result<Value> {
    let (status, body) = server.post_json("/api/analyze", token, &json!({ "spec": spec }))?;
    anyhow::ensure!(status == 200, "analyze: {status} {}", String::from_utf8_lossy(&body));
    let body: Value = serde_json::from_slice(&body)?;
    Ok(body["result"].clone())
}

/// Opens the view of `spec` from its address and waits for its result.
async fn open(server: &Server, browser: &Browser, token: &str, spec: &Value) -> anyhow::Result<()> {
    let kind = spec["kind"].as_str().unwrap();
    let url = format!("{}/?token={token}&view={kind}&analysis={}", server.base, encode(&spec.to_string()));
    browser.client.goto(&url).await?;
    finished(browser, kind).await
}

async fn finished(browser: &Browser, kind: &str) -> anyhow::Result<()> {
    browser.wait_for(&format!("#analysis-result[data-kind='{kind}']"), 300).await?;
    let state = browser.wait_for("#analysis-status", 5).await?.attr("data-state").await?;
    anyhow::ensure!(state.as_deref() == Some("done"), "{kind}: the status is {state:?}");
    Ok(())
}

/// The `data-value` (or `attr`) of every element matching `css`, as numbers (NaN for none).
async fn numbers(browser: &Browser, css: &str, attr: &str) -> anyhow::Result<Vec<f64>> {
    let values = browser
        .client
        .execute(
            "return [...document.querySelectorAll(arguments[0])].map(e => e.getAttribute(arguments[1]));",
            vec![json!(css), json!(attr)],
        )
        .await?;
    Ok(values
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().and_then(|s| s.parse().ok()).unwrap_or(f64::NAN)).collect())
        .unwrap_or_default())
}

/// The JSON numbers at `field` of each item of `items` (NaN for null).
fn column(items: &Value, field: &str) -> Vec<f64> {
    items.as_array().unwrap().iter().map(|i| pointer(i, field)).collect()
}

fn pointer(item: &Value, field: &str) -> f64 {
    item.pointer(field).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

#[track_caller]
fn same(what: &str, page: &[f64], native: &[f64]) {
    assert_eq!(page.len(), native.len(), "{what}: page {page:?} vs native {native:?}");
    for (p, n) in page.iter().zip(native) {
        let equal = (p.is_nan() && n.is_nan()) || (p - n).abs() <= 1e-9 * n.abs().max(1.0);
        assert!(equal, "{what}: page {page:?} vs native {native:?}");
    }
    assert!(native.iter().any(|n| *n > 0.0), "{what}: the demo data gave nothing to compare: {native:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_view_shows_the_servers_numbers_for_the_same_spec() -> anyhow::Result<()> {
    let server = Server::start(0.05, DAYS)?;
    let browser = Browser::start().await?;
    let token = server.token("acme")?;
    let days = span();

    // Funnel: five steps within a day, with a breakdown by channel.
    let steps: Vec<Value> =
        ["home", "product_view", "add_to_cart", "checkout", "purchase"].iter().map(|e| json!({ "event": e })).collect();
    let mut range = days.clone();
    range["column"] = json!("ts");
    let funnel = json!({ "kind": "funnel", "steps": steps, "window_secs": 86400, "date_range": range,
                         "breakdown": { "column": "channel", "top_n": 3 } });
    let answer = native(&server, &token, &funnel)?;
    open(&server, &browser, &token, &funnel).await?;
    let rows = "#funnel-table tbody tr";
    same(
        "funnel entities",
        &numbers(&browser, &format!("{rows} td:nth-child(2)"), "data-value").await?,
        &column(&answer["steps"], "/entities"),
    );
    same(
        "funnel overall conversion",
        &numbers(&browser, &format!("{rows} td:nth-child(3)"), "data-value").await?,
        &column(&answer["steps"], "/conversion_overall"),
    );
    let groups: Vec<f64> =
        answer["breakdown"].as_array().unwrap().iter().flat_map(|g| column(&g["steps"], "/entities")).collect();
    same(
        "funnel breakdown",
        &numbers(&browser, ".funnel-group tbody tr td:nth-child(2)", "data-value").await?,
        &groups,
    );
    browser.wait_for("#funnel-chart", 5).await?;
    browser.screenshot("analysis-funnel").await?;

    // Retention: weekly, first time, any event.
    let retention = json!({ "kind": "retention", "start": {}, "return": {}, "period": "week", "periods": 3,
                            "date_range": days, "type": "first_time", "criterion": "on" });
    let answer = native(&server, &token, &retention)?;
    open(&server, &browser, &token, &retention).await?;
    let mut retained = column(&answer["summary"]["cells"], "/retained");
    let mut sizes = vec![pointer(&answer, "/summary/entities")];
    for cohort in answer["cohorts"].as_array().unwrap() {
        retained.extend(column(&cohort["cells"], "/retained"));
        sizes.push(pointer(cohort, "/entities"));
    }
    same(
        "retention retained",
        &numbers(&browser, "#retention-table td.retention-cell", "data-retained").await?,
        &retained,
    );
    same(
        "retention cohorts",
        &numbers(&browser, "#retention-table tbody tr td:nth-child(2)", "data-value").await?,
        &sizes,
    );
    browser.screenshot("analysis-retention").await?;

    // Trends: all events and purchases, PV and UV per day, against the previous period.
    let trend = json!({ "kind": "trend", "events": [{}, { "event": "purchase" }], "measures": ["pv", "uv"],
                        "grain": "day", "date_range": days, "compare": ["previous_period"] });
    let answer = native(&server, &token, &trend)?;
    open(&server, &browser, &token, &trend).await?;
    same(
        "trend totals",
        &numbers(&browser, "#trend-table tbody td:nth-child(2)", "data-value").await?,
        &column(&answer["series"], "/total/value"),
    );
    browser.screenshot("analysis-trend").await?;

    // Distribution of purchases per user, and stickiness.
    let distribution = json!({ "kind": "distribution", "event": { "event": "purchase" }, "date_range": days });
    let answer = native(&server, &token, &distribution)?;
    open(&server, &browser, &token, &distribution).await?;
    same(
        "distribution",
        &numbers(&browser, "#distribution-table tbody td:nth-child(2)", "data-value").await?,
        &column(&answer["buckets"], "/entities"),
    );
    browser.screenshot("analysis-distribution").await?;
    let stickiness = json!({ "kind": "stickiness", "event": {}, "date_range": days });
    let answer = native(&server, &token, &stickiness)?;
    open(&server, &browser, &token, &stickiness).await?;
    same(
        "stickiness",
        &numbers(&browser, "#stickiness-table tbody td:nth-child(2)", "data-value").await?,
        &column(&answer["buckets"], "/entities"),
    );
    browser.screenshot("analysis-stickiness").await?;

    // A/B: checkout conversion per bucket, as the demo's experiment.
    let ab = json!({ "kind": "ab", "bucket": "ab_bucket", "control": "control", "date_range": days,
                     "metric": { "type": "conversion", "event": "checkout" } });
    let answer = native(&server, &token, &ab)?;
    open(&server, &browser, &token, &ab).await?;
    same(
        "ab entities",
        &numbers(&browser, "#ab-table tbody td:nth-child(2)", "data-value").await?,
        &column(&answer["buckets"], "/entities"),
    );
    same(
        "ab value",
        &numbers(&browser, "#ab-table tbody td:nth-child(3)", "data-value").await?,
        &column(&answer["buckets"], "/value"),
    );
    browser.screenshot("analysis-ab").await?;

    // Lead follow-up: the reps' leaderboard.
    let leads = json!({ "kind": "lead_follow_up", "date_range": days, "sla_minutes": 30 });
    let answer = native(&server, &token, &leads)?;
    open(&server, &browser, &token, &leads).await?;
    same(
        "lead leaderboard",
        &numbers(&browser, "#leads-leaderboard tbody td:nth-child(2)", "data-value").await?,
        &column(&answer["leaderboard"], "/assigned_leads"),
    );
    same(
        "lead won amounts",
        &numbers(&browser, "#leads-leaderboard tbody td:nth-child(8)", "data-value").await?,
        &column(&answer["leaderboard"], "/won_amount"),
    );
    browser.screenshot("analysis-leads").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_funnel_built_with_the_builder_survives_a_reload() -> anyhow::Result<()> {
    let server = Server::start(0.05, 14)?;
    let browser = Browser::start().await?;
    let token = server.token("acme")?;
    browser.client.goto(&format!("{}/?token={token}", server.base)).await?;
    browser.wait_for("#tab-analyze", 120).await?.click().await?;
    browser.wait_for("#kind-funnel", 10).await?.click().await?;
    // With no steps the builder says what is missing, naming the field.
    let note = browser.wait_for("#analysis-invalid[data-field='steps']", 300).await?;
    assert!(note.text().await?.contains("steps"));
    // Add steps: each "add" picks the most frequent event not yet a step, once the events load.
    browser.wait_for("#funnel-add-step", 10).await?;
    browser
        .client
        .wait()
        .at_most(std::time::Duration::from_secs(120))
        .for_element(Locator::Css("#funnel-add-step"))
        .await?;
    for _ in 0..3 {
        browser.client.find(Locator::Css("#funnel-add-step")).await?.click().await?;
    }
    finished(&browser, "funnel").await?;
    let before = numbers(&browser, "#funnel-table tbody tr td:nth-child(2)", "data-value").await?;
    assert_eq!(before.len(), 3);
    assert!(before[0] >= before[1] && before[1] >= before[2] && before[0] > 0.0, "{before:?}");
    // The address holds the spec: a reload shows the same funnel.
    let url = browser.client.current_url().await?;
    assert!(url.query().unwrap_or_default().contains("analysis="), "{url}");
    browser.client.refresh().await?;
    finished(&browser, "funnel").await?;
    let after = numbers(&browser, "#funnel-table tbody tr td:nth-child(2)", "data-value").await?;
    assert_eq!(before, after);
    browser.screenshot("analysis-funnel-builder").await?;
    Ok(())
}
