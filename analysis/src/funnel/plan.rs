//! The funnel's SQL: a spec checked against the catalogue and written as one query.
//!
//! The query, innermost first:
//! 1. `ev`: one row per event of the source that passes the global filters (and, with a date
//!    range, lies between the range's first day and its last day plus the window), with the
//!    entity, the time, the step mask (bit k: the event matches step k + 1), the flags
//!    (exclusion; may start a chain) and the breakdown value. (Outside strict mode, events that
//!    match no step and no exclusion cannot change a chain: the aggregate drops them as they
//!    arrive, which is cheaper than a filter that would work out the step mask twice.)
//! 2. `window_funnel(…) GROUP BY entity`: each entity's level, reported-chain times and values.
//! 3. Entities with a level are ranked by breakdown value (most entities first) for the top N.
//! 4. Each entity becomes one row per step it reached (`unnest` of its chain), with the time
//!    since its previous step and, at step 1 of entities that completed the funnel, the bin of
//!    their time to convert.
//! 5. `GROUPING SETS ((value, other, k), (k), (bin))`: per breakdown group and step, per step,
//!    and per bin; the entities, the median and the 95th percentile of the step times.

use quiver_shared::analysis::AnalysisContext;
use quiver_shared::analysis::funnel::{Attribution, FunnelSpec, FunnelStep};
use quiver_shared::catalog::{ColumnInfo, TableInfo};
use quiver_shared::pivot::{Filter, MAX_FILTERS, SpecError, date_range_condition, filter_condition};
use quiver_shared::sql::{Zone, quote_ident, quote_str};

use super::udaf::{FLAG_CAN_START, FLAG_EXCLUDED, WINDOW_FUNNEL};

/// Lower edges of the time-to-convert bins, in seconds: steps a person reads at a glance, finer
/// where conversions cluster (seconds to hours). Edges at or past the window are left out; the
/// last bin ends at the window.
const BIN_EDGES_SECS: &[u64] = &[
    0,
    1,
    5,
    10,
    30,
    60,
    2 * 60,
    5 * 60,
    10 * 60,
    15 * 60,
    30 * 60,
    3_600,
    2 * 3_600,
    3 * 3_600,
    6 * 3_600,
    12 * 3_600,
    86_400,
    2 * 86_400,
    3 * 86_400,
    5 * 86_400,
    7 * 86_400,
    14 * 86_400,
    30 * 86_400,
    60 * 86_400,
    90 * 86_400,
    180 * 86_400,
    365 * 86_400,
    2 * 365 * 86_400,
    5 * 365 * 86_400,
    10 * 365 * 86_400,
    25 * 365 * 86_400,
    50 * 365 * 86_400,
];

/// A funnel spec as one query, with what reading its result needs.
#[derive(Clone, Debug)]
pub(crate) struct PlannedFunnel {
    /// The query; see the module docs for its output.
    pub(crate) sql: String,
    /// The steps' labels, in order.
    pub(crate) labels: Vec<String>,
    /// Whether the output has the breakdown columns `value` and `other`.
    pub(crate) breakdown: bool,
    /// The time-to-convert bins, `[from, to)` in seconds (the last one ends at the window).
    pub(crate) bins: Vec<(u64, u64)>,
    /// The date range's first and last day.
    pub(crate) days: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
}

