//! Shaping: header trees, subtotals and totals from the query, sorting, shares, collapsing.

use super::{output, render, spec, try_output};
use crate::label::Label;
use crate::table::{HeaderSpan, HeaderText};
use arrow_array::{ArrayRef, Float64Array, Int32Array, Int64Array, RecordBatch, TimestampMicrosecondArray};
use arrow_schema::{DataType, Field as ArrowField, Schema, TimeUnit};
use insta::assert_snapshot;
use quiver_shared::pivot::{
    Agg, Field, LabelKind, PivotSpec, PlannedField, PlannedPivot, PlannedValue, ShowAs, Sort, TimeGrain, Value,
};
use std::collections::HashSet;
use std::sync::Arc;

/// The rendered table, or the shaping error.
fn check(spec: PivotSpec, lines: &[&str]) -> String {
    match try_output(spec, lines) {
        Ok(output) => render(&output.table),
        Err(error) => format!("error: {error}"),
    }
}

fn count() -> Vec<Value> {
    vec![Value::count_rows()]
}

/// Rows `channel` and `country`, Columns `device`, a count distinct whose subtotals are smaller
/// than the sum of their parts (users on several devices): they must come from the query.
const TWO_BY_ONE: &[&str] = &[
    "web/us | desktop | 5",
    "web/us | mobile  | 4",
    "web/us |         | 7",
    "web/cn | desktop | 2",
    "web/cn |         | 2",
    "web    | desktop | 7",
    "web    | mobile  | 4",
    "web    |         | 9",
    "app/us | mobile  | 3",
    "app/us |         | 3",
    "app    | mobile  | 3",
    "app    |         | 3",
    "       | desktop | 7",
    "       | mobile  | 6",
    "       |         | 11",
];

fn distinct_users() -> Vec<Value> {
    vec![Value::of(Agg::CountDistinct, "user_id")]
}

