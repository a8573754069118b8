//! The leads analysis's spec and result. (A placeholder: the leads work fills it in.)

use serde::{Deserialize, Serialize};

/// What to compute.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadFollowUpSpec {}

/// The answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadFollowUpResult {}
