//! Today's date in the tenant's calendar, and waiting without blocking the page.

use chrono::NaiveDate;
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Today in `time_zone` (an IANA name); in UTC when the browser does not know the zone.
pub(crate) fn today(time_zone: &str) -> NaiveDate {
    let now = js_sys::Date::new_0();
    if let Some(day) = format_day(&now, time_zone) {
        return day;
    }
    let iso = String::from(now.to_iso_string());
    NaiveDate::parse_from_str(iso.get(..10).unwrap_or_default(), "%Y-%m-%d").unwrap_or_default()
}

/// The calendar day of `instant` in `time_zone`, through `Intl.DateTimeFormat`'s parts (so that
/// the locale's order of year, month and day does not matter).
fn format_day(instant: &js_sys::Date, time_zone: &str) -> Option<NaiveDate> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let constructor: Function = Reflect::get(&intl, &"DateTimeFormat".into()).ok()?.dyn_into().ok()?;
    let options = Object::new();
    for (name, value) in [("timeZone", time_zone), ("year", "numeric"), ("month", "numeric"), ("day", "numeric")] {
        Reflect::set(&options, &name.into(), &value.into()).ok()?;
    }
    // `construct` turns an unknown zone's RangeError into `Err` instead of a thrown exception.
    let formatter = Reflect::construct(&constructor, &Array::of2(&"en-US".into(), &options)).ok()?;
    let to_parts: Function = Reflect::get(&formatter, &"formatToParts".into()).ok()?.dyn_into().ok()?;
    let parts: Array = to_parts.call1(&formatter, instant).ok()?.dyn_into().ok()?;
    let part = |kind: &str| -> Option<u32> {
        parts.iter().find_map(|p| {
            let is_kind = Reflect::get(&p, &"type".into()).ok()?.as_string()? == kind;
            if !is_kind {
                return None;
            }
            Reflect::get(&p, &"value".into()).ok()?.as_string()?.parse().ok()
        })
    };
    NaiveDate::from_ymd_opt(i32::try_from(part("year")?).ok()?, part("month")?, part("day")?)
}

/// Resolves after `millis` milliseconds (a `setTimeout`), letting the page handle events.
pub(crate) async fn sleep(millis: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        match web_sys::window() {
            Some(window) => {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis);
            }
            None => {
                let _ = resolve.call0(&JsValue::NULL);
            }
        };
    });
    // The promise never rejects.
    let _ = JsFuture::from(promise).await;
}

#[cfg(test)]
mod tests {
    use super::format_day;
    use chrono::NaiveDate;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[track_caller]
    fn check(iso_instant: &str, time_zone: &str, expected: Option<&str>) {
        let instant = js_sys::Date::new(&iso_instant.into());
        let expected = expected.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap());
        assert_eq!(format_day(&instant, time_zone), expected, "{iso_instant} in {time_zone}");
    }

    #[wasm_bindgen_test]
    fn the_day_is_the_tenants() {
        check("2026-11-21T17:30:00Z", "UTC", Some("2026-11-21"));
        check("2026-11-21T17:30:00Z", "Asia/Shanghai", Some("2026-11-22"));
        check("2026-11-21T03:30:00Z", "America/Los_Angeles", Some("2026-11-20"));
        check("2026-11-21T03:30:00Z", "Not/A_Zone", None);
    }
}
