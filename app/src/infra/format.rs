//! Numbers, sizes and instants formatted with the browser's `Intl` for the user's locale and the
//! tenant's time zone.
//!
//! `Intl` formatters are costly to build and a result grid formats thousands of cells, so each
//! distinct formatter is built once and kept. They are built through `Reflect::construct`, which
//! turns a `RangeError` (say, a time zone the browser does not know) into a fallback instead of
//! an exception thrown through the wasm module.

use crate::i18n::Locale;
use chrono::NaiveDate;
use js_sys::{Array, Function, Object, Reflect};
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::{JsCast, JsValue};

/// Integers beyond this lose precision as a JS number and go to `Intl` as a `BigInt`.
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// An integer with the locale's grouping separators: `1,234,567` / `1,234,567`.
pub(crate) fn integer(locale: Locale, value: i64) -> String {
    let js = if value.abs() <= MAX_SAFE_INTEGER {
        JsValue::from_f64(value as f64)
    } else {
        js_sys::BigInt::from(value).into()
    };
    number_format(locale, "int", &[("maximumFractionDigits", 0.into())], &js).unwrap_or_else(|| value.to_string())
}

/// A count (rows, partitions) with grouping separators.
pub(crate) fn count(locale: Locale, value: u64) -> String {
    integer(locale, i64::try_from(value).unwrap_or(i64::MAX))
}

/// A measure: two decimals (so that a column of amounts lines up), or three significant digits
/// for magnitudes below one, so that both revenue and conversion rates read well.
pub(crate) fn decimal(locale: Locale, value: f64) -> String {
    let js = JsValue::from_f64(value);
    let formatted = if value == 0.0 || value.abs() >= 1.0 || !value.is_finite() {
        let options = [("minimumFractionDigits", 2.into()), ("maximumFractionDigits", 2.into())];
        number_format(locale, "dec", &options, &js)
    } else {
        number_format(locale, "small", &[("maximumSignificantDigits", 3.into())], &js)
    };
    formatted.unwrap_or_else(|| value.to_string())
}

/// A duration in seconds with up to two decimals: `1.25`.
pub(crate) fn seconds(locale: Locale, secs: f64) -> String {
    let options = [("minimumFractionDigits", 1.into()), ("maximumFractionDigits", 2.into())];
    number_format(locale, "secs", &options, &JsValue::from_f64(secs)).unwrap_or_else(|| format!("{secs:.2}"))
}

/// A duration in milliseconds: one decimal below 10 ms, whole milliseconds above.
pub(crate) fn millis(locale: Locale, ms: f64) -> String {
    let digits = if ms < 10.0 { 1 } else { 0 };
    let key = if digits == 1 { "ms1" } else { "ms0" };
    let options = [("minimumFractionDigits", digits.into()), ("maximumFractionDigits", digits.into())];
    number_format(locale, key, &options, &JsValue::from_f64(ms)).unwrap_or_else(|| format!("{ms:.0}"))
}

/// A share as a percentage with at most one decimal: `12.5%` / `12.5%`.
pub(crate) fn percent(locale: Locale, share: f64) -> String {
    let options = [("style", "percent".into()), ("maximumFractionDigits", 1.into())];
    number_format(locale, "pct", &options, &JsValue::from_f64(share))
        .unwrap_or_else(|| format!("{:.1}%", share * 100.0))
}

/// A number with at most `digits` decimals (a duration in minutes, a mean).
pub(crate) fn short(locale: Locale, value: f64, digits: u32) -> String {
    let key = ["short0", "short1", "short2"][digits.min(2) as usize];
    let options = [("maximumFractionDigits", digits.min(2).into())];
    number_format(locale, key, &options, &JsValue::from_f64(value)).unwrap_or_else(|| format!("{value:.1}"))
}

