//! The planned SQL for one short spec per feature, and the refusals, field by field.

use super::super::{PivotSpec, PlanContext, QueryShape, plan, plan_with_shape};
use crate::catalog::{ColumnRole, TableInfo, test_table};
use insta::assert_snapshot;

/// A table shaped like the demo's `events`, plus a whole number, a flag and a date.
fn events() -> TableInfo {
    use ColumnRole::*;
    let mut table = test_table(
        "events",
        &[
            ("ts", "Timestamp(µs, \"UTC\")", Time),
            ("user_id", "Utf8", Key),
            ("event_name", "Utf8", Dimension),
            ("channel", "Utf8", Dimension),
            ("platform", "Utf8", Dimension),
            ("price", "Float64", Measure),
            ("quantity", "Int64", Measure),
            ("is_new", "Boolean", Dimension),
            ("day", "Date32", Time),
            ("Order", "Utf8", Dimension),
        ],
    );
    table.partition_keys = vec!["tenant".to_owned(), "date".to_owned()];
    table
}

fn spec(json: &str) -> PivotSpec {
    let mut value: serde_json::Value = serde_json::from_str(json).expect("test spec is JSON");
    value.as_object_mut().unwrap().entry("table").or_insert("events".into());
    serde_json::from_value(value).expect("test spec is a PivotSpec")
}

fn planned(json: &str) -> Result<super::super::PlannedPivot, super::super::SpecError> {
    let table = events();
    let today = chrono::NaiveDate::from_ymd_opt(2024, 3, 15).unwrap();
    plan(&spec(json), PlanContext { table: &table, time_zone: "Asia/Shanghai", today })
}

/// The SQL planned for a spec given as JSON (the table defaults to `events`).
fn sql(json: &str) -> String {
    planned(json).unwrap_or_else(|e| panic!("{json}: {e}")).sql
}

/// Asserts that the spec is refused at `field` with a reason containing `reason`.
#[track_caller]
fn check_err(json: &str, field: &str, reason: &str) {
    match planned(json) {
        Ok(p) => panic!("{json} was planned:\n{}", p.sql),
        Err(e) => {
            assert_eq!(e.field, field, "{json}: {e}");
            assert!(e.reason.contains(reason), "{json}: `{}` does not contain `{reason}`", e.reason);
        }
    }
}

