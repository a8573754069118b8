//! Benchmark: Quiver against DuckDB-WASM and Perspective in one headless Chromium, on the same
//! data (acme's `events`, `leads` and `lead_events`) fetched as the same Arrow IPC partitions from
//! the same server, with the same dashboard queries. Writes `BENCHMARKS.md` at the repository root.
//!
//! Quiver runs in the real app page through `window.__quiver_bench` (the app's own load path and
//! DataFusion engine, see `app/src/infra/bench_hook.rs`); the peers run in the static pages of
//! `e2e/bench/pages/`, served with their npm packages from a copy of the app directory by the same
//! server (same origin, no CDN). Every figure is timed in the page with `performance.now()`; each
//! engine gets a fresh browser, so its peak memory is its own.
//!
//! Run through `cargo xtask bench --only peers` (release app and server). Environment:
//! `QUIVER_BENCH_SCALE` (demo scale, default 1 ≈ 1M events), `QUIVER_BENCH_LABEL` (a note on the
//! build, e.g. "dev build"), `QUIVER_BENCH_BROTLI_QUALITY` (default 11, as `serve` ships),
//! `QUIVER_BENCH_OUT` (where to write the report instead of `BENCHMARKS.md`).

#[path = "../tests/support/mod.rs"]
mod support;

use quiver_shared::pivot::{Field, PivotSpec, Value as PivotValue, ViewKind};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::{Browser, Server};

/// Warm runs per query; the median is reported.
const WARM_RUNS: usize = 5;

/// The tables every engine loads, whole.
const TABLES: [&str; 3] = ["events", "leads", "lead_events"];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Engine {
    Quiver,
    DuckDb,
    Perspective,
}

impl Engine {
    fn label(self) -> &'static str {
        match self {
            Engine::Quiver => "Quiver (DataFusion)",
            Engine::DuckDb => "DuckDB-WASM",
            Engine::Perspective => "Perspective",
        }
    }
}

/// One dashboard query, as each engine expresses it (`None`: the engine cannot).
struct Query {
    name: &'static str,
    /// SQL for DataFusion and DuckDB (see [`duckdb_sql`]).
    sql: &'static str,
    /// An aggregate over the SQL result's columns (`SELECT check FROM (sql) q`), computed by both
    /// SQL engines, untimed, to show that they give the same answer.
    check: &'static str,
    perspective: Option<Value>,
}

const FUNNEL: &str = "WITH s1 AS (SELECT user_id, min(ts) AS t0 FROM events WHERE event_name = 'home' GROUP BY user_id), \
s2 AS (SELECT e.user_id, min(s.t0) AS t0, min(e.ts) AS t FROM events e JOIN s1 s ON e.user_id = s.user_id \
  WHERE e.event_name = 'product_view' AND e.ts >= s.t0 AND e.ts <= s.t0 + INTERVAL '7 days' GROUP BY e.user_id), \
s3 AS (SELECT e.user_id, min(s.t0) AS t0, min(e.ts) AS t FROM events e JOIN s2 s ON e.user_id = s.user_id \
  WHERE e.event_name = 'add_to_cart' AND e.ts >= s.t AND e.ts <= s.t0 + INTERVAL '7 days' GROUP BY e.user_id), \
s4 AS (SELECT e.user_id, min(s.t0) AS t0, min(e.ts) AS t FROM events e JOIN s3 s ON e.user_id = s.user_id \
  WHERE e.event_name = 'checkout' AND e.ts >= s.t AND e.ts <= s.t0 + INTERVAL '7 days' GROUP BY e.user_id), \
s5 AS (SELECT e.user_id FROM events e JOIN s4 s ON e.user_id = s.user_id \
  WHERE e.event_name = 'purchase' AND e.ts >= s.t AND e.ts <= s.t0 + INTERVAL '7 days' GROUP BY e.user_id) \
SELECT 1 AS step, count(*) AS users FROM s1 UNION ALL SELECT 2, count(*) FROM s2 UNION ALL SELECT 3, count(*) FROM s3 \
UNION ALL SELECT 4, count(*) FROM s4 UNION ALL SELECT 5, count(*) FROM s5";

const RETENTION: &str = "WITH cohorts AS (SELECT user_id, date_trunc('week', min(ts)) AS cohort FROM events GROUP BY user_id), \
active AS (SELECT DISTINCT user_id, date_trunc('week', ts) AS week FROM events) \
SELECT c.cohort, a.week, count(*) AS users FROM cohorts c JOIN active a ON a.user_id = c.user_id \
GROUP BY c.cohort, a.week ORDER BY c.cohort, a.week";

