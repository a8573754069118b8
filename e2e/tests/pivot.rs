//! End-to-end: building a pivot by dragging fields in headless Chromium, against answers computed
//! natively from the Parquet files; the view survives a reload; CSV export; every chart type.

mod support;

use arrow_array::{Array, StringArray};
use fantoccini::Locator;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};
use support::{Browser, Server};

/// The label the pivot table uses for a total in a row or column path.
const TOTAL: &str = "__total__";

/// Distinct users of `tenant`'s events per (channel, event name), per channel, per event name and
/// overall, read straight from every Parquet file of the table.
#[derive(Default)]
struct NativeAnswer {
    cells: BTreeMap<(String, String), HashSet<String>>,
}

impl NativeAnswer {
    fn read(data_dir: &Path, tenant: &str) -> Self {
        let mut answer = Self::default();
        let tenant_dir = data_dir.join(format!("warehouse/events/tenant={tenant}"));
        for day in std::fs::read_dir(&tenant_dir).unwrap() {
            for file in std::fs::read_dir(day.unwrap().path()).unwrap() {
                let file = std::fs::File::open(file.unwrap().path()).unwrap();
                for batch in ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap() {
                    let batch = batch.unwrap();
                    let text = |name: &str| {
                        batch.column_by_name(name).unwrap().as_any().downcast_ref::<StringArray>().unwrap().clone()
                    };
                    let (channels, names, users) = (text("channel"), text("event_name"), text("user_id"));
                    for i in 0..batch.num_rows() {
                        let key = (channels.value(i).to_owned(), names.value(i).to_owned());
                        let users_of = answer.cells.entry(key).or_default();
                        if !users.is_null(i) {
                            users_of.insert(users.value(i).to_owned());
                        }
                    }
                }
            }
        }
        answer
    }

    /// Distinct users where the channel and event name match (`None` matches any).
    fn distinct_users(&self, channel: Option<&str>, event: Option<&str>) -> u64 {
        let mut users: HashSet<&String> = HashSet::new();
        for ((c, e), u) in &self.cells {
            if channel.is_none_or(|x| x == c) && event.is_none_or(|x| x == e) {
                users.extend(u);
            }
        }
        users.len() as u64
    }
}

/// One data cell of the pivot table as the page shows it.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
struct Cell {
    row: String,
    col: String,
    index: String,
    value: String,
}

/// Every data cell of the pivot table, once the pivot has finished running.
async fn pivot_cells(browser: &Browser) -> anyhow::Result<Vec<Cell>> {
    browser.wait_for("#pivot-status[data-state='done']", 300).await?;
    browser.wait_for("#pivot-table td.pivot-cell", 60).await?;
    let cells = browser
        .client
        .execute(
            "return [...document.querySelectorAll('#pivot-table td.pivot-cell')].map(td => ({ \
               row: td.dataset.row, col: td.dataset.col, index: td.dataset.valueIndex, value: td.dataset.value }));",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(cells)?)
}

fn cell<'a>(cells: &'a [Cell], row: &str, col: &str) -> anyhow::Result<&'a Cell> {
    cells
        .iter()
        .find(|c| c.row == row && c.col == col && c.index == "0")
        .ok_or_else(|| anyhow::anyhow!("no cell at row {row:?}, column {col:?} among {} cells", cells.len()))
}