/// Checks `spec` against the catalogue and writes its query.
pub(crate) fn plan(spec: &FunnelSpec, ctx: &AnalysisContext<'_>) -> Result<PlannedFunnel, SpecError> {
    spec.check()?;
    let source = &spec.source;
    let table = ctx.table(&source.table, "source.table")?;
    let zone = Zone::new(ctx.time_zone)?;
    let entity = column(table, &source.entity, "source.entity")?;
    if !is_groupable(&entity.data_type) {
        return Err(SpecError::new(
            "source.entity",
            format!("`{}` holds {}, which cannot identify an entity", entity.name, entity.data_type),
        ));
    }
    let time = column(table, &source.time, "source.time")?;
    if !time.data_type.starts_with("Timestamp") {
        return Err(SpecError::new(
            "source.time",
            format!("the event time must be a timestamp, and `{}` is {}", time.name, time.data_type),
        ));
    }
    let ts = zone.local(&quote_ident(&source.time));
    let conditions = Conditions { table, spec, time_zone: ctx.time_zone };

    let mut mask = Vec::new();
    for (i, step) in spec.steps.iter().enumerate() {
        let condition = conditions.step(step, &format!("steps[{i}]"))?;
        mask.push(format!("CASE WHEN {condition} THEN {} ELSE 0 END", 1u64 << i));
    }
    let mut exclusions = Vec::new();
    for (i, exclusion) in spec.exclusions.iter().enumerate() {
        if exclusion.event.is_none() && exclusion.filters.is_empty() {
            return Err(SpecError::new(
                format!("exclusions[{i}]"),
                "an exclusion needs an event or a filter (else every event would stop every chain)",
            ));
        }
        exclusions.push(format!("({})", conditions.step(exclusion, &format!("exclusions[{i}]"))?));
    }

    let mut wheres = vec![format!("{} IS NOT NULL", quote_ident(&source.entity)), format!("{ts} IS NOT NULL")];
    wheres.extend(conditions.filters(&spec.filters, "filters")?);
    let micros = format!("CAST({ts} AS BIGINT)");
    let (can_start, days) = match &spec.date_range {
        None => ("TRUE".to_owned(), None),
        Some(range) => {
            if range.column != source.time {
                return Err(SpecError::new(
                    "date_range.column",
                    format!("chains start by the events' time `{}`, not `{}`", source.time, range.column),
                ));
            }
            let (first, last, _) = date_range_condition(table, ctx.time_zone, range, ctx.today)?;
            let after = last.succ_opt().ok_or_else(|| SpecError::new("date_range.to", "date out of range"))?;
            let start = format!("CAST({} AS BIGINT)", zone.local_literal(first.and_time(chrono::NaiveTime::MIN)));
            let end = format!("CAST({} AS BIGINT)", zone.local_literal(after.and_time(chrono::NaiveTime::MIN)));
            // Chains start before the end of the last day; their later steps may come up to a
            // window after it.
            wheres.push(format!("{micros} >= {start}"));
            wheres.push(format!("{micros} < {end} + {}", spec.window_secs * 1_000_000));
            (format!("{micros} < {end}"), Some((first, last)))
        }
    };
    let excluded = if exclusions.is_empty() { "FALSE".to_owned() } else { exclusions.join(" OR ") };
    let flags = format!(
        "CASE WHEN {excluded} THEN {FLAG_EXCLUDED} ELSE 0 END + CASE WHEN {can_start} THEN {FLAG_CAN_START} ELSE 0 END"
    );

    let breakdown = match &spec.breakdown {
        None => None,
        Some(b) => {
            let info = column(table, &b.column, "breakdown.column")?;
            if !is_groupable(&info.data_type) || info.data_type.starts_with("Timestamp") {
                return Err(SpecError::new(
                    "breakdown.column",
                    format!("`{}` holds {}, which cannot be a breakdown", b.column, info.data_type),
                ));
            }
            Some((format!("CAST({} AS VARCHAR)", quote_ident(&b.column)), b))
        }
    };

    let n = spec.steps.len();
    let value_column = breakdown.as_ref().map_or(String::new(), |(expr, _)| format!(", {expr} AS v"));
    let rows = format!(
        "SELECT {entity} AS e, {ts} AS t, {mask} AS m, {flags} AS f{value_column} FROM {table} WHERE {wheres}",
        entity = quote_ident(&source.entity),
        mask = mask.join(" + "),
        table = quote_ident(&table.name),
        wheres = wheres.join(" AND "),
    );
    let mut mode = spec.mode.as_str().to_owned();
    if spec.dedup {
        mode.push_str(" dedup");
    }
    if spec.increase {
        mode.push_str(" increase");
    }
    let value_args = match breakdown.as_ref().map(|(_, b)| b.attribution) {
        None => String::new(),
        Some(Attribution::FirstTouch) => ", v, 'first_touch'".to_owned(),
        Some(Attribution::LastTouch) => ", v, 'last_touch'".to_owned(),
        Some(Attribution::Step(k)) => format!(", v, 'step {k}'"),
    };
    let matched = format!(
        "SELECT {WINDOW_FUNNEL}({window}, {mode}, {n}, t, m, f{value_args}) AS r FROM ({rows}) AS ev GROUP BY e",
        window = spec.window_secs,
        mode = quote_str(&mode),
    );
    let entities = format!(
        "SELECT get_field(r, 'level') AS level, get_field(r, 'value') AS v, \
         get_field(r, 'secs_to_convert') AS c, get_field(r, 'steps') AS steps \
         FROM ({matched}) AS m WHERE get_field(r, 'level') > 0"
    );
    let (ranked, group_columns, group_set) = match &breakdown {
        None => (entities, String::new(), String::new()),
        Some((_, b)) => (
            format!(
                "SELECT c, steps, v, dense_rank() OVER (ORDER BY n_v DESC, v ASC NULLS LAST) AS rnk \
                 FROM (SELECT c, steps, v, count(*) OVER (PARTITION BY v) AS n_v FROM ({entities}) AS en) AS counted"
            ),
            format!("CASE WHEN rnk <= {top} THEN v END AS value, rnk > {top} AS other, ", top = b.top_n),
            "(value, other, k), ".to_owned(),
        ),
    };

    let bins: Vec<(u64, u64)> = {
        let edges: Vec<u64> = BIN_EDGES_SECS.iter().copied().filter(|&e| e < spec.window_secs).collect();
        edges
            .iter()
            .enumerate()
            .map(|(i, &from)| (from, edges.get(i + 1).copied().unwrap_or(spec.window_secs)))
            .collect()
    };
    let bin_cases: String =
        bins.iter().enumerate().skip(1).map(|(i, (from, _))| format!(" WHEN c < {from} THEN {}", i - 1)).collect();
    let bin = if bins.len() == 1 { "0".to_owned() } else { format!("CASE{bin_cases} ELSE {} END", bins.len() - 1) };
    let per_step = format!(
        "SELECT {group_columns}get_field(s, 'k') AS k, get_field(s, 'secs_from_previous') AS d, \
         CASE WHEN get_field(s, 'k') = 1 AND c IS NOT NULL THEN {bin} END AS bin \
         FROM (SELECT *, unnest(steps) AS s FROM ({ranked}) AS ranked) AS unnested"
    );
    let group_output = if breakdown.is_some() { "value, other, " } else { "" };
    let sql = format!(
        "SELECT {group_output}k, bin, count(*) AS entities, median(d) AS median_secs, \
         percentile_cont(d, 0.95) AS p95_secs FROM ({per_step}) AS steps \
         GROUP BY GROUPING SETS ({group_set}(k), (bin))"
    );
    Ok(PlannedFunnel {
        sql,
        labels: spec.steps.iter().enumerate().map(|(i, s)| s.display_label(i + 1)).collect(),
        breakdown: breakdown.is_some(),
        bins,
        days,
    })
}

