//! The Arrow schemas of the five demo tables, each field tagged with its analysis role.

use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use quiver_shared::catalog::{ColumnRole, ROLE_METADATA_KEY};
use std::collections::HashMap;
use std::sync::Arc;

use ColumnRole::{Dimension, Key, Measure, Time};

fn field(name: &str, data_type: DataType, nullable: bool, role: ColumnRole) -> Field {
    let metadata = HashMap::from([(ROLE_METADATA_KEY.to_owned(), role.as_str().to_owned())]);
    Field::new(name, data_type, nullable).with_metadata(metadata)
}

fn utc_timestamp() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// Behaviour events of a shop app: one row per tracked event.
pub(crate) fn events() -> SchemaRef {
    Arc::new(Schema::new(vec![
        field("tenant_id", DataType::Utf8, false, Dimension),
        field("ts", utc_timestamp(), false, Time),
        field("user_id", DataType::Utf8, false, Key),
        field("session_id", DataType::Utf8, false, Key),
        field("event_name", DataType::Utf8, false, Dimension),
        field("platform", DataType::Utf8, false, Dimension),
        field("country", DataType::Utf8, false, Dimension),
        field("app_version", DataType::Utf8, false, Dimension),
        field("ab_bucket", DataType::Utf8, false, Dimension),
        field("channel", DataType::Utf8, false, Dimension),
        field("price", DataType::Float64, true, Measure),
    ]))
}

/// Sales leads, one row per lead holding its latest state.
pub(crate) fn leads() -> SchemaRef {
    Arc::new(Schema::new(vec![
        field("lead_id", DataType::Int64, false, Key),
        field("tenant_id", DataType::Utf8, false, Dimension),
        field("created_at", utc_timestamp(), false, Time),
        field("channel", DataType::Utf8, false, Dimension),
        field("region", DataType::Utf8, false, Dimension),
        field("industry", DataType::Utf8, false, Dimension),
        field("campaign_id", DataType::Int64, false, Key),
        field("owner_rep_id", DataType::Int64, true, Key),
        field("status", DataType::Utf8, false, Dimension),
        field("deal_amount", DataType::Float64, true, Measure),
        field("updated_at", utc_timestamp(), false, Time),
    ]))
}

/// Everything that happened to a lead, one row per event.
///
/// `outcome` is `connected` / `not_connected` for rep activities (call, im_message, email, visit),
/// the new status (`contacted`, `qualified`) for stage changes, the reason (`unreachable`,
/// `not_interested`, `no_response`, `competitor`, `no_budget`) for losses, and null otherwise.
/// `rep_id` is null exactly for `created` and `system` events.
pub(crate) fn lead_events() -> SchemaRef {
    Arc::new(Schema::new(vec![
        field("event_id", DataType::Int64, false, Key),
        field("tenant_id", DataType::Utf8, false, Dimension),
        field("lead_id", DataType::Int64, false, Key),
        field("rep_id", DataType::Int64, true, Key),
        field("ts", utc_timestamp(), false, Time),
        field("kind", DataType::Utf8, false, Dimension),
        field("outcome", DataType::Utf8, true, Dimension),
        field("duration_s", DataType::Int32, true, Measure),
    ]))
}

/// Sales reps.
pub(crate) fn reps() -> SchemaRef {
    Arc::new(Schema::new(vec![
        field("rep_id", DataType::Int64, false, Key),
        field("tenant_id", DataType::Utf8, false, Dimension),
        field("name", DataType::Utf8, false, Dimension),
        field("team", DataType::Utf8, false, Dimension),
    ]))
}

/// Marketing campaigns that leads are attributed to.
pub(crate) fn campaigns() -> SchemaRef {
    Arc::new(Schema::new(vec![
        field("campaign_id", DataType::Int64, false, Key),
        field("tenant_id", DataType::Utf8, false, Dimension),
        field("name", DataType::Utf8, false, Dimension),
        field("channel", DataType::Utf8, false, Dimension),
        field("budget", DataType::Float64, false, Measure),
        field("started_on", DataType::Date32, false, Time),
    ]))
}