fn queries() -> Vec<Query> {
    let p = |v: Value| Some(v);
    vec![
        Query {
            name: "group by 1: count by event",
            check: "sum(n * length(event_name))",
            sql: "SELECT event_name, count(*) AS n FROM events GROUP BY event_name",
            perspective: p(json!({ "table": "events", "group_by": ["event_name"], "columns": ["session_id"],
                                   "aggregates": { "session_id": "count" } })),
        },
        Query {
            name: "group by 2: count, sum",
            check: "sum(n * length(channel || platform)) + sum(revenue)",
            sql: "SELECT channel, platform, count(*) AS n, sum(price) AS revenue FROM events GROUP BY channel, platform",
            perspective: p(
                json!({ "table": "events", "group_by": ["channel", "platform"], "columns": ["session_id", "price"],
                                   "aggregates": { "session_id": "count", "price": "sum" } }),
            ),
        },
        Query {
            name: "group by 3: count, sum, count distinct",
            check: "sum(users * length(country || platform || event_name)) + sum(n) + sum(revenue)",
            sql: "SELECT country, platform, event_name, count(*) AS n, sum(price) AS revenue, count(DISTINCT user_id) AS users \
                  FROM events GROUP BY country, platform, event_name",
            perspective: p(json!({ "table": "events", "group_by": ["country", "platform", "event_name"],
                                   "columns": ["session_id", "price", "user_id"],
                                   "aggregates": { "session_id": "count", "price": "sum", "user_id": "distinct count" } })),
        },
        Query {
            name: "count distinct users by channel",
            check: "sum(users * length(channel))",
            sql: "SELECT channel, count(DISTINCT user_id) AS users FROM events GROUP BY channel",
            perspective: p(json!({ "table": "events", "group_by": ["channel"], "columns": ["user_id"],
                                   "aggregates": { "user_id": "distinct count" } })),
        },
        Query {
            name: "filtered group by",
            check: "sum(n * length(country)) + sum(revenue)",
            sql: "SELECT country, count(*) AS n, sum(price) AS revenue FROM events \
                  WHERE event_name = 'purchase' AND platform = 'ios' GROUP BY country",
            perspective: p(json!({ "table": "events", "group_by": ["country"], "columns": ["session_id", "price"],
                                   "aggregates": { "session_id": "count", "price": "sum" },
                                   "filter": [["event_name", "==", "purchase"], ["platform", "==", "ios"]] })),
        },
        Query {
            name: "hourly buckets",
            check: "sum(n * (1 + date_part('hour', hour)))",
            sql: "SELECT date_trunc('hour', ts) AS hour, count(*) AS n FROM events GROUP BY 1 ORDER BY 1",
            perspective: p(json!({ "table": "events", "expressions": { "hour": "bucket(\"ts\", 'h')" },
                                   "group_by": ["hour"], "columns": ["session_id"], "aggregates": { "session_id": "count" } })),
        },
        Query {
            name: "daily buckets by event, users",
            check: "sum(users * date_part('day', day)) + sum(n * length(event_name))",
            sql: "SELECT date_trunc('day', ts) AS day, event_name, count(*) AS n, count(DISTINCT user_id) AS users \
                  FROM events GROUP BY 1, 2 ORDER BY 1, 2",
            perspective: p(json!({ "table": "events", "expressions": { "day": "bucket(\"ts\", 'D')" },
                                   "group_by": ["day", "event_name"], "columns": ["session_id", "user_id"],
                                   "aggregates": { "session_id": "count", "user_id": "distinct count" } })),
        },
        Query {
            name: "top 10 users by revenue",
            check: "sum(revenue) + sum(length(user_id))",
            sql: "SELECT user_id, sum(price) AS revenue FROM events GROUP BY user_id ORDER BY revenue DESC NULLS LAST LIMIT 10",
            perspective: p(json!({ "table": "events", "group_by": ["user_id"], "columns": ["price"],
                                   "aggregates": { "price": "sum" }, "sort": [["price", "desc"]], "end_row": 11 })),
        },
        Query {
            name: "join: lead events × leads",
            check: "sum(n * length(region || kind)) + sum(seconds)",
            sql: "SELECT l.region, e.kind, count(*) AS n, sum(e.duration_s) AS seconds \
                  FROM lead_events e JOIN leads l ON e.lead_id = l.lead_id GROUP BY l.region, e.kind",
            perspective: None,
        },
        Query { name: "5-step funnel, 7-day window", sql: FUNNEL, check: "sum(users * step)", perspective: None },
        Query {
            name: "weekly retention (cohort × week)",
            sql: RETENTION,
            check: "sum(users * (1 + date_part('day', week)))",
            perspective: None,
        },
    ]
}

/// The query as DuckDB-WASM can run it. Arrow's UTC timestamps arrive in DuckDB as `TIMESTAMPTZ`,
/// and without its ICU extension (which DuckDB-WASM would download from the network) DuckDB has
/// no `date_trunc` or interval arithmetic on them: queries that use `ts` read `events` with `ts`
/// cast to a plain `TIMESTAMP` (UTC, the same instants), which DuckDB's optimizer folds into the
/// scan.
fn duckdb_sql(sql: &str) -> String {
    let uses_ts = sql.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).any(|word| word == "ts");
    if !uses_ts {
        return sql.to_owned();
    }
    sql.replace("FROM events", "FROM (SELECT * REPLACE (CAST(ts AS TIMESTAMP) AS ts) FROM events)")
}

/// Runs `window.peer[op](arg)` in the page and resolves with its time, its rows, and the page's
/// JS heap (and the wasm memory, where the engine exposes it) right after.
const TIMED_OP: &str = r#"
const [op, arg, done] = arguments;
const t0 = performance.now();
Promise.resolve().then(() => window.peer[op](arg)).then(
  (rows) => done({
    ms: performance.now() - t0,
    rows: Number(rows),
    heap: performance.memory ? performance.memory.usedJSHeapSize : null,
    wasm: window.peer.wasmBytes ? window.peer.wasmBytes() : null,
  }),
  (e) => done({ error: String((e && e.message) || e) }));
"#;

/// `window.peer.scalar(sql)`, untimed: the check value of a query.
const SCALAR: &str = r#"
const [sql, done] = arguments;
Promise.resolve().then(() => window.peer.scalar(sql)).then(
  (value) => done({ value }),
  (e) => done({ error: String((e && e.message) || e) }));
"#;

/// The Quiver adapter, injected into the app page: the hook the app installs.
const QUIVER_PEER: &str = r#"
const hook = window.__quiver_bench;
if (!hook) return false;
window.peer = { name: 'Quiver', load: (t) => hook.load(t), query: (q) => hook.sql(q), scalar: (q) => hook.scalar(q),
                wasmBytes: () => hook.wasmBytes() };
