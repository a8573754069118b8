//! [`PivotTable`]: the row and column header trees and the cells, read from the planned query's
//! output without aggregating anything again.

use crate::label::{Label, LabelReader};
use crate::shape::ShapeError;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use foldhash::{HashMap, HashMapExt};
use quiver_shared::pivot::{Field, PivotSpec, PlannedPivot, PlannedValue, ShowAs, Sort};
use std::cmp::Ordering;
use std::collections::HashSet;
use std::sync::Arc;

/// Index of a node in one of the header trees. Node 0 is the grand total.
pub type NodeId = usize;

/// A row group's labels, outermost first: how collapsed groups are remembered (node ids change
/// when the sort changes; labels do not).
pub type RowPath = Vec<Label>;

/// The label used in element attributes and keys for a total (a subtotal or the grand total).
pub const TOTAL_KEY: &str = "__total__";

/// The separator between labels in row and column keys (ASCII unit separator: never in labels
/// a user would type).
pub const KEY_SEPARATOR: char = '\u{1f}';

/// A row or column group.
#[derive(Clone, Debug, PartialEq)]
pub struct HeaderNode {
    /// Its labels, outermost first; empty for the grand total.
    pub path: Vec<Label>,
    /// The enclosing group; `None` for the grand total.
    pub parent: Option<NodeId>,
    /// The groups inside it, in display order.
    pub children: Vec<NodeId>,
}

impl HeaderNode {
    /// How many fields the group is grouped by (0 for the grand total).
    pub fn depth(&self) -> usize {
        self.path.len()
    }

    /// Its own (innermost) label; `None` for the grand total.
    pub fn label(&self) -> Option<&Label> {
        self.path.last()
    }
}

/// One data column of the table: a column group and one of the values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnLeaf {
    /// The column group (a leaf, a column subtotal or the grand total).
    pub node: NodeId,
    /// Index into the values.
    pub value: usize,
}

/// A row as shown, given which groups are collapsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VisibleRow {
    /// The row group.
    pub node: NodeId,
    /// Its depth (0 for the grand total).
    pub depth: usize,
    /// Whether it has groups inside (and so a toggle).
    pub expandable: bool,
    /// Whether those are hidden.
    pub collapsed: bool,
}

/// A cell's numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cell {
    /// The aggregate from the query.
    pub raw: Option<f64>,
    /// What is shown: the aggregate, or its share of a total per the value's [`ShowAs`] (a
    /// fraction, 0.25 for 25 %).
    pub shown: Option<f64>,
}

/// What one cell of a column header row shows.
#[derive(Clone, Debug, PartialEq)]
pub enum HeaderText {
    /// A column group's label.
    Label(Label),
    /// "Total": a column subtotal at this level, or the grand total at the top level.
    Total,
    /// Nothing: below a total.
    Blank,
}

/// A cell of a column header row, spanning `columns` consecutive column groups (each as wide as
/// the number of values).
#[derive(Clone, Debug, PartialEq)]
pub struct HeaderSpan {
    /// What it shows.
    pub text: HeaderText,
    /// How many column groups it spans.
    pub columns: usize,
}

/// The query output shaped as a pivot table.
#[derive(Clone, Debug, PartialEq)]
pub struct PivotTable {
    /// The Rows fields' names (`channel`, `created_at (month)`).
    pub row_fields: Vec<String>,
    /// The Columns fields' names.
    pub column_fields: Vec<String>,
    /// The values' names (`count_distinct(user_id)`, `count(*)`).
    pub value_names: Vec<String>,
    /// How each value is shown.
    pub show_as: Vec<ShowAs>,
    // The header trees and the cells' positions are shared with the tables refreshed from this
    // one (`PivotTable::with_numbers`): a live refresh that adds no group changes only numbers.
    rows: Arc<Vec<HeaderNode>>,
    columns: Arc<Vec<HeaderNode>>,
    row_order: Vec<NodeId>,
    column_order: Vec<NodeId>,
    cells: Arc<HashMap<(NodeId, NodeId), usize>>,
    numbers: Vec<Option<f64>>,
    ranges: Vec<Option<(f64, f64)>>,
}

/// The name of a Rows or Columns field: the column, and its grain for time fields.
pub(crate) fn field_name(field: &Field) -> String {
    match field.grain {
        Some(grain) => format!("{} ({})", field.column, grain.as_str()),
        None => field.column.clone(),
    }
}

