//! The pivot's one description: shelves, aggregations, filters, sort, top N and chart type.
//!
//! Everything the user sets in the pivot builder lives in [`PivotSpec`]; the URL, saved views and
//! (later) dashboard tiles hold this type and nothing else. Turning it into SQL is
//! [`super::plan`]'s job alone.

use serde::{Deserialize, Serialize};

/// A whole pivot view.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PivotSpec {
    /// The table the pivot reads (one of the catalogue's).
    pub table: String,
    /// The Rows shelf, outermost first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<Field>,
    /// The Columns shelf, outermost first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<Field>,
    /// The Values shelf. Empty means "count of rows".
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
    /// The Filters shelf; all must hold (AND).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
    /// The date range shared by the whole view, on one time column of the table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_range: Option<DateRange>,
    /// How row groups are ordered (at every level of the row hierarchy).
    #[serde(skip_serializing_if = "Sort::is_default")]
    pub sort: Sort,
    /// Keep only the first N groups of the outermost row field, by the sort.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_n: Option<TopN>,
    /// How the result is shown.
    #[serde(skip_serializing_if = "is_default")]
    pub view: ViewKind,
    /// Whether the pivot table shades cells by value.
    #[serde(skip_serializing_if = "is_default")]
    pub color_scale: bool,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// A field on the Rows or Columns shelf.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Field {
    /// The column's name.
    pub column: String,
    /// For time columns, the calendar bucket in the tenant's time zone. Required for time
    /// columns on Rows and Columns (grouping by raw instants is rarely meant), absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grain: Option<TimeGrain>,
}

impl Field {
    /// A field grouped by its plain values.
    pub fn plain(column: &str) -> Self {
        Self { column: column.to_owned(), grain: None }
    }

    /// A time field bucketed by `grain`.
    pub fn time(column: &str, grain: TimeGrain) -> Self {
        Self { column: column.to_owned(), grain: Some(grain) }
    }
}

/// A calendar bucket for time fields, in the tenant's time zone. Weeks start on Monday (ISO).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeGrain {
    /// Hour.
    Hour,
    /// Calendar day.
    Day,
    /// ISO week, starting on Monday.
    Week,
    /// Calendar month.
    Month,
    /// Calendar quarter.
    Quarter,
    /// Calendar year.
    Year,
}

impl TimeGrain {
    /// Every grain, finest first.
    pub const ALL: [TimeGrain; 6] =
        [TimeGrain::Hour, TimeGrain::Day, TimeGrain::Week, TimeGrain::Month, TimeGrain::Quarter, TimeGrain::Year];

    /// The unit name DataFusion's `date_trunc` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeGrain::Hour => "hour",
            TimeGrain::Day => "day",
            TimeGrain::Week => "week",
            TimeGrain::Month => "month",
            TimeGrain::Quarter => "quarter",
            TimeGrain::Year => "year",
        }
    }
}

/// A field on the Values shelf: an aggregation of a column, and how to show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Value {
    /// The aggregation.
    pub agg: Agg,
    /// The aggregated column; `None` only for [`Agg::Count`], meaning "rows".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Plain value or a share of a total.
    #[serde(default, skip_serializing_if = "is_default")]
    pub show_as: ShowAs,
}

impl Value {
    /// Count of rows.
    pub fn count_rows() -> Self {
        Self { agg: Agg::Count, column: None, show_as: ShowAs::Value }
    }

    /// `agg` of `column`, shown as a plain value.
    pub fn of(agg: Agg, column: &str) -> Self {
        Self { agg, column: Some(column.to_owned()), show_as: ShowAs::Value }
    }
}

/// An aggregation on the Values shelf.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Agg {
    /// Rows (or non-null values of the column).
    Count,
    /// Distinct non-null values.
    CountDistinct,
    /// Sum (numbers only).
    Sum,
    /// Mean (numbers only).
    Avg,
    /// Smallest value (numbers only).
    Min,
    /// Largest value (numbers only).
    Max,
    /// Median (numbers only), exact.
    Median,
    /// 90th percentile (numbers only), exact, by linear interpolation.
    P90,
}

impl Agg {
    /// Every aggregation, in menu order.
    pub const ALL: [Agg; 8] =
        [Agg::Count, Agg::CountDistinct, Agg::Sum, Agg::Avg, Agg::Min, Agg::Max, Agg::Median, Agg::P90];

    /// Whether the aggregation needs a numeric column.
    pub fn needs_number(self) -> bool {
        !matches!(self, Agg::Count | Agg::CountDistinct)
    }

    /// The stable name used in URLs and output column labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Agg::Count => "count",
            Agg::CountDistinct => "count_distinct",
            Agg::Sum => "sum",
            Agg::Avg => "avg",
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::Median => "median",
            Agg::P90 => "p90",
        }
    }
}