return true;
"#;

#[derive(Default)]
struct Timing {
    first: f64,
    warm: f64,
    rows: u64,
    /// The query's check value (SQL engines only).
    answer: Option<f64>,
}

#[derive(Default)]
struct Figures {
    version: String,
    /// Per table: ms and rows.
    loads: Vec<(f64, u64)>,
    /// Per query: the timing, or why there is none.
    queries: Vec<Result<Timing, String>>,
    peak_heap: f64,
    peak_wasm: f64,
    peak_renderer_rss: f64,
    /// Quiver only: each query's plan under `EXPLAIN ANALYZE` (operators with rows and time).
    profiles: Vec<(&'static str, Result<String, String>)>,
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

async fn op(browser: &Browser, op: &str, arg: Value, figures: &mut Figures) -> Result<(f64, u64), String> {
    let result = browser.client.execute_async(TIMED_OP, vec![json!(op), arg]).await.map_err(|e| e.to_string())?;
    if let Some(error) = result.get("error") {
        return Err(error.as_str().unwrap_or_default().chars().take(300).collect());
    }
    figures.peak_heap = figures.peak_heap.max(result["heap"].as_f64().unwrap_or(0.0));
    figures.peak_wasm = figures.peak_wasm.max(result["wasm"].as_f64().unwrap_or(0.0));
    Ok((result["ms"].as_f64().unwrap_or(f64::NAN), result["rows"].as_f64().unwrap_or(0.0) as u64))
}

/// Waits until the page has set `window.peer` (or reported `window.peerError`).
async fn wait_for_peer(browser: &Browser, engine: Engine) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let ready = if engine == Engine::Quiver {
            browser.client.execute(QUIVER_PEER, vec![]).await?
        } else {
            browser
                .client
                .execute("if (window.peerError) return window.peerError; return !!window.peer;", vec![])
                .await?
        };
        match ready {
            Value::Bool(true) => return Ok(()),
            Value::String(error) => anyhow::bail!("{}: {error}", engine.label()),
            _ => {}
        }
        anyhow::ensure!(Instant::now() < deadline, "{}: the page did not get ready in 300 s", engine.label());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn run_engine(server: &Server, token: &str, engine: Engine, queries: &[Query]) -> anyhow::Result<Figures> {
    println!("== {}", engine.label());
    let browser = Browser::start_with_args(&["--enable-precise-memory-info"]).await?;
    browser
        .client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(Duration::from_secs(1800)),
            Some(Duration::from_secs(300)),
            Some(Duration::from_secs(0)),
        ))
        .await?;
    let page = match engine {
        Engine::Quiver => "/".to_owned(),
        Engine::DuckDb => "/bench/duckdb.html".to_owned(),
        Engine::Perspective => "/bench/perspective.html".to_owned(),
    };
    browser.client.goto(&format!("{}{page}?token={token}", server.base)).await?;
    wait_for_peer(&browser, engine).await?;
    let version = browser.client.execute("return navigator.userAgent", vec![]).await?;
    let mut figures = Figures { version: version.as_str().unwrap_or_default().to_owned(), ..Figures::default() };
    for table in TABLES {
        let (ms, rows) = op(&browser, "load", json!(table), &mut figures)
            .await
            .map_err(|e| anyhow::anyhow!("loading {table}: {e}"))?;
        println!("load {table}: {ms:.0} ms, {rows} rows");
        figures.loads.push((ms, rows));
    }
    for query in queries {
        let arg = match engine {
            Engine::Quiver => Some(json!(query.sql)),
            Engine::DuckDb => Some(json!(duckdb_sql(query.sql))),
            Engine::Perspective => query.perspective.clone(),
        };
        let Some(arg) = arg else {
            figures.queries.push(Err("not expressible".to_owned()));
            continue;
        };
        let timing = async {
            let (first, rows) = op(&browser, "query", arg.clone(), &mut figures).await?;
            let mut warm = Vec::new();
            for _ in 0..WARM_RUNS {
                warm.push(op(&browser, "query", arg.clone(), &mut figures).await?.0);
            }
            let answer = match engine {
                Engine::Perspective => None,
                _ => {
                    let check = format!("SELECT {} AS v FROM ({}) q", query.check, query.sql);
                    let check = if engine == Engine::DuckDb { duckdb_sql(&check) } else { check };
                    let result =
                        browser.client.execute_async(SCALAR, vec![json!(check)]).await.map_err(|e| e.to_string())?;
                    if let Some(error) = result.get("error") {
                        return Err(format!("check: {error}"));
                    }
                    result["value"].as_f64()
                }
            };
            Ok::<_, String>(Timing { first, warm: median(warm), rows, answer })
        }
        .await;
        if engine == Engine::Quiver {
            let plan = browser
                .client
                .execute("return window.__quiver_bench.profile(arguments[0])", vec![json!(query.sql)])
                .await
                .map_err(|e| e.to_string())
                .map(|v| v.as_str().unwrap_or_default().to_owned());
            figures.profiles.push((query.name, plan));
        }
        match &timing {
            Ok(t) => println!(
                "{}: first {:.1} ms, warm {:.1} ms, {} rows, check {:?}",
                query.name, t.first, t.warm, t.rows, t.answer
            ),
            Err(e) => println!("{}: {e}", query.name),
        }
        figures.queries.push(timing);
    }
    figures.peak_renderer_rss = renderer_peak_rss(browser.driver_pid());
    Ok(figures)
}