/// A minimal RFC 4180 reader: enough for the export's quoting.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = vec![];
    let (mut row, mut field, mut quoted, mut chars) = (vec![], String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            ('\r', false) => {}
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

async fn open_pivot(server: &Server, browser: &Browser) -> anyhow::Result<()> {
    let token = server.token("acme")?;
    browser.client.goto(&format!("{}/?token={token}", server.base)).await?;
    browser.wait_for("#tab-pivot", 120).await?.click().await?;
    browser.wait_for("#pivot-table-select", 30).await?;
    browser.set_value("#pivot-table-select", "events").await?;
    browser.wait_for("#field-list li.field[data-field='channel']", 30).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dragged_pivot_matches_the_native_answer_survives_a_reload_and_exports() -> anyhow::Result<()> {
    let server = Server::start(0.05, 14)?;
    let browser = Browser::start().await?;
    open_pivot(&server, &browser).await?;

    browser.drag("#field-list li.field[data-field='channel']", "#shelf-rows").await?;
    browser.wait_for("#shelf-rows .chip[data-field='channel']", 10).await?;
    browser.drag("#field-list li.field[data-field='event_name']", "#shelf-columns").await?;
    browser.wait_for("#shelf-columns .chip[data-field='event_name']", 10).await?;
    browser.drag("#field-list li.field[data-field='user_id']", "#shelf-values").await?;
    let agg = browser.wait_for("#shelf-values .chip[data-field='user_id'] select.agg-select", 10).await?;
    assert_eq!(agg.prop("value").await?.as_deref(), Some("count_distinct"), "a key dropped on Values counts distinct");

    let cells = pivot_cells(&browser).await?;
    browser.screenshot("pivot-table").await?;
    let native = NativeAnswer::read(&server.data_dir, "acme");
    let check = |row: &str, col: &str| -> anyhow::Result<()> {
        let native_row = (row != TOTAL).then_some(row);
        let native_col = (col != TOTAL).then_some(col);
        let expected = native.distinct_users(native_row, native_col);
        let shown = &cell(&cells, row, col)?.value;
        anyhow::ensure!(
            shown.parse::<f64>()? == expected as f64,
            "cell ({row}, {col}): shown {shown}, native {expected}"
        );
        Ok(())
    };
    check("organic", "home")?;
    check("organic", "purchase")?;
    // Subtotals and the grand total of a count distinct are not sums of the cells.
    check("organic", TOTAL)?;
    check(TOTAL, "home")?;
    check(TOTAL, TOTAL)?;
    let leaf_sum: f64 = cells
        .iter()
        .filter(|c| c.row != TOTAL && c.col != TOTAL && c.index == "0")
        .map(|c| c.value.parse::<f64>().unwrap_or(0.0))
        .sum();
    assert!(leaf_sum > native.distinct_users(None, None) as f64, "users are counted once in the grand total");

    // The pivot is in the address: a reload shows the same numbers.
    let url = browser.client.current_url().await?;
    assert!(url.as_str().contains("pivot="), "the spec is in the URL: {url}");
    browser.client.refresh().await?;
    browser.wait_for("#shelf-rows .chip[data-field='channel']", 120).await?;
    let reloaded = pivot_cells(&browser).await?;
    assert_eq!(sorted(reloaded), sorted(cells.clone()), "the reloaded pivot shows the same cells");

    // CSV export holds what the table shows.
    browser.client.find(Locator::Css("#export-csv")).await?.click().await?;
    let (name, bytes) = browser.download(".csv", 30).await?;
    assert!(name.starts_with("pivot-events"), "file name {name}");
    let rows = parse_csv(std::str::from_utf8(&bytes)?);
    let organic = rows.iter().find(|r| r.first().map(String::as_str) == Some("organic")).expect("an organic row");
    let expected = native.distinct_users(Some("organic"), None).to_string();
    assert!(organic.contains(&expected), "the organic row {organic:?} holds its total {expected}");
    let grand = native.distinct_users(None, None).to_string();
    assert!(rows.iter().any(|r| r.contains(&grand)), "the CSV holds the grand total {grand}");
    Ok(())
}

fn sorted(mut cells: Vec<Cell>) -> Vec<(String, String, String, String)> {
    cells.sort_by(|a, b| (&a.row, &a.col, &a.index).cmp(&(&b.row, &b.col, &b.index)));
    cells.into_iter().map(|c| (c.row, c.col, c.index, c.value)).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn fields_move_by_menu_and_keyboard_and_every_chart_type_draws() -> anyhow::Result<()> {
    let server = Server::start(0.05, 10)?;
    let browser = Browser::start().await?;
    open_pivot(&server, &browser).await?;

    // Without dragging: the field's menu puts it on a shelf.
    for (field, shelf) in [("channel", "rows"), ("platform", "columns"), ("price", "values")] {
        let item = browser.wait_for(&format!("#field-list li.field[data-field='{field}']"), 10).await?;
        item.send_keys("\u{E007}").await?; // Enter opens the field's menu.
        browser.wait_for(&format!("button[data-action='{shelf}']"), 10).await?.click().await?;
        browser.wait_for(&format!("#shelf-{shelf} .chip[data-field='{field}']"), 10).await?;
    }
    let agg = browser.wait_for("#shelf-values .chip[data-field='price'] select.agg-select", 10).await?;
    assert_eq!(agg.prop("value").await?.as_deref(), Some("sum"), "a measure dropped on Values is summed");
    let cells = pivot_cells(&browser).await?;
    assert!(cells.iter().any(|c| c.row == "organic"), "the pivot groups by channel");

    // Delete on a focused chip removes it.
    let chip = browser.wait_for("#shelf-columns .chip[data-field='platform']", 10).await?;
    chip.send_keys("\u{E017}").await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while browser.client.find(Locator::Css("#shelf-columns .chip[data-field='platform']")).await.is_ok() {
        anyhow::ensure!(Instant::now() < deadline, "Delete did not remove the chip");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Every chart type draws on the canvas; screenshots are kept to look at.
    browser.wait_for("#field-list li.field[data-field='event_name']", 10).await?;
    browser.drag("#field-list li.field[data-field='event_name']", "#shelf-columns").await?;
    pivot_cells(&browser).await?;
    for kind in ["bar", "stacked_bar", "line", "area", "heatmap", "scatter"] {
        if kind == "scatter" {
            // A scatter plot sets two values against each other: add distinct users to sum(price).
            browser.drag("#field-list li.field[data-field='user_id']", "#shelf-values").await?;
            browser.wait_for("#shelf-values .chip[data-field='user_id']", 10).await?;
            browser.wait_for("#pivot-status[data-state='done']", 120).await?;
        }
        browser.client.find(Locator::Css(&format!("#view-switcher button[data-view='{kind}']"))).await?.click().await?;
        browser.wait_for(&format!("#pivot-chart[data-kind='{kind}']"), 30).await?;
        // The canvas has been painted: some pixel differs from the first one.
        let painted = browser
            .client
            .execute(
                "const c = document.querySelector('#pivot-chart'); \
                 const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; \
                 for (let i = 4; i < d.length; i += 4) { \
                   if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) return true; } \
                 return false;",
                vec![],
            )
            .await?;
        assert_eq!(painted, serde_json::json!(true), "the {kind} chart drew something");
        browser.screenshot(&format!("pivot-chart-{kind}")).await?;
    }
    // Back undoes one change at a time: first the switch to scatter, then the second value;
    // forward redoes it.
    browser.client.back().await?;
    browser.wait_for("#pivot-chart[data-kind='heatmap']", 30).await?;
    browser.wait_for("#shelf-values .chip[data-field='user_id']", 5).await?;
    browser.client.back().await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while browser.client.find(Locator::Css("#shelf-values .chip[data-field='user_id']")).await.is_ok() {
        anyhow::ensure!(Instant::now() < deadline, "Back did not restore the pivot without the second value");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser.client.forward().await?;
    browser.wait_for("#shelf-values .chip[data-field='user_id']", 30).await?;
    Ok(())
}
