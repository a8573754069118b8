//! [`plan`]: a [`PivotSpec`] checked against its table and turned into one DataFusion query.
//!
//! The query has this shape (see the module docs of [`super`] for its output):
//!
//! ```text
//! WITH base AS (SELECT <labels> AS r0…, c0…, <value inputs> AS a0… FROM t WHERE <filters>)
//!      [, ranked AS (groups of r0 ranked by the sort value), kept AS (base joined to its rank)]
//! SELECT r0, r1, c0, 2 AS __row_depth, 1 AS __col_depth, <aggregates> FROM base GROUP BY r0, r1, c0
//! UNION ALL SELECT r0, r1, NULL AS c0, … GROUP BY r0, r1
//! UNION ALL …                                   -- one branch per (rows depth, columns depth)
//! ```
//!
//! Every subtotal aggregates the rows themselves, so count distinct, median and p90 are right at
//! every level. One aggregation per depth combination measured faster in DataFusion 55 than one
//! `GROUP BY GROUPING SETS` (which copies each row once per set before hashing): natively on 1M
//! rows, 2 Rows × 1 Columns fields with count, sum and count distinct, 1.16 s against 1.91 s in
//! the dev profile (`engine/tests/pivot_speed.rs` has the alternatives and their numbers).
//! [`plan_with_shape`] still writes the GROUPING SETS form, and the property tests check both.
//!
//! p90 is `percentile_cont(0.9) WITHIN GROUP (ORDER BY x)`: linear interpolation between the
//! values at ranks `floor(0.9 (n - 1))` and the next (PostgreSQL's definition), nulls ignored.
//! DataFusion 55 truncates the interpolation weight to six decimals, so the result can be off by
//! at most a millionth of the gap between those two values. Median is DataFusion's exact median.
//!
//! Everything in the spec is untrusted (it comes from a URL): names are checked against the
//! table and quoted, texts become quoted literals, numbers and dates are parsed here and written
//! back in canonical form.

use super::{
    Agg, DELTA_TABLE, DateSpan, Field, Filter, FilterOp, Finish, IncrementalPivot, LabelKind, Merge, PivotSpec,
    PlanContext, PlannedField, PlannedPivot, PlannedValue, Sort, SpecError, TimeGrain, Value,
};
use crate::catalog::{ColumnInfo, TableInfo};
use crate::sql::{Zone, quote_ident, quote_str};
use std::fmt::Write as _;

/// Most fields on the Rows or the Columns shelf: each one multiplies the groups and the work of
/// the subtotals (`(R + 1) × (C + 1)` grouping sets).
pub const MAX_SHELF_FIELDS: usize = 6;
/// Most fields on the Values shelf.
pub const MAX_VALUES: usize = 8;
/// Most conditions on the Filters shelf.
pub const MAX_FILTERS: usize = 32;
/// Most values in one in / not in list: beyond this a link is more likely an accident (or an
/// attack) than a selection someone made.
pub const MAX_LIST_VALUES: usize = 10_000;

/// Most days a relative date range covers (about a century).
pub const MAX_DAYS: u32 = 36_525;

/// Checks `spec` against `ctx.table` and writes its query; see [`super`] for the output contract.
pub fn plan(spec: &PivotSpec, ctx: PlanContext<'_>) -> Result<PlannedPivot, SpecError> {
    plan_with_shape(spec, ctx, QueryShape::Rollup)
}

/// How the subtotals are computed. Both give the same rows; [`plan`] uses the faster one, and
/// the other is kept for benchmarks and for the property tests, which check both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryShape {
    /// One aggregation with `GROUP BY GROUPING SETS`: DataFusion copies every input row once
    /// per set before hashing.
    GroupingSets,
    /// One aggregation per set, `UNION ALL`ed: each reads the rows once with fewer keys.
    UnionAll,
    /// One aggregation of the rows at the finest level into partial results (counts, sums,
    /// minima, maxima and sets of distinct values), then `GROUPING SETS` over those few rows.
    /// Reads the rows once. Median and p90 cannot be rolled up from partials: a spec with
    /// either is planned as [`QueryShape::UnionAll`].
    Rollup,
}

/// [`plan`], with the subtotals computed in the given shape.
pub fn plan_with_shape(spec: &PivotSpec, ctx: PlanContext<'_>, shape: QueryShape) -> Result<PlannedPivot, SpecError> {
    plan_parts(spec, ctx, shape).map(|(planned, _)| planned)
}

/// The spec's query in the pieces a live refresh folds new rows in with (see
/// [`IncrementalPivot`]), and the plan whose output they reproduce; `None` for a spec whose
/// values cannot be merged from partials (median, p90), whose top N must rank all rows again,
/// or without any Rows or Columns field.
pub fn plan_incremental(
    spec: &PivotSpec,
    ctx: PlanContext<'_>,
) -> Result<(PlannedPivot, Option<IncrementalPivot>), SpecError> {
    plan_parts(spec, ctx, QueryShape::Rollup)
}

