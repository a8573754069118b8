//! The window around the app: the address's path (embed and share pages), `postMessage` with
//! the page that frames an embedded dashboard, and the document's height.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

/// The address's path, e.g. `/embed/d_1`.
pub(crate) fn path() -> String {
    web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_default()
}

/// The origin of the page that opened or framed this one (`document.referrer`), if any.
pub(crate) fn referrer_origin() -> Option<String> {
    let referrer = web_sys::window()?.document()?.referrer();
    let url = web_sys::Url::new(&referrer).ok()?;
    let origin = url.origin();
    (origin != "null" && !origin.is_empty()).then_some(origin)
}

/// Posts `message` (JSON text, sent as an object) to the framing page, to `target_origin` only.
pub(crate) fn post_to_parent(message: &str, target_origin: &str) {
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    let Ok(value) = js_sys::JSON::parse(message) else { return };
    // A refusal (an origin that does not match the parent's) drops the message, as it should.
    let _ = parent.post_message(&value, target_origin);
}

/// Calls `f(origin, data as JSON text)` for every `message` event while the calling component
/// lives. Objects are turned into JSON text; strings are passed as they are.
pub(crate) fn on_message(f: impl Fn(String, String) + 'static) {
    let handle = window_event_listener(leptos::ev::message, move |event: web_sys::MessageEvent| {
        let data = event.data();
        let text = match data.as_string() {
            Some(text) => text,
            None => match js_sys::JSON::stringify(&data) {
                Ok(text) => String::from(text),
                Err(_) => return,
            },
        };
        f(event.origin(), text);
    });
    on_cleanup(move || handle.remove());
}

/// Calls `f(height in CSS pixels)` now and whenever the document's height changes.
pub(crate) fn on_height_change(f: impl Fn(u32) + 'static) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(root) = document.document_element() else { return };
    let measure = {
        let root = root.clone();
        move || root.scroll_height().max(0) as u32
    };
    f(measure());
    let callback = Closure::<dyn Fn()>::new(move || f(measure()));
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        if let Some(body) = document.body() {
            observer.observe(&body);
        }
        // The observer lives as long as the page (the embed page never unmounts it).
        std::mem::forget(observer);
    }
    callback.forget();
}

/// Seconds since the Unix epoch, from the browser's clock.
pub(crate) fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// Loads `url` in place of the current page.
pub(crate) fn go_to(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(url);
    }
}

/// The page's origin, e.g. `http://127.0.0.1:8080`.
pub(crate) fn origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

/// The row key (`data-row`) of the pivot cell a click landed in, if it landed in one.
pub(crate) fn clicked_cell_row(event: &web_sys::MouseEvent) -> Option<String> {
    let target = event.target()?.dyn_into::<web_sys::Element>().ok()?;
    let cell = target.closest("td.pivot-cell").ok()??;
    cell.get_attribute("data-row")
}
