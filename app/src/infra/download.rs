//! Saving a file the app made (an export) through the browser's download.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// Offers `bytes` for download as `filename`: a Blob behind an object URL, clicked through a
/// temporary `<a download>`. Errors are the browser's words.
pub(crate) fn save(bytes: &[u8], mime: &str, filename: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let parts = Array::of1(&Uint8Array::from(bytes));
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(|e| message(&e))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| message(&e))?;
    let anchor: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(|e| message(&e))?.dyn_into().map_err(|_| "not an anchor")?;
    anchor.set_href(&url);
    anchor.set_download(filename);
    // Some browsers only follow a click on an anchor that is in the document.
    let body = document.body().ok_or("no body")?;
    body.append_child(&anchor).map_err(|e| message(&e))?;
    anchor.click();
    anchor.remove();
    // The download reads the Blob after the click returns: free it a little later.
    let revoke = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000);
    Ok(())
}

fn message(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}
