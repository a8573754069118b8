//! The shelves' edits on a [`PivotSpec`]: adding a field from the field list, moving a chip
//! between shelves or within one, removing it, each with the defaults a user expects.
//!
//! Drag and drop, the menus and the keyboard shortcuts all end here, so that the three ways of
//! building a pivot behave the same.

use quiver_shared::catalog::{ColumnInfo, ColumnRole, TableInfo};
use quiver_shared::pivot::{Agg, Field, Filter, FilterOp, PivotSpec, Sort, TimeGrain, Value};

/// One of the four shelves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Shelf {
    /// Row groups.
    Rows,
    /// Column groups.
    Columns,
    /// Aggregated values.
    Values,
    /// Conditions on the rows.
    Filters,
}

impl Shelf {
    /// Every shelf, in the order the page shows them.
    pub(crate) const ALL: [Shelf; 4] = [Shelf::Rows, Shelf::Columns, Shelf::Values, Shelf::Filters];

    /// The stable name used in element ids (`shelf-rows`) and menu actions.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Shelf::Rows => "rows",
            Shelf::Columns => "columns",
            Shelf::Values => "values",
            Shelf::Filters => "filters",
        }
    }

    /// The shelf named by [`Shelf::as_str`].
    pub(crate) fn parse(name: &str) -> Option<Shelf> {
        Shelf::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// How many chips the shelf holds.
    pub(crate) fn len(self, spec: &PivotSpec) -> usize {
        match self {
            Shelf::Rows => spec.rows.len(),
            Shelf::Columns => spec.columns.len(),
            Shelf::Values => spec.values.len(),
            Shelf::Filters => spec.filters.len(),
        }
    }
}

/// The default aggregation for a column dropped on Values: identifiers are counted distinct
/// (the number of users, not of events), measures summed, anything else counted.
pub(crate) fn default_agg(column: &ColumnInfo) -> Agg {
    match column.role {
        ColumnRole::Key => Agg::CountDistinct,
        ColumnRole::Measure if is_numeric(&column.data_type) => Agg::Sum,
        ColumnRole::Measure | ColumnRole::Dimension | ColumnRole::Time => Agg::Count,
    }
}

/// Whether an Arrow type (as the catalogue prints it) holds numbers, which sum, average and
/// percentiles need.
pub(crate) fn is_numeric(data_type: &str) -> bool {
    ["Int", "UInt", "Float", "Decimal"].iter().any(|p| data_type.starts_with(p))
}

/// The first filter a column gets: one that keeps every row until the user narrows it. Lists for
/// categories (all values ticked), ranges for numbers and time (both ends open).
fn default_filter(column: &ColumnInfo) -> FilterOp {
    match column.role {
        ColumnRole::Measure | ColumnRole::Time => FilterOp::Range { min: None, max: None },
        ColumnRole::Dimension | ColumnRole::Key => FilterOp::NotIn { values: Vec::new() },
    }
}

/// A Rows or Columns field for a column: time columns get a day grain, since grouping by raw
/// instants is rarely meant.
fn default_field(column: &str, table: &TableInfo) -> Field {
    match table.column(column) {
        Some(info) if info.role == ColumnRole::Time => Field::time(column, TimeGrain::Day),
        _ => Field::plain(column),
    }
}

/// A chip taken off a shelf, before it lands on another.
enum Taken {
    Field(Field),
    Value(Value),
    Filter(Filter),
}

impl Taken {
    /// The column the chip stands for; `None` for the count of rows.
    fn column(&self) -> Option<&str> {
        match self {
            Taken::Field(f) => Some(&f.column),
            Taken::Value(v) => v.column.as_deref(),
            Taken::Filter(f) => Some(&f.column),
        }
    }
}

