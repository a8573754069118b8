//! The distribution and stickiness analyses. (A placeholder: the distribution work fills it in.)

use crate::AnalysisError;
use quiver_engine::{Engine, QueryOutput};
use quiver_shared::analysis::AnalysisContext;
use quiver_shared::analysis::distribution::{DistributionResult, DistributionSpec, StickinessResult, StickinessSpec};

/// Registers these analyses' functions.
pub(crate) fn install(_engine: &Engine) {}

/// Plans and runs a distribution.
pub fn run_distribution(
    _engine: &Engine,
    _spec: &DistributionSpec,
    _ctx: AnalysisContext<'_>,
) -> Result<(DistributionResult, QueryOutput), AnalysisError> {
    Err(AnalysisError::Result("not built yet".to_owned()))
}

/// Plans and runs a stickiness analysis.
pub fn run_stickiness(
    _engine: &Engine,
    _spec: &StickinessSpec,
    _ctx: AnalysisContext<'_>,
) -> Result<(StickinessResult, QueryOutput), AnalysisError> {
    Err(AnalysisError::Result("not built yet".to_owned()))
}
