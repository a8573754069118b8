//! `window_funnel`: the DataFusion aggregate that matches each entity's events against the steps
//! (in the spirit of Doris `window_funnel`), so that the per-entity work runs inside the engine.
//!
//! ```sql
//! window_funnel(window_secs, mode, steps, ts, step_mask, flags [, value, attribution])
//! ```
//! - `window_secs` (BIGINT literal): the window in seconds, inclusive.
//! - `mode` (VARCHAR literal): `ordered`, `strict` or `any_order`, optionally followed by the
//!   words `dedup` and `increase` (`'ordered dedup increase'`).
//! - `steps` (BIGINT literal): how many steps, 1 to 32.
//! - `ts` (TIMESTAMP, any unit): the event's time; rows with a null time are skipped.
//! - `step_mask` (BIGINT): bit k set when the event matches step k + 1.
//! - `flags` (BIGINT): bit 0 set when the event matches an exclusion, bit 1 when a chain may
//!   start at it (it lies in the date range).
//! - `value` (VARCHAR): the event's breakdown value.
//! - `attribution` (VARCHAR literal): which step's value is the entity's: `first_touch`,
//!   `last_touch` or `step <k>` (1-based).
//!
//! Returns, per group (entity):
//! `STRUCT(level INT, value VARCHAR, secs_to_convert DOUBLE, steps LIST<STRUCT(k INT, ts BIGINT,
//! secs_from_previous DOUBLE, value VARCHAR)>)`: the level; the attributed value; the seconds
//! from step 1 to the last step when every step was reached (else null); and one entry per step
//! of the reported chain (its number, the event's time in microseconds since the epoch, the
//! seconds since the previous step, null at step 1, and the event's value). A flat list of
//! steps rather than lists to index, so the plan can `unnest` it and read fields with the core
//! `get_field` (the engine has no nested-expression functions).
//!
//! Events are sorted by time; events at the same instant keep the order in which they reached
//! the aggregate, which with the engine's single partition is the table's row order. The
//! matching itself is [`super::matching::match_entity`]; the accumulators are in `accumulator.rs`.

use super::accumulator::{FunnelAccumulator, FunnelGroups};
use super::matching::MatchRules;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields, TimeUnit};
use datafusion::common::{Result, ScalarValue, plan_datafusion_err, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, ColumnarValue, EmitTo, GroupsAccumulator, Signature, Volatility,
};
use datafusion::physical_expr::PhysicalExpr;
use quiver_shared::analysis::funnel::{FunnelMode, MAX_STEPS};
use std::sync::Arc;

/// The SQL name of the funnel aggregate.
pub const WINDOW_FUNNEL: &str = "window_funnel";

/// Bit of `flags`: the event matches an exclusion.
pub(crate) const FLAG_EXCLUDED: i64 = 1;
/// Bit of `flags`: a chain may start at the event.
pub(crate) const FLAG_CAN_START: i64 = 2;

/// Microseconds in a second.
pub(super) const MICROS: i64 = 1_000_000;

/// `window_funnel(…)`; see the module docs.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct WindowFunnel {
    signature: Signature,
}

impl WindowFunnel {
    pub(crate) fn udaf() -> AggregateUDF {
        AggregateUDF::from(Self { signature: Signature::user_defined(Volatility::Immutable) })
    }
}

pub(super) fn list_of(item: DataType) -> DataType {
    DataType::List(Arc::new(Field::new("item", item, true)))
}

pub(super) fn step_fields() -> Fields {
    Fields::from(vec![
        Field::new("k", DataType::Int32, false),
        Field::new("ts", DataType::Int64, false),
        Field::new("secs_from_previous", DataType::Float64, true),
        Field::new("value", DataType::Utf8, true),
    ])
}

pub(super) fn result_fields() -> Fields {
    Fields::from(vec![
        Field::new("level", DataType::Int32, false),
        Field::new("value", DataType::Utf8, true),
        Field::new("secs_to_convert", DataType::Float64, true),
        Field::new("steps", list_of(DataType::Struct(step_fields())), false),
    ])
}

/// Which event of the reported chain gives the entity's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Attribute {
    FirstTouch,
    LastTouch,
    /// The step with this index (0-based).
    Step(usize),
}

impl AggregateUDFImpl for WindowFunnel {
    fn name(&self) -> &str {
        WINDOW_FUNNEL
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.len() != 6 && arg_types.len() != 8 {
            return plan_err!(
                "{WINDOW_FUNNEL}(window_secs, mode, steps, ts, step_mask, flags [, value, attribution]) takes 6 or 8 \
                 arguments, not {}",
                arg_types.len()
            );
        }
        let ts = match &arg_types[3] {
            DataType::Timestamp(_, zone) => DataType::Timestamp(TimeUnit::Microsecond, zone.clone()),
            other => return plan_err!("{WINDOW_FUNNEL} needs a timestamp for its time argument, not {other}"),
        };
        let mut types = vec![DataType::Int64, DataType::Utf8, DataType::Int64, ts, DataType::Int64, DataType::Int64];
        if arg_types.len() == 8 {
            types.extend([DataType::Utf8, DataType::Utf8]);
        }
        Ok(types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Struct(result_fields()))
    }