/// Adds `column` from the field list to `shelf`, at `at` (clamped; the end when `None`).
///
/// A column already on Rows or Columns that is added to either moves there instead of grouping
/// by the same thing twice. Values and Filters may hold a column more than once (sum and average
/// of the same amount; two conditions).
pub(crate) fn add_field(spec: &mut PivotSpec, table: &TableInfo, column: &str, shelf: Shelf, at: Option<usize>) {
    if matches!(shelf, Shelf::Rows | Shelf::Columns) {
        let existing = [Shelf::Rows, Shelf::Columns].into_iter().find_map(|s| {
            let fields = if s == Shelf::Rows { &spec.rows } else { &spec.columns };
            fields.iter().position(|f| f.column == column).map(|i| (s, i))
        });
        if let Some((from, index)) = existing {
            move_chip(spec, table, from, index, shelf, at.unwrap_or(usize::MAX));
            return;
        }
    }
    let taken = match shelf {
        Shelf::Rows | Shelf::Columns => Taken::Field(default_field(column, table)),
        Shelf::Values => Taken::Value(value_for(column, table)),
        Shelf::Filters => Taken::Filter(filter_for(column, table)),
    };
    put(spec, taken, shelf, at.unwrap_or(usize::MAX));
}

/// Moves the chip at `index` of `from` to `to`, inserted before the chip that is at `at` now
/// (so `at` counts the chips as they are before the move, as a drop position does; past the end
/// means last). Returns false, changing nothing, when the chip cannot go there: the count of
/// rows has no column to group or filter by.
pub(crate) fn move_chip(
    spec: &mut PivotSpec,
    table: &TableInfo,
    from: Shelf,
    index: usize,
    to: Shelf,
    at: usize,
) -> bool {
    if index >= from.len(spec) {
        return false;
    }
    if from == to {
        // Inserting before the chip itself or the one after it leaves everything in place.
        let target = if at > index { at - 1 } else { at };
        let target = target.min(from.len(spec) - 1);
        if target == index {
            return false;
        }
        let taken = take(spec, from, index, true);
        put_raw(spec, taken, to, target);
        if to == Shelf::Values {
            spec.sort = match spec.sort {
                Sort::Value { index: s, descending } => {
                    Sort::Value { index: reindex_after_move(s, index, target), descending }
                }
                label => label,
            };
        }
        return true;
    }
    if from == Shelf::Values && spec.values[index].column.is_none() && to != Shelf::Values {
        return false;
    }
    let taken = take(spec, from, index, false);
    // After the removal `at` still means "before the chip that was at `at`" on the other shelf.
    let taken = convert(taken, to, table);
    put(spec, taken, to, at);
    true
}

/// Moves a chip one place left (`-1`) or right (`1`) on its shelf; returns whether it moved.
pub(crate) fn shift_chip(spec: &mut PivotSpec, table: &TableInfo, shelf: Shelf, index: usize, delta: isize) -> bool {
    let len = shelf.len(spec);
    let Some(target) = index.checked_add_signed(delta).filter(|&t| t < len) else {
        return false;
    };
    // `move_chip` counts positions before the move: right by one is "before the chip after next".
    let at = if target > index { target + 1 } else { target };
    move_chip(spec, table, shelf, index, shelf, at)
}

/// Removes the chip at `index` of `shelf` (nothing if there is none).
pub(crate) fn remove_chip(spec: &mut PivotSpec, shelf: Shelf, index: usize) {
    if index < shelf.len(spec) {
        take(spec, shelf, index, false);
    }
}

fn value_for(column: &str, table: &TableInfo) -> Value {
    let agg = table.column(column).map_or(Agg::Count, default_agg);
    Value::of(agg, column)
}

fn filter_for(column: &str, table: &TableInfo) -> Filter {
    let op = table.column(column).map_or(FilterOp::IsNotNull, default_filter);
    Filter { column: column.to_owned(), op }
}

fn convert(taken: Taken, to: Shelf, table: &TableInfo) -> Taken {
    match (taken, to) {
        (taken @ Taken::Field(_), Shelf::Rows | Shelf::Columns) => taken,
        (taken @ Taken::Value(_), Shelf::Values) => taken,
        (taken @ Taken::Filter(_), Shelf::Filters) => taken,
        (taken, shelf) => {
            // `move_chip` has refused the count of rows before it gets here.
            let column = taken.column().unwrap_or_default().to_owned();
            match shelf {
                Shelf::Rows | Shelf::Columns => Taken::Field(default_field(&column, table)),
                Shelf::Values => Taken::Value(value_for(&column, table)),
                Shelf::Filters => Taken::Filter(filter_for(&column, table)),
            }
        }
    }
}