fn plan_parts(
    spec: &PivotSpec,
    ctx: PlanContext<'_>,
    shape: QueryShape,
) -> Result<(PlannedPivot, Option<IncrementalPivot>), SpecError> {
    let table = ctx.table;
    if spec.table != table.name {
        return Err(SpecError::new(
            "table",
            format!("the table `{}` is not the one loaded (`{}`)", spec.table, table.name),
        ));
    }
    let zone = Zone::new(ctx.time_zone)?;
    let rows = plan_shelf(table, &zone, &spec.rows, "rows", "r")?;
    let columns = plan_shelf(table, &zone, &spec.columns, "columns", "c")?;
    check_twice(spec)?;
    let values = plan_values(table, &spec.values)?;
    let mut conditions = Vec::new();
    if spec.filters.len() > MAX_FILTERS {
        return Err(SpecError::new("filters", format!("at most {MAX_FILTERS} filters, not {}", spec.filters.len())));
    }
    for (i, filter) in spec.filters.iter().enumerate() {
        if let Some(condition) = filter_sql(table, &zone, filter, &format!("filters[{i}]"))? {
            conditions.push(condition);
        }
    }
    let days = match &spec.date_range {
        Some(range) => {
            let (first, last, condition) = date_range_sql(table, &zone, range, ctx.today)?;
            conditions.push(condition);
            Some((first, last))
        }
        None => None,
    };
    if let Sort::Value { index, .. } = spec.sort
        && index >= values.len()
    {
        return Err(SpecError::new(
            "sort.index",
            format!("sorting by value {} but the Values shelf has {}", index + 1, values.len()),
        ));
    }
    let top_n = match spec.top_n {
        Some(top) if rows.is_empty() => {
            let _ = top;
            return Err(SpecError::new("top_n", "top N keeps groups of the first Rows field: put a field on Rows"));
        }
        Some(top) if top.n == 0 => return Err(SpecError::new("top_n.n", "keep at least 1 group")),
        other => other,
    };

    let mut sql = String::new();
    // base: one row per input row, with labels and value inputs computed once.
    let mut base = Vec::new();
    for field in rows.iter().chain(&columns) {
        base.push(format!("{} AS {}", field.expr, field.output));
    }
    for (i, value) in values.iter().enumerate() {
        if let (Some(input), Some(name)) = (&value.input, &value.input_name)
            && *name == format!("a{i}")
        {
            base.push(format!("{input} AS {name}"));
        }
    }
    if base.is_empty() {
        // Only a count of rows: the base needs some column to have rows at all.
        base.push("1 AS __one".to_owned());
    }
    let base_cte = |from: &str| {
        let mut cte = format!("WITH base AS (\n  SELECT {}\n  FROM {}", base.join(",\n         "), quote_ident(from));
        if !conditions.is_empty() {
            let _ = write!(cte, "\n  WHERE {}", conditions.join("\n    AND "));
        }
        cte.push_str("\n)");
        cte
    };
    sql.push_str(&base_cte(&table.name));
    let mut source = "base";
    let has_other = top_n.is_some_and(|t| t.other);
    if let Some(top) = top_n {
        // Rank the groups of r0 by the sort value over all of their rows (all columns), then keep
        // the first N; with "other" the rest stay, with r0 blanked and flagged, so that the Other
        // group is aggregated from its own rows.
        let (index, descending) = match spec.sort {
            Sort::Value { index, descending } => (index, descending),
            Sort::Label { .. } => (0, true),
        };
        let direction = if descending { "DESC" } else { "ASC" };
        let _ = write!(
            sql,
            ",\nranked AS (\n  SELECT r0, row_number() OVER (ORDER BY {} {direction} NULLS LAST, r0 ASC NULLS LAST) AS __rank\n  \
             FROM base\n  GROUP BY r0\n)",
            values[index].agg_sql()
        );
        let n = top.n;
        let mut kept = Vec::new();
        kept.push(if top.other {
            format!("CASE WHEN ranked.__rank <= {n} THEN base.r0 END AS r0")
        } else {
            "base.r0".to_owned()
        });
        for field in rows.iter().skip(1).chain(&columns) {
            kept.push(format!("base.{}", field.output));
        }
        for (i, value) in values.iter().enumerate() {
            if let Some(name) = &value.input_name
                && *name == format!("a{i}")
            {
                kept.push(format!("base.{name}"));
            }
        }
        if top.other {
            kept.push(format!("ranked.__rank > {n} AS __other"));
        }
        let _ = write!(
            sql,
            ",\nkept AS (\n  SELECT {}\n  FROM base\n  JOIN ranked ON base.r0 IS NOT DISTINCT FROM ranked.r0",
            kept.join(",\n         ")
        );
        if !top.other {
            let _ = write!(sql, "\n  WHERE ranked.__rank <= {n}");
        }
        sql.push_str("\n)");
        source = "kept";
    }

    // The final aggregation: every prefix of Rows × every prefix of Columns.
    let outputs = |fields: &[PlannedShelfField]| fields.iter().map(|f| f.output.clone()).collect::<Vec<_>>();
    let (row_keys, col_keys) = (outputs(&rows), outputs(&columns));
    let aggregates: Vec<String> =
        values.iter().enumerate().map(|(i, v)| format!("CAST({} AS DOUBLE) AS v{i}", v.agg_sql())).collect();
    let rolled: Option<Vec<Rolled>> = values.iter().enumerate().map(|(i, v)| v.rollup(i)).collect();
    let has_keys = !(row_keys.is_empty() && col_keys.is_empty());
    let incremental = match (&rolled, top_n) {
        (Some(rolled), None) if has_keys && shape == QueryShape::Rollup => {
            let keys = set_keys(&row_keys, &col_keys, has_other, row_keys.len(), col_keys.len());
            let leaf = |from: &str| {
                let mut leaf = base_cte(from);
                leaf_sql(&mut leaf, "base", &keys, rolled);
                leaf.push_str("\nSELECT * FROM leaf");
                leaf
            };
            let mut merges = Vec::new();
            let mut finals = Vec::new();
            for (parts, _, finish) in rolled {
                finals.push(finish.after(merges.len()));
                merges.extend(parts.iter().map(|p| p.merge));
            }
            Some(IncrementalPivot {
                full_leaf_sql: leaf(&table.name),
                delta_leaf_sql: leaf(DELTA_TABLE),
                row_keys: row_keys.len(),
                column_keys: col_keys.len(),
                merges,
                finals,
            })
        }
        _ => None,
    };
    match shape {
        QueryShape::GroupingSets => grouping_sets_sql(&mut sql, source, &row_keys, &col_keys, has_other, &aggregates),
        QueryShape::Rollup if rolled.is_some() && has_keys => {
            rollup_sql(&mut sql, source, &row_keys, &col_keys, has_other, rolled.unwrap_or_default())
        }
        QueryShape::UnionAll | QueryShape::Rollup => {
            union_all_sql(&mut sql, source, &row_keys, &col_keys, has_other, &aggregates)
        }
    }

    let planned = PlannedPivot {
        sql,
        rows: rows.into_iter().map(PlannedShelfField::into_planned).collect(),
        columns: columns.into_iter().map(PlannedShelfField::into_planned).collect(),
        values: values
            .into_iter()
            .enumerate()
            .map(|(i, v)| PlannedValue { output: format!("v{i}"), value: v.value })
            .collect(),
        has_other,
        days,
    };
    Ok((planned, incremental))
}

