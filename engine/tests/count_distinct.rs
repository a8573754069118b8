//! `count(DISTINCT x)` is counted by the engine's interner (`distinct_count`) and answers exactly
//! what DataFusion's own count answers, for every shape of query that has one.

#![cfg(not(target_arch = "wasm32"))]

use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::Int32Type;
use datafusion::prelude::{SessionConfig, SessionContext};
use quiver_engine::Engine;
use std::sync::Arc;

/// 5,000 rows: groups, and one column per counted type with repeats and nulls.
fn table() -> RecordBatch {
    let n = 5_000;
    let pick = |i: usize, m: usize| (i * 7919 + i / 3) % m;
    let keys: Vec<Option<String>> = (0..n).map(|i| (i % 13 != 0).then(|| format!("k{}", pick(i, 40)))).collect();
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("g", Arc::new(StringArray::from_iter_values((0..n).map(|i| ["a", "b", "c", "d"][i % 4])))),
        ("h", Arc::new(Int64Array::from_iter_values((0..n).map(|i| (i % 3) as i64)))),
        ("s", Arc::new(StringArray::from_iter((0..n).map(|i| (i % 11 != 0).then(|| format!("user{}", pick(i, 900))))))),
        ("d", Arc::new(keys.iter().map(|k| k.as_deref()).collect::<DictionaryArray<Int32Type>>())),
        ("i", Arc::new(Int64Array::from_iter((0..n).map(|i| (i % 5 != 0).then(|| pick(i, 700) as i64 - 350))))),
        ("b", Arc::new(BooleanArray::from_iter((0..n).map(|i| (i % 7 != 0).then_some(i % 2 == 0))))),
        ("t", Arc::new(Date32Array::from_iter((0..n).map(|i| (i % 9 != 0).then(|| 19_000 + pick(i, 60) as i32))))),
        (
            "ts",
            Arc::new(
                TimestampMicrosecondArray::from_iter(
                    (0..n).map(|i| (i % 4 != 0).then(|| pick(i, 500) as i64 * 1_000_000)),
                )
                .with_timezone("UTC"),
            ),
        ),
        ("f", Arc::new(Float64Array::from_iter((0..n).map(|i| (i % 6 != 0).then(|| pick(i, 30) as f64 / 4.0))))),
    ];
    RecordBatch::try_from_iter(columns).unwrap()
}

#[test]
fn counts_equal_datafusions_own_in_every_query_shape() {
    let batch = table();
    let engine = Engine::new().unwrap();
    engine.register("t", batch.schema(), vec![batch.slice(0, 3_000), batch.slice(3_000, 2_000)]).unwrap();
    let plain = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(1));
    plain.register_batch("t", batch).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let render =
        |batches: &[RecordBatch]| datafusion::arrow::util::pretty::pretty_format_batches(batches).unwrap().to_string();
    let mut shapes = Vec::new();
    for x in ["s", "d", "i", "b", "t", "ts", "f"] {
        shapes.extend([
            format!("SELECT count(DISTINCT {x}) FROM t"),
            format!("SELECT g, count(DISTINCT {x}) AS n, count(*) AS rows FROM t GROUP BY g ORDER BY g"),
            format!("SELECT g, h, count(DISTINCT {x}) FILTER (WHERE h > 0) AS n FROM t GROUP BY g, h ORDER BY g, h"),
            format!(
                "SELECT g, h, count(DISTINCT {x}), count(DISTINCT h) AS hs FROM t GROUP BY GROUPING SETS ((g), (h), ()) \
                 ORDER BY g, h"
            ),
            format!("SELECT max(n) FROM (SELECT g, count(DISTINCT {x}) AS n FROM t WHERE h <> 1 GROUP BY g)"),
            format!("SELECT g FROM t GROUP BY g HAVING count(DISTINCT {x}) >= 1 ORDER BY g"),
            format!("SELECT count(DISTINCT {x}) + 1 AS more, sum(h) FROM t WHERE g IN ('a', 'c')"),
        ]);
    }
    for sql in &shapes {
        let ours = engine.sql(sql).unwrap_or_else(|e| panic!("{e}\n{sql}"));
        let (schema, theirs) = runtime.block_on(async {
            let frame = plain.sql(sql).await.unwrap();
            (frame.schema().as_arrow().clone(), frame.collect().await.unwrap())
        });
        assert_eq!(render(&ours.batches), render(&theirs), "{sql}");
        assert!(ours.rows() > 0, "{sql}");
        // Same names and types: the rewrite is invisible but for the speed.
        assert_eq!(ours.schema.fields(), schema.fields(), "{sql}");
    }
    // Strings are counted by the interner (the rewrite happened); floats by DataFusion.
    let plan = |sql: &str| render(&engine.sql(&format!("EXPLAIN {sql}")).unwrap().batches);
    assert!(plan("SELECT g, count(DISTINCT s) FROM t GROUP BY g").contains("distinct_count"));
    assert!(!plan("SELECT g, count(DISTINCT f) FROM t GROUP BY g").contains("distinct_count"));
}
