//! The `events` fixture the event analyses' golden tests share: rows written as short text, a
//! UTC time notation, and an engine holding them with the analyses installed.

use chrono::NaiveDateTime;
use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use quiver_engine::Engine;
use quiver_shared::catalog::{ColumnInfo, ColumnRole, TableInfo};
use std::sync::Arc;

/// One row of the test `events` table.
pub(crate) struct Row {
    pub(crate) user: String,
    /// Microseconds since the epoch.
    pub(crate) ts: i64,
    pub(crate) event: String,
    pub(crate) platform: Option<String>,
}

/// A time written `MM-DD`, `MM-DDTHH:MM` or with a year first (`2023-12-31T23:30`), in UTC
/// (year 2024 when left out, noon when the time is).
pub(crate) fn time(text: &str) -> NaiveDateTime {
    let full = if text.len() >= 10 && text.as_bytes()[4] == b'-' { text.to_owned() } else { format!("2024-{text}") };
    let full = if full.len() == 10 { format!("{full}T12:00") } else { full };
    NaiveDateTime::parse_from_str(&full, "%Y-%m-%dT%H:%M").unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// Events written `user time [event [platform]] [*N]`, separated by `;` (event `visit` when left
/// out; `*N` repeats the event N times).
pub(crate) fn rows(text: &str) -> Vec<Row> {
    text.split(';')
        .filter(|part| !part.trim().is_empty())
        .flat_map(|part| {
            let mut words: Vec<&str> = part.split_whitespace().collect();
            let times = match words.last().and_then(|w| w.strip_prefix('*')) {
                Some(n) => {
                    words.pop();
                    n.parse().unwrap()
                }
                None => 1,
            };
            let row = move || Row {
                user: words[0].to_owned(),
                ts: time(words[1]).and_utc().timestamp_micros(),
                event: words.get(2).unwrap_or(&"visit").to_string(),
                platform: words.get(3).map(|p| p.to_string()),
            };
            (0..times).map(move |_| row())
        })
        .collect()
}

fn ts_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// An engine holding `rows` as `events`, with the analyses installed, and its catalogue entry.
pub(crate) fn engine(rows: &[Row]) -> (Engine, Vec<TableInfo>) {
    let fields = [
        ("user_id", DataType::Utf8, ColumnRole::Key),
        ("ts", ts_type(), ColumnRole::Time),
        ("event_name", DataType::Utf8, ColumnRole::Dimension),
        ("platform", DataType::Utf8, ColumnRole::Dimension),
    ];
    let schema =
        Arc::new(Schema::new(fields.iter().map(|(n, t, _)| Field::new(*n, t.clone(), true)).collect::<Vec<_>>()));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.user.as_str()))),
        Arc::new(TimestampMicrosecondArray::from_iter_values(rows.iter().map(|r| r.ts)).with_timezone("UTC")),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.event.as_str()))),
        Arc::new(StringArray::from_iter(rows.iter().map(|r| r.platform.as_deref()))),
    ];
    let engine = Engine::new().unwrap();
    engine.register("events", schema.clone(), vec![RecordBatch::try_new(schema, columns).unwrap()]).unwrap();
    quiver_analysis::install(&engine);
    let table = TableInfo {
        name: "events".to_owned(),
        columns: fields
            .iter()
            .map(|(n, t, role)| ColumnInfo {
                name: n.to_string(),
                data_type: t.to_string(),
                nullable: true,
                role: *role,
            })
            .collect(),
        partition_keys: vec![],
        rows: rows.len() as u64,
        bytes: 0,
        date_range: None,
    };
    (engine, vec![table])
}