/// The largest peak resident set (`VmHWM`) of the renderer processes under `driver`: the page, its
/// workers and its wasm memories, which the JS heap figure does not count.
fn renderer_peak_rss(driver: u32) -> f64 {
    let mut parent = std::collections::HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else { return f64::NAN };
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // `pid (comm) state ppid …`; comm may hold spaces, so split after the last ')'.
        let ppid = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            parent.insert(pid, ppid);
        }
    }
    let descends = |mut pid: u32| {
        while let Some(&p) = parent.get(&pid) {
            if p == driver {
                return true;
            }
            pid = p;
        }
        false
    };
    let mut peak = 0.0f64;
    for &pid in parent.keys() {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if !String::from_utf8_lossy(&cmdline).contains("--type=renderer") || !descends(pid) {
            continue;
        }
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let kb = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .unwrap_or(0.0);
        peak = peak.max(kb * 1024.0);
    }
    peak
}

/// Rows in the open pivot before live rows come in, and the live deltas folded into it.
const LIVE_BASE_ROWS: usize = 1_000_000;
const LIVE_DELTA_ROWS: usize = 10_000;
const LIVE_DELTAS: usize = 10;

/// The live pivot benchmark's data as Arrow IPC stream files under `dir/live/`: a base of
/// [`LIVE_BASE_ROWS`] rows (`id`, `g` one of `groups` labels, `user_id` one of 50k, `price`) and
/// [`LIVE_DELTAS`] deltas of new rows; returns their paths as the pages fetch them.
fn write_live_files(dir: &Path, groups: usize) -> anyhow::Result<(String, Vec<String>)> {
    use arrow::array::{Float64Array, Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field as ArrowField, Schema};
    use std::sync::Arc;
    let schema = Arc::new(Schema::new(vec![
        ArrowField::new("id", DataType::Int64, false),
        ArrowField::new("g", DataType::Utf8, true),
        ArrowField::new("user_id", DataType::Utf8, true),
        ArrowField::new("price", DataType::Float64, true),
    ]));
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15 ^ groups as u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut write = |name: String, first_id: usize, rows: usize| -> anyhow::Result<String> {
        let ids: Vec<i64> = (first_id..first_id + rows).map(|i| i as i64).collect();
        let g: Vec<String> = (0..rows).map(|_| format!("g{}", next() % groups as u64)).collect();
        let users: Vec<String> = (0..rows).map(|_| format!("u{}", next() % 50_000)).collect();
        let prices: Vec<f64> = (0..rows).map(|_| (next() % 10_000) as f64 / 100.0).collect();
        let batch = arrow::record_batch::RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(ids)),
                Arc::new(StringArray::from(g)),
                Arc::new(StringArray::from(users)),
                Arc::new(Float64Array::from(prices)),
            ],
        )?;
        std::fs::create_dir_all(dir.join("live"))?;
        let file = std::fs::File::create(dir.join("live").join(&name))?;
        let mut writer = arrow::ipc::writer::StreamWriter::try_new(file, &schema)?;
        writer.write(&batch)?;
        writer.finish()?;
        Ok(format!("/live/{name}"))
    };
    let base = write(format!("base-{groups}.arrows"), 0, LIVE_BASE_ROWS)?;
    let deltas = (0..LIVE_DELTAS)
        .map(|i| write(format!("delta-{groups}-{i}.arrows"), LIVE_BASE_ROWS + i * LIVE_DELTA_ROWS, LIVE_DELTA_ROWS))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok((base, deltas))
}

/// Runs the live pivot benchmark in `engine`'s page (a fresh browser): the milliseconds of the
/// pivot's first full run, then of each delta folded in and the pivot read out again.
async fn live_pivot(
    server: &Server,
    token: &str,
    engine: Engine,
    files: &(String, Vec<String>),
) -> anyhow::Result<Vec<f64>> {
    let browser = Browser::start().await?;
    browser
        .client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(Some(Duration::from_secs(600)), None, None))
        .await?;
    let page = if engine == Engine::Quiver { "/" } else { "/bench/perspective.html" };
    browser.client.goto(&format!("{}{page}?token={token}", server.base)).await?;
    wait_for_peer(&browser, engine).await?;
    let run = if engine == Engine::Quiver {
        "(b, ds) => window.__quiver_bench.livePivot(b, ds)"
    } else {
        "(b, ds) => window.peer.live(b, ds)"
    };
    let script = format!(
        "const [base, deltas, done] = arguments; \
         const get = async (u) => new Uint8Array(await (await fetch(u)).arrayBuffer()); \
         Promise.all([get(base), Promise.all(deltas.map(get))]) \
           .then(([b, ds]) => ({run})(b, ds)) \
           .then((times) => done({{ times: Array.from(times) }}), (e) => done({{ error: String((e && e.message) || e) }}));"
    );
    let result = browser.client.execute_async(&script, vec![json!(files.0), json!(files.1)]).await?;
    if let Some(error) = result.get("error") {
        anyhow::bail!("{}: {error}", engine.label());
    }
    let times: Vec<f64> = serde_json::from_value(result["times"].clone())?;
    browser.client.clone().close().await?;
    Ok(times)
}

