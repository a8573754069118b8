//! The pivot: its spec ([`PivotSpec`]) and the one function that turns a spec into SQL
//! ([`plan`]).
//!
//! # The planned query's output (the contract with `quiver-pivot`'s shaping and charts)
//!
//! [`plan`] returns one SQL query over the spec's table. Its result has, in this order:
//! - `r0 … r{R-1}`: the Rows fields' group labels, `c0 … c{C-1}`: the Columns fields'. Plain
//!   fields keep the column's type; time fields are the bucket's start as
//!   `Timestamp(Microsecond, <tenant time zone>)`.
//! - `__row_depth` (Int32): how many Rows fields the row is grouped by; `R` for a leaf,
//!   less for a subtotal, 0 for the total over all rows. The Rows fields past the depth are null.
//!   `__col_depth` (Int32) likewise for the Columns fields.
//! - `__other` (Boolean), only when [`PlannedPivot::has_other`]: true for the "Other" group that
//!   top N folds the rest of `r0` into (`r0` is null there); false elsewhere.
//! - `v0 … v{V-1}` (Float64): the Values, in shelf order (a count of rows when the shelf is
//!   empty). Null where there is nothing to aggregate (an average over no numbers).
//!
//! Every combination of depths `0..=R` × `0..=C` is present, each aggregated from the rows
//! themselves (not from the finer groups), so subtotals of count distinct, median and average
//! are correct. Row order is unspecified: shaping sorts.

mod chart;
mod link;
mod spec;
mod sql;

pub use chart::default_chart;

pub use spec::*;
pub use sql::{
    MAX_DAYS, MAX_FILTERS, MAX_LIST_VALUES, MAX_SHELF_FIELDS, MAX_VALUES, QueryShape, date_range_condition,
    distinct_values_sql, filter_condition, plan, plan_incremental, plan_with_shape,
};

/// The engine table holding a live delta's rows (the pivot table's columns).
pub const DELTA_TABLE: &str = "__quiver_live_delta";

/// A pivot query in pieces, so that new rows can be folded into what was computed before
/// instead of reading every row again:
///
/// 1. `full_leaf_sql`: the finest groups' partial results (counts, sums, minima, maxima, sets of
///    distinct values) over the whole table: `row_keys` Rows labels `r0…`, `column_keys`
///    Columns labels `c0…`, then one partial column per entry of `merges`. The caller rolls
///    them up to every group of the output (each depth of Rows × Columns) and keeps those
///    (`quiver_engine::KeptGroups`);
/// 2. on new rows, registered as [`DELTA_TABLE`]: `delta_leaf_sql` gives their finest groups the
///    same way, which are merged into the kept groups they fall in (`merges`), touching only
///    those;
/// 3. the output (the contract above) is the kept groups' labels and depths with each value
///    computed from their partials (`finals`, in Values order).
///
/// Steps 1 and 2 must share the engine's ids of distinct values (`Engine::sql_keeping_ids`).
#[derive(Clone, Debug, PartialEq)]
pub struct IncrementalPivot {
    /// The partials over the spec's table.
    pub full_leaf_sql: String,
    /// The partials over [`DELTA_TABLE`].
    pub delta_leaf_sql: String,
    /// How many Rows labels lead the leaf's columns.
    pub row_keys: usize,
    /// How many Columns labels follow them.
    pub column_keys: usize,
    /// How each partial column (after the labels) merges with the same group's partial of other
    /// rows.
    pub merges: Vec<Merge>,
    /// How each value is computed from its group's partials.
    pub finals: Vec<Finish>,
}

/// How two partial results of one group merge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Merge {
    /// Counts and sums add up (a null, no numbers, adds nothing).
    Add,
    /// The lesser.
    Min,
    /// The greater.
    Max,
    /// Sets of distinct values unite (`distinct_set`).
    Union,
}

/// How a value is computed from its group's partials (indexes into the partial columns).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finish {
    /// A count: the partial, 0 where there is none.
    Count(usize),
    /// A sum, minimum or maximum: the partial as it is (null over no numbers).
    Value(usize),
    /// A count distinct: the size of the set.
    Distinct(usize),
    /// An average: the sum over the count.
    Mean(usize, usize),
}

impl Finish {
    /// The same with every partial index moved `by` further.
    pub fn after(self, by: usize) -> Self {
        match self {
            Finish::Count(p) => Finish::Count(p + by),
            Finish::Value(p) => Finish::Value(p + by),
            Finish::Distinct(p) => Finish::Distinct(p + by),
            Finish::Mean(s, c) => Finish::Mean(s + by, c + by),
        }
    }
}

use crate::catalog::TableInfo;

/// What planning needs besides the spec.
#[derive(Clone, Copy, Debug)]
pub struct PlanContext<'a> {
    /// The spec's table, from the catalogue (column types and roles).
    pub table: &'a TableInfo,
    /// The tenant's IANA time zone, in which time fields are bucketed and date ranges are read.
    pub time_zone: &'a str,
    /// Today in the tenant's time zone, for relative date ranges.
    pub today: chrono::NaiveDate,
}

/// A spec turned into SQL, with the layout of the query's output.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedPivot {
    /// The query.
    pub sql: String,
    /// The Rows fields as planned, in output order (`r0`, `r1`, …).
    pub rows: Vec<PlannedField>,
    /// The Columns fields as planned (`c0`, `c1`, …).
    pub columns: Vec<PlannedField>,
    /// The Values as planned (`v0`, `v1`, …); one count of rows when the shelf is empty.
    pub values: Vec<PlannedValue>,
    /// Whether the output has the `__other` column.
    pub has_other: bool,
    /// The resolved date range (first and last day, inclusive), if the spec has one.
    pub days: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
}

/// A Rows or Columns field as planned.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedField {
    /// The output column's name (`r0`, `c1`, …).
    pub output: String,
    /// The field from the spec.
    pub field: Field,
    /// What kind of labels it has.
    pub kind: LabelKind,
}

/// The kind of a field's group labels, for formatting and sorting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelKind {
    /// Text.
    Text,
    /// Whole or decimal numbers (identifiers included).
    Number,
    /// True or false.
    Boolean,
    /// The start of a time bucket of this grain.
    Time(TimeGrain),
    /// A calendar date (a `Date32` column grouped as is).
    Date,
}

/// A value as planned.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedValue {
    /// The output column's name (`v0`, …).
    pub output: String,
    /// The value from the spec (or the implied count of rows).
    pub value: Value,
}

/// A spec that cannot be planned: names the offending part of the spec and says why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct SpecError {
    /// Where in the spec, as a path: `rows[1].column`, `filters[0].values[2]`, `top_n.n`.
    pub field: String,
    /// Why, in words a user can act on.
    pub reason: String,
}

impl SpecError {
    /// An error at `field`.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { field: field.into(), reason: reason.into() }
    }
}