/// Writes the conditions of steps and filters on the source table.
struct Conditions<'a> {
    table: &'a TableInfo,
    spec: &'a FunnelSpec,
    time_zone: &'a str,
}

impl Conditions<'_> {
    /// The condition an event meets to match `step` (an exclusion has the same shape).
    fn step(&self, step: &FunnelStep, path: &str) -> Result<String, SpecError> {
        let mut parts = Vec::new();
        if let Some(name) = &step.event {
            if name.is_empty() {
                return Err(SpecError::new(format!("{path}.event"), "name an event, or leave the event out for any"));
            }
            let event = &self.spec.source.event;
            let info = column(self.table, event, "source.event")?;
            if !is_text(&info.data_type) {
                return Err(SpecError::new(
                    "source.event",
                    format!("event names must be text, and `{event}` is {}", info.data_type),
                ));
            }
            parts.push(format!("{} = {}", quote_ident(event), quote_str(name)));
        }
        parts.extend(self.filters(&step.filters, &format!("{path}.filters"))?);
        Ok(if parts.is_empty() { "TRUE".to_owned() } else { parts.join(" AND ") })
    }

    /// The conditions of a list of filters (those that hold for every event are left out).
    fn filters(&self, filters: &[Filter], path: &str) -> Result<Vec<String>, SpecError> {
        if filters.len() > MAX_FILTERS {
            return Err(SpecError::new(path, format!("at most {MAX_FILTERS} filters, not {}", filters.len())));
        }
        let mut conditions = Vec::new();
        for (j, filter) in filters.iter().enumerate() {
            if let Some(condition) = filter_condition(self.table, self.time_zone, filter, &format!("{path}[{j}]"))? {
                conditions.push(format!("({condition})"));
            }
        }
        Ok(conditions)
    }
}

fn column<'t>(table: &'t TableInfo, name: &str, path: &str) -> Result<&'t ColumnInfo, SpecError> {
    table.column(name).ok_or_else(|| SpecError::new(path, format!("the table `{}` has no column `{name}`", table.name)))
}

fn is_text(data_type: &str) -> bool {
    matches!(data_type, "Utf8" | "LargeUtf8" | "Utf8View")
        || (data_type.starts_with("Dictionary(") && data_type.ends_with("Utf8)"))
}

/// Whether values of this type can be compared for equality and shown as text (not lists,
/// structs, maps or binary blobs).
fn is_groupable(data_type: &str) -> bool {
    !["List", "LargeList", "FixedSizeList", "ListView", "Struct", "Map", "Union", "Binary", "LargeBinary", "BinaryView"]
        .iter()
        .any(|p| data_type.starts_with(p))
}