#[test]
fn count_of_rows_without_fields_is_one_total() {
    assert_snapshot!(check(spec(&[], &[], vec![]), &["| | 42"]), @r"
    count(*)
          42
    ");
}

#[test]
fn one_row_field_sorts_by_label_with_null_last_and_total_at_the_bottom() {
    assert_snapshot!(check(spec(&["channel"], &[], count()), &["web||3", "~||1", "app||2", "||6"]), @r"
        channel | count(*)
        app     |        2
        web     |        3
        (null)  |        1
        Total   |        6
        ");
}

#[test]
fn subtotals_and_totals_are_read_from_the_query_not_summed() {
    assert_snapshot!(check(spec(&["channel", "country"], &["device"], distinct_users()), TWO_BY_ONE), @r"
        channel | country | desktop / count_distinct(user_id) | mobile / count_distinct(user_id) | Total / count_distinct(user_id)
        app     | Total   |                                   |                                3 |                               3
        app     | us      |                                   |                                3 |                               3
        web     | Total   |                                 7 |                                4 |                               9
        web     | cn      |                                 2 |                                  |                               2
        web     | us      |                                 5 |                                4 |                               7
        Total   |         |                                 7 |                                6 |                              11
        ");
}

#[test]
fn sorting_by_a_value_orders_every_level_by_its_total() {
    let spec = PivotSpec {
        sort: Sort::Value { index: 0, descending: true },
        ..spec(&["channel", "country"], &["device"], distinct_users())
    };
    assert_snapshot!(check(spec, TWO_BY_ONE), @r"
        channel | country | desktop / count_distinct(user_id) | mobile / count_distinct(user_id) | Total / count_distinct(user_id)
        web     | Total   |                                 7 |                                4 |                               9
        web     | us      |                                 5 |                                4 |                               7
        web     | cn      |                                 2 |                                  |                               2
        app     | Total   |                                   |                                3 |                               3
        app     | us      |                                   |                                3 |                               3
        Total   |         |                                 7 |                                6 |                              11
        ");
}

#[test]
fn label_sort_descending_keeps_null_and_other_last() {
    let spec = PivotSpec { sort: Sort::Label { descending: true }, ..spec(&["channel"], &[], count()) };
    assert_snapshot!(check(spec, &["a||1", "*||5", "~||2", "b||3", "||11"]), @r"
        channel | count(*)
        b       |        3
        a       |        1
        (null)  |        2
        Other   |        5
        Total   |       11
        ");
}

#[test]
fn shares_divide_by_the_total_the_row_or_the_column() {
    let values = [ShowAs::Value, ShowAs::PercentOfTotal, ShowAs::PercentOfRow, ShowAs::PercentOfColumn]
        .map(|show_as| Value { show_as, ..Value::of(Agg::Sum, "amount") })
        .to_vec();
    let lines = [
        "a|x|1,1,1,1",
        "a|y|3,3,3,3",
        "a||4,4,4,4",
        "b|x|4,4,4,4",
        "b||4,4,4,4",
        "|x|5,5,5,5",
        "|y|3,3,3,3",
        "||8,8,8,8",
    ];
    assert_snapshot!(check(spec(&["k"], &["c"], values), &lines), @r"
        k     | x / sum(amount) | x / sum(amount) (% of total) | x / sum(amount) (% of row) | x / sum(amount) (% of column) | y / sum(amount) | y / sum(amount) (% of total) | y / sum(amount) (% of row) | y / sum(amount) (% of column) | Total / sum(amount) | Total / sum(amount) (% of total) | Total / sum(amount) (% of row) | Total / sum(amount) (% of column)
        a     |               1 |                        0.125 |                       0.25 |                           0.2 |               3 |                        0.375 |                       0.75 |                             1 |                   4 |                              0.5 |                              1 |                               0.5
        b     |               4 |                          0.5 |                          1 |                           0.8 |                 |                              |                            |                               |                   4 |                              0.5 |                              1 |                               0.5
        Total |               5 |                        0.625 |                      0.625 |                             1 |               3 |                        0.375 |                      0.375 |                             1 |                   8 |                                1 |                              1 |                                 1
        ");
}

#[test]
fn missing_values_and_a_zero_total_leave_cells_empty() {
    assert_snapshot!(check(spec(&["k"], &[], vec![Value { show_as: ShowAs::PercentOfTotal, ..Value::of(Agg::Avg, "x") }]), &["a||-", "b||0", "||0"]), @r"
        k     | avg(x) (% of total)
        a     |
        b     |
        Total |
        ");
}

#[test]
fn output_that_breaks_the_contract_is_refused_with_the_column_named() {
    assert_snapshot!(check(spec(&["k"], &[], count()), &["a||1", "a||2", "||3"]), @r"
        error: query output: two rows for row group `a` and column group `(total)`
        ");
    assert_snapshot!(check(PivotSpec { sort: Sort::Value { index: 3, descending: false }, ..spec(&["k"], &[], count()) }, &["||3"]), @r"
        error: sort.index: index 3, but only 1 value(s) are planned
        ");
}

#[test]
fn column_headers_span_their_groups_with_subtotals_after_them() {
    let out = output(spec(&[], &["a", "b"], count()), &["|x/1|1", "|x/2|2", "|x|3", "|y/1|4", "|y|4", "||7"]);
    let show = |spans: &Vec<HeaderSpan>| {
        spans
            .iter()
            .map(|s| {
                let text = match &s.text {
                    HeaderText::Label(l) => l.display(),
                    HeaderText::Total => "Total".to_owned(),
                    HeaderText::Blank => String::new(),
                };
                format!("{text}×{}", s.columns)
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let rows: Vec<String> = out.table.column_header_rows().iter().map(show).collect();
    assert_snapshot!(rows.join("\n"), @r"
        x×3 y×2 Total×1
        1×1 2×1 Total×1 1×1 Total×1 ×1
        ");
    assert_snapshot!(render(&out.table), @r"
        x / 1 / count(*) | x / 2 / count(*) | x / Total / count(*) | y / 1 / count(*) | y / Total / count(*) | Total / count(*)
                       1 |                2 |                    3 |                4 |                    4 |                7
        ");
}

#[test]
fn collapsing_a_group_hides_its_inner_rows_but_keeps_its_subtotal() {
    let out = output(spec(&["channel", "country"], &["device"], distinct_users()), TWO_BY_ONE);
    let table = &out.table;
    let collapsed: HashSet<Vec<Label>> = [vec![Label::Text("web".into())]].into();
    let shown: Vec<String> = table
        .visible_rows(&collapsed)
        .iter()
        .map(|r| {
            format!(
                "{} expandable={} collapsed={}",
                table.row_key(r.node).replace('\u{1f}', "␟"),
                r.expandable,
                r.collapsed
            )
        })
        .collect();
    assert_snapshot!(shown.join("\n"), @r"
        app␟__total__ expandable=true collapsed=false
        app␟us expandable=false collapsed=false
        web␟__total__ expandable=true collapsed=true
        __total__ expandable=false collapsed=false
        ");
}

#[test]
fn keys_and_cell_lookup_use_total_markers() {
    let out = output(spec(&["channel", "country"], &["device"], distinct_users()), TWO_BY_ONE);
    let table = &out.table;
    let find = |key: &str, nodes: &[usize], of: &dyn Fn(usize) -> String| {
        *nodes.iter().find(|&&n| of(n) == key.replace('␟', "\u{1f}")).expect(key)
    };
    let row = find("web␟__total__", table.rows_in_order(), &|n| table.row_key(n));
    let col = find("mobile", table.column_groups(), &|n| table.column_key(n));
    assert_eq!(table.cell(row, col, 0).shown, Some(4.0));
    let total = find("__total__", table.rows_in_order(), &|n| table.row_key(n));
    let all = find("__total__", table.column_groups(), &|n| table.column_key(n));
    assert_eq!(table.cell(total, all, 0).raw, Some(11.0));
    assert_eq!(table.value_range(0), Some((2.0, 5.0)), "body cells only, not totals");
}

#[test]
fn reshape_changes_sort_and_shares_without_a_new_query() {
    let out = output(spec(&["channel"], &[], count()), &["web||3", "app||1", "||4"]);
    let mut changed = out.spec.clone();
    changed.sort = Sort::Value { index: 0, descending: true };
    changed.values = vec![Value { show_as: ShowAs::PercentOfTotal, ..Value::count_rows() }];
    assert_snapshot!(render(&out.reshape(changed).expect("reshapes").table), @r"
        channel | count(*) (% of total)
        web     |                  0.75
        app     |                  0.25
        Total   |                     1
        ");
}

/// Numbers sort numerically (2 before 10) and time buckets chronologically, shown by grain in
/// the column's time zone.
#[test]
fn typed_labels_sort_by_value_and_show_time_by_grain_in_the_tenant_zone() {
    let tz: Arc<str> = "Asia/Shanghai".into();
    let time = DataType::Timestamp(TimeUnit::Microsecond, Some(tz.clone()));
    let schema = Arc::new(Schema::new(vec![
        ArrowField::new("r0", DataType::Int64, true),
        ArrowField::new("c0", time.clone(), true),
        ArrowField::new("__row_depth", DataType::Int32, false),
        ArrowField::new("__col_depth", DataType::Int32, false),
        ArrowField::new("v0", DataType::Float64, true),
    ]));
    // 2026-10-31T16:00:00Z is midnight of November 1st in Shanghai; 2026-09-30T16:00Z, October 1st.
    let (nov, oct) = (1_793_462_400_000_000_i64, 1_790_784_000_000_000_i64);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(vec![Some(10), Some(2), Some(10), Some(2), Some(10), Some(2), None, None, None])),
        Arc::new(
            TimestampMicrosecondArray::from(vec![
                Some(nov),
                Some(oct),
                None,
                None,
                Some(oct),
                Some(nov),
                Some(nov),
                Some(oct),
                None,
            ])
            .with_timezone(tz),
        ),
        Arc::new(Int32Array::from(vec![1, 1, 1, 1, 1, 1, 0, 0, 0])),
        Arc::new(Int32Array::from(vec![1, 1, 0, 0, 1, 1, 1, 1, 0])),
        Arc::new(Float64Array::from(vec![1.0, 2.0, 4.0, 6.0, 3.0, 4.0, 5.0, 5.0, 10.0])),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).expect("batch");
    let spec = PivotSpec {
        rows: vec![Field::plain("seats")],
        columns: vec![Field::time("created_at", TimeGrain::Month)],
        ..PivotSpec::default()
    };
    let plan = PlannedPivot {
        sql: String::new(),
        rows: vec![PlannedField { output: "r0".into(), field: spec.rows[0].clone(), kind: LabelKind::Number }],
        columns: vec![PlannedField {
            output: "c0".into(),
            field: spec.columns[0].clone(),
            kind: LabelKind::Time(TimeGrain::Month),
        }],
        values: vec![PlannedValue { output: "v0".into(), value: Value::count_rows() }],
        has_other: false,
        days: None,
    };
    let out = crate::PivotOutput::new(spec, plan, schema, vec![batch]).expect("shapes");
    assert_snapshot!(render(&out.table), @r"
        seats | 2026-10 / count(*) | 2026-11 / count(*) | Total / count(*)
        2     |                  2 |                  4 |                6
        10    |                  3 |                  1 |                4
        Total |                  5 |                  5 |               10
        ");
}

/// The output's batch with every value multiplied by `factor`, and 1 added to the first row's.
fn scaled(output: &crate::PivotOutput, factor: f64) -> Vec<RecordBatch> {
    let batch = &output.batches[0];
    let columns = batch
        .schema()
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(field, column)| match field.name().starts_with('v') {
            true => {
                let values = column.as_any().downcast_ref::<Float64Array>().unwrap();
                let scaled: Float64Array = values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| v.map(|v| v * factor + if i == 0 { 1.0 } else { 0.0 }))
                    .collect();
                Arc::new(scaled) as ArrayRef
            }
            false => column.clone(),
        })
        .collect();
    vec![RecordBatch::try_new(batch.schema(), columns).unwrap()]
}

#[test]
fn a_live_refresh_with_the_same_groups_shows_exactly_what_shaping_anew_shows() {
    // Sorted by the value, so that new numbers reorder the rows.
    let spec = PivotSpec {
        sort: Sort::Value { index: 0, descending: true },
        ..spec(&["channel", "country"], &["device"], distinct_users())
    };
    let before = output(spec, TWO_BY_ONE);
    let batches = scaled(&before, -1.0);
    let refreshed = before.refreshed(before.schema.clone(), batches.clone()).unwrap();
    let anew =
        crate::PivotOutput::new(before.spec.clone(), before.plan.clone(), before.schema.clone(), batches).unwrap();
    assert_eq!(render(&refreshed.table), render(&anew.table));
    assert_ne!(render(&refreshed.table), render(&before.table), "the numbers and the order changed");
    assert_eq!(refreshed.table.value_range(0), anew.table.value_range(0));

    // Other groups (one fewer row): shaped anew, the same as a new output.
    let fewer = before.batches[0].slice(1, before.batches[0].num_rows() - 1);
    let refreshed = before.refreshed(before.schema.clone(), vec![fewer.clone()]).unwrap();
    let anew =
        crate::PivotOutput::new(before.spec.clone(), before.plan.clone(), before.schema.clone(), vec![fewer]).unwrap();
    assert_eq!(render(&refreshed.table), render(&anew.table));
}