/// The time from opening a public share link of a dashboard with one chart tile (bar chart of
/// the count of events by channel, over every day) in a fresh browser to the first painted chart,
/// in ms since the navigation started: the app's download and start, the catalogue, the
/// partitions, the query and the drawing.
async fn time_to_first_chart(server: &Server) -> anyhow::Result<f64> {
    let spec = PivotSpec {
        table: "events".to_owned(),
        rows: vec![Field::plain("channel")],
        values: vec![PivotValue::count_rows()],
        view: ViewKind::Bar,
        ..PivotSpec::default()
    };
    let admin = server.token_as("acme", "admin")?;
    let answer = |what: &str, answer: anyhow::Result<(u16, Vec<u8>)>| -> anyhow::Result<Value> {
        let (status, body) = answer?;
        anyhow::ensure!((200..300).contains(&status), "{what}: {status} {}", String::from_utf8_lossy(&body));
        Ok(serde_json::from_slice(&body)?)
    };
    let settings = json!({ "allow_public_links": true, "frame_ancestors": [] });
    answer("settings", server.send("PUT", "/api/settings", &admin, Some(&settings)))?;
    let spec: Value = serde_json::from_str(&spec.to_json())?;
    let body = json!({ "title": "First chart", "tiles": [{ "id": "t1", "title": "Events by channel", "kind": "chart",
                       "spec": spec, "layout": { "x": 0, "y": 0, "w": 12, "h": 8 } }] });
    let dashboard = answer("dashboard", server.post_json("/api/dashboards", &admin, &body))?;
    let id = dashboard["id"].as_str().unwrap_or_default();
    let link = answer(
        "link",
        server.post_json(&format!("/api/dashboards/{id}/share-links"), &admin, &json!({ "public": true })),
    )?;
    let path = link["path"].as_str().unwrap_or_default();
    let browser = Browser::start().await?;
    browser
        .client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(Some(Duration::from_secs(600)), None, None))
        .await?;
    browser.client.goto(&format!("{}{path}", server.base)).await?;
    // Polled at every frame: the first frame that shows a finished tile with a painted chart.
    let result = browser
        .client
        .execute_async(
            r##"const done = arguments[0];
            const painted = () => {
              const c = document.querySelector(".dashboard-tile[data-state='done'] canvas[data-kind='bar']");
              if (!c || c.width === 0) return false;
              const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              for (let i = 4; i < d.length; i += 4) if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) return true;
              return false;
            };
            const tick = () => painted() ? done({ ms: performance.now() }) : requestAnimationFrame(tick);
            tick();"##,
            vec![],
        )
        .await?;
    browser.screenshot("bench-peers-first-chart").await?;
    result["ms"].as_f64().ok_or_else(|| anyhow::anyhow!("no chart: {result}"))
}

/// Raw, gzip and brotli bytes of these files together.
fn sizes(files: &[PathBuf], quality: u32) -> anyhow::Result<(usize, usize, usize)> {
    let (mut raw, mut gz, mut br) = (0, 0, 0);
    for file in files {
        let data = std::fs::read(file)?;
        raw += data.len();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&data)?;
        gz += enc.finish()?.len();
        let params = brotli::enc::BrotliEncoderParams { quality: quality as i32, lgwin: 24, ..Default::default() };
        let mut out = Vec::new();
        brotli::BrotliCompress(&mut &data[..], &mut out, &params)?;
        br += out.len();
    }
    Ok((raw, gz, br))
}

/// Every file under `dir` except the precompressed copies.
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files_under(&path, out)?;
        } else if !matches!(path.extension().and_then(|e| e.to_str()), Some("br" | "gz")) {
            out.push(path);
        }
    }
    Ok(())
}

/// The directory the server serves: the built app's files, the bench pages under `/bench/`, and
/// the peers' npm packages under `/node_modules/`, all as symbolic links.
fn serve_dir(app: &Path, root: &Path) -> anyhow::Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    for entry in std::fs::read_dir(app)? {
        let entry = entry?;
        std::os::unix::fs::symlink(entry.path(), dir.path().join(entry.file_name()))?;
    }
    std::os::unix::fs::symlink(root.join("e2e/bench/pages"), dir.path().join("bench"))?;
    std::fs::create_dir_all(dir.path().join("node_modules/@duckdb"))?;
    std::fs::create_dir_all(dir.path().join("node_modules/@finos"))?;
    for package in ["@duckdb/duckdb-wasm", "@finos/perspective", "apache-arrow", "flatbuffers", "tslib"] {
        let from = root.join("node_modules").join(package);
        anyhow::ensure!(from.is_dir(), "{} is missing: run `cargo xtask tools` (npm ci)", from.display());
        std::os::unix::fs::symlink(from, dir.path().join("node_modules").join(package))?;
    }
    Ok(dir)
}

fn mb(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1e6)
}

/// "1.8× faster" style: the peer's time over Quiver's.
fn speedup(quiver: f64, peer: f64) -> String {
    if peer >= quiver { format!("{:.2}× faster", peer / quiver) } else { format!("{:.2}× slower", quiver / peer) }
}

/// Whether two check values are the same answer: equal to 1e-9 relative (float sums may be added
/// in another order).
fn agree(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
        // No value on either side proves nothing.
        _ => false,
    }
}

