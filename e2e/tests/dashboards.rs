//! End-to-end: dashboards, share links, embedding and row rules in headless Chromium, against the
//! real server started with `--demo-users`. Screenshots go to `e2e/artifacts/dashboards-*.png`.

mod support;

use fantoccini::Locator;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use support::{Browser, Server};

const SCALE: f64 = 0.05;
const DAYS: u32 = 20;
const PASSWORD: &str = "quiver-demo-password";

fn start() -> anyhow::Result<Server> {
    Server::start_with(SCALE, DAYS, &["--demo-users"])
}

/// `text` with everything but letters and digits percent-encoded, for a query string.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn ok_json(what: &str, answer: anyhow::Result<(u16, Vec<u8>)>) -> anyhow::Result<Value> {
    let (status, body) = answer?;
    anyhow::ensure!((200..300).contains(&status), "{what}: {status} {}", String::from_utf8_lossy(&body));
    Ok(if body.is_empty() { Value::Null } else { serde_json::from_slice(&body)? })
}

/// Signs in through the form.
async fn sign_in(browser: &Browser, server: &Server, email: &str, password: &str) -> anyhow::Result<()> {
    browser.client.goto(&format!("{}/", server.base)).await?;
    browser.wait_for("#sign-in-form:not([hidden]) #sign-in-email", 60).await?;
    browser.set_value("#sign-in-email", email).await?;
    browser.set_value("#sign-in-password", password).await?;
    browser.client.find(Locator::Css("#sign-in-submit")).await?.click().await?;
    Ok(())
}

/// `(row, value)` of every first-value cell of the tile's pivot table, once the tile is done.
async fn tile_cells(browser: &Browser) -> anyhow::Result<Vec<(String, String)>> {
    browser.wait_for(".dashboard-tile[data-state='done'] td.pivot-cell", 300).await?;
    cells(browser, ".dashboard-tile td.pivot-cell").await
}

async fn cells(browser: &Browser, css: &str) -> anyhow::Result<Vec<(String, String)>> {
    let value = browser
        .client
        .execute(
            "return [...document.querySelectorAll(arguments[0])].filter(td => td.dataset.valueIndex === '0') \
             .map(td => [td.dataset.row, td.dataset.value]);",
            vec![json!(css)],
        )
        .await?;
    Ok(serde_json::from_value(value)?)
}

/// The `data-value` of every element matching `css`.
async fn values(browser: &Browser, css: &str) -> anyhow::Result<Vec<String>> {
    let value = browser
        .client
        .execute("return [...document.querySelectorAll(arguments[0])].map(e => e.dataset.value);", vec![json!(css)])
        .await?;
    Ok(serde_json::from_value(value)?)
}

fn leads_by(column: &str) -> Value {
    json!({ "table": "leads", "rows": [{ "column": column }] })
}

fn dashboard_body(title: &str, spec: Value) -> Value {
    json!({
        "title": title,
        "tiles": [{ "id": "t1", "title": "Leads", "kind": "pivot", "spec": spec,
                    "layout": { "x": 0, "y": 0, "w": 8, "h": 6 } }]
    })
}

