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

/// The grid's row height and gap in CSS pixels, as `.dashboard-grid` in `assets/quiver.css` sets
/// them (the columns share the width).
pub(crate) const ROW_PX: f64 = 56.0;
/// See [`ROW_PX`].
pub(crate) const GAP_PX: f64 = 10.0;

/// The grid line nearest to a point `(x, y)` (CSS pixels from the grid's top-left corner) on a
/// grid `width` pixels wide: where a dragged tile's top-left corner snaps to.
pub(crate) fn snap(width: f64, x: f64, y: f64) -> (u32, u32) {
    let columns = f64::from(GRID_COLUMNS);
    let column = ((width - GAP_PX * (columns - 1.0)) / columns).max(1.0);
    let col = (x / (column + GAP_PX)).round().clamp(0.0, columns - 1.0);
    let row = (y / (ROW_PX + GAP_PX)).round().clamp(0.0, 10_000.0);
    (col as u32, row as u32)
}

/// `layout` with its top-left corner at `(col, row)`, kept on the grid.
pub(crate) fn placed_at(layout: TileLayout, (col, row): (u32, u32)) -> TileLayout {
    TileLayout { x: col.min(GRID_COLUMNS - layout.w), y: row.min(10_000), ..layout }
}

fn overlap(a: TileLayout, b: TileLayout) -> bool {
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
}

/// After tile `moved` was moved or resized, pushes every tile it now covers down under it, and
/// the tiles those cover in turn, top to bottom; tiles covering nothing stay where they are.
pub(crate) fn settle(tiles: &mut [Tile], moved: &str) {
    let Some(first) = tiles.iter().position(|t| t.id == moved) else { return };
    let mut order: Vec<usize> = (0..tiles.len()).filter(|&i| i != first).collect();
    order.sort_by_key(|&i| (tiles[i].layout.y, tiles[i].layout.x));
    let mut placed = vec![tiles[first].layout];
    for i in order {
        let mut layout = tiles[i].layout;
        while let Some(below) = placed.iter().filter(|p| overlap(**p, layout)).map(|p| p.y + p.h).max() {
            layout.y = below;
        }
        tiles[i].layout = layout;
        placed.push(layout);
    }
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

    #[wasm_bindgen_test]
    fn a_drop_snaps_the_corner_to_the_nearest_grid_line() {
        // 12 columns of 70 px with 10 px gaps: 950 px wide; a column and its gap are 80 px.
        assert_eq!(snap(950.0, 0.0, 0.0), (0, 0));
        assert_eq!(snap(950.0, 85.0, 60.0), (1, 1));
        assert_eq!(snap(950.0, 119.0, 98.0), (1, 1));
        assert_eq!(snap(950.0, 121.0, 100.0), (2, 2));
        assert_eq!(snap(950.0, -300.0, -10.0), (0, 0), "never off the grid");
        assert_eq!(snap(950.0, 5000.0, 0.0), (11, 0));
        assert_eq!(placed_at(l(0, 0, 6, 4), (11, 3)), l(6, 3, 6, 4), "x + w stays within 12");
    }

    #[wasm_bindgen_test]
    fn a_moved_tile_pushes_what_it_covers_down_and_leaves_the_rest() {
        let mut tiles = vec![
            tile("a", l(0, 0, 6, 4)),
            tile("b", l(6, 0, 6, 4)),
            tile("c", l(0, 4, 12, 2)),
            tile("d", l(6, 9, 6, 1)),
        ];
        tiles[1].layout = l(0, 0, 6, 4);
        settle(&mut tiles, "b");
        let at = |tiles: &[Tile]| tiles.iter().map(|t| (t.id.clone(), t.layout)).collect::<Vec<_>>();
        assert_eq!(
            at(&tiles),
            [
                ("a".to_owned(), l(0, 4, 6, 4)),
                ("b".to_owned(), l(0, 0, 6, 4)),
                ("c".to_owned(), l(0, 8, 12, 2)),
                ("d".to_owned(), l(6, 10, 6, 1)),
            ]
        );
        let before = at(&tiles);
        settle(&mut tiles, "d");
        assert_eq!(at(&tiles), before, "nothing covered, nothing moves");
    }
}
