//! The distribution and stickiness analyses' specs and results. (A placeholder: the distribution
//! work fills it in.)

use serde::{Deserialize, Serialize};

/// What to compute: entities by how many times they did the event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DistributionSpec {}

/// The answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DistributionResult {}

/// What to compute: entities by on how many distinct days they were active.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StickinessSpec {}

/// The answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StickinessResult {}