/// (a) + (c): a pivot built in the browser becomes a dashboard tile with the same numbers,
/// which survive a reload and a public share link opened in a fresh browser; a save over a
/// newer version is refused with the conflict shown.
#[tokio::test(flavor = "multi_thread")]
async fn dashboard_from_the_pivot_survives_reload_and_share_link() -> anyhow::Result<()> {
    let server = start()?;
    let admin = server.token_as("acme", "admin")?;
    ok_json(
        "settings",
        server.send(
            "PUT",
            "/api/settings",
            &admin,
            Some(&json!({ "allow_public_links": true, "frame_ancestors": [] })),
        ),
    )?;
    let browser = Browser::start().await?;
    sign_in(&browser, &server, "editor@acme.test", PASSWORD).await?;
    browser.wait_for("#signed-in-user[data-role='editor']", 60).await?;

    let spec = leads_by("channel");
    browser.client.goto(&format!("{}/?view=pivot&pivot={}", server.base, encode(&spec.to_string()))).await?;
    browser.wait_for("#pivot-status[data-state='done']", 300).await?;
    let pivot = cells(&browser, "#pivot-table td.pivot-cell").await?;
    assert!(pivot.len() > 2, "the pivot has channels: {pivot:?}");

    browser.client.find(Locator::Css("#pivot-add-to-dashboard")).await?.click().await?;
    browser.wait_for("#pivot-add-form .add-dashboard-title", 30).await?;
    browser.set_value("#pivot-add-form .add-dashboard-title", "Leads by channel").await?;
    browser.client.find(Locator::Css("#pivot-add-form .add-dashboard-confirm")).await?.click().await?;
    browser.wait_for("#pivot-add-form .add-dashboard-open", 30).await?.click().await?;
    let tile = tile_cells(&browser).await?;
    assert_eq!(tile, pivot, "the tile shows the pivot's numbers");
    browser.screenshot("dashboards-tile").await?;

    browser.client.refresh().await?;
    let reloaded = tile_cells(&browser).await?;
    assert_eq!(reloaded, pivot, "the same numbers after a reload");
    let id = browser.wait_for("#dashboard", 30).await?.attr("data-dashboard").await?.expect("an id");

    // Someone else saves a version: this page's save is based on an older one.
    let current = ok_json("get", server.get(&format!("/api/dashboards/{id}"), &admin))?;
    let mut body = dashboard_body("Leads by channel (edited elsewhere)", spec.clone());
    body["tiles"] = current["tiles"].clone();
    let base = current["version"].as_i64().unwrap();
    ok_json("save", server.send("PUT", &format!("/api/dashboards/{id}?base_version={base}"), &admin, Some(&body)))?;
    browser.client.find(Locator::Css("#dashboard-save")).await?.click().await?;
    browser.wait_for("#dashboard-conflict", 30).await?;
    browser.screenshot("dashboards-conflict").await?;
    // Reload: the page is at the other save's version.
    browser.client.find(Locator::Css("#dashboard-conflict button")).await?.click().await?;
    browser.wait_for("#dashboard-version[data-version='2']", 30).await?;

    // An analysis becomes the second tile of the same dashboard (its next version).
    let stickiness = json!({ "kind": "stickiness", "event": {}, "date_range": { "kind": "last", "days": 14 } });
    browser
        .client
        .goto(&format!("{}/?view=stickiness&analysis={}", server.base, encode(&stickiness.to_string())))
        .await?;
    browser.wait_for("#analysis-status[data-state='done']", 300).await?;
    let in_builder = values(&browser, "#analysis-page table[id='stickiness-table'] td[data-value]").await?;
    assert!(!in_builder.is_empty(), "the stickiness table has numbers");
    browser.client.find(Locator::Css("#analysis-add-to-dashboard")).await?.click().await?;
    browser.wait_for(&format!("#analysis-add-form option[value='{id}']"), 30).await?;
    browser.set_value("#analysis-add-form .add-dashboard-select", &id).await?;
    browser.client.find(Locator::Css("#analysis-add-form .add-dashboard-confirm")).await?.click().await?;
    browser.wait_for("#analysis-add-form .add-dashboard-open", 30).await?.click().await?;
    browser.wait_for("#dashboard-version[data-version='3']", 30).await?;
    browser.wait_for(".dashboard-tile[data-tile='t2'][data-state='done'] .analysis-result", 300).await?;
    let in_tile =
        values(&browser, ".dashboard-tile[data-tile='t2'] table[id='stickiness-table'] td[data-value]").await?;
    assert_eq!(in_tile, in_builder, "the analysis tile shows the builder's numbers");
    browser.screenshot("dashboards-two-tiles").await?;

    // History: three versions; the first has one tile.
    browser.client.find(Locator::Css("#dashboard-versions")).await?.click().await?;
    browser.wait_for("#dashboard-version-list a[data-version='1']", 30).await?.click().await?;
    browser.wait_for("#dashboard-old-version", 30).await?;
    let versions = browser.client.find_all(Locator::Css("#dashboard-version-list li")).await?;
    assert_eq!(versions.len(), 3);
    assert_eq!(browser.client.find_all(Locator::Css(".dashboard-tile")).await?.len(), 1, "version 1 has one tile");

    // Duplicate, then delete the copy: the list keeps the original only.
    browser.client.find(Locator::Css("#dashboard-duplicate")).await?.click().await?;
    let copy = browser
        .client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(&format!("#dashboard:not([data-dashboard='{id}'])")))
        .await?
        .attr("data-dashboard")
        .await?
        .expect("the copy's id");
    browser.client.find(Locator::Css("#dashboard-delete")).await?.click().await?;
    browser.client.find(Locator::Css("#dashboard-delete")).await?.click().await?;
    browser.wait_for(&format!("#dashboard-list .dashboard-link[data-id='{id}']"), 30).await?;
    assert!(
        browser.client.find(Locator::Css(&format!(".dashboard-link[data-id='{copy}']"))).await.is_err(),
        "the copy is deleted"
    );
    browser.client.goto(&format!("{}/?view=dashboards&dashboard={id}", server.base)).await?;
    assert_eq!(tile_cells(&browser).await?, pivot);

    // A public share link, opened in a fresh browser (no cookie, no storage).
    browser.client.find(Locator::Css("#dashboard-share")).await?.click().await?;
    browser.wait_for("#share-public", 30).await?.click().await?;
    browser.client.find(Locator::Css("#share-create")).await?.click().await?;
    let url = browser.wait_for("#share-url", 30).await?.prop("value").await?.expect("a link");
    assert!(url.contains("/share/qs_"), "{url}");
    browser.client.clone().close().await?;

    let fresh = Browser::start().await?;
    // A link for accounts only does not open without one.
    let private = ok_json("link", server.post_json(&format!("/api/dashboards/{id}/share-links"), &admin, &json!({})))?;
    fresh.client.goto(&format!("{}{}", server.base, private["path"].as_str().unwrap())).await?;
    fresh.wait_for("#share-error", 60).await?;
    fresh.client.goto(&url).await?;
    let shared = tile_cells(&fresh).await?;
    assert_eq!(shared, pivot, "the share link shows the same numbers");
    assert!(fresh.client.find(Locator::Css("#dashboard-save")).await.is_err(), "read only");
    // The filters still work on the shared view: one channel keeps one row (plus the total).
    let channel_name = pivot.iter().map(|(row, _)| row.clone()).find(|row| !row.contains("__total__")).unwrap();
    fresh.client.execute("document.querySelector('#filter-column').value = 'channel'; document.querySelector('#filter-column').dispatchEvent(new Event('change', {bubbles: true}));", vec![]).await?;
    fresh.set_value("#filter-values", &channel_name).await?;
    fresh.client.find(Locator::Css("#filter-apply")).await?.click().await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let filtered = tile_cells(&fresh).await?;
    fresh.screenshot("dashboards-share").await?;
    assert!(filtered.len() < shared.len(), "the filter narrowed the tile: {filtered:?}");
    // Revoked: the same link no longer opens.
    let links = ok_json("links", server.get(&format!("/api/dashboards/{id}/share-links"), &admin))?;
    let public = links.as_array().unwrap().iter().find(|l| l["public"] == json!(true)).expect("the public link");
    let link_id = public["id"].as_str().unwrap();
    ok_json("revoke", server.send("DELETE", &format!("/api/dashboards/{id}/share-links/{link_id}"), &admin, None))?;
    fresh.client.goto(&url).await?;
    fresh.wait_for("#share-error", 60).await?;
    fresh.client.clone().close().await?;
    Ok(())
}

