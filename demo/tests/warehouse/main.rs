//! Integration tests of the demo warehouse, read back through Parquet as the product reads it.
//!
//! One test binary (rather than one per file) so the Parquet stack is linked once.

mod determinism;
mod layout;
mod metrics;
mod read;
mod shape;
mod summary;
