//! HTML5 drag and drop: what a drag carries, and where on a shelf the pointer is.
//!
//! A drag carries the pivot's own payload under a custom MIME type (so that a drop from outside
//! the page cannot pass for a chip) and the column's name as `text/plain` (so that dropping a
//! field into a text box writes its name).

use web_sys::DragEvent;

/// The MIME type of the pivot's drag payload.
const PAYLOAD_TYPE: &str = "application/x-quiver-field";

/// Starts a drag carrying `payload` and `column` (as plain text).
pub(crate) fn start(event: &DragEvent, payload: &str, column: &str) {
    if let Some(data) = event.data_transfer() {
        // A refusal leaves the drag empty; the drop then does nothing, and the menus still work.
        let _ = data.set_data(PAYLOAD_TYPE, payload);
        let _ = data.set_data("text/plain", column);
        data.set_effect_allowed("move");
    }
}

/// The MIME type of a dashboard tile being moved.
const TILE_TYPE: &str = "application/x-quiver-tile";

/// Starts a drag moving dashboard tile `id` (the board remembers which; the payload only makes
/// the drag a real one).
pub(crate) fn start_move(event: &DragEvent, id: &str) {
    if let Some(data) = event.data_transfer() {
        let _ = data.set_data(TILE_TYPE, id);
        data.set_effect_allowed("move");
    }
}

/// Where the pointer is inside the closest ancestor of the event's target matching `selector`
/// (CSS pixels from its top-left corner).
pub(crate) fn offset_in_closest(event: &DragEvent, selector: &str) -> Option<(f64, f64)> {
    let target = event.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())?;
    let rect = target.closest(selector).ok()??.get_bounding_client_rect();
    Some((f64::from(event.client_x()) - rect.left(), f64::from(event.client_y()) - rect.top()))
}

/// The drop zone's (the event's current target's) width, and the pointer's position in it (CSS
/// pixels from its top-left corner).
pub(crate) fn pointer_in_zone(event: &DragEvent) -> Option<(f64, (f64, f64))> {
    let zone = event.current_target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())?;
    let rect = zone.get_bounding_client_rect();
    Some((rect.width(), (f64::from(event.client_x()) - rect.left(), f64::from(event.client_y()) - rect.top())))
}

/// Lets the element under the pointer accept the drop (the default is to refuse it).
pub(crate) fn accept(event: &DragEvent) {
    event.prevent_default();
    if let Some(data) = event.data_transfer() {
        data.set_drop_effect("move");
    }
}

/// What was dropped: the pivot's payload, else the plain text (a column name typed elsewhere).
pub(crate) fn dropped(event: &DragEvent) -> Option<Dropped> {
    event.prevent_default();
    let data = event.data_transfer()?;
    if let Some(payload) = data.get_data(PAYLOAD_TYPE).ok().filter(|p| !p.is_empty()) {
        return Some(Dropped::Payload(payload));
    }
    data.get_data("text/plain").ok().filter(|p| !p.is_empty()).map(Dropped::Text)
}

/// The content of a drop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Dropped {
    /// The pivot's own payload.
    Payload(String),
    /// Plain text only.
    Text(String),
}

/// The pointer's position and the boxes of the `selector` elements inside the drop zone (the
/// event's current target), in page order, for working out the drop position.
pub(crate) fn pointer_and_boxes(event: &DragEvent, selector: &str) -> ((f64, f64), Vec<Box2>) {
    let pointer = (f64::from(event.client_x()), f64::from(event.client_y()));
    let zone = event.current_target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok());
    let boxes = zone
        .and_then(|zone| zone.query_selector_all(selector).ok())
        .map(|nodes| {
            (0..nodes.length())
                .filter_map(|i| nodes.item(i))
                .filter_map(|node| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(node).ok())
                .map(|element| {
                    let rect = element.get_bounding_client_rect();
                    Box2 { left: rect.left(), top: rect.top(), right: rect.right(), bottom: rect.bottom() }
                })
                .collect()
        })
        .unwrap_or_default();
    (pointer, boxes)
}

/// An element's box in viewport coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Box2 {
    /// Left edge.
    pub(crate) left: f64,
    /// Top edge.
    pub(crate) top: f64,
    /// Right edge.
    pub(crate) right: f64,
    /// Bottom edge.
    pub(crate) bottom: f64,
}

/// Whether the event happened on the element whose handler runs, not on something inside it
/// (a key pressed on a chip, not on the select inside the chip).
pub(crate) fn on_itself(event: &web_sys::Event) -> bool {
    match (event.target(), event.current_target()) {
        (Some(target), Some(current)) => target == current,
        _ => false,
    }
}
