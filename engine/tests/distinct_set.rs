//! `distinct_set` and `distinct_set_union_count` give DataFusion's `count(DISTINCT x)` for every
//! column type, grouped or not, through any union of groups.

#![cfg(not(target_arch = "wasm32"))]

use datafusion::arrow::array::{
    ArrayRef, Date32Array, Decimal128Array, DictionaryArray, Float64Array, Int64Array, RecordBatch, StringArray,
    StringViewArray, UInt64Array,
};
use datafusion::arrow::datatypes::Int32Type;
use quiver_engine::{Engine, GridCell};
use std::sync::Arc;

/// A table of six rows in two groups `g`, with one column per type, nulls and repeats in each.
fn engine() -> Engine {
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("g", Arc::new(StringArray::from(vec!["x", "x", "x", "y", "y", "y"]))),
        ("s", Arc::new(StringArray::from(vec![Some("a"), Some("b"), None, Some("a"), Some("c"), Some("c")]))),
        ("v", Arc::new(StringViewArray::from(vec![Some("a"), Some("a"), None, Some("b"), None, Some("b")]))),
        (
            "d",
            Arc::new(
                vec![Some("p"), None, Some("q"), Some("p"), Some("p"), Some("r")]
                    .into_iter()
                    .collect::<DictionaryArray<Int32Type>>(),
            ),
        ),
        ("i", Arc::new(Int64Array::from(vec![Some(1), Some(-1), Some(1), None, Some(2), Some(-1)]))),
        ("u", Arc::new(UInt64Array::from(vec![u64::MAX, 0, u64::MAX, 1, 1, 0]))),
        ("f", Arc::new(Float64Array::from(vec![Some(0.0), Some(-0.0), Some(f64::NAN), Some(1.5), None, Some(1.5)]))),
        ("t", Arc::new(Date32Array::from(vec![Some(19_000), Some(19_001), Some(19_000), None, None, Some(19_002)]))),
        (
            "m",
            Arc::new(
                Decimal128Array::from(vec![Some(150), Some(150), Some(-3), Some(7), None, Some(150)])
                    .with_precision_and_scale(10, 2)
                    .unwrap(),
            ),
        ),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let engine = Engine::new().unwrap();
    engine.register("t", batch.schema(), vec![batch]).unwrap();
    engine
}

fn ints(engine: &Engine, sql: &str) -> Vec<Vec<i64>> {
    let output = engine.sql(sql).unwrap_or_else(|e| panic!("{e}\n{sql}"));
    output
        .to_grid(usize::MAX)
        .rows
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|cell| match cell {
                    GridCell::Int(n) => n,
                    other => panic!("{other:?} in {sql}"),
                })
                .collect()
        })
        .collect()
}

#[test]
fn counts_equal_count_distinct_for_every_type() {
    let engine = engine();
    for column in ["s", "v", "d", "i", "u", "f", "t", "m"] {
        // Per group (x, y), then the total: from the rows, and rolled up from the groups' sets.
        let direct = format!(
            "SELECT n FROM (SELECT g, count(DISTINCT {column}) AS n FROM t GROUP BY g \
             UNION ALL SELECT NULL AS g, count(DISTINCT {column}) AS n FROM t) ORDER BY g NULLS LAST"
        );
        let rolled = format!(
            "WITH leaf AS (SELECT g, distinct_set({column}) AS s FROM t GROUP BY g) \
             SELECT n FROM (SELECT g, distinct_set_union_count(s) AS n FROM leaf GROUP BY GROUPING SETS ((g), ())) \
             ORDER BY g NULLS LAST"
        );
        assert_eq!(ints(&engine, &rolled), ints(&engine, &direct), "{column}");
    }
    // The values the table was built to have, so that the comparison above cannot pass empty:
    // -0 equals 0 and NaN is one value; u64::MAX is not confused with anything.
    let count = |column: &str| {
        ints(&engine, &format!("SELECT distinct_set_union_count(s) FROM (SELECT distinct_set({column}) AS s FROM t)"))
    };
    assert_eq!(count("f"), vec![vec![3]]);
    assert_eq!(count("u"), vec![vec![3]]);
}

#[test]
fn a_filter_clause_and_no_rows_count_nothing() {
    let engine = engine();
    assert_eq!(
        ints(
            &engine,
            "SELECT distinct_set_union_count(s) FROM (SELECT g, distinct_set(s) FILTER (WHERE i > 0) AS s \
             FROM t GROUP BY g) GROUP BY g ORDER BY g"
        ),
        vec![vec![1], vec![1]]
    );
    assert_eq!(
        ints(&engine, "SELECT distinct_set_union_count(s) FROM (SELECT distinct_set(s) AS s FROM t WHERE g = 'z')"),
        vec![vec![0]]
    );
}

#[test]
fn a_set_not_made_by_distinct_set_is_refused_by_name() {
    let engine = engine();
    let error = engine.sql("SELECT distinct_set_union_count(CAST(s AS BYTEA)) FROM t").unwrap_err().to_string();
    assert!(error.contains("distinct_set_union_count needs sets made by distinct_set"), "{error}");
}

/// A group with more repeats than the accumulator keeps pending folds them without losing or
/// double-counting a value.
#[test]
fn a_large_group_of_repeats_counts_each_value_once() {
    let values: Vec<String> = (0..50_000).map(|i| format!("user-{}", (i * 7919) % 1_000)).collect();
    let groups: Vec<&str> = (0..50_000).map(|i| if i % 10 == 0 { "small" } else { "big" }).collect();
    let batch = RecordBatch::try_from_iter(vec![
        ("g", Arc::new(StringArray::from(groups)) as ArrayRef),
        ("s", Arc::new(StringArray::from(values)) as ArrayRef),
    ])
    .unwrap();
    let engine = Engine::new().unwrap();
    engine.register("t", batch.schema(), vec![batch]).unwrap();
    let sql = "WITH leaf AS (SELECT g, distinct_set(s) AS s FROM t GROUP BY g) \
               SELECT n FROM (SELECT g, distinct_set_union_count(s) AS n FROM leaf GROUP BY GROUPING SETS ((g), ())) \
               ORDER BY g NULLS LAST";
    let direct = "SELECT n FROM (SELECT g, count(DISTINCT s) AS n FROM t GROUP BY g \
                  UNION ALL SELECT NULL AS g, count(DISTINCT s) AS n FROM t) ORDER BY g NULLS LAST";
    assert_eq!(ints(&engine, sql), ints(&engine, direct));
    assert_eq!(ints(&engine, sql)[2], vec![1_000]);
}