/// Every (rows depth, columns depth), finest first: the first branch of a UNION ALL fixes the
/// output types, so it must have every label.
fn depths(r: usize, c: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..=r).rev().flat_map(move |dr| (0..=c).rev().map(move |dc| (dr, dc)))
}

/// The group keys of one set: the first `dr` Rows labels (and the Other flag with them), then
/// the first `dc` Columns labels.
fn set_keys<'k>(row_keys: &'k [String], col_keys: &'k [String], has_other: bool, dr: usize, dc: usize) -> Vec<&'k str> {
    let mut keys: Vec<&str> = row_keys[..dr].iter().map(String::as_str).collect();
    if has_other && dr > 0 {
        keys.insert(1, "__other");
    }
    keys.extend(col_keys[..dc].iter().map(String::as_str));
    keys
}

fn grouping_sets_sql(
    sql: &mut String,
    source: &str,
    row_keys: &[String],
    col_keys: &[String],
    has_other: bool,
    aggregates: &[String],
) {
    let depth = |keys: &[String]| {
        let rolled: Vec<String> = keys.iter().map(|k| format!(" - grouping({k})")).collect();
        format!("CAST({}{} AS INT)", keys.len(), rolled.concat())
    };
    let mut select: Vec<String> = row_keys.iter().chain(col_keys).cloned().collect();
    select.push(format!("{} AS __row_depth", depth(row_keys)));
    select.push(format!("{} AS __col_depth", depth(col_keys)));
    if has_other {
        // Null where r0 is rolled up (depth 0): that is not the Other group.
        select.push("coalesce(__other, false) AS __other".to_owned());
    }
    select.extend(aggregates.iter().cloned());
    let _ = write!(sql, "\nSELECT {}\nFROM {source}", select.join(",\n       "));
    if !row_keys.is_empty() || !col_keys.is_empty() {
        let sets: Vec<String> = depths(row_keys.len(), col_keys.len())
            .map(|(dr, dc)| format!("({})", set_keys(row_keys, col_keys, has_other, dr, dc).join(", ")))
            .collect();
        let _ = write!(sql, "\nGROUP BY GROUPING SETS (\n  {}\n)", sets.join(",\n  "));
    }
}

