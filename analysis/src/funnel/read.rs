//! Reading the funnel query's grouped output into a [`FunnelResult`], and that into the tidy
//! table.

use super::plan::PlannedFunnel;
use crate::AnalysisError;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Int32Type, Int64Type, Schema};
use quiver_engine::QueryOutput;
use quiver_shared::analysis::funnel::{FunnelBreakdownGroup, FunnelResult, FunnelStepResult, TimeToConvertBin};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One output row's numbers.
#[derive(Clone, Copy, Debug, Default)]
struct StepNumbers {
    entities: u64,
    median: Option<f64>,
    p95: Option<f64>,
}

/// Which group a row of a breakdown belongs to: (other, value), so values sort before other.
type GroupKey = (bool, Option<String>);

fn malformed(what: &str) -> AnalysisError {
    AnalysisError::Result(format!("the funnel query's {what}"))
}

/// Reads the grouped query output into the result.
pub(super) fn result(
    planned: &PlannedFunnel,
    window_secs: u64,
    output: &QueryOutput,
) -> Result<FunnelResult, AnalysisError> {
    let n = planned.labels.len();
    let mut total = vec![StepNumbers::default(); n];
    let mut groups: BTreeMap<GroupKey, Vec<StepNumbers>> = BTreeMap::new();
    let mut bins = vec![0u64; planned.bins.len()];
    for batch in &output.batches {
        let column = |name: &str| batch.column_by_name(name).ok_or_else(|| malformed(&format!("column {name}")));
        let int = |name| column(name)?.as_primitive_opt::<Int64Type>().ok_or_else(|| malformed(name));
        let float = |name| column(name)?.as_primitive_opt::<Float64Type>().ok_or_else(|| malformed(name));
        let k = column("k")?.as_primitive_opt::<Int32Type>().ok_or_else(|| malformed("k"))?;
        let (bin, entities) = (int("bin")?, int("entities")?);
        let (median, p95) = (float("median_secs")?, float("p95_secs")?);
        let breakdown = if planned.breakdown {
            let value = column("value")?.as_string_opt::<i32>().ok_or_else(|| malformed("value"))?;
            let other = column("other")?.as_boolean_opt().ok_or_else(|| malformed("other"))?;
            Some((value, other))
        } else {
            None
        };
        for row in 0..batch.num_rows() {
            let count = u64::try_from(entities.value(row)).map_err(|_| malformed("count"))?;
            if k.is_null(row) {
                // The time-to-convert grouping set; its null bin holds everyone else.
                if bin.is_valid(row) {
                    let slot = usize::try_from(bin.value(row)).ok().and_then(|b| bins.get_mut(b));
                    *slot.ok_or_else(|| malformed("bin"))? += count;
                }
                continue;
            }
            let step =
                usize::try_from(k.value(row)).ok().filter(|s| (1..=n).contains(s)).ok_or_else(|| malformed("step"))?;
            let numbers = StepNumbers {
                entities: count,
                median: median.is_valid(row).then(|| median.value(row)),
                p95: p95.is_valid(row).then(|| p95.value(row)),
            };
            match breakdown {
                Some((value, other)) if other.is_valid(row) => {
                    let key = (other.value(row), value.is_valid(row).then(|| value.value(row).to_owned()));
                    groups.entry(key).or_insert_with(|| vec![StepNumbers::default(); n])[step - 1] = numbers;
                }
                _ => total[step - 1] = numbers,
            }
        }
    }
    let mut breakdown: Vec<FunnelBreakdownGroup> = groups
        .into_iter()
        .map(|((other, value), numbers)| FunnelBreakdownGroup {
            value: if other { None } else { value },
            other,
            steps: steps(&planned.labels, &numbers),
        })
        .collect();
    // Most entities first (as the top N was chosen), values before "other", nulls after values.
    breakdown.sort_by(|a, b| {
        let first = |g: &FunnelBreakdownGroup| g.steps.first().map_or(0, |s| s.entities);
        (a.other, std::cmp::Reverse(first(a)), a.value.is_none(), &a.value).cmp(&(
            b.other,
            std::cmp::Reverse(first(b)),
            b.value.is_none(),
            &b.value,
        ))
    });
    let time_to_convert = match (bins.iter().position(|&c| c > 0), bins.iter().rposition(|&c| c > 0)) {
        (Some(first), Some(last)) => (first..=last)
            .map(|i| TimeToConvertBin { from_secs: planned.bins[i].0, to_secs: planned.bins[i].1, entities: bins[i] })
            .collect(),
        _ => Vec::new(),
    };
    Ok(FunnelResult {
        steps: steps(&planned.labels, &total),
        breakdown,
        time_to_convert,
        window_secs,
        days: planned.days,
    })
}

