//! Grid layout math: where a tile sits on the 12-column CSS grid, where a new tile goes, and
//! moving and resizing tiles without leaving the grid.

use quiver_shared::dashboard::{GRID_COLUMNS, Tile, TileLayout};

/// The tallest a tile may be, in grid rows (the server's limit).
pub(crate) const MAX_HEIGHT: u32 = 48;

/// The inline CSS placing a tile: CSS grid lines count from 1.
pub(crate) fn grid_style(layout: TileLayout) -> String {
    format!("grid-column: {} / span {}; grid-row: {} / span {};", layout.x + 1, layout.w, layout.y + 1, layout.h)
}

/// Where a new tile of `w` × `h` goes: at the left, under every existing tile.
pub(crate) fn place_new(tiles: &[Tile], w: u32, h: u32) -> TileLayout {
    let y = tiles.iter().map(|t| t.layout.y + t.layout.h).max().unwrap_or(0);
    let w = w.clamp(1, GRID_COLUMNS);
    TileLayout { x: 0, y, w, h: h.clamp(1, MAX_HEIGHT) }
}

/// `layout` moved by `dx` columns and `dy` rows, kept on the grid.
pub(crate) fn moved(layout: TileLayout, dx: i32, dy: i32) -> TileLayout {
    let max_x = GRID_COLUMNS - layout.w;
    let x = (layout.x as i32 + dx).clamp(0, max_x as i32) as u32;
    let y = (layout.y as i32 + dy).clamp(0, 10_000) as u32;
    TileLayout { x, y, ..layout }
}

/// `layout` grown by `dw` columns and `dh` rows (negative: shrunk), kept on the grid: at least
/// one cell, at most the columns right of its left edge and [`MAX_HEIGHT`] rows.
pub(crate) fn resized(layout: TileLayout, dw: i32, dh: i32) -> TileLayout {
    let w = (layout.w as i32 + dw).clamp(1, (GRID_COLUMNS - layout.x) as i32) as u32;
    let h = (layout.h as i32 + dh).clamp(1, MAX_HEIGHT as i32) as u32;
    TileLayout { w, h, ..layout }
}

/// A tile id not used by `tiles`.
pub(crate) fn new_tile_id(tiles: &[Tile]) -> String {
    (1..).map(|n| format!("t{n}")).find(|id| tiles.iter().all(|t| &t.id != id)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use quiver_shared::dashboard::TileKind;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn l(x: u32, y: u32, w: u32, h: u32) -> TileLayout {
        TileLayout { x, y, w, h }
    }

    fn tile(id: &str, layout: TileLayout) -> Tile {
        Tile { id: id.into(), title: String::new(), kind: TileKind::Pivot, spec: serde_json::json!({}), layout }
    }

    #[wasm_bindgen_test]
    fn tiles_sit_on_css_grid_lines_from_one() {
        assert_eq!(grid_style(l(0, 0, 6, 4)), "grid-column: 1 / span 6; grid-row: 1 / span 4;");
        assert_eq!(grid_style(l(6, 4, 6, 3)), "grid-column: 7 / span 6; grid-row: 5 / span 3;");
    }

    #[wasm_bindgen_test]
    fn a_new_tile_goes_under_the_lowest_one() {
        assert_eq!(place_new(&[], 6, 4), l(0, 0, 6, 4));
        let tiles = [tile("a", l(0, 0, 6, 4)), tile("b", l(6, 0, 6, 7))];
        assert_eq!(place_new(&tiles, 20, 0), l(0, 7, 12, 1), "clamped to the grid");
        assert_eq!(new_tile_id(&tiles), "t1");
        assert_eq!(new_tile_id(&[tile("t1", l(0, 0, 1, 1))]), "t2");
    }

    #[wasm_bindgen_test]
    fn moves_and_resizes_stay_on_the_grid() {
        assert_eq!(moved(l(0, 0, 6, 4), -1, -1), l(0, 0, 6, 4));
        assert_eq!(moved(l(0, 0, 6, 4), 10, 2), l(6, 2, 6, 4));
        assert_eq!(resized(l(6, 0, 6, 4), 1, 0), l(6, 0, 6, 4), "x + w stays within 12");
        assert_eq!(resized(l(6, 0, 6, 4), -9, -9), l(6, 0, 1, 1));
        assert_eq!(resized(l(0, 0, 6, 47), 0, 5), l(0, 0, 6, 48));
    }
}