#[test]
fn count_of_rows_without_fields() {
    assert_snapshot!(sql(r#"{}"#), @r#"
        WITH base AS (
          SELECT 1 AS __one
          FROM events
        )
        SELECT CAST(0 AS INT) AS __row_depth, CAST(0 AS INT) AS __col_depth, CAST(count(*) AS DOUBLE) AS v0
        FROM base
        "#);
}

#[test]
fn plain_rows_and_columns() {
    assert_snapshot!(sql(r#"{"rows":[{"column":"channel"},{"column":"platform"}],"columns":[{"column":"event_name"}]}"#), @r#"
        WITH base AS (
          SELECT channel AS r0,
                 platform AS r1,
                 event_name AS c0
          FROM events
        ),
        leaf AS (
          SELECT r0,
                 r1,
                 c0,
                 count(*) AS p0
          FROM base
          GROUP BY r0, r1, c0
        )
        SELECT r0,
               r1,
               c0,
               CAST(2 - grouping(r0) - grouping(r1) AS INT) AS __row_depth,
               CAST(1 - grouping(c0) AS INT) AS __col_depth,
               CAST(coalesce(sum(p0), 0) AS DOUBLE) AS v0
        FROM leaf
        GROUP BY GROUPING SETS (
          (r0, r1, c0),
          (r0, r1),
          (r0, c0),
          (r0),
          (c0),
          ()
        )
        "#);
}

#[test]
fn the_grouping_sets_shape() {
    let table = events();
    let today = chrono::NaiveDate::from_ymd_opt(2024, 3, 15).unwrap();
    let ctx = PlanContext { table: &table, time_zone: "Asia/Shanghai", today };
    let spec =
        spec(r#"{"rows":[{"column":"channel"}],"columns":[{"column":"platform"}],"top_n":{"n":2,"other":true}}"#);
    assert_snapshot!(plan_with_shape(&spec, ctx, QueryShape::GroupingSets).unwrap().sql, @r#"
        WITH base AS (
          SELECT channel AS r0,
                 platform AS c0
          FROM events
        ),
        ranked AS (
          SELECT r0, row_number() OVER (ORDER BY count(*) DESC NULLS LAST, r0 ASC NULLS LAST) AS __rank
          FROM base
          GROUP BY r0
        ),
        kept AS (
          SELECT CASE WHEN ranked.__rank <= 2 THEN base.r0 END AS r0,
                 base.c0,
                 ranked.__rank > 2 AS __other
          FROM base
          JOIN ranked ON base.r0 IS NOT DISTINCT FROM ranked.r0
        )
        SELECT r0,
               c0,
               CAST(1 - grouping(r0) AS INT) AS __row_depth,
               CAST(1 - grouping(c0) AS INT) AS __col_depth,
               coalesce(__other, false) AS __other,
               CAST(count(*) AS DOUBLE) AS v0
        FROM kept
        GROUP BY GROUPING SETS (
          (r0, __other, c0),
          (r0, __other),
          (c0),
          ()
        )
        "#);
}

#[test]
fn time_grain_in_the_tenant_zone() {
    assert_snapshot!(sql(r#"{"rows":[{"column":"ts","grain":"week"}],"columns":[{"column":"day","grain":"month"}]}"#), @r#"
        WITH base AS (
          SELECT date_trunc('week', arrow_cast(ts, 'Timestamp(Microsecond, Some("Asia/Shanghai"))')) AS r0,
                 date_trunc('month', arrow_cast(arrow_cast(day, 'Timestamp(Microsecond, None)'), 'Timestamp(Microsecond, Some("Asia/Shanghai"))')) AS c0
          FROM events
        ),
        leaf AS (
          SELECT r0,
                 c0,
                 count(*) AS p0
          FROM base
          GROUP BY r0, c0
        )
        SELECT r0,
               c0,
               CAST(1 - grouping(r0) AS INT) AS __row_depth,
               CAST(1 - grouping(c0) AS INT) AS __col_depth,
               CAST(coalesce(sum(p0), 0) AS DOUBLE) AS v0
        FROM leaf
        GROUP BY GROUPING SETS (
          (r0, c0),
          (r0),
          (c0),
          ()
        )
        "#);
}

#[test]
fn every_aggregation_rolled_up_from_partials() {
    // Without median and p90 the subtotals combine the finest groups' partial results.
    assert_snapshot!(sql(r#"{"rows":[{"column":"channel"}],"values":[
        {"agg":"count"},{"agg":"count","column":"price"},{"agg":"count_distinct","column":"user_id"},
        {"agg":"sum","column":"quantity"},{"agg":"avg","column":"price"},{"agg":"min","column":"price"},
        {"agg":"max","column":"price"}]}"#), @r#"
            WITH base AS (
              SELECT channel AS r0,
                     price AS a1,
                     user_id AS a2,
                     CAST(quantity AS DOUBLE) AS a3,
                     CAST(price AS DOUBLE) AS a4
              FROM events
            ),
            leaf AS (
              SELECT r0,
                     count(*) AS p0,
                     count(a1) AS p1,
                     distinct_set(a2) AS p2,
                     sum(a3) AS p3,
                     sum(a4) AS p4,
                     count(a4) AS q4,
                     min(a4) AS p5,
                     max(a4) AS p6
              FROM base
              GROUP BY r0
            )
            SELECT r0,
                   CAST(1 - grouping(r0) AS INT) AS __row_depth,
                   CAST(0 AS INT) AS __col_depth,
                   CAST(coalesce(sum(p0), 0) AS DOUBLE) AS v0,
                   CAST(coalesce(sum(p1), 0) AS DOUBLE) AS v1,
                   CAST(distinct_set_union_count(p2) AS DOUBLE) AS v2,
                   CAST(sum(p3) AS DOUBLE) AS v3,
                   CAST(sum(p4) / CAST(sum(q4) AS DOUBLE) AS DOUBLE) AS v4,
                   CAST(min(p5) AS DOUBLE) AS v5,
                   CAST(max(p6) AS DOUBLE) AS v6
            FROM leaf
            GROUP BY GROUPING SETS (
              (r0),
              ()
            )
            "#);
}

#[test]
fn every_aggregation_with_a_median_reads_the_rows_per_level() {
    assert_snapshot!(sql(r#"{"rows":[{"column":"channel"}],"values":[
        {"agg":"count"},{"agg":"count","column":"price"},{"agg":"count_distinct","column":"user_id"},
        {"agg":"sum","column":"quantity"},{"agg":"avg","column":"price"},{"agg":"min","column":"price"},
        {"agg":"max","column":"price"},{"agg":"median","column":"price"}]}"#), @r#"
            WITH base AS (
              SELECT channel AS r0,
                     price AS a1,
                     user_id AS a2,
                     CAST(quantity AS DOUBLE) AS a3,
                     CAST(price AS DOUBLE) AS a4
              FROM events
            )
            SELECT r0, CAST(1 AS INT) AS __row_depth, CAST(0 AS INT) AS __col_depth, CAST(count(*) AS DOUBLE) AS v0, CAST(count(a1) AS DOUBLE) AS v1, CAST(count(DISTINCT a2) AS DOUBLE) AS v2, CAST(sum(a3) AS DOUBLE) AS v3, CAST(avg(a4) AS DOUBLE) AS v4, CAST(min(a4) AS DOUBLE) AS v5, CAST(max(a4) AS DOUBLE) AS v6, CAST(median(a4) AS DOUBLE) AS v7
            FROM base
            GROUP BY r0
            UNION ALL
            SELECT NULL AS r0, CAST(0 AS INT) AS __row_depth, CAST(0 AS INT) AS __col_depth, CAST(count(*) AS DOUBLE) AS v0, CAST(count(a1) AS DOUBLE) AS v1, CAST(count(DISTINCT a2) AS DOUBLE) AS v2, CAST(sum(a3) AS DOUBLE) AS v3, CAST(avg(a4) AS DOUBLE) AS v4, CAST(min(a4) AS DOUBLE) AS v5, CAST(max(a4) AS DOUBLE) AS v6, CAST(median(a4) AS DOUBLE) AS v7
            FROM base
            "#);
    assert_snapshot!(sql(r#"{"values":[{"agg":"p90","column":"price"}]}"#), @r#"
        WITH base AS (
          SELECT CAST(price AS DOUBLE) AS a0
          FROM events
        )
        SELECT CAST(0 AS INT) AS __row_depth, CAST(0 AS INT) AS __col_depth, CAST(percentile_cont(0.9) WITHIN GROUP (ORDER BY a0) AS DOUBLE) AS v0
        FROM base
        "#);
}

#[test]
fn in_and_not_in_with_nulls() {
    assert_snapshot!(sql(r#"{"filters":[
        {"column":"channel","op":"in","values":["ads","it's"]},
        {"column":"platform","op":"in","values":["ios",null]},
        {"column":"event_name","op":"not_in","values":["view"]},
        {"column":"Order","op":"not_in","values":["x",null]},
        {"column":"quantity","op":"in","values":[" 3","-4"]},
        {"column":"is_new","op":"in","values":["True"]},
        {"column":"day","op":"not_in","values":[null]},
        {"column":"user_id","op":"in","values":[]}]}"#), @r#"
            WITH base AS (
              SELECT 1 AS __one
              FROM events
              WHERE channel IN ('ads', 'it''s')
                AND (platform IN ('ios') OR platform IS NULL)
                AND (event_name NOT IN ('view') OR event_name IS NULL)
                AND "Order" NOT IN ('x')
                AND quantity IN (3, -4)
                AND is_new IN (TRUE)
                AND day IS NOT NULL
                AND FALSE
            )
            SELECT CAST(0 AS INT) AS __row_depth, CAST(0 AS INT) AS __col_depth, CAST(count(*) AS DOUBLE) AS v0
            FROM base
            "#);
}

#[test]
fn range_contains_and_null_filters() {
    assert_snapshot!(sql(r#"{"filters":[
        {"column":"price","op":"range","min":"1.5","max":"100"},
        {"column":"quantity","op":"range","min":"2"},
        {"column":"ts","op":"range","min":"2024-03-01","max":"2024-03-02"},
        {"column":"ts","op":"range","min":"2024-03-01T08:30:00","max":"2024-03-02T10:00:00+00:00"},
        {"column":"channel","op":"contains","text":"Ad'S"},
        {"column":"price","op":"is_null"},
        {"column":"platform","op":"is_not_null"},
        {"column":"day","op":"range"}]}"#), @r#"
            WITH base AS (
              SELECT 1 AS __one
              FROM events
              WHERE price >= 1.5 AND price <= 100.0
                AND quantity >= 2
                AND arrow_cast(ts, 'Timestamp(Microsecond, Some("Asia/Shanghai"))') >= arrow_cast('2024-03-01T00:00:00+08:00', 'Timestamp(Microsecond, Some("Asia/Shanghai"))') AND arrow_cast(ts, 'Timestamp(Microsecond, Some("Asia/Shanghai"))') < arrow_cast('2024-03-03T00:00:00+08:00', 'Timestamp(Microsecond, Some("Asia/Shanghai"))')
                AND arrow_cast(ts, 'Timestamp(Microsecond, Some("Asia/Shanghai"))') >= arrow_cast('2024-03-01T08:30:00+08:00', 'Timestamp(Microsecond, Some("Asia/Shanghai"))') AND arrow_cast(ts, 'Timestamp(Microsecond, Some("Asia/Shanghai"))') <= arrow_cast('2024-03-02T10:00:00+00:00', 'Timestamp(Microsecond, Some("Asia/Shanghai"))')
                AND strpos(lower(channel), 'ad''s') > 0
                AND price IS NULL
                AND platform IS NOT NULL
            )
            SELECT CAST(0 AS INT) AS __row_depth, CAST(0 AS INT) AS __col_depth, CAST(count(*) AS DOUBLE) AS v0
            FROM base
            "#);
}

#[test]
fn date_range_fixed_and_relative() {
    assert_snapshot!(sql(r#"{"date_range":{"column":"ts","kind":"between","from":"2024-03-01","to":"2024-03-10"}}"#), @r#"
        WITH base AS (
          SELECT 1 AS __one
          FROM events
          WHERE arrow_cast(ts, 'Timestamp(Microsecond, Some("Asia/Shanghai"))') >= arrow_cast('2024-03-01T00:00:00+08:00', 'Timestamp(Microsecond, Some("Asia/Shanghai"))') AND arrow_cast(ts, 'Timestamp(Microsecond, Some("Asia/Shanghai"))') < arrow_cast('2024-03-11T00:00:00+08:00', 'Timestamp(Microsecond, Some("Asia/Shanghai"))')
        )
        SELECT CAST(0 AS INT) AS __row_depth, CAST(0 AS INT) AS __col_depth, CAST(count(*) AS DOUBLE) AS v0
        FROM base
        "#);
    assert_snapshot!(sql(r#"{"date_range":{"column":"day","kind":"last","days":7}}"#), @r#"
        WITH base AS (
          SELECT 1 AS __one
          FROM events
          WHERE day BETWEEN CAST('2024-03-09' AS DATE) AND CAST('2024-03-15' AS DATE)
        )
        SELECT CAST(0 AS INT) AS __row_depth, CAST(0 AS INT) AS __col_depth, CAST(count(*) AS DOUBLE) AS v0
        FROM base
        "#);
    assert_eq!(
        planned(r#"{"date_range":{"column":"ts","kind":"last","days":7}}"#)
            .unwrap()
            .days
            .map(|(a, b)| format!("{a}..{b}")),
        Some("2024-03-09..2024-03-15".to_owned())
    );
}

#[test]
fn top_n_without_and_with_other() {
    assert_snapshot!(sql(r#"{"rows":[{"column":"channel"},{"column":"platform"}],"values":[{"agg":"count_distinct","column":"user_id"}],"top_n":{"n":3}}"#), @r#"
        WITH base AS (
          SELECT channel AS r0,
                 platform AS r1,
                 user_id AS a0
          FROM events
        ),
        ranked AS (
          SELECT r0, row_number() OVER (ORDER BY count(DISTINCT a0) DESC NULLS LAST, r0 ASC NULLS LAST) AS __rank
          FROM base
          GROUP BY r0
        ),
        kept AS (
          SELECT base.r0,
                 base.r1,
                 base.a0
          FROM base
          JOIN ranked ON base.r0 IS NOT DISTINCT FROM ranked.r0
          WHERE ranked.__rank <= 3
        ),
        leaf AS (
          SELECT r0,
                 r1,
                 distinct_set(a0) AS p0
          FROM kept
          GROUP BY r0, r1
        )
        SELECT r0,
               r1,
               CAST(2 - grouping(r0) - grouping(r1) AS INT) AS __row_depth,
               CAST(0 AS INT) AS __col_depth,
               CAST(distinct_set_union_count(p0) AS DOUBLE) AS v0
        FROM leaf
        GROUP BY GROUPING SETS (
          (r0, r1),
          (r0),
          ()
        )
        "#);
    assert_snapshot!(sql(r#"{"rows":[{"column":"channel"}],"columns":[{"column":"platform"}],"values":[{"agg":"count"},{"agg":"sum","column":"price"}],"sort":{"by":"value","index":1,"descending":false},"top_n":{"n":5,"other":true}}"#), @r#"
        WITH base AS (
          SELECT channel AS r0,
                 platform AS c0,
                 CAST(price AS DOUBLE) AS a1
          FROM events
        ),
        ranked AS (
          SELECT r0, row_number() OVER (ORDER BY sum(a1) ASC NULLS LAST, r0 ASC NULLS LAST) AS __rank
          FROM base
          GROUP BY r0
        ),
        kept AS (
          SELECT CASE WHEN ranked.__rank <= 5 THEN base.r0 END AS r0,
                 base.c0,
                 base.a1,
                 ranked.__rank > 5 AS __other
          FROM base
          JOIN ranked ON base.r0 IS NOT DISTINCT FROM ranked.r0
        ),
        leaf AS (
          SELECT r0,
                 __other,
                 c0,
                 count(*) AS p0,
                 sum(a1) AS p1
          FROM kept
          GROUP BY r0, __other, c0
        )
        SELECT r0,
               c0,
               CAST(1 - grouping(r0) AS INT) AS __row_depth,
               CAST(1 - grouping(c0) AS INT) AS __col_depth,
               coalesce(__other, false) AS __other,
               CAST(coalesce(sum(p0), 0) AS DOUBLE) AS v0,
               CAST(sum(p1) AS DOUBLE) AS v1
        FROM leaf
        GROUP BY GROUPING SETS (
          (r0, __other, c0),
          (r0, __other),
          (c0),
          ()
        )
        "#);
}

#[test]
fn planned_layout() {
    let p = planned(r#"{"rows":[{"column":"ts","grain":"day"},{"column":"quantity"}],"columns":[{"column":"is_new"},{"column":"day"}],"top_n":{"n":2,"other":true}}"#).unwrap();
    let outputs: Vec<String> = p.rows.iter().chain(&p.columns).map(|f| format!("{}={:?}", f.output, f.kind)).collect();
    assert_eq!(outputs, ["r0=Time(Day)", "r1=Number", "c0=Boolean", "c1=Date"]);
    assert_eq!(p.values.iter().map(|v| v.output.as_str()).collect::<Vec<_>>(), ["v0"]);
    assert!(p.has_other);
}

#[test]
fn refusals_name_the_field_and_the_reason() {
    check_err(r#"{"table":"leads"}"#, "table", "`leads` is not the one loaded");
    check_err(r#"{"rows":[{"column":"channel"},{"column":"nope"}]}"#, "rows[1].column", "no column `nope`");
    check_err(r#"{"columns":[{"column":"ts"}]}"#, "columns[0].grain", "choose a grain");
    check_err(r#"{"rows":[{"column":"channel","grain":"day"}]}"#, "rows[0].grain", "not a time column");
    check_err(r#"{"rows":[{"column":"day","grain":"hour"}]}"#, "rows[0].grain", "without a time of day");
    check_err(
        r#"{"rows":[{"column":"channel"}],"columns":[{"column":"channel"}]}"#,
        "columns[0].column",
        "already on Rows",
    );
    check_err(
        r#"{"rows":[{"column":"ts","grain":"day"},{"column":"ts","grain":"day"}]}"#,
        "rows[1].column",
        "already on Rows",
    );
    check_err(
        r#"{"values":[{"agg":"sum","column":"channel"}]}"#,
        "values[0].agg",
        "sum needs a number column, and `channel` is text",
    );
    check_err(r#"{"values":[{"agg":"count"},{"agg":"p90","column":"ts"}]}"#, "values[1].agg", "needs a number column");
    check_err(r#"{"values":[{"agg":"count_distinct"}]}"#, "values[0].column", "count distinct needs a column");
    check_err(r#"{"values":[{"agg":"avg","column":"nope"}]}"#, "values[0].column", "no column `nope`");
    check_err(r#"{"filters":[{"column":"nope","op":"is_null"}]}"#, "filters[0].column", "no column `nope`");
    check_err(
        r#"{"filters":[{"column":"channel","op":"is_null"},{"column":"quantity","op":"in","values":["1","x"]}]}"#,
        "filters[1].values[1]",
        "`x` is not a whole number",
    );
    check_err(
        r#"{"filters":[{"column":"quantity","op":"in","values":["1.5"]}]}"#,
        "filters[0].values[0]",
        "not a whole number",
    );
    check_err(r#"{"filters":[{"column":"price","op":"range","min":"NaN"}]}"#, "filters[0].min", "not a number");
    check_err(
        r#"{"filters":[{"column":"is_new","op":"in","values":["yes"]}]}"#,
        "filters[0].values[0]",
        "not true or false",
    );
    check_err(
        r#"{"filters":[{"column":"ts","op":"range","max":"2024-13-01"}]}"#,
        "filters[0].max",
        "not a date or time",
    );
    check_err(
        r#"{"filters":[{"column":"day","op":"in","values":["2024-03-01T10:00:00"]}]}"#,
        "filters[0].values[0]",
        "not a date",
    );
    check_err(
        r#"{"filters":[{"column":"channel","op":"range","min":"a"}]}"#,
        "filters[0].op",
        "a range needs a number or time column",
    );
    check_err(
        r#"{"filters":[{"column":"price","op":"contains","text":"1"}]}"#,
        "filters[0].op",
        "contains needs a text column",
    );
    check_err(r#"{"date_range":{"column":"nope","kind":"last","days":3}}"#, "date_range.column", "no column `nope`");
    check_err(
        r#"{"date_range":{"column":"channel","kind":"last","days":3}}"#,
        "date_range.column",
        "needs a time column",
    );
    check_err(r#"{"date_range":{"column":"ts","kind":"last","days":0}}"#, "date_range.days", "at least 1 day");
    check_err(
        r#"{"date_range":{"column":"ts","kind":"last","days":4000000000}}"#,
        "date_range.days",
        "at most 36525 days",
    );
    check_err(
        r#"{"date_range":{"column":"ts","kind":"between","from":"2024-03-02","to":"2024-03-01"}}"#,
        "date_range.to",
        "before the first day",
    );
    check_err(r#"{"top_n":{"n":3}}"#, "top_n", "put a field on Rows");
    check_err(r#"{"rows":[{"column":"channel"}],"top_n":{"n":0}}"#, "top_n.n", "at least 1");
    check_err(
        r#"{"sort":{"by":"value","index":1,"descending":true}}"#,
        "sort.index",
        "value 2 but the Values shelf has 1",
    );
    let many = |shelf: &str, n: usize| {
        let fields: Vec<String> = (0..n).map(|_| r#"{"column":"channel"}"#.to_owned()).collect();
        format!(r#"{{"{shelf}":[{}]}}"#, fields.join(","))
    };
    check_err(&many("rows", 7), "rows", "at most 6 fields");
    let values: Vec<String> = (0..9).map(|_| r#"{"agg":"count"}"#.to_owned()).collect();
    check_err(&format!(r#"{{"values":[{}]}}"#, values.join(",")), "values", "at most 8 values");
    let filters: Vec<String> = (0..33).map(|_| r#"{"column":"price","op":"is_null"}"#.to_owned()).collect();
    check_err(&format!(r#"{{"filters":[{}]}}"#, filters.join(",")), "filters", "at most 32 filters");
    let list: Vec<String> = (0..10_001).map(|i| format!("\"{i}\"")).collect();
    check_err(
        &format!(r#"{{"filters":[{{"column":"user_id","op":"in","values":[{}]}}]}}"#, list.join(",")),
        "filters[0].values",
        "at most 10000 values",
    );
}

#[test]
fn names_and_texts_from_the_spec_are_quoted() {
    // A column name is only ever one the table has, and quoted; a text is always a literal.
    assert_snapshot!(sql(r#"{"rows":[{"column":"Order"}],"filters":[{"column":"Order","op":"in","values":["'); DROP TABLE events; --"]}]}"#), @r#"
        WITH base AS (
          SELECT "Order" AS r0
          FROM events
          WHERE "Order" IN ('''); DROP TABLE events; --')
        ),
        leaf AS (
          SELECT r0,
                 count(*) AS p0
          FROM base
          GROUP BY r0
        )
        SELECT r0,
               CAST(1 - grouping(r0) AS INT) AS __row_depth,
               CAST(0 AS INT) AS __col_depth,
               CAST(coalesce(sum(p0), 0) AS DOUBLE) AS v0
        FROM leaf
        GROUP BY GROUPING SETS (
          (r0),
          ()
        )
        "#);
}

#[test]
fn the_time_zone_must_be_a_zone_name() {
    let table = events();
    let today = chrono::NaiveDate::from_ymd_opt(2024, 3, 15).unwrap();
    let err = plan(&spec("{}"), PlanContext { table: &table, time_zone: "UTC\")) --", today }).unwrap_err();
    assert_eq!(err.field, "time_zone");
}

#[test]
fn distinct_values_for_the_list_editor() {
    use super::super::{Filter, FilterOp};
    let table = events();
    let today = chrono::NaiveDate::from_ymd_opt(2024, 3, 15).unwrap();
    let ctx = PlanContext { table: &table, time_zone: "Asia/Shanghai", today };
    let filters = [Filter { column: "platform".to_owned(), op: FilterOp::In { values: vec![Some("ios".to_owned())] } }];
    assert_snapshot!(super::distinct_values_sql(ctx, "channel", &filters, Some("AD"), 100).unwrap(), @r#"
        SELECT CAST(channel AS VARCHAR) AS value, count(*) AS "rows"
        FROM events
        WHERE platform IN ('ios')
          AND strpos(lower(CAST(channel AS VARCHAR)), 'ad') > 0
        GROUP BY 1
        ORDER BY "rows" DESC, value ASC NULLS FIRST
        LIMIT 100
        "#);
    assert_snapshot!(super::distinct_values_sql(ctx, "ts", &[], None, 50).unwrap(), @r#"
        SELECT CAST(arrow_cast(ts, 'Timestamp(Microsecond, Some("Asia/Shanghai"))') AS VARCHAR) AS value, count(*) AS "rows"
        FROM events
        GROUP BY 1
        ORDER BY "rows" DESC, value ASC NULLS FIRST
        LIMIT 50
        "#);
    assert_eq!(super::distinct_values_sql(ctx, "nope", &[], None, 5).unwrap_err().field, "column");
}

#[test]
fn the_live_refresh_reads_the_new_rows_finest_groups_and_says_how_to_merge_and_finish_them() {
    use super::super::{Finish, Merge, plan_incremental};
    let table = events();
    let today = chrono::NaiveDate::from_ymd_opt(2024, 3, 15).unwrap();
    let spec = spec(
        r#"{"rows":[{"column":"channel"}],"columns":[{"column":"platform"}],"values":[
        {"agg":"count"},{"agg":"count_distinct","column":"user_id"},{"agg":"avg","column":"price"},
        {"agg":"max","column":"price"}]}"#,
    );
    let (_, incremental) = plan_incremental(&spec, PlanContext { table: &table, time_zone: "UTC", today }).unwrap();
    let incremental = incremental.expect("these values merge");
    assert_snapshot!(incremental.delta_leaf_sql, @"
    WITH base AS (
      SELECT channel AS r0,
             platform AS c0,
             user_id AS a1,
             CAST(price AS DOUBLE) AS a2
      FROM __quiver_live_delta
    ),
    leaf AS (
      SELECT r0,
             c0,
             count(*) AS p0,
             distinct_set(a1) AS p1,
             sum(a2) AS p2,
             count(a2) AS q2,
             max(a2) AS p3
      FROM base
      GROUP BY r0, c0
    )
    SELECT * FROM leaf
    ");
    // One Rows label and one Columns label lead the leaf's columns.
    assert_eq!((incremental.row_keys, incremental.column_keys), (1, 1));
    assert_eq!(incremental.merges, [Merge::Add, Merge::Union, Merge::Add, Merge::Add, Merge::Max]);
    // The average's sum and count are partials 2 and 3: the indexes run over all values.
    assert_eq!(incremental.finals, [Finish::Count(0), Finish::Distinct(1), Finish::Mean(2, 3), Finish::Value(4)]);
    // A median cannot be merged: no live refresh plan, the pivot reruns in full.
    let median = super::super::PivotSpec {
        values: vec![super::super::Value::of(super::super::Agg::Median, "price")],
        ..spec.clone()
    };
    assert!(plan_incremental(&median, PlanContext { table: &table, time_zone: "UTC", today }).unwrap().1.is_none());
}