/// [`QueryShape::Rollup`]: `leaf` aggregates the rows by every label into partial results, and
/// the grouping sets combine those: counts and sums add up, minima and maxima of minima and
/// maxima, an average is its summed sum over its summed count, and a count distinct is the size
/// of the union of its groups' sets of values (`distinct_set`, provided by `quiver-engine`).
fn rollup_sql(
    sql: &mut String,
    source: &str,
    row_keys: &[String],
    col_keys: &[String],
    has_other: bool,
    values: Vec<Rolled>,
) {
    let keys = set_keys(row_keys, col_keys, has_other, row_keys.len(), col_keys.len());
    leaf_sql(sql, source, &keys, &values);
    let merged: Vec<String> =
        values.iter().enumerate().map(|(i, (_, combined, _))| format!("CAST({combined} AS DOUBLE) AS v{i}")).collect();
    grouping_sets_sql(sql, "leaf", row_keys, col_keys, has_other, &merged);
}

/// Appends the `leaf` CTE: the partial results of every value per finest group.
fn leaf_sql(sql: &mut String, source: &str, keys: &[&str], values: &[Rolled]) {
    let mut select: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
    for (partials, _, _) in values {
        select.extend(partials.iter().map(|p| format!("{} AS {}", p.expr, p.name)));
    }
    let _ = write!(
        sql,
        ",\nleaf AS (\n  SELECT {}\n  FROM {source}\n  GROUP BY {}\n)",
        select.join(",\n         "),
        keys.join(", ")
    );
}

fn union_all_sql(
    sql: &mut String,
    source: &str,
    row_keys: &[String],
    col_keys: &[String],
    has_other: bool,
    aggregates: &[String],
) {
    let mut branches = Vec::new();
    for (dr, dc) in depths(row_keys.len(), col_keys.len()) {
        let keys = set_keys(row_keys, col_keys, has_other, dr, dc);
        let mut select: Vec<String> = Vec::new();
        for (i, key) in row_keys.iter().enumerate() {
            select.push(if i < dr { key.clone() } else { format!("NULL AS {key}") });
        }
        for (i, key) in col_keys.iter().enumerate() {
            select.push(if i < dc { key.clone() } else { format!("NULL AS {key}") });
        }
        select.push(format!("CAST({dr} AS INT) AS __row_depth"));
        select.push(format!("CAST({dc} AS INT) AS __col_depth"));
        if has_other {
            select.push(if dr > 0 { "__other".to_owned() } else { "FALSE AS __other".to_owned() });
        }
        select.extend(aggregates.iter().cloned());
        let mut branch = format!("SELECT {}\nFROM {source}", select.join(", "));
        if !keys.is_empty() {
            let _ = write!(branch, "\nGROUP BY {}", keys.join(", "));
        }
        branches.push(branch);
    }
    let _ = write!(sql, "\n{}", branches.join("\nUNION ALL\n"));
}

/// The in / not in list editor's query: the distinct values of `column` as text (`value`, null
/// stays null) with their row counts (`rows`, Int64), most rows first, then by value, at most
/// `limit`. `filters` (the view's filters except the one being edited) apply, and `search`, when
/// given, keeps the values that contain it, ignoring case.
pub fn distinct_values_sql(
    ctx: PlanContext<'_>,
    column: &str,
    filters: &[Filter],
    search: Option<&str>,
    limit: usize,
) -> Result<String, SpecError> {
    let table = ctx.table;
    let zone = Zone::new(ctx.time_zone)?;
    let info = column_info(table, column, "column")?;
    if filters.len() > MAX_FILTERS {
        return Err(SpecError::new("filters", format!("at most {MAX_FILTERS} filters, not {}", filters.len())));
    }
    let mut conditions = Vec::new();
    for (i, filter) in filters.iter().enumerate() {
        if let Some(condition) = filter_sql(table, &zone, filter, &format!("filters[{i}]"))? {
            conditions.push(condition);
        }
    }
    // Time values are shown in the tenant's zone, as the pivot's labels are.
    let value = match ColumnType::of(info) {
        ColumnType::Timestamp => zone.local(&quote_ident(column)),
        _ => quote_ident(column),
    };
    let text = format!("CAST({value} AS VARCHAR)");
    if let Some(search) = search.filter(|s| !s.is_empty()) {
        conditions.push(format!("strpos(lower({text}), {}) > 0", quote_str(&search.to_lowercase())));
    }
    let mut sql = format!("SELECT {text} AS value, count(*) AS \"rows\"\nFROM {}", quote_ident(&table.name));
    if !conditions.is_empty() {
        let _ = write!(sql, "\nWHERE {}", conditions.join("\n  AND "));
    }
    let _ = write!(sql, "\nGROUP BY 1\nORDER BY \"rows\" DESC, value ASC NULLS FIRST\nLIMIT {limit}");
    Ok(sql)
}

/// What planning needs to know about a column's Arrow type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ColumnType {
    Text,
    Int,
    UInt,
    Float,
    Boolean,
    Timestamp,
    Date,
    Other,
}