/// How a value is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShowAs {
    /// The aggregate itself.
    #[default]
    Value,
    /// The cell divided by the grand total of the same value.
    PercentOfTotal,
    /// The cell divided by its row's total (all columns).
    PercentOfRow,
    /// The cell divided by its column's total (all rows).
    PercentOfColumn,
}

/// A condition on the Filters shelf.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    /// The filtered column.
    pub column: String,
    /// The condition.
    #[serde(flatten)]
    pub op: FilterOp,
}

/// A filter condition. Values are given as text and checked against the column's type when the
/// spec is planned, so that a link with `"abc"` for a number column is refused with the field
/// named, instead of matching nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum FilterOp {
    /// The value is one of these (`None` stands for null).
    In {
        /// The accepted values.
        values: Vec<Option<String>>,
    },
    /// The value is none of these (`None` stands for null; a null value is kept unless listed).
    NotIn {
        /// The refused values.
        values: Vec<Option<String>>,
    },
    /// `min <= value <= max`; a missing bound is open. Numbers and time columns (RFC 3339 or
    /// `YYYY-MM-DD` in the tenant's time zone).
    Range {
        /// Lower bound, inclusive.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<String>,
        /// Upper bound, inclusive.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<String>,
    },
    /// The text contains this, ignoring case.
    Contains {
        /// The text to look for.
        text: String,
    },
    /// The value is null.
    IsNull,
    /// The value is not null.
    IsNotNull,
}

/// The view's date range, on one time column, in the tenant's calendar. Both ends inclusive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    /// The time column the range applies to.
    pub column: String,
    /// The days covered.
    #[serde(flatten)]
    pub span: DateSpan,
}

/// The days a date range covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DateSpan {
    /// Fixed days.
    Between {
        /// First day, inclusive.
        from: chrono::NaiveDate,
        /// Last day, inclusive.
        to: chrono::NaiveDate,
    },
    /// The last `days` days up to and including today (in the tenant's time zone), so that a
    /// saved link keeps showing recent data.
    Last {
        /// Number of days, at least 1.
        days: u32,
    },
}

impl DateSpan {
    /// The fixed days this span covers when today is `today`.
    pub fn resolve(&self, today: chrono::NaiveDate) -> (chrono::NaiveDate, chrono::NaiveDate) {
        match *self {
            DateSpan::Between { from, to } => (from, to),
            DateSpan::Last { days } => {
                let back = chrono::Days::new(u64::from(days.max(1) - 1));
                (today.checked_sub_days(back).unwrap_or(chrono::NaiveDate::MIN), today)
            }
        }
    }
}

/// How row groups are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Sort {
    /// By the group's label (time buckets chronologically, numbers numerically).
    Label {
        /// Largest first.
        descending: bool,
    },
    /// By the group's total of the value at this index of the Values shelf.
    Value {
        /// Index into [`PivotSpec::values`].
        index: usize,
        /// Largest first.
        descending: bool,
    },
}

impl Default for Sort {
    fn default() -> Self {
        Sort::Label { descending: false }
    }
}

impl Sort {
    fn is_default(&self) -> bool {
        *self == Sort::default()
    }
}

/// Keep the first `n` groups of the outermost row field (by [`PivotSpec::sort`], or by the first
/// value when sorting by label), optionally folding the rest into one "Other" group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopN {
    /// How many groups to keep, at least 1.
    pub n: u32,
    /// Whether the other groups are folded into one "Other" group (else dropped).
    #[serde(default)]
    pub other: bool,
}

/// How the pivot's result is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViewKind {
    /// The pivot table.
    #[default]
    Table,
    /// Bars side by side per category (one per column group or value).
    Bar,
    /// Bars stacked per category.
    StackedBar,
    /// Lines over the categories.
    Line,
    /// Stacked areas over the categories.
    Area,
    /// Row groups × column groups, shaded by the first value.
    Heatmap,
    /// The first two values against each other, one point per row group.
    Scatter,
}

impl ViewKind {
    /// Every view, in the switcher's order.
    pub const ALL: [ViewKind; 7] = [
        ViewKind::Table,
        ViewKind::Bar,
        ViewKind::StackedBar,
        ViewKind::Line,
        ViewKind::Area,
        ViewKind::Heatmap,
        ViewKind::Scatter,
    ];

    /// The stable name used in URLs and element ids.
    pub fn as_str(self) -> &'static str {
        match self {
            ViewKind::Table => "table",
            ViewKind::Bar => "bar",
            ViewKind::StackedBar => "stacked_bar",
            ViewKind::Line => "line",
            ViewKind::Area => "area",
            ViewKind::Heatmap => "heatmap",
            ViewKind::Scatter => "scatter",
        }
    }

    /// Whether this is a chart (anything but the table).
    pub fn is_chart(self) -> bool {
        self != ViewKind::Table
    }
}
