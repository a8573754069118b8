//! The A/B comparison: per bucket of an assignment property, the entities, the metric (a
//! conversion rate or a mean of a per-entity value), the gap to the control and its 95%
//! confidence interval (normal approximation for rates, Welch for means); buckets under 30
//! entities are flagged. The exact rules, including first-exposure bucketing of entities seen in
//! two buckets, are in [`quiver_shared::analysis::ab`].
//!
//! Per-entity work (bucket of first exposure, converted or not, the per-entity value) and the
//! per-bucket mean and variance run in DataFusion; only the interval arithmetic on the few bucket
//! rows is done here.

mod plan;
mod stats;

use crate::AnalysisError;
use datafusion::arrow::array::{ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use plan::col;
use quiver_engine::{Engine, QueryOutput};
use quiver_shared::analysis::ab::{AbBucket, AbMetric, AbResult, AbSpec, CONFIDENCE, MIN_ENTITIES};
use quiver_shared::analysis::{AnalysisContext, SpecError};
use stats::Sample;
use std::sync::Arc;

/// Registers this analysis's functions: none, it is plain SQL.
pub(crate) fn install(_engine: &Engine) {}

/// Plans and runs `spec`; the table is one row per bucket, as [`AbResult::buckets`].
pub fn run(engine: &Engine, spec: &AbSpec, ctx: AnalysisContext<'_>) -> Result<(AbResult, QueryOutput), AnalysisError> {
    let sql = plan::plan(spec, ctx)?;
    let out = engine.sql(&sql)?;
    let buckets = crate::read::strings(&out, col::BUCKET)?;
    let entities = crate::read::counts(&out, col::ENTITIES)?;
    let totals = crate::read::f64s(&out, col::TOTAL)?;
    let means = crate::read::f64s(&out, col::MEAN)?;
    let variances = crate::read::f64s(&out, col::VARIANCE)?;
    let mixed = crate::read::counts(&out, col::MIXED)?;

    let samples: Vec<(String, f64, Sample)> = (0..buckets.len())
        .map(|i| {
            let bucket = buckets[i].clone().ok_or_else(|| AnalysisError::Result("a null bucket".to_owned()))?;
            let sample =
                Sample { n: entities[i], mean: means[i].unwrap_or(0.0), variance: variances[i].unwrap_or(0.0) };
            Ok((bucket, totals[i].unwrap_or(0.0), sample))
        })
        .collect::<Result<_, AnalysisError>>()?;
    let conversion = matches!(spec.metric, AbMetric::Conversion { .. });
    let mut result = AbResult {
        metric: if conversion { "conversion" } else { "mean" }.to_owned(),
        control: spec.control.clone(),
        confidence: CONFIDENCE,
        buckets: Vec::new(),
        entities_in_several_buckets: mixed.iter().sum(),
    };
    if samples.is_empty() {
        // No data in the range: nothing to compare, which is not the spec's fault.
        let table = table(&result);
        return Ok((result, table));
    }
    let Some((_, _, control)) = samples.iter().find(|(b, ..)| *b == spec.control).cloned() else {
        let names: Vec<&str> = samples.iter().map(|(b, ..)| b.as_str()).collect();
        return Err(SpecError::new(
            "control",
            format!("there is no bucket `{}`; the buckets are {}", spec.control, names.join(", ")),
        )
        .into());
    };
    // The control first, then the others in bucket order (the query's).
    let order =
        samples.iter().filter(|(b, ..)| *b == spec.control).chain(samples.iter().filter(|(b, ..)| *b != spec.control));
    for (bucket, total, sample) in order {
        let is_control = *bucket == spec.control;
        let test = match (is_control, conversion) {
            (true, _) => None,
            (false, true) => stats::proportions(*sample, control),
            (false, false) => stats::welch(*sample, control),
        };
        let gap = sample.mean - control.mean;
        result.buckets.push(AbBucket {
            bucket: bucket.clone(),
            is_control,
            entities: sample.n,
            total: *total,
            value: sample.mean,
            std_dev: (sample.n >= 2).then(|| sample.variance.sqrt()),
            gap,
            relative_gap: (control.mean != 0.0).then(|| gap / control.mean),
            interval: test.map(|t| t.interval),
            p_value: test.map(|t| t.p_value),
            small: sample.n < MIN_ENTITIES,
        });
    }
    let table = table(&result);
    Ok((result, table))
}

/// The result as a tidy table, one row per bucket.
fn table(result: &AbResult) -> QueryOutput {
    let b = &result.buckets;
    let float =
        |f: &dyn Fn(&AbBucket) -> Option<f64>| -> ArrayRef { Arc::new(b.iter().map(f).collect::<Float64Array>()) };
    let fields = [
        ("bucket", DataType::Utf8, false),
        ("is_control", DataType::Boolean, false),
        ("entities", DataType::UInt64, false),
        ("total", DataType::Float64, false),
        ("value", DataType::Float64, false),
        ("std_dev", DataType::Float64, true),
        ("gap", DataType::Float64, false),
        ("relative_gap", DataType::Float64, true),
        ("ci_low", DataType::Float64, true),
        ("ci_high", DataType::Float64, true),
        ("df", DataType::Float64, true),
        ("p_value", DataType::Float64, true),
        ("small", DataType::Boolean, false),
    ];
    let schema = Arc::new(Schema::new(fields.map(|(name, ty, nullable)| Field::new(name, ty, nullable)).to_vec()));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(b.iter().map(|r| Some(r.bucket.as_str())).collect::<StringArray>()),
        Arc::new(b.iter().map(|r| Some(r.is_control)).collect::<BooleanArray>()),
        Arc::new(b.iter().map(|r| r.entities).collect::<UInt64Array>()),
        float(&|r| Some(r.total)),
        float(&|r| Some(r.value)),
        float(&|r| r.std_dev),
        float(&|r| Some(r.gap)),
        float(&|r| r.relative_gap),
        float(&|r| r.interval.map(|i| i.low)),
        float(&|r| r.interval.map(|i| i.high)),
        float(&|r| r.interval.and_then(|i| i.df)),
        float(&|r| r.p_value),
        Arc::new(b.iter().map(|r| Some(r.small)).collect::<BooleanArray>()),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).expect("the columns match the schema built beside them");
    QueryOutput { schema, batches: vec![batch] }
}