impl ColumnType {
    fn of(column: &ColumnInfo) -> Self {
        let t = column.data_type.as_str();
        let base = t.split('(').next().unwrap_or(t);
        match base {
            "Utf8" | "LargeUtf8" | "Utf8View" => Self::Text,
            "Int8" | "Int16" | "Int32" | "Int64" => Self::Int,
            "UInt8" | "UInt16" | "UInt32" | "UInt64" => Self::UInt,
            "Float16" | "Float32" | "Float64" | "Decimal32" | "Decimal64" | "Decimal128" | "Decimal256" => Self::Float,
            "Boolean" => Self::Boolean,
            "Timestamp" => Self::Timestamp,
            "Date32" | "Date64" => Self::Date,
            _ => Self::Other,
        }
    }

    fn is_number(self) -> bool {
        matches!(self, Self::Int | Self::UInt | Self::Float)
    }

    fn is_time(self) -> bool {
        matches!(self, Self::Timestamp | Self::Date)
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Int | Self::UInt | Self::Float => "a number",
            Self::Boolean => "true/false",
            Self::Timestamp => "a time",
            Self::Date => "a date",
            Self::Other => "neither text, number nor time",
        }
    }
}

fn column_info<'t>(table: &'t TableInfo, name: &str, path: &str) -> Result<&'t ColumnInfo, SpecError> {
    table.column(name).ok_or_else(|| SpecError::new(path, format!("the table `{}` has no column `{name}`", table.name)))
}

/// A Rows or Columns field, checked, with its label expression.
struct PlannedShelfField {
    output: String,
    field: Field,
    kind: LabelKind,
    expr: String,
}

impl PlannedShelfField {
    fn into_planned(self) -> PlannedField {
        PlannedField { output: self.output, field: self.field, kind: self.kind }
    }
}

fn plan_shelf(
    table: &TableInfo,
    zone: &Zone,
    fields: &[Field],
    shelf: &str,
    prefix: &str,
) -> Result<Vec<PlannedShelfField>, SpecError> {
    if fields.len() > MAX_SHELF_FIELDS {
        return Err(SpecError::new(shelf, format!("at most {MAX_SHELF_FIELDS} fields, not {}", fields.len())));
    }
    let mut planned = Vec::new();
    for (i, field) in fields.iter().enumerate() {
        let path = format!("{shelf}[{i}]");
        let info = column_info(table, &field.column, &format!("{path}.column"))?;
        let ty = ColumnType::of(info);
        let column = quote_ident(&field.column);
        let (kind, expr) = match (ty, field.grain) {
            (ColumnType::Timestamp, None) => {
                return Err(SpecError::new(
                    format!("{path}.grain"),
                    format!("`{}` is a time: choose a grain (hour, day, week, month, quarter or year)", field.column),
                ));
            }
            (ColumnType::Timestamp, Some(grain)) => {
                (LabelKind::Time(grain), format!("date_trunc('{}', {})", grain.as_str(), zone.local(&column)))
            }
            (ColumnType::Date, Some(TimeGrain::Hour)) => {
                return Err(SpecError::new(
                    format!("{path}.grain"),
                    format!("`{}` holds dates without a time of day: choose day or a coarser grain", field.column),
                ));
            }
            (ColumnType::Date, Some(grain)) => {
                // Midnight of the date in the tenant's zone, so buckets line up with timestamps'.
                let midnight = zone.local(&format!("arrow_cast({column}, 'Timestamp(Microsecond, None)')"));
                (LabelKind::Time(grain), format!("date_trunc('{}', {midnight})", grain.as_str()))
            }
            (ColumnType::Date, None) => (LabelKind::Date, column),
            (_, Some(_)) => {
                return Err(SpecError::new(
                    format!("{path}.grain"),
                    format!("`{}` is not a time column: remove the grain", field.column),
                ));
            }
            (ty, None) if ty.is_number() => (LabelKind::Number, column),
            (ColumnType::Boolean, None) => (LabelKind::Boolean, column),
            (_, None) => (LabelKind::Text, column),
        };
        planned.push(PlannedShelfField { output: format!("{prefix}{i}"), field: field.clone(), kind, expr });
    }
    Ok(planned)
}

/// Refuses a field that is on the shelves twice (same column and grain): its second copy would
/// only repeat the first's labels.
fn check_twice(spec: &PivotSpec) -> Result<(), SpecError> {
    let all = spec.rows.iter().map(|f| ("rows", f)).chain(spec.columns.iter().map(|f| ("columns", f)));
    let mut seen: Vec<(&str, &Field)> = Vec::new();
    let mut counts = std::collections::HashMap::<&str, usize>::new();
    for (shelf, field) in all {
        let i = counts.entry(shelf).or_default();
        if let Some((first_shelf, _)) = seen.iter().find(|(_, f)| *f == field) {
            let name = if *first_shelf == "rows" { "Rows" } else { "Columns" };
            return Err(SpecError::new(
                format!("{shelf}[{i}].column"),
                format!("`{}` is already on {name}", field.column),
            ));
        }
        seen.push((shelf, field));
        *i += 1;
    }
    Ok(())
}

/// A value's partial results at the finest level, and how coarser levels combine them.
/// A value's partials, the SQL that combines them into the value, and the same in Rust.
type Rolled = (Vec<Partial>, String, Finish);

