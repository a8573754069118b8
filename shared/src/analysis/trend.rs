//! The trend analysis's spec and result. (A placeholder: the trend work fills it in.)

use serde::{Deserialize, Serialize};

/// What to compute.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrendSpec {}

/// The answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrendResult {}