/// (d): a viewer with a row rule sees only her rows in a tile; a wrong password is refused in
/// words; sign-out ends the session.
#[tokio::test(flavor = "multi_thread")]
async fn a_viewer_with_a_row_rule_sees_only_her_rows() -> anyhow::Result<()> {
    let server = start()?;
    let admin = server.token_as("acme", "admin")?;
    let mut body = dashboard_body("Reps", leads_by("owner_rep_id"));
    body["tiles"].as_array_mut().unwrap().push(json!({ "id": "t2", "title": "By channel", "kind": "pivot",
        "spec": leads_by("channel"), "layout": { "x": 0, "y": 6, "w": 6, "h": 6 } }));
    let record = ok_json("create", server.post_json("/api/dashboards", &admin, &body))?;
    let id = record["id"].as_str().unwrap().to_owned();
    let open = format!("{}/?view=dashboards&dashboard={id}", server.base);

    let browser = Browser::start().await?;
    sign_in(&browser, &server, "rep@acme.test", "not-the-password").await?;
    let error = browser.wait_for("#sign-in-error", 30).await?.text().await?;
    assert!(error.contains("Wrong"), "{error}");
    // Five failures for one address pause it: the sixth attempt, even with the right password,
    // is told to wait.
    for _ in 0..5 {
        sign_in(&browser, &server, "viewer@nimbus.test", "guess").await?;
        browser.wait_for("#sign-in-error", 30).await?;
    }
    sign_in(&browser, &server, "viewer@nimbus.test", PASSWORD).await?;
    let paused = browser.wait_for("#sign-in-error", 30).await?.text().await?;
    assert!(paused.contains("Too many"), "{paused}");
    sign_in(&browser, &server, "rep@acme.test", PASSWORD).await?;
    browser.wait_for("#signed-in-user[data-role='viewer']", 60).await?;
    browser.client.goto(&open).await?;
    let rep_rows = tile_cells(&browser).await?;
    browser.screenshot("dashboards-rep").await?;
    assert!(browser.client.find(Locator::Css("#dashboard-save")).await.is_err(), "viewers cannot save");
    let distinct = |cells: &[(String, String)]| {
        let mut rows: Vec<String> = cells.iter().map(|(r, _)| r.clone()).filter(|r| !r.contains("__total__")).collect();
        rows.dedup();
        rows.len()
    };
    assert_eq!(distinct(&rep_rows), 1, "one rep's rows only: {rep_rows:?}");

    browser.client.find(Locator::Css("#sign-out")).await?.click().await?;
    browser.wait_for("#sign-in-form:not([hidden])", 60).await?;
    sign_in(&browser, &server, "editor@acme.test", PASSWORD).await?;
    browser.wait_for("#signed-in-user", 60).await?;
    browser.client.goto(&open).await?;
    let all = tile_cells(&browser).await?;
    assert!(distinct(&all) > 1, "the editor sees every rep: {all:?}");

    // Cross-filtering: a click on a channel in the second tile filters the first to it.
    let by_channel = ".dashboard-tile[data-tile='t2'] td.pivot-cell";
    browser.wait_for(".dashboard-tile[data-tile='t2'][data-state='done'] td.pivot-cell", 120).await?;
    let channels = cells(&browser, by_channel).await?;
    let (channel, _) = channels.iter().find(|(row, _)| !row.contains("__total__")).unwrap().clone();
    let grand_total = |cells: &[(String, String)]| {
        cells.iter().filter(|(row, _)| row.contains("__total__")).map(|(_, v)| v.parse::<f64>().unwrap()).sum::<f64>()
    };
    let first = ".dashboard-tile[data-tile='t1'] td.pivot-cell";
    let before = grand_total(&cells(&browser, first).await?);
    browser.client.find(Locator::Css(&format!("{by_channel}[data-row='{channel}']"))).await?.click().await?;
    browser.wait_for("#cross-filter", 30).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    browser.wait_for(".dashboard-tile[data-tile='t1'][data-state='done'] td.pivot-cell", 120).await?;
    let after = grand_total(&cells(&browser, first).await?);
    browser.screenshot("dashboards-cross-filter").await?;
    let channel_total =
        channels.iter().find(|(row, _)| *row == channel).map(|(_, v)| v.parse::<f64>().unwrap()).unwrap();
    assert_eq!(after, channel_total, "the first tile counts only {channel} (before: {before})");
    assert_eq!(cells(&browser, by_channel).await?, channels, "the clicked tile is not filtered");
    browser.client.clone().close().await?;
    Ok(())
}