fn geomean(xs: &[f64]) -> f64 {
    (xs.iter().map(|x| x.ln()).sum::<f64>() / xs.len() as f64).exp()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let env = |name: &str| std::env::var(name).ok().filter(|s| !s.is_empty());
    let scale: f64 = env("QUIVER_BENCH_SCALE").and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let quality: u32 = env("QUIVER_BENCH_BROTLI_QUALITY").and_then(|s| s.parse().ok()).unwrap_or(11);
    let label = env("QUIVER_BENCH_LABEL");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("e2e is in the workspace").to_path_buf();
    let app = PathBuf::from(env("QUIVER_E2E_APP_DIR").ok_or_else(|| anyhow::anyhow!("QUIVER_E2E_APP_DIR is not set"))?);
    let served = serve_dir(&app, &root)?;
    let server = Server::start_serving(scale, 120, served.path())?;
    let token = server.token("acme")?;
    let queries = queries();

    let mut results = Vec::new();
    for engine in [Engine::Quiver, Engine::DuckDb, Engine::Perspective] {
        results.push((engine, run_engine(&server, &token, engine, &queries).await?));
    }
    let first_chart = time_to_first_chart(&server).await;
    println!("time to first chart: {first_chart:?}");
    let mut live = Vec::new();
    for groups in [50, 50_000] {
        let files = write_live_files(served.path(), groups)?;
        for engine in [Engine::Quiver, Engine::Perspective] {
            let times = live_pivot(&server, &token, engine, &files).await;
            println!("live pivot, {groups} groups, {}: {times:?}", engine.label());
            live.push((groups, engine, times.map_err(|e| e.to_string())));
        }
    }

    // Bundles: what each engine makes the browser download.
    let mut app_files = Vec::new();
    files_under(&app, &mut app_files)?;
    let app_wasm: Vec<PathBuf> =
        app_files.iter().filter(|p| p.extension().is_some_and(|e| e == "wasm")).cloned().collect();
    let nm = root.join("node_modules");
    let duck: Vec<PathBuf> = ["duckdb-eh.wasm", "duckdb-browser-eh.worker.js", "duckdb-browser.mjs"]
        .iter()
        .map(|f| nm.join("@duckdb/duckdb-wasm/dist").join(f))
        .chain([nm.join("apache-arrow/Arrow.es2015.min.js")])
        .collect();
    let persp: Vec<PathBuf> = [
        "wasm/perspective-server.wasm",
        "wasm/perspective-js.wasm",
        "cdn/perspective.js",
        "cdn/perspective-server.worker.js",
    ]
    .iter()
    .map(|f| nm.join("@finos/perspective/dist").join(f))
    .collect();
    let bundles = [
        ("Quiver, whole app (every file of the build)", sizes(&app_files, quality)?),
        ("Quiver, wasm only", sizes(&app_wasm, quality)?),
        ("DuckDB-WASM (eh wasm + worker + module + apache-arrow)", sizes(&duck, quality)?),
        ("Perspective (server wasm + client wasm + module + worker)", sizes(&persp, quality)?),
    ];

    if let Some((_, quiver)) = results.iter().find(|(engine, _)| *engine == Engine::Quiver) {
        let timings: Vec<Option<f64>> = quiver.queries.iter().map(|t| t.as_ref().ok().map(|t| t.warm)).collect();
        let profile = render_profile(scale, &quiver.profiles, &timings);
        let out =
            env("QUIVER_BENCH_PROFILE_OUT").map_or_else(|| root.join("e2e/bench/results/profile.md"), PathBuf::from);
        std::fs::write(&out, profile)?;
        println!("Profile written to {}", out.display());
    }
    let report = render(scale, label.as_deref(), quality, &queries, &results, &bundles, &first_chart, &live)?;
    let out = env("QUIVER_BENCH_OUT").map_or_else(|| root.join("BENCHMARKS.md"), PathBuf::from);
    std::fs::write(&out, &report)?;
    println!("\n{report}\nWritten to {}", out.display());
    Ok(())
}

/// One operator of a plan under `EXPLAIN ANALYZE`: its depth, name, output rows and own time.
struct Operator {
    depth: usize,
    name: String,
    rows: String,
    millis: Option<f64>,
}

/// The operators of DataFusion's plan text: each line is `<indent>NameExec: ..., metrics=[...]`.
fn operators(plan: &str) -> Vec<Operator> {
    let metric = |line: &str, key: &str| {
        let at = line.find(&format!("{key}="))? + key.len() + 1;
        let rest = &line[at..];
        Some(rest[..rest.find([',', ']']).unwrap_or(rest.len())].to_owned())
    };
    plan.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let trimmed = line.trim_start();
            let name = trimmed.split([':', ',']).next().unwrap_or(trimmed).to_owned();
            let millis = metric(line, "elapsed_compute").and_then(|t| duration_ms(&t));
            Operator {
                depth: (line.len() - trimmed.len()) / 2,
                name,
                rows: metric(line, "output_rows").unwrap_or_default(),
                millis,
            }
        })
        .collect()
}

/// `1.5ms`, `820.3µs`, `2.1s`, `300ns` in milliseconds.
fn duration_ms(text: &str) -> Option<f64> {
    for (unit, factor) in [("ns", 1e-6), ("µs", 1e-3), ("ms", 1.0), ("s", 1000.0)] {
        if let Some(number) = text.strip_suffix(unit) {
            return number.trim().parse::<f64>().ok().map(|n| n * factor);
        }
    }
    None
}

fn render_profile(scale: f64, profiles: &[(&str, Result<String, String>)], warm: &[Option<f64>]) -> String {
    let mut r = format!(
        "# Where Quiver's query time goes\n\nRegenerated by `cargo xtask bench` (the peer benchmark). Each query of \
         `BENCHMARKS.md` run once more in the app's engine, in the browser, under `EXPLAIN ANALYZE` (demo scale \
         {scale}): every operator with its output rows and its own compute time (`elapsed_compute`, children \
         excluded), the slowest first. Scans of the in-memory tables report no time. The warm median is the \
         query's time without the profiling.\n"
    );
    for (i, (name, plan)) in profiles.iter().enumerate() {
        let _ = write!(r, "\n## {name}\n\n");
        if let Some(Some(ms)) = warm.get(i) {
            let _ = writeln!(r, "Warm median {ms:.1} ms.\n");
        }
        match plan {
            Ok(plan) => {
                let mut ops = operators(plan);
                let total: f64 = ops.iter().filter_map(|o| o.millis).sum();
                let _ = writeln!(r, "Operators' time in all: {total:.1} ms.\n");
                ops.sort_by(|a, b| b.millis.unwrap_or(0.0).total_cmp(&a.millis.unwrap_or(0.0)));
                let _ = writeln!(r, "| operator | depth | output rows | time | share |\n|---|---:|---:|---:|---:|");
                for op in ops.iter().filter(|o| o.millis.is_some()) {
                    let ms = op.millis.unwrap_or(0.0);
                    let _ = writeln!(
                        r,
                        "| {} | {} | {} | {ms:.1} ms | {:.0} % |",
                        op.name,
                        op.depth,
                        op.rows,
                        if total > 0.0 { 100.0 * ms / total } else { 0.0 }
                    );
                }
                let _ =
                    write!(r, "\n<details><summary>plan</summary>\n\n```text\n{}\n```\n</details>\n", plan.trim_end());
            }
            Err(e) => {
                let _ = writeln!(r, "No profile: {e}");
            }
        }
    }
    r
}

