//! `cargo xtask loadgen`: realistic live traffic against `POST /api/ingest/{table}`, so the demo
//! visibly moves: shop events at `--rate` per second, and about a tenth as much lead activity
//! (new leads, status changes as `leads` upserts, and the matching `lead_events`).
//!
//! Requests go out every 100 ms as JSON lines, each with a fresh `Idempotency-Key`; a request
//! that fails on the network is retried with the same key and body, so nothing is counted twice.

use anyhow::{Context, bail};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(clap::Args, Clone)]
pub(crate) struct LoadgenArgs {
    /// Shop events per second (lead activity is about a tenth of it).
    #[arg(long, default_value_t = 100)]
    pub(crate) rate: u32,
    /// The server's base URL (plain http).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub(crate) url: String,
    /// An editor or admin token (`quiver-server token --tenant acme --role editor`).
    #[arg(long, env = "QUIVER_TOKEN")]
    pub(crate) token: String,
    /// Stop after this many seconds (default: run until interrupted).
    #[arg(long)]
    pub(crate) seconds: Option<u64>,
}

pub(crate) fn run(args: LoadgenArgs) -> anyhow::Result<()> {
    let host =
        args.url.strip_prefix("http://").context("--url must start with http://")?.trim_end_matches('/').to_owned();
    let mut generator = Generator::new();
    let started = Instant::now();
    let tick = Duration::from_millis(100);
    let (mut sent_rows, mut requests, mut last_report) = (0u64, 0u64, Instant::now());
    let mut owed = 0.0f64;
    loop {
        let tick_started = Instant::now();
        if args.seconds.is_some_and(|s| started.elapsed() >= Duration::from_secs(s)) {
            break;
        }
        owed += f64::from(args.rate) / 10.0;
        let events = owed.floor() as usize;
        owed -= events as f64;
        let now_us = now_micros();
        let mut bodies = vec![("events", generator.events(events, now_us))];
        let (leads, lead_events) = generator.lead_activity(events.div_ceil(10), now_us);
        bodies.push(("leads", leads));
        bodies.push(("lead_events", lead_events));
        for (table, lines) in bodies {
            if lines.is_empty() {
                continue;
            }
            let label = generator.label();
            post_with_retries(&host, &args.token, table, &label, &lines.join("\n"))?;
            sent_rows += lines.len() as u64;
            requests += 1;
        }
        if last_report.elapsed() >= Duration::from_secs(5) {
            let secs = started.elapsed().as_secs_f64();
            println!("loadgen: {requests} requests, {sent_rows} rows, {:.0} rows/s", sent_rows as f64 / secs);
            last_report = Instant::now();
        }
        std::thread::sleep(tick.saturating_sub(tick_started.elapsed()));
    }
    Ok(())
}

fn now_micros() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as i64)
}