/// One partial result of a value at the finest level.
struct Partial {
    /// The aggregate over `base` (`count(a0)`).
    expr: String,
    /// Its column in `leaf` (`p0`, `q0`).
    name: String,
    /// How two partials of the same group merge (added up for counts).
    merge: Merge,
}

fn partial(expr: String, name: String, merge: Merge) -> Partial {
    Partial { expr, name, merge }
}

/// A value, checked: its input expression in `base` (none for a count of rows) and aggregation.
struct ValueInput {
    value: Value,
    /// The expression `base` computes for it, none for a count of rows.
    input: Option<String>,
    /// Its name in `base` (`a0`, …).
    input_name: Option<String>,
}

impl ValueInput {
    /// The partial results of value `i` at the finest level (`p{i}`, `q{i}`), and how the
    /// grouping sets combine them; none for a value that does not roll up (median, p90). The
    /// grand total of no rows at all is a group without partials: its counts must still be 0.
    fn rollup(&self, i: usize) -> Option<Rolled> {
        let p = format!("p{i}");
        let Some(input) = &self.input_name else {
            return Some((
                vec![partial("count(*)".to_owned(), p.clone(), Merge::Add)],
                format!("coalesce(sum({p}), 0)"),
                Finish::Count(0),
            ));
        };
        Some(match self.value.agg {
            Agg::Count => (
                vec![partial(format!("count({input})"), p.clone(), Merge::Add)],
                format!("coalesce(sum({p}), 0)"),
                Finish::Count(0),
            ),
            Agg::CountDistinct => (
                vec![partial(format!("distinct_set({input})"), p.clone(), Merge::Union)],
                format!("distinct_set_union_count({p})"),
                Finish::Distinct(0),
            ),
            Agg::Sum => {
                (vec![partial(format!("sum({input})"), p.clone(), Merge::Add)], format!("sum({p})"), Finish::Value(0))
            }
            // The input is already a DOUBLE; a group without numbers has a null sum.
            Agg::Avg => (
                vec![
                    partial(format!("sum({input})"), p.clone(), Merge::Add),
                    partial(format!("count({input})"), format!("q{i}"), Merge::Add),
                ],
                format!("sum({p}) / CAST(sum(q{i}) AS DOUBLE)"),
                Finish::Mean(0, 1),
            ),
            Agg::Min => {
                (vec![partial(format!("min({input})"), p.clone(), Merge::Min)], format!("min({p})"), Finish::Value(0))
            }
            Agg::Max => {
                (vec![partial(format!("max({input})"), p.clone(), Merge::Max)], format!("max({p})"), Finish::Value(0))
            }
            Agg::Median | Agg::P90 => return None,
        })
    }

    /// The aggregate over its input in `base`.
    fn agg_sql(&self) -> String {
        let Some(input) = &self.input_name else { return "count(*)".to_owned() };
        match self.value.agg {
            Agg::Count => format!("count({input})"),
            Agg::CountDistinct => format!("count(DISTINCT {input})"),
            Agg::Sum => format!("sum({input})"),
            Agg::Avg => format!("avg({input})"),
            Agg::Min => format!("min({input})"),
            Agg::Max => format!("max({input})"),
            Agg::Median => format!("median({input})"),
            // Exact: linear interpolation between the two nearest ranks, as PostgreSQL's
            // percentile_cont (DataFusion's approx_percentile_cont would not be).
            Agg::P90 => format!("percentile_cont(0.9) WITHIN GROUP (ORDER BY {input})"),
        }
    }
}

fn plan_values(table: &TableInfo, values: &[Value]) -> Result<Vec<ValueInput>, SpecError> {
    if values.len() > MAX_VALUES {
        return Err(SpecError::new("values", format!("at most {MAX_VALUES} values, not {}", values.len())));
    }
    if values.is_empty() {
        return Ok(vec![ValueInput { value: Value::count_rows(), input: None, input_name: None }]);
    }
    let mut planned = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let path = format!("values[{i}]");
        let Some(name) = &value.column else {
            if value.agg == Agg::Count {
                planned.push(ValueInput { value: value.clone(), input: None, input_name: None });
                continue;
            }
            return Err(SpecError::new(
                format!("{path}.column"),
                format!("{} needs a column (only count can count rows)", agg_words(value.agg)),
            ));
        };
        let info = column_info(table, name, &format!("{path}.column"))?;
        let ty = ColumnType::of(info);
        let column = quote_ident(name);
        let input = if value.agg.needs_number() {
            if !ty.is_number() {
                return Err(SpecError::new(
                    format!("{path}.agg"),
                    format!("{} needs a number column, and `{name}` is {}", agg_words(value.agg), ty.describe()),
                ));
            }
            // Floats throughout: a sum of big integers cannot overflow, and every vN is Float64.
            format!("CAST({column} AS DOUBLE)")
        } else {
            column
        };
        // Values over the same input (sum and average of price) share one column of `base`.
        let input_name = match planned.iter().find(|p: &&ValueInput| p.input.as_ref() == Some(&input)) {
            Some(same) => same.input_name.clone(),
            None => Some(format!("a{i}")),
        };
        planned.push(ValueInput { value: value.clone(), input: Some(input), input_name });
    }
    Ok(planned)
}

