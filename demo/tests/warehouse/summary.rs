//! A report of the full-size demo, run by hand: `cargo test -p quiver-demo -- --ignored
//! --nocapture`. It prints generation time, size and the numbers the shape checks look at.

use crate::metrics::*;
use chrono::NaiveDate;
use quiver_demo::{GenOptions, generate};

#[test]
#[ignore = "generates the full-size demo; run by hand to see its numbers"]
fn full_size_summary() {
    let dir = tempfile::tempdir().unwrap();
    let opts = GenOptions::new(dir.path(), NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
    let started = std::time::Instant::now();
    let report = generate(&opts).unwrap();
    println!("generated in {:.1} s, {:.1} MB", started.elapsed().as_secs_f64(), report.bytes as f64 / 1e6);
    for (table, rows, files) in &report.tables {
        println!("  {table:<12} {rows:>9} rows in {files:>4} files");
    }
    let data = Data::read(dir.path(), &opts);
    for (tenant, _) in OFFSETS {
        let retention: Vec<String> =
            [1, 7, 30].map(|n| format!("d{n} {:.1}%", 100.0 * retention(&data, tenant, n))).to_vec();
        println!("{tenant}: funnel users {:?}, retention {}", funnel_users(&data, tenant), retention.join(" "));
        let leads = data.leads.iter().filter(|l| l.tenant == tenant).map(|l| l.created_at);
        let events = data.events.iter().filter(|e| e.tenant == tenant).map(|e| e.ts);
        let (lw, le) = weekday_and_weekend_means(tenant, leads);
        let (ew, ee) = weekday_and_weekend_means(tenant, events);
        println!("  per day: leads {lw:.0} weekday / {le:.0} weekend, events {ew:.0} weekday / {ee:.0} weekend");
    }
    let minutes: Vec<String> =
        median_response_by_rep(&data, 20).iter().map(|(rep, m)| format!("{rep}: {:.1}", *m as f64 / 60e6)).collect();
    println!("median response minutes by rep: {}", minutes.join(", "));
    println!("checkout / add_to_cart by bucket: {:?}", checkout_rate_by_bucket(&data));
    let overdue = overdue_assignments(&data);
    let recent = overdue.iter().filter(|&&at| data.end_us - at < DAY_US).count();
    println!("overdue leads at the end: {} ({} assigned in the last day)", overdue.len(), recent);
    let mut statuses = std::collections::BTreeMap::new();
    for lead in &data.leads {
        *statuses.entry(lead.status.as_str()).or_insert(0) += 1;
    }
    println!("lead statuses: {statuses:?}");
    let mut kinds = std::collections::BTreeMap::new();
    for event in &data.lead_events {
        *kinds.entry(event.kind.as_str()).or_insert(0) += 1;
    }
    println!("lead event kinds: {kinds:?}");
    let first_day = data.events.iter().map(|e| e.ts).min().unwrap().div_euclid(DAY_US);
    let last_day = (data.end_us - 1).div_euclid(DAY_US);
    let dau = |day: i64| {
        let users: std::collections::BTreeSet<&str> =
            data.events.iter().filter(|e| e.ts.div_euclid(DAY_US) == day).map(|e| e.user.as_str()).collect();
        users.len()
    };
    let week = |from: i64| (from..from + 7).map(dau).sum::<usize>() / 7;
    println!("mean DAU (UTC days, all tenants): first week {}, last week {}", week(first_day), week(last_day - 6));
}