/// The name of a value: `count_distinct(user_id)`, `count(*)` for a count of rows.
pub(crate) fn value_name(value: &PlannedValue) -> String {
    let column = value.value.column.as_deref().unwrap_or("*");
    format!("{}({column})", value.value.agg.as_str())
}

impl PivotTable {
    pub(crate) fn build(
        spec: &PivotSpec,
        plan: &PlannedPivot,
        schema: &SchemaRef,
        batches: &[RecordBatch],
    ) -> Result<Self, ShapeError> {
        let show_as: Vec<ShowAs> =
            (0..plan.values.len()).map(|k| spec.values.get(k).map(|v| v.show_as).unwrap_or_default()).collect();
        if let Sort::Value { index, .. } = spec.sort
            && index >= plan.values.len()
        {
            return Err(ShapeError::Spec {
                field: "sort.index".to_owned(),
                reason: format!("index {index}, but only {} value(s) are planned", plan.values.len()),
            });
        }
        let mut table = PivotTable {
            row_fields: plan.rows.iter().map(|f| field_name(&f.field)).collect(),
            column_fields: plan.columns.iter().map(|f| field_name(&f.field)).collect(),
            value_names: plan
                .values
                .iter()
                .zip(&show_as)
                .map(|(v, show)| match show {
                    ShowAs::Value => value_name(v),
                    ShowAs::PercentOfTotal => format!("{} (% of total)", value_name(v)),
                    ShowAs::PercentOfRow => format!("{} (% of row)", value_name(v)),
                    ShowAs::PercentOfColumn => format!("{} (% of column)", value_name(v)),
                })
                .collect(),
            show_as,
            rows: Arc::new(vec![root()]),
            columns: Arc::new(vec![root()]),
            row_order: Vec::new(),
            column_order: Vec::new(),
            cells: Arc::new(HashMap::new()),
            numbers: Vec::new(),
            ranges: Vec::new(),
        };
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        Arc::make_mut(&mut table.cells).reserve(rows);
        table.numbers.reserve(rows * plan.values.len());
        Arc::make_mut(&mut table.rows).reserve(rows);
        let mut row_index = Children::new();
        let mut column_index = Children::new();
        for batch in batches {
            table.read_batch(plan, schema, batch, &mut row_index, &mut column_index)?;
        }
        table.sort(spec.sort);
        table.row_order = table.visible_rows(&HashSet::new()).into_iter().map(|r| r.node).collect();
        let mut order = Vec::new();
        post_order(&table.columns, 0, &mut order);
        table.column_order = order;
        table.ranges = (0..plan.values.len()).map(|k| table.compute_range(k)).collect();
        Ok(table)
    }

