//! Small browser services: the clock, yielding to the renderer, the stored locale, key chords.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

const LOCALE_KEY: &str = "quiver.locale";

/// Milliseconds from `performance.now()`: monotonic and sub-millisecond, for timing queries.
pub(crate) fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or_else(js_sys::Date::now)
}

/// The wall clock in microseconds since the Unix epoch (`Date.now()`), for times shown to users.
pub(crate) fn wall_clock_micros() -> i64 {
    (js_sys::Date::now() * 1000.0) as i64
}

/// Waits until the browser has painted a frame, so that state set just before (a progress bar,
/// "running…") is visible before the next stretch of synchronous work.
///
/// A `requestAnimationFrame` callback runs *before* the paint, so it schedules a zero timeout that
/// runs after it. Hidden tabs do not run animation frames at all; a plain timeout resolves the
/// wait there so that a load in a background tab still finishes.
pub(crate) async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let Some(window) = web_sys::window() else {
            let _ = resolve.call0(&JsValue::NULL);
            return;
        };
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 100);
        let after_paint = {
            let window = window.clone();
            Closure::once_into_js(move || {
                let _ = window.set_timeout_with_callback(&resolve);
            })
        };
        let _ = window.request_animation_frame(after_paint.unchecked_ref());
    });
    // The promise never rejects.
    let _ = JsFuture::from(promise).await;
}

/// The locale tag chosen earlier with the switcher, if any.
pub(crate) fn stored_locale() -> Option<String> {
    local_storage()?.get_item(LOCALE_KEY).ok()?
}

/// Remembers the switcher's choice across visits.
pub(crate) fn store_locale(tag: &str) {
    if let Some(storage) = local_storage() {
        // Without storage the choice lasts for this page view only; nothing to report.
        let _ = storage.set_item(LOCALE_KEY, tag);
    }
}

/// The browser's preferred language, e.g. `zh-CN` or `en-US`.
pub(crate) fn navigator_language() -> Option<String> {
    web_sys::window()?.navigator().language()
}

/// Sets `<html lang>`, which screen readers and font selection (CJK glyph variants) rely on.
pub(crate) fn set_document_language(tag: &str) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", tag);
    }
}

/// Whether the key event is the "run" chord: Ctrl+Enter, or Cmd+Enter on a Mac.
pub(crate) fn is_run_chord(event: &web_sys::KeyboardEvent) -> bool {
    event.key() == "Enter" && (event.ctrl_key() || event.meta_key())
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}
