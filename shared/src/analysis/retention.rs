//! The retention analysis's spec and result. (A placeholder: the retention work fills it in.)

use serde::{Deserialize, Serialize};

/// What to compute.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RetentionSpec {}

/// The answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RetentionResult {}
