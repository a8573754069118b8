//! What the caller asks for ([`GenOptions`]) and the UTC time span it works out to.

use crate::calendar::{DAY_US, days_since_epoch};
use crate::error::GenError;
use chrono::NaiveDate;
use std::path::PathBuf;

/// The largest `days` accepted: ten years keeps ids and memory comfortably bounded.
const MAX_DAYS: u32 = 3650;

/// The largest `scale` accepted: 100 is about 200 million events, far beyond any demo.
const MAX_SCALE: f64 = 100.0;

/// What to generate and where.
#[derive(Clone, Debug, PartialEq)]
pub struct GenOptions {
    /// The data directory: `tenants.json` and `warehouse/` are written inside it.
    pub out_dir: PathBuf,
    /// Seeds every random stream; the same options always produce byte-identical files.
    pub seed: u64,
    /// Multiplies all volumes; `1.0` is about two million events and a hundred thousand leads.
    pub scale: f64,
    /// How many UTC days of facts to generate, ending with `end_date`.
    pub days: u32,
    /// The last UTC day included.
    pub end_date: NaiveDate,
}

impl GenOptions {
    /// The default demo: seed 42, scale 1, 120 days ending on `end_date`.
    pub fn new(out_dir: impl Into<PathBuf>, end_date: NaiveDate) -> Self {
        Self { out_dir: out_dir.into(), seed: 42, scale: 1.0, days: 120, end_date }
    }
}

/// The UTC days the facts cover: `days` whole days, the last one being `end_date`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    /// The first day, as days since 1970-01-01.
    pub first_day: i64,
    /// How many days.
    pub days: u32,
}

impl Span {
    /// Checks the options and works out their span.
    pub(crate) fn of(opts: &GenOptions) -> Result<Self, GenError> {
        let invalid = |field, reason: &str| GenError::InvalidOption { field, reason: reason.into() };
        if !(opts.scale.is_finite() && opts.scale > 0.0 && opts.scale <= MAX_SCALE) {
            return Err(invalid("scale", "must be a number above 0 and at most 100"));
        }
        if opts.days == 0 || opts.days > MAX_DAYS {
            return Err(invalid("days", "must be between 1 and 3650"));
        }
        if opts.end_date.succ_opt().is_none() {
            return Err(invalid("end_date", "must not be the last representable date"));
        }
        let last_day = days_since_epoch(opts.end_date);
        Ok(Self { first_day: last_day - i64::from(opts.days) + 1, days: opts.days })
    }

    /// The first instant included, in microseconds since the epoch.
    pub(crate) fn start_us(self) -> i64 {
        self.first_day * DAY_US
    }

    /// The first instant after the span (midnight UTC after `end_date`): "now" for the data.
    pub(crate) fn end_us(self) -> i64 {
        (self.first_day + i64::from(self.days)) * DAY_US
    }

    /// The index of the UTC day holding `ts`, or `None` when `ts` is outside the span.
    pub(crate) fn day_index(self, ts: i64) -> Option<usize> {
        let index = ts.div_euclid(DAY_US) - self.first_day;
        (0..i64::from(self.days)).contains(&index).then_some(index as usize)
    }

    /// The calendar date of the day with this index.
    pub(crate) fn date(self, index: usize) -> NaiveDate {
        crate::calendar::date_of(self.first_day + index as i64)
    }
}
