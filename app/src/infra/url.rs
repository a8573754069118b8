//! The address bar: reading and writing the query string, and hearing back/forward.
//!
//! The query string is read and written through `URLSearchParams`, so that any text (JSON with
//! `&`, `=`, `#`, `%`, non-Latin labels) survives the trip exactly as the browser encodes it.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// How a change of address enters the session history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HistoryEntry {
    /// A new entry: Back returns to the previous state (deliberate changes).
    Push,
    /// The current entry changes in place (rapid changes such as typing).
    Replace,
}

/// The current query string's parameters, in order.
pub(crate) fn current_params() -> Vec<(String, String)> {
    web_sys::window().and_then(|w| w.location().search().ok()).map(|search| decode(&search)).unwrap_or_default()
}

/// The parameters of a query string (with or without its leading `?`).
pub(crate) fn decode(query: &str) -> Vec<(String, String)> {
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(query) else {
        return Vec::new();
    };
    let Ok(Some(entries)) = js_sys::try_iter(&params) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let pair = js_sys::Array::from(&entry);
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

/// A query string (without `?`) holding these parameters.
pub(crate) fn encode(params: &[(String, String)]) -> String {
    let Ok(search) = web_sys::UrlSearchParams::new() else {
        return String::new();
    };
    for (name, value) in params {
        search.append(name, value);
    }
    String::from(search.to_string())
}

/// Points the address bar at the same page with these parameters, keeping the path and the
/// fragment.
pub(crate) fn set_params(params: &[(String, String)], entry: HistoryEntry) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let path = location.pathname().unwrap_or_else(|_| "/".to_owned());
    let hash = location.hash().unwrap_or_default();
    let query = encode(params);
    let url = if query.is_empty() { format!("{path}{hash}") } else { format!("{path}?{query}{hash}") };
    if let Ok(history) = window.history() {
        // A refusal (e.g. too many calls per second) leaves the old address; the state is intact.
        let _ = match entry {
            HistoryEntry::Push => history.push_state_with_url(&JsValue::NULL, "", Some(&url)),
            HistoryEntry::Replace => history.replace_state_with_url(&JsValue::NULL, "", Some(&url)),
        };
    }
}

/// Calls `f` whenever the user goes back or forward, for as long as the calling component lives.
pub(crate) fn on_history_move(f: impl Fn() + 'static) {
    let handle = window_event_listener(leptos::ev::popstate, move |_| f());
    on_cleanup(move || handle.remove());
}

#[cfg(test)]
mod tests {
    use super::{decode, encode};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[track_caller]
    fn check(params: &[(&str, &str)]) {
        let params: Vec<(String, String)> = params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let query = encode(&params);
        assert_eq!(decode(&query), params, "through {query}");
        assert_eq!(decode(&format!("?{query}")), params, "with a leading ?");
    }

    #[wasm_bindgen_test]
    fn parameters_survive_the_query_string() {
        check(&[]);
        check(&[("view", "pivot")]);
        check(&[("view", "pivot"), ("pivot", r#"{"table":"events","rows":[{"column":"a&b=c"}]}"#)]);
        check(&[("pivot", "100% #1 + 渠道 / é"), ("other", "")]);
        check(&[("x", "1"), ("x", "2")]);
    }
}
