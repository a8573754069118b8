//! The trend analysis. (A placeholder: the trend work fills it in.)

pub(crate) mod events;
pub(crate) mod read;

use crate::AnalysisError;
use quiver_engine::{Engine, QueryOutput};
use quiver_shared::analysis::AnalysisContext;
use quiver_shared::analysis::trend::{TrendResult, TrendSpec};

/// Registers this analysis's functions.
pub(crate) fn install(_engine: &Engine) {}

/// Plans and runs `spec`.
pub fn run(
    _engine: &Engine,
    _spec: &TrendSpec,
    _ctx: AnalysisContext<'_>,
) -> Result<(TrendResult, QueryOutput), AnalysisError> {
    Err(AnalysisError::Result("not built yet".to_owned()))
}
