//! Engine placeholder.
