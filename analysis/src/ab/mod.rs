//! The ab analysis. (A placeholder: the ab work fills it in.)

use crate::AnalysisError;
use quiver_engine::{Engine, QueryOutput};
use quiver_shared::analysis::AnalysisContext;
use quiver_shared::analysis::ab::{AbResult, AbSpec};

/// Registers this analysis's functions.
pub(crate) fn install(_engine: &Engine) {}

/// Plans and runs `spec`.
pub fn run(
    _engine: &Engine,
    _spec: &AbSpec,
    _ctx: AnalysisContext<'_>,
) -> Result<(AbResult, QueryOutput), AnalysisError> {
    Err(AnalysisError::Result("not built yet".to_owned()))
}
