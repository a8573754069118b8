//! The engine's `date_trunc` (per quarter hour for zoned timestamps) answers exactly what
//! DataFusion's built-in one answers, across daylight-saving transitions, half- and
//! quarter-hour zones, local mean times before 1920, nulls and every time unit.

#![cfg(not(target_arch = "wasm32"))]

use datafusion::arrow::array::{ArrayRef, RecordBatch, TimestampSecondArray};
use datafusion::prelude::{SessionConfig, SessionContext};
use quiver_engine::Engine;
use std::sync::Arc;

/// Instants every 28 minutes and 53 seconds through 2023 and 2024 (every transition of those
/// years, at every phase of the quarter hour), a week of 1905, and nulls.
fn instants() -> Vec<Option<i64>> {
    let mut out: Vec<Option<i64>> = (1_672_531_200..1_735_689_600).step_by(1_733).map(Some).collect();
    out.extend((-2_051_222_400..-2_050_617_600).step_by(1_733).map(Some));
    out.extend([None, Some(0), None]);
    out
}

fn answers(run: impl Fn(&str) -> Vec<RecordBatch>, table: &str, zone: &str, unit: &str, grain: &str) -> Vec<String> {
    let sql = format!(
        "SELECT arrow_cast(date_trunc('{grain}', arrow_cast(ts, 'Timestamp({unit}, Some(\"{zone}\"))')), 'Int64') \
         AS t FROM {table}"
    );
    let batches = run(&sql);
    datafusion::arrow::util::pretty::pretty_format_batches(&batches)
        .unwrap()
        .to_string()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn zoned_truncation_equals_datafusions_own() {
    let engine = Engine::new().unwrap();
    // One partition, so that its rows come out in the table's order, as the engine's do.
    let plain = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(1));
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let ours = |sql: &str| engine.sql(sql).unwrap_or_else(|e| panic!("{e}\n{sql}")).batches;
    let theirs = |sql: &str| {
        runtime
            .block_on(async { plain.sql(sql).await.unwrap().collect().await.unwrap_or_else(|e| panic!("{e}\n{sql}")) })
    };
    let zones = [
        "UTC",
        "+08:00",
        "-03:30",
        "Asia/Shanghai",
        "America/New_York",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
        "Europe/London",
    ];
    let mut compared = 0;
    let cases = zones.len() * 3 * 6;
    for (i, zone) in zones.into_iter().enumerate() {
        // The instants in the zone (casting a plain timestamp would read it as local time).
        let ts: ArrayRef = Arc::new(TimestampSecondArray::from(instants()).with_timezone(zone));
        let batch = RecordBatch::try_from_iter(vec![("ts", ts)]).unwrap();
        let table = format!("t{i}");
        engine.register(&table, batch.schema(), vec![batch.clone()]).unwrap();
        plain.register_batch(&table, batch).unwrap();
        for unit in ["Second", "Microsecond", "Nanosecond"] {
            for grain in ["hour", "day", "week", "month", "quarter", "year"] {
                let expected = answers(theirs, &table, zone, unit, grain);
                let got = answers(ours, &table, zone, unit, grain);
                let first_difference = got.iter().zip(&expected).position(|(a, b)| a != b);
                assert!(
                    first_difference.is_none() && got.len() == expected.len(),
                    "{grain} in {zone} ({unit}): line {first_difference:?}: {:?} instead of {:?}",
                    first_difference.map(|i| &got[i]),
                    first_difference.map(|i| &expected[i]),
                );
                compared += expected.len();
            }
        }
    }
    // Every row of every case was compared (the tables are not empty).
    assert!(compared > cases * 36_000, "{compared} lines over {cases} cases");
}
