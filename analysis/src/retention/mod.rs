//! The retention analysis. (A placeholder: the retention work fills it in.)

use crate::AnalysisError;
use quiver_engine::{Engine, QueryOutput};
use quiver_shared::analysis::AnalysisContext;
use quiver_shared::analysis::retention::{RetentionResult, RetentionSpec};

/// Registers this analysis's functions.
pub(crate) fn install(_engine: &Engine) {}

/// Plans and runs `spec`.
pub fn run(
    _engine: &Engine,
    _spec: &RetentionSpec,
    _ctx: AnalysisContext<'_>,
) -> Result<(RetentionResult, QueryOutput), AnalysisError> {
    Err(AnalysisError::Result("not built yet".to_owned()))
}
