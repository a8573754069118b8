//! Turns a day's shop events into an Arrow record batch of the `events` schema.

use super::profile::{PLATFORMS, ShopProfile};
use super::sessions::ShopEvent;
use super::users::UserPool;
use crate::error::GenError;
use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use std::fmt::Write;
use std::sync::Arc;

/// Builds the batch; `rows` must already be sorted by time.
pub(super) fn events(
    tenant: &str,
    pool: &UserPool,
    profile: &ShopProfile,
    rows: &[ShopEvent],
) -> Result<RecordBatch, GenError> {
    let n = rows.len();
    let user = |e: &ShopEvent| &pool.users[e.user as usize];
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(std::iter::repeat_n(tenant, n))),
        Arc::new(TimestampMicrosecondArray::from_iter_values(rows.iter().map(|e| e.ts)).with_timezone("UTC")),
        hex(rows, |e| user(e).id),
        hex(rows, |e| e.session),
        strings(rows, |e| e.name.as_str()),
        strings(rows, |e| PLATFORMS[user(e).platform as usize]),
        strings(rows, |e| profile.countries[user(e).country as usize].0),
        strings(rows, |e| &pool.versions[user(e).version as usize]),
        strings(rows, |e| if user(e).treatment { "treatment" } else { "control" }),
        strings(rows, |e| profile.channels[user(e).channel as usize].0),
        Arc::new(Float64Array::from_iter(rows.iter().map(|e| e.price))),
    ];
    RecordBatch::try_new(crate::schema::events(), columns).map_err(|source| GenError::Arrow { table: "events", source })
}

/// A Utf8 column of one string per row.
fn strings<'a>(rows: &'a [ShopEvent], f: impl Fn(&'a ShopEvent) -> &'a str) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(rows.iter().map(f)))
}

/// A Utf8 column of ids rendered as 16 hex digits.
fn hex(rows: &[ShopEvent], f: impl Fn(&ShopEvent) -> u64) -> ArrayRef {
    let mut builder = StringBuilder::with_capacity(rows.len(), rows.len() * 16);
    let mut buf = String::with_capacity(16);
    for row in rows {
        buf.clear();
        write!(buf, "{:016x}", f(row)).expect("writing to a String cannot fail");
        builder.append_value(&buf);
    }
    Arc::new(builder.finish())
}