/// `n` events named `name` on channel `channel`, stamped now, as JSON lines for the ingest API.
fn live_events(n: usize, name: &str, channel: &str) -> Vec<String> {
    let now = chrono::Utc::now();
    (0..n)
        .map(|i| {
            json!({ "ts": (now - chrono::Duration::milliseconds(i as i64)).to_rfc3339(),
                    "user_id": format!("e2e-tile-{i}"), "session_id": "e2e-tile", "event_name": name,
                    "platform": "web", "country": "DE", "app_version": "3.2.0", "ab_bucket": "control",
                    "channel": channel, "price": 1.0 })
            .to_string()
        })
        .collect()
}

/// The grand total (the `__total__` row's first value) of tile `tile`'s pivot table, if shown.
async fn tile_total(browser: &Browser, tile: &str) -> anyhow::Result<Option<f64>> {
    let cells =
        cells(browser, &format!(".dashboard-tile[data-tile='{tile}'][data-state='done'] td.pivot-cell")).await?;
    Ok(cells.iter().find(|(row, _)| row == "__total__").and_then(|(_, v)| v.parse().ok()))
}

/// Polls `probe` every 100 ms until it gives `want`, for at most `secs`.
async fn eventually<F, Fut>(what: &str, secs: u64, want: Option<f64>, probe: F) -> anyhow::Result<()>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Option<f64>>>,
{
    let started = std::time::Instant::now();
    loop {
        let got = probe().await?;
        if got == want {
            return Ok(());
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(secs),
            "{what}: {got:?} after {secs} s, expected {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Tiles stay live when rows are ingested; a chart's bar, picked from the keyboard, filters the
/// pivot tile and the analysis tile to its group; a tile dragged by its handle onto another
/// pushes that one down, and the new layout is saved.
#[tokio::test(flavor = "multi_thread")]
async fn tiles_stay_live_cross_filter_from_a_chart_and_move_by_drag() -> anyhow::Result<()> {
    let server = start()?;
    let admin = server.token_as("acme", "admin")?;
    let ingester = server.token_with_role("acme", "editor")?;
    let range = json!({ "column": "ts", "kind": "last", "days": 3 });
    let by_channel =
        json!({ "table": "events", "rows": [{ "column": "channel" }], "view": "bar", "date_range": range });
    let by_name = json!({ "table": "events", "rows": [{ "column": "event_name" }], "date_range": range });
    let trend = json!({ "kind": "trend", "events": [{}], "measures": ["pv"], "grain": "day",
                        "date_range": { "kind": "last", "days": 3 } });
    let body = json!({ "title": "Live board", "tiles": [
        { "id": "t1", "title": "By channel", "kind": "chart", "spec": by_channel, "layout": { "x": 0, "y": 0, "w": 6, "h": 5 } },
        { "id": "t2", "title": "By event", "kind": "pivot", "spec": by_name, "layout": { "x": 6, "y": 0, "w": 6, "h": 5 } },
        { "id": "t3", "title": "Events per day", "kind": "analysis", "spec": trend, "layout": { "x": 0, "y": 5, "w": 6, "h": 4 } },
    ]});
    let record = ok_json("create", server.post_json("/api/dashboards", &admin, &body))?;
    let id = record["id"].as_str().unwrap().to_owned();

    let browser = Browser::start().await?;
    sign_in(&browser, &server, "editor@acme.test", PASSWORD).await?;
    browser.wait_for("#signed-in-user[data-role='editor']", 60).await?;
    browser.client.goto(&format!("{}/?view=dashboards&dashboard={id}", server.base)).await?;
    for tile in ["t1", "t2", "t3"] {
        browser.wait_for(&format!(".dashboard-tile[data-tile='{tile}'][data-state='done']"), 300).await?;
    }
    browser.wait_for("#live-status[data-state='connected']", 60).await?;

    // Live: ingested rows show in the open tiles without a reload.
    let before = tile_total(&browser, "t2").await?.expect("a grand total");
    let (status, answer) =
        server.post_ndjson("/api/ingest/events", &ingester, &live_events(7, "e2e_tile_probe", "organic"))?;
    anyhow::ensure!(status == 200, "ingest: {status} {}", String::from_utf8_lossy(&answer));
    let probe_row = || async {
        let cells = cells(&browser, ".dashboard-tile[data-tile='t2'] td.pivot-cell").await?;
        Ok(cells.iter().find(|(row, _)| row == "e2e_tile_probe").and_then(|(_, v)| v.parse().ok()))
    };
    eventually("the live row in the pivot tile", 15, Some(7.0), probe_row).await?;
    eventually("the pivot tile's total", 15, Some(before + 7.0), || tile_total(&browser, "t2")).await?;
    // Each tile reran for the new rows and then stays put: no tile's load sets off another's.
    let runs = || async {
        let v = browser
            .client
            .execute(
                "return [...document.querySelectorAll('.dashboard-tile')].map(t => t.dataset.runs).join(',');",
                vec![],
            )
            .await?;
        anyhow::Ok(v.as_str().unwrap_or_default().to_owned())
    };
    let quiet_since = std::time::Instant::now();
    let mut last = runs().await?;
    let mut stable = std::time::Instant::now();
    while stable.elapsed() < Duration::from_millis(3_000) {
        anyhow::ensure!(quiet_since.elapsed() < Duration::from_secs(30), "tiles keep rerunning: {last}");
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = runs().await?;
        if now != last {
            (last, stable) = (now, std::time::Instant::now());
        }
    }
    assert!(last.split(',').all(|n| n.parse::<u32>().unwrap_or(0) >= 2), "every tile reran for the live rows: {last}");
    browser.screenshot("dashboards-live-tiles").await?;

    // Cross-filter from the chart: the keyboard reaches the first bar and picks it.
    let picked = browser
        .client
        .execute(
            "const c = document.querySelector(\".dashboard-tile[data-tile='t1'] canvas\"); c.focus(); \
             c.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true, cancelable: true })); \
             return true;",
            vec![],
        )
        .await?;
    assert_eq!(picked, json!(true));
    browser.wait_for(".dashboard-tile[data-tile='t1'] .chart-tooltip", 10).await?;
    let tooltip = browser
        .client
        .execute(
            "return document.querySelector(\".dashboard-tile[data-tile='t1'] .chart-tooltip\").textContent;",
            vec![],
        )
        .await?;
    let tooltip = tooltip.as_str().unwrap_or_default().to_owned();
    let (label, value) = tooltip.rsplit_once(": ").expect("'category · series: value'");
    let channel = label.split(" · ").next().unwrap().to_owned();
    let bar: f64 = value.parse()?;
    browser
        .client
        .execute(
            "document.querySelector(\".dashboard-tile[data-tile='t1'] canvas\") \
               .dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));",
            vec![],
        )
        .await?;
    let badge = browser.wait_for("#cross-filter", 30).await?.text().await?;
    assert!(badge.contains(&channel), "the badge names {channel}: {badge}");
    eventually(&format!("the pivot tile filtered to {channel}"), 60, Some(bar), || tile_total(&browser, "t2")).await?;
    let trend_total = || async {
        let v =
            values(&browser, ".dashboard-tile[data-tile='t3'][data-state='done'] #trend-table tbody td[data-value]")
                .await?;
        Ok(v.first().and_then(|v| v.parse().ok()))
    };
    eventually(&format!("the analysis tile filtered to {channel}"), 60, Some(bar), trend_total).await?;
    browser.screenshot("dashboards-chart-cross-filter").await?;

    // Drag t3 by its handle so that its corner lands on the grid's top-left cell.
    let dropped = browser
        .client
        .execute(
            "const handle = document.querySelector(\".dashboard-tile[data-tile='t3'] .tile-drag\"); \
             const tile = handle.closest('.dashboard-tile').getBoundingClientRect(); \
             const grid = document.getElementById('dashboard-grid'); \
             const g = grid.getBoundingClientRect(); const h = handle.getBoundingClientRect(); \
             const dt = new DataTransfer(); \
             const grab = { x: h.left + 3, y: h.top + 3 }; \
             const start = { bubbles: true, cancelable: true, dataTransfer: dt, clientX: grab.x, clientY: grab.y }; \
             const at = { bubbles: true, cancelable: true, dataTransfer: dt, \
                          clientX: g.left + (grab.x - tile.left) + 7, clientY: g.top + (grab.y - tile.top) + 9 }; \
             handle.dispatchEvent(new DragEvent('dragstart', start)); \
             grid.dispatchEvent(new DragEvent('dragenter', at)); \
             const over = new DragEvent('dragover', at); grid.dispatchEvent(over); \
             grid.dispatchEvent(new DragEvent('drop', at)); \
             handle.dispatchEvent(new DragEvent('dragend', at)); \
             return over.defaultPrevented;",
            vec![],
        )
        .await?;
    assert_eq!(dropped, json!(true), "the grid accepts the dragged tile");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let style = |tile: &'static str| {
        let browser = &browser;
        async move {
            let element = browser.client.find(Locator::Css(&format!(".dashboard-tile[data-tile='{tile}']"))).await?;
            anyhow::Ok(element.attr("style").await?.unwrap_or_default())
        }
    };
    assert!(style("t3").await?.contains("grid-column: 1 / span 6; grid-row: 1 / span 4"), "t3 moved to the top");
    assert!(style("t1").await?.contains("grid-row: 5 / span 5"), "t1 pushed down under it: {}", style("t1").await?);
    assert!(style("t2").await?.contains("grid-column: 7 / span 6; grid-row: 1 / span 5"), "t2 covered nothing");
    browser.screenshot("dashboards-dragged").await?;
    browser.client.find(Locator::Css("#dashboard-save")).await?.click().await?;
    browser.wait_for("#dashboard-version[data-version='2']", 30).await?;
    let saved = ok_json("get", server.get(&format!("/api/dashboards/{id}"), &admin))?;
    let layout = |tile: &str| {
        saved["tiles"].as_array().unwrap().iter().find(|t| t["id"] == json!(tile)).map(|t| t["layout"].clone())
    };
    assert_eq!(layout("t3"), Some(json!({ "x": 0, "y": 0, "w": 6, "h": 4 })));
    assert_eq!(layout("t1"), Some(json!({ "x": 0, "y": 4, "w": 6, "h": 5 })));
    browser.client.clone().close().await?;
    Ok(())
}

/// Mints an embed token with the API key, straight over HTTP (the host's "backend").
fn mint(port: u16, key: &str, dashboard: &str, secs: i64) -> anyhow::Result<String> {
    let body = json!({ "dashboard": dashboard, "expires_in_secs": secs }).to_string();
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    write!(
        stream,
        "POST /api/embed-tokens HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw)?;
    let json = raw.split("\r\n\r\n").nth(1).unwrap_or_default();
    let value: Value = serde_json::from_str(json)?;
    value["token"].as_str().map(str::to_owned).ok_or_else(|| anyhow::anyhow!("mint: {raw}"))
}

/// The embedding host: another origin (`localhost` against the server's `127.0.0.1`), whose
/// page frames the dashboard and answers `quiver:need-token` from its own `/token` route.
struct Host {
    port: u16,
    minted: Arc<AtomicUsize>,
    refuse: Arc<AtomicBool>,
}

fn start_host(quiver_port: u16, key: String, dashboard: String, first_token: String) -> anyhow::Result<Host> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let quiver = format!("http://127.0.0.1:{quiver_port}");
    let page = format!(
        r#"<!doctype html><html><head><title>Host console</title></head><body>
<h1>Host console</h1>
<iframe id="q" src="{quiver}/embed/{dashboard}?token={first_token}" width="1100" height="500"></iframe>
<script>
window.log = [];
const Q = "{quiver}";
addEventListener("message", async (e) => {{
  if (e.origin !== Q) return;
  window.log.push(e.data.type);
  const frame = document.getElementById("q");
  if (e.data.type === "quiver:height") frame.height = Math.min(e.data.height, 2000);
  if (e.data.type === "quiver:need-token") {{
    const r = await fetch("/token");
    if (r.ok) frame.contentWindow.postMessage({{ type: "quiver:token", token: await r.text() }}, Q);
  }}
}});
</script></body></html>"#
    );
    let minted = Arc::new(AtomicUsize::new(0));
    let refuse = Arc::new(AtomicBool::new(false));
    let (m, r) = (minted.clone(), refuse.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0_u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).to_string();
            let (status, body, kind) = if head.starts_with("GET /token") {
                if r.load(Ordering::SeqCst) {
                    ("503 Service Unavailable", String::new(), "text/plain")
                } else {
                    match mint(quiver_port, &key, &dashboard, 20) {
                        Ok(token) => {
                            m.fetch_add(1, Ordering::SeqCst);
                            ("200 OK", token, "text/plain")
                        }
                        Err(e) => ("500 Internal Server Error", e.to_string(), "text/plain"),
                    }
                }
            } else {
                ("200 OK", page.clone(), "text/html; charset=utf-8")
            };
            let _ = write!(
                stream,
                "HTTP/1.0 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
        }
    });
    Ok(Host { port, minted, refuse })
}

