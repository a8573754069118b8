//! The A/B view's statistics: the gap of a bucket to the control and its confidence interval,
//! from the two buckets' summaries (entities, mean, spread).

use quiver_shared::analysis::ab::{CONFIDENCE, Interval};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// What the engine says about one bucket's per-entity values.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sample {
    /// Entities.
    pub(crate) n: u64,
    /// Mean of the per-entity values (for rates, the share of entities with 1).
    pub(crate) mean: f64,
    /// Sample variance (n − 1 in the denominator); unused for rates.
    pub(crate) variance: f64,
}

/// An interval of the gap `treatment − control` and the two-sided p-value of "no gap".
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct GapTest {
    pub(crate) interval: Interval,
    pub(crate) p_value: f64,
}

/// The normal approximation for two rates with unpooled variances (the Wald interval of the
/// difference): `gap ± z · sqrt(p₁(1−p₁)/n₁ + p₀(1−p₀)/n₀)`. None when a bucket is empty or
/// neither rate has any spread (both 0% or both 100%): there is nothing to estimate from.
pub(crate) fn proportions(treatment: Sample, control: Sample) -> Option<GapTest> {
    if treatment.n == 0 || control.n == 0 {
        return None;
    }
    let var = |s: Sample| s.mean * (1.0 - s.mean) / s.n as f64;
    let se = (var(treatment) + var(control)).sqrt();
    if !(se > 0.0 && se.is_finite()) {
        return None;
    }
    let normal = Normal::standard();
    let z = normal.inverse_cdf(1.0 - (1.0 - CONFIDENCE) / 2.0);
    let gap = treatment.mean - control.mean;
    let p_value = 2.0 * normal.sf((gap / se).abs());
    Some(GapTest { interval: Interval { low: gap - z * se, high: gap + z * se, df: None }, p_value })
}

/// Welch's interval for two means: `gap ± t(ν) · sqrt(s₁²/n₁ + s₀²/n₀)` with the
/// Welch–Satterthwaite degrees of freedom `ν = (a + b)² / (a²/(n₁−1) + b²/(n₀−1))`, `a = s₁²/n₁`,
/// `b = s₀²/n₀`. None when a bucket has fewer than 2 entities (no variance) or both have none.
pub(crate) fn welch(treatment: Sample, control: Sample) -> Option<GapTest> {
    if treatment.n < 2 || control.n < 2 {
        return None;
    }
    let a = treatment.variance / treatment.n as f64;
    let b = control.variance / control.n as f64;
    let se = (a + b).sqrt();
    if !(se > 0.0 && se.is_finite()) {
        return None;
    }
    let df = (a + b).powi(2) / (a * a / (treatment.n - 1) as f64 + b * b / (control.n - 1) as f64);
    let t = StudentsT::new(0.0, 1.0, df).ok()?;
    let q = t.inverse_cdf(1.0 - (1.0 - CONFIDENCE) / 2.0);
    let gap = treatment.mean - control.mean;
    let p_value = 2.0 * t.sf((gap / se).abs());
    Some(GapTest { interval: Interval { low: gap - q * se, high: gap + q * se, df: Some(df) }, p_value })
}
