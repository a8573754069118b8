//! What a chart plots, taken from the pivot table: categories (row leaves), series (column leaf
//! groups, or the values without Columns fields), capped so that huge results stay fast.

use crate::PivotTable;
use crate::label::Label;
use quiver_shared::pivot::ShowAs;

/// At most this many categories are drawn (bars and heatmap rows).
pub const MAX_CATEGORIES: usize = 50;
/// At most this many points per series on line and area charts, which stay readable denser.
pub const MAX_LINE_POINTS: usize = 500;
/// At most this many series.
pub const MAX_SERIES: usize = 12;
/// At most this many points on a scatter plot.
pub const MAX_POINTS: usize = 2000;

/// Words the chart shows that come from the caller's translation table.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartLabels {
    /// For totals: "Total".
    pub total: String,
    /// For null groups: "(null)".
    pub null: String,
    /// For top N's remainder: "Other".
    pub other: String,
    /// Said when nothing is plotted: "No data".
    pub empty: String,
    /// Said when the input was cut; `{0}` shown of `{1}` categories, `{2}` of `{3}` series.
    pub truncated: String,
    /// Said when a scatter plot lacks a second value.
    pub scatter_needs_two_values: String,
}

impl Default for ChartLabels {
    fn default() -> Self {
        Self {
            total: "Total".to_owned(),
            null: "(null)".to_owned(),
            other: "Other".to_owned(),
            empty: "No data".to_owned(),
            truncated: "showing {0} of {1} categories, {2} of {3} series".to_owned(),
            scatter_needs_two_values: "A scatter plot needs two values".to_owned(),
        }
    }
}

impl ChartLabels {
    /// A label as the chart shows it.
    pub fn label(&self, label: &Label) -> String {
        match label {
            Label::Null => self.null.clone(),
            Label::Other => self.other.clone(),
            other => other.display(),
        }
    }

    fn path(&self, path: &[Label]) -> String {
        if path.is_empty() {
            return self.total.clone();
        }
        path.iter().map(|l| self.label(l)).collect::<Vec<_>>().join(" / ")
    }
}

/// One plotted series.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The legend's name for it.
    pub name: String,
    /// One per category; `None` where the cell is empty.
    pub values: Vec<Option<f64>>,
}

/// The categories and series of a chart: what a pivot's table gives, or what an analysis view
/// builds itself for [`super::draw_series`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartData {
    /// The x axis' categories, in order.
    pub categories: Vec<String>,
    /// Each category's machine key (see [`super::Hit::key`]); empty: the categories themselves.
    pub category_keys: Vec<String>,
    /// The series, each with one value per category.
    pub series: Vec<Series>,
    /// Categories before capping (for the "showing N of M" note); at least `categories.len()`.
    pub total_categories: usize,
    /// Series before capping.
    pub total_series: usize,
    /// The x axis title: the Rows fields' names.
    pub x_title: String,
    /// The y axis title: the value names (or the single value's).
    pub y_title: String,
    /// Whether values are shares (shown as percentages).
    pub percent: bool,
}

impl ChartData {
    /// A chart of these categories and series, none left out.
    pub fn new(categories: Vec<String>, series: Vec<Series>, x_title: &str, y_title: &str, percent: bool) -> Self {
        let (total_categories, total_series) = (categories.len(), series.len());
        Self {
            categories,
            category_keys: Vec::new(),
            series,
            total_categories,
            total_series,
            x_title: x_title.to_owned(),
            y_title: y_title.to_owned(),
            percent,
        }
    }

    /// Category `i`'s machine key.
    pub fn key(&self, i: usize) -> String {
        self.category_keys.get(i).unwrap_or(&self.categories[i]).clone()
    }

    /// Whether categories or series were left out.
    pub fn is_truncated(&self) -> bool {
        self.categories.len() < self.total_categories || self.series.len() < self.total_series
    }
}

/// Categories × series of the table, at most `max_categories` × [`MAX_SERIES`].
pub(crate) fn series_data(table: &PivotTable, labels: &ChartLabels, max_categories: usize) -> ChartData {
    let rows = table.row_leaves();
    let groups = table.column_group_leaves();
    let values = table.value_names.len();
    let total_series = groups.len() * values;
    let shown_rows = &rows[..rows.len().min(max_categories)];
    let mut series = Vec::new();
    'outer: for &group in &groups {
        for value in 0..values {
            if series.len() == MAX_SERIES {
                break 'outer;
            }
            let name = match (table.column_fields.is_empty(), values) {
                (true, _) => table.value_names[value].clone(),
                (false, 1) => labels.path(&table.column(group).path),
                (false, _) => format!("{} / {}", labels.path(&table.column(group).path), table.value_names[value]),
            };
            let points = shown_rows.iter().map(|&row| table.cell(row, group, value).shown).collect();
            series.push(Series { name, values: points });
        }
    }
    ChartData {
        categories: shown_rows.iter().map(|&row| labels.path(&table.row(row).path)).collect(),
        category_keys: shown_rows.iter().map(|&row| table.row_key(row)).collect(),
        series,
        total_categories: rows.len(),
        total_series,
        x_title: table.row_fields.join(" / "),
        y_title: if values == 1 { table.value_names[0].clone() } else { String::new() },
        percent: table.show_as.first().is_some_and(|s| *s != ShowAs::Value),
    }
}

/// A number for an axis tick: compact (`1.2k`, `3.4M`), or a percentage for shares.
pub fn compact(value: f64, percent: bool) -> String {
    if percent {
        return format!("{}%", trim(value * 100.0, 1));
    }
    let magnitude = value.abs();
    let (scaled, suffix) = match magnitude {
        m if m >= 1e12 => (value / 1e12, "T"),
        m if m >= 1e9 => (value / 1e9, "B"),
        m if m >= 1e6 => (value / 1e6, "M"),
        m if m >= 1e3 => (value / 1e3, "k"),
        _ => (value, ""),
    };
    format!("{}{suffix}", trim(scaled, if suffix.is_empty() && magnitude < 1.0 { 3 } else { 1 }))
}

/// A number for a tooltip: every significant digit up to two decimals (`1234.5`, `0.125`).
pub fn full(value: f64, percent: bool) -> String {
    if percent { format!("{}%", trim(value * 100.0, 2)) } else { trim(value, if value.abs() < 1.0 { 4 } else { 2 }) }
}

fn trim(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_owned() } else { text };
    if text == "-0" { "0".to_owned() } else { text }
}