fn agg_words(agg: Agg) -> &'static str {
    match agg {
        Agg::Count => "count",
        Agg::CountDistinct => "count distinct",
        Agg::Sum => "sum",
        Agg::Avg => "average",
        Agg::Min => "minimum",
        Agg::Max => "maximum",
        Agg::Median => "median",
        Agg::P90 => "90th percentile",
    }
}

/// A filter's condition on `table`, or none when it holds for every row (a range without
/// bounds); refusals name `path` (`filters[0]`, `steps[2].filters[1]`). For the analyses, which
/// filter the way the pivot does.
pub fn filter_condition(
    table: &TableInfo,
    time_zone: &str,
    filter: &Filter,
    path: &str,
) -> Result<Option<String>, SpecError> {
    filter_sql(table, &Zone::new(time_zone)?, filter, path)
}

/// A date range's first and last day (in the tenant's zone) and its condition on `table`, as the
/// pivot applies it. Refusals name `date_range.…`.
pub fn date_range_condition(
    table: &TableInfo,
    time_zone: &str,
    range: &super::DateRange,
    today: chrono::NaiveDate,
) -> Result<(chrono::NaiveDate, chrono::NaiveDate, String), SpecError> {
    date_range_sql(table, &Zone::new(time_zone)?, range, today)
}

/// A filter's condition, or none when it holds for every row (a range without bounds).
fn filter_sql(table: &TableInfo, zone: &Zone, filter: &Filter, path: &str) -> Result<Option<String>, SpecError> {
    let info = column_info(table, &filter.column, &format!("{path}.column"))?;
    let ty = ColumnType::of(info);
    let column = match ty {
        ColumnType::Timestamp => zone.local(&quote_ident(&filter.column)),
        _ => quote_ident(&filter.column),
    };
    let condition = match &filter.op {
        FilterOp::In { values } | FilterOp::NotIn { values } => {
            if values.len() > MAX_LIST_VALUES {
                return Err(SpecError::new(
                    format!("{path}.values"),
                    format!("at most {MAX_LIST_VALUES} values, not {}", values.len()),
                ));
            }
            let mut literals = Vec::new();
            let mut null = false;
            for (j, value) in values.iter().enumerate() {
                match value {
                    Some(text) => {
                        literals.push(literal(ty, zone, text, &format!("{path}.values[{j}]"), &filter.column)?)
                    }
                    None => null = true,
                }
            }
            let list = (!literals.is_empty()).then(|| literals.join(", "));
            match (&filter.op, list, null) {
                (FilterOp::In { .. }, Some(list), false) => format!("{column} IN ({list})"),
                (FilterOp::In { .. }, Some(list), true) => format!("({column} IN ({list}) OR {column} IS NULL)"),
                (FilterOp::In { .. }, None, true) => format!("{column} IS NULL"),
                // Nothing chosen: nothing matches.
                (FilterOp::In { .. }, None, false) => "FALSE".to_owned(),
                // Nulls are kept unless null is listed (`NOT IN` alone would drop them).
                (_, Some(list), false) => format!("({column} NOT IN ({list}) OR {column} IS NULL)"),
                (_, Some(list), true) => format!("{column} NOT IN ({list})"),
                (_, None, true) => format!("{column} IS NOT NULL"),
                (_, None, false) => return Ok(None),
            }
        }
        FilterOp::Range { min, max } => {
            if !ty.is_number() && !ty.is_time() {
                return Err(SpecError::new(
                    format!("{path}.op"),
                    format!("a range needs a number or time column, and `{}` is {}", filter.column, ty.describe()),
                ));
            }
            let mut parts = Vec::new();
            if let Some(min) = min {
                parts.push(format!("{column} >= {}", literal(ty, zone, min, &format!("{path}.min"), &filter.column)?));
            }
            if let Some(max) = max {
                // A day as the upper bound means the whole day: up to the next day's start.
                match (ty, parse_time(max)) {
                    (ColumnType::Timestamp, Some(TimeValue::Day(day))) => {
                        let next =
                            day.succ_opt().ok_or_else(|| SpecError::new(format!("{path}.max"), "date out of range"))?;
                        parts.push(format!("{column} < {}", zone.local_literal(next.and_time(chrono::NaiveTime::MIN))));
                    }
                    _ => parts.push(format!(
                        "{column} <= {}",
                        literal(ty, zone, max, &format!("{path}.max"), &filter.column)?
                    )),
                }
            }
            if parts.is_empty() {
                // No bound yet (the editor was just opened): no condition, so nulls stay too.
                return Ok(None);
            }
            parts.join(" AND ")
        }
        FilterOp::Contains { text } => {
            if ty != ColumnType::Text {
                return Err(SpecError::new(
                    format!("{path}.op"),
                    format!("contains needs a text column, and `{}` is {}", filter.column, ty.describe()),
                ));
            }
            format!("strpos(lower({column}), {}) > 0", quote_str(&text.to_lowercase()))
        }
        FilterOp::IsNull => format!("{column} IS NULL"),
        FilterOp::IsNotNull => format!("{column} IS NOT NULL"),
    };
    Ok(Some(condition))
}

