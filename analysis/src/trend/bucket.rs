//! `bucket_index(time, '<starts>')`: the number of the time bucket an instant falls in.
//!
//! `starts` are the instants (microseconds since the epoch, ascending, comma-separated) at which
//! the buckets begin, then the end of the last: `n + 1` numbers for `n` buckets. The result is
//! the `Int32` index `i` with `starts[i] <= time < starts[i + 1]`, null outside. A bucket that a
//! DST change skips (an hour of 02:00 on a spring-forward night) has equal ends and gets nothing.
//!
//! The planners work the starts out in the tenant's zone (`events::Events::instant`), so each
//! event costs a binary search instead of a time-zone conversion, and comparisons with earlier
//! periods are the same function over earlier starts.

use datafusion::arrow::array::{AsArray, Int32Array};
use datafusion::arrow::datatypes::{DataType, TimeUnit, TimestampMicrosecondType};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use std::sync::Arc;

/// The SQL name of the bucket function.
pub const BUCKET_INDEX: &str = "bucket_index";

/// `bucket_index(…)`; see the module docs.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct BucketIndex {
    signature: Signature,
}

impl BucketIndex {
    pub(crate) fn udf() -> ScalarUDF {
        ScalarUDF::from(Self { signature: Signature::any(2, Volatility::Immutable) })
    }
}

/// The starts as the planners write them.
pub(crate) fn starts_literal(starts: &[i64]) -> String {
    let starts: Vec<String> = starts.iter().map(i64::to_string).collect();
    format!("'{}'", starts.join(","))
}

fn parse_starts(value: &ScalarValue) -> Result<Vec<i64>> {
    let Some(Some(text)) = value.try_as_str() else {
        return exec_err!("{BUCKET_INDEX} takes its starts as a text literal");
    };
    let starts = text.split(',').map(|n| n.trim().parse::<i64>()).collect::<Result<Vec<i64>, _>>();
    match starts {
        Ok(starts) if starts.len() >= 2 && starts.windows(2).all(|w| w[0] <= w[1]) => Ok(starts),
        _ => exec_err!("{BUCKET_INDEX} takes at least two ascending whole numbers, not `{text}`"),
    }
}

/// The bucket of `at`: the last start at or before it, if it is before the end.
pub(crate) fn index_of(starts: &[i64], at: i64) -> Option<i32> {
    let after = starts.partition_point(|&start| start <= at);
    (after > 0 && after < starts.len()).then(|| (after - 1) as i32)
}

impl ScalarUDFImpl for BucketIndex {
    fn name(&self) -> &str {
        BUCKET_INDEX
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types {
            [DataType::Timestamp(TimeUnit::Microsecond, _), text] if text.is_string() => Ok(DataType::Int32),
            _ => plan_err!("{BUCKET_INDEX}(time, starts) takes a microsecond timestamp and text, not {arg_types:?}"),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let ColumnarValue::Scalar(starts) = &args.args[1] else {
            return exec_err!("{BUCKET_INDEX} takes its starts as a literal");
        };
        let starts = parse_starts(starts)?;
        match &args.args[0] {
            ColumnarValue::Array(times) => {
                let Some(times) = times.as_primitive_opt::<TimestampMicrosecondType>() else {
                    return exec_err!("{BUCKET_INDEX} takes microsecond timestamps");
                };
                let indices: Int32Array = times.iter().map(|t| t.and_then(|t| index_of(&starts, t))).collect();
                Ok(ColumnarValue::Array(Arc::new(indices)))
            }
            ColumnarValue::Scalar(ScalarValue::TimestampMicrosecond(at, _)) => {
                Ok(ColumnarValue::Scalar(ScalarValue::Int32(at.and_then(|at| index_of(&starts, at)))))
            }
            ColumnarValue::Scalar(other) => exec_err!("{BUCKET_INDEX} takes a microsecond timestamp, not {other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::index_of;

    #[test]
    fn instants_fall_in_the_bucket_that_starts_at_or_before_them() {
        let starts = [10, 20, 20, 30];
        let found: Vec<Option<i32>> = [9, 10, 19, 20, 29, 30].iter().map(|&at| index_of(&starts, at)).collect();
        assert_eq!(found, [None, Some(0), Some(0), Some(2), Some(2), None]);
    }
}
