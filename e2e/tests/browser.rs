//! End-to-end: the real server on a loopback port, the dev build of the app in headless
//! Chromium, and answers computed natively from the Parquet files to compare against.

mod support;

use arrow_array::{Array, StringArray};
use fantoccini::Locator;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};
use support::{Browser, Server};

/// Per event name over `[from, to]` of `tenant`'s events: (rows, distinct users), read straight
/// from the Parquet files.
fn native_group_by(data_dir: &Path, tenant: &str, from: &str, to: &str) -> BTreeMap<String, (u64, u64)> {
    let mut counts: BTreeMap<String, (u64, HashSet<String>)> = BTreeMap::new();
    let tenant_dir = data_dir.join(format!("warehouse/events/tenant={tenant}"));
    for day in std::fs::read_dir(&tenant_dir).unwrap() {
        let day = day.unwrap();
        let name = day.file_name().to_string_lossy().into_owned();
        let date = name.trim_start_matches("date=");
        if date < from || date > to {
            continue;
        }
        for file in std::fs::read_dir(day.path()).unwrap() {
            let file = std::fs::File::open(file.unwrap().path()).unwrap();
            for batch in ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap() {
                let batch = batch.unwrap();
                let names = batch.column_by_name("event_name").unwrap().as_any().downcast_ref::<StringArray>().unwrap();
                let users = batch.column_by_name("user_id").unwrap().as_any().downcast_ref::<StringArray>().unwrap();
                for i in 0..batch.num_rows() {
                    let entry = counts.entry(names.value(i).to_owned()).or_default();
                    entry.0 += 1;
                    if !users.is_null(i) {
                        entry.1.insert(users.value(i).to_owned());
                    }
                }
            }
        }
    }
    counts.into_iter().map(|(k, (n, users))| (k, (n, users.len() as u64))).collect()
}

