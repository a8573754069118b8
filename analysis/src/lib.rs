//! The analyses with meaning: funnel, retention, event trends, distribution and stickiness, A/B
//! comparison and lead follow-up, computed by DataFusion over the tables an [`Engine`] holds.
//!
//! Pure logic without IO, built natively (the server's `POST /api/analyze`) and to wasm (the
//! browser's views) from the same code, so both answer the same spec with the same numbers. The
//! rules are those of `../shared/SEMANTICS.md`, repeated in each module's docs; per-entity
//! matching (funnel, retention) runs inside DataFusion as aggregate functions, in the spirit of
//! Doris `window_funnel` and `retention`.
//!
//! Each module plans SQL from its spec (checked against the catalogue; names quoted with
//! `quiver_shared::sql`), runs it, and reads the tidy result table into the JSON result type of
//! `quiver_shared::analysis`.

pub mod ab;
pub mod distribution;
pub mod funnel;
pub mod leads;
mod read;
pub mod retention;
pub mod trend;

use quiver_engine::{Engine, EngineError, QueryOutput};
use quiver_shared::analysis::{AnalysisContext, AnalysisResult, AnalysisSpec, SpecError};

/// What can go wrong in an analysis.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The spec is wrong: the user's input, with the field and the reason.
    #[error("{0}")]
    Spec(#[from] SpecError),
    /// The engine refused or failed the planned query.
    #[error("{0}")]
    Engine(#[from] EngineError),
    /// The planned query's result did not have the planned shape: our bug.
    #[error("the analysis result is malformed: {0}")]
    Result(String),
}

/// An analysis's answer in both forms.
#[derive(Debug, Clone)]
pub struct AnalysisOutput {
    /// The JSON form.
    pub result: AnalysisResult,
    /// The tidy table it was read from (the Arrow form).
    pub table: QueryOutput,
}

/// Adds the analyses' functions (`window_funnel`, `retention`, …) to `engine`. Call once per
/// engine, before [`run`].
pub fn install(engine: &Engine) {
    funnel::install(engine);
    retention::install(engine);
    trend::install(engine);
    distribution::install(engine);
    ab::install(engine);
    leads::install(engine);
}

/// Runs `spec` over the tables registered in `engine` (which must hold the columns and dates
/// the spec needs).
pub fn run(engine: &Engine, spec: &AnalysisSpec, ctx: AnalysisContext<'_>) -> Result<AnalysisOutput, AnalysisError> {
    match spec {
        AnalysisSpec::Funnel(spec) => {
            funnel::run(engine, spec, ctx).map(|(r, table)| AnalysisOutput { result: AnalysisResult::Funnel(r), table })
        }
        AnalysisSpec::Retention(spec) => retention::run(engine, spec, ctx)
            .map(|(r, table)| AnalysisOutput { result: AnalysisResult::Retention(r), table }),
        AnalysisSpec::Trend(spec) => {
            trend::run(engine, spec, ctx).map(|(r, table)| AnalysisOutput { result: AnalysisResult::Trend(r), table })
        }
        AnalysisSpec::Distribution(spec) => distribution::run_distribution(engine, spec, ctx)
            .map(|(r, table)| AnalysisOutput { result: AnalysisResult::Distribution(r), table }),
        AnalysisSpec::Stickiness(spec) => distribution::run_stickiness(engine, spec, ctx)
            .map(|(r, table)| AnalysisOutput { result: AnalysisResult::Stickiness(r), table }),
        AnalysisSpec::Ab(spec) => {
            ab::run(engine, spec, ctx).map(|(r, table)| AnalysisOutput { result: AnalysisResult::Ab(r), table })
        }
        AnalysisSpec::LeadFollowUp(spec) => leads::run(engine, spec, ctx)
            .map(|(r, table)| AnalysisOutput { result: AnalysisResult::LeadFollowUp(r), table }),
    }
}
