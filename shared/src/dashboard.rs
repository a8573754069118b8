//! Dashboards as saved and sent: a grid of tiles (each a saved pivot, chart or analysis spec),
//! a title and notes, and global filters applied to every tile.

use crate::analysis::AnalysisSpec;
use crate::pivot::{PivotSpec, SpecError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How many columns the dashboard grid has; a tile's `x + w` may not pass it.
pub const GRID_COLUMNS: u32 = 12;
/// The most tiles one dashboard holds.
pub const MAX_TILES: usize = 64;

/// What a dashboard holds; one saved version of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashboardBody {
    /// The title, 1 to 200 characters.
    pub title: String,
    /// Free text shown under the title.
    #[serde(default)]
    pub notes: String,
    /// Filters applied to every tile.
    #[serde(default)]
    pub filters: DashboardFilters,
    /// The tiles, in no particular order (their layout places them).
    #[serde(default)]
    pub tiles: Vec<Tile>,
}

/// A dashboard's global filters (also the filter state a share link carries).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashboardFilters {
    /// First day shown (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Last day shown (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    /// Dimension filters: only rows whose `column` is one of `values`, in every tile whose table
    /// has that column.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dimensions: Vec<DimensionFilter>,
}

/// Rows whose `column` is one of `values`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionFilter {
    /// The column.
    pub column: String,
    /// The values kept, as text (numbers written as in JSON).
    pub values: Vec<String>,
}

/// One tile of the grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tile {
    /// Unique within the dashboard; cross-filtering and the layout refer to it.
    pub id: String,
    /// The caption.
    #[serde(default)]
    pub title: String,
    /// What the spec is.
    pub kind: TileKind,
    /// A `PivotSpec` (pivot and chart tiles) or an `AnalysisSpec` (analysis tiles), as JSON.
    pub spec: serde_json::Value,
    /// Where the tile sits.
    pub layout: TileLayout,
}

/// The kind of a tile's spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TileKind {
    /// A pivot table (`PivotSpec`).
    Pivot,
    /// A pivot drawn as a chart (`PivotSpec` with its view).
    Chart,
    /// An analysis (`AnalysisSpec`).
    Analysis,
}

/// A tile's place on the grid, in grid cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TileLayout {
    /// Left column, from 0.
    pub x: u32,
    /// Top row, from 0.
    pub y: u32,
    /// Width in columns, 1 to [`GRID_COLUMNS`].
    pub w: u32,
    /// Height in rows, 1 to 48.
    pub h: u32,
}

impl DashboardBody {
    /// Checks everything that does not need the catalogue; the error names the field
    /// (`tiles[2].layout.w`).
    pub fn validate(&self) -> Result<(), SpecError> {
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(SpecError::new("title", "the title must have 1 to 200 characters"));
        }
        if self.notes.chars().count() > 20_000 {
            return Err(SpecError::new("notes", "notes may have at most 20000 characters"));
        }
        self.filters.validate("filters")?;
        if self.tiles.len() > MAX_TILES {
            return Err(SpecError::new("tiles", format!("a dashboard holds at most {MAX_TILES} tiles")));
        }
        for (i, tile) in self.tiles.iter().enumerate() {
            let at = |field: &str| format!("tiles[{i}].{field}");
            if tile.id.trim().is_empty() || tile.id.len() > 64 {
                return Err(SpecError::new(at("id"), "a tile id must have 1 to 64 characters"));
            }
            if self.tiles[..i].iter().any(|t| t.id == tile.id) {
                return Err(SpecError::new(at("id"), format!("tile id '{}' is used twice", tile.id)));
            }
            let l = tile.layout;
            if l.w == 0 || l.x + l.w > GRID_COLUMNS {
                return Err(SpecError::new(
                    at("layout.w"),
                    format!("x + w must be between 1 and {GRID_COLUMNS} (x = {}, w = {})", l.x, l.w),
                ));
            }
            if l.h == 0 || l.h > 48 || l.y > 10_000 {
                return Err(SpecError::new(at("layout.h"), "h must be 1 to 48 and y at most 10000"));
            }
            tile.table().map_err(|e| SpecError::new(at(&format!("spec.{}", e.field)), e.reason))?;
        }
        Ok(())
    }

    /// Every table a tile reads, sorted, each once. Tiles with specs that do not parse are
    /// skipped (a validated body has none).
    pub fn tables(&self) -> Vec<String> {
        let mut tables: Vec<String> = self.tiles.iter().filter_map(|t| t.table().ok()).flatten().collect();
        tables.sort();
        tables.dedup();
        tables
    }
}

impl Tile {
    /// The tables the tile's spec reads, or why the spec is not a spec of the tile's kind.
    pub fn table(&self) -> Result<Vec<String>, SpecError> {
        let json = self.spec.to_string();
        match self.kind {
            TileKind::Pivot | TileKind::Chart => Ok(vec![PivotSpec::from_json(&json)?.table]),
            TileKind::Analysis => {
                Ok(AnalysisSpec::from_json(&json)?.tables().into_iter().map(|(_, t)| t.to_owned()).collect())
            }
        }
    }
}

impl DashboardFilters {
    /// Checks the date range and the dimension filters; errors name `at.…`.
    pub fn validate(&self, at: &str) -> Result<(), SpecError> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return Err(SpecError::new(format!("{at}.to"), format!("'to' ({to}) is before 'from' ({from})")));
        }
        for (i, d) in self.dimensions.iter().enumerate() {
            if d.column.trim().is_empty() {
                return Err(SpecError::new(format!("{at}.dimensions[{i}].column"), "name a column"));
            }
            if self.dimensions[..i].iter().any(|o| o.column == d.column) {
                return Err(SpecError::new(
                    format!("{at}.dimensions[{i}].column"),
                    format!("column '{}' is filtered twice", d.column),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(tiles: serde_json::Value) -> DashboardBody {
        serde_json::from_value(serde_json::json!({"title": "Sales", "tiles": tiles})).unwrap()
    }

    fn check(tiles: serde_json::Value, expected: Result<Vec<&str>, &str>) {
        let body = body(tiles);
        match expected {
            Ok(tables) => {
                body.validate().unwrap();
                assert_eq!(body.tables(), tables);
            }
            Err(field) => assert_eq!(body.validate().unwrap_err().field, field),
        }
    }

    #[test]
    fn validates_layout_and_specs_and_lists_tables() {
        let pivot = serde_json::json!({"table": "leads"});
        let funnel = serde_json::json!({"kind": "funnel", "steps": [{"event": "a"}, {"event": "b"}]});
        let at = |x: u32, w: u32| serde_json::json!({"x": x, "y": 0, "w": w, "h": 4});
        check(serde_json::json!([]), Ok(vec![]));
        check(
            serde_json::json!([
                {"id": "a", "kind": "pivot", "spec": pivot, "layout": at(0, 6)},
                {"id": "b", "kind": "analysis", "spec": funnel, "layout": at(6, 6)},
            ]),
            Ok(vec!["events", "leads"]),
        );
        check(
            serde_json::json!([{"id": "a", "kind": "pivot", "spec": pivot, "layout": at(8, 6)}]),
            Err("tiles[0].layout.w"),
        );
        check(
            serde_json::json!([
                {"id": "a", "kind": "pivot", "spec": pivot, "layout": at(0, 6)},
                {"id": "a", "kind": "chart", "spec": pivot, "layout": at(6, 6)},
            ]),
            Err("tiles[1].id"),
        );
        check(
            serde_json::json!([{"id": "a", "kind": "analysis", "spec": pivot, "layout": at(0, 6)}]),
            Err("tiles[0].spec.kind"),
        );
    }
}