fn rfc3339(us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn post_with_retries(host: &str, token: &str, table: &str, label: &str, body: &str) -> anyhow::Result<()> {
    let mut wait = Duration::from_millis(100);
    for attempt in 1..=8 {
        match post(host, token, table, label, body) {
            Ok((200, _)) => return Ok(()),
            Ok((status, answer)) if status < 500 => bail!("{table}: {status} {answer}"),
            Ok((status, answer)) => eprintln!("loadgen: {table} attempt {attempt}: {status} {answer}"),
            Err(e) => eprintln!("loadgen: {table} attempt {attempt}: {e}"),
        }
        std::thread::sleep(wait);
        wait = (wait * 2).min(Duration::from_secs(5));
    }
    bail!("{table}: giving up on request {label}")
}

/// One HTTP/1.1 POST on a fresh connection: (status, body).
fn post(host: &str, token: &str, table: &str, label: &str, body: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "POST /api/ingest/{table} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/x-ndjson\r\nIdempotency-Key: {label}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    Ok((status, body))
}

const EVENT_NAMES: [(&str, u32); 8] = [
    ("home", 20),
    ("search", 15),
    ("product_view", 30),
    ("add_to_cart", 10),
    ("checkout", 5),
    ("purchase", 3),
    ("share", 2),
    ("login", 5),
];
const PLATFORMS: [&str; 4] = ["ios", "android", "web", "mini_program"];
const COUNTRIES: [&str; 5] = ["US", "DE", "GB", "FR", "JP"];
const CHANNELS: [&str; 5] = ["organic", "paid_search", "social", "referral", "email"];
const REGIONS: [&str; 4] = ["north", "south", "east", "west"];
const INDUSTRIES: [&str; 4] = ["retail", "software", "manufacturing", "finance"];
const ACTIVITIES: [&str; 4] = ["call", "im_message", "email", "visit"];
/// Lead statuses in the order a lead moves through them.
const STAGES: [&str; 5] = ["new", "assigned", "contacted", "qualified", "won"];

struct Lead {
    id: i64,
    created_at: i64,
    channel: &'static str,
    region: &'static str,
    industry: &'static str,
    campaign: i64,
    rep: i64,
    stage: usize,
}

/// Random but plausible rows; ids start from the clock so runs never collide with each other
/// or with the demo's ids.
struct Generator {
    state: u64,
    run: u64,
    requests: u64,
    next_id: i64,
    open_leads: Vec<Lead>,
}

impl Generator {
    fn new() -> Self {
        let run = now_micros() as u64;
        Self {
            state: run | 1,
            run,
            requests: 0,
            next_id: 1_000_000_000 + (run / 1000 % 1_000_000_000) as i64,
            open_leads: Vec::new(),
        }
    }

    fn next(&mut self) -> u64 {
        // xorshift64*: plenty for load.
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn label(&mut self) -> String {
        self.requests += 1;
        format!("loadgen-{}-{}", self.run, self.requests)
    }

    fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    fn events(&mut self, n: usize, now: i64) -> Vec<String> {
        let total: u32 = EVENT_NAMES.iter().map(|(_, w)| w).sum();
        (0..n)
            .map(|i| {
                let mut roll = (self.next() % u64::from(total)) as u32;
                let mut name = "home";
                for (candidate, weight) in EVENT_NAMES {
                    if roll < weight {
                        name = candidate;
                        break;
                    }
                    roll -= weight;
                }
                let user = self.below(5000);
                let price = if name == "purchase" { format!("{:.2}", 5.0 + self.below(20000) as f64 / 100.0) } else { "null".into() };
                let (platform, country, channel) = (self.pick(&PLATFORMS), self.pick(&COUNTRIES), self.pick(&CHANNELS));
                let bucket = if user.is_multiple_of(2) { "control" } else { "treatment" };
                format!(
                    r#"{{"ts":"{}","user_id":"live-u{user}","session_id":"live-s{}-{}","event_name":"{name}","platform":"{platform}","country":"{country}","app_version":"3.2.0","ab_bucket":"{bucket}","channel":"{channel}","price":{price}}}"#,
                    rfc3339(now - (n - i) as i64 * 100),
                    user,
                    now / 1_800_000_000,
                )
            })
            .collect()
    }

    /// New leads and status changes (`leads` upserts) with their `lead_events`.
    fn lead_activity(&mut self, n: usize, now: i64) -> (Vec<String>, Vec<String>) {
        let (mut leads, mut events) = (Vec::new(), Vec::new());
        for _ in 0..n {
            let advance = !self.open_leads.is_empty() && self.below(3) > 0;
            let (index, kind, outcome) = if advance {
                let index = self.below(self.open_leads.len());
                let lead = &mut self.open_leads[index];
                lead.stage += 1;
                let (kind, outcome) = match STAGES[lead.stage] {
                    "assigned" => ("assigned", "null".to_owned()),
                    "won" => ("won", "null".to_owned()),
                    stage => ("stage_change", format!("\"{stage}\"")),
                };
                (index, kind, outcome)
            } else {
                let lead = Lead {
                    id: self.id(),
                    created_at: now,
                    channel: self.pick(&CHANNELS),
                    region: self.pick(&REGIONS),
                    industry: self.pick(&INDUSTRIES),
                    campaign: 1 + self.below(12) as i64,
                    rep: 1 + self.below(20) as i64,
                    stage: 0,
                };
                self.open_leads.push(lead);
                (self.open_leads.len() - 1, "created", "null".to_owned())
            };
            let activity = self.pick(&ACTIVITIES);
            let event_id = self.id();
            let connected = if self.below(2) == 0 { "connected" } else { "not_connected" };
            let lead = &self.open_leads[index];
            let status = STAGES[lead.stage];
            let amount = if status == "won" { format!("{}", 1000 + lead.id % 9000) } else { "null".into() };
            let rep = if lead.stage == 0 { "null".to_owned() } else { lead.rep.to_string() };
            leads.push(format!(
                r#"{{"lead_id":{},"created_at":"{}","channel":"{}","region":"{}","industry":"{}","campaign_id":{},"owner_rep_id":{rep},"status":"{status}","deal_amount":{amount},"updated_at":"{}"}}"#,
                lead.id,
                rfc3339(lead.created_at),
                lead.channel,
                lead.region,
                lead.industry,
                lead.campaign,
                rfc3339(now),
            ));
            events.push(format!(
                r#"{{"event_id":{event_id},"lead_id":{},"rep_id":{rep},"ts":"{}","kind":"{kind}","outcome":{outcome},"duration_s":null}}"#,
                lead.id,
                rfc3339(now),
            ));
            if lead.stage > 1 && lead.stage < 4 {
                let activity_id = self.id();
                let lead = &self.open_leads[index];
                events.push(format!(
                    r#"{{"event_id":{activity_id},"lead_id":{},"rep_id":{},"ts":"{}","kind":"{activity}","outcome":"{connected}","duration_s":{}}}"#,
                    lead.id,
                    lead.rep,
                    rfc3339(now),
                    30 + lead.id % 600,
                ));
            }
            if self.open_leads[index].stage + 1 >= STAGES.len() {
                self.open_leads.swap_remove(index);
            }
        }
        (leads, events)
    }
}
