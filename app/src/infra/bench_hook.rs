//! `window.__quiver_bench`: the hook the peer benchmark (`e2e/benches/peers.rs`) drives, so that
//! Quiver is timed through the app's own load path and engine, in the page, like its peers.
//!
//! Six functions; the benchmark times `load` and `sql` around the call with `performance.now()`:
//! - `load(table)`: a promise of the rows registered, after the app's own load of every
//!   partition of `table` (manifest, downloads, IPC decode, registration; see `crate::load`);
//! - `sql(query)`: runs one statement in the app's DataFusion engine, returns the result's rows;
//! - `scalar(query)`: the first cell of the result as a number (or null), to compare answers;
//! - `wasmBytes()`: the size of the app's wasm linear memory (which the JS heap does not count);
//! - `livePivot(base, deltas)`: the live pivot benchmark (`crate::bench::live_pivot`) on Arrow IPC
//!   bytes (`Uint8Array`s), returning the milliseconds of the full run and of each refresh;
//! - `profile(query)`: runs the query under `EXPLAIN ANALYZE` and returns the plan with each
//!   operator's rows and time, to say where a slow query spends it.
//!
//! It adds no capability a signed-in page lacks: the same token loads the same tables.

use futures::future::LocalBoxFuture;
use js_sys::{Object, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Installs the hook on `window`. `load` resolves with the rows loaded; `sql` returns the rows of
/// the result; errors become rejected promises or thrown `Error`s with the app's message.
pub(crate) fn install(
    load: impl Fn(String) -> LocalBoxFuture<'static, Result<u64, String>> + 'static,
    sql: impl Fn(&str) -> Result<usize, String> + 'static,
    scalar: impl Fn(&str) -> Result<Option<f64>, String> + 'static,
    live_pivot: impl Fn(Vec<u8>, Vec<Vec<u8>>) -> Result<Vec<f64>, String> + 'static,
    profile: impl Fn(&str) -> Result<String, String> + 'static,
) {
    let Some(window) = web_sys::window() else { return };
    let hook = Object::new();
    let load = Closure::<dyn Fn(String) -> js_sys::Promise>::new(move |table: String| {
        let future = load(table);
        wasm_bindgen_futures::future_to_promise(async move {
            match future.await {
                Ok(rows) => Ok(JsValue::from_f64(rows as f64)),
                Err(message) => Err(js_sys::Error::new(&message).into()),
            }
        })
    });
    let sql = Closure::<dyn Fn(String) -> Result<f64, JsValue>>::new(move |query: String| {
        sql(&query).map(|rows| rows as f64).map_err(|message| js_sys::Error::new(&message).into())
    });
    let scalar = Closure::<dyn Fn(String) -> Result<JsValue, JsValue>>::new(move |query: String| {
        scalar(&query).map(|v| v.map_or(JsValue::NULL, JsValue::from_f64)).map_err(|m| js_sys::Error::new(&m).into())
    });
    let wasm_bytes = Closure::<dyn Fn() -> f64>::new(|| {
        wasm_bindgen::memory()
            .dyn_into::<js_sys::WebAssembly::Memory>()
            .map(|m| m.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length() as f64)
            .unwrap_or(f64::NAN)
    });
    let live_pivot = Closure::<dyn Fn(js_sys::Uint8Array, js_sys::Array) -> Result<JsValue, JsValue>>::new(
        move |base: js_sys::Uint8Array, deltas: js_sys::Array| {
            let deltas = deltas.iter().map(|d| js_sys::Uint8Array::new(&d).to_vec()).collect();
            let times = live_pivot(base.to_vec(), deltas).map_err(|m| JsValue::from(js_sys::Error::new(&m)))?;
            Ok(times.into_iter().map(JsValue::from_f64).collect::<js_sys::Array>().into())
        },
    );
    let profile = Closure::<dyn Fn(String) -> Result<String, JsValue>>::new(move |query: String| {
        profile(&query).map_err(|message| js_sys::Error::new(&message).into())
    });
    // The closures live as long as the page: hand them to JS for good.
    let _ = Reflect::set(&hook, &"load".into(), &load.into_js_value());
    let _ = Reflect::set(&hook, &"sql".into(), &sql.into_js_value());
    let _ = Reflect::set(&hook, &"scalar".into(), &scalar.into_js_value());
    let _ = Reflect::set(&hook, &"wasmBytes".into(), &wasm_bytes.into_js_value());
    let _ = Reflect::set(&hook, &"livePivot".into(), &live_pivot.into_js_value());
    let _ = Reflect::set(&hook, &"profile".into(), &profile.into_js_value());
    let _ = Reflect::set(&window, &"__quiver_bench".into(), &hook);
}