/// A filter value as an SQL literal of the column's type.
fn literal(ty: ColumnType, zone: &Zone, text: &str, path: &str, column: &str) -> Result<String, SpecError> {
    let refuse =
        |what: &str| SpecError::new(path, format!("`{text}` is not {what} (the column `{column}` holds {what}s)"));
    let text = text.trim();
    Ok(match ty {
        ColumnType::Text | ColumnType::Other => quote_str(text),
        ColumnType::Int => text.parse::<i64>().map_err(|_| refuse("a whole number"))?.to_string(),
        ColumnType::UInt => text.parse::<u64>().map_err(|_| refuse("a whole number"))?.to_string(),
        ColumnType::Float => {
            let x = text.parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| refuse("a number"))?;
            // `{:?}` keeps a decimal point or exponent, so DataFusion reads a float, not an integer.
            format!("{x:?}")
        }
        ColumnType::Boolean => match text.to_ascii_lowercase().as_str() {
            "true" => "TRUE".to_owned(),
            "false" => "FALSE".to_owned(),
            _ => return Err(SpecError::new(path, format!("`{text}` is not true or false"))),
        },
        ColumnType::Date => match parse_time(text) {
            Some(TimeValue::Day(day)) => format!("CAST('{}' AS DATE)", day.format("%Y-%m-%d")),
            _ => return Err(SpecError::new(path, format!("`{text}` is not a date (YYYY-MM-DD)"))),
        },
        ColumnType::Timestamp => match parse_time(text) {
            Some(TimeValue::Day(day)) => zone.local_literal(day.and_time(chrono::NaiveTime::MIN)),
            Some(TimeValue::Local(naive)) => zone.local_literal(naive),
            Some(TimeValue::Instant(instant)) => zone.instant_literal(instant),
            None => {
                return Err(SpecError::new(
                    path,
                    format!("`{text}` is not a date or time (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS or RFC 3339)"),
                ));
            }
        },
    })
}

/// A date or time as a user may type it: a day, a wall-clock time in the tenant's zone, or an
/// instant with an offset.
enum TimeValue {
    Day(chrono::NaiveDate),
    Local(chrono::NaiveDateTime),
    Instant(chrono::DateTime<chrono::FixedOffset>),
}

fn parse_time(text: &str) -> Option<TimeValue> {
    let text = text.trim();
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(TimeValue::Day(day));
    }
    if let Ok(instant) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(TimeValue::Instant(instant));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(text, format).ok())
        .map(TimeValue::Local)
}

/// The date range's first and last day and its condition: from the first day's start to the
/// start of the day after the last, both in the tenant's zone.
fn date_range_sql(
    table: &TableInfo,
    zone: &Zone,
    range: &super::DateRange,
    today: chrono::NaiveDate,
) -> Result<(chrono::NaiveDate, chrono::NaiveDate, String), SpecError> {
    let info = column_info(table, &range.column, "date_range.column")?;
    match range.span {
        DateSpan::Last { days: 0 } => return Err(SpecError::new("date_range.days", "cover at least 1 day")),
        // Past a century the range is surely a typo, and far-off years do not fit a timestamp.
        DateSpan::Last { days } if days > MAX_DAYS => {
            return Err(SpecError::new("date_range.days", format!("at most {MAX_DAYS} days, not {days}")));
        }
        DateSpan::Between { from, to } if from > to => {
            return Err(SpecError::new("date_range.to", format!("the last day {to} is before the first day {from}")));
        }
        _ => {}
    }
    let (first, last) = range.span.resolve(today);
    let after = last.succ_opt().ok_or_else(|| SpecError::new("date_range.to", "date out of range"))?;
    let column = quote_ident(&range.column);
    let condition = match ColumnType::of(info) {
        ColumnType::Timestamp => {
            let column = zone.local(&column);
            format!(
                "{column} >= {} AND {column} < {}",
                zone.local_literal(first.and_time(chrono::NaiveTime::MIN)),
                zone.local_literal(after.and_time(chrono::NaiveTime::MIN))
            )
        }
        ColumnType::Date => format!(
            "{column} BETWEEN CAST('{}' AS DATE) AND CAST('{}' AS DATE)",
            first.format("%Y-%m-%d"),
            last.format("%Y-%m-%d")
        ),
        ty => {
            return Err(SpecError::new(
                "date_range.column",
                format!("a date range needs a time column, and `{}` is {}", range.column, ty.describe()),
            ));
        }
    };
    Ok((first, last, condition))
}

#[cfg(test)]
mod tests;
