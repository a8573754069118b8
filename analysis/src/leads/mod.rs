//! The leads analysis. (A placeholder: the leads work fills it in.)

use crate::AnalysisError;
use quiver_engine::{Engine, QueryOutput};
use quiver_shared::analysis::AnalysisContext;
use quiver_shared::analysis::leads::{LeadFollowUpResult, LeadFollowUpSpec};

/// Registers this analysis's functions.
pub(crate) fn install(_engine: &Engine) {}

/// Plans and runs `spec`.
pub fn run(
    _engine: &Engine,
    _spec: &LeadFollowUpSpec,
    _ctx: AnalysisContext<'_>,
) -> Result<(LeadFollowUpResult, QueryOutput), AnalysisError> {
    Err(AnalysisError::Result("not built yet".to_owned()))
}
