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

/// The ids of a loaded table's strings are kept between statements (see `distinct`): every
/// later count must still be exact, over slices of the loaded batches, over arrays that share
/// their buffers with other nulls (`nullif`), after rows are appended, and after the table is
/// loaded again with other values.
#[test]
fn kept_ids_stay_exact_across_statements_appends_and_reloads() {
    let engine = Engine::new().unwrap();
    let users: Vec<Option<String>> =
        (0..20_000).map(|i| (i % 7 != 0).then(|| format!("u{}", (i * 31) % 5_000))).collect();
    let groups: Vec<&str> = (0..20_000).map(|i| ["a", "b", "c"][i % 3]).collect();
    let batch = RecordBatch::try_from_iter(vec![
        ("g", Arc::new(StringArray::from(groups)) as ArrayRef),
        ("user", Arc::new(StringArray::from(users.clone())) as ArrayRef),
    ])
    .unwrap();
    // Two batches of one buffer (slices), as a split partition would be.
    engine.register("t", batch.schema(), vec![batch.slice(0, 12_000), batch.slice(12_000, 8_000)]).unwrap();
    let rolled = "WITH leaf AS (SELECT g, distinct_set(user) AS s FROM t GROUP BY g) \
                  SELECT n FROM (SELECT g, distinct_set_union_count(s) AS n FROM leaf GROUP BY GROUPING SETS ((g), ())) \
                  ORDER BY g NULLS LAST";
    let direct = "SELECT n FROM (SELECT g, count(DISTINCT user) AS n FROM t GROUP BY g \
                  UNION ALL SELECT NULL AS g, count(DISTINCT user) AS n FROM t) ORDER BY g NULLS LAST";
    let first = ints(&engine, rolled);
    assert_eq!(first, ints(&engine, direct));
    assert_eq!(first.last(), Some(&vec![5_000]), "every user once");
    // Again (the kept ids), and through an array sharing the column's buffers with more nulls.
    assert_eq!(ints(&engine, rolled), first);
    let nulled = "SELECT distinct_set_union_count(s) FROM (SELECT distinct_set(nullif(user, 'u0')) AS s FROM t)";
    assert_eq!(ints(&engine, nulled), vec![vec![4_999]]);

    // New rows: one new user in group a, one known user in group c.
    let more = RecordBatch::try_from_iter(vec![
        ("g", Arc::new(StringArray::from(vec!["a", "c"])) as ArrayRef),
        ("user", Arc::new(StringArray::from(vec!["new", "u1"])) as ArrayRef),
    ])
    .unwrap();
    engine.append("t", &[more]).unwrap();
    let after = ints(&engine, rolled);
    assert_eq!(after, ints(&engine, direct));
    assert_eq!(after.last(), Some(&vec![5_001]));

    // Loaded again with other users: nothing of the first load's ids may leak in.
    let other = RecordBatch::try_from_iter(vec![
        ("g", Arc::new(StringArray::from(vec!["a", "a", "b"])) as ArrayRef),
        ("user", Arc::new(StringArray::from(vec!["x", "y", "x"])) as ArrayRef),
    ])
    .unwrap();
    engine.register("t", other.schema(), vec![other]).unwrap();
    assert_eq!(ints(&engine, rolled), vec![vec![2], vec![1], vec![2]]);
}