/// The result grid's header and `data-value`s, once its header reads `expected_header`.
async fn grid(browser: &Browser, expected_header: &[&str]) -> anyhow::Result<Vec<Vec<String>>> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let value = browser
            .client
            .execute(
                "const g = document.querySelector('#result-grid'); if (!g) return null; \
                 return { head: [...g.querySelectorAll('thead th')].map(th => th.textContent.trim()), \
                          rows: [...g.querySelectorAll('tbody tr')].map(tr => [...tr.querySelectorAll('td')].map(td => td.dataset.value ?? '')) };",
                vec![],
            )
            .await?;
        if let Some(obj) = value.as_object() {
            let head: Vec<String> = serde_json::from_value(obj["head"].clone())?;
            if head == expected_header {
                return Ok(serde_json::from_value(obj["rows"].clone())?);
            }
        }
        anyhow::ensure!(Instant::now() < deadline, "the result grid never showed columns {expected_header:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn load_30_days_of_events_and_group_by_matches_the_native_answer() -> anyhow::Result<()> {
    let server = Server::start(0.3, 45)?;
    let token = server.token("acme")?;
    let browser = Browser::start().await?;
    browser.client.goto(&format!("{}/?token={token}", server.base)).await?;

    // The token leaves the address bar as soon as the app has it.
    browser.wait_for("#table-list .table-item[data-table='events']", 120).await?.click().await?;
    let url = browser.client.current_url().await?;
    assert!(!url.as_str().contains("token="), "token still in the URL: {url}");

    // The default range is the last 30 days of the table.
    browser.wait_for("#load-panel", 30).await?;
    let from = browser.client.find(Locator::Css("#load-from")).await?.prop("value").await?.unwrap_or_default();
    let to = browser.client.find(Locator::Css("#load-to")).await?.prop("value").await?.unwrap_or_default();
    let days =
        chrono::NaiveDate::parse_from_str(&to, "%Y-%m-%d")? - chrono::NaiveDate::parse_from_str(&from, "%Y-%m-%d")?;
    assert_eq!(days.num_days(), 29, "default range {from}..{to} should be 30 days");

    browser.client.find(Locator::Css("#load-button")).await?.click().await?;
    let progress = browser.wait_for("#load-progress", 30).await?;
    browser.wait_for("#load-status", 300).await?;
    let now = progress.attr("aria-valuenow").await?;
    let max = progress.attr("aria-valuemax").await?;
    assert!(now.is_some() && now == max, "progress should end full: {now:?} of {max:?}");
    browser.screenshot("loaded-events").await?;

    let expected = native_group_by(&server.data_dir, "acme", &from, &to);
    let native_rows: u64 = expected.values().map(|(n, _)| n).sum();
    let status = browser.client.find(Locator::Css("#load-status")).await?.text().await?;
    let digits: String = status.chars().filter(char::is_ascii_digit).collect();
    assert!(digits.starts_with(&native_rows.to_string()), "status {status:?} should report {native_rows} rows");

    browser.run_sql(
        "SELECT event_name, count(*) AS n, count(DISTINCT user_id) AS users FROM events GROUP BY event_name ORDER BY event_name",
    )
    .await?;
    let rows = grid(&browser, &["event_name", "n", "users"]).await?;
    browser.screenshot("group-by").await?;
    let got: BTreeMap<String, (u64, u64)> =
        rows.iter().map(|r| (r[0].clone(), (r[1].parse().unwrap(), r[2].parse().unwrap()))).collect();
    assert_eq!(got, expected);
    let query_time = browser.client.find(Locator::Css("#query-time")).await?.text().await?;
    assert!(query_time.chars().any(|c| c.is_ascii_digit()), "query time shown: {query_time:?}");

    // A mistake in the SQL shows in the page, in words.
    browser.run_sql("SELECT no_such_column FROM events").await?;
    let banner = browser.wait_for("#error-banner", 30).await?.text().await?;
    assert!(banner.contains("no_such_column"), "error banner: {banner:?}");
    browser.screenshot("sql-error").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_sign_in_link_shows_the_sign_in_screen_with_the_reason() -> anyhow::Result<()> {
    let server = Server::start(0.02, 3)?;
    let browser = Browser::start().await?;
    browser.client.goto(&format!("{}/?token=not-a-real-token", server.base)).await?;
    let screen = browser.wait_for("#sign-in", 120).await?.text().await?;
    assert!(!screen.trim().is_empty());
    let banner_or_screen = browser.client.source().await?;
    assert!(banner_or_screen.contains("sign-in"), "the sign-in screen is shown");
    browser.screenshot("bad-token").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_catalogue_and_tenant_isolation_over_http() -> anyhow::Result<()> {
    let server = Server::start(0.02, 3)?;
    let acme = server.token("acme")?;
    let nimbus = server.token("nimbus")?;
    let (status, body) = server.get("/api/catalog", &acme)?;
    assert_eq!(status, 200);
    let catalog: quiver_shared::catalog::Catalog = serde_json::from_slice(&body)?;
    let mut names: Vec<&str> = catalog.tables.iter().map(|t| t.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["campaigns", "events", "lead_events", "leads", "reps"]);

    let (_, body) = server.get("/api/tables/events/partitions", &acme)?;
    let manifest: quiver_shared::partition::PartitionManifest = serde_json::from_slice(&body)?;
    let id = manifest.partitions.last().expect("acme has events").id.to_string();
    let (status, body) = server.get(&format!("/api/tables/events/partitions/{id}?columns=ts,event_name"), &acme)?;
    assert_eq!(status, 200);
    let reader = arrow_ipc_reader(&body)?;
    let fields: Vec<String> = reader.schema().fields().iter().map(|f| f.name().clone()).collect();
    assert_eq!(fields, ["ts", "event_name"]);

    let (status, _) = server.get(&format!("/api/tables/events/partitions/{id}"), &nimbus)?;
    assert_eq!(status, 404, "another tenant's partition must look missing");
    let (status, body) = server.get(&format!("/api/tables/events/partitions/{id}?columns=bogus"), &acme)?;
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body).contains("bogus"));
    Ok(())
}

fn arrow_ipc_reader(body: &[u8]) -> anyhow::Result<arrow::ipc::reader::StreamReader<std::io::Cursor<Vec<u8>>>> {
    Ok(arrow::ipc::reader::StreamReader::try_new(std::io::Cursor::new(body.to_vec()), None)?)
}