    fn is_nullable(&self) -> bool {
        false
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let field =
            |name: &str, item: DataType| Arc::new(Field::new(format!("{}[{name}]", args.name), list_of(item), true));
        Ok(vec![
            field("ts", DataType::Int64),
            field("steps", DataType::UInt32),
            field("flags", DataType::UInt8),
            field("values", DataType::Utf8),
        ])
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(FunnelAccumulator(FunnelGroups::new(rules(args.exprs)?, attribute(args.exprs)?))))
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(FunnelGroups::new(rules(args.exprs)?, attribute(args.exprs)?)))
    }

    fn default_value(&self, _data_type: &DataType) -> Result<ScalarValue> {
        let rules = MatchRules { steps: 1, window: 0, mode: FunnelMode::Ordered, dedup: false, increase: false };
        let mut empty = FunnelGroups::new(rules, Attribute::FirstTouch);
        empty.resize(1)?;
        ScalarValue::try_from_array(&empty.evaluate(EmitTo::All)?, 0)
    }
}

/// The matching rules from the literal arguments.
fn rules(exprs: &[Arc<dyn PhysicalExpr>]) -> Result<MatchRules> {
    let window_secs = match literal(exprs, 0, "window_secs")? {
        ScalarValue::Int64(Some(w)) if w > 0 => w,
        other => return plan_err!("{WINDOW_FUNNEL}'s window must be a positive number of seconds, not {other}"),
    };
    let steps = match literal(exprs, 2, "steps")? {
        ScalarValue::Int64(Some(n)) if (1..=MAX_STEPS as i64).contains(&n) => n as usize,
        other => return plan_err!("{WINDOW_FUNNEL} takes 1 to {MAX_STEPS} steps, not {other}"),
    };
    let words = match literal(exprs, 1, "mode")? {
        ScalarValue::Utf8(Some(words)) => words,
        other => return plan_err!("{WINDOW_FUNNEL}'s mode must be text, not {other}"),
    };
    let mut words = words.split([' ', ',']).filter(|w| !w.is_empty());
    let mode = match words.next() {
        Some("ordered") => FunnelMode::Ordered,
        Some("strict") => FunnelMode::Strict,
        Some("any_order") => FunnelMode::AnyOrder,
        other => return plan_err!("{WINDOW_FUNNEL}'s mode is ordered, strict or any_order, not {other:?}"),
    };
    let (mut dedup, mut increase) = (false, false);
    for word in words {
        match word {
            "dedup" => dedup = true,
            "increase" => increase = true,
            other => return plan_err!("{WINDOW_FUNNEL} has the options dedup and increase, not {other}"),
        }
    }
    Ok(MatchRules { steps, window: window_secs.saturating_mul(MICROS), mode, dedup, increase })
}

/// The attribution from the literal argument (first touch when there is no value).
fn attribute(exprs: &[Arc<dyn PhysicalExpr>]) -> Result<Attribute> {
    if exprs.len() < 8 {
        return Ok(Attribute::FirstTouch);
    }
    let words = match literal(exprs, 7, "attribution")? {
        ScalarValue::Utf8(Some(words)) => words,
        other => return plan_err!("{WINDOW_FUNNEL}'s attribution must be text, not {other}"),
    };
    let step = words.strip_prefix("step").map(|k| k.trim().parse::<usize>());
    match (words.as_str(), step) {
        ("first_touch", _) => Ok(Attribute::FirstTouch),
        ("last_touch", _) => Ok(Attribute::LastTouch),
        (_, Some(Ok(k))) if (1..=MAX_STEPS).contains(&k) => Ok(Attribute::Step(k - 1)),
        _ => plan_err!("{WINDOW_FUNNEL}'s attribution is first_touch, last_touch or step <k>, not {words}"),
    }
}

/// The constant value of argument `index`.
fn literal(exprs: &[Arc<dyn PhysicalExpr>], index: usize, name: &str) -> Result<ScalarValue> {
    let expr = exprs.get(index).ok_or_else(|| plan_datafusion_err!("{WINDOW_FUNNEL} lacks its {name} argument"))?;
    let empty = RecordBatch::new_empty(Arc::new(datafusion::arrow::datatypes::Schema::empty()));
    match expr.evaluate(&empty) {
        Ok(ColumnarValue::Scalar(value)) => Ok(value),
        _ => plan_err!("{WINDOW_FUNNEL}'s {name} must be a constant"),
    }
}