/// (b): an embedded dashboard on a second origin keeps working past its first token's expiry
/// through `postMessage`, and says so (page and host) when no new token comes.
#[tokio::test(flavor = "multi_thread")]
async fn an_embedded_dashboard_outlives_its_first_token() -> anyhow::Result<()> {
    let server = start()?;
    let admin = server.token_as("acme", "admin")?;
    let quiver_port: u16 = server.base.rsplit(':').next().unwrap().parse()?;
    let spec = json!({ "table": "leads", "rows": [{ "column": "channel" }],
                       "date_range": { "column": "created_at", "kind": "last", "days": 3 } });
    let record = ok_json("create", server.post_json("/api/dashboards", &admin, &dashboard_body("Embedded", spec)))?;
    let id = record["id"].as_str().unwrap().to_owned();
    let key = ok_json("key", server.post_json("/api/api-keys", &admin, &json!({ "name": "host", "role": "editor" })))?;
    let key = key["key"].as_str().unwrap().to_owned();
    let first = mint(quiver_port, &key, &id, 20)?;
    let host = start_host(quiver_port, key.clone(), id.clone(), first)?;
    let host_origin = format!("http://localhost:{}", host.port);
    ok_json(
        "settings",
        server.send(
            "PUT",
            "/api/settings",
            &admin,
            Some(&json!({ "allow_public_links": false, "frame_ancestors": [host_origin] })),
        ),
    )?;

    let browser = Browser::start().await?;
    browser.client.goto(&format!("{host_origin}/")).await?;
    browser.wait_for("#q", 30).await?;
    browser.client.enter_frame(0).await?;
    let before = tile_cells(&browser).await?;
    assert!(browser.client.find(Locator::Css(".app-header")).await.is_err(), "chrome-less");
    // The token lives in memory only: not in storage, cookies or the address.
    let kept = browser
        .client
        .execute("return [sessionStorage.length, localStorage.length, document.cookie, location.search];", vec![])
        .await?;
    assert_eq!(kept, json!([0, 0, "", ""]), "storage, cookies, query string");
    browser.client.enter_parent_frame().await?;
    browser.screenshot("dashboards-embed").await?;

    // Past the first token's life (20 s): the frame must have asked for and got a new one.
    tokio::time::sleep(Duration::from_secs(26)).await;
    assert!(host.minted.load(Ordering::SeqCst) >= 1, "the frame asked the host for a token");
    let today = chrono::Utc::now().date_naive();
    let from = today - chrono::Days::new(15);
    let message =
        json!({ "type": "quiver:set-filters", "filters": { "from": from.to_string(), "to": today.to_string() } });
    browser
        .client
        .execute(
            "document.getElementById('q').contentWindow.postMessage(arguments[0], arguments[1]);",
            vec![message, json!(format!("http://127.0.0.1:{quiver_port}"))],
        )
        .await?;
    browser.client.enter_frame(0).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    // The wider range needs more days: loaded with the second token, after the first expired.
    let after = tile_cells(&browser).await?;
    let total =
        |cells: &[(String, String)]| cells.iter().map(|(_, v)| v.parse::<f64>().unwrap_or(0.0)).fold(0.0, f64::max);
    assert!(total(&after) > total(&before), "more days, more leads: {before:?} → {after:?}");
    assert!(browser.client.find(Locator::Css("#embed-expired")).await.is_err(), "no expiry shown");
    browser.client.enter_parent_frame().await?;
    let log = browser.client.execute("return window.log;", vec![]).await?;
    let log: Vec<String> = serde_json::from_value(log)?;
    for kind in ["quiver:ready", "quiver:height", "quiver:need-token"] {
        assert!(log.iter().any(|l| l == kind), "{kind} in {log:?}");
    }

    // The host stops answering: the frame says so instead of failing silently.
    host.refuse.store(true, Ordering::SeqCst);
    browser.client.enter_frame(0).await?;
    browser.wait_for("#embed-expired", 40).await?;
    browser.client.enter_parent_frame().await?;
    browser.screenshot("dashboards-embed-expired").await?;
    let log: Vec<String> = serde_json::from_value(browser.client.execute("return window.log;", vec![]).await?)?;
    assert!(log.iter().any(|l| l == "quiver:token-expired"), "{log:?}");

    // A host off the tenant's allowlist, with a valid token: the browser refuses to frame the
    // dashboard (`frame-ancestors`), so nothing renders in it and nothing reaches that host.
    let token = mint(quiver_port, &key, &id, 120)?;
    let other = start_host(quiver_port, key, id, token)?;
    browser.client.goto(&format!("http://localhost:{}/", other.port)).await?;
    browser.wait_for("#q", 30).await?;
    tokio::time::sleep(Duration::from_secs(8)).await;
    let log: Vec<String> = serde_json::from_value(browser.client.execute("return window.log;", vec![]).await?)?;
    assert!(log.is_empty(), "a host off the allowlist hears nothing from the frame: {log:?}");
    browser.client.enter_frame(0).await?;
    assert!(browser.client.find(Locator::Css("#embed")).await.is_err(), "no dashboard in the refused frame");
    browser.client.enter_parent_frame().await?;
    browser.screenshot("dashboards-embed-refused").await?;
    browser.client.clone().close().await?;
    Ok(())
}
