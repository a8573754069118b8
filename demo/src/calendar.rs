//! Time arithmetic and the rhythms of a business: hours of the day, days of the week, growth.
//!
//! Timestamps are microseconds since the Unix epoch (UTC) throughout. A tenant's local time is
//! approximated by a fixed UTC offset: daylight saving would only shift peaks by an hour for part
//! of the year, and a fixed offset keeps every day exactly 24 hours long.

use chrono::NaiveDate;
use rand::Rng;

pub(crate) const SECOND_US: i64 = 1_000_000;
pub(crate) const MINUTE_US: i64 = 60 * SECOND_US;
pub(crate) const HOUR_US: i64 = 60 * MINUTE_US;
pub(crate) const DAY_US: i64 = 24 * HOUR_US;

/// Days since 1970-01-01.
pub(crate) fn days_since_epoch(date: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a valid date");
    (date - epoch).num_days()
}

/// The date `days` after 1970-01-01.
pub(crate) fn date_of(days: i64) -> NaiveDate {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a valid date");
    epoch + chrono::Duration::days(days)
}

/// The weekday of a day counted from the epoch, 0 = Monday .. 6 = Sunday (1970-01-01 was a
/// Thursday).
pub(crate) fn weekday(days: i64) -> usize {
    (days + 3).rem_euclid(7) as usize
}

/// Whether the weekday index is Saturday or Sunday.
pub(crate) fn is_weekend(weekday: usize) -> bool {
    weekday >= 5
}

/// Relative shop traffic by local hour on a weekday: quiet nights, a lunch bump, an evening peak.
pub(crate) const SHOP_WEEKDAY_HOURS: [f64; 24] = [
    0.35, 0.20, 0.12, 0.08, 0.07, 0.10, 0.25, 0.55, 0.80, 0.85, 0.90, 1.00, 1.15, 1.05, 0.90, 0.85, 0.90, 1.00, 1.10,
    1.30, 1.50, 1.55, 1.25, 0.75,
];

/// Relative shop traffic by local hour at weekends: a late start and a long afternoon.
pub(crate) const SHOP_WEEKEND_HOURS: [f64; 24] = [
    0.50, 0.30, 0.18, 0.10, 0.08, 0.08, 0.15, 0.30, 0.55, 0.80, 1.00, 1.15, 1.20, 1.20, 1.20, 1.15, 1.10, 1.10, 1.20,
    1.35, 1.45, 1.40, 1.15, 0.80,
];

/// Relative lead arrival by local hour: office hours with a lunch dip and a thin night tail
/// (web forms never close).
pub(crate) const LEAD_HOURS: [f64; 24] = [
    0.05, 0.03, 0.02, 0.02, 0.02, 0.03, 0.08, 0.30, 0.80, 1.20, 1.30, 1.25, 0.90, 1.00, 1.20, 1.20, 1.10, 0.90, 0.60,
    0.40, 0.30, 0.20, 0.12, 0.08,
];

/// Shop arrivals and returns by weekday (Monday first): consumers shop more at weekends.
pub(crate) const SHOP_WEEK: [f64; 7] = [0.95, 0.93, 0.95, 0.98, 1.05, 1.20, 1.15];

/// B2B lead volume by weekday (Monday first): business days, with a quiet weekend.
pub(crate) const LEAD_WEEK: [f64; 7] = [1.10, 1.12, 1.10, 1.05, 0.95, 0.30, 0.22];

/// Daily growth of new users and leads: about 20% over 120 days, a healthy but unremarkable
/// business.
const GROWTH_PER_DAY: f64 = 0.0015;

/// The volume multiplier `days_from_start` days after the first day of the span (negative before
/// it).
pub(crate) fn growth(days_from_start: i64) -> f64 {
    (GROWTH_PER_DAY * days_from_start as f64).exp()
}

/// A distribution over the 24 hours of a day, sampled to an instant within the day.
pub(crate) struct HourCurve {
    cumulative: [f64; 24],
}

impl HourCurve {
    pub(crate) fn new(weights: &[f64; 24]) -> Self {
        let mut cumulative = [0.0; 24];
        let mut sum = 0.0;
        for (slot, w) in cumulative.iter_mut().zip(weights) {
            sum += w;
            *slot = sum;
        }
        Self { cumulative }
    }

    /// A random offset from local midnight, in microseconds, at millisecond precision.
    pub(crate) fn sample(&self, rng: &mut impl Rng) -> i64 {
        let x = rng.random::<f64>() * self.cumulative[23];
        let hour = self.cumulative.iter().position(|&c| x < c).unwrap_or(23) as i64;
        hour * HOUR_US + rng.random_range(0..3_600_000) * 1000
    }
}

/// A tenant's wall clock, as a fixed offset from UTC.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LocalClock {
    offset_us: i64,
}

/// Reps work from 08:00 to 20:00 local time.
const WORK_START_HOUR: i64 = 8;
const WORK_END_HOUR: i64 = 20;

impl LocalClock {
    pub(crate) fn new(utc_offset_hours: i64) -> Self {
        Self { offset_us: utc_offset_hours * HOUR_US }
    }

    /// The local day (days since the epoch, in local time) holding `ts`.
    pub(crate) fn local_day(self, ts: i64) -> i64 {
        (ts + self.offset_us).div_euclid(DAY_US)
    }

    /// The UTC instant of local midnight starting `local_day`.
    pub(crate) fn midnight(self, local_day: i64) -> i64 {
        local_day * DAY_US - self.offset_us
    }

    /// The local hour (0..24) of `ts`.
    fn hour(self, ts: i64) -> i64 {
        (ts + self.offset_us).rem_euclid(DAY_US) / HOUR_US
    }

    /// The first moment a person could act on something at `ts`: unchanged during working hours,
    /// otherwise the next morning soon after 08:00. Most weekend work waits for Monday, but a few
    /// keen reps check in anyway.
    pub(crate) fn next_working_time(self, ts: i64, rng: &mut impl Rng) -> i64 {
        let mut day = self.local_day(ts);
        let hour = self.hour(ts);
        let mut moved = false;
        if hour >= WORK_END_HOUR {
            day += 1;
            moved = true;
        } else if hour < WORK_START_HOUR {
            moved = true;
        }
        if is_weekend(weekday(day)) && rng.random_bool(0.75) {
            day += 7 - weekday(day) as i64;
            moved = true;
        }
        if !moved {
            return ts;
        }
        let morning = self.midnight(day) + WORK_START_HOUR * HOUR_US;
        morning + rng.random_range(0..45 * 60_000) * 1000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_follow_the_calendar() {
        let date = NaiveDate::from_ymd_opt(2026, 8, 1).unwrap(); // a Saturday
        assert_eq!(weekday(days_since_epoch(date)), 5);
        assert_eq!(date_of(days_since_epoch(date)), date);
    }

    #[test]
    fn work_after_hours_waits_for_the_morning() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let clock = LocalClock::new(8);
        // 2026-08-04 is a Tuesday; 22:00 local is 14:00 UTC.
        let day = days_since_epoch(NaiveDate::from_ymd_opt(2026, 8, 4).unwrap());
        let late = clock.midnight(day) + 22 * HOUR_US;
        let next = clock.next_working_time(late, &mut rng);
        assert_eq!(clock.local_day(next), day + 1);
        assert!((8..9).contains(&clock.hour(next)));
        let noon = clock.midnight(day) + 12 * HOUR_US;
        assert_eq!(clock.next_working_time(noon, &mut rng), noon);
    }
}
