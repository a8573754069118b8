//! The ab analysis's spec and result. (A placeholder: the ab work fills it in.)

use serde::{Deserialize, Serialize};

/// What to compute.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AbSpec {}

/// The answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AbResult {}