/// Takes a chip off its shelf. Taking a value off keeps a sort by value pointing at the same
/// value, or back to sorting by label when that value goes (unless it is only being reordered).
fn take(spec: &mut PivotSpec, shelf: Shelf, index: usize, reordering: bool) -> Taken {
    match shelf {
        Shelf::Rows => Taken::Field(spec.rows.remove(index)),
        Shelf::Columns => Taken::Field(spec.columns.remove(index)),
        Shelf::Values => {
            if !reordering && let Sort::Value { index: s, descending } = spec.sort {
                spec.sort = match s.cmp(&index) {
                    std::cmp::Ordering::Less => spec.sort,
                    std::cmp::Ordering::Equal => Sort::default(),
                    std::cmp::Ordering::Greater => Sort::Value { index: s - 1, descending },
                };
            }
            Taken::Value(spec.values.remove(index))
        }
        Shelf::Filters => Taken::Filter(spec.filters.remove(index)),
    }
}

/// Puts a chip on a shelf, making room in the other of Rows/Columns first so that one column is
/// never grouped twice.
fn put(spec: &mut PivotSpec, taken: Taken, shelf: Shelf, at: usize) {
    let mut at = at;
    if let (Taken::Field(field), Shelf::Rows | Shelf::Columns) = (&taken, shelf) {
        let other = if shelf == Shelf::Rows { &mut spec.columns } else { &mut spec.rows };
        other.retain(|f| f.column != field.column);
        let same = if shelf == Shelf::Rows { &mut spec.rows } else { &mut spec.columns };
        if let Some(i) = same.iter().position(|f| f.column == field.column) {
            same.remove(i);
            if i < at {
                at -= 1;
            }
        }
    }
    if shelf == Shelf::Values
        && let Sort::Value { index, descending } = spec.sort
    {
        let at = at.min(spec.values.len());
        if index >= at {
            spec.sort = Sort::Value { index: index + 1, descending };
        }
    }
    put_raw(spec, taken, shelf, at);
}

fn put_raw(spec: &mut PivotSpec, taken: Taken, shelf: Shelf, at: usize) {
    fn insert<T>(list: &mut Vec<T>, at: usize, item: T) {
        let at = at.min(list.len());
        list.insert(at, item);
    }
    match (taken, shelf) {
        (Taken::Field(f), Shelf::Rows) => insert(&mut spec.rows, at, f),
        (Taken::Field(f), Shelf::Columns) => insert(&mut spec.columns, at, f),
        (Taken::Value(v), Shelf::Values) => insert(&mut spec.values, at, v),
        (Taken::Filter(f), Shelf::Filters) => insert(&mut spec.filters, at, f),
        // `convert` matched the chip to its shelf.
        _ => {}
    }
}