/// A byte size in decimal units: `12.3 MB`.
pub(crate) fn bytes(locale: Locale, value: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut size = value as f64;
    let mut unit = 0;
    while size >= 1000.0 && unit + 1 < UNITS.len() {
        size /= 1000.0;
        unit += 1;
    }
    let digits = if unit == 0 { 0 } else { 1 };
    let key = if digits == 0 { "size0" } else { "size1" };
    let options = [("maximumFractionDigits", digits.into())];
    let number = number_format(locale, key, &options, &JsValue::from_f64(size)).unwrap_or_else(|| format!("{size:.1}"));
    format!("{number} {}", UNITS[unit])
}

/// An instant (microseconds since the Unix epoch) as a date and time in `time_zone`.
pub(crate) fn instant(locale: Locale, time_zone: &str, micros: i64) -> String {
    let millis = JsValue::from_f64(micros.div_euclid(1000) as f64);
    let options = |tz: &str| {
        [
            ("timeZone", JsValue::from_str(tz)),
            ("year", "numeric".into()),
            ("month", "2-digit".into()),
            ("day", "2-digit".into()),
            ("hour", "2-digit".into()),
            ("minute", "2-digit".into()),
            ("second", "2-digit".into()),
            ("hourCycle", "h23".into()),
        ]
    };
    let key = format!("instant {time_zone}");
    if let Some(text) = formatter("DateTimeFormat", locale, &key, &options(time_zone)).and_then(|f| call(&f, &millis)) {
        return text;
    }
    // The browser does not know the tenant's zone: show UTC and say so rather than guess.
    formatter("DateTimeFormat", locale, "instant UTC", &options("UTC"))
        .and_then(|f| call(&f, &millis))
        .map(|text| format!("{text} UTC"))
        .unwrap_or_else(|| format!("{micros} µs"))
}

/// A calendar date, e.g. `Nov 21, 2026` / `2026年11月21日`.
pub(crate) fn date(locale: Locale, day: NaiveDate) -> String {
    let Some(millis) = day.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()) else {
        return day.to_string();
    };
    // A date has no time zone: format midnight UTC in UTC so that it never shifts a day.
    let options =
        [("timeZone", "UTC".into()), ("year", "numeric".into()), ("month", "short".into()), ("day", "numeric".into())];
    formatter("DateTimeFormat", locale, "date", &options)
        .and_then(|f| call(&f, &JsValue::from_f64(millis as f64)))
        .unwrap_or_else(|| day.to_string())
}

fn number_format(locale: Locale, key: &str, options: &[(&str, JsValue)], value: &JsValue) -> Option<String> {
    call(&formatter("NumberFormat", locale, key, options)?, value)
}

thread_local! {
    /// Built formatters' `format` functions by (constructor, locale, purpose). `None` remembers
    /// that building one failed, so that the fallback is not retried for every cell.
    static FORMATTERS: RefCell<HashMap<(String, Locale, String), Option<Function>>> = RefCell::new(HashMap::new());
}

/// The bound `format` function of `new Intl[constructor](locale, options)`, cached under `key`.
fn formatter(constructor: &str, locale: Locale, key: &str, options: &[(&str, JsValue)]) -> Option<Function> {
    let cache_key = (constructor.to_owned(), locale, key.to_owned());
    if let Some(cached) = FORMATTERS.with(|f| f.borrow().get(&cache_key).cloned()) {
        return cached;
    }
    let built = build(constructor, locale, options);
    FORMATTERS.with(|f| f.borrow_mut().insert(cache_key, built.clone()));
    built
}

fn build(constructor: &str, locale: Locale, options: &[(&str, JsValue)]) -> Option<Function> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let constructor: Function = Reflect::get(&intl, &constructor.into()).ok()?.dyn_into().ok()?;
    let opts = Object::new();
    for (name, value) in options {
        Reflect::set(&opts, &(*name).into(), value).ok()?;
    }
    let args = Array::of2(&locale.tag().into(), &opts);
    let instance = Reflect::construct(&constructor, &args).ok()?;
    // `format` is a getter returning a function already bound to its formatter.
    Reflect::get(&instance, &"format".into()).ok()?.dyn_into().ok()
}

fn call(format: &Function, value: &JsValue) -> Option<String> {
    format.call1(&JsValue::UNDEFINED, value).ok()?.as_string()
}
