//! Turns a day's leads and lead events into Arrow record batches.

use super::lifecycle::LeadEvent;
use super::state::Status;
use crate::error::GenError;
use arrow_array::{
    ArrayRef, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use std::sync::Arc;

/// One row of `leads`, with its dimension values resolved.
pub(crate) struct LeadRow {
    pub lead_id: i64,
    pub created_at: i64,
    pub channel: &'static str,
    pub region: &'static str,
    pub industry: &'static str,
    pub campaign_id: i64,
    pub owner_rep_id: Option<i64>,
    pub status: Status,
    pub deal_amount: Option<f64>,
    pub updated_at: i64,
}

/// One row of `lead_events` with its lead and rep ids resolved; the event id is given when the
/// day is written.
pub(crate) struct EventRow {
    pub lead_id: i64,
    pub rep_id: Option<i64>,
    pub event: LeadEvent,
}

fn timestamps(values: impl Iterator<Item = i64>) -> ArrayRef {
    Arc::new(TimestampMicrosecondArray::from_iter_values(values).with_timezone("UTC"))
}

fn strings<'a>(values: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

/// A batch of the `leads` schema.
pub(crate) fn leads(tenant: &str, rows: &[LeadRow]) -> Result<RecordBatch, GenError> {
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.lead_id))),
        strings(rows.iter().map(|_| tenant)),
        timestamps(rows.iter().map(|r| r.created_at)),
        strings(rows.iter().map(|r| r.channel)),
        strings(rows.iter().map(|r| r.region)),
        strings(rows.iter().map(|r| r.industry)),
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.campaign_id))),
        Arc::new(Int64Array::from_iter(rows.iter().map(|r| r.owner_rep_id))),
        strings(rows.iter().map(|r| r.status.as_str())),
        Arc::new(Float64Array::from_iter(rows.iter().map(|r| r.deal_amount))),
        timestamps(rows.iter().map(|r| r.updated_at)),
    ];
    RecordBatch::try_new(crate::schema::leads(), columns).map_err(|source| GenError::Arrow { table: "leads", source })
}

/// A batch of the `lead_events` schema; `rows` are sorted by time and numbered from `first_id`.
pub(crate) fn lead_events(tenant: &str, first_id: i64, rows: &[EventRow]) -> Result<RecordBatch, GenError> {
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values((0..rows.len() as i64).map(|i| first_id + i))),
        strings(rows.iter().map(|_| tenant)),
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.lead_id))),
        Arc::new(Int64Array::from_iter(rows.iter().map(|r| r.rep_id))),
        timestamps(rows.iter().map(|r| r.event.ts)),
        strings(rows.iter().map(|r| r.event.kind.as_str())),
        Arc::new(StringArray::from_iter(rows.iter().map(|r| r.event.outcome))),
        Arc::new(Int32Array::from_iter(rows.iter().map(|r| r.event.duration_s))),
    ];
    RecordBatch::try_new(crate::schema::lead_events(), columns)
        .map_err(|source| GenError::Arrow { table: "lead_events", source })
}
