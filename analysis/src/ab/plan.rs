//! The A/B view's SQL: one row per bucket with its entities and the mean and variance of the
//! per-entity metric, every name checked against the catalogue and quoted.

use quiver_shared::analysis::ab::{AbMetric, AbSpec, PerEntity};
use quiver_shared::analysis::{AnalysisContext, SpecError};
use quiver_shared::catalog::TableInfo;
use quiver_shared::pivot::{DateRange, Filter, date_range_condition, filter_condition};
use quiver_shared::sql::{quote_ident, quote_str};

/// The columns of the planned query, one row per bucket, ordered by bucket.
pub(crate) mod col {
    /// The bucket's value, as text.
    pub(crate) const BUCKET: &str = "bucket";
    /// Entities in the bucket.
    pub(crate) const ENTITIES: &str = "entities";
    /// Sum of the per-entity values.
    pub(crate) const TOTAL: &str = "total";
    /// Mean of the per-entity values.
    pub(crate) const MEAN: &str = "mean";
    /// Sample variance of the per-entity values.
    pub(crate) const VARIANCE: &str = "variance";
    /// Entities seen with more than one bucket value.
    pub(crate) const MIXED: &str = "mixed";
}

/// The per-bucket query of `spec`.
pub(crate) fn plan(spec: &AbSpec, ctx: AnalysisContext<'_>) -> Result<String, SpecError> {
    use col::{BUCKET, ENTITIES, MEAN, MIXED, TOTAL, VARIANCE};
    let table = ctx.table(&spec.source.table, "source.table")?;
    let entity = column(table, &spec.source.entity, "source.entity")?;
    let event = column(table, &spec.source.event, "source.event")?;
    let time = column(table, &spec.source.time, "source.time")?;
    let bucket = column(table, &spec.bucket, "bucket")?;

    let mut population = Vec::new();
    if let Some(span) = &spec.date_range {
        let range = DateRange { column: spec.source.time.clone(), span: span.clone() };
        let (_, _, condition) = date_range_condition(table, ctx.time_zone, &range, ctx.today).map_err(|e| {
            // The spec's range has no column of its own: it is on the source's time column.
            let field = if e.field == "date_range.column" { "source.time".to_owned() } else { e.field };
            SpecError::new(field, e.reason)
        })?;
        population.push(condition);
    }
    population.extend(conditions(table, ctx, &spec.filters, "filters")?);

    let (event_name, filters, value) = match &spec.metric {
        AbMetric::Conversion { event, filters } => (event, filters, "1.0".to_owned()),
        AbMetric::Mean { event, filters, value } => {
            let value = match value {
                PerEntity::Events => "1.0".to_owned(),
                PerEntity::Sum { column: name } => {
                    let path = "metric.value.column";
                    let info = table.column(name).ok_or_else(|| no_column(table, name, path))?;
                    if !is_number(&info.data_type) {
                        return Err(SpecError::new(
                            path,
                            format!("a sum needs a number column, and `{name}` holds {}", info.data_type),
                        ));
                    }
                    format!("COALESCE(CAST({} AS DOUBLE), 0.0)", quote_ident(name))
                }
            };
            (event, filters, value)
        }
    };
    let mut hit = Vec::new();
    if let Some(name) = event_name {
        hit.push(format!("{event} = {}", quote_str(name)));
    }
    hit.extend(conditions(table, ctx, filters, "metric.filters")?);
    let hit = if hit.is_empty() { "TRUE".to_owned() } else { hit.join(" AND ") };
    let per_entity = match spec.metric {
        // Converted or not: 1 or 0 per entity.
        AbMetric::Conversion { .. } => "CAST(max(CASE WHEN hit THEN 1 ELSE 0 END) AS DOUBLE)",
        AbMetric::Mean { .. } => "sum(CASE WHEN hit THEN v ELSE 0.0 END)",
    };
    let population = if population.is_empty() { "TRUE".to_owned() } else { population.join(" AND ") };
    let source = quote_ident(&table.name);
    Ok(format!(
        "WITH ev AS (\
           SELECT {entity} AS entity, {time} AS t, CAST({bucket} AS VARCHAR) AS bucket, \
                  ({hit}) AS hit, {value} AS v \
           FROM {source} WHERE {population}), \
         per_entity AS (\
           SELECT entity, \
                  first_value(bucket ORDER BY t, bucket) FILTER (WHERE bucket IS NOT NULL) AS bucket, \
                  min(bucket) <> max(bucket) AS mixed, \
                  {per_entity} AS x \
           FROM ev GROUP BY entity) \
         SELECT bucket AS {BUCKET}, count(*) AS {ENTITIES}, sum(x) AS {TOTAL}, avg(x) AS {MEAN}, \
                var_samp(x) AS {VARIANCE}, sum(CASE WHEN mixed THEN 1 ELSE 0 END) AS {MIXED} \
         FROM per_entity WHERE bucket IS NOT NULL GROUP BY bucket ORDER BY bucket"
    ))
}

/// A quoted column of `table`, or a refusal at `path`.
fn column(table: &TableInfo, name: &str, path: &str) -> Result<String, SpecError> {
    table.column(name).map(|_| quote_ident(name)).ok_or_else(|| no_column(table, name, path))
}

fn no_column(table: &TableInfo, name: &str, path: &str) -> SpecError {
    SpecError::new(path, format!("the table `{}` has no column `{name}`", table.name))
}

fn is_number(data_type: &str) -> bool {
    ["Int", "UInt", "Float", "Decimal"].iter().any(|p| data_type.starts_with(p))
}

/// The filters' conditions; refusals name `path[i]…`.
fn conditions(
    table: &TableInfo,
    ctx: AnalysisContext<'_>,
    filters: &[Filter],
    path: &str,
) -> Result<Vec<String>, SpecError> {
    let mut out = Vec::new();
    for (i, filter) in filters.iter().enumerate() {
        if let Some(condition) = filter_condition(table, ctx.time_zone, filter, &format!("{path}[{i}]"))? {
            out.push(format!("({condition})"));
        }
    }
    Ok(out)
}
