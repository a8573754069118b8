//! Wire types and pure logic shared by the Quiver server and the browser app.
//!
//! **Architecture Invariant:** this crate does no IO and depends on nothing heavier than serde and
//! chrono, so that both the server and the wasm app can use it freely.

pub mod analysis;
pub mod auth;
pub mod catalog;
pub mod dashboard;
pub mod error;
pub mod partition;
pub mod pivot;
pub mod sql;
pub mod tenant;