/// Conversion and drop-off from the counts.
fn steps(labels: &[String], numbers: &[StepNumbers]) -> Vec<FunnelStepResult> {
    let ratio = |num: u64, den: u64| (den > 0).then(|| num as f64 / den as f64);
    let first = numbers.first().map_or(0, |s| s.entities);
    labels
        .iter()
        .zip(numbers)
        .enumerate()
        .map(|(i, (label, s))| {
            let previous = if i == 0 { s.entities } else { numbers[i - 1].entities };
            FunnelStepResult {
                label: label.clone(),
                entities: s.entities,
                conversion_overall: ratio(s.entities, first),
                conversion_step: ratio(s.entities, previous),
                drop_off: previous.saturating_sub(s.entities),
                median_secs_from_previous: s.median,
                p95_secs_from_previous: s.p95,
            }
        })
        .collect()
}

/// The result as one tidy table; see the funnel module's docs.
pub(super) fn tidy(result: &FunnelResult) -> Result<QueryOutput, AnalysisError> {
    let mut groups: Vec<(&str, Option<&str>, &[FunnelStepResult])> = vec![("total", None, &result.steps)];
    for g in &result.breakdown {
        groups.push((if g.other { "other" } else { "value" }, g.value.as_deref(), &g.steps));
    }
    let rows: Vec<(&str, Option<&str>, usize, &FunnelStepResult)> = groups
        .iter()
        .flat_map(|(kind, value, steps)| steps.iter().enumerate().map(move |(i, s)| (*kind, *value, i, s)))
        .collect();
    let rows = || rows.iter();
    let schema = Arc::new(Schema::new(vec![
        Field::new("group", DataType::Utf8, false),
        Field::new("value", DataType::Utf8, true),
        Field::new("step", DataType::Int32, false),
        Field::new("label", DataType::Utf8, false),
        Field::new("entities", DataType::Int64, false),
        Field::new("conversion_overall", DataType::Float64, true),
        Field::new("conversion_step", DataType::Float64, true),
        Field::new("drop_off", DataType::Int64, false),
        Field::new("median_secs_from_previous", DataType::Float64, true),
        Field::new("p95_secs_from_previous", DataType::Float64, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rows().map(|r| r.0))),
        Arc::new(StringArray::from_iter(rows().map(|r| r.1))),
        Arc::new(Int32Array::from_iter_values(rows().map(|r| r.2 as i32 + 1))),
        Arc::new(StringArray::from_iter_values(rows().map(|r| r.3.label.as_str()))),
        Arc::new(Int64Array::from_iter_values(rows().map(|r| r.3.entities as i64))),
        Arc::new(Float64Array::from_iter(rows().map(|r| r.3.conversion_overall))),
        Arc::new(Float64Array::from_iter(rows().map(|r| r.3.conversion_step))),
        Arc::new(Int64Array::from_iter_values(rows().map(|r| r.3.drop_off as i64))),
        Arc::new(Float64Array::from_iter(rows().map(|r| r.3.median_secs_from_previous))),
        Arc::new(Float64Array::from_iter(rows().map(|r| r.3.p95_secs_from_previous))),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| AnalysisError::Result(e.to_string()))?;
    Ok(QueryOutput { schema, batches: vec![batch] })
}
