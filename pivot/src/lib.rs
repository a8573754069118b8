//! The pivot's result side: shapes the planned query's output into a [`PivotTable`], draws its
//! charts on any plotters backend and exports it as CSV, TSV or Parquet.
//!
//! The input is the output of `quiver_shared::pivot::plan` as documented there (`r*`, `c*`,
//! `__row_depth`, `__col_depth`, `__other`, `v*`). Nothing here aggregates: subtotals and totals
//! come from the query, so that non-additive measures stay correct.

pub mod chart;
pub mod export;
mod label;
mod shape;
mod table;
#[cfg(test)]
mod tests;

pub use label::Label;
pub use shape::{PivotOutput, ShapeError};
pub use table::{
    Cell, ColumnLeaf, HeaderNode, HeaderSpan, HeaderText, KEY_SEPARATOR, NodeId, PivotTable, RowPath, TOTAL_KEY,
    VisibleRow,
};