    /// This table with the numbers of `batches`, an output of the same plan for the same groups
    /// in the same order (a live refresh that added none): the header trees and the cells'
    /// positions are shared, and only the numbers, a sort by value and the colour ranges are
    /// computed again.
    pub(crate) fn with_numbers(
        &self,
        spec: &PivotSpec,
        plan: &PlannedPivot,
        schema: &SchemaRef,
        batches: &[RecordBatch],
    ) -> Result<Self, ShapeError> {
        let mut table = PivotTable { numbers: Vec::with_capacity(self.numbers.len()), ..self.clone() };
        for batch in batches {
            let values = plan
                .values
                .iter()
                .map(|v| {
                    let array = schema.index_of(&v.output).ok().and_then(|i| batch.columns().get(i));
                    array.and_then(|a| a.as_primitive_opt::<Float64Type>()).ok_or_else(|| ShapeError::WrongType {
                        column: v.output.clone(),
                        expected: "Float64".to_owned(),
                        found: array.map_or_else(String::new, |a| a.data_type().to_string()),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            for i in 0..batch.num_rows() {
                table.numbers.extend(values.iter().map(|v| v.is_valid(i).then(|| v.value(i))));
            }
        }
        if table.numbers.len() != self.numbers.len() {
            return Err(ShapeError::Spec {
                field: "batches".to_owned(),
                reason: format!("{} numbers for {} cells", table.numbers.len(), self.numbers.len()),
            });
        }
        if let Sort::Value { .. } = spec.sort {
            table.sort(spec.sort);
            table.row_order = table.visible_rows(&HashSet::new()).into_iter().map(|r| r.node).collect();
        }
        table.ranges = (0..plan.values.len()).map(|k| table.compute_range(k)).collect();
        Ok(table)
    }

    fn read_batch(
        &mut self,
        plan: &PlannedPivot,
        schema: &SchemaRef,
        batch: &RecordBatch,
        row_index: &mut Children,
        column_index: &mut Children,
    ) -> Result<(), ShapeError> {
        let column = |name: &str| {
            schema
                .index_of(name)
                .ok()
                .and_then(|i| batch.columns().get(i))
                .ok_or_else(|| ShapeError::MissingColumn { column: name.to_owned() })
        };
        let wrong = |name: &str, expected: &str, found: &DataType| ShapeError::WrongType {
            column: name.to_owned(),
            expected: expected.to_owned(),
            found: found.to_string(),
        };
        let depth = |name: &str| {
            let array = column(name)?;
            array.as_primitive_opt::<Int32Type>().ok_or_else(|| wrong(name, "Int32", array.data_type()))
        };
        let row_depth = depth("__row_depth")?;
        let column_depth = depth("__col_depth")?;
        let other = match plan.has_other {
            true => {
                let array = column("__other")?;
                Some(array.as_boolean_opt().ok_or_else(|| wrong("__other", "Boolean", array.data_type()))?)
            }
            false => None,
        };
        let readers = |fields: &[quiver_shared::pivot::PlannedField]| {
            fields
                .iter()
                .map(|f| LabelReader::new(&f.output, column(&f.output)?, f.kind))
                .collect::<Result<Vec<_>, _>>()
        };
        let row_readers = readers(&plan.rows)?;
        let column_readers = readers(&plan.columns)?;
        let values = plan
            .values
            .iter()
            .map(|v| {
                let array = column(&v.output)?;
                array.as_primitive_opt::<Float64Type>().ok_or_else(|| wrong(&v.output, "Float64", array.data_type()))
            })
            .collect::<Result<Vec<_>, _>>()?;

        for i in 0..batch.num_rows() {
            let read_depth = |array: &arrow_array::Int32Array, name: &str, max: usize| {
                let depth = if array.is_null(i) { -1 } else { i64::from(array.value(i)) };
                usize::try_from(depth).ok().filter(|d| *d <= max).ok_or_else(|| ShapeError::BadDepth {
                    column: name.to_owned(),
                    depth,
                    max,
                })
            };
            let rd = read_depth(row_depth, "__row_depth", row_readers.len())?;
            let cd = read_depth(column_depth, "__col_depth", column_readers.len())?;
            let is_other = other.is_some_and(|o| o.is_valid(i) && o.value(i));
            let row_path: Vec<Label> =
                (0..rd).map(|f| if f == 0 && is_other { Label::Other } else { row_readers[f].get(i) }).collect();
            let column_path: Vec<Label> = (0..cd).map(|f| column_readers[f].get(i)).collect();
            let row = insert(Arc::make_mut(&mut self.rows), row_index, &row_path);
            let col = insert(Arc::make_mut(&mut self.columns), column_index, &column_path);
            if self.cells.contains_key(&(row, col)) {
                return Err(ShapeError::Duplicate { row: join_display(&row_path), column: join_display(&column_path) });
            }
            Arc::make_mut(&mut self.cells).insert((row, col), self.numbers.len());
            self.numbers.extend(values.iter().map(|v| v.is_valid(i).then(|| v.value(i))));
        }
        Ok(())
    }

    /// Orders every level of the row tree per `sort` ("Other" last), and the column tree by label.
    fn sort(&mut self, sort: Sort) {
        let total_column = 0;
        for id in 0..self.rows.len() {
            let mut children = std::mem::take(&mut Arc::make_mut(&mut self.rows)[id].children);
            children.sort_by(|&a, &b| {
                let (la, lb) = (self.rows[a].label(), self.rows[b].label());
                let other = |l: Option<&Label>| matches!(l, Some(Label::Other));
                other(la).cmp(&other(lb)).then_with(|| {
                    let by_label = || match (la, lb) {
                        (Some(la), Some(lb)) => la.cmp_for_sort(lb, matches!(sort, Sort::Label { descending: true })),
                        _ => Ordering::Equal,
                    };
                    match sort {
                        Sort::Label { .. } => by_label(),
                        Sort::Value { index, descending } => {
                            let va = self.raw(a, total_column, index);
                            let vb = self.raw(b, total_column, index);
                            compare_values(va, vb, descending).then_with(by_label)
                        }
                    }
                })
            });
            Arc::make_mut(&mut self.rows)[id].children = children;
        }
        for id in 0..self.columns.len() {
            let mut children = std::mem::take(&mut Arc::make_mut(&mut self.columns)[id].children);
            children.sort_by(|&a, &b| match (self.columns[a].label(), self.columns[b].label()) {
                (Some(la), Some(lb)) => la.cmp_for_sort(lb, false),
                _ => Ordering::Equal,
            });
            Arc::make_mut(&mut self.columns)[id].children = children;
        }
    }

    fn compute_range(&self, value: usize) -> Option<(f64, f64)> {
        let (r, c) = (self.row_fields.len(), self.column_fields.len());
        let as_is = matches!(self.show_as.get(value), None | Some(ShowAs::Value));
        let mut range: Option<(f64, f64)> = None;
        for (&(row, col), &start) in self.cells.iter() {
            if self.rows[row].depth() != r || self.columns[col].depth() != c {
                continue;
            }
            let shown = if as_is { self.numbers[start + value] } else { self.cell(row, col, value).shown };
            if let Some(v) = shown.filter(|v| v.is_finite()) {
                range = Some(range.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
            }
        }
        range
    }

    fn raw(&self, row: NodeId, col: NodeId, value: usize) -> Option<f64> {
        let start = *self.cells.get(&(row, col))?;
        self.numbers.get(start + value).copied().flatten()
    }

    /// The row group `id`.
    pub fn row(&self, id: NodeId) -> &HeaderNode {
        &self.rows[id]
    }

    /// The column group `id`.
    pub fn column(&self, id: NodeId) -> &HeaderNode {
        &self.columns[id]
    }

    /// Every row group in display order with nothing collapsed: each group before the groups
    /// inside it (its row shows its subtotal), the grand total last.
    pub fn rows_in_order(&self) -> &[NodeId] {
        &self.row_order
    }

    /// The row groups at the innermost level (every Rows field), in display order; the grand
    /// total alone when the Rows shelf is empty.
    pub fn row_leaves(&self) -> Vec<NodeId> {
        let depth = self.row_fields.len();
        self.row_order.iter().copied().filter(|&id| self.rows[id].depth() == depth).collect()
    }

    /// The rows shown when the groups at `collapsed` are collapsed (their inner groups hidden).
    pub fn visible_rows(&self, collapsed: &HashSet<RowPath>) -> Vec<VisibleRow> {
        fn walk(table: &PivotTable, id: NodeId, collapsed: &HashSet<RowPath>, out: &mut Vec<VisibleRow>) {
            for &child in &table.rows[id].children {
                let node = &table.rows[child];
                let expandable = !node.children.is_empty();
                let is_collapsed = expandable && collapsed.contains(&node.path);
                out.push(VisibleRow { node: child, depth: node.depth(), expandable, collapsed: is_collapsed });
                if expandable && !is_collapsed {
                    walk(table, child, collapsed, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(self, 0, collapsed, &mut out);
        out.push(VisibleRow { node: 0, depth: 0, expandable: false, collapsed: false });
        out
    }

    /// The column groups in display order: each group after the groups inside it (its column
    /// shows its subtotal), the grand total last. Just the grand total with no Columns fields.
    pub fn column_groups(&self) -> &[NodeId] {
        &self.column_order
    }

    /// The column groups at the innermost level (every Columns field), in display order; the
    /// grand total alone when the Columns shelf is empty.
    pub fn column_group_leaves(&self) -> Vec<NodeId> {
        let depth = self.column_fields.len();
        self.column_order.iter().copied().filter(|&id| self.columns[id].depth() == depth).collect()
    }

    /// The table's data columns in display order: every column group × every value.
    pub fn column_leaves(&self) -> Vec<ColumnLeaf> {
        let values = self.value_names.len();
        self.column_order.iter().flat_map(|&node| (0..values).map(move |value| ColumnLeaf { node, value })).collect()
    }

    /// The column header rows, outermost field first (none when the Columns shelf is empty).
    pub fn column_header_rows(&self) -> Vec<Vec<HeaderSpan>> {
        (0..self.column_fields.len())
            .map(|level| {
                let mut spans: Vec<(Option<&[Label]>, HeaderSpan)> = Vec::new();
                for &id in &self.column_order {
                    let path = &self.columns[id].path;
                    let (key, text) = match path.len().cmp(&level) {
                        Ordering::Greater => (Some(&path[..=level]), HeaderText::Label(path[level].clone())),
                        Ordering::Equal => (None, HeaderText::Total),
                        Ordering::Less => (None, HeaderText::Blank),
                    };
                    match spans.last_mut() {
                        Some((last, span)) if key.is_some() && *last == key => span.columns += 1,
                        _ => spans.push((key, HeaderSpan { text, columns: 1 })),
                    }
                }
                spans.into_iter().map(|(_, span)| span).collect()
            })
            .collect()
    }

    /// The numbers at row group `row`, column group `col`, value `value`.
    pub fn cell(&self, row: NodeId, col: NodeId, value: usize) -> Cell {
        let raw = self.raw(row, col, value);
        let denominator = match self.show_as.get(value) {
            None | Some(ShowAs::Value) => return Cell { raw, shown: raw },
            Some(ShowAs::PercentOfTotal) => self.raw(0, 0, value),
            Some(ShowAs::PercentOfRow) => self.raw(row, 0, value),
            Some(ShowAs::PercentOfColumn) => self.raw(0, col, value),
        };
        let shown = match (raw, denominator) {
            (Some(v), Some(d)) if d != 0.0 => Some(v / d),
            _ => None,
        };
        Cell { raw, shown }
    }

    /// The smallest and largest shown value of `value` over the body cells (innermost row group
    /// × innermost column group), for the colour scale; `None` when there is no number.
    pub fn value_range(&self, value: usize) -> Option<(f64, f64)> {
        self.ranges.get(value).copied().flatten()
    }

    /// Whether the row group is a total (a subtotal, or the grand total).
    pub fn is_row_total(&self, row: NodeId) -> bool {
        row == 0 || self.rows[row].depth() < self.row_fields.len()
    }

    /// Whether the column group is a total (a subtotal, or the grand total).
    pub fn is_column_total(&self, col: NodeId) -> bool {
        col == 0 || self.columns[col].depth() < self.column_fields.len()
    }

    /// The row group's key: raw labels joined by [`KEY_SEPARATOR`], ending in [`TOTAL_KEY`] for
    /// totals (`web␟__total__`, `__total__` for the grand total).
    pub fn row_key(&self, row: NodeId) -> String {
        key(&self.rows[row].path, self.is_row_total(row))
    }

    /// The column group's key, as [`PivotTable::row_key`].
    pub fn column_key(&self, col: NodeId) -> String {
        key(&self.columns[col].path, self.is_column_total(col))
    }

    /// The number of row groups (every level, totals included).
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }
}

fn root() -> HeaderNode {
    HeaderNode { path: Vec::new(), parent: None, children: Vec::new() }
}

/// Each header node's children by their label (looked up without copying the label).
type Children = Vec<HashMap<Label, NodeId>>;

fn insert(nodes: &mut Vec<HeaderNode>, index: &mut Children, path: &[Label]) -> NodeId {
    let mut id = 0;
    for (depth, label) in path.iter().enumerate() {
        if index.len() <= id {
            index.resize_with(id + 1, HashMap::new);
        }
        id = match index[id].get(label) {
            Some(&child) => child,
            None => {
                let child = nodes.len();
                nodes.push(HeaderNode { path: path[..=depth].to_vec(), parent: Some(id), children: Vec::new() });
                nodes[id].children.push(child);
                index[id].insert(label.clone(), child);
                child
            }
        };
    }
    id
}

fn post_order(nodes: &[HeaderNode], id: NodeId, out: &mut Vec<NodeId>) {
    for &child in &nodes[id].children {
        post_order(nodes, child, out);
    }
    out.push(id);
}

/// Value order for a sort: numbers first (ascending or descending), missing values last.
fn compare_values(a: Option<f64>, b: Option<f64>, descending: bool) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => {
            let ord = a.total_cmp(&b);
            if descending { ord.reverse() } else { ord }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn key(path: &[Label], total: bool) -> String {
    let mut parts: Vec<String> = path.iter().map(Label::raw).collect();
    if total {
        parts.push(TOTAL_KEY.to_owned());
    }
    parts.join(&KEY_SEPARATOR.to_string())
}

fn join_display(path: &[Label]) -> String {
    if path.is_empty() {
        return "(total)".to_owned();
    }
    path.iter().map(Label::display).collect::<Vec<_>>().join(" / ")
}