fn render(
    scale: f64,
    label: Option<&str>,
    quality: u32,
    queries: &[Query],
    results: &[(Engine, Figures)],
    bundles: &[(&str, (usize, usize, usize))],
    first_chart: &anyhow::Result<f64>,
    live: &[(usize, Engine, Result<Vec<f64>, String>)],
) -> anyhow::Result<String> {
    let mut r = String::new();
    let quiver = &results[0].1;
    writeln!(r, "# Benchmarks: Quiver, DuckDB-WASM and Perspective in the browser\n")?;
    writeln!(
        r,
        "Generated by `cargo xtask bench --only peers` (`e2e/benches/peers.rs`) on {}.\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    )?;
    if let Some(label) = label {
        writeln!(r, "> **{label}**\n")?;
    }
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned()))
        })
        .unwrap_or_default();
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines().next().map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<f64>().unwrap_or(0.0))
        })
        .unwrap_or(0.0);
    writeln!(
        r,
        "- Machine: {} cores ({cpu}), {:.0} GiB RAM",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        mem / 1048576.0
    )?;
    // Other work on the machine skews every engine's figures; say how busy it was.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    writeln!(
        r,
        "- Load average at the end of the run (1, 5, 15 min): {}",
        load.split_whitespace().take(3).collect::<Vec<_>>().join(", ")
    )?;
    writeln!(r, "- Browser: {}", quiver.version)?;
    writeln!(
        r,
        "- Data: demo scale {scale}, 120 days, tenant acme, loaded whole: {}",
        TABLES
            .iter()
            .zip(&quiver.loads)
            .map(|(t, (_, rows))| format!("`{t}` {rows} rows"))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    writeln!(
        r,
        "- Every engine reads the same Arrow IPC partition streams from the same Quiver server (four downloads in \
         flight), in its own fresh browser; times are `performance.now()` in the page; warm = median of {WARM_RUNS} \
         runs after the first; every result is read out whole (DuckDB: an Arrow table; Perspective: `to_columns()`)."
    )?;
    writeln!(
        r,
        "- Targets: Quiver ≥ 2× faster than DuckDB-WASM and ≥ 20× faster than Perspective (geometric mean of warm \
         ratios); whole app ≤ 3 MB brotli; time to first chart ≤ 1.5 s.\n"
    )?;

    writeln!(r, "## Load (fetch + decode + register), ms\n")?;
    writeln!(r, "| table | {} |", results.iter().map(|(e, _)| e.label()).collect::<Vec<_>>().join(" | "))?;
    writeln!(r, "|---|{}", "---:|".repeat(results.len()))?;
    for (i, table) in TABLES.iter().enumerate() {
        let cells: Vec<String> = results
            .iter()
            .map(|(_, f)| {
                let (ms, rows) = f.loads[i];
                if rows == quiver.loads[i].1 { format!("{ms:.0}") } else { format!("{ms:.0} ({rows} rows!)") }
            })
            .collect();
        writeln!(r, "| `{table}` | {} |", cells.join(" | "))?;
    }

    writeln!(r, "\n## Queries, ms (first / warm median) and Quiver's warm speed-up\n")?;
    let peers = &results[1..];
    write!(r, "| query | Quiver |")?;
    for (e, _) in peers {
        write!(r, " {} | Quiver vs {} |", e.label(), e.label())?;
    }
    writeln!(r, " rows |")?;
    writeln!(r, "|---|---:|{}---:|", "---:|---:|".repeat(peers.len()))?;
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); peers.len()];
    let mut mismatches = Vec::new();
    for (qi, query) in queries.iter().enumerate() {
        let cell = |t: &Result<Timing, String>| match t {
            Ok(t) => format!("{:.1} / {:.1}", t.first, t.warm),
            Err(e) => {
                let first_line: String = e.lines().next().unwrap_or_default().chars().take(80).collect();
                format!("— ({})", first_line.replace('|', "/"))
            }
        };
        let q = &quiver.queries[qi];
        write!(r, "| {} | {} |", query.name, cell(q))?;
        for (pi, (_, f)) in peers.iter().enumerate() {
            let p = &f.queries[qi];
            let ratio = match (q, p) {
                (Ok(q), Ok(p)) => {
                    ratios[pi].push(p.warm / q.warm);
                    speedup(q.warm, p.warm)
                }
                _ => "—".to_owned(),
            };
            // DuckDB answers with the same rows as DataFusion; Perspective's views add a total row.
            let mismatch = match (q, p, peers[pi].0) {
                (Ok(q), Ok(p), Engine::DuckDb) if q.rows != p.rows => format!(" ({} rows!)", p.rows),
                (Ok(q), Ok(p), Engine::DuckDb) if !agree(q.answer, p.answer) => {
                    mismatches.push(format!("{}: Quiver {:?}, DuckDB {:?}", query.name, q.answer, p.answer));
                    " (answer differs!)".to_owned()
                }
                _ => String::new(),
            };
            write!(r, " {}{mismatch} | {ratio} |", cell(p))?;
        }
        writeln!(r, " {} |", q.as_ref().map_or(0, |t| t.rows))?;
    }
    if mismatches.is_empty() {
        writeln!(
            r,
            "\nQuiver and DuckDB-WASM agree on every query: same rows, and the same value (to 1e-9) of a check \
             aggregate over each result's columns (`check` in `peers.rs`)."
        )?;
    } else {
        writeln!(r, "\n**Answers differ** (check aggregate): {}", mismatches.join("; "))?;
    }
    writeln!(
        r,
        "\nQuiver's load is the app's own (`app/src/load.rs`): it yields a frame whenever it has held the \
         thread for 50 ms, so the progress bar paints, and runs the table preview (`SELECT * … LIMIT 20`) before it reports done. \
         DuckDB's load ends with a `count(*)`, Perspective's with `size()`. Perspective has no SQL: its column is \
         the view config that computes the same groups (no joins, funnels or retention)."
    )?;
    writeln!(r, "\n## Geometric mean of warm speed-ups\n")?;
    for (pi, (e, _)) in peers.iter().enumerate() {
        let target = if *e == Engine::DuckDb { 2.0 } else { 20.0 };
        if ratios[pi].is_empty() {
            writeln!(r, "- vs {}: no common query", e.label())?;
            continue;
        }
        let g = geomean(&ratios[pi]);
        writeln!(
            r,
            "- Quiver vs {}: **{g:.2}×** over {} queries (target ≥ {target}×: {})",
            e.label(),
            ratios[pi].len(),
            if g >= target { "met".to_owned() } else { format!("missed by {:.1}×", target / g) }
        )?;
    }

    writeln!(r, "\n## Memory (peak)\n")?;
    writeln!(
        r,
        "| engine | JS heap, page (`performance.memory`) | wasm memory (Quiver's) | renderer process RSS (VmHWM: page + workers + wasm) |"
    )?;
    writeln!(r, "|---|---:|---:|---:|")?;
    for (e, f) in results {
        let wasm = if f.peak_wasm > 0.0 { mb(f.peak_wasm) } else { "— (in a worker)".to_owned() };
        writeln!(r, "| {} | {} | {wasm} | {} |", e.label(), mb(f.peak_heap), mb(f.peak_renderer_rss))?;
    }

    writeln!(r, "\n## Download size (brotli quality {quality}, gzip level 9)\n")?;
    writeln!(r, "| bundle | raw | gzip | brotli |")?;
    writeln!(r, "|---|---:|---:|---:|")?;
    for (name, (raw, gz, br)) in bundles {
        writeln!(r, "| {name} | {} | {} | {} |", mb(*raw as f64), mb(*gz as f64), mb(*br as f64))?;
    }
    writeln!(r, "\nPerspective ships its wasm already compressed (and inflates it in the page), hence equal columns.")?;
    let app_br = bundles[0].1.2 as f64;
    writeln!(
        r,
        "\nWhole app target ≤ 3 MB brotli: {}.",
        if app_br <= 3e6 { "met".to_owned() } else { format!("missed by {}", mb(app_br - 3e6)) }
    )?;

    writeln!(r, "\n## Time to first chart\n")?;
    match first_chart {
        Ok(ms) => writeln!(
            r,
            "Opening a public share link of a dashboard in a fresh browser (one chart tile: count of `events` by \
             channel, every day: {} rows) → first painted chart: **{:.2} s** since navigation start (target ≤ 1.5 s: \
             {}).",
            quiver.loads[0].1,
            ms / 1000.0,
            if *ms <= 1500.0 { "met".to_owned() } else { format!("missed by {:.2} s", (ms - 1500.0) / 1000.0) }
        )?,
        Err(e) => writeln!(r, "Not measured: {e}")?,
    }
    writeln!(r, "\n## Live: new rows folded into an open pivot\n")?;
    writeln!(
        r,
        "A pivot of {LIVE_BASE_ROWS} rows by one dimension (count, sum, count distinct), then {LIVE_DELTAS} deltas of \
         {LIVE_DELTA_ROWS} new rows, each handed over as an Arrow IPC stream and the whole pivot read out again. \
         Quiver: decode, append, fold the delta's partial aggregates into the kept ones, recombine and shape the \
         pivot table (the pivot page's incremental refresh). Perspective: `table.update()` on a table indexed by \
         `id`, then `view.to_columns()` of a `group_by` view with the same aggregates. Median per delta; target \
         ≥ 100k rows/s. Ingest → screen latency through the server is in `e2e/bench/results/live.md`.\n"
    )?;
    writeln!(r, "| groups | engine | first full run | per delta (median) | rows/s |")?;
    writeln!(r, "|---:|---|---:|---:|---:|")?;
    for (groups, engine, times) in live {
        match times {
            Ok(times) if times.len() > 1 => {
                let per = median(times[1..].to_vec());
                writeln!(
                    r,
                    "| {groups} | {} | {:.0} ms | {per:.1} ms | {:.0} |",
                    engine.label(),
                    times[0],
                    LIVE_DELTA_ROWS as f64 / (per / 1000.0)
                )?;
            }
            Ok(_) => writeln!(r, "| {groups} | {} | – | – | no deltas timed |", engine.label())?,
            Err(e) => writeln!(
                r,
                "| {groups} | {} | – | – | failed: {} |",
                engine.label(),
                e.chars().take(120).collect::<String>()
            )?,
        }
    }
    Ok(r)
}