/// Where the value that was at `s` is after the value at `from` moved to `to`.
fn reindex_after_move(s: usize, from: usize, to: usize) -> usize {
    if s == from {
        to
    } else if from < s && s <= to {
        s - 1
    } else if to <= s && s < from {
        s + 1
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quiver_shared::catalog::ColumnInfo;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn events() -> TableInfo {
        let column = |name: &str, data_type: &str, role| ColumnInfo {
            name: name.to_owned(),
            data_type: data_type.to_owned(),
            nullable: true,
            role,
        };
        TableInfo {
            name: "events".to_owned(),
            columns: vec![
                column("ts", "Timestamp(µs, \"UTC\")", ColumnRole::Time),
                column("user_id", "Utf8", ColumnRole::Key),
                column("channel", "Utf8", ColumnRole::Dimension),
                column("event_name", "Utf8", ColumnRole::Dimension),
                column("price", "Float64", ColumnRole::Measure),
                column("note_len", "Utf8", ColumnRole::Measure),
            ],
            partition_keys: vec!["tenant".to_owned(), "date".to_owned()],
            rows: 0,
            bytes: 0,
            date_range: None,
        }
    }

    /// A compact picture of the shelves: `rows: a b | columns: c | values: sum(price) | filters:
    /// channel | sort: v0 desc`.
    fn shelves(spec: &PivotSpec) -> String {
        let field = |f: &Field| match f.grain {
            Some(g) => format!("{}/{}", f.column, g.as_str()),
            None => f.column.clone(),
        };
        let join = |v: Vec<String>| v.join(" ");
        let mut out = format!(
            "rows: {} | columns: {} | values: {} | filters: {}",
            join(spec.rows.iter().map(field).collect()),
            join(spec.columns.iter().map(field).collect()),
            join(
                spec.values
                    .iter()
                    .map(|v| format!("{}({})", v.agg.as_str(), v.column.as_deref().unwrap_or("*")))
                    .collect()
            ),
            join(spec.filters.iter().map(|f| f.column.clone()).collect()),
        );
        if let Sort::Value { index, descending } = spec.sort {
            out.push_str(&format!(" | sort: v{index}{}", if descending { " desc" } else { "" }));
        }
        out
    }

    /// Starts from a spec built by `setup`, applies `edit`, and compares the shelves.
    #[track_caller]
    fn check(setup: &[(&str, Shelf)], edit: impl FnOnce(&mut PivotSpec, &TableInfo), expected: &str) {
        let table = events();
        let mut spec = PivotSpec { table: "events".to_owned(), ..PivotSpec::default() };
        for (column, shelf) in setup {
            add_field(&mut spec, &table, column, *shelf, None);
        }
        edit(&mut spec, &table);
        assert_eq!(shelves(&spec), expected);
    }

    use Shelf::{Columns, Filters, Rows, Values};

    #[wasm_bindgen_test]
    fn adding_fields_uses_defaults_by_role() {
        let none = |_: &mut PivotSpec, _: &TableInfo| {};
        check(&[("user_id", Values)], none, "rows:  | columns:  | values: count_distinct(user_id) | filters: ");
        check(&[("price", Values)], none, "rows:  | columns:  | values: sum(price) | filters: ");
        // A "measure" stored as text cannot be summed.
        check(&[("note_len", Values)], none, "rows:  | columns:  | values: count(note_len) | filters: ");
        check(&[("channel", Values)], none, "rows:  | columns:  | values: count(channel) | filters: ");
        check(&[("ts", Rows)], none, "rows: ts/day | columns:  | values:  | filters: ");
        check(&[("ts", Columns), ("channel", Rows)], none, "rows: channel | columns: ts/day | values:  | filters: ");
        check(&[("channel", Filters)], none, "rows:  | columns:  | values:  | filters: channel");
        // Values may repeat a column; Rows and Columns may not.
        check(
            &[("price", Values), ("price", Values)],
            none,
            "rows:  | columns:  | values: sum(price) sum(price) | filters: ",
        );
        check(&[("channel", Rows), ("channel", Columns)], none, "rows:  | columns: channel | values:  | filters: ");
        check(&[("channel", Rows), ("channel", Rows)], none, "rows: channel | columns:  | values:  | filters: ");
    }

    #[wasm_bindgen_test]
    fn default_filters_keep_every_row() {
        let table = events();
        let mut spec = PivotSpec::default();
        for column in ["channel", "price", "ts", "user_id"] {
            add_field(&mut spec, &table, column, Filters, None);
        }
        let ops: Vec<FilterOp> = spec.filters.into_iter().map(|f| f.op).collect();
        let open = FilterOp::Range { min: None, max: None };
        let all = FilterOp::NotIn { values: Vec::new() };
        assert_eq!(ops, vec![all.clone(), open.clone(), open, all]);
    }

    #[wasm_bindgen_test]
    fn chips_reorder_within_a_shelf() {
        let abc = &[("channel", Rows), ("event_name", Rows), ("user_id", Rows)];
        let row = |s: &str| format!("rows: {s} | columns:  | values:  | filters: ");
        check(abc, |s, t| assert!(move_chip(s, t, Rows, 0, Rows, 3)), &row("event_name user_id channel"));
        check(abc, |s, t| assert!(move_chip(s, t, Rows, 0, Rows, 2)), &row("event_name channel user_id"));
        check(abc, |s, t| assert!(move_chip(s, t, Rows, 2, Rows, 0)), &row("user_id channel event_name"));
        // Dropping a chip next to itself changes nothing.
        check(abc, |s, t| assert!(!move_chip(s, t, Rows, 1, Rows, 1)), &row("channel event_name user_id"));
        check(abc, |s, t| assert!(!move_chip(s, t, Rows, 1, Rows, 2)), &row("channel event_name user_id"));
        check(abc, |s, t| assert!(shift_chip(s, t, Rows, 1, 1)), &row("channel user_id event_name"));
        check(abc, |s, t| assert!(shift_chip(s, t, Rows, 1, -1)), &row("event_name channel user_id"));
        check(abc, |s, t| assert!(!shift_chip(s, t, Rows, 0, -1)), &row("channel event_name user_id"));
        check(abc, |s, t| assert!(!shift_chip(s, t, Rows, 2, 1)), &row("channel event_name user_id"));
    }

    #[wasm_bindgen_test]
    fn chips_move_between_shelves_and_change_kind() {
        let setup = &[("channel", Rows), ("ts", Rows), ("user_id", Values)];
        check(
            setup,
            |s, t| assert!(move_chip(s, t, Rows, 1, Columns, 0)),
            "rows: channel | columns: ts/day | values: count_distinct(user_id) | filters: ",
        );
        check(
            setup,
            |s, t| assert!(move_chip(s, t, Values, 0, Rows, 1)),
            "rows: channel user_id ts/day | columns:  | values:  | filters: ",
        );
        check(
            setup,
            |s, t| assert!(move_chip(s, t, Rows, 0, Filters, 0)),
            "rows: ts/day | columns:  | values: count_distinct(user_id) | filters: channel",
        );
        check(
            setup,
            |s, t| assert!(move_chip(s, t, Rows, 0, Values, 0)),
            "rows: ts/day | columns:  | values: count(channel) count_distinct(user_id) | filters: ",
        );
        // The grain chosen on Rows survives a move to Columns.
        check(
            setup,
            |s, t| {
                s.rows[1].grain = Some(TimeGrain::Month);
                assert!(move_chip(s, t, Rows, 1, Columns, 0));
            },
            "rows: channel | columns: ts/month | values: count_distinct(user_id) | filters: ",
        );
        // The count of rows has no column to group by.
        check(
            &[],
            |s, t| {
                s.values.push(Value::count_rows());
                assert!(!move_chip(s, t, Values, 0, Rows, 0));
            },
            "rows:  | columns:  | values: count(*) | filters: ",
        );
        check(
            setup,
            |s, _| remove_chip(s, Rows, 0),
            "rows: ts/day | columns:  | values: count_distinct(user_id) | filters: ",
        );
        check(
            setup,
            |s, _| remove_chip(s, Rows, 5),
            "rows: channel ts/day | columns:  | values: count_distinct(user_id) | filters: ",
        );
    }

    #[wasm_bindgen_test]
    fn a_sort_by_value_follows_its_value() {
        let setup = &[("price", Values), ("user_id", Values), ("channel", Values)];
        let sorted = |index| move |s: &mut PivotSpec| s.sort = Sort::Value { index, descending: true };
        let v = "sum(price) count_distinct(user_id) count(channel)";
        check(setup, |s, _| sorted(1)(s), &format!("rows:  | columns:  | values: {v} | filters:  | sort: v1 desc"));
        check(
            setup,
            |s, t| {
                sorted(1)(s);
                move_chip(s, t, Values, 1, Values, 0);
            },
            "rows:  | columns:  | values: count_distinct(user_id) sum(price) count(channel) | filters:  | sort: v0 desc",
        );
        check(
            setup,
            |s, t| {
                sorted(1)(s);
                move_chip(s, t, Values, 0, Values, 3);
            },
            "rows:  | columns:  | values: count_distinct(user_id) count(channel) sum(price) | filters:  | sort: v0 desc",
        );
        check(
            setup,
            |s, _| {
                sorted(1)(s);
                remove_chip(s, Values, 0);
            },
            "rows:  | columns:  | values: count_distinct(user_id) count(channel) | filters:  | sort: v0 desc",
        );
        // Removing the sorted value falls back to sorting by label.
        check(
            setup,
            |s, _| {
                sorted(1)(s);
                remove_chip(s, Values, 1);
            },
            "rows:  | columns:  | values: sum(price) count(channel) | filters: ",
        );
        check(
            setup,
            |s, t| {
                sorted(1)(s);
                add_field(s, t, "price", Values, Some(0));
            },
            &format!("rows:  | columns:  | values: sum(price) {v} | filters:  | sort: v2 desc"),
        );
        check(
            setup,
            |s, t| {
                sorted(1)(s);
                move_chip(s, t, Values, 2, Rows, 0);
            },
            "rows: channel | columns:  | values: sum(price) count_distinct(user_id) | filters:  | sort: v1 desc",
        );
    }
}
