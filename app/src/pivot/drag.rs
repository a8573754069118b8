//! What a drag in the pivot builder carries, and where a drop lands among a shelf's chips.

use super::shelf::Shelf;
use crate::infra::dnd::Box2;

/// The thing being dragged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DragSource {
    /// A field from the field list.
    Field(String),
    /// The chip at this index of a shelf.
    Chip(Shelf, usize),
}

impl DragSource {
    /// The payload text: `field:<column>` or `chip:<shelf>:<index>`.
    pub(crate) fn encode(&self) -> String {
        match self {
            DragSource::Field(column) => format!("field:{column}"),
            DragSource::Chip(shelf, index) => format!("chip:{}:{index}", shelf.as_str()),
        }
    }

    /// The source a payload names, if it is well formed.
    pub(crate) fn decode(payload: &str) -> Option<DragSource> {
        if let Some(column) = payload.strip_prefix("field:") {
            return (!column.is_empty()).then(|| DragSource::Field(column.to_owned()));
        }
        let (shelf, index) = payload.strip_prefix("chip:")?.split_once(':')?;
        Some(DragSource::Chip(Shelf::parse(shelf)?, index.parse().ok()?))
    }
}

/// Where among a shelf's chips (their boxes, in order; they wrap onto lines) a drop at `(x, y)`
/// goes: before the first chip that is on a later line, or on the same line and to the right of
/// the pointer's half; after the last chip otherwise.
pub(crate) fn drop_index(chips: &[Box2], (x, y): (f64, f64)) -> usize {
    chips
        .iter()
        .position(|chip| {
            let below = y < chip.top;
            let same_line = y >= chip.top && y <= chip.bottom;
            below || (same_line && x < (chip.left + chip.right) / 2.0)
        })
        .unwrap_or(chips.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[track_caller]
    fn check_payload(source: DragSource, encoded: &str) {
        assert_eq!(source.encode(), encoded);
        assert_eq!(DragSource::decode(encoded), Some(source));
    }

    #[wasm_bindgen_test]
    fn payloads_round_trip() {
        check_payload(DragSource::Field("channel".to_owned()), "field:channel");
        check_payload(DragSource::Field("a:b".to_owned()), "field:a:b");
        check_payload(DragSource::Chip(Shelf::Values, 2), "chip:values:2");
        for bad in ["", "field:", "chip:values", "chip:shelf:1", "chip:rows:x", "channel"] {
            assert_eq!(DragSource::decode(bad), None, "{bad}");
        }
    }

    #[track_caller]
    fn check_drop(pointer: (f64, f64), expected: usize) {
        // Two lines: chips 0 and 1 on the first (y 0..20), chip 2 on the second (y 30..50).
        let chip = |left, top| Box2 { left, top, right: left + 60.0, bottom: top + 20.0 };
        let chips = [chip(0.0, 0.0), chip(70.0, 0.0), chip(0.0, 30.0)];
        assert_eq!(drop_index(&chips, pointer), expected, "{pointer:?}");
    }

    #[wasm_bindgen_test]
    fn drops_land_by_the_pointer() {
        check_drop((5.0, 10.0), 0);
        check_drop((35.0, 10.0), 1);
        check_drop((90.0, 10.0), 1);
        check_drop((120.0, 10.0), 2);
        check_drop((300.0, 10.0), 2);
        check_drop((10.0, 40.0), 2);
        check_drop((50.0, 40.0), 3);
        check_drop((10.0, 25.0), 2);
        check_drop((10.0, 90.0), 3);
        assert_eq!(drop_index(&[], (0.0, 0.0)), 0);
    }
}
