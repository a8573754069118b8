//! The funnel analysis. (A placeholder: the funnel work fills it in.)

use crate::AnalysisError;
use quiver_engine::{Engine, QueryOutput};
use quiver_shared::analysis::AnalysisContext;
use quiver_shared::analysis::funnel::{FunnelResult, FunnelSpec};

/// Registers this analysis's functions.
pub(crate) fn install(_engine: &Engine) {}

/// Plans and runs `spec`.
pub fn run(
    _engine: &Engine,
    _spec: &FunnelSpec,
    _ctx: AnalysisContext<'_>,
) -> Result<(FunnelResult, QueryOutput), AnalysisError> {
    Err(AnalysisError::Result("not built yet".to_owned()))
}
